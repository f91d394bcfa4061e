import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { projectValues } from "../../tools/mock/mockProgram";
import { QUOTAS } from "@patch-manager/ssm";
import { windowPlan } from "../../config/windowPlan";
import { raw, refused, shippedConfig } from "../helpers";
import { fact } from "../facts/facts";

const group = (extra: Record<string, unknown> = {}) => ({ name: "Web Server", operatingSystem: "WINDOWS", ...extra });
const prod = { environment: "production", operation: "Install" };
const reboot = { cron: "cron(0 12 ? * SAT,SUN *)", durationHours: 3 };
/** The Friday after a first-Thursday install window (within patch-manager:rebootWithinHours). */
const rebootAfterThursday = { cron: "cron(0 12 ? * THU#1 *)", offsetDays: 1, durationHours: 3 };

describe("config: patching strategies", function () {
    it("the example stack turns each strategy on, one group each", function () {
        const c = parseConfig(projectValues(shippedConfig("prod-strategies")), "prod-strategies");
        const s = Object.fromEntries(c.patchGroups.map((g) => [g.name, g.strategies]));
        assert.deepEqual(s["Database Server"].rebootWindow, { schedule: "cron(0 12 ? * SAT,SUN *)", duration: 3, cutoff: 1 });
        assert.equal(s["App Server"].imageFirst, true);
        assert.equal(s["App Server"].baselineOverride, true);
        assert.equal(s["Legacy App"].install, "rollback");
        assert.equal(s["Web Server"].install, "loadBalancer");
        assert.equal(s["Workers"].install, "autoScaling");
        assert.equal(s["Dev Boxes"].startStopped, true);
        assert.equal(s["Dev Boxes"].onJoin, "scan");
        assert.equal(s["Dev Boxes"].installOverrideList, "s3://patch-exceptions-example/dev-boxes.yaml");
        const al = c.baselines.find((b) => b.name === "central-al2023")!;
        assert.equal(al.sources[0].name, "internal-mirror");
        const ubuntu = c.baselines.find((b) => b.name === "ubuntu-required")!;
        assert.equal(ubuntu.rejectedPatchesAction, "ALLOW_AS_DEPENDENCY");
        assert.equal(ubuntu.approvalRules[0].approveUntilDate, undefined, "Ubuntu takes no approval delay");
    });

    it("a group without strategies installs with AWS-RunPatchBaseline and nothing else", function () {
        const c = parseConfig(raw({ ...prod, patchGroups: [group()] }), "t");
        assert.deepEqual(c.patchGroups[0].strategies, {
            install: "runPatchBaseline",
            imageFirst: false,
            baselineOverride: false,
            startStopped: false,
        });
    });

    it("refuses BaselineOverride with InstallOverrideList on one group", function () {
        refused(
            { ...prod, patchGroups: [group({ baselineOverride: true, installOverrideList: "s3://b/k.yaml" })] },
            "patch-manager:patchGroups[0].installOverrideList",
            "cannot be combined with baselineOverride",
        );
    });

    it("refuses an override list that is neither s3:// nor https://", function () {
        refused(
            { ...prod, patchGroups: [group({ installOverrideList: "http://x/y.yaml" })] },
            "patch-manager:patchGroups[0].installOverrideList",
            "s3://bucket/key.yaml",
        );
    });

    it("refuses two runbooks that each replace the install", function () {
        refused(
            { ...prod, patchGroups: [group({ snapshot: "rollback", loadBalancer: { maxShare: "25%" } })] },
            "patch-manager:patchGroups[0].loadBalancer",
            "snapshot: rollback and loadBalancer",
        );
    });

    it("refuses a reboot window beside a runbook that reboots on its own", function () {
        refused(
            { ...prod, patchGroups: [group({ autoScaling: "standby", rebootWindow: reboot })] },
            "patch-manager:patchGroups[0].rebootWindow",
            "cannot be combined with autoScaling: standby",
        );
    });

    it("refuses install strategies on a group that only scans", function () {
        refused(
            { ...prod, patchGroups: [group({ operation: "Scan", snapshot: "image" })] },
            "patch-manager:patchGroups[0].snapshot",
            'operation is "Scan"',
        );
    });

    it("refuses startStopped with a reboot window: the instances are stopped again before it opens (Run Command reaches only online nodes)", function () {
        refused(
            { ...prod, patchGroups: [group({ startStopped: true, rebootWindow: reboot })] },
            "patch-manager:patchGroups[0].rebootWindow",
            "cannot be combined with startStopped",
        );
    });

    it("refuses EC2-only strategies on a hybrid group", function () {
        refused(
            { ...prod, patchGroups: [group({ startStopped: true, hybrid: { registrationLimit: 5 } })] },
            "patch-manager:patchGroups[0].startStopped",
            "needs EC2 instances",
        );
    });

    it("startStoppedTimeoutMinutes: the start step's bound, at least the instance_running waiter's (fact), only with startStopped", function () {
        const waiter = fact("ec2-instance-running-waiter").value as { delaySeconds: number; maxAttempts: number };
        refused(
            { ...prod, patchGroups: [group({ startStopped: true, startStoppedTimeoutMinutes: 500 })] },
            "patch-manager:patchGroups[0].startStoppedTimeoutMinutes",
            "from 5 to 120",
        );
        refused(
            { ...prod, patchGroups: [group({ startStoppedTimeoutMinutes: 30 })] },
            "patch-manager:patchGroups[0].startStoppedTimeoutMinutes",
            "set startStopped: true",
        );
        const set = parseConfig(raw({ ...prod, patchGroups: [group({ startStopped: true, startStoppedTimeoutMinutes: 45 })] }), "t");
        assert.equal(set.patchGroups[0].strategies.startTimeoutMinutes, 45);
        const byDefault = parseConfig(raw({ ...prod, patchGroups: [group({ startStopped: true })] }), "t");
        assert.ok(
            byDefault.patchGroups[0].strategies.startTimeoutMinutes! * 60 > waiter.delaySeconds * waiter.maxAttempts,
            "the default covers the start and more",
        );
    });

    it("refuses install-on-join in production, allows it elsewhere", function () {
        refused({ ...prod, patchGroups: [group({ onJoin: "install" })] }, "patch-manager:patchGroups[0].onJoin", "rebooting them");
        const c = parseConfig(raw({ environment: "development", patchGroups: [group({ onJoin: "install" })] }), "t");
        assert.equal(c.patchGroups[0].strategies.onJoin, "install");
    });

    it("an autoScaling value other than the two choices names both", function () {
        refused(
            { ...prod, patchGroups: [group({ autoScaling: true })] },
            "patch-manager:patchGroups[0].autoScaling",
            '"standby"',
            '"in-place"',
        );
    });

    it("a load balancer share is a percentage, the drain 1–59 minutes", function () {
        refused(
            { ...prod, patchGroups: [group({ loadBalancer: { maxShare: "2" } })] },
            "patch-manager:patchGroups[0].loadBalancer.maxShare",
            "percentage",
        );
        refused(
            { ...prod, patchGroups: [group({ loadBalancer: { maxShare: "20%", connectionDrainMinutes: 60 } })] },
            "patch-manager:patchGroups[0].loadBalancer.connectionDrainMinutes",
            "from 1 to 59",
        );
    });

    it("a reboot window counts against the window quota, and no environment window is counted when every group has its own", function () {
        const groups = (n: number) =>
            Array.from({ length: n }, (_, i) =>
                group({ name: `g${i}`, schedule: { cron: "cron(0 23 ? * THU#1 *)", durationHours: 4 }, rebootWindow: rebootAfterThursday }),
            );
        // 25 own windows and 25 reboot windows are the 50 the quota allows (the program creates no environment window).
        const model = parseConfig(raw({ ...prod, patchGroups: groups(QUOTAS.windowsPerRegion / 2) }), "test");
        assert.equal(windowPlan(model).length, QUOTAS.windowsPerRegion);
        refused(
            { ...prod, patchGroups: groups(QUOTAS.windowsPerRegion / 2 + 1) },
            "patch-manager:patchGroups",
            `${QUOTAS.windowsPerRegion + 2} maintenance windows`,
        );
    });

    describe("baseline sources", function () {
        const base = (os: string, sources: unknown, rules: unknown = [{ patchFilters: [{ key: "PRODUCT", values: ["*"] }] }]) => ({
            ...prod,
            baselines: [{ name: "mirror", operatingSystem: os, approvalRules: rules, sources }],
            patchGroups: [group({ operatingSystem: os, baseline: "mirror" })],
        });
        const yum = { name: "mirror-repo", products: ["AmazonLinux2023"], configuration: "[main]\nname=m\nbaseurl=https://m/\nenabled=1" };

        it("accepts a yum section on Amazon Linux and a deb line on Ubuntu", function () {
            const c = parseConfig(raw(base("AMAZON_LINUX_2023", [yum])), "t");
            assert.deepEqual(c.baselines[0].sources, [yum]);
            const deb = { name: "ubuntu-mirror", products: ["Ubuntu22.04"], configuration: "deb https://mirror/ubuntu jammy main" };
            parseConfig(raw(base("UBUNTU", [deb], [{ patchFilters: [{ key: "PRIORITY", values: ["Required"] }] }])), "t");
        });

        it("refuses sources on Windows and macOS", function () {
            refused(
                base("WINDOWS", [yum], [{ patchFilters: [{ key: "CLASSIFICATION", values: ["SecurityUpdates"] }] }]),
                "patch-manager:baselines[0].sources",
                "Linux only",
            );
        });

        it("refuses a multi-line or non-deb configuration on Ubuntu", function () {
            refused(
                base("UBUNTU", [{ ...yum, products: ["Ubuntu22.04"] }], [{ patchFilters: [{ key: "PRIORITY", values: ["Required"] }] }]),
                "patch-manager:baselines[0].sources[0].configuration",
                "single line",
            );
        });

        it("refuses a name outside the API pattern and more than 20 sources", function () {
            refused(base("AMAZON_LINUX_2023", [{ ...yum, name: "a b" }]), "patch-manager:baselines[0].sources[0].name", "3–50 characters");
            const many = Array.from({ length: 21 }, (_, i) => ({ ...yum, name: `repo-${i}` }));
            refused(base("AMAZON_LINUX_2023", many), "patch-manager:baselines[0].sources", "at most 20");
        });
    });
});
