// Runs the real program under Pulumi's mock runtime: no CLI, no credentials,
// no network. Shared by the offline plan and the tests.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { TYPES } from "@patch-manager/ssm";
// The constants from their own modules: the barrel (../../config) would load every config module,
// which the organisation's control plane, evaluated here too, does not need.
import { PROJECT } from "../../config/project";
import { UNDECRYPTED_SECRET } from "../../config/decode";
import type { PatchManagerConfig } from "../../config/model";
import { AliasSpec, generateAliases } from "./aliases";
import { DEFAULTS_KEY, checkedInputs, knowsCheck } from "../audit/providerCheck";
import type { AuditResource } from "../audit/engine";
import { yamlErrorLines } from "../cli/yamlExcerpt";
import { loadProgramAt, Program } from "./programEntry";
import { displayPath } from "../cli/userPath";

export const MOCK_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";
/**
 * "Now" for resources whose outputs depend on the clock (time.Rotating's base time): fixed, so
 * that a plan or test gives the same activation expiry on every run.
 */
export const MOCK_NOW = "2026-01-01T00:00:00Z";

/** One registered resource, as the plan's `resources` list shows it. */
export interface PlannedResource {
    /** The resource's URN, as Pulumi names it in the state. */
    urn: string;
    /** The type token, e.g. `aws:ssm/maintenanceWindow:MaintenanceWindow` or `patch-manager:index:PatchManager`. */
    type: string;
    /** The logical name the program gave it, e.g. `production-window`. */
    name: string;
    /** true for a cloud resource, false for a component (which only groups its children). */
    custom: boolean;
    /** The resource's id, deterministic and shaped like AWS's (`mw-` + 17 hex for a window); null for a component. */
    id: string | null;
    /** The parent's URN; null at the top (a stack's top component). */
    parent: string | null;
    /** The inputs exactly as the program passed them (references resolved to ids/ARNs). */
    inputs: Record<string, unknown>;
    /**
     * The inputs after the provider's Check, as the engine hands them to the policy pack and keeps
     * them in the state: auto-generated names and schema defaults filled in, listed in `__defaults`
     * (tools/audit/providerCheck.ts). Absent for components and types the table does not know.
     */
    checkedInputs?: Record<string, unknown>;
    /** Read with `.get` rather than created: the engine does not analyse it (a stack export's `external`). */
    external?: boolean;
    /** The mock provider's outputs: inputs plus computed ids, ARNs and names. */
    outputs: Record<string, unknown>;
    /** The resource option: `pulumi destroy` leaves it in the account (also in `options`). */
    retainOnDelete?: boolean;
    /** The resource option: Pulumi refuses to delete it (also in `options`). */
    protect?: boolean;
    /** The resource option: a replacement deletes the old resource before creating the new one (also in `options`). */
    deleteBeforeReplace?: boolean;
    /** Outputs the engine stores encrypted (only when the program names some). */
    additionalSecretOutputs?: string[];
    /** An explicit provider ("<urn>::<id>", as a stack export holds it); absent for the default provider. */
    provider?: string;
    /** The region the resource's provider deploys to. */
    region: string;
    /** The resource options the program set, as the engine receives them (absent ones left out). */
    options: ResourceOptions;
    /** The aliases exactly as the SDK sent them; `options.aliases` holds them resolved to URNs. */
    aliasSpecs?: AliasSpec[];
}

export interface ResourceOptions {
    /** A replacement deletes the old resource before creating the new one. */
    deleteBeforeReplace?: boolean;
    /** `pulumi destroy` leaves the resource in the account. */
    retainOnDelete?: boolean;
    /** Pulumi refuses to delete the resource. */
    protect?: boolean;
    /** Inputs whose changes Pulumi ignores. */
    ignoreChanges?: string[];
    /** Inputs whose changes replace the resource even where the provider would update it. */
    replaceOnChanges?: string[];
    /** Outputs the engine stores encrypted. */
    additionalSecretOutputs?: string[];
    /** URNs of the resources this one depends on: `dependsOn` and those its inputs refer to. */
    dependsOn?: string[];
    /** Every URN the engine may find this resource under in an old state (see tools/mock/aliases.ts). */
    aliases?: string[];
}

/** A stack file's config as the Pulumi CLI hands it to a program: every value a string. */
export interface StackConfig {
    /** Full keys ("patch-manager:environment", "aws:region") to values. */
    values: Record<string, string>;
    /** Keys whose values are `secure:` (cannot be decrypted offline; passed as opaque placeholders). */
    secretKeys: string[];
}

export class StackFileError extends Error {}

