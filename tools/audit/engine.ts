// An offline runner for the pack: the semantics of @pulumi/policy's analyzer (server.ts) and of the
// CLI's policy-pack config, without the CLI, a gRPC server or a deployment. The offline plan calls
// runPolicies with the resources it registered; tools/audit/audit.ts calls it on a stack export.

import type {
    EnforcementLevel,
    Policies,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { PACK_ENFORCEMENT_LEVEL, policies as packPolicies } from "../../policies/pack";
import { TYPES } from "@patch-manager/ssm";
import {
    APPLIES_TO,
    FINDING_RECEIVER,
    Finding,
    FindingReport,
    OWN_PROPS,
    RUN_LIST,
    RUN_RESOURCES,
    StackResource,
    materializedResources,
    nameFromUrn,
} from "../../policies/util";
import { JUDGES_RESOURCE_OPTIONS } from "../../policies/replacement";

// @pulumi/policy's own proxy (no gRPC, no server): reading an unknown value throws UnknownValueError,
// exactly as in `pulumi preview`. Its module has no typings, hence the require.
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: any[]) => Error;
};

/** A resource as the plan's `--json` output or a `pulumi stack export` holds it. */
export interface AuditResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    id?: string;
    parent?: string | null;
    inputs: Record<string, any>;
    outputs?: Record<string, any>;
    /** From a stack export; lets stack rules relate resources whose ids are unknown. */
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
    /** Resource option: replace by deleting first (the plan records it when the program sets it). */
    deleteBeforeReplace?: boolean;
    /** Outputs stored encrypted (resource option `additionalSecretOutputs`). */
    additionalSecretOutputs?: string[];
    /** The explicit provider, as a stack export references it: "<provider urn>::<provider id>". */
    provider?: string;
    /**
     * Read with `.get` (a stack export's `external: true`): the engine analyses what a program
     * registers, not what it reads (pulumi/pulumi step_generator.go: read steps reach neither
     * Analyze nor AnalyzeStack), so no rule sees it.
     */
    external?: boolean;
}

export interface Violation {
    policy: string;
    level: "advisory" | "mandatory";
    urn: string;
    message: string;
    /**
     * The input property of the flagged resource the finding is about, and what the rule accepts
     * there, where the rule states them (policies/util.ts `report`). Only this engine keeps them:
     * the analyzer passes on the message alone. tools/audit/findings.ts turns them into the contract's
     * `configKey`/`valid` or `property`/`valid`.
     */
    property?: string;
    valid?: string;
}

/** A policy's entry in a policy-pack config: a level, or properties with an optional level. */
export type PolicyConfigEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
/** What `pulumi preview --policy-pack-config <file>` reads: policy name (or "all") → entry. */
export type PolicyPackConfigInput = Record<string, PolicyConfigEntry>;

export interface RunOptions {
    /** Policy-pack config, as in the file given to `--policy-pack-config`. */
    config?: PolicyPackConfigInput;
    /** For the URN of stack-level violations when the resources hold no pulumi:pulumi:Stack. */
    stackName?: string;
    projectName?: string;
    /** What the engine passes as `stackTags` (Pulumi Cloud stack tags); empty by default. */
    stackTags?: Record<string, string>;
    /** The policies to run; the pack's by default. */
    policies?: Policies;
    /**
     * Whether the resources carry the program's resource options (a plan does; a stack export does
     * not record deleteBeforeReplace): when not, the rules that judge those options are skipped.
     */
    resourceOptionsRecorded?: boolean;
    /** The pack's enforcement level; the pack's own by default. */
    packEnforcementLevel?: EnforcementLevel;
}

