import { strict as assert } from "assert";
import { parseAuditDocument } from "../../tools/audit/documents";
import { runPolicies } from "../../tools/audit/engine";
import { NATURAL_KEYS, replaceWithoutCollision } from "../../policies/replacement";
import { evaluate, SHIPPED_STACKS } from "../helpers";
import { StackEntry, runStackPolicy, UNKNOWN_STRING, urnOf } from "./harness";
import { BUCKET, WINDOW_ROLE, prodStack } from "./resources";

const SYNC = "aws:ssm/resourceDataSync:ResourceDataSync";
const PATCH_GROUP = "aws:ssm/patchGroup:PatchGroup";
const DEFAULT_BASELINE = "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline";
const syncInputs = { name: "patch-manager-prod-compliance", s3Destination: { bucketName: "logs", region: "eu-west-1" } };

const CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** What the rule reports on one resource added to the compliant production stack (which gives it its patching scope). */
async function judge(type: string, props: Record<string, unknown>, opts: { name?: string; deleteBeforeReplace?: boolean } = {}) {
    const stack: StackEntry[] = [...prodStack(), { type, name: opts.name ?? "res", props, deleteBeforeReplace: opts.deleteBeforeReplace }];
    return (await runStackPolicy(replaceWithoutCollision, stack)).map((v) => v.message);
}

