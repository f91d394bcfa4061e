// The PatchManager component alone, as another program would create it: Pulumi's mock runtime,
// no stack config, no index.ts.
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PatchManager, PatchManagerArgs } from "../../components";
import { ConfigError } from "../../config";
import { evaluateProgram, PlannedResource } from "../../tools/mock/mockProgram";

const resolve = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));

const ARGS: PatchManagerArgs = {
    environment: "production",
    timezone: "Europe/Amsterdam",
    patchGroups: [
        { name: "Web Server", operatingSystem: "WINDOWS", schedule: { cron: "cron(0 23 ? * THU#1 *)", durationHours: 6 } },
        { name: "RHEL", operatingSystem: "REDHAT_ENTERPRISE_LINUX", hybrid: { registrationLimit: 5 } },
    ],
    compliance: { dailyScan: true },
    tags: { CostCenter: "patching" },
};

describe("PatchManager (component)", function () {
    describe("under pulumi.runtime.setMocks", function () {
        const created: pulumi.runtime.MockResourceArgs[] = [];
        const calls: pulumi.runtime.MockCallArgs[] = [];
        let manager: PatchManager;
        let provider: aws.Provider;
        before(async function () {
            await pulumi.runtime.setMocks(
                {
                    newResource: (args) => {
                        created.push(args);
                        return {
                            id: `${args.name}-id`,
                            state: { ...args.inputs, arn: `arn:aws:mock:::${args.name}`, name: args.inputs.name ?? args.name },
                        };
                    },
                    call: (args) => {
                        calls.push(args);
                        return { partition: "aws", accountId: "123456789012", region: "eu-central-1", name: "eu-central-1", id: "x" };
                    },
                },
                "other-project",
                "staging",
                false,
            );
            provider = new aws.Provider("frankfurt", { region: "eu-central-1" });
            manager = new PatchManager("frankfurt", ARGS, { providers: { aws: provider } });
            await resolve(manager.logBucketName);
        });

        it("registers as patch-manager:index:PatchManager and names what it creates from its own name", function () {
            const own = created.find((r) => r.type === "patch-manager:index:PatchManager");
            assert.equal(own?.name, "frankfurt");
            const inside = created.filter((r) => r.type !== "patch-manager:index:PatchManager" && r.type !== "pulumi:providers:aws");
            assert.ok(inside.length > 30, `${inside.length} resources`);
            for (const r of inside) assert.match(r.name, /^frankfurt-/, `${r.type} ${r.name}`);
            assert.ok(
                created.some((r) => r.type === "patch-manager:patching:MaintenanceWindow" && r.name === "frankfurt-web-server-schedule"),
            );
            assert.ok(created.some((r) => r.type === "patch-manager:hybrid:HybridFleet"));
            assert.ok(created.some((r) => r.type === "patch-manager:operations:Operations"));
        });

        it("its custom resources and invokes use the provider given to the component, none the default one", function () {
            const ref = (p: string | undefined) => p?.split("::").slice(0, -1).join("::");
            const frankfurt = "urn:pulumi:staging::other-project::pulumi:providers:aws::frankfurt";
            for (const r of created.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:") && x.type.startsWith("aws:"))) {
                assert.equal(ref(r.provider), frankfurt, `${r.type} ${r.name}`);
            }
            assert.ok(calls.length >= 3);
            for (const c of calls) assert.equal(ref(c.provider), frankfurt, c.token);
        });

        it("applies the config defaults: names with the current stack, the environment's window and tags", async function () {
            const windows = await resolve(manager.maintenanceWindows);
            assert.deepEqual(Object.keys(windows).sort(), ["Web Server", "weekend"]);
            assert.equal(windows.weekend.name, "patch-manager-staging-weekend");
            assert.equal(windows["Web Server"].cutoffHours, 1);
            assert.deepEqual(windows.weekend.patchGroups, ["RHEL"]);
            const window = created.find(
                (r) => r.type === "aws:ssm/maintenanceWindow:MaintenanceWindow" && r.name === "frankfurt-production-window",
            );
            assert.deepEqual(window?.inputs.tags, {
                CostCenter: "patching",
                ManagedBy: "patch-manager",
                Environment: "production",
                Stack: "staging",
            });
            assert.equal(await resolve(manager.environment), "production");
            assert.equal(await resolve(manager.logKeyPrefix), "patching");
        });

        it("refuses bad args before creating anything, naming each key path", async function () {
            assert.throws(
                () =>
                    new PatchManager("bad", {
                        environment: "prod",
                        patchGroups: [
                            { name: "Web", operatingSystem: "WINDOWS", schedule: { cron: "cron(0 23-5 ? * THU *)", durationHours: 6 } },
                        ],
                    }),
                (e: unknown) =>
                    e instanceof ConfigError &&
                    e.lines().some((l) => l.startsWith("PatchManager bad: patch-manager:environment: ")) &&
                    e.lines().some((l) => l.startsWith("PatchManager bad: patch-manager:patchGroups[0].schedule.cron: ")),
            );
            await new Promise((r) => setTimeout(r, 50));
            assert.deepEqual(
                created.filter((r) => r.name === "bad" || r.name.startsWith("bad-")),
                [],
            );
        });

        it("refuses an output where a setting must be known when the program runs", function () {
            assert.throws(
                () => new PatchManager("late", { environment: "test", timezone: pulumi.output("UTC") as unknown as string }),
                /PatchManager late: timezone must be a plain value known when the program runs, not an output/,
            );
        });
    });

    it("in the offline plan's runtime: every resource below it, its region from the provider", async function () {
        const { resources } = await evaluateProgram({
            stack: "staging",
            config: { values: {}, secretKeys: [] },
            program: () => {
                const provider = new aws.Provider("ireland", { region: "eu-west-1" });
                return new PatchManager("ireland", { environment: "test" }, { providers: { aws: provider } }).stackOutputs();
            },
        });
        const manager = resources.find((r) => r.type === "patch-manager:index:PatchManager") as PlannedResource;
        for (const r of resources.filter((x) => x !== manager && x.type !== "pulumi:providers:aws")) {
            assert.ok(r.urn.includes("::patch-manager:index:PatchManager$"), r.urn);
            assert.equal(r.region, "eu-west-1", r.urn);
        }
    });
});