/** A config file that does not fit the pack (unknown policy, wrong type, bad level). */
export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid policy-pack config:\n  ${problems.join("\n  ")}`);
        this.name = "PolicyConfigError";
    }
}

/** A rule threw: the Pulumi engine fails the preview in this case. */
export class PolicyRunError extends Error {
    constructor(
        message: string,
        readonly policy: string,
        readonly urn: string | undefined,
    ) {
        super(message);
        this.name = "PolicyRunError";
    }
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Thrown by our `notApplicable`; the engine's own is NotApplicableError in server.ts. */
export class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
        this.name = "NotApplicableError";
    }
}

/** One error per reason: nothing keeps it past the engine's catch. */
const notApplicableErrors = new Map<string | undefined, NotApplicableError>();

function throwNotApplicable(reason?: string): never {
    // Thrown for every rule and resource it does not apply to, and caught right away: without the
    // stack trace nobody reads, which V8 would otherwise capture each time, and made once.
    let e = notApplicableErrors.get(reason);
    if (e === undefined) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            e = new NotApplicableError(reason);
        } finally {
            Error.stackTraceLimit = limit;
        }
        if (notApplicableErrors.size < 100) notApplicableErrors.set(reason, e);
    }
    throw e;
}

// ------------------------------------------------------------------------------------------------
// Config
// ------------------------------------------------------------------------------------------------

interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

function typeOfJson(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

/** Checks a value against the JSON-schema subset config schemas use (type, items, enum, range). */
function schemaProblems(path: string, value: unknown, schema: PolicyConfigJSONSchema): string[] {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOfJson(value);
    if (types.length > 0 && !types.some((t) => t === actual || (t === "number" && actual === "integer"))) {
        return [`${path} must be ${types.join(" or ")}, not ${actual} ${JSON.stringify(value)}`];
    }
    const problems: string[] = [];
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, not ${JSON.stringify(value)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum)
            problems.push(`${path} must be at least ${schema.minimum}, not ${value}`);
        if (schema.maximum !== undefined && value > schema.maximum)
            problems.push(`${path} must be at most ${schema.maximum}, not ${value}`);
    }
    if (Array.isArray(value) && schema.items && !Array.isArray(schema.items) && typeof schema.items === "object") {
        value.forEach((v, i) => problems.push(...schemaProblems(`${path}[${i}]`, v, schema.items as PolicyConfigJSONSchema)));
    }
    return problems;
}

/**
 * The config per policy, validated against the policies' schemas, with schema defaults filled in
 * and the `all` entry kept under "all". Throws PolicyConfigError listing every problem.
 */
export function resolveConfig(config: PolicyPackConfigInput | undefined, policies: Policies): Map<string, PolicyConfig> {
    const problems: string[] = [];
    const byName = new Map(policies.map((p) => [p.name, p]));
    const out = new Map<string, PolicyConfig>();
    if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
        throw new PolicyConfigError(['the config must be a JSON object of policy names (or "all") to settings']);
    }
    for (const [name, entry] of Object.entries(config ?? {})) {
        const policy = byName.get(name);
        if (name !== "all" && !policy) {
            problems.push(`"${name}" is not a policy of this pack (policies: ${[...byName.keys()].join(", ")})`);
            continue;
        }
        const resolved: PolicyConfig = { properties: {} };
        if (typeof entry === "string") {
            resolved.enforcementLevel = entry as EnforcementLevel;
        } else if (entry && typeof entry === "object" && !Array.isArray(entry)) {
            const { enforcementLevel, ...properties } = entry as Record<string, unknown>;
            if (enforcementLevel !== undefined) resolved.enforcementLevel = enforcementLevel as EnforcementLevel;
            resolved.properties = properties;
        } else {
            problems.push(`${name} must be an enforcement level or an object, not ${JSON.stringify(entry)}`);
            continue;
        }
        if (resolved.enforcementLevel !== undefined && !LEVELS.includes(resolved.enforcementLevel)) {
            problems.push(`${name}.enforcementLevel must be one of ${LEVELS.join(", ")}, not ${JSON.stringify(resolved.enforcementLevel)}`);
        }
        const schema: PolicyConfigSchema | undefined = policy?.configSchema;
        for (const [key, value] of Object.entries(resolved.properties)) {
            const propSchema = schema?.properties?.[key];
            if (!propSchema) {
                const known = Object.keys(schema?.properties ?? {});
                problems.push(
                    name === "all"
                        ? `all takes only enforcementLevel, not ${key}`
                        : `${name} has no setting "${key}" (${known.length > 0 ? `settings: ${known.join(", ")}` : "it takes only enforcementLevel"})`,
                );
                continue;
            }
            problems.push(...schemaProblems(`${name}.${key}`, value, propSchema));
        }
        out.set(name, resolved);
    }
    for (const policy of policies) {
        const resolved = out.get(policy.name) ?? { properties: {} };
        const schema = policy.configSchema;
        for (const [key, propSchema] of Object.entries(schema?.properties ?? {})) {
            if (!(key in resolved.properties) && propSchema.default !== undefined) {
                resolved.properties[key] = structuredClone(propSchema.default);
            }
        }
        for (const key of schema?.required ?? []) {
            if (!(key in resolved.properties)) problems.push(`${policy.name} needs the setting "${key}"`);
        }
        out.set(policy.name, resolved);
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems);
    }
    return out;
}

/**
 * The level a policy runs at: its own config entry, else `all`, else the policy's level, else the
 * pack's, else advisory. (`remediate` reports as mandatory here, as server.ts does when a
 * remediation did not clear the violation.)
 */
export function effectiveLevel(
    policy: { name: string; enforcementLevel?: EnforcementLevel },
    config: Map<string, PolicyConfig>,
    packLevel?: EnforcementLevel,
): EnforcementLevel {
    return (
        config.get(policy.name)?.enforcementLevel ??
        config.get("all")?.enforcementLevel ??
        policy.enforcementLevel ??
        packLevel ??
        "advisory"
    );
}

// ------------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------------

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Plain JSON as a policy sees it. State files wrap secrets (`plaintext` when exported with
 * --show-secrets; `ciphertext` otherwise, which cannot be read offline and so is treated like a
 * value unknown during preview), resource references and output values in signature objects.
 */
export function deserialize(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(deserialize);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SIG_KEY]) {
        case SECRET_SIG:
            if (typeof obj.plaintext === "string") {
                try {
                    return deserialize(JSON.parse(obj.plaintext));
                } catch {
                    return obj.plaintext;
                }
            }
            return "value" in obj ? deserialize(obj.value) : UNKNOWN_STRING;
        case RESOURCE_REF_SIG:
            return obj.id ?? obj.urn;
        case OUTPUT_SIG:
            return "value" in obj ? deserialize(obj.value) : UNKNOWN_STRING;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
        // The engine drops undefined-valued properties; JSON has none, but null stays null.
        out[k] = deserialize(obj[k]);
    }
    return out;
}

/** `withoutInternalKeys(deserialize(props))` without the copy of what it leaves out. */
function deserializeProps(props: unknown): Record<string, unknown> {
    if (props === null || typeof props !== "object" || Array.isArray(props) || isSignature(props as Record<string, unknown>)) {
        return withoutInternalKeys(deserialize(props));
    }
    const obj = props as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
        if (!k.startsWith("__")) out[k] = deserialize(obj[k]);
    }
    return out;
}

function isSignature(obj: Record<string, unknown>): boolean {
    const sig = obj[SIG_KEY];
    return sig === SECRET_SIG || sig === RESOURCE_REF_SIG || sig === OUTPUT_SIG;
}

/**
 * The props as the engine marshals them for the analyzer: without top-level keys that start with
 * "__" (pulumi/pulumi analyzer_plugin.go marshals Analyze and AnalyzeStack props with
 * SkipInternalKeys, "Only skip top level internal keys", rpc.go). The bridge's top-level
 * `__defaults` is in the state and the plan's checkedInputs, never in what a rule sees; a nested
 * object's own `__defaults` would reach it.
 */
export function withoutInternalKeys(props: unknown): Record<string, unknown> {
    if (props === null || typeof props !== "object" || Array.isArray(props)) return {};
    const out: Record<string, unknown> = {};
    // "__proto__" starts with "__": every key assigned here is an own data property, as Object.fromEntries makes it.
    for (const k of Object.keys(props)) {
        if (!k.startsWith("__")) out[k] = (props as Record<string, unknown>)[k];
    }
    return out;
}

function freezeMap(map: Map<string, string>): ReadonlyMap<string, string> {
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    }) as ReadonlyMap<string, string>;
}

/** `args.isType(SomeResourceClass)`: by `__pulumiType`, else the class's isInstance (server.ts isTypeOf). */
function isTypeOf(type: string, resourceClass: any): boolean {
    const pulumiType = resourceClass?.__pulumiType;
    if (typeof pulumiType === "string" && pulumiType.length > 0) {
        return type === pulumiType;
    }
    const isInstance = resourceClass?.isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

/** The types a validation says it applies to (policies/util.ts APPLIES_TO), if it says. */
function typesOf(fn: unknown): readonly string[] | undefined {
    const types = (fn as { [APPLIES_TO]?: unknown } | undefined)?.[APPLIES_TO];
    return Array.isArray(types) && types.every((t) => typeof t === "string") ? types : undefined;
}

function isResourcePolicy(p: any): p is ResourceValidationPolicy {
    const v = p.validateResource;
    return (
        typeof v === "function" ||
        (Array.isArray(v) && v.every((f) => typeof f === "function")) ||
        typeof p.remediateResource === "function"
    );
}

function isStackPolicy(p: any): p is StackValidationPolicy {
    return typeof p.validateStack === "function";
}

// ------------------------------------------------------------------------------------------------
// Running
// ------------------------------------------------------------------------------------------------

/**
 * Runs every policy on the resources as `pulumi preview --policy-pack` would: resource policies on
 * each resource's inputs, then stack policies on every resource's outputs (its inputs where it has
 * no outputs, as in the plan, plus its `id` when the props do not hold one). Async, because
 * policies may be. Throws PolicyConfigError for a config that does not fit the pack and
 * PolicyRunError when a policy throws.
 */
export async function runPolicies(resources: AuditResource[], opts: RunOptions = {}): Promise<Violation[]> {
    const policies = opts.policies ?? packPolicies;
    const packLevel = opts.packEnforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
    const config = resolveConfig(opts.config, policies);
    const stackTags = freezeMap(new Map(Object.entries(opts.stackTags ?? {})));
    const violations: Violation[] = [];

    const getConfigFor =
        (name: string) =>
        <T extends object>(): T =>
            structuredClone(config.get(name)?.properties ?? {}) as T;
    const levelOf = (p: { name: string; enforcementLevel?: EnforcementLevel }): "advisory" | "mandatory" | undefined => {
        const level = effectiveLevel(p, config, packLevel);
        return level === "disabled" ? undefined : level === "advisory" ? "advisory" : "mandatory";
    };
    const failed = (policy: string, urn: string | undefined, e: unknown, what: string): void => {
        if (e instanceof NotApplicableError) {
            return;
        }
        if (e instanceof UnknownValueError) {
            violations.push({
                policy,
                level: "advisory",
                urn: urn ?? "",
                message: `can't run policy '${policy}' during preview: ${(e as Error).message}`,
            });
            return;
        }
        const message = e instanceof Error ? e.message : String(e);
        throw new PolicyRunError(`Error validating ${what} with policy '${policy}': ${message}`, policy, urn);
    };

    // Resource policies: inputs, one resource at a time. What decides whether a policy runs is the
    // same for every resource: decided once.
    const resourcePolicies = policies.flatMap((p) => {
        const level = levelOf(p);
        if (level === undefined || !isResourcePolicy(p) || !p.validateResource) {
            return [];
        }
        if (opts.resourceOptionsRecorded === false && JUDGES_RESOURCE_OPTIONS.has(p.name)) {
            return [];
        }
        const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        // server.ts's fast path: a single validation with a type is not applicable to other types,
        // without a call; so is one that says the types it applies to (policies/util.ts APPLIES_TO).
        const onlyType = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
        const onlyTypes = validations.length === 1 ? typesOf(validations[0]) : undefined;
        return [{ p, level, validations, onlyType, onlyTypes, getConfig: getConfigFor(p.name) }];
    });
    for (const r of resources.filter((x) => x.external !== true)) {
        for (const { p, level, validations, onlyType, onlyTypes, getConfig } of resourcePolicies) {
            if ((onlyType !== undefined && onlyType !== r.type) || (onlyTypes !== undefined && !onlyTypes.includes(r.type))) {
                continue;
            }
            const report = reporter((message, _urn, located) => {
                violations.push({ policy: p.name, level, urn: r.urn, message: messageText(message, p.description), ...located });
            });
            for (const validate of validations) {
                // Deserialized for each validation, as server.ts does: a rule's changes stay its own.
                // When the rule first reads them: most rules return at the type before they do.
                const props = propsSlot(() => deserializeProps(r.inputs ?? {}));
                const args = Object.assign(resourceHead(r, r.name, props), {
                    stackTags,
                    isType: (cls: any) => isTypeOf(r.type, cls),
                    asType: ((cls: any) => (isTypeOf(r.type, cls) ? props.get() : undefined)) as ResourceValidationArgs["asType"],
                    getConfig,
                    notApplicable: throwNotApplicable,
                    [OWN_PROPS]: props.own,
                }) as ResourceValidationArgs;
                try {
                    await validate(args, report);
                } catch (e) {
                    failed(p.name, r.urn, e, `resource ${r.urn}`);
                }
            }
        }
    }

    // Stack policies: outputs of every resource, related by parent and dependencies.
    const stackViolationUrn =
        resources.find((r) => r.type === TYPES.stack)?.urn ??
        (opts.stackName && opts.projectName
            ? `urn:pulumi:${opts.stackName}::${opts.projectName}::${TYPES.stack}::${opts.projectName}-${opts.stackName}`
            : "");
    // The engine builds AnalyzeStack's list from the resources the program registered: reads are not in it.
    const managed = resources.filter((r) => r.external !== true);
    const managedTypes = new Set(managed.map((r) => r.type));
    // How the resources relate is the same for every policy; each policy gets resources of its own.
    const related = relations(managed);
    // What policies/util.ts stackResources makes of them, made once for the run and frozen.
    let runResources: StackResource[] | undefined;
    const sharedResources = () =>
        (runResources ??= deepFrozen(Object.defineProperty(materializedResources(policyResources(related)), RUN_LIST, { value: true })));
    for (const p of policies) {
        const level = levelOf(p);
        if (level === undefined || !isStackPolicy(p)) {
            continue;
        }
        if (opts.resourceOptionsRecorded === false && JUDGES_RESOURCE_OPTIONS.has(p.name)) {
            continue;
        }
        const pulumiType = pulumiTypeOf(p.validateStack);
        if (pulumiType !== undefined && !managedTypes.has(pulumiType)) {
            continue;
        }
        const report = reporter((message, urn, located) => {
            violations.push({
                policy: p.name,
                level,
                urn: urn ?? (typeof message === "object" ? (message as { urn?: string } | null)?.urn : undefined) ?? stackViolationUrn,
                message: messageText(message, p.description),
                ...located,
            });
        });
        // The policy's own resources, made when it first reads them: a rule that goes through
        // stackResources (RUN_RESOURCES) reads the run's shared ones instead.
        let resources: { value: PolicyResource[] } | undefined;
        const args = {
            get resources() {
                return (resources ??= { value: policyResources(related) }).value;
            },
            set resources(value: PolicyResource[]) {
                resources = { value };
            },
            stackTags,
            getConfig: getConfigFor(p.name),
            notApplicable: throwNotApplicable,
            [RUN_RESOURCES]: () => (resources === undefined ? sharedResources() : undefined),
        } as StackValidationArgs;
        try {
            await p.validateStack(args, report);
        } catch (e) {
            failed(p.name, stackViolationUrn, e, "stack");
        }
    }
    return violations;
}