describe("replacement-deletes-first: a resource named by its inputs is replaced delete-first", function () {
    it("flags a patch group and a default baseline without deleteBeforeReplace, with the key and why it collides", async function () {
        const group = await judge(PATCH_GROUP, { patchGroup: "Database", baselineId: "pb-0123456789abcdef0" }, { name: "db-group" });
        assert.equal(group.length, 1);
        assert.match(group[0], /PatchGroup "db-group" is named by patchGroup/);
        assert.match(group[0], /AlreadyExistsException/);
        assert.match(group[0], /a change of baselineId replaces it under the same patchGroup/);
        assert.match(group[0], /Set the resource option deleteBeforeReplace: true\.$/);
        const def = await judge(DEFAULT_BASELINE, { operatingSystem: "WINDOWS", baselineId: "pb-0123456789abcdef0" });
        assert.match(def[0], /resets the OS to the AWS default/);
    });

    it("passes with deleteBeforeReplace, and when the key is unknown in preview", async function () {
        const group = { patchGroup: "Database", baselineId: "pb-0123456789abcdef0" };
        assert.deepEqual(await judge(PATCH_GROUP, group, { deleteBeforeReplace: true }), []);
        assert.deepEqual(await judge(PATCH_GROUP, { ...group, patchGroup: UNKNOWN_STRING }), [], "unknown: judged at `pulumi up`");
        const noPrivateDns = { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", vpcEndpointType: "Gateway" };
        assert.deepEqual(await judge("aws:ec2/vpcEndpoint:VpcEndpoint", noPrivateDns), [], "a gateway endpoint owns no DNS name");
    });

    it("a name on an auto-named input: generated, it is regenerated; fixed, the provider replaces it delete-first itself", async function () {
        // pulumi/pulumi step_generator.go: a replacement calls Check again without the old inputs, so an auto-name is new;
        // pulumi-terraform-bridge nameRequiresDeleteBeforeReplace: a fixed value on an autonameable input makes Diff ask for
        // delete-before-replace, which the engine follows unless the program says otherwise.
        const role = { name: "node-role-4b1c2d3", path: "/", assumeRolePolicy: "{}", managedPolicyArns: [CORE] };
        assert.deepEqual(await judge("aws:iam/role:Role", { ...role, __defaults: ["name", "path"] }, { name: "node-role" }), []);
        assert.deepEqual(await judge("aws:iam/role:Role", { ...role, name: "node-role" }, { name: "node-role" }), []);
        assert.deepEqual(
            await judge(SYNC, syncInputs, { name: "compliance-data-sync" }),
            [],
            "a fixed sync name: the provider deletes first",
        );
        // ...unless the program turns the provider's choice off.
        const off = await judge(SYNC, syncInputs, { name: "compliance-data-sync", deleteBeforeReplace: false });
        assert.equal(off.length, 1);
        assert.match(off[0], /ResourceDataSync "patch-manager-prod-compliance" \(compliance-data-sync\) is named by name/);
        assert.match(off[0], /a change of s3Destination replaces it under the same name/);
        const prefixed = { bucketPrefix: "patch-logs-", bucket: "patch-logs-20260101000000000000000001" };
        assert.deepEqual(
            await judge("aws:s3/bucket:Bucket", prefixed, { deleteBeforeReplace: false }),
            [],
            "a name made from a prefix is generated",
        );
    });

    it("judges only what patching uses: a website's or cluster's bucket or role is no finding, even turned delete-last", async function () {
        const site = { bucket: "www.example.com", objectLockEnabled: false };
        assert.deepEqual(await judge("aws:s3/bucket:Bucket", site, { name: "site", deleteBeforeReplace: false }), []);
        const clusterRole = { name: "eks-nodes", assumeRolePolicy: "{}" };
        assert.deepEqual(await judge("aws:iam/role:Role", clusterRole, { name: "nodes", deleteBeforeReplace: false }), []);
        // The log bucket the task writes to, with a fixed name and the provider's choice turned off, is patching's.
        const logs = await judge(
            "aws:s3/bucket:Bucket",
            { bucket: BUCKET, id: BUCKET },
            { name: "fixed-logs", deleteBeforeReplace: false },
        );
        assert.equal(logs.length, 1);
        assert.match(logs[0], /a change of objectLockEnabled replaces it under the same bucket/);
    });

    it("attachments and per-bucket configurations replaced only when their key changes are never findings", async function () {
        const cases: [string, Record<string, unknown>][] = [
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: WINDOW_ROLE, policyArn: CORE }],
            ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: BUCKET, blockPublicAcls: true }],
            ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket: BUCKET, rules: [] }],
            ["aws:iam/rolePolicy:RolePolicy", { role: WINDOW_ROLE, name: "logs", policy: "{}" }],
            ["aws:cfg/rule:Rule", { name: "patch-compliance", source: {} }],
            ["aws:cloudwatch/eventRule:EventRule", { name: "stop", eventBusName: "default", eventPattern: "{}" }],
            ["aws:ssm/document:Document", { name: "hooks", content: "{}", documentType: "Command" }],
        ];
        for (const [type, props] of cases) assert.deepEqual(await judge(type, props), [], type);
        // An owner's configuration that sets an input replacing it beside the key does collide.
        const owned = { bucket: BUCKET, expectedBucketOwner: "123456789012", rules: [] };
        assert.equal(
            (await judge("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", owned)).length,
            1,
        );
    });

    it("the offline engine hands the rule the program's deleteBeforeReplace from the plan", async function () {
        const group = { patchGroup: "Database", baselineId: "pb-0123456789abcdef0" };
        const resource = { urn: urnOf(PATCH_GROUP, "db-group"), type: PATCH_GROUP, name: "db-group", custom: true, id: "x", inputs: group };
        const without = await runPolicies([resource], { stackName: "prod", projectName: "patch-manager" });
        assert.deepEqual(
            without.filter((v) => v.policy === replaceWithoutCollision.name).map((v) => v.level),
            ["mandatory"],
        );
        const withOption = await runPolicies([{ ...resource, deleteBeforeReplace: true }], {
            stackName: "prod",
            projectName: "patch-manager",
        });
        assert.deepEqual(
            withOption.filter((v) => v.policy === replaceWithoutCollision.name),
            [],
        );
    });

    it("an audit reads the option from a plan, and skips the rule on a stack export (state keeps no deleteBeforeReplace)", async function () {
        const plan = parseAuditDocument({
            project: "patch-manager",
            stack: "prod",
            resources: [
                {
                    urn: urnOf(PATCH_GROUP, "db-group"),
                    type: PATCH_GROUP,
                    name: "db-group",
                    custom: true,
                    id: "x",
                    inputs: { patchGroup: "Database", baselineId: "pb-0123456789abcdef0" },
                    deleteBeforeReplace: true,
                },
            ],
        });
        assert.equal(plan.resources[0].deleteBeforeReplace, true);
        const state = { ...plan.resources[0], deleteBeforeReplace: undefined };
        const skipped = await runPolicies([state], { stackName: "prod", projectName: "patch-manager", resourceOptionsRecorded: false });
        assert.deepEqual(
            skipped.filter((v) => v.policy === replaceWithoutCollision.name),
            [],
        );
    });

    it("every shipped stack: each resource of a naturally keyed type is replaced delete-first or has a generated name", async function () {
        let keyed = 0;
        for (const stack of SHIPPED_STACKS) {
            const { resources } = await evaluate(stack);
            const violations = await runPolicies(
                resources.map((r) => ({ ...r, id: r.id ?? undefined })),
                { stackName: stack, projectName: "patch-manager" },
            );
            assert.deepEqual(
                violations.filter((v) => v.policy === replaceWithoutCollision.name).map((v) => v.message),
                [],
                stack,
            );
            keyed += resources.filter((r) => NATURAL_KEYS[r.type] && r.deleteBeforeReplace).length;
        }
        assert.ok(keyed >= 20, `${keyed} resources replaced delete-first`);
    });
});
