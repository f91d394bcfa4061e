// Runs the real program under Pulumi's mock runtime: no CLI, no credentials, no network. Shared by
// the offline plan and the tests. The stack file (stackFile.ts), the mock providers' answers
// (fakeState.ts) and the SDK internals the runtime reaches into (sdkInternals.ts) live apart.
import * as pulumi from "@pulumi/pulumi";
// The constants from their own modules: the barrel (../../config) would load every config module,
// which the organisation's control plane, evaluated here too, does not need.
import { PROJECT } from "../../config/project";
import type { PatchManagerConfig } from "../../config/model";
import { AliasSpec, generateAliases } from "./aliases";
import { DEFAULTS_KEY, checkedInputs, knowsCheck } from "../audit/providerCheck";
import type { AuditResource } from "../audit/engine";
import type { Program } from "./programEntry";
import { DEFAULT_REGION, hex, MOCK_ACCOUNT, MOCK_NOW, mockState } from "./fakeState";
import { plainStruct, plainStructs, sdkMonitor, sdkProtos, sdkRpc, skipSdkTraces, waitForRPCs } from "./sdkInternals";
import { copyOf } from "./copy";
import type { StackConfig } from "./stackFile";
import type { PlannedResource, ResourceOptions } from "./types";

export type { PlannedResource, ResourceOptions } from "./types";

// The offline runtime's face: what the plan, the audit and the tests take from it.
export { DEFAULT_REGION, MOCK_ACCOUNT, MOCK_NOW, mockState, inputsWithUrnIds } from "./fakeState";
export { projectValues, readStackFile, StackFileError, type StackConfig } from "./stackFile";

export interface EvaluateOptions {
    stack: string;
    config: StackConfig;
    /** The program: what index.ts exports (`export =`), unless a test passes another. */
    program?: Program;
    /** The Pulumi project the program belongs to; default patch-manager. */
    project?: string;
    /** Resources a lookup does not find: Cloud Control types, "AWS::SSM::Document" for ssm:GetDocument and "AWS::KMS::Key" for kms:DescribeKey (every other lookup finds its resource). */
    absentResources?: { typeName: string; identifier: string; region: string }[];
    /** The instant the program plans for (the plan's --from), ISO-8601; default MOCK_NOW, so that an evaluation is the same on any day. */
    now?: string;
    /** The account's managed nodes (ssm:DescribeInstanceInformation): EC2 instances (`i-`) and hybrid servers (`mi-`) with their tags; none by default. */
    managedNodes?: { id: string; tags: Record<string, string>; region?: string }[];
}

export interface Evaluation {
    resources: PlannedResource[];
    /** The program's stack outputs, resolved. */
    outputs: Record<string, unknown>;
    /** The model the program parsed the stack config into, when it tells (this project's program does). */
    model?: PatchManagerConfig;
}

/**
 * Evaluates the program for one stack under mocks. Each call starts a fresh
 * mock runtime, so several stacks can be evaluated in one process.
 */
/**
 * Runs one evaluation and rejects with the first promise rejection nothing handled meanwhile. A
 * program whose `apply` throws (a lookup that fails, a value it refuses) leaves the SDK with a
 * rejected output that nobody awaits: without this the process would crash on it (or, under a
 * test runner that catches such rejections, wait forever for outputs that never resolve).
 */