/**
 * The `reportViolation` a rule gets: called as the analyzer's (a message, or server.ts's object
 * form, and a URN), or through policies/util.ts `report` with a whole finding, whose property and
 * valid values it keeps where both are strings.
 */
function reporter(
    push: (message: unknown, urn: string | undefined, located: Pick<Violation, "property" | "valid">) => void,
): ReportViolation {
    const report: FindingReport = (message: unknown, urn?: string) => push(message, urn, {});
    report[FINDING_RECEIVER] = (finding: Finding) => {
        const { property, valid } = finding;
        push(finding.message, finding.urn, typeof property === "string" && typeof valid === "string" ? { property, valid } : {});
    };
    return report;
}

/** server.ts accepts a string or an object with a message; the message is what a person reads. */
function messageText(message: unknown, description: string): string {
    if (typeof message === "string") {
        return message === "" ? description : message;
    }
    const m = message as { message?: string; description?: string } | undefined;
    return m?.message || m?.description || description;
}

function resourceOptions(r: AuditResource): PolicyResource["opts"] {
    const opts: PolicyResource["opts"] = {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [...(r.additionalSecretOutputs ?? [])],
    };
    if (r.deleteBeforeReplace === true) {
        opts.deleteBeforeReplace = true;
    }
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

/** A resource of AnalyzeStack's list with what it refers to, by index in the list. */
interface Related {
    resource: AuditResource;
    /** What the policies read as props: its outputs, else its inputs. */
    props: Record<string, any>;
    provider?: AuditResource;
    parent?: number;
    dependencies: number[];
    propertyDependencies: [string, number[]][];
}

/** The resources' parents, dependencies and providers (as the engine relates them), found once for every stack policy. */
function relations(resources: AuditResource[]): Related[] {
    const byUrn = new Map<string, number>();
    resources.forEach((r, i) => byUrn.set(r.urn, i));
    const auditByUrn = new Map(resources.map((r) => [r.urn, r]));
    const indices = (urns: string[] | undefined) => (urns ?? []).map((d) => byUrn.get(d)).filter((d): d is number => d !== undefined);
    return resources.map((r) => {
        const related: Related = {
            resource: r,
            props: r.outputs && Object.keys(r.outputs).length > 0 ? r.outputs : (r.inputs ?? {}),
            dependencies: indices(r.dependencies),
            propertyDependencies: Object.entries(r.propertyDependencies ?? {}).map(([key, urns]) => [key, indices(urns)]),
        };
        // As the engine does: the resource's provider with its props (e.g. the region of a multi-region stack).
        const provider = r.provider ? auditByUrn.get(r.provider.split("::").slice(0, -1).join("::")) : undefined;
        if (provider) related.provider = provider;
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent !== undefined) related.parent = parent;
        return related;
    });
}

