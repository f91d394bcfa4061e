// What the regions of a stack must offer or hold: the AWS Config managed rules exist in most
// regions, not all; a KMS key lives in one region and encrypts only there.
import { ConfigProblem } from "./errors";
import type { PatchManagerConfig } from "./model";

export const PATCH_COMPLIANCE_RULE = "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK";
export const DENIED_APPLICATIONS_RULE = "EC2_MANAGEDINSTANCE_APPLICATIONS_BLACKLISTED";

/**
 * Regions where AWS Config does not offer a managed rule, as each rule's page in the AWS Config
 * developer guide lists them ("AWS Region: All supported AWS regions except …"):
 * ec2-managedinstance-patch-compliance-status-check.html and
 * ec2-managedinstance-applications-blacklisted.html. PutConfigRule fails there, half-way through `pulumi up`.
 */
export const MANAGED_RULE_UNAVAILABLE: Readonly<Record<string, readonly string[]>> = {
    [PATCH_COMPLIANCE_RULE]: ["ap-northeast-3", "eu-south-1", "ap-east-2"],
    [DENIED_APPLICATIONS_RULE]: ["ap-east-2", "ca-west-1"],
};

const KMS_KEY = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([\w-]+)$/;
const ARN = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):/;

/** The region an ARN names (empty for a global resource), or undefined when the value is not an ARN. */
export function arnRegion(arn: string): string | undefined {
    return ARN.exec(arn)?.[2];
}

/** The partition of a region, where it is one of the public, China or GovCloud ones; undefined otherwise. */
export function partitionOf(region: string): string | undefined {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return /-iso[a-z]?-/.test(region) ? undefined : "aws";
}

/** The region a KMS key ARN names, or undefined when the value is not a key ARN. */
export function keyRegion(arn: string): string | undefined {
    return KMS_KEY.exec(arn)?.[2];
}

/**
 * The key to use in `region`: the key itself where it lives, or a multi-Region key's replica
 * there (the same key id, `mrk-…`, under the region's ARN). A single-region key elsewhere has no
 * such twin; the config check refuses that before this is asked.
 */
export function keyInRegion(arn: string, region: string): string {
    const m = KMS_KEY.exec(arn);
    if (!m || m[2] === region || !m[4].startsWith("mrk-")) return arn;
    return `arn:${m[1]}:kms:${region}:${m[3]}:key/${m[4]}`;
}

