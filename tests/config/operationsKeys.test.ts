// The operations config keys (alerts, compliance, denied applications, safe stops, private
// endpoints, regions) through parseConfig, and the daily scan hour derived from a group's window.
import { strict as assert } from "assert";
import { nextStarts } from "@patch-manager/ssm";
import { parseConfig } from "../../config";
import { busyUtcHours, dailyCron, dailyScanHour } from "../../config/scanHour";
import { problems, raw, refused } from "../helpers";

const prod = { environment: "production" };
const endpoint = { vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60719"], patchSource: "nat" };

describe("operations config", function () {
    describe("defaults", function () {
        it("every feature is off but patch now (a runbook nobody starts costs nothing); no regions; production cancels at the cutoff, other environments continue", function () {
            const p = parseConfig(raw(prod), "test");
            assert.deepEqual(p.operations, {
                compliance: { dailyScan: false, dataSync: false, dataSyncPrefix: "compliance", configRule: false },
                safeStops: { hooks: {} },
                patchNow: true,
                privateEndpoints: [],
                centralLogBucket: false,
                keepSingleRegionNames: false,
            });
            assert.equal(p.cutoffBehavior, "CANCEL_TASK");
            assert.equal(parseConfig(raw({ environment: "acceptance" }), "test").cutoffBehavior, "CONTINUE_TASK");
            assert.equal(parseConfig(raw({ environment: "development" }), "test").cutoffBehavior, "CONTINUE_TASK");
            assert.equal(parseConfig(raw({ ...prod, cutoffBehavior: "CONTINUE_TASK" }), "test").cutoffBehavior, "CONTINUE_TASK");
        });

        it("alerts notify on Failed, TimedOut and Cancelled; a deny list gathers inventory unless told not to", function () {
            const p = parseConfig(
                raw({
                    ...prod,
                    alerts: { emails: ["ops@example.com"] },
                    deniedApplications: { applications: ["telnet"] },
                    compliance: { configRecorder: "existing" },
                }),
                "test",
            );
            assert.deepEqual(p.operations.alerts, { emails: ["ops@example.com"], events: ["Failed", "TimedOut", "Cancelled"] });
            assert.deepEqual(p.operations.deniedApplications, { applications: ["telnet"], inventory: true });
            const off = parseConfig(
                raw({
                    ...prod,
                    compliance: { configRecorder: "existing" },
                    deniedApplications: { applications: ["telnet"], inventory: false },
                }),
                "test",
            );
            assert.equal(off.operations.deniedApplications!.inventory, false);
        });

        it("centralLogBucket arrives as the string the CLI passes", function () {
            const p = parseConfig(raw({ ...prod, regions: ["eu-west-1", "eu-central-1"], centralLogBucket: "true" }), "test");
            assert.equal(p.operations.centralLogBucket, true);
            assert.deepEqual(p.operations.regions, ["eu-west-1", "eu-central-1"]);
        });
    });

    describe("bad values are refused with the key path and what is valid", function () {
        it("alerts", function () {
            refused({ ...prod, alerts: {} }, "patch-manager:alerts", "needs emails", "or topicArn");
            refused({ ...prod, alerts: { emails: ["ops at example"] } }, "patch-manager:alerts.emails[0]", "must be an e-mail address");
            refused({ ...prod, alerts: { topicArn: "ops-alerts" } }, "patch-manager:alerts.topicArn", "must be an SNS topic ARN");
            refused(
                { ...prod, alerts: { emails: ["ops@example.com"], events: ["Failure"] } },
                "patch-manager:alerts.events[0]",
                '"Failed"',
            );
            refused(
                { ...prod, alerts: { topicArn: "arn:aws:sns:eu-west-1:123456789012:ops" }, regions: ["eu-west-1", "eu-central-1"] },
                "patch-manager:alerts.topicArn",
                "one encrypted topic per region",
            );
            refused(
                {
                    ...prod,
                    alerts: { topicArn: "arn:aws:sns:eu-west-1:123456789012:ops", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" },
                },
                "patch-manager:alerts.kmsKeyArn",
                "keeps its own encryption",
            );
            refused(
                { ...prod, alerts: { email: ["ops@example.com"] } },
                "patch-manager:alerts",
                'unknown key "email"',
                "valid keys are emails, topicArn, kmsKeyArn, events",
            );
        });

        it("compliance", function () {
            refused({ ...prod, compliance: { dailyScan: "yes" } }, "patch-manager:compliance.dailyScan", "must be true or false");
            refused({ ...prod, compliance: { dataSyncPrefix: "a/b" } }, "patch-manager:compliance.dataSyncPrefix", "no / or *");
            refused(
                { ...prod, compliance: { dataSync: true }, logging: { bucketName: "my-logs" } },
                "patch-manager:compliance.dataSync",
                "logging.bucketName",
            );
            // A daily window of 23 hours leaves no hour free for a scan outside it.
            refused(
                {
                    ...prod,
                    compliance: { dailyScan: true },
                    patchGroups: [{ name: "Web", operatingSystem: "WINDOWS", schedule: { cron: "cron(0 0 ? * * *)", durationHours: 23 } }],
                },
                "patch-manager:compliance.dailyScan",
                'patch group "Web"',
                "no hour of the day free",
            );
        });

        it("deniedApplications", function () {
            refused(
                {
                    ...prod,
                    compliance: { configRecorder: "existing" },
                    deniedApplications: { applications: ["firefox*"] },
                },
                "patch-manager:deniedApplications.applications[0]",
                "no wildcards",
            );
            refused(
                { ...prod, compliance: { configRecorder: "existing" }, deniedApplications: { applications: [] } },
                "patch-manager:deniedApplications.applications",
                "at least one",
            );
            refused(
                {
                    ...prod,
                    compliance: { configRecorder: "existing" },
                    deniedApplications: { applications: ["telnet"], platformType: "Mac" },
                },
                "patch-manager:deniedApplications.platformType",
                '"Linux" or "Windows"',
            );
        });

        it("safeStops hooks", function () {
            refused(
                { ...prod, safeStops: { hooks: { "Web Servers": { preInstall: "Drain" } } } },
                "patch-manager:safeStops.hooks.Web Servers",
                "is not a patch group",
                '"Web Server"',
            );
            refused({ ...prod, safeStops: { alarmName: "a:b" } }, "patch-manager:safeStops.alarmName", "CloudWatch alarm name");
            refused(
                { ...prod, safeStops: { hooks: { "Web Server": {} } } },
                "patch-manager:safeStops.hooks.Web Server",
                "names no hook document",
            );
            refused(
                { ...prod, safeStops: { hooks: { "Web Server": { preInstall: "a b" } } } },
                "patch-manager:safeStops.hooks.Web Server.preInstall",
                "SSM document name",
            );
            refused(
                {
                    ...prod,
                    baselines: [
                        {
                            name: "mac",
                            operatingSystem: "MACOS",
                            approvalRules: [{ patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }] }],
                        },
                    ],
                    patchGroups: [{ name: "Macs", operatingSystem: "MACOS", baseline: "mac" }],
                    safeStops: { hooks: { Macs: { preInstall: "Drain" } } },
                },
                "patch-manager:safeStops.hooks.Macs",
                "does not support macOS",
            );
            // Hooks run around an install only: on a group that scans they would never run.
            refused(
                { ...prod, operation: "Scan", safeStops: { hooks: { "Web Server": { preInstall: "Drain" } } } },
                "patch-manager:safeStops.hooks.Web Server",
                'this group only scans (operation "Scan")',
            );
        });

        it("privateEndpoints", function () {
            refused(
                { ...prod, privateEndpoints: [{ ...endpoint, vpcId: "vpc-1" }] },
                "patch-manager:privateEndpoints[0].vpcId",
                "must be a VPC id",
            );
            refused(
                { ...prod, privateEndpoints: [{ vpcId: endpoint.vpcId, patchSource: "nat" }] },
                "patch-manager:privateEndpoints[0].subnetIds",
                "is required",
            );
            refused(
                { ...prod, privateEndpoints: [{ ...endpoint, vpcCidr: "0.0.0.0/0" }] },
                "patch-manager:privateEndpoints[0].vpcCidr",
                "not 0.0.0.0/0",
            );
            refused(
                { ...prod, privateEndpoints: [{ ...endpoint, vpcCidr: "10.0.0.300/16" }] },
                "patch-manager:privateEndpoints[0].vpcCidr",
                "IPv4 CIDR",
            );
            refused(
                { ...prod, privateEndpoints: [{ ...endpoint, region: "eu-west-1" }] },
                "patch-manager:privateEndpoints[0].region",
                "only with patch-manager:regions",
            );
            refused(
                { ...prod, regions: ["eu-west-1"], privateEndpoints: [endpoint] },
                "patch-manager:privateEndpoints[0].region",
                "is required",
                '"eu-west-1"',
            );
            refused(
                { ...prod, regions: ["eu-west-1"], privateEndpoints: [{ ...endpoint, region: "us-east-1" }] },
                "patch-manager:privateEndpoints[0].region",
                '"us-east-1" is not listed',
            );
            refused(
                { ...prod, privateEndpoints: [endpoint, endpoint] },
                "patch-manager:privateEndpoints[1].vpcId",
                "already has endpoints",
            );
        });

        it("regions and centralLogBucket", function () {
            refused({ ...prod, regions: ["eu-west-1", "Frankfurt"] }, "patch-manager:regions[1]", "AWS region name");
            refused({ ...prod, regions: ["eu-west-1", "eu-west-1"] }, "patch-manager:regions[1]", "list each region once");
            refused({ ...prod, regions: [] }, "patch-manager:regions", "at least one region");
            refused({ ...prod, centralLogBucket: "true" }, "patch-manager:centralLogBucket", "applies only with patch-manager:regions");
            refused(
                { ...prod, regions: ["eu-west-1"], centralLogBucket: "yes" },
                "patch-manager:centralLogBucket",
                'must be true or false, got "yes"',
            );
        });
    });
});