interface PropsSlot {
    get(): any;
    set(value: unknown): void;
    own(): unknown;
}

/**
 * What a rule's args and a stack rule's resource begin with, as server.ts lays them out (`props`
 * right after `type`, made when first read): the rest is added after them.
 */
function resourceHead(r: AuditResource, name: string, props: PropsSlot) {
    return {
        type: r.type,
        get props() {
            return props.get();
        },
        set props(value: unknown) {
            props.set(value);
        },
        urn: r.urn,
        name,
        opts: resourceOptions(r),
    };
}

/**
 * A rule's props, made when first read: `get` wraps a fresh plain copy (`make()`) in the analyzer's
 * proxy, `set` keeps what a rule assigns, as with a plain property, and `own` hands the plain copy
 * itself (policies/util.ts OWN_PROPS) as long as neither has happened.
 */
function propsSlot(make: () => unknown): PropsSlot {
    let held: { value: unknown } | undefined;
    return {
        get: () => (held ??= { value: unknownCheckingProxy(make()) }).value,
        set: (value) => void (held = { value }),
        own: () => (held === undefined ? make() : undefined),
    };
}

/**
 * The PolicyResources one stack policy gets: new objects, as server.ts deserializes them for each
 * policy, laid out as server.ts lays them out (`props` right after `type`).
 */
