// Rules for the bucket that keeps patching logs.

import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { runCommandParameters } from "./tasks";
import { patchingScope } from "./scope";
import {
    StackResource,
    UNKNOWN,
    asArray,
    configWithDefaults,
    isUnknown,
    label,
    ofType,
    parsePolicyDocument,
    refersTo,
    show,
    stackResources,
} from "./util";
import { TYPES } from "@patch-manager/ssm";

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

const logBucketSchema: PolicyConfigSchema = {
    properties: {
        requireKms: {
            type: "boolean",
            default: false,
            description: "Require SSE-KMS (aws:kms or aws:kms:dsse) rather than accepting SSE-S3 (AES256).",
        },
    },
};

/** The SSE algorithms a BucketServerSideEncryptionConfiguration (or an inline block) sets. */
function sseAlgorithms(rules: unknown): unknown[] {
    return asArray(rules).map((rule: any) => {
        const byDefault = Array.isArray(rule?.applyServerSideEncryptionByDefault)
            ? rule.applyServerSideEncryptionByDefault[0]
            : rule?.applyServerSideEncryptionByDefault;
        return isUnknown(rule) || isUnknown(byDefault) ? UNKNOWN : byDefault?.sseAlgorithm;
    });
}

/** The configs that point at `bucket` through their `bucket` prop; `undefined` when that cannot be known yet. */
function configsFor(bucket: StackResource, configs: StackResource[]): StackResource[] | undefined {
    const matches: StackResource[] = [];
    let unsure = false;
    for (const c of configs) {
        const r = refersTo(c, "bucket", bucket, ["id", "bucket"]);
        if (r === true) {
            matches.push(c);
        } else if (r === undefined) {
            unsure = true;
        }
    }
    return matches.length === 0 && unsure ? undefined : matches;
}

/** Canned ACLs that open a bucket to everyone (S3 canned ACLs). */
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

/** Statements of a bucket policy that allow anyone, unconditionally. */
function publicStatements(policy: unknown): any[] {
    const parsed = parsePolicyDocument(policy);
    if (!parsed.ok) return [];
    return asArray(parsed.value?.Statement).filter((s: any) => {
        if ((s?.Effect ?? "Allow") !== "Allow" || (s?.Condition && Object.keys(s.Condition).length > 0)) return false;
        const p = s?.Principal;
        return p === "*" || (p && typeof p === "object" && asArray(p.AWS).includes("*"));
    });
}

export const logBucketProtected: StackValidationPolicy = {
    name: "log-bucket-protected",
    description:
        "No bucket patching writes to (command output of a patching task or association, the compliance data sync) is opened to " +
        "the public or weakly encrypted: a public access block on it keeps blockPublicAcls, blockPublicPolicy, ignorePublicAcls " +
        "and restrictPublicBuckets true, no public canned ACL, no bucket policy statement allowing everyone, and an encryption " +
        "configuration names AES256 or aws:kms (aws:kms only with requireKms). S3 blocks public access and encrypts new objects " +
        "by default, so a bucket without those resources passes. Other buckets are not the pack's concern.",
    enforcementLevel: "mandatory",
    configSchema: logBucketSchema,
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults<{ requireKms: boolean }>(logBucketSchema, args);
        const resources = stackResources(args);
        const sseConfigs = ofType(resources, TYPES.bucketSse, TYPES.bucketSseV2);
        const blocks = ofType(resources, TYPES.bucketPublicAccessBlock);
        const policies = ofType(resources, TYPES.bucketPolicy);
        const acls = ofType(resources, TYPES.bucketAcl, TYPES.bucketAclV2);
        const scope = patchingScope(resources);
        const tasks = scope.tasks;
        for (const bucket of scope.buckets) {
            const bucketName = [bucket.props.bucket, bucket.props.id].find((n) => typeof n === "string" && n !== "" && !isUnknown(n));
            const writer =
                bucketName === undefined ? undefined : tasks.find((t) => runCommandParameters(t.props)?.outputS3Bucket === bucketName);
            const who =
                `bucket ${label({ name: bucketName }, bucket.name)}` +
                (writer ? ` (command output of task ${label(writer.props, writer.name)})` : "");

            // Encryption: a separate resource in provider v7. Without one S3 encrypts new objects with
            // SSE-S3 (AES256) since January 2023, which is enough unless the pack requires KMS.
            const sse = configsFor(bucket, sseConfigs);
            if (sse !== undefined && !sse.some((c) => isUnknown(c.props.rules))) {
                const algorithms = sse.flatMap((c) => sseAlgorithms(c.props.rules));
                const wanted = cfg.requireKms ? SSE_ALGORITHMS.filter((a) => a.startsWith("aws:kms")) : SSE_ALGORITHMS;
                if (algorithms.length === 0 && cfg.requireKms) {
                    reportViolation(
                        `${who} has no server-side encryption configuration, so S3 uses AES256; requireKms asks for aws:kms: add a ` +
                            `BucketServerSideEncryptionConfiguration for it.`,
                        bucket.urn,
                    );
                } else if (!algorithms.some(isUnknown)) {
                    const bad = algorithms.filter((a) => !(typeof a === "string" && wanted.includes(a)));
                    if (bad.length > 0) {
                        const what = bad.map((a) => (a === undefined ? "no default algorithm" : show(a))).join(", ");
                        reportViolation(
                            `${who}: server-side encryption uses ${what}; set sseAlgorithm ${wanted.map((a) => JSON.stringify(a)).join(" or ")}.`,
                            bucket.urn,
                        );
                    }
                }
            }

            // Public access: a block that leaves a setting off, a public ACL, a policy allowing everyone.
            const pab = configsFor(bucket, blocks) ?? [];
            const open =
                pab.length === 0 ? [] : PUBLIC_ACCESS_FLAGS.filter((f) => !pab.some((b) => b.props[f] === true || isUnknown(b.props[f])));
            if (open.length > 0) {
                const values = open.map((f) => `${f}=${show(pab[0].props[f])}`).join(", ");
                reportViolation(`${who}: its public access block leaves ${values}; set them to true.`, bucket.urn);
            }
            const aclValues = [bucket.props.acl, ...(configsFor(bucket, acls) ?? []).map((a) => a.props.acl)];
            for (const acl of aclValues.filter((a) => typeof a === "string" && PUBLIC_ACLS.includes(a))) {
                reportViolation(`${who} has the canned ACL ${show(acl)}, which lets anyone read it; use "private" (or none).`, bucket.urn);
            }
            for (const policy of configsFor(bucket, policies) ?? []) {
                const open = publicStatements(policy.props.policy);
                if (open.length > 0) {
                    reportViolation(
                        `${who}: bucket policy ${label(policy.props, policy.name)} allows everyone (Principal "*") ` +
                            `${show(open[0].Action)} without a condition; name the principals (the nodes' roles, SSM) instead.`,
                        bucket.urn,
                    );
                }
            }
        }
    },
};

export const loggingPolicies = [logBucketProtected];
