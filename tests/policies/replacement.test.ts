import { strict as assert } from "assert";
import { parseAuditDocument } from "../../tools/audit/documents";
import { runPolicies } from "../../tools/audit/engine";
import { NATURAL_KEYS, replaceWithoutCollision } from "../../policies/replacement";
import { evaluate, SHIPPED_STACKS } from "../helpers";
import { runResourcePolicy, UNKNOWN_STRING, urnOf } from "./harness";

const SYNC = "aws:ssm/resourceDataSync:ResourceDataSync";
const syncInputs = { name: "patch-manager-prod-compliance", s3Destination: { bucketName: "logs", region: "eu-west-1" } };

describe("replacement-deletes-first: a resource named by its inputs is replaced delete-first", function () {
    it("flags a named resource without deleteBeforeReplace, with the key and why it collides", async function () {
        const r = await runResourcePolicy(replaceWithoutCollision, SYNC, syncInputs, { name: "compliance-data-sync" });
        assert.equal(r.messages.length, 1);
        assert.match(r.messages[0], /ResourceDataSync "patch-manager-prod-compliance" \(compliance-data-sync\) is named by name/);
        assert.match(r.messages[0], /ResourceDataSyncAlreadyExistsException/);
        assert.match(r.messages[0], /a change of s3Destination or syncSource replaces it under the same name/);
        assert.match(r.messages[0], /Set the resource option deleteBeforeReplace: true, or leave the name out/);
    });

    it("passes with deleteBeforeReplace, with a generated name, and when the key is unknown in preview but set", async function () {
        const ok = await runResourcePolicy(replaceWithoutCollision, SYNC, syncInputs, { deleteBeforeReplace: true });
        assert.deepEqual(ok.messages, []);
        const generated = await runResourcePolicy(replaceWithoutCollision, "aws:iam/role:Role", { assumeRolePolicy: "{}" });
        assert.deepEqual(generated.messages, []);
        const unknownBucket = await runResourcePolicy(replaceWithoutCollision, "aws:s3/bucketPolicy:BucketPolicy", {
            bucket: UNKNOWN_STRING,
            policy: "{}",
        });
        assert.deepEqual(
            unknownBucket.messages,
            [],
            "a bucket policy is replaced only when its bucket changes: the new one has another key",
        );
        const noPrivateDns = await runResourcePolicy(replaceWithoutCollision, "aws:ec2/vpcEndpoint:VpcEndpoint", {
            vpcId: "vpc-1",
            serviceName: "com.amazonaws.eu-west-1.s3",
            vpcEndpointType: "Gateway",
        });
        assert.deepEqual(noPrivateDns.messages, [], "a gateway endpoint owns no DNS name");
        const other = await runResourcePolicy(replaceWithoutCollision, "aws:ssm/maintenanceWindow:MaintenanceWindow", { name: "w" });
        assert.equal(other.notApplicable, true);
    });

    it("a name the provider generated at Check (listed in __defaults) is no key: the engine regenerates it for a replacement", async function () {
        // pulumi/pulumi step_generator.go: a replacement calls Check again without the old inputs, so an auto-name is new.
        const checked = { name: "instance-role-4b1c2d3", path: "/", assumeRolePolicy: "{}", __defaults: ["name", "path"] };
        const generated = await runResourcePolicy(replaceWithoutCollision, "aws:iam/role:Role", checked);
        assert.deepEqual(generated.messages, []);
        const fixed = await runResourcePolicy(replaceWithoutCollision, "aws:iam/role:Role", { ...checked, __defaults: ["path"] });
        assert.equal(fixed.messages.length, 1, "the same role with a name the user wrote collides when its path changes");
        assert.match(fixed.messages[0], /a change of path replaces it under the same name/);
    });

    it("attachments and per-bucket configurations replaced only when their key changes are never findings", async function () {
        const cases: [string, Record<string, unknown>][] = [
            [
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
            ],
            ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "logs", blockPublicAcls: true }],
            ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket: "logs", rules: [] }],
            ["aws:iam/rolePolicy:RolePolicy", { role: "r", name: "logs", policy: "{}" }],
            ["aws:cfg/rule:Rule", { name: "patch-compliance", source: {} }],
            ["aws:cloudwatch/eventRule:EventRule", { name: "stop", eventBusName: "default", eventPattern: "{}" }],
            ["aws:ssm/document:Document", { name: "hooks", content: "{}", documentType: "Command" }],
        ];
        for (const [type, props] of cases) {
            assert.deepEqual((await runResourcePolicy(replaceWithoutCollision, type, props)).messages, [], type);
        }
        // An owner's configuration that sets an input replacing it beside the key does collide.
        const owned = await runResourcePolicy(
            replaceWithoutCollision,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            { bucket: "logs", expectedBucketOwner: "123456789012", rules: [] },
        );
        assert.equal(owned.messages.length, 1);
    });

    it("the offline engine hands the rule the program's deleteBeforeReplace from the plan", async function () {
        const resource = { urn: urnOf(SYNC, "sync"), type: SYNC, name: "sync", custom: true, id: "x", inputs: syncInputs };
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
                    urn: urnOf(SYNC, "sync"),
                    type: SYNC,
                    name: "sync",
                    custom: true,
                    id: "x",
                    inputs: syncInputs,
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
