import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnRegion, keyInRegion, keyRegion } from "../config/regional";
import { RESOURCE_TYPES } from "../config/resourceTypes";

/**
 * The key to use in this region (the parent's provider's): the key itself when it lives here, a
 * multi-Region key's replica here (looked up at preview, kms:DescribeKey: a missing replica would
 * only fail the first upload), else a RunError naming the key: KMS keys encrypt only in their own
 * region, and S3 and SNS refuse a key from another. The stack config is checked before anything
 * runs; this holds the same for a PatchManager that another program creates with its own provider.
 */
export function keyInThisRegion(arn: string, key: string, parent: pulumi.Resource): pulumi.Output<string> {
    return aws.getRegionOutput(undefined, { parent }).region.apply(async (region) => {
        const home = keyRegion(arn);
        if (home === undefined || home === region) return arn;
        const replica = keyInRegion(arn, region);
        if (replica === arn)
            throw new pulumi.RunError(
                `patch-manager:${key}: is a key in ${home}, but this deployment is in ${region}: KMS keys encrypt only in their own region. Use a key in ${region}, or a multi-Region key (key/mrk-…) with a replica there`,
            );
        try {
            await aws.kms.getKey({ keyId: replica }, { parent });
        } catch (e) {
            throw new pulumi.RunError(
                `patch-manager:${key}: the multi-Region key has no replica in ${region} this account can describe (${e instanceof Error ? e.message : String(e)}); replicate it there (aws kms replicate-key --key-id ${arn} --replica-region ${region})`,
            );
        }
        return replica;
    });
}

/** An existing resource's ARN once this region is known to be its region, else a RunError naming the key. */
export function arnInThisRegion(arn: string, key: string, why: string, parent: pulumi.Resource): pulumi.Output<string> {
    return aws.getRegionOutput(undefined, { parent }).region.apply((region) => {
        const home = arnRegion(arn);
        if (home && home !== region)
            throw new pulumi.RunError(`patch-manager:${key}: is in ${home}, but this deployment is in ${region}: ${why}`);
        return arn;
    });
}

/** One bucket-policy statement letting an AWS service do `action` on `resource` under `condition`. */
export function serviceGrant(sid: string, service: string, action: string, resource: string, condition: object): object {
    return { Sid: sid, Effect: "Allow", Principal: { Service: service }, Action: action, Resource: resource, Condition: condition };
}

export interface LogBucketArgs {
    /** Key prefix under which patching command output is written; lifecycle expiry applies to it (and to nothing else). */
    readonly keyPrefix: string;
    /** Days after which patching logs expire. */
    readonly expireAfterDays: number;
    /** Keep the bucket and its logs on `pulumi destroy` (production audit trail). */
    readonly retainOnDelete: boolean;
    /** SSE-KMS with this key; otherwise SSE-S3 (AES256), which needs no key grants on instance roles. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** More bucket policy statements (S3 takes one policy per bucket), given the bucket's ARN. */
    readonly policyStatements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<object[]>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The S3 bucket that receives AWS-RunPatchBaseline command output: encrypted,
 * owner-enforced, public access blocked, TLS only, versioned, logs expiring. The files the fleet
 * reads (FLEET_INPUTS_PREFIX) sit outside the expiring prefix.
 */
export class LogBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: LogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.LogBucket, name, {}, opts);
        // A kept bucket keeps its protections too: retainOnDelete is not inherited from a parent,
        // and a destroy that removed the public-access block or the TLS-only policy would leave
        // the production logs exposed.
        const keep: pulumi.CustomResourceOptions = { parent: this, retainOnDelete: args.retainOnDelete };
        // A bucket holds one configuration of each kind: a replacement created first would be
        // overwritten-then-removed by the old one's deletion, so each is replaced delete-first.
        const perBucket: pulumi.CustomResourceOptions = { ...keep, deleteBeforeReplace: true };
        // retainOnDelete keeps the bucket in AWS when Pulumi deletes it; forceDestroy
        // would empty it first, so it is only set where logs may go.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: !args.retainOnDelete, tags: args.tags }, keep);
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            perBucket,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            perBucket,
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    args.kmsKeyArn
                        ? {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            perBucket,
        );
        const tlsOnly = new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: pulumi.output(args.policyStatements ? args.policyStatements(bucket.arn) : []).apply((extra) => [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        ...extra,
                    ]),
                }),
            },
            // S3 refuses a bucket policy while the public-access block is being written.
            { ...perBucket, dependsOn: [publicAccess] },
        );
        // Versioning keeps what a node overwrites: every node may write the log prefix (no condition tells
        // one group's instance from another's), so an overwrite must not destroy the output it replaces.
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            perBucket,
        );
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(
            `${name}-expiry`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-patching-logs",
                        status: "Enabled",
                        filter: { prefix: `${args.keyPrefix.replace(/\/+$/, "")}/` },
                        expiration: { days: args.expireAfterDays },
                        // With versioning an expiry only hides the current version: the replaced and expired ones go as late.
                        noncurrentVersionExpiration: { noncurrentDays: args.expireAfterDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            // The noncurrent-version rule applies once versioning is on (the provider's documented order).
            { ...perBucket, dependsOn: [versioning] },
        );
        // Callers write logs only once the bucket is locked down.
        this.bucketName = pulumi
            .all([bucket.bucket, ownership.id, publicAccess.id, encryption.id, tlsOnly.id, versioning.id, lifecycle.id])
            .apply(([b]) => b);
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