describe("daily scan hour", function () {
    const tz = "Europe/Amsterdam";

    it("the weekday night window (22:00–03:00 Amsterdam) blocks 19:00–02:59 UTC across DST; the scan runs at 09:00 UTC", function () {
        const w = { schedule: "cron(0 22 ? * MON-FRI *)", duration: 5 };
        assert.deepEqual(
            [...busyUtcHours(w, tz)].sort((a, b) => a - b),
            [0, 1, 2, 19, 20, 21, 22, 23],
        );
        assert.equal(dailyScanHour(w, tz), 9);
        assert.equal(dailyCron(9), "cron(0 9 ? * * *)");
    });

    it("the scan hour never falls inside (or an hour beside) any start of the window over a year", function () {
        const windows = [
            { schedule: "cron(0 6 ? * SAT,SUN *)", duration: 5 },
            { schedule: "cron(0 23 ? * THU#1 *)", duration: 6 },
            { schedule: "cron(30 11 ? * TUE#2 *)", duration: 8, scheduleOffset: 2 },
            { schedule: "cron(0 0 ? * * *)", duration: 10 },
        ];
        for (const w of windows) {
            const hour = dailyScanHour(w, tz)!;
            assert.ok(hour !== undefined, w.schedule);
            for (const start of nextStarts(w.schedule, {
                timezone: tz,
                scheduleOffset: w.scheduleOffset,
                from: new Date("2026-01-01T00:00:00Z"),
                count: 400,
            })) {
                const from = start.getTime() - 3600e3;
                const to = start.getTime() + (w.duration + 1) * 3600e3;
                // Every scan of the days the window spans.
                for (let day = Math.floor(from / 86400e3) * 86400e3; day < to; day += 86400e3) {
                    const scan = day + hour * 3600e3;
                    assert.ok(
                        scan + 3600e3 <= from || scan >= to,
                        `${w.schedule}: scan at ${new Date(scan).toISOString()} meets the window of ${start.toISOString()}`,
                    );
                }
            }
        }
    });

    it("a window that leaves no hour free gives no scan hour", function () {
        assert.equal(dailyScanHour({ schedule: "cron(0 0 ? * * *)", duration: 23 }, "UTC"), undefined);
        assert.equal(dailyScanHour({ schedule: "rate(5 hours)", duration: 2 }, "UTC"), undefined);
    });

    it("a duration far beyond a day covers every hour at once, without stepping hour by hour through it (FC_SEED=180966)", function () {
        assert.equal(busyUtcHours({ schedule: "cron(0 23 ? * THU#2 *)", duration: 1e211 }, tz).size, 24);
        // And the config names the key of such a duration instead of computing with it.
        const lines = problems({
            ...prod,
            compliance: { dailyScan: true },
            patchGroups: [{ name: "Web", operatingSystem: "WINDOWS", schedule: { cron: "cron(0 23 ? * THU#2 *)", durationHours: 1e211 } }],
        });
        assert.ok(
            lines.some((l) => l.includes("durationHours: must be a whole number of hours from 1 to 24")),
            lines.join("\n"),
        );
    });
});
