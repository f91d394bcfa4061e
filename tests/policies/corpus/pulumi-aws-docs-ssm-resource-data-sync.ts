// pulumi-aws docs: the aws.ssm.ResourceDataSync example (a sync to an S3 bucket, with the bucket
// policy that lets SSM write to it).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/pulumi-aws (docs)",
        path: "sdk/nodejs/ssm/resourceDataSync.ts (JSDoc example)",
        commit: "v7.48.0",
        url: "https://github.com/pulumi/pulumi-aws/blob/v7.48.0/sdk/nodejs/ssm/resourceDataSync.ts",
        translation:
            "The TypeScript example as published in @pulumi/aws@7.48.0 (ssm/resourceDataSync.d.ts, the JSDoc generated from " +
            "sdk/nodejs/ssm/resourceDataSync.ts at v7.48.0), every input kept: bucket `example` (bucket name example), sync " +
            "`example` (name example) and bucket policy `example`. The policy comes from aws.iam.getPolicyDocumentOutput in the " +
            "docs (an invoke, not a resource read); here it is the JSON that data source renders for its two statements " +
            "(SSMBucketPermissionsCheck: s3:GetBucketAcl on the bucket; SSMBucketDelivery: s3:PutObject on bucket/* with " +
            "s3:x-amz-acl = bucket-owner-full-control; both for Service ssm.amazonaws.com), built with pulumi.jsonStringify over " +
            "the bucket's ARN, since the mock runtime answers the invoke with its inputs and no `json`.",
    },
    expected: [],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "example",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "example",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "log-bucket-protected",
            resource: "example",
            verdict: "noise",
            reason:
                "No BucketPublicAccessBlock: new buckets have all four Block Public Access settings on by default since April 2023 (S3 " +
                "User Guide, 'Blocking public access to your Amazon S3 storage'), and the bucket policy grants only ssm.amazonaws.com, " +
                "so nothing is public; asking for the resource restates S3's default. The pack reports a block that is switched off, a " +
                "public ACL or a policy open to everyone instead.",
        },
        {
            policy: "log-bucket-protected",
            resource: "example",
            verdict: "noise",
            reason:
                "No BucketServerSideEncryptionConfiguration: since 5 January 2023 S3 encrypts every new object with SSE-S3 when the " +
                "bucket has no other default (S3 User Guide, 'Setting default server-side encryption behavior for Amazon S3 buckets'), " +
                "and the pack's requireKms is off by default, so the configuration it asks for restates what S3 already does. " +
                "(A KMS key for the sync would be s3Destination.kmsKeyArn, which the rule does not look at.)",
        },
    ],
    program: () => {
        const exampleBucket = new aws.s3.Bucket("example", { bucket: "example" });
        new aws.ssm.ResourceDataSync("example", {
            s3Destination: {
                bucketName: exampleBucket.bucket,
                region: exampleBucket.region,
            },
            name: "example",
        });
        const example = pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "SSMBucketPermissionsCheck",
                    Effect: "Allow",
                    Action: "s3:GetBucketAcl",
                    Resource: exampleBucket.arn,
                    Principal: { Service: "ssm.amazonaws.com" },
                },
                {
                    Sid: "SSMBucketDelivery",
                    Effect: "Allow",
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`${exampleBucket.arn}/*`,
                    Principal: { Service: "ssm.amazonaws.com" },
                    Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
                },
            ],
        });
        new aws.s3.BucketPolicy("example", {
            bucket: exampleBucket.bucket,
            policy: example,
        });
        return {};
    },
};