function parsed(text: string | undefined): unknown {
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

const field = (value: unknown, key: string): unknown =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? Reflect.get(value, key) : undefined;

/**
 * The problems of the stack's regions with its Config rules and KMS keys (full keys, values as
 * the CLI passes them). The regions are `regions`, else `aws:region`; unknown regions (from the
 * environment only) are not checked here.
 */
export function regionalProblems(project: string, all: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
    const listed = parsed(all[`${project}:regions`]);
    const regions = Array.isArray(listed)
        ? listed.filter((r): r is string => typeof r === "string")
        : all["aws:region"] !== undefined
          ? [all["aws:region"]]
          : [];
    if (regions.length === 0) return [];
    const problems: ConfigProblem[] = [];

    const compliance = parsed(all[`${project}:compliance`]);
    const rules: [string, string][] = [
        ...(field(compliance, "configRule") === true
            ? [[`${project}:compliance.configRule`, PATCH_COMPLIANCE_RULE] as [string, string]]
            : []),
        ...(all[`${project}:deniedApplications`] !== undefined
            ? [[`${project}:deniedApplications`, DENIED_APPLICATIONS_RULE] as [string, string]]
            : []),
    ];
    for (const [path, rule] of rules) {
        const missing = regions.filter((r) => MANAGED_RULE_UNAVAILABLE[rule].includes(r));
        if (missing.length > 0)
            problems.push({
                path,
                message: `AWS Config does not offer the managed rule ${rule} in ${missing.join(", ")}; leave ${missing.length > 1 ? "those regions" : "that region"} out of the stack or turn the rule off (Systems Manager's own compliance reporting works there)`,
            });
    }

    // The log bucket: the first region's with centralLogBucket, else one per region; an existing
    // bucket (logging.bucketName) is in a region this config does not say.
    const logging = parsed(all[`${project}:logging`]);
    const central = all[`${project}:centralLogBucket`] === "true" && Array.isArray(listed);
    const keyChecks: [string, unknown, readonly string[], string][] = [
        [
            `${project}:logging.kmsKeyArn`,
            field(logging, "kmsKeyArn"),
            field(logging, "bucketName") !== undefined ? [] : central ? regions.slice(0, 1) : regions,
            "log bucket",
        ],
        [`${project}:alerts.kmsKeyArn`, field(parsed(all[`${project}:alerts`]), "kmsKeyArn"), regions, "alerts topic"],
    ];
    for (const [path, arn, needed, what] of keyChecks) {
        if (typeof arn !== "string") continue;
        const partition = KMS_KEY.exec(arn)?.[1];
        const other = needed.find((r) => partitionOf(r) !== undefined && partitionOf(r) !== partition);
        if (partition !== undefined && other !== undefined) {
            problems.push({
                path,
                message: `is a key of the ${partition} partition, but ${other} is in ${partitionOf(other)}: use a key of that partition (arn:${partitionOf(other)}:kms:…)`,
            });
            continue;
        }
        const home = keyRegion(arn);
        if (home === undefined || arn.includes(":key/mrk-")) continue;
        const elsewhere = needed.filter((r) => r !== home);
        if (elsewhere.length > 0)
            problems.push({
                path,
                message: `is a key in ${home}, but the ${what} is in ${elsewhere.join(", ")}: KMS keys encrypt only in their own region. Use a key there, or a multi-Region key (key/mrk-…) with a replica in each region (the program uses each region's replica)`,
            });
    }

    // An existing topic: EventBridge rules and Run Command notify only topics of their own region
    // (with several regions, the cross-checks refuse a topicArn already).
    const topicArn = field(parsed(all[`${project}:alerts`]), "topicArn");
    const topicRegion = typeof topicArn === "string" ? arnRegion(topicArn) : undefined;
    const elsewhere = topicRegion && regions.length === 1 ? regions.filter((r) => r !== topicRegion) : [];
    if (topicRegion && elsewhere.length > 0)
        problems.push({
            path: `${project}:alerts.topicArn`,
            message: `is a topic in ${topicRegion}, but the stack deploys to ${elsewhere.join(", ")}: EventBridge rules and Run Command notify only topics of their own region. Give a topic in ${elsewhere.join(", ")}, or leave topicArn out to get an encrypted topic in each region`,
        });
    return problems;
}

/** Where one deployment of a stack is: what picks its private endpoints and the replicas of multi-Region keys. */
export interface Placement {
    /** With `regions`: the region whose `privateEndpoints` entries are this deployment's. */
    readonly endpointsRegion?: string;
    /** The region of the log bucket it writes to; unknown for an existing bucket. */
    readonly bucketRegion?: string;
    /** The region of its alerts topic (its own). */
    readonly topicRegion?: string;
}

/**
 * One deployment's model from the stack's: the keys that are the whole stack's (`regions`,
 * `centralLogBucket`, `keepSingleRegionNames`) left to the program, only the private endpoints of
 * its region (without the region), and a multi-Region KMS key as its replica in the region of what
 * it encrypts. The model is already validated: nothing here parses or checks again.
 */
export function deploymentModel(model: PatchManagerConfig, where: Placement): PatchManagerConfig {
    const { regions: _regions, ...ops } = model.operations;
    const endpoints =
        where.endpointsRegion === undefined
            ? ops.privateEndpoints
            : ops.privateEndpoints.filter((e) => e.region === where.endpointsRegion).map(({ region: _r, ...e }) => e);
    const logKey = model.logging.kmsKeyArn;
    const alerts = ops.alerts;
    return {
        ...model,
        logging: {
            ...model.logging,
            ...(logKey !== undefined && where.bucketRegion !== undefined ? { kmsKeyArn: keyInRegion(logKey, where.bucketRegion) } : {}),
        },
        operations: {
            ...ops,
            ...(alerts?.kmsKeyArn !== undefined && where.topicRegion !== undefined
                ? { alerts: { ...alerts, kmsKeyArn: keyInRegion(alerts.kmsKeyArn, where.topicRegion) } }
                : {}),
            privateEndpoints: endpoints,
            // With one central bucket every region's sync writes there, and each region's report tables read them all.
            ...(ops.reporting && ops.centralLogBucket && _regions ? { reporting: { ...ops.reporting, syncRegions: [..._regions] } } : {}),
            centralLogBucket: false,
            keepSingleRegionNames: false,
        },
    };
}