describe("PatchManager: what its provider's region must offer", function () {
    const inRegion = (
        region: string,
        args: PatchManagerArgs,
        absentResources?: { typeName: string; identifier: string; region: string }[],
    ) =>
        evaluateProgram({
            stack: "staging",
            config: { values: {}, secretKeys: [] },
            ...(absentResources ? { absentResources } : {}),
            program: () => {
                const provider = new aws.Provider(region, { region: region as aws.Region });
                return new PatchManager(region, args, { providers: { aws: provider } }).stackOutputs();
            },
        });

    it("stops with the key and the region when its provider's region does not offer the rule", async function () {
        await assert.rejects(
            inRegion("eu-south-1", { environment: "test", compliance: { configRule: true, configRecorder: "existing" } }),
            /patch-manager:compliance\.configRule: AWS Config does not offer the managed rule EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK in eu-south-1/,
        );
        await assert.rejects(
            inRegion("ca-west-1", {
                environment: "test",
                compliance: { configRecorder: "existing" },
                deniedApplications: { applications: ["telnet"] },
            }),
            /patch-manager:deniedApplications: AWS Config does not offer the managed rule EC2_MANAGEDINSTANCE_APPLICATIONS_BLACKLISTED in ca-west-1/,
        );
    });

    it("stops with the key when a KMS key is another region's; takes the key of its own region", async function () {
        const key = (region: string) => `arn:aws:kms:${region}:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab`;
        const single = (region: string) => `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        await assert.rejects(
            inRegion("eu-central-1", { environment: "test", logging: { kmsKeyArn: single("eu-west-1") } }),
            /patch-manager:logging\.kmsKeyArn: is a key in eu-west-1, but this deployment is in eu-central-1/,
        );
        await assert.rejects(
            inRegion("eu-central-1", { environment: "test", alerts: { emails: ["ops@example.com"], kmsKeyArn: single("eu-west-1") } }),
            /patch-manager:alerts\.kmsKeyArn: is a key in eu-west-1, but this deployment is in eu-central-1/,
        );
        // A multi-Region key named by another region: its replica here, once a lookup finds it.
        const replicated = await inRegion("eu-central-1", { environment: "test", logging: { kmsKeyArn: key("eu-west-1") } });
        const [sse] = replicated.resources.filter(
            (r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        );
        assert.equal((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key("eu-central-1"));
        await assert.rejects(
            inRegion("eu-central-1", { environment: "test", logging: { kmsKeyArn: key("eu-west-1") } }, [
                { typeName: "AWS::KMS::Key", identifier: key("eu-central-1"), region: "eu-central-1" },
            ]),
            /patch-manager:logging\.kmsKeyArn: the multi-Region key has no replica in eu-central-1 this account can describe .*aws kms replicate-key/,
        );
        const { resources } = await inRegion("eu-central-1", { environment: "test", logging: { kmsKeyArn: key("eu-central-1") } });
        const [encryption] = resources.filter(
            (r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        );
        assert.equal((encryption.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key("eu-central-1"));
    });

    it("stops with the key when an existing alerts topic is another region's", async function () {
        await assert.rejects(
            inRegion("eu-central-1", { environment: "test", alerts: { topicArn: "arn:aws:sns:eu-west-1:123456789012:patching" } }),
            /patch-manager:alerts\.topicArn: is in eu-west-1, but this deployment is in eu-central-1: EventBridge rules and Run Command notify only topics of their own region/,
        );
    });

    it("creates the rule where the region offers it", async function () {
        const { resources } = await inRegion("ca-west-1", {
            environment: "test",
            compliance: { configRule: true, configRecorder: "existing" },
        });
        const rules = resources.filter((r) => r.type === "aws:cfg/rule:Rule");
        assert.deepEqual(
            rules.map((r) => (r.inputs.source as any).sourceIdentifier),
            ["EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK"],
        );
    });
});
