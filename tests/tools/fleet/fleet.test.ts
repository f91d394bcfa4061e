import { strict as assert } from "assert";
import * as fc from "fast-check";
import * as ical from "node-ical";
import { windowsIcs, occurrenceUid } from "../../../tools/fleet/ics";
import {
    accountOf,
    analyzeFleet,
    approvedAt,
    checkClashes,
    checkQuota,
    checkRolloutOrder,
    checkSharedGroups,
    duration,
    fleetCalendar,
    FleetGroup,
    FleetStack,
    FleetWindow,
    quotaUsage,
    RolloutFinding,
} from "../../../tools/fleet";

const FROM = new Date("2026-11-26T00:00:00Z"); // a Thursday
const opts = { from: FROM, days: 90, soakDays: 3 };

const win = (name: string, schedule: string, patchGroups: string[], extra: Partial<FleetWindow> = {}): FleetWindow => ({
    name,
    schedule,
    timezone: "UTC",
    durationHours: 5,
    patchGroups,
    operation: "Install",
    ...extra,
});
const windowsGroup = (afterDays: number, name = "Windows"): FleetGroup => ({
    name,
    operatingSystem: "WINDOWS",
    baseline: "default-windows",
    approvals: [{ kind: "afterDays", days: afterDays }],
});
const stack = (
    name: string,
    production: boolean,
    windows: readonly FleetWindow[],
    groups: FleetGroup[],
    extra: Partial<FleetStack> = {},
): FleetStack => ({
    stack: name,
    environment: production ? "production" : "development",
    production,
    region: "eu-west-1",
    windows,
    groups,
    ...extra,
});

