// Resource aliases as the Pulumi engine resolves them (pkg/resource/deploy/step_generator.go:
// collapseAliasToUrn, inheritedChildAlias, generateAliases). The SDK sends alias *specs* to an
// engine that supports them (the mock runtime says it does); the engine turns them into URNs
// and, for a child, multiplies in the alias its parent was found under in the old state.
import { TYPES } from "@patch-manager/ssm";

/** One alias as the engine receives it: a URN, or a spec whose empty fields mean "as the resource". */
export interface AliasSpec {
    /** A whole earlier URN. */
    urn?: string;
    /** The earlier logical name. */
    name?: string;
    /** The earlier type token. */
    type?: string;
    /** The earlier stack. */
    stack?: string;
    /** The earlier project. */
    project?: string;
    /** The URN of the earlier parent. */
    parentUrn?: string;
    /** The resource had no parent (it sat at the top of the stack). */
    noParent?: boolean;
}

/** What alias resolution needs of a registered resource. */
export interface AliasedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    aliasSpecs?: AliasSpec[];
}

const ROOT_STACK_TYPE = TYPES.stack;

export function urnParts(urn: string): { stack: string; project: string; qualifiedType: string; type: string; name: string } {
    // urn:pulumi:<stack>::<project>::<qualified type>::<name> (the name may hold "::" itself).
    const a = urn.indexOf("::");
    const b = a < 0 ? -1 : urn.indexOf("::", a + 2);
    const c = b < 0 ? -1 : urn.indexOf("::", b + 2);
    if (c < 0) return urnPartsBySplit(urn);
    const qualifiedType = urn.slice(b + 2, c);
    return {
        stack: urn.slice("urn:pulumi:".length, a),
        project: urn.slice(a + 2, b),
        qualifiedType,
        type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1),
        name: urn.slice(c + 2),
    };
}

/** urnParts by splitting the whole URN: the definition, and the answer for a string with fewer than three separators. */
export function urnPartsBySplit(urn: string): { stack: string; project: string; qualifiedType: string; type: string; name: string } {
    const parts = urn.split("::");
    const qualifiedType = parts[2];
    return {
        stack: parts[0].slice("urn:pulumi:".length),
        project: parts[1],
        qualifiedType,
        type: qualifiedType.split("$").pop()!,
        name: parts.slice(3).join("::"),
    };
}

/** A URN as the engine builds one: the parent's qualified type (not its name) prefixes the type. */
export function createUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
    const parent = parentUrn ? urnParts(parentUrn) : undefined;
    const qualified = parent && parent.type !== ROOT_STACK_TYPE ? `${parent.qualifiedType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * One alias spec as a URN. `parentAliasOf` gives the old URN an aliased parent was found under:
 * the engine uses it in place of the parent's current URN.
 */
export function collapseAlias(r: AliasedResource, alias: AliasSpec, parentAliasOf: (urn: string) => string | undefined): string {
    if (alias.urn) return alias.urn;
    const own = urnParts(r.urn);
    let parent = alias.parentUrn || r.parent || undefined;
    if (alias.parentUrn) parent = parentAliasOf(alias.parentUrn) ?? alias.parentUrn;
    if (alias.noParent) parent = undefined;
    return createUrn(alias.stack || own.stack, alias.project || own.project, parent, alias.type || r.type, alias.name || r.name);
}

/** The alias a child inherits from its parent's alias: the parent's old type chain, and its old name where the child's name starts with the parent's. */
export function inheritedChildAlias(childType: string, childName: string, parentName: string, parentAlias: string): string {
    const alias = urnParts(parentAlias);
    const name = childName.startsWith(parentName) ? alias.name + childName.slice(parentName.length) : childName;
    // createUrn(alias.stack, alias.project, parentAlias, childType, name), the alias read once.
    const qualified = alias.type !== ROOT_STACK_TYPE ? `${alias.qualifiedType}$${childType}` : childType;
    return `urn:pulumi:${alias.stack}::${alias.project}::${qualified}::${name}`;
}

/**
 * generateAliases: the resource's own aliases, then those its parent's alias implies.
 * `parentAliases` gives the old URNs a resource may have been found under; the engine knows one
 * at most (and then uses only it), `every` takes each and the resource's current URN too.
 */
export function generateAliases(r: AliasedResource, parentAliases: (urn: string) => readonly string[], every = false): string[] {
    const out = new Set<string>();
    const specs = r.aliasSpecs ?? [];
    for (const spec of specs) {
        const olds = spec.parentUrn ? parentAliases(spec.parentUrn) : [];
        if (olds.length === 0 || every) out.add(collapseAlias(r, spec, () => undefined));
        for (const o of every ? olds : olds.slice(0, 1)) out.add(collapseAlias(r, spec, () => o));
    }
    if (r.parent) {
        const parentName = urnParts(r.parent).name;
        for (const parentAlias of parentAliases(r.parent)) {
            out.add(inheritedChildAlias(r.type, r.name, parentName, parentAlias));
            for (const spec of specs) {
                // Only the alias's type and name matter here.
                const child = urnParts(collapseAlias(r, spec, () => undefined));
                out.add(inheritedChildAlias(child.type, child.name, parentName, parentAlias));
            }
        }
    }
    out.delete(r.urn);
    return [...out];
}

/**
 * Every URN an upgrade could find each resource under, with no old state to choose from: each
 * parent alias is multiplied in (what the plan reports as `options.aliases`). Resources in
 * registration order (a parent before its children).
 */
export function candidateAliases(resources: readonly AliasedResource[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of resources)
        out.set(
            r.urn,
            generateAliases(r, (p) => out.get(p) ?? [], true),
        );
    return out;
}

/**
 * What `pulumi up` does against an old state: each resource takes its own URN if the old state
 * has it, else the first of its aliases that does; a child inherits only the alias its parent was
 * actually found under. Returns current URN → the old URN it takes over (absent: a new resource).
 */
export function matchOldState(resources: readonly AliasedResource[], old: ReadonlySet<string>): Map<string, string> {
    const matched = new Map<string, string>();
    const viaAlias = new Map<string, string>();
    for (const r of resources) {
        if (old.has(r.urn)) {
            matched.set(r.urn, r.urn);
            continue;
        }
        const alias = generateAliases(r, (p) => (viaAlias.has(p) ? [viaAlias.get(p)!] : [])).find((a) => old.has(a));
        if (alias) {
            matched.set(r.urn, alias);
            viaAlias.set(r.urn, alias);
        }
    }
    return matched;
}
