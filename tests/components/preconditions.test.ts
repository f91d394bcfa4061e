// What the account must accept: trust policies SSM can meet, a topic key EventBridge can use,
// Debian-family rules AWS accepts. Each test fails on the defect it names.
import { strict as assert } from "assert";
import { topicKeyPolicy } from "../../components/alerts";
import { notificationRoleTrustPolicy, ssmServiceTrustPolicy } from "../../components/iam";
import { evaluate, shippedConfig, T, withConfig } from "../helpers";

const ACCOUNT = "123456789012";

describe("preconditions the account must meet (components)", function () {
    /** A trust policy for SSM, written out: the two roles differ only in their condition. */
    const ssmTrust = (condition: object) => ({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole", Condition: condition }],
    });

    it("the window role trusts SSM for this account, with no aws:SourceArn AWS does not document for its AssumeRole", function () {
        assert.deepEqual(ssmServiceTrustPolicy("aws", ACCOUNT), ssmTrust({ StringEquals: { "aws:SourceAccount": ACCOUNT } }));
    });

    it("the notification role checks the account only when SSM sends it, and never aws:SourceArn", function () {
        assert.deepEqual(notificationRoleTrustPolicy(ACCOUNT), ssmTrust({ StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } }));
    });

    it("the topic key's EventBridge statement has no aws:Source* condition (unsupported for EventBridge to encrypted topics)", function () {
        const events = (topicKeyPolicy("aws", ACCOUNT, "eu-west-1") as any).Statement.find(
            (s: any) => s.Principal.Service === "events.amazonaws.com",
        );
        const keys = Object.values(events.Condition ?? {}).flatMap((block: any) => Object.keys(block).map((k) => k.toLowerCase()));
        assert.deepEqual(
            keys.filter((k) => k.startsWith("aws:source")),
            [],
        );
        assert.deepEqual(events.Condition, { ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:*` } });
    });

    it("the shipped stack's roles: window role conditioned on the account, notification role never on a source ARN", async function () {
        const s = await evaluate("prod-private");
        const trusts = s.ofType(T.role).map((r) => ({ name: r.name, trust: JSON.parse(r.inputs.assumeRolePolicy as string) }));
        const notification = trusts.filter((t) => t.name.endsWith("alerts-notification-role"));
        assert.ok(notification.length > 0);
        for (const t of notification) assert.deepEqual(t.trust, notificationRoleTrustPolicy(ACCOUNT), t.name);
        for (const t of trusts.filter((x) => x.name.endsWith("maintenance-window-role")))
            assert.deepEqual(t.trust, ssmServiceTrustPolicy("aws", ACCOUNT), t.name);
        const key = s.ofType("aws:kms/key:Key")[0];
        const events = JSON.parse(key.inputs.policy as string).Statement[1];
        assert.equal(events.Condition.StringEquals, undefined);
    });

    it("Ubuntu and Debian rules carry approveAfterDays 0 (what the provider sends), never a hold SSM ignores", async function () {
        const s = await evaluate(
            "dev",
            withConfig(shippedConfig("dev"), {
                patchGroups: [
                    { name: "Ubuntu", operatingSystem: "UBUNTU" },
                    { name: "Debian", operatingSystem: "DEBIAN" },
                ],
                baselines: [
                    {
                        name: "debian-own",
                        operatingSystem: "DEBIAN",
                        approvalRules: [{ patchFilters: [{ key: "PRIORITY", values: ["Required"] }] }],
                    },
                ],
            }),
        );
        const baselines = s.ofType(T.baseline).filter((b) => ["UBUNTU", "DEBIAN"].includes(b.inputs.operatingSystem as string));
        assert.equal(baselines.length, 3);
        for (const b of baselines) {
            for (const r of b.inputs.approvalRules as any[]) {
                assert.equal(r.approveAfterDays, 0, b.name);
                assert.equal(r.approveUntilDate, undefined, b.name);
            }
        }
    });
});

describe("AWS Config recorder (compliance.configRecorder)", function () {
    const RECORDER = "aws:cfg/recorder:Recorder";
    const CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel";
    const STATUS = "aws:cfg/recorderStatus:RecorderStatus";
    const RULE = "aws:cfg/rule:Rule";
    const withRecorder = (choice: string) => {
        const base = shippedConfig("prod-private");
        const compliance = JSON.parse(base.values["patch-manager:compliance"]);
        return withConfig(base, { compliance: { ...compliance, configRecorder: choice } });
    };

    it('"create": per region a recorder of the two SSM types, a channel to the log bucket, a status; rules wait for the status', async function () {
        const s = await evaluate("prod-private", withRecorder("create"));
        for (const region of ["eu-west-1", "eu-central-1"]) {
            const [recorder] = s.ofType(RECORDER).filter((r) => r.name.startsWith(region));
            const [channel] = s.ofType(CHANNEL).filter((r) => r.name.startsWith(region));
            const [status] = s.ofType(STATUS).filter((r) => r.name.startsWith(region));
            assert.deepEqual(recorder.inputs.recordingGroup, {
                allSupported: false,
                includeGlobalResourceTypes: false,
                resourceTypes: ["AWS::SSM::PatchCompliance", "AWS::SSM::ManagedInstanceInventory"],
                recordingStrategies: [{ useOnly: "INCLUSION_BY_RESOURCE_TYPES" }],
            });
            assert.equal(
                recorder.inputs.roleArn,
                "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            );
            assert.equal(channel.inputs.s3KeyPrefix, "config");
            assert.equal(status.inputs.isEnabled, true);
            // Fixed names, one per account and region: replaced delete-first.
            for (const r of [recorder, channel, status]) assert.equal(r.options.deleteBeforeReplace, true, r.name);
            assert.ok(channel.options.dependsOn!.includes(recorder.urn));
            assert.ok(status.options.dependsOn!.includes(channel.urn));
            const rules = s.ofType(RULE).filter((r) => r.name.startsWith(region));
            assert.equal(rules.length, 2);
            for (const rule of rules) assert.ok(rule.options.dependsOn!.includes(status.urn), rule.name);
        }
        // One central bucket: its policy lets Config deliver under config/AWSLogs/<account>/Config/.
        const policies = s.ofType(T.bucketPolicy).map((p) => JSON.parse(p.inputs.policy as string));
        assert.equal(policies.length, 1);
        const sids = policies[0].Statement.map((st: any) => st.Sid);
        for (const sid of ["ConfigChecksBucketAcl", "ConfigListsBucket", "ConfigDelivers"]) assert.ok(sids.includes(sid), sid);
        const deliver = policies[0].Statement.find((st: any) => st.Sid === "ConfigDelivers");
        assert.match(deliver.Resource, /\/config\/AWSLogs\/123456789012\/Config\/\*$/);
        assert.equal(deliver.Condition.StringEquals["AWS:SourceAccount"], "123456789012");
    });

    it('"existing": nothing of AWS Config but the rules', async function () {
        const s = await evaluate("prod-private", withRecorder("existing"));
        assert.equal(s.ofType(RECORDER).length + s.ofType(CHANNEL).length + s.ofType(STATUS).length, 0);
        assert.equal(s.ofType(RULE).length, 4);
    });
});

describe("the plan shows the stated preconditions", function () {
    it("patch sources per VPC and the Config recorder, in the JSON document and the text", async function () {
        const { planStack, renderPlan } = await import("../../tools/plan/plan");
        const plan = await planStack({ stack: "prod-private", from: new Date("2026-12-01T00:00:00Z"), occurrences: 1 });
        assert.deepEqual(plan.preconditions, {
            patchSources: [
                { region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", patchSource: "nat" },
                { region: "eu-central-1", vpcId: "vpc-0f1e2d3c4b5a69788", patchSource: "nat" },
            ],
            configRecorder: "existing",
        });
        const text = renderPlan(plan);
        assert.match(text, /patch sources of vpc-0f1e2d3c4b5a69788 \(eu-central-1\): nat/);
        assert.match(text, /AWS Config recorder: the account's existing one/);
    });
});

describe("alarm stops across regions: the alarm must exist in each region (looked up at preview)", function () {
    it("refuses, naming the key and the region, an alarm the region's lookups do not find", async function () {
        const pulumi = await import("@pulumi/pulumi");
        const { alarmInRegion } = await import("../../components/alarmStop");
        const asked: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => ({ id: a.name, state: a.inputs }),
                call: (a) => {
                    asked.push(String(a.inputs.typeName));
                    throw new Error("ResourceNotFoundException");
                },
            },
            "patch-manager",
            "prod-private",
            false,
        );
        const found = alarmInRegion("web-5xx-rate-high", pulumi.output("eu-central-1"));
        await assert.rejects(
            new Promise((resolve, reject) => (found as any).promise().then(resolve, reject)),
            /patch-manager:safeStops\.alarmName: alarm "web-5xx-rate-high" does not exist in eu-central-1/,
        );
        assert.deepEqual(asked, ["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"]);
    });

    it("takes a composite alarm of that name", async function () {
        const { evaluateProgram } = await import("../../tools/mock/mockProgram");
        const e = await evaluateProgram({
            stack: "prod-private",
            config: shippedConfig("prod-private"),
            absentResources: [{ typeName: "AWS::CloudWatch::Alarm", identifier: "web-5xx-rate-high", region: "eu-central-1" }],
        });
        assert.equal(
            e.resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && r.name.endsWith("alarm-stop-alarm")).length,
            2,
        );
    });
});

describe("hook documents in every region", function () {
    const absent = (name: string, region: string) => [{ typeName: "AWS::SSM::Document", identifier: name, region }];

    it("a hook document missing in one region of the stack stops the program there, naming the key, the document and the region", async function () {
        const { evaluateProgram } = await import("../../tools/mock/mockProgram");
        await assert.rejects(
            evaluateProgram({
                stack: "prod-private",
                config: shippedConfig("prod-private"),
                absentResources: absent("WebServer-ReturnToLoadBalancer", "eu-central-1"),
            }),
            /patch-manager:safeStops\.hooks\.Web Server\.onExit: document "WebServer-ReturnToLoadBalancer" does not exist in eu-central-1/,
        );
    });

    it("each region looks in its own region only: a document missing elsewhere stops nothing, and every region's hooks tasks are created", async function () {
        const { evaluateProgram } = await import("../../tools/mock/mockProgram");
        const e = await evaluateProgram({
            stack: "prod-private",
            config: shippedConfig("prod-private"),
            absentResources: absent("WebServer-DrainFromLoadBalancer", "us-east-1"),
        });
        const tasks = e.resources.filter(
            (r) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" && r.inputs.taskArn === "AWS-RunPatchBaselineWithHooks",
        );
        assert.deepEqual(tasks.map((t) => t.region).sort(), ["eu-central-1", "eu-west-1"]);
    });
});