describe("fleet (npm run plan -- --all)", function () {
    describe("approval timing", function () {
        const day = new Date("2026-12-08T00:00:00Z");
        it("approveAfterDays counts whole days from the release day; untilDate approves what is released by then", function () {
            assert.equal(approvedAt({ kind: "afterDays", days: 7 }, day)?.toISOString(), "2026-12-15T00:00:00.000Z");
            assert.equal(approvedAt({ kind: "onRelease" }, day)?.toISOString(), "2026-12-08T00:00:00.000Z");
            assert.equal(approvedAt({ kind: "untilDate", date: "2026-12-08" }, day)?.toISOString(), "2026-12-08T00:00:00.000Z");
            assert.equal(approvedAt({ kind: "untilDate", date: "2026-12-07" }, day), undefined);
        });

        it("durations read as days and hours", function () {
            assert.equal(duration(3 * 86_400_000 + 3_600_000), "3 days 1 h");
            assert.equal(duration(2 * 3_600_000), "2 h");
            assert.equal(duration(86_400_000), "1 day");
        });
    });

    describe("rollout order", function () {
        const weekday = "cron(0 22 ? * MON-FRI *)";

        it("a pair that patches production first is caught, with the window, the delays and the dates", function () {
            const dev = stack("dev", false, [win("dev-weekday", weekday, ["Windows"])], [windowsGroup(7)]);
            const prod = stack("prod", true, [win("prod-weekday", weekday, ["Windows"])], [windowsGroup(0)]);
            const findings = checkRolloutOrder([dev, prod], opts);
            assert.equal(findings.length, 1);
            const [f] = findings;
            assert.equal(f.stack, "prod");
            assert.equal(f.operatingSystem, "WINDOWS");
            assert.equal(f.productionWindow, "prod-weekday");
            assert.equal(f.nonProductionWindow, "dev-weekday");
            assert.equal(f.releaseDays.length, 90, "every release day breaks the order");
            assert.deepEqual(f.example, {
                releaseDay: "2026-11-26",
                productionApproved: "2026-11-26T00:00:00.000Z",
                productionStart: "2026-11-26T22:00:00.000Z",
                nonProductionStack: "dev",
                nonProductionApproved: "2026-12-03T00:00:00.000Z",
                nonProductionStart: "2026-12-03T22:00:00.000Z",
                soakHours: -168,
            });
            assert.equal(
                f.message,
                "prod patches WINDOWS before non-production has had it for 3 days: a WINDOWS patch released on 2026-11-26 is approved in prod " +
                    'on 2026-11-26 (baseline "default-windows", approveAfterDays 0) and installed by window "prod-weekday" (Windows) at 2026-11-26 22:00 UTC, ' +
                    '7 days before it first reaches non-production: dev window "dev-weekday" (Windows, baseline "default-windows", approveAfterDays 7) ' +
                    "at 2026-12-03 22:00 UTC. The same holds for 89 more release days (2026-11-27, 2026-11-28, 2026-11-29, 2026-11-30, 2026-12-01, ...). " +
                    'Raise prod\'s approval delay, move window "prod-weekday" later, or patch non-production sooner.',
            );
            const report = analyzeFleet([dev, prod], opts);
            assert.ok(report.findings.some((x) => x.level === "blocking"));
        });

        it("exactly the soak time passes; an hour less breaks it", function () {
            const daily = (h: number) => `cron(0 ${h} * * ? *)`;
            const dev = stack("dev", false, [win("dev-daily", daily(22), ["Windows"])], [windowsGroup(0)]);
            const prodOk = stack("prod", true, [win("prod-daily", daily(22), ["Windows"])], [windowsGroup(3)]);
            assert.deepEqual(checkRolloutOrder([dev, prodOk], opts), []);
            const prodEarly = stack("prod", true, [win("prod-daily", daily(21), ["Windows"])], [windowsGroup(3)]);
            const [f] = checkRolloutOrder([dev, prodEarly], opts);
            assert.equal(f.example.soakHours, 71);
            assert.match(
                f.message,
                /at 2026-11-29 21:00 UTC, only 2 days 23 h after it first reaches non-production: dev window "dev-daily"/,
            );
            // The soak time is configurable.
            assert.deepEqual(checkRolloutOrder([dev, prodEarly], { ...opts, soakDays: 2 }), []);
        });

        it("an OS that no non-production stack installs breaks the order; a Scan-only window does not install", function () {
            const rhel: FleetGroup = {
                name: "RHEL",
                operatingSystem: "REDHAT_ENTERPRISE_LINUX",
                baseline: "default-rhel",
                approvals: [{ kind: "afterDays", days: 7 }],
            };
            const dev = stack(
                "dev",
                false,
                [win("dev-weekday", weekday, ["Windows", "RHEL"], { operation: "Scan" })],
                [windowsGroup(0), rhel],
            );
            const prod = stack("prod", true, [win("prod-weekend", "cron(0 6 ? * SAT,SUN *)", ["RHEL"])], [rhel]);
            const [f] = checkRolloutOrder([dev, prod], opts);
            assert.equal(f.nonProductionWindow, null);
            assert.match(
                f.message,
                /but no non-production window installs it first \(no non-production stack installs REDHAT_ENTERPRISE_LINUX patches/,
            );
            assert.equal(f.example.productionStart, "2026-12-05T06:00:00.000Z");
        });

        it("non-production counts its slowest rule, production its fastest; a past approveUntilDate never approves", function () {
            const mixedDev: FleetGroup = {
                ...windowsGroup(0),
                approvals: [
                    { kind: "afterDays", days: 0 },
                    { kind: "afterDays", days: 10 },
                ],
            };
            const dev = stack("dev", false, [win("dev-daily", "cron(0 22 * * ? *)", ["Windows"])], [mixedDev]);
            const prod = stack("prod", true, [win("prod-daily", "cron(0 22 * * ? *)", ["Windows"])], [windowsGroup(7)]);
            const [f] = checkRolloutOrder([dev, prod], opts);
            assert.equal(f.example.nonProductionApproved, "2026-12-06T00:00:00.000Z");
            assert.match(f.message, /approveAfterDays 10\) at 2026-12-06 22:00 UTC/);

            const frozenDev: FleetGroup = { ...windowsGroup(0), approvals: [{ kind: "untilDate", date: "2026-01-01" }] };
            const [g] = checkRolloutOrder([stack("dev", false, dev.windows, [frozenDev]), prod], opts);
            assert.equal(g.nonProductionWindow, null);
        });

        it("property: a longer production delay or a shorter non-production delay never adds a broken release day", function () {
            const schedules = [
                "cron(0 22 ? * MON-FRI *)",
                "cron(0 6 ? * SAT,SUN *)",
                "cron(0 23 ? * THU#1 *)",
                "cron(30 2 * * ? *)",
                "cron(0 23 ? * TUE#2 *)",
            ];
            const broken = (devDays: number, prodDays: number, devCron: string, prodCron: string) =>
                checkRolloutOrder(
                    [
                        stack("dev", false, [win("dev", devCron, ["Windows"])], [windowsGroup(devDays)]),
                        stack("prod", true, [win("prod", prodCron, ["Windows"])], [windowsGroup(prodDays)]),
                    ],
                    { from: FROM, days: 21, soakDays: 3 },
                ).flatMap((f) => f.releaseDays);
            fc.assert(
                fc.property(
                    fc.integer({ min: 0, max: 10 }),
                    fc.integer({ min: 0, max: 10 }),
                    fc.integer({ min: 1, max: 5 }),
                    fc.constantFrom(...schedules),
                    fc.constantFrom(...schedules),
                    (devDays, prodDays, more, devCron, prodCron) => {
                        const base = new Set(broken(devDays, prodDays, devCron, prodCron));
                        for (const d of broken(devDays, prodDays + more, devCron, prodCron))
                            assert.ok(base.has(d), `prod +${more} days broke ${d}`);
                        if (devDays >= more)
                            for (const d of broken(devDays - more, prodDays, devCron, prodCron))
                                assert.ok(base.has(d), `dev -${more} days broke ${d}`);
                    },
                ),
                { numRuns: 15 },
            );
        });

        it("a production stack alone with no windows installing its OS has nothing to check", function () {
            const prod = stack("prod", true, [win("prod-scan", weekday, ["Windows"], { operation: "Scan" })], [windowsGroup(7)]);
            assert.deepEqual(checkRolloutOrder([prod], opts), []);
        });
    });

    describe("clashes", function () {
        it("role waves of one stack that overlap are reported with the first overlap", function () {
            const prod = stack(
                "prod",
                true,
                [
                    win("web", "cron(0 23 ? * THU#1 *)", ["Web Server"], { durationHours: 6 }),
                    win("db", "cron(0 2 ? * FRI *)", ["Database Server"], { durationHours: 2 }),
                    win("app", "cron(0 23 ? * THU#2 *)", ["Application Server"], { durationHours: 6 }),
                ],
                [],
            );
            const findings = checkClashes([prod], opts);
            assert.deepEqual(
                findings.map((f) => [f.windows, f.overlaps]),
                [
                    [
                        ["web", "db"],
                        ["2026-12-03T23:00:00.000Z", "2027-01-07T23:00:00.000Z", "2027-02-04T23:00:00.000Z"],
                    ],
                    [
                        ["db", "app"],
                        ["2026-12-11T02:00:00.000Z", "2027-01-15T02:00:00.000Z", "2027-02-12T02:00:00.000Z"],
                    ],
                ],
            );
            assert.equal(
                findings[0].message,
                'prod (eu-west-1): windows "web" (Web Server) and "db" (Database Server) overlap 3 times in the next 90 days, first ' +
                    "2026-12-03 23:00 UTC–2026-12-04 05:00 UTC against 2026-12-04 02:00 UTC–2026-12-04 04:00 UTC; stagger them so that the waves do not patch at once",
            );
            assert.ok(findings.every((f) => f.level === "advisory" && f.region === "eu-west-1"));
        });

        it("the same windows in two regions (patch-manager:regions) do not clash; overlaps within one region still do", function () {
            const waves = (region: string) => [
                win("web", "cron(0 23 ? * THU#1 *)", ["Web Server"], { durationHours: 6, region }),
                win("app", "cron(0 23 ? * THU#2 *)", ["Application Server"], { durationHours: 6, region }),
            ];
            const multi = stack("multi", true, [...waves("eu-west-1"), ...waves("eu-central-1")], []);
            assert.deepEqual(checkClashes([multi], opts), []);
            const clashing = stack(
                "multi",
                true,
                [
                    ...waves("eu-west-1"),
                    ...waves("eu-central-1"),
                    win("db", "cron(0 2 ? * FRI *)", ["Database Server"], { region: "eu-central-1" }),
                ],
                [],
            );
            const findings = checkClashes([clashing], opts);
            assert.deepEqual(
                findings.map((f) => [f.region, f.windows]),
                [
                    ["eu-central-1", ["web", "db"]],
                    ["eu-central-1", ["app", "db"]],
                ],
            );
            assert.match(findings[0].message, /^multi \(eu-central-1\): windows "web"/);
        });

        it("windows that only touch (one ends as the next starts) do not clash; other stacks' windows are not compared", function () {
            const a = stack(
                "a",
                false,
                [win("night", "cron(0 22 * * ? *)", ["A"], { durationHours: 2 }), win("after", "cron(0 0 * * ? *)", ["B"])],
                [],
            );
            const b = stack("b", false, [win("night", "cron(0 22 * * ? *)", ["A"])], []);
            assert.deepEqual(checkClashes([a, b], opts), []);
        });
    });

    describe("patch groups that two stacks register in one account and region", function () {
        const daily = "cron(0 22 * * ? *)";
        const withGroups = (name: string, groups: string[], extra: Partial<FleetStack> = {}) =>
            stack(
                name,
                name !== "dev",
                [win(`${name}-nightly`, daily, groups)],
                groups.map((g) => windowsGroup(3, g)),
                extra,
            );

        it("the same account pinned: blocking, with the stacks, the groups, the region and what to do", function () {
            const dev = withGroups("dev", ["Windows", "Web Server"], { account: "111111111111" });
            const prod = withGroups("prod", ["Web Server", "Database Server"], { account: "111111111111" });
            const findings = checkSharedGroups([dev, prod]);
            assert.equal(findings.length, 1);
            const [f] = findings;
            assert.deepEqual(
                [f.check, f.level, f.region, f.account, f.stacks, f.patchGroups],
                [
                    "shared-patch-group",
                    "blocking",
                    "eu-west-1",
                    "111111111111",
                    ["dev", "prod"],
                    [{ name: "Web Server", stacks: ["dev", "prod"] }],
                ],
            );
            assert.match(
                f.message,
                /^dev and prod deploy into account 111111111111, region eu-west-1, and register the same patch group "Web Server" \(dev, prod\): maintenance-window targets select instances by the Patch Group tag alone, so each stack's windows would patch the others' instances/,
            );
            assert.match(f.message, /the second stack's patch-group registration fails/);
            assert.match(
                f.message,
                /deploy the stacks into separate accounts and pin each with aws:allowedAccountIds, or give the groups distinct names/,
            );
            assert.ok(
                analyzeFleet([dev, prod], { ...opts, days: 7 }).findings.some(
                    (x) => x.check === "shared-patch-group" && x.level === "blocking",
                ),
            );
        });

        it("an account not pinned on either side: advisory", function () {
            const dev = withGroups("dev", ["Windows", "Web Server"]);
            const prod = withGroups("prod", ["Windows", "Web Server"], { account: "111111111111" });
            const test = withGroups("test", ["Web Server"]);
            const [f, ...more] = checkSharedGroups([dev, prod, test]);
            assert.deepEqual(more, []);
            assert.deepEqual(
                [f.level, f.account, f.stacks, f.patchGroups],
                [
                    "advisory",
                    null,
                    ["dev", "prod", "test"],
                    [
                        { name: "Windows", stacks: ["dev", "prod"] },
                        { name: "Web Server", stacks: ["dev", "prod", "test"] },
                    ],
                ],
            );
            assert.match(
                f.message,
                /^dev, prod and test register the same patch groups in region eu-west-1: "Windows" \(dev, prod\); "Web Server" \(dev, prod, test\); aws:allowedAccountIds does not pin the account of dev and test, so they may share one\./,
            );
        });

        it("different pinned accounts, different regions, or different names: no finding", function () {
            const groups = ["Windows", "Web Server"];
            assert.deepEqual(
                checkSharedGroups([
                    withGroups("dev", groups, { account: "111111111111" }),
                    withGroups("prod", groups, { account: "222222222222" }),
                ]),
                [],
            );
            assert.deepEqual(checkSharedGroups([withGroups("dev", groups), withGroups("prod", groups, { region: "us-east-1" })]), []);
            assert.deepEqual(checkSharedGroups([withGroups("dev", ["dev-Web"]), withGroups("prod", ["prod-Web"])]), []);
        });

        it("a group registered in several regions (patch-manager:regions) meets other stacks in each", function () {
            const multi = stack("multi", true, [], [{ ...windowsGroup(3, "Web Server"), regions: ["eu-west-1", "eu-central-1"] }], {
                account: "111111111111",
            });
            const central = withGroups("dev", ["Web Server"], { region: "eu-central-1", account: "111111111111" });
            const findings = checkSharedGroups([multi, central]);
            assert.deepEqual(
                findings.map((f) => [f.level, f.region, f.stacks]),
                [["blocking", "eu-central-1", ["multi", "dev"]]],
            );
            assert.deepEqual(checkSharedGroups([multi]), [], "one stack in two regions does not meet itself");
        });
    });

    describe("quota", function () {
        const many = (name: string, n: number, extra: Partial<FleetStack> = {}) =>
            stack(
                name,
                false,
                Array.from({ length: n }, (_, i) => win(`${name}-${i}`, "cron(0 22 ? * SUN *)", [])),
                [],
                extra,
            );

        it("stacks in one region count together unless they pin different accounts", function () {
            const [f] = checkQuota([many("a", 30), many("b", 25), many("c", 10, { region: "us-east-1" })]);
            assert.equal(f.windows, 55);
            assert.deepEqual(f.stacks, ["a", "b"]);
            assert.equal(
                f.message,
                "55 maintenance windows in one account (assumed: no aws:allowedAccountIds), region eu-west-1 (stacks a, b) exceed the SSM default quota of 50 per account and region; request a quota increase or merge windows",
            );
            assert.deepEqual(checkQuota([many("a", 30, { account: "111111111111" }), many("b", 25, { account: "222222222222" })]), []);
            assert.deepEqual(checkQuota([many("a", 25), many("b", 25)]), [], "50 is within the quota");
            assert.deepEqual(
                quotaUsage([many("a", 2), many("c", 1, { region: "us-east-1" })]).map((u) => [u.region, u.windows]),
                [
                    ["eu-west-1", 2],
                    ["us-east-1", 1],
                ],
            );
        });

        it("a window created in another region (explicit provider) counts there", function () {
            const multi = stack(
                "multi",
                true,
                [win("a", "cron(0 22 ? * SUN *)", []), win("b", "cron(0 22 ? * SUN *)", [], { region: "eu-central-1" })],
                [],
            );
            assert.deepEqual(
                quotaUsage([multi, many("other", 1, { region: "eu-central-1" })]).map((u) => [u.region, u.windows, u.stacks]),
                [
                    ["eu-west-1", 1, ["multi"]],
                    ["eu-central-1", 2, ["multi", "other"]],
                ],
            );
        });

        it("the account comes from aws:allowedAccountIds when it names one", function () {
            assert.equal(accountOf({ "aws:allowedAccountIds": '["123456789012"]' }), "123456789012");
            assert.equal(accountOf({ "aws:allowedAccountIds": '["123456789012","210987654321"]' }), undefined);
            assert.equal(accountOf({ "aws:region": "eu-west-1" }), undefined);
        });
    });

    describe("--ics", function () {
        it("one event per occurrence with its real length, groups and operation; parsed back by node-ical", function () {
            const prod = stack(
                "prod",
                true,
                [
                    win("prod-weekend", "cron(0 6 ? * SAT,SUN *)", ["Windows", "RHEL"], { timezone: "Europe/Amsterdam" }),
                    win("prod-web", "cron(0 23 ? * THU#1 *)", ["Web Server"], {
                        timezone: "Europe/Amsterdam",
                        durationHours: 6,
                        operation: "Scan",
                    }),
                ],
                [],
            );
            const occurrences = fleetCalendar([prod], FROM, 14);
            const text = windowsIcs(occurrences, { stamp: FROM });
            assert.equal(windowsIcs(occurrences, { stamp: FROM }), text, "the same input gives the same file");
            const events = Object.values(ical.sync.parseICS(text)).filter((c): c is ical.VEvent => c?.type === "VEVENT");
            const rows = events
                .map((e) => [e.start.toISOString(), e.end!.toISOString(), String(e.summary)])
                .sort((a, b) => a[0].localeCompare(b[0]));
            assert.deepEqual(rows, [
                ["2026-11-28T05:00:00.000Z", "2026-11-28T10:00:00.000Z", "Patching prod (eu-west-1): Install · Windows, RHEL"],
                ["2026-11-29T05:00:00.000Z", "2026-11-29T10:00:00.000Z", "Patching prod (eu-west-1): Install · Windows, RHEL"],
                ["2026-12-03T22:00:00.000Z", "2026-12-04T04:00:00.000Z", "Patching prod (eu-west-1): Scan · Web Server"],
                ["2026-12-05T05:00:00.000Z", "2026-12-05T10:00:00.000Z", "Patching prod (eu-west-1): Install · Windows, RHEL"],
                ["2026-12-06T05:00:00.000Z", "2026-12-06T10:00:00.000Z", "Patching prod (eu-west-1): Install · Windows, RHEL"],
            ]);
            const web = events.find((e) => String(e.summary).includes("Web Server"))!;
            assert.match(
                String(web.description),
                /^Stack: prod\nRegion: eu-west-1\nMaintenance window: prod-web\nOperation: Scan\nPatch groups: Web Server\nStarts Thu 2026-12-03 23:00 CET \(Europe\/Amsterdam\), runs 6 hours/,
            );
            assert.equal(web.uid, "20261203T220000Z-prod-eu-west-1-prod-web@patch-manager");
            assert.equal(new Set(events.map((e) => e.uid)).size, events.length, "UIDs are unique");
            assert.match(text, /\r\nMETHOD:PUBLISH\r\n/);
        });

        it("UIDs stay the same for the same occurrence and differ per stack", function () {
            const start = new Date("2026-12-03T22:00:00Z");
            assert.equal(
                occurrenceUid({ stack: "prod", window: "w", start }),
                occurrenceUid({ stack: "prod", window: "w", start: new Date(start) }),
            );
            assert.notEqual(occurrenceUid({ stack: "prod", window: "w", start }), occurrenceUid({ stack: "dev", window: "w", start }));
            assert.notEqual(
                occurrenceUid({ stack: "prod", window: "w", start, region: "eu-west-1" }),
                occurrenceUid({ stack: "prod", window: "w", start, region: "eu-central-1" }),
                "the same window in two regions",
            );
        });
    });

    it("findings carry the check and level for --json", function () {
        const dev = stack("dev", false, [win("dev", "cron(0 22 ? * MON-FRI *)", ["Windows"])], [windowsGroup(7)]);
        const prod = stack("prod", true, [win("prod", "cron(0 22 ? * MON-FRI *)", ["Windows"])], [windowsGroup(0)]);
        const report = analyzeFleet([dev, prod], { ...opts, days: 14 });
        const f = report.findings[0] as RolloutFinding;
        assert.deepEqual([f.check, f.level, report.days, report.soakDays], ["rollout-order", "blocking", 14, 3]);
        assert.equal(report.calendar.length, 20, "10 weekdays in 14 days from a Thursday, two stacks");
        assert.deepEqual(report.quota, [{ account: null, region: "eu-west-1", stacks: ["dev", "prod"], windows: 2, limit: 50 }]);
    });
});
