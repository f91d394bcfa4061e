import * as assert from "node:assert/strict";
import { logBucketProtected } from "../../policies/logging";
import { TYPES } from "@patch-manager/ssm";
import { UNKNOWN_STRING, runStackPolicy, urnOf } from "./harness";
import { BUCKET, entry, prodStack } from "./resources";

const BUCKET_URN = urnOf(TYPES.bucket, "logs");
const who = `bucket "${BUCKET}" (logs) (command output of task "web-server-install" (web-server-task))`;

describe("policies/logging: log-bucket-protected (stack)", () => {
    it("passes a bucket with its encryption and public access block joined by name", async () => {
        assert.deepEqual(await runStackPolicy(logBucketProtected, prodStack()), []);
    });

    it("passes a bucket without encryption configuration or public access block: S3 encrypts and blocks public access by default", async () => {
        const stack = prodStack().filter((e) => e.type !== TYPES.bucketSse && e.type !== TYPES.bucketPublicAccessBlock);
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
        // ...unless the pack requires KMS: then the missing configuration means AES256.
        const v = await runStackPolicy(logBucketProtected, stack, { config: { requireKms: true } });
        assert.deepEqual(v, [
            {
                urn: BUCKET_URN,
                message: `${who} has no server-side encryption configuration, so S3 uses AES256; requireKms asks for aws:kms: add a BucketServerSideEncryptionConfiguration for it.`,
            },
        ]);
    });

    it("reports a public canned ACL and a bucket policy that allows everyone without a condition", async () => {
        const stack = prodStack();
        entry(stack, "logs").props.acl = "public-read";
        stack.push({
            type: "aws:s3/bucketPolicy:BucketPolicy",
            name: "logs-policy",
            props: {
                bucket: BUCKET,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` },
                        {
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "s3:PutObject",
                            Resource: `arn:aws:s3:::${BUCKET}/*`,
                            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
                        },
                    ],
                }),
            },
        });
        assert.deepEqual(
            (await runStackPolicy(logBucketProtected, stack)).map((v) => v.message),
            [
                `${who} has the canned ACL "public-read", which lets anyone read it; use "private" (or none).`,
                `${who}: bucket policy "logs-policy" allows everyone (Principal "*") "s3:GetObject" without a condition; name the principals (the nodes' roles, SSM) instead.`,
            ],
        );
    });

    it("leaves a bucket patching does not write to alone (a website beside the patching)", async () => {
        const stack = prodStack();
        stack.push({ type: TYPES.bucket, name: "site", props: { bucket: "www-example", id: "www-example", acl: "public-read" } });
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
    });

    it("does not count configurations of another bucket", async () => {
        const stack = prodStack();
        entry(stack, "logs-public-access").props.bucket = "some-other-bucket";
        entry(stack, "logs-public-access").props.blockPublicPolicy = false;
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
    });

    it("reports public access settings left open, naming them", async () => {
        const stack = prodStack();
        entry(stack, "logs-public-access").props.restrictPublicBuckets = false;
        delete entry(stack, "logs-public-access").props.ignorePublicAcls;
        const v = await runStackPolicy(logBucketProtected, stack);
        assert.deepEqual(
            v.map((x) => x.message),
            [`${who}: its public access block leaves ignorePublicAcls=(not set), restrictPublicBuckets=false; set them to true.`],
        );
    });

    it("requires KMS only when configured", async () => {
        const stack = prodStack();
        entry(stack, "logs-encryption").props.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
        const v = await runStackPolicy(logBucketProtected, stack, { config: { requireKms: true } });
        assert.deepEqual(
            v.map((x) => x.message),
            [`${who}: server-side encryption uses "AES256"; set sseAlgorithm "aws:kms" or "aws:kms:dsse".`],
        );
    });

    it("accepts an account-wide public access block", async () => {
        const stack = prodStack().filter((e) => e.type !== TYPES.bucketPublicAccessBlock);
        stack.push({
            type: TYPES.accountPublicAccessBlock,
            name: "account",
            props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        });
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
    });

    it("joins by property dependencies in preview, when the bucket's name is unknown", async () => {
        const stack = prodStack();
        entry(stack, "logs").props.bucket = UNKNOWN_STRING;
        entry(stack, "logs").props.id = UNKNOWN_STRING;
        for (const name of ["logs-encryption", "logs-public-access"]) {
            entry(stack, name).props.bucket = UNKNOWN_STRING;
            entry(stack, name).dependsOn = { bucket: ["logs"] };
        }
        // The task's output bucket is unknown too: the engine relates it by the task's property dependencies.
        const rc = (entry(stack, "web-server-task").props as any).taskInvocationParameters.runCommandParameters;
        rc.outputS3Bucket = UNKNOWN_STRING;
        entry(stack, "web-server-task").dependsOn = { taskInvocationParameters: ["logs"] };
        assert.deepEqual(await runStackPolicy(logBucketProtected, stack), []);
        // ...and still reports a block left open then.
        entry(stack, "logs-public-access").props.blockPublicAcls = false;
        const v = await runStackPolicy(logBucketProtected, stack);
        assert.equal(v.length, 1);
        assert.match(v[0].message, /^bucket "logs": its public access block leaves blockPublicAcls=false/);
    });
});
