// The bench's floor (`node tools/bench/measure.js floor replay:<dump>`): a Pulumi program with no
// logic that registers exactly the resources an evaluation of ours registered (type, name, parent,
// inputs, options, in the same order), through the packages' own resource classes, under the
// SDK's stock mock runtime (`pulumi.runtime.setMocks`, a mock that echoes the inputs). What is
// left is what any TypeScript program creating those resources pays: starting ts-node, loading
// @pulumi/pulumi and the providers' packages, compiling one small module, the SDK's registrations.
// Nothing here imports code of the repository.
import type { AliasSpec } from "../mock/aliases";
import * as pulumi from "@pulumi/pulumi";

/** One resource as `measure.js --dump` writes it (tools/mock/mockProgram.ts PlannedResource, trimmed). */
export interface DumpedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly external?: boolean;
    readonly id?: string;
    readonly parent: string | null;
    readonly inputs: Record<string, unknown>;
    readonly options: {
        readonly dependsOn?: string[];
        readonly deleteBeforeReplace?: boolean;
        readonly retainOnDelete?: boolean;
        readonly protect?: boolean;
        readonly ignoreChanges?: string[];
        readonly replaceOnChanges?: string[];
        readonly additionalSecretOutputs?: string[];
    };
    readonly provider?: string;
    readonly aliasSpecs?: AliasSpec[];
}

/** The npm package that defines a resource type's class: `aws:ssm/...` → @pulumi/aws. */
const PACKAGES: Record<string, string> = { aws: "@pulumi/aws", pulumiservice: "@pulumi/pulumiservice", time: "@pulumiverse/time" };

/** The package a type's class comes from (providers: `pulumi:providers:aws` → aws). */
function packageOf(type: string): string | undefined {
    return PACKAGES[type.startsWith("pulumi:providers:") ? type.split(":")[2] : type.split(":")[0]];
}

/** Loads the packages these resources' classes come from, as the program's imports would. */
export function loadPackages(resources: readonly DumpedResource[]): Map<string, any> {
    const loaded = new Map<string, any>();
    for (const r of resources) {
        const pkg = packageOf(r.type);
        if (pkg !== undefined && !loaded.has(pkg)) loaded.set(pkg, require(pkg));
    }
    return loaded;
}

/** The package's class for a type token (`aws:ssm/patchGroup:PatchGroup` → aws.ssm.PatchGroup), else none. */
function classOf(packages: Map<string, any>, type: string): any {
    const root = packages.get(packageOf(type) ?? "");
    if (root === undefined) return undefined;
    if (type.startsWith("pulumi:providers:")) return root.Provider;
    const [, mod, name] = type.split(":");
    const ns = mod.split("/")[0] === "index" ? root : root[mod.split("/")[0]];
    return ns?.[name]?.__pulumiType === type ? ns[name] : undefined;
}

/**
 * Registers the resources under the stock mocks and waits for every registration. `traces: false`
 * skips the SDK's two stack traces as tools/mock/mockProgram.ts does under its mock runtime (nothing
 * reads them there); `true` keeps them, as the stock SDK takes them.
 */
export async function register(
    project: string,
    stack: string,
    resources: readonly DumpedResource[],
    packages: Map<string, any>,
    traces: boolean,
): Promise<void> {
    if (!traces) {
        require("@pulumi/pulumi/runtime/debuggable").debuggablePromise = <T>(p: Promise<T>) => p;
        (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
    }
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => ({ id: a.custom ? a.id || `${a.name}_id` : "", state: a.inputs }),
            call: (a) => a.inputs,
        },
        project,
        stack,
        false,
    );
    await registerAll(resources, packages);
}

/** The program itself: every resource in order, then waiting for every registration (under whatever mock runtime is set). */
export async function registerAll(resources: readonly DumpedResource[], packages: Map<string, any>): Promise<void> {
    const byUrn = new Map<string, pulumi.Resource>();
    for (const r of resources) {
        const o = r.options;
        const opts: pulumi.CustomResourceOptions = {
            ...(r.parent ? { parent: byUrn.get(r.parent) } : {}),
            ...(o.dependsOn ? { dependsOn: o.dependsOn.map((u) => byUrn.get(u)!) } : {}),
            ...(r.provider ? { provider: byUrn.get(r.provider.split("::").slice(0, -1).join("::")) as pulumi.ProviderResource } : {}),
            ...(r.aliasSpecs ? { aliases: r.aliasSpecs.map(alias) } : {}),
            ...(o.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            ...(o.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(o.protect ? { protect: true } : {}),
            ...(o.ignoreChanges ? { ignoreChanges: o.ignoreChanges } : {}),
            ...(o.replaceOnChanges ? { replaceOnChanges: o.replaceOnChanges } : {}),
            ...(o.additionalSecretOutputs ? { additionalSecretOutputs: o.additionalSecretOutputs } : {}),
        };
        const inputs = withAssets(r.type.startsWith("pulumi:providers:") ? providerInputs(r.inputs) : r.inputs) as pulumi.Inputs;
        const Class = classOf(packages, r.type);
        let res: pulumi.Resource;
        if (!r.custom) res = new Component(r.type, r.name, inputs, opts);
        else if (r.external)
            res = Class ? Class.get(r.name, r.id, inputs, opts) : new Untyped(r.type, r.name, inputs, { ...opts, id: r.id });
        else res = Class ? new Class(r.name, inputs, opts) : new Untyped(r.type, r.name, inputs, opts);
        byUrn.set(r.urn, res);
    }
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
}

/** A component of the program's (its own type token), with no children of its own making. */
class Component extends pulumi.ComponentResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions) {
        super(type, name, inputs, opts);
        this.registerOutputs({});
    }
}

/** A custom resource of a type no loaded package has a class for. */
class Untyped extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, inputs, opts);
    }
}

/** An alias as the program gave it (the dump holds the spec the SDK sent). */
function alias(spec: NonNullable<DumpedResource["aliasSpecs"]>[number]): pulumi.Input<string> | pulumi.Alias {
    if (spec.urn) return spec.urn;
    return {
        ...(spec.name ? { name: spec.name } : {}),
        ...(spec.type ? { type: spec.type } : {}),
        ...(spec.stack ? { stack: spec.stack } : {}),
        ...(spec.project ? { project: spec.project } : {}),
        // Under mocks pulumi.rootStackResource is undefined: `{ parent: undefined }` is "no parent".
        ...(spec.parentUrn ? { parent: spec.parentUrn } : spec.noParent ? { parent: pulumi.rootStackResource } : {}),
    };
}

/** The plan holds an asset as `{ text }` / `{ path }` / `{ uri }`: the asset again. */
function withAssets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withAssets);
    if (typeof value !== "object" || value === null) return value;
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof v[keys[0]] === "string") {
        if (keys[0] === "text") return new pulumi.asset.StringAsset(v.text as string);
        if (keys[0] === "path") return new pulumi.asset.FileAsset(v.path as string);
        if (keys[0] === "uri") return new pulumi.asset.RemoteAsset(v.uri as string);
    }
    return Object.fromEntries(keys.map((k) => [k, withAssets(v[k])]));
}

/** A provider's inputs reach the engine as strings ("false", JSON); its class takes the values. */
function providerInputs(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => {
            if (typeof v !== "string") return [k, v];
            try {
                return [k, JSON.parse(v)];
            } catch {
                return [k, v];
            }
        }),
    );
}