function policyResources(related: Related[]): PolicyResource[] {
    const list = related.map(({ resource: r, props: outputs, provider }) => {
        // Each policy's own copy, made when the policy first reads it (most read a few types' props).
        const props = propsSlot(() => {
            const plain = deserializeProps(outputs);
            if (plain.id === undefined && r.id !== undefined && r.id !== "") {
                plain.id = r.id; // the plan's inputs carry no id; a stack export's outputs do
            }
            return plain;
        });
        const resource: PolicyResource = Object.assign(resourceHead(r, r.name || nameFromUrn(r.urn), props), {
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: any) => isTypeOf(r.type, cls),
            asType: ((cls: any) => (isTypeOf(r.type, cls) ? props.get() : undefined)) as PolicyResource["asType"],
            [OWN_PROPS]: props.own,
        }) as PolicyResource;
        if (provider) resource.provider = providerOf(provider);
        return resource;
    });
    related.forEach(({ parent, dependencies, propertyDependencies }, i) => {
        const resource = list[i];
        if (parent !== undefined) {
            resource.parent = list[parent];
        }
        resource.dependencies = dependencies.map((d) => list[d]);
        for (const [key, urns] of propertyDependencies) {
            resource.propertyDependencies[key] = urns.map((d) => list[d]);
        }
    });
    return list;
}

/** A resource's provider as a stack policy sees it: its outputs (else inputs) deserialized, plain, when first read. */
function providerOf(provider: AuditResource): NonNullable<PolicyResource["provider"]> {
    const from = provider.outputs && Object.keys(provider.outputs).length > 0 ? provider.outputs : provider.inputs;
    const make = () => (deserialize(from) ?? {}) as Record<string, any>;
    let held: { value: Record<string, any> } | undefined;
    return {
        type: provider.type,
        urn: provider.urn,
        name: provider.name || nameFromUrn(provider.urn),
        get props() {
            return (held ??= { value: make() }).value;
        },
        set props(value: Record<string, any>) {
            held = { value };
        },
        [OWN_PROPS]: () => (held === undefined ? make() : undefined),
    } as NonNullable<PolicyResource["provider"]>;
}

/** `value` with every object and array in it frozen (a rule that changes a shared value fails, instead of changing it for the next). */
function deepFrozen<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const key of Object.keys(value)) deepFrozen((value as Record<string, unknown>)[key]);
    }
    return value;
}

/** The description of each policy by name, for a report a person reads. */
export function policyDescriptions(policies: Policies = packPolicies): Map<string, string> {
    return new Map(policies.map((p) => [p.name, p.description]));
}