async function failOnUnhandledRejection<T>(run: () => Promise<T>): Promise<T> {
    let failure: Error | undefined;
    let onRejection: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
        onRejection = (reason) => {
            failure ??= reason instanceof Error ? reason : new Error(String(reason));
            reject(failure);
        };
    });
    failed.catch(() => undefined);
    process.on("unhandledRejection", onRejection);
    try {
        const result = await Promise.race([run(), failed]);
        // Node reports a rejection nobody handled only once the microtasks have run out: give the
        // last ones (a registration whose input failed) a turn before calling the evaluation done.
        await new Promise((resolve) => setImmediate(resolve));
        if (failure) throw failure;
        return result;
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

export async function evaluateProgram(opts: EvaluateOptions): Promise<Evaluation> {
    // The program is deterministic under these mocks: the same stack and config give the same
    // resources, so one process (the tests, `--all` next to a single stack) evaluates each once.
    const key = opts.program
        ? undefined
        : JSON.stringify([
              opts.project,
              opts.stack,
              opts.config,
              opts.absentResources ?? [],
              opts.now ?? MOCK_NOW,
              opts.managedNodes ?? [],
          ]);
    const cached = key !== undefined ? evaluations.get(key) : undefined;
    if (cached) return copyOf(await cached);
    // Traces come back when the evaluation settles, also when a failure ends it early.
    const pending = skipSdkTraces(() => plainStructs(() => failOnUnhandledRejection(() => evaluateUncached(opts))));
    // An evaluation nobody else holds is the caller's own: only a cached one is copied (an
    // organisation's thousands of resources would be copied, and held twice, for nothing).
    if (key === undefined) return pending;
    evaluations.set(key, pending);
    pending.catch(() => evaluations.delete(key));
    return copyOf(await pending);
}

const evaluations = new Map<string, Promise<Evaluation>>();

async function evaluateUncached(opts: EvaluateOptions): Promise<Evaluation> {
    const region = opts.config.values["aws:region"] ?? DEFAULT_REGION;
    const resources: PlannedResource[] = [];
    // A set, not a scan of `resources`: an organisation's control plane registers thousands.
    /** Each recorded URN with its aliases (a child's aliases multiply its parent's). */
    const urns = new Map<string, string[]>();
    /** Each recorded URN's region (the first resource's, should a URN come twice). */
    const regions = new Map<string, string>();
    const duplicates: string[] = [];
    // Explicit providers (patch-manager:regions) by URN, so that ARNs name the resource's region.
    const providerRegions = new Map<string, string>();
    const providerRegion = (ref: string | undefined): string | undefined =>
        ref ? providerRegions.get(ref.split("::").slice(0, -1).join("::")) : undefined;
    const mocks: pulumi.runtime.Mocks = {
        newResource: () => {
            throw new Error("replaced below");
        },
        call: (args) => {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: MOCK_ACCOUNT,
                        arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/offline-plan`,
                        userId: "AIDAOFFLINEPLAN",
                        id: MOCK_ACCOUNT,
                    };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
                case "aws:index/getRegion:getRegion": {
                    const r = providerRegion(args.provider) ?? region;
                    return { name: r, region: r, endpoint: `ec2.${r}.amazonaws.com`, description: r, id: r };
                }
                case "aws:ec2/getVpc:getVpc": {
                    // A deterministic private range per VPC id, as a real lookup would return one.
                    const id = String(args.inputs.id);
                    const cidrBlock = `10.${parseInt(hex(id, 2), 16)}.0.0/16`;
                    return {
                        id,
                        cidrBlock,
                        // DescribeVpcs lists the primary block among the associations too.
                        cidrBlockAssociations: [{ associationId: `vpc-cidr-assoc-${hex(id, 17)}`, cidrBlock, state: "associated" }],
                        enableDnsSupport: true,
                        enableDnsHostnames: true,
                    };
                }
                case "aws:ssm/getInstances:getInstances": {
                    // DescribeInstanceInformation's string filters: tag:<key> (one of the values), or InstanceIds.
                    const r = providerRegion(args.provider) ?? region;
                    const filters = (args.inputs.filters ?? []) as { name: string; values: string[] }[];
                    const ids = (opts.managedNodes ?? [])
                        .filter((n) => (n.region ?? region) === r)
                        .filter((n) =>
                            filters.every((f) =>
                                f.name.startsWith("tag:")
                                    ? f.values.includes(n.tags[f.name.slice("tag:".length)])
                                    : f.name === "InstanceIds"
                                      ? f.values.includes(n.id)
                                      : (() => {
                                            throw new Error(
                                                `the offline runtime filters managed nodes by tag:<key> and InstanceIds, not ${f.name}`,
                                            );
                                        })(),
                            ),
                        )
                        .map((n) => n.id);
                    return { ids, filters, region: r, id: r };
                }
                case "aws:cloudcontrol/getResource:getResource": {
                    const r = providerRegion(args.provider) ?? region;
                    const { typeName, identifier } = args.inputs as { typeName: string; identifier: string };
                    if (opts.absentResources?.some((a) => a.typeName === typeName && a.identifier === identifier && a.region === r))
                        throw new Error(`ResourceNotFoundException: ${typeName} ${identifier} not found in ${r}`);
                    return { typeName, identifier, properties: JSON.stringify({ Name: identifier }), id: identifier };
                }
                case "aws:kms/getKey:getKey": {
                    const r = providerRegion(args.provider) ?? region;
                    const keyId = String(args.inputs.keyId);
                    if (opts.absentResources?.some((a) => a.typeName === "AWS::KMS::Key" && a.identifier === keyId && a.region === r))
                        throw new Error(`NotFoundException: Key '${keyId}' does not exist`);
                    return { keyId, arn: keyId, id: keyId, multiRegion: keyId.includes(":key/mrk-") };
                }
                case "aws:ssm/getDocument:getDocument": {
                    const r = providerRegion(args.provider) ?? region;
                    const name = String(args.inputs.name);
                    if (opts.absentResources?.some((a) => a.typeName === "AWS::SSM::Document" && a.identifier === name && a.region === r))
                        throw new Error(`InvalidDocument: ${name} not found in ${r}`);
                    return {
                        name,
                        arn: `arn:aws:ssm:${r}:${MOCK_ACCOUNT}:document/${name}`,
                        documentType: "Command",
                        documentFormat: "JSON",
                        content: "{}",
                        id: name,
                    };
                }
                default:
                    return args.inputs;
            }
        },
    };
    const project = opts.project ?? PROJECT;
    await pulumi.runtime.setMocks(mocks, project, opts.stack, false);
    // The region the mock provider assumes, given to the program as a stack would (the offline
    // plan has refused a stack file without one before it gets here).
    pulumi.runtime.setAllConfig({ "aws:region": region, ...opts.config.values }, opts.config.secretKeys);

    // The stock mock monitor only keeps the parent's type in a URN and does not
    // tell newResource the parent; this one records both, as the engine would.
    const monitor = sdkMonitor();
    const { deserializeProperties, serializeProperties } = sdkRpc();
    const { resproto } = sdkProtos();
    /** A registration's or read's URN, as the engine makes it: the parent's type qualifies the child's. */
    const identity = (req: any): { parent: string; type: string; name: string; urn: string } => {
        const parent: string = req.getParent() || "";
        const type: string = req.getType();
        const name: string = req.getName();
        const qualifiedType = parent ? `${parent.split("::")[2]}$${type}` : type;
        return { parent, type, name, urn: `urn:pulumi:${opts.stack}::${project}::${qualifiedType}::${name}` };
    };
    monitor.registerResource = async (req: any, callback: (err: unknown, res?: unknown) => void) => {
        try {
            const { parent, type, name, urn } = identity(req);
            const deserialized = deserializeProperties(req.getObject());
            // Awaiting only when there is an asset keeps the registration order of everything else.
            const inputs = containsAsset(deserialized) ? await plainAssets(deserialized) : deserialized;
            const custom: boolean = req.getCustom();
            // A component's region: its own `providers` entry for aws, else its parent's.
            const resourceRegion =
                providerRegion(req.getProvider()) ?? providerRegion(req.getProvidersMap()?.get("aws")) ?? regions.get(parent) ?? region;
            if (type === "pulumi:providers:aws" && typeof inputs.region === "string") providerRegions.set(urn, inputs.region);
            const checked = custom && knowsCheck(type) ? checkedInputs(type, name, urn, inputs) : undefined;
            // Outputs start from what Check returned (a generated name, defaults), as the provider's Create sees it.
            const { [DEFAULTS_KEY]: _filled, ...createInputs } = checked ?? inputs;
            const mocked = custom ? mockState(type, name, urn, createInputs, resourceRegion) : { id: "", state: {} };
            const id = mocked.id;
            // Provider v7 gives regional resources a computed `region` output: the provider's region.
            const state = custom && type.startsWith("aws:ssm/") ? { ...mocked.state, region: resourceRegion } : mocked.state;
            const secretOutputs: string[] = req.getAdditionalsecretoutputsList();
            // The engine refuses a second resource with the same URN (and stops half-way).
            if (urns.has(urn)) duplicates.push(urn);
            const aliasSpecs = aliasSpecsOf(req);
            const aliases = generateAliases({ urn, type, name, parent: parent || null, aliasSpecs }, (p) => urns.get(p) ?? [], true);
            const options: ResourceOptions = {
                ...(req.getDeletebeforereplace() ? { deleteBeforeReplace: true } : {}),
                ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
                ...(req.getProtect() ? { protect: true } : {}),
                ...nonEmpty("ignoreChanges", req.getIgnorechangesList()),
                ...nonEmpty("replaceOnChanges", req.getReplaceonchangesList()),
                ...nonEmpty("additionalSecretOutputs", secretOutputs),
                ...nonEmpty("dependsOn", req.getDependenciesList()),
                ...nonEmpty("aliases", aliases),
            };
            urns.set(urn, options.aliases ?? []);
            if (!regions.has(urn)) regions.set(urn, resourceRegion);
            resources.push({
                urn,
                type,
                name,
                custom,
                id: custom ? id : null,
                parent: parent || null,
                inputs,
                ...(checked ? { checkedInputs: checked } : {}),
                outputs: state,
                ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
                ...(req.getProtect() ? { protect: true } : {}),
                ...(req.getDeletebeforereplace() ? { deleteBeforeReplace: true } : {}),
                ...(secretOutputs.length > 0 ? { additionalSecretOutputs: secretOutputs } : {}),
                ...(providerRegion(req.getProvider()) !== undefined ? { provider: req.getProvider() } : {}),
                region: resourceRegion,
                options,
                ...(aliasSpecs.length > 0 ? { aliasSpecs } : {}),
            });
            // The stock monitor answers registerOutputs only for URNs it registered itself.
            monitor.resources?.set(urn, { urn, id, state: {} });
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(id);
            const serialized = await serializeProperties("", state);
            // As the stock monitor does, so that a component's registerOutputs finds its resource.
            monitor.resources?.set(urn, { urn, id: id || null, state: serialized });
            response.setObject(plainStruct(serialized));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    };

    // `.get` reads an existing resource: recorded as read (external), never analysed by resource policies.
    monitor.readResource = async (req: any, callback: (err: unknown, res?: unknown) => void) => {
        try {
            const { parent, type, name, urn } = identity(req);
            const inputs = deserializeProperties(req.getProperties());
            const id: string = req.getId();
            const resourceRegion = providerRegion(req.getProvider()) ?? region;
            const state = { ...mockState(type, name, urn, inputs, resourceRegion).state, id };
            if (urns.has(urn)) duplicates.push(urn);
            urns.set(urn, []);
            if (!regions.has(urn)) regions.set(urn, resourceRegion);
            resources.push({
                urn,
                type,
                name,
                custom: true,
                id,
                parent: parent || null,
                inputs,
                outputs: state,
                external: true,
                region: resourceRegion,
                options: {},
            });
            const serialized = await serializeProperties("", state);
            monitor.resources?.set(urn, { urn, id, state: serialized });
            const response = new resproto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(plainStruct(serialized));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    };

    // Components register their outputs after construction, possibly once the next stack's
    // mock runtime is in place; the stock monitor would refuse a URN it did not record.
    monitor.registerResourceOutputs = (_req: unknown, callback: (err: unknown, res?: unknown) => void) => callback(null, {});

    const program = opts.program ?? loadProgram();
    let model: PatchManagerConfig | undefined;
    const exported = await Promise.resolve(program({ model: (m) => (model = m), now: new Date(opts.now ?? MOCK_NOW) }));
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
        pulumi.output(exported as any).apply((v) => resolve(v as Record<string, unknown>)),
    );
    await waitForRPCs();
    if (duplicates.length > 0) {
        throw new Error(
            `the program registers two resources with the same URN, which Pulumi refuses: ${[...new Set(duplicates)].join(", ")}`,
        );
    }
    return { resources, outputs, ...(model !== undefined ? { model } : {}) };
}

/**
 * Assets (`new pulumi.asset.StringAsset(...)`) hold their contents as promises; the plan holds
 * them as the plain values (`{ text }`, `{ path }`, `{ uri }`), as JSON and structuredClone need.
 */
async function plainAssets(value: unknown): Promise<any> {
    if (Array.isArray(value)) return Promise.all(value.map(plainAssets));
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value);
    if ((value as { __pulumiAsset?: boolean }).__pulumiAsset || (value as { __pulumiArchive?: boolean }).__pulumiArchive) {
        const plain: Record<string, unknown> = {};
        for (const [k, v] of entries) if (!k.startsWith("__")) plain[k] = await v;
        return plain;
    }
    return Object.fromEntries(await Promise.all(entries.map(async ([k, v]) => [k, await plainAssets(v)] as const)));
}

function containsAsset(value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    if ((value as { __pulumiAsset?: boolean }).__pulumiAsset || (value as { __pulumiArchive?: boolean }).__pulumiArchive) return true;
    return Object.values(value).some(containsAsset);
}

function nonEmpty<K extends string>(key: K, list: string[]): { [k in K]?: string[] } {
    return (list.length > 0 ? { [key]: list } : {}) as { [k in K]?: string[] };
}

/** The request's aliases as plain specs (an alias given as a URN keeps only `urn`). */
function aliasSpecsOf(req: any): AliasSpec[] {
    return req.getAliasesList().map((a: any): AliasSpec => {
        if (a.hasUrn()) return { urn: a.getUrn() };
        const s = a.getSpec();
        const spec: AliasSpec = {};
        if (s.getName()) spec.name = s.getName();
        if (s.getType()) spec.type = s.getType();
        if (s.getStack()) spec.stack = s.getStack();
        if (s.getProject()) spec.project = s.getProject();
        if (s.getParenturn()) spec.parentUrn = s.getParenturn();
        if (s.getNoparent()) spec.noParent = true;
        return spec;
    });
}

/**
 * The project's own program: index.ts, which Pulumi starts through boot.js (Pulumi.yaml `main`,
 * compiled once by boot/compileCache.js); tests/boot/compileCache.test.ts holds that both are the
 * same program. Required here by name, so that the compiled plan holds the program with it and
 * both share one copy of the config modules and their caches.
 */
export function loadProgram(): Program {
    const mod: unknown = require("../../index");
    return (observer) => (mod instanceof Function ? mod(observer) : mod);
}

/**
 * The evaluation's resources as the policy engine takes them: each custom resource with the inputs
 * the provider's Check returned (what a real preview analyses), components with their inputs only.
 */
export function auditResourcesOf(resources: readonly PlannedResource[]): AuditResource[] {
    return resources.map((r) => ({
        ...r,
        inputs: r.checkedInputs ?? r.inputs,
        id: r.id ?? undefined,
        ...(r.custom ? {} : { outputs: undefined }),
    }));
}
