import * as assert from "node:assert/strict";
import { logBucketProtected } from "../../policies/logging";
import { TYPES } from "../../policies/util";
import { UNKNOWN_STRING, runStackPolicy, urnOf } from "./harness";
import { BUCKET, entry, prodStack } from "./resources";

const BUCKET_URN = urnOf(TYPES.bucket, "logs");
const who = `bucket "${BUCKET}" (logs) (command output of task "web-server-install" (web-server-task))`;

describe("policies/logging: log-bucket-protected (stack)", () => {
    it("passes a bucket with its encryption and public access block joined by name", async () => {
        assert.deepEqual(await runStackPolicy(logBucketProtected, prodStack()), []);
    });

    it("reports a bucket without encryption configuration or public access block", async () => {
        const stack = prodStack().filter((e) => e.type !== TYPES.bucketSse && e.type !== TYPES.bucketPublicAccessBlock);
        const v = await runStackPolicy(logBucketProtected, stack);
        assert.deepEqual(v, [
            {
                urn: BUCKET_URN,
                message: `${who} has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration for it.`,
            },
            { urn: BUCKET_URN, message: `${who} has no public access block; add a BucketPublicAccessBlock with all four settings true.` },
        ]);
    });

    it("does not count configurations of another bucket", async () => {
        const stack = prodStack();
        entry(stack, "logs-encryption").props.bucket = "some-other-bucket";
        const v = await runStackPolicy(logBucketProtected, stack);
        assert.equal(v.length, 1);
        assert.match(v[0].message, /has no server-side encryption configuration/);
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
        // ...and still reports a missing block then.
        const noBlock = stack.filter((e) => e.type !== TYPES.bucketPublicAccessBlock);
        const v = await runStackPolicy(logBucketProtected, noBlock);
        assert.equal(v.length, 1);
        assert.match(v[0].message, /^bucket "logs" has no public access block/);
    });
});