/** Reads `Pulumi.<stack>.yaml` (or any file of that format). */
export function readStackFile(file: string, project: string = PROJECT): StackConfig {
    const label = displayPath(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new StackFileError(`${label}: cannot read the stack file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        throw new StackFileError(yamlErrorLines(label, text, e).join("\n"));
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${label}: "config" must be a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(config as Record<string, unknown>)) {
        // As in the CLI, a key without a namespace belongs to the project.
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        if (isSecure(value)) {
            secretKeys.push(key);
            values[key] = UNDECRYPTED_SECRET;
        } else {
            const { value: plain, secret } = withoutSecureValues(value);
            if (secret) secretKeys.push(key);
            values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        }
    }
    return { values, secretKeys };
}

/** `secure:` values inside a list or map (`pulumi config set --secret --path`), replaced by the placeholder. */
function withoutSecureValues(v: unknown): { value: unknown; secret: boolean } {
    if (isSecure(v)) return { value: UNDECRYPTED_SECRET, secret: true };
    if (Array.isArray(v)) {
        const items = v.map(withoutSecureValues);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof v === "object" && v !== null) {
        const entries = Object.entries(v).map(([k, x]) => [k, withoutSecureValues(x)] as const);
        return { value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])), secret: entries.some(([, x]) => x.secret) };
    }
    return { value: v, secret: false };
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** The `patch-manager:` keys without their namespace, as the program's parseConfig takes them. */
export function projectValues(config: StackConfig): Record<string, string> {
    const prefix = `${PROJECT}:`;
    return Object.fromEntries(
        Object.entries(config.values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

function hex(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, length);
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Ids, ARNs and computed names shaped like the ones AWS returns, deterministic per URN. */
export function mockState(
    type: string,
    name: string,
    urn: string,
    inputs: Record<string, any>,
    region: string,
): { id: string; state: Record<string, unknown> } {
    const acct = MOCK_ACCOUNT;
    // Pulumi auto-names a resource without an explicit name: logical name + 7 random hex.
    const autoName = `${name}-${hex(urn, 7)}`;
    switch (type) {
        case TYPES.window: {
            const id = `mw-${hex(urn, 17)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ssm:${region}:${acct}:maintenancewindow/${id}` } };
        }
        case TYPES.windowTarget:
            return { id: uuid(urn), state: { ...inputs } };
        case TYPES.windowTask: {
            const id = uuid(urn);
            return { id, state: { ...inputs, windowTaskId: id, arn: `arn:aws:ssm:${region}:${acct}:windowtask/${id}` } };
        }
        case TYPES.patchBaseline: {
            const id = `pb-${hex(urn, 17)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ssm:${region}:${acct}:patchbaseline/${id}` } };
        }
        case TYPES.patchGroup:
            return { id: `${inputs.patchGroup},${inputs.baselineId}`, state: { ...inputs } };
        case TYPES.defaultPatchBaseline:
            return { id: String(inputs.operatingSystem), state: { ...inputs } };
        case TYPES.role: {
            const roleName = inputs.name ?? autoName;
            return {
                id: roleName,
                state: {
                    ...inputs,
                    name: roleName,
                    arn: `arn:aws:iam::${acct}:role/${roleName}`,
                    uniqueId: `AROA${hex(urn, 17).toUpperCase()}`,
                },
            };
        }
        case TYPES.instanceProfile: {
            const profileName = inputs.name ?? autoName;
            return {
                id: profileName,
                state: {
                    ...inputs,
                    name: profileName,
                    arn: `arn:aws:iam::${acct}:instance-profile/${profileName}`,
                    uniqueId: `AIPA${hex(urn, 17).toUpperCase()}`,
                },
            };
        }
        case TYPES.rolePolicyAttachment:
            return { id: `${inputs.role}-${hex(urn, 20)}`, state: { ...inputs } };
        case TYPES.rolePolicy: {
            const policyName = inputs.name ?? autoName;
            return { id: `${inputs.role}:${policyName}`, state: { ...inputs, name: policyName } };
        }
        case TYPES.activation: {
            const id = uuid(urn);
            return {
                id,
                state: {
                    ...inputs,
                    // The API model: ActivationCode 20–250 characters.
                    activationCode: hex(`${urn}#code`, 20),
                    expired: false,
                    registrationCount: 0,
                    region,
                    tagsAll: inputs.tags ?? {},
                },
            };
        }
        case "time:index/rotating:Rotating": {
            const rfc3339 = inputs.rfc3339 ?? MOCK_NOW;
            const rotation = inputs.rotationRfc3339 ?? rotatedTime(rfc3339, inputs);
            // As the provider does: year ... second and unix describe the rotation time, not the base.
            const t = new Date(rotation);
            return {
                id: rfc3339,
                state: {
                    ...inputs,
                    rfc3339,
                    rotationRfc3339: rotation,
                    unix: Math.floor(t.getTime() / 1000),
                    year: t.getUTCFullYear(),
                    month: t.getUTCMonth() + 1,
                    day: t.getUTCDate(),
                    hour: t.getUTCHours(),
                    minute: t.getUTCMinutes(),
                    second: t.getUTCSeconds(),
                },
            };
        }
        case TYPES.bucket: {
            const bucket = inputs.bucket ?? (inputs.bucketPrefix ? `${inputs.bucketPrefix}${hex(urn, 20)}` : autoName.toLowerCase());
            return {
                id: bucket,
                state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, region },
            };
        }
        case TYPES.topic: {
            const topicName = inputs.name ?? autoName;
            const arn = `arn:aws:sns:${region}:${acct}:${topicName}`;
            return { id: arn, state: { ...inputs, name: topicName, arn } };
        }
        case TYPES.topicSubscription: {
            const arn = `${inputs.topic}:${uuid(urn)}`;
            return { id: arn, state: { ...inputs, arn } };
        }
        case TYPES.kmsKey: {
            const keyId = uuid(urn);
            return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${acct}:key/${keyId}` } };
        }
        case TYPES.eventRule: {
            const ruleName = inputs.name ?? autoName;
            return { id: ruleName, state: { ...inputs, name: ruleName, arn: `arn:aws:events:${region}:${acct}:rule/${ruleName}` } };
        }
        case TYPES.association: {
            const associationId = uuid(urn);
            return {
                id: associationId,
                state: { ...inputs, associationId, arn: `arn:aws:ssm:${region}:${acct}:association/${associationId}` },
            };
        }
        case TYPES.securityGroup: {
            const id = `sg-${hex(urn, 17)}`;
            return { id, state: { ...inputs, name: inputs.name ?? autoName, arn: `arn:aws:ec2:${region}:${acct}:security-group/${id}` } };
        }
        case TYPES.vpcEndpoint: {
            const id = `vpce-${hex(urn, 17)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ec2:${region}:${acct}:vpc-endpoint/${id}` } };
        }
        case TYPES.configRule:
            return {
                id: inputs.name ?? autoName,
                state: { ...inputs, arn: `arn:aws:config:${region}:${acct}:config-rule/config-rule-${hex(urn, 6)}` },
            };
        case "pulumi:providers:aws":
            return { id: uuid(urn), state: { ...inputs } };
        default:
            if (type.startsWith("aws:s3/")) return { id: String(inputs.bucket ?? autoName), state: { ...inputs } };
            return { id: inputs.name ?? autoName, state: { ...inputs, ...(inputs.name ? {} : { name: autoName }) } };
    }
}

/**
 * The resources' inputs with every id, ARN and generated name the mock derived from a URN
 * written as `<urn>#<output>` instead, `urn` being what `urnOf` says for the resource that output
 * belongs to. The same resource under another URN (an alias) then gives the same inputs.
 */
export function inputsWithUrnIds(resources: readonly PlannedResource[], urnOf: (r: PlannedResource) => string): Map<string, unknown> {
    const tokens = new Map<string, string>();
    for (const r of resources.filter((x) => x.custom)) {
        // What changes with the URN is what the mock derived from it.
        const other = mockState(r.type, r.name, `${r.urn}#other`, r.inputs, r.region);
        const derived: [string, unknown][] = [["id", r.id], ...Object.entries(r.outputs)];
        const otherValues: Record<string, unknown> = { ...other.state, id: other.id };
        for (const [key, value] of derived) {
            // Outputs the mock adds outside mockState (an SSM resource's region) do not derive from the URN.
            if (typeof value === "string" && key in otherValues && value !== otherValues[key] && !tokens.has(value)) {
                tokens.set(value, `<${urnOf(r)}>#${key}`);
            }
        }
    }
    const ordered = [...tokens.entries()].sort(([a], [b]) => b.length - a.length);
    const rewrite = (v: unknown): unknown => {
        if (typeof v === "string") return ordered.reduce((text, [from, to]) => text.split(from).join(to), v);
        if (Array.isArray(v)) return v.map(rewrite);
        if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
        return v;
    };
    return new Map(resources.filter((r) => r.custom).map((r) => [r.urn, rewrite(r.inputs)]));
}

/** time.Rotating's rotation time: the base plus each rotation* input, as the provider adds them. */
function rotatedTime(rfc3339: string, inputs: Record<string, any>): string {
    const t = new Date(rfc3339);
    t.setUTCFullYear(t.getUTCFullYear() + (inputs.rotationYears ?? 0));
    t.setUTCMonth(t.getUTCMonth() + (inputs.rotationMonths ?? 0));
    t.setUTCDate(t.getUTCDate() + (inputs.rotationDays ?? 0));
    t.setUTCHours(t.getUTCHours() + (inputs.rotationHours ?? 0));
    t.setUTCMinutes(t.getUTCMinutes() + (inputs.rotationMinutes ?? 0));
    return t.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface EvaluateOptions {
    stack: string;
    config: StackConfig;
    /** The program: what index.ts exports (`export =`), unless a test passes another. */
    program?: Program;
    /** The Pulumi project the program belongs to; default patch-manager. */
    project?: string;
    /** Resources a lookup does not find: Cloud Control types, "AWS::SSM::Document" for ssm:GetDocument and "AWS::KMS::Key" for kms:DescribeKey (every other lookup finds its resource). */
    absentResources?: { typeName: string; identifier: string; region: string }[];
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
    const key = opts.program ? undefined : JSON.stringify([opts.project, opts.stack, opts.config, opts.absentResources ?? []]);
    const cached = key !== undefined ? evaluations.get(key) : undefined;
    if (cached) return structuredClone(await cached);
    // Traces come back when the evaluation settles, also when a failure ends it early.
    const pending = skipSdkTraces(() => failOnUnhandledRejection(() => evaluateUncached(opts)));
    // An evaluation nobody else holds is the caller's own: only a cached one is copied (an
    // organisation's thousands of resources would be copied, and held twice, for nothing).
    if (key === undefined) return pending;
    evaluations.set(key, pending);
    pending.catch(() => evaluations.delete(key));
    return structuredClone(await pending);
}

const evaluations = new Map<string, Promise<Evaluation>>();

/**
 * The SDK takes a stack trace for every promise it makes (`debuggablePromise`, kept only for the
 * leak report at exit) and every resource it registers (`Resource.callsites`, with an unlimited
 * depth, for the source position the engine shows). Capturing and formatting those traces is most
 * of an evaluation's CPU, and the mock runtime reads neither: during an evaluation the promise is
 * used as it is and a registration carries no source position; afterwards both are the SDK's own
 * again (for whatever else runs in the process). Where the SDK no longer has these members, or
 * no longer lets the module be required, nothing changes but speed. Errors the program throws
 * keep their traces.
 */
function skipSdkTraces<T>(evaluate: () => Promise<T>): Promise<T> {
    const { debuggable, promise, callsites } = SDK_TRACES;
    const resource = pulumi.Resource as unknown as { callsites?: unknown };
    if (untracedDepth++ === 0) {
        if (debuggable && typeof promise === "function") debuggable.debuggablePromise = <P>(p: Promise<P>) => p;
        if (typeof callsites === "function") resource.callsites = () => [];
    }
    return evaluate().finally(() => {
        if (--untracedDepth > 0) return;
        if (debuggable && typeof promise === "function") debuggable.debuggablePromise = promise;
        if (typeof callsites === "function") resource.callsites = callsites;
    });
}

/** Evaluations under way (the SDK's members are put back when none is), and those members as the SDK has them. */
let untracedDepth = 0;
const SDK_TRACES = ((): { debuggable?: { debuggablePromise?: unknown }; promise?: unknown; callsites?: unknown } => {
    const callsites = (pulumi.Resource as unknown as { callsites?: unknown }).callsites;
    try {
        const debuggable = require("@pulumi/pulumi/runtime/debuggable");
        return { debuggable, promise: debuggable.debuggablePromise, callsites };
    } catch {
        return { callsites };
    }
})();

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
    const monitor = (pulumi.runtime as any).getMonitor();
    const { deserializeProperties, serializeProperties } = require("@pulumi/pulumi/runtime/rpc");
    // google-protobuf as the SDK itself resolves it (it may be nested under @pulumi/pulumi).
    const structproto = require(
        require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [require.resolve("@pulumi/pulumi")] }),
    );
    const resproto = require("@pulumi/pulumi/proto/resource_pb.js");
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
            response.setObject(structproto.Struct.fromJavaScript(serialized));
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
            response.setProperties(structproto.Struct.fromJavaScript(serialized));
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
    const exported = await Promise.resolve(program({ model: (m) => (model = m) }));
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
        pulumi.output(exported as any).apply((v) => resolve(v as Record<string, unknown>)),
    );
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
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

/** The project's own program, loaded as Pulumi's Node.js runtime loads it (tools/mock/programEntry.ts). */
export function loadProgram(): Program {
    return loadProgramAt(path.join(__dirname, "..", ".."));
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
