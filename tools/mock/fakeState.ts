// What the mock providers answer: deterministic ids, ARNs and outputs shaped like AWS's, from a
// seed, so that a plan or a test gives the same values on every run.
import { createHash } from "crypto";
import { TYPES } from "@patch-manager/ssm";
import type { PlannedResource } from "./types";

export const MOCK_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";
/**
 * "Now" for resources whose outputs depend on the clock (time.Rotating's base time): fixed, so
 * that a plan or test gives the same activation expiry on every run.
 */
export const MOCK_NOW = "2026-01-01T00:00:00Z";

export function hex(seed: string, length: number): string {
    let out = firstDigest(seed);
    for (let i = 1; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, length);
}

/** The first digest of the last seed asked: a resource's name, id and ARN are cut from its URN's. */
let lastDigest = { seed: "", digest: "" };
function firstDigest(seed: string): string {
    if (lastDigest.seed !== seed || lastDigest.digest === "")
        lastDigest = { seed, digest: createHash("sha256").update(`${seed}#0`).digest("hex") };
    return lastDigest.digest;
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
        case TYPES.glueDatabase:
            // The provider's id is "<catalog id>:<name>", the catalog id being the account's.
            return { id: `${acct}:${inputs.name}`, state: { ...inputs, arn: `arn:aws:glue:${region}:${acct}:database/${inputs.name}` } };
        case TYPES.glueTable:
            return {
                id: `${acct}:${inputs.databaseName}:${inputs.name}`,
                state: { ...inputs, arn: `arn:aws:glue:${region}:${acct}:table/${inputs.databaseName}/${inputs.name}` },
            };
        case TYPES.athenaWorkgroup:
            return { id: String(inputs.name), state: { ...inputs, arn: `arn:aws:athena:${region}:${acct}:workgroup/${inputs.name}` } };
        case TYPES.athenaNamedQuery:
            return { id: uuid(urn), state: { ...inputs } };
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
