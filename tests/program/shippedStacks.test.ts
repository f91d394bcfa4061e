// The real program (index.ts) on the shipped stack files, under Pulumi's mock runtime.
import { strict as assert } from "assert";
import {
    MAX_CONCURRENCY_PATTERN,
    MAX_ERRORS_PATTERN,
    OPERATING_SYSTEMS,
    PATCH_FILTER_KEYS,
    RESOURCE_NAME_PATTERN,
    COMPLIANCE_LEVELS,
} from "@patch-manager/ssm";
import { evaluate, parameters, shippedConfig, Stack, T, withConfig } from "../helpers";
import { fact } from "../facts/facts";
import { MOCK_ACCOUNT } from "../../tools/mock/mockProgram";

const SEED_GROUPS = ["Windows", "RHEL", "Windows2012", "Management Server", "Web Server", "Application Server", "Database Server"];
const WAVES: Record<string, string> = {
    "Management Server": "cron(0 23 ? * TUE#1 *)",
    "Web Server": "cron(0 23 ? * THU#1 *)",
    "Application Server": "cron(0 23 ? * THU#2 *)",
    "Database Server": "cron(0 23 ? * THU#3 *)",
};

describe("program on the shipped stacks", function () {
    let dev: Stack;
    let prod: Stack;
    before(async function () {
        dev = await evaluate("dev");
        prod = await evaluate("prod");
    });

    describe("environment schedule", function () {
        it("dev patches every default group in one weekday-night window, 22:00 for 5 hours", function () {
            const windows = dev.ofType(T.window);
            assert.equal(windows.length, 1);
            const w = windows[0].inputs as any;
            assert.equal(w.schedule, "cron(0 22 ? * MON-FRI *)");
            assert.equal(w.scheduleTimezone, "Europe/Amsterdam");
            assert.equal(w.duration, 5);
            assert.equal(w.cutoff, 1);
            assert.equal(w.allowUnassociatedTargets, false);
            assert.equal(w.name, "patch-manager-dev-weekday");
            for (const g of SEED_GROUPS) assert.equal(dev.windowOf(g).urn, windows[0].urn, g);
        });

        it("prod patches Windows, RHEL and Windows2012 on weekend mornings, 06:00 for 5 hours", function () {
            for (const g of ["Windows", "RHEL", "Windows2012"]) {
                const w = prod.windowOf(g).inputs as any;
                assert.equal(w.schedule, "cron(0 6 ? * SAT,SUN *)", g);
                assert.equal(w.scheduleTimezone, "Europe/Amsterdam");
                assert.equal(w.duration, 5);
                assert.equal(w.cutoff, 1);
                assert.deepEqual(w.tags, { ManagedBy: "patch-manager", Environment: "production", Stack: "prod" });
            }
        });

        it("prod's monthly waves are single start times, 23:00 for 6 hours", function () {
            for (const [group, cron] of Object.entries(WAVES)) {
                const w = prod.windowOf(group).inputs as any;
                assert.equal(w.schedule, cron, group);
                assert.equal(w.duration, 6);
                assert.equal(w.cutoff, 1);
                assert.equal(w.scheduleTimezone, "Europe/Amsterdam");
            }
            assert.equal(prod.ofType(T.window).length, 5);
            for (const w of prod.ofType(T.window)) {
                const hours = String(w.inputs.schedule).split(" ")[1];
                assert.match(hours, /^\d+$/, `${w.name}: one start hour, no range`);
            }
        });
    });

    describe("targets and tasks", function () {
        it("each group is selected by its Patch Group tag value, as instances (EC2 and managed nodes)", function () {
            for (const stack of [dev, prod]) {
                const targets = stack.ofType(T.target);
                assert.deepEqual(targets.map((t) => (t.inputs.targets as any[])[0].values[0]).sort(), [...SEED_GROUPS].sort());
                for (const t of targets) {
                    assert.equal(t.inputs.resourceType, "INSTANCE");
                    assert.deepEqual(
                        (t.inputs.targets as any[]).map((x) => x.key),
                        ["tag:Patch Group"],
                    );
                }
            }
        });

        it("each group gets an AWS-RunPatchBaseline Install task that reboots if needed", function () {
            for (const stack of [dev, prod]) {
                for (const g of SEED_GROUPS) {
                    const task = stack.taskOf(g);
                    assert.equal(task.inputs.taskArn, "AWS-RunPatchBaseline");
                    assert.equal(task.inputs.taskType, "RUN_COMMAND");
                    assert.deepEqual(parameters(task), { Operation: ["Install"], RebootOption: ["RebootIfNeeded"] });
                    assert.equal(task.inputs.windowId, stack.windowOf(g).id);
                    assert.ok(!("SnapshotId" in parameters(task)));
                }
            }
        });

        it("tasks run as the maintenance-window role and use the stack's rate control", function () {
            const roleArn = prod.outputs.maintenanceWindowRoleArn;
            assert.match(roleArn, /^arn:aws:iam::123456789012:role\/maintenance-window-role-[0-9a-f]{7}$/);
            for (const g of SEED_GROUPS) {
                const t = prod.taskOf(g).inputs as any;
                assert.equal(t.serviceRoleArn, roleArn);
                assert.equal(t.maxConcurrency, "10%");
                assert.equal(t.maxErrors, "5%");
                const d = dev.taskOf(g).inputs as any;
                assert.equal(d.maxConcurrency, "50%");
                assert.equal(d.maxErrors, "25%");
            }
        });

        it("command output goes to the log bucket under environment/group/operation", function () {
            const bucket = prod.ofType(T.bucket)[0];
            const rc = (prod.taskOf("Web Server").inputs as any).taskInvocationParameters.runCommandParameters;
            assert.equal(rc.outputS3Bucket, bucket.id);
            assert.equal(rc.outputS3KeyPrefix, "patching/production/web-server/install");
            const devRc = (dev.taskOf("Management Server").inputs as any).taskInvocationParameters.runCommandParameters;
            assert.equal(devRc.outputS3KeyPrefix, "patching/development/management-server/install");
            const prefixes = prod
                .ofType(T.task)
                .map((t) => (t.inputs as any).taskInvocationParameters.runCommandParameters.outputS3KeyPrefix);
            assert.equal(new Set(prefixes).size, prefixes.length, "every task has its own prefix");
        });
    });

    describe("baselines and patch groups", function () {
        it("registers every group with the baseline for its OS", function () {
            for (const g of SEED_GROUPS) {
                const reg = prod.ofType(T.patchGroup).find((r) => r.inputs.patchGroup === g);
                assert.ok(reg, g);
                const baseline = prod.byId(reg!.inputs.baselineId).inputs as any;
                assert.equal(baseline.operatingSystem, g === "RHEL" ? "REDHAT_ENTERPRISE_LINUX" : "WINDOWS", g);
            }
        });

        it("one baseline per OS in use, plus the Windows2012 all-security baseline", function () {
            const names = prod
                .ofType(T.baseline)
                .map((b) => (b.inputs as any).name)
                .sort();
            assert.deepEqual(names, [
                "patch-manager-prod-default-redhat-enterprise-linux",
                "patch-manager-prod-default-windows",
                "patch-manager-prod-windows2012-security",
            ]);
            const w2012 = prod.byId(prod.ofType(T.patchGroup).find((r) => r.inputs.patchGroup === "Windows2012")!.inputs.baselineId)
                .inputs as any;
            assert.deepEqual(w2012.approvalRules[0].patchFilters, [
                { key: "PRODUCT", values: ["WindowsServer2012", "WindowsServer2012R2"] },
                { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
            ]);
            assert.equal(w2012.approvalRules[0].approveAfterDays, 7);
        });

        it("security first, then the rest, each after the stack's approval delay", function () {
            const win = (s: Stack) => s.ofType(T.baseline).find((b) => (b.inputs as any).name.endsWith("default-windows"))!.inputs as any;
            assert.deepEqual(
                win(prod).approvalRules.map((r: any) => [r.complianceLevel, r.approveAfterDays]),
                [
                    ["CRITICAL", 7],
                    ["HIGH", 7],
                    ["MEDIUM", 7],
                ],
            );
            assert.deepEqual(win(prod).approvalRules[0].patchFilters[1], { key: "MSRC_SEVERITY", values: ["Critical", "Important"] });
            assert.equal(win(dev).approvalRules[0].approveAfterDays, 3);
            assert.equal(win(prod).rejectedPatchesAction, "BLOCK");
            assert.equal(prod.ofType(T.defaultBaseline).length, 0, "no default registration unless asked");
        });

        it("outputs baseline ids per OS, the tag key and where logs go", function () {
            const o = prod.outputs;
            assert.deepEqual(Object.keys(o.baselineIds).sort(), ["REDHAT_ENTERPRISE_LINUX", "WINDOWS"]);
            assert.match(o.baselineIds.WINDOWS, /^pb-[0-9a-f]{17}$/);
            assert.equal(o.patchGroupTagKey, "Patch Group");
            assert.equal(o.logBucketName, prod.ofType(T.bucket)[0].id);
            assert.match(o.instanceProfileName, /^patched-instance-profile-[0-9a-f]{7}$/);
            assert.match(o.instanceRoleArn, /^arn:aws:iam::123456789012:role\//);
            assert.deepEqual(Object.keys(o.maintenanceWindows).sort(), [
                "Application Server",
                "Database Server",
                "Management Server",
                "Web Server",
                "weekend",
            ]);
            assert.match(o.maintenanceWindows["Web Server"].id, /^mw-[0-9a-f]{17}$/);
            assert.equal(o.maintenanceWindows["Web Server"].schedule, WAVES["Web Server"]);
            assert.deepEqual(o.maintenanceWindows.weekend.patchGroups, ["Windows", "RHEL", "Windows2012"]);
        });
    });

    describe("IAM", function () {
        it("the window role is trusted by SSM only, for this account, with no AWS managed policy (its own, scoped to the patch groups)", function () {
            const role = prod.one(T.role, "maintenance-window-role");
            const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
            assert.equal(trust.Statement.length, 1);
            assert.deepEqual(trust.Statement[0].Principal, { Service: "ssm.amazonaws.com" });
            // The key SSM sends (tests/facts: trust-ssm-hybrid-condition-keys), holding this account.
            const [sourceAccount] = (fact("trust-ssm-hybrid-condition-keys").value as { StringEquals: string[] }).StringEquals;
            assert.equal(trust.Statement[0].Condition.StringEquals[sourceAccount], MOCK_ACCOUNT);
            const attached = prod
                .ofType(T.attachment)
                .filter((a) => a.inputs.role === role.id)
                .map((a) => a.inputs.policyArn);
            // AmazonSSMMaintenanceWindowRole grants ssm:SendCommand and ssm:StartAutomationExecution on "*" (any document, any node).
            assert.deepEqual(attached, []);
            const own = JSON.parse(prod.ofType(T.rolePolicy).find((p) => p.inputs.role === role.id)!.inputs.policy as string);
            const send = own.Statement.filter((s: any) => s.Action.includes("ssm:SendCommand"));
            assert.ok(
                send.every((s: any) => s.Resource !== "*"),
                "no SendCommand on every resource",
            );
            const onNodes = send.find((s: any) => s.Condition);
            assert.deepEqual(
                onNodes.Condition.StringEquals["ssm:resourceTag/Patch Group"].sort(),
                prod.outputs.patchGroups ? Object.keys(prod.outputs.patchGroups).sort() : [],
            );
        });

        it("instances get AmazonSSMManagedInstanceCore, a profile, and write access to the log prefix only", function () {
            const role = prod.one(T.role, "patched-instance-role");
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
            const attached = prod
                .ofType(T.attachment)
                .filter((a) => a.inputs.role === role.id)
                .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached, ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
            const policy = JSON.parse(prod.ofType(T.rolePolicy).find((p) => p.inputs.role === role.id)!.inputs.policy as string);
            const bucket = prod.ofType(T.bucket)[0].id;
            assert.deepEqual(policy.Statement[0].Action, ["s3:PutObject"]);
            assert.equal(policy.Statement[0].Resource, `arn:aws:s3:::${bucket}/patching/*`);
            assert.equal(prod.ofType(T.profile)[0].inputs.role, role.id);
        });

        it("never attaches the deprecated AmazonEC2RoleforSSM", function () {
            for (const stack of [dev, prod]) assert.ok(!JSON.stringify(stack.resources).includes("AmazonEC2RoleforSSM"));
        });

        it("uses an existing window role instead of creating one", async function () {
            const arn = "arn:aws:iam::210987654321:role/OrgPatchingRole";
            const s = await evaluate("prod", withConfig(shippedConfig("prod"), { maintenanceWindowRoleArn: arn }));
            assert.equal(s.resources.filter((r) => r.name === "maintenance-window-role").length, 0);
            for (const t of s.ofType(T.task)) assert.equal(t.inputs.serviceRoleArn, arn);
            assert.equal(s.outputs.maintenanceWindowRoleArn, arn);
        });
    });

    describe("log bucket", function () {
        it("is encrypted, owner-enforced, blocks public access and denies plain HTTP", function () {
            const id = prod.ofType(T.bucket)[0].id;
            const enc = prod.ofType(T.encryption)[0].inputs as any;
            assert.equal(enc.bucket, id);
            assert.equal(enc.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const pab = prod.ofType(T.publicAccess)[0].inputs as any;
            assert.deepEqual(
                [pab.bucket, pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
                [id, true, true, true, true],
            );
            const policy = JSON.parse(prod.ofType(T.bucketPolicy)[0].inputs.policy as string);
            assert.equal(policy.Statement[0].Effect, "Deny");
            assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        });

        it("expires old logs: a year in production, 90 days in development", function () {
            const rule = (s: Stack) => (s.ofType(T.lifecycle)[0].inputs as any).rules[0];
            assert.equal(rule(prod).expiration.days, 365);
            assert.equal(rule(dev).expiration.days, 90);
            assert.deepEqual(rule(prod).filter, { prefix: "patching/" });
        });

        it("survives pulumi destroy in production; development's can be emptied and removed", function () {
            const p = prod.ofType(T.bucket)[0];
            assert.equal(p.retainOnDelete, true);
            assert.equal(p.inputs.forceDestroy, false);
            const d = dev.ofType(T.bucket)[0];
            assert.equal(d.retainOnDelete, undefined);
            assert.equal(d.inputs.forceDestroy, true);
        });

        it("writes to an existing bucket when logging.bucketName is set", async function () {
            const s = await evaluate(
                "dev",
                withConfig(shippedConfig("dev"), { logging: { bucketName: "org-patch-logs", keyPrefix: "ssm/patching" } }),
            );
            assert.equal(s.ofType(T.bucket).length, 0);
            const rc = (s.taskOf("RHEL").inputs as any).taskInvocationParameters.runCommandParameters;
            assert.equal(rc.outputS3Bucket, "org-patch-logs");
            assert.equal(rc.outputS3KeyPrefix, "ssm/patching/development/rhel/install");
            const policy = JSON.parse(s.ofType(T.rolePolicy)[0].inputs.policy as string);
            assert.equal(policy.Statement[0].Resource, "arn:aws:s3:::org-patch-logs/ssm/patching/*");
        });
    });

    describe("every SSM input is valid for the API", function () {
        it("names, descriptions, enums and rate-control patterns", function () {
            for (const stack of [dev, prod]) {
                for (const r of [
                    ...stack.ofType(T.window),
                    ...stack.ofType(T.target),
                    ...stack.ofType(T.task),
                    ...stack.ofType(T.baseline),
                ]) {
                    const i = r.inputs as any;
                    assert.match(i.name, RESOURCE_NAME_PATTERN, r.urn);
                    assert.ok(i.description.length >= 1 && i.description.length <= (r.type === T.baseline ? 1024 : 128), r.urn);
                }
                for (const t of stack.ofType(T.task)) {
                    const i = t.inputs as any;
                    assert.match(i.maxConcurrency, MAX_CONCURRENCY_PATTERN);
                    assert.match(i.maxErrors, MAX_ERRORS_PATTERN);
                    assert.ok(i.priority >= 0);
                    assert.ok(i.taskInvocationParameters.runCommandParameters.comment.length <= 100);
                }
                for (const b of stack.ofType(T.baseline)) {
                    const i = b.inputs as any;
                    assert.ok((OPERATING_SYSTEMS as readonly string[]).includes(i.operatingSystem));
                    assert.ok(i.approvalRules.length <= 10);
                    for (const rule of i.approvalRules) {
                        assert.ok((COMPLIANCE_LEVELS as readonly string[]).includes(rule.complianceLevel));
                        assert.ok(rule.patchFilters.length >= 1 && rule.patchFilters.length <= 4);
                        for (const f of rule.patchFilters) assert.ok((PATCH_FILTER_KEYS as readonly string[]).includes(f.key), f.key);
                    }
                }
                for (const w of stack.ofType(T.window)) {
                    const i = w.inputs as any;
                    assert.ok(i.duration >= 1 && i.duration <= 24 && i.cutoff < i.duration);
                }
            }
        });
    });

    describe("stable names", function () {
        it("editing a group's schedule keeps every resource's name (an in-place update, not a replacement)", async function () {
            const groups = JSON.parse(shippedConfig("prod").values["patch-manager:patchGroups"]);
            groups.find((g: any) => g.name === "Web Server").schedule = {
                cron: "cron(0 23 ? * THU#2 *)",
                durationHours: 4,
                cutoffHours: 1,
            };
            const edited = await evaluate("prod", withConfig(shippedConfig("prod"), { patchGroups: groups }));
            assert.deepEqual(edited.resources.map((r) => r.urn).sort(), prod.resources.map((r) => r.urn).sort());
            assert.equal(edited.windowOf("Web Server").inputs.schedule, "cron(0 23 ? * THU#2 *)");
            assert.equal(edited.windowOf("Web Server").inputs.name, prod.windowOf("Web Server").inputs.name);
        });

        it("children are named from their component", function () {
            const byUrn = new Map(prod.resources.map((r) => [r.urn, r]));
            for (const r of prod.resources.filter((x) => x.custom)) {
                assert.ok(r.parent, `${r.urn} has a parent component`);
                assert.ok(r.name.startsWith(`${byUrn.get(r.parent!)!.name}-`), r.urn);
            }
        });
    });

    describe("options", function () {
        it("PatchGroup tag key, Scan operation, per-group rate control, default baseline registration", async function () {
            const s = await evaluate(
                "dev",
                withConfig(shippedConfig("dev"), {
                    patchGroupTagKey: "PatchGroup",
                    operation: "Scan",
                    patchGroups: [
                        { name: "Web Server", operatingSystem: "AMAZON_LINUX_2023", rateControl: { maxConcurrency: "2", maxErrors: "0" } },
                        { name: "Ubuntu", operatingSystem: "UBUNTU", operation: "Install" },
                    ],
                    baselines: [],
                }),
            );
            assert.deepEqual((s.ofType(T.target)[0].inputs.targets as any[])[0].key, "tag:PatchGroup");
            assert.deepEqual(parameters(s.taskOf("Web Server")), { Operation: ["Scan"], RebootOption: ["NoReboot"] });
            assert.deepEqual(parameters(s.taskOf("Ubuntu")), { Operation: ["Install"], RebootOption: ["RebootIfNeeded"] });
            assert.equal(s.taskOf("Web Server").inputs.maxConcurrency, "2");
            assert.equal(s.taskOf("Ubuntu").inputs.maxConcurrency, "50%");
            const ubuntu = s.ofType(T.baseline).find((b) => b.inputs.operatingSystem === "UBUNTU")!.inputs as any;
            assert.ok(
                ubuntu.approvalRules.every((r: any) => r.approveAfterDays === 0 && r.approveUntilDate === undefined),
                "Ubuntu baselines cannot delay approval: the rules say 0, which the provider sends anyway",
            );

            const d = await evaluate(
                "dev",
                withConfig(shippedConfig("dev"), {
                    baselines: [{ name: "al2023", operatingSystem: "AMAZON_LINUX_2023", registerAsDefault: true }],
                    patchGroups: [{ name: "Linux", operatingSystem: "AMAZON_LINUX_2023", baseline: "al2023" }],
                }),
            );
            const def = d.ofType(T.defaultBaseline);
            assert.equal(def.length, 1);
            assert.equal(def[0].inputs.operatingSystem, "AMAZON_LINUX_2023");
            assert.equal(def[0].inputs.baselineId, d.ofType(T.baseline)[0].id);
        });
    });
});

describe("program as the Pulumi runtime loads it", function () {
    it("index.ts's module export is the program function itself (CommonJS: Pulumi calls it only then)", function () {
        const mod = require("../../index");
        assert.equal(typeof mod, "function", "a `export default` would leave Pulumi with {default: fn} and no resources");
    });

    it("a production log bucket keeps all of its protections on destroy", async function () {
        const prod = await evaluate("prod");
        const parts = prod.resources.filter((r) => r.custom && r.type.startsWith("aws:s3/"));
        assert.ok(parts.length >= 6);
        for (const r of parts) assert.equal(r.retainOnDelete, true, r.urn);
        const dev = await evaluate("dev");
        assert.ok(dev.resources.filter((r) => r.type.startsWith("aws:s3/")).every((r) => r.retainOnDelete === undefined));
    });

    it("a patch-group registration is deleted before it is replaced (SSM holds one baseline per OS for a group)", async function () {
        const prod = await evaluate("prod");
        const regs = prod.ofType(T.patchGroup);
        assert.equal(regs.length, 7);
        for (const r of regs) assert.equal(r.deleteBeforeReplace, true, r.urn);
    });

    it("two resources with one URN are refused, as the engine refuses them", async function () {
        const { evaluateProgram } = await import("../../tools/mock/mockProgram");
        const aws = await import("@pulumi/aws");
        await assert.rejects(
            evaluateProgram({
                stack: "dup",
                config: shippedConfig("dev"),
                program: () => {
                    new aws.s3.Bucket("same", {});
                    new aws.s3.Bucket("same", {});
                    return {};
                },
            }),
            /same URN.*aws:s3\/bucket:Bucket::same/,
        );
    });
});
