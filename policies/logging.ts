// Rules for the bucket that keeps patching logs.

import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { runCommandParameters } from "./tasks";
import { patchingScope } from "./scope";
import {
    StackResource,
    TYPES,
    UNKNOWN,
    asArray,
    configWithDefaults,
    isUnknown,
    label,
    ofType,
    refersTo,
    show,
    stackResources,
} from "./util";

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

export const logBucketProtected: StackValidationPolicy = {
    name: "log-bucket-protected",
    description:
        "Every bucket patching writes to (command output of a patching task or association, the compliance data sync) is " +
        "encrypted and closed to the public: add a BucketServerSideEncryptionConfiguration (AES256 or aws:kms) and a " +
        "BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true, " +
        "each naming the bucket (or block public access for the whole account). Other buckets are not the pack's concern.",
    enforcementLevel: "mandatory",
    configSchema: logBucketSchema,
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults<{ requireKms: boolean }>(logBucketSchema, args);
        const resources = stackResources(args);
        const sseConfigs = ofType(resources, TYPES.bucketSse, TYPES.bucketSseV2);
        const blocks = ofType(resources, TYPES.bucketPublicAccessBlock);
        const accountBlocked = ofType(resources, TYPES.accountPublicAccessBlock).some((a) =>
            PUBLIC_ACCESS_FLAGS.every((f) => a.props[f] === true),
        );
        const scope = patchingScope(resources);
        const tasks = scope.tasks;
        for (const bucket of scope.buckets) {
            const bucketName = [bucket.props.bucket, bucket.props.id].find((n) => typeof n === "string" && n !== "" && !isUnknown(n));
            const writer =
                bucketName === undefined ? undefined : tasks.find((t) => runCommandParameters(t.props)?.outputS3Bucket === bucketName);
            const who =
                `bucket ${label({ name: bucketName }, bucket.name)}` +
                (writer ? ` (command output of task ${label(writer.props, writer.name)})` : "");

            // Encryption: a separate resource in provider v7. The bucket's own (deprecated) block is not
            // read: its output always shows S3's default AES256, so it would hide a missing resource.
            const sse = configsFor(bucket, sseConfigs);
            if (sse !== undefined && !sse.some((c) => isUnknown(c.props.rules))) {
                const algorithms = sse.flatMap((c) => sseAlgorithms(c.props.rules));
                if (algorithms.length === 0) {
                    reportViolation(
                        `${who} has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration for it.`,
                        bucket.urn,
                    );
                } else if (!algorithms.some(isUnknown)) {
                    const wanted = cfg.requireKms ? SSE_ALGORITHMS.filter((a) => a.startsWith("aws:kms")) : SSE_ALGORITHMS;
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

            // Public access: a block on the bucket, or one on the whole account.
            if (accountBlocked) {
                continue;
            }
            const pab = configsFor(bucket, blocks);
            if (pab === undefined) {
                continue;
            }
            if (pab.length === 0) {
                reportViolation(
                    `${who} has no public access block; add a BucketPublicAccessBlock with all four settings true.`,
                    bucket.urn,
                );
                continue;
            }
            const open = PUBLIC_ACCESS_FLAGS.filter((f) => !pab.some((b) => b.props[f] === true || isUnknown(b.props[f])));
            if (open.length > 0) {
                const values = open.map((f) => `${f}=${show(pab[0].props[f])}`).join(", ");
                reportViolation(`${who}: its public access block leaves ${values}; set them to true.`, bucket.urn);
            }
        }
    },
};

export const loggingPolicies = [logBucketProtected];
