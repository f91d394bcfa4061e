import { strict as assert } from "assert";
import * as z from "zod";
import { encodingOf } from "../../config/decode";
import { KEYS } from "../../config/keys";
import { ConfigError, parseConfig, PatchManagerConfig, UNDECRYPTED_SECRET } from "../../config";
import { defaultRateControl, environmentWindowTiming } from "../../config/defaults";
import { defaultApprovalRules, filterKeyProblem } from "../../config/approvalRules";
import { OPERATING_SYSTEMS } from "@patch-manager/ssm";
import { projectValues } from "../../tools/mock/mockProgram";
import { onlyAt, problems, raw, refused, shippedConfig } from "../helpers";

const group = (extra: Record<string, unknown> = {}) => ({ name: "Web Server", operatingSystem: "WINDOWS", ...extra });
const env = { environment: "production" };

describe("config", function () {
    describe("the shipped stacks", function () {
        it("dev: development, weekday window, the default groups in the environment window", function () {
            const c = parseConfig(projectValues(shippedConfig("dev")), "dev");
            assert.equal(c.environment, "development");
            assert.equal(c.windowKind, "weekday");
            assert.equal(c.timezone, "Europe/Amsterdam");
            assert.deepEqual(c.environmentWindow, { schedule: "cron(0 22 ? * MON-FRI *)", duration: 5, cutoff: 1 });
            assert.equal(c.patchGroups.length, 7);
            assert.ok(c.patchGroups.every((g) => g.window === undefined));
        });

        it("prod: weekend window and four monthly waves", function () {
            const c = parseConfig(projectValues(shippedConfig("prod")), "prod");
            assert.equal(c.windowKind, "weekend");
            assert.equal(c.production, true);
            assert.deepEqual(
                c.patchGroups
                    .filter((g) => g.window)
                    .map((g) => [g.name, g.window!.schedule, g.window!.scheduleOffset, g.window!.duration]),
                // patchTuesday daysAfter 9, 10, 16, 17: the third and fourth Tuesday plus an offset.
                [
                    ["Management Server", "cron(0 23 ? * TUE#3 *)", 2, 6],
                    ["Web Server", "cron(0 23 ? * TUE#3 *)", 3, 6],
                    ["Application Server", "cron(0 23 ? * TUE#4 *)", 2, 6],
                    ["Database Server", "cron(0 23 ? * TUE#4 *)", 3, 6],
                ],
            );
        });
    });

    describe("defaults", function () {
        it("only environment is required; the rest follows the defaults and the environment", function () {
            const c: PatchManagerConfig = parseConfig(raw(env), "p");
            assert.equal(c.windowKind, "weekend");
            assert.equal(c.timezone, "UTC");
            assert.equal(c.operation, "Install");
            assert.deepEqual(c.rateControl, defaultRateControl("production"));
            assert.equal(c.approveAfterDays, 7);
            assert.equal(c.patchGroupTagKey, "Patch Group");
            assert.deepEqual(
                c.patchGroups.map((g) => g.name),
                ["Windows", "RHEL", "Windows2012", "Management Server", "Web Server", "Application Server", "Database Server"],
            );
            assert.equal(c.patchGroups.find((g) => g.name === "Windows2012")!.baseline, "windows2012-security");
            assert.deepEqual(c.logging, { keyPrefix: "patching", expireAfterDays: 365, retainOnDelete: true });
            const sandbox = parseConfig(raw({ environment: "sandbox" }), "s");
            assert.equal(sandbox.windowKind, "weekday");
            assert.equal(sandbox.approveAfterDays, 3);
            assert.equal(sandbox.logging.retainOnDelete, false);
        });

        it("environment windows: weekdays 22:00 and weekends 06:00, 5 hours each", function () {
            assert.deepEqual(environmentWindowTiming("weekday"), { schedule: "cron(0 22 ? * MON-FRI *)", duration: 5, cutoff: 1 });
            assert.deepEqual(environmentWindowTiming("weekend"), { schedule: "cron(0 6 ? * SAT,SUN *)", duration: 5, cutoff: 1 });
        });

        it("a one-hour window gets no cutoff rather than an impossible one", function () {
            const c = parseConfig(
                raw({ ...env, patchGroups: [group({ schedule: { cron: "cron(0 2 ? * SUN *)", durationHours: 1 } })] }),
                "p",
            );
            assert.equal(c.patchGroups[0].window!.cutoff, 0);
        });
    });

    describe("patchTuesday: N days after Patch Tuesday", function () {
        const pt = (patchTuesday: unknown, extra: Record<string, unknown> = {}) => ({
            ...env,
            patchGroups: [group({ schedule: { patchTuesday, durationHours: 6, ...extra } })],
        });

        it("compiles to the second Tuesday plus scheduleOffset, and to later Tuesdays for whole weeks", function () {
            const two = parseConfig(raw(pt({ daysAfter: 2, at: "23:00" })), "p").patchGroups[0].window;
            assert.deepEqual(two, { schedule: "cron(0 23 ? * TUE#2 *)", scheduleOffset: 2, duration: 6, cutoff: 1 });
            const zero = parseConfig(raw(pt({ daysAfter: 0, at: "04:30" })), "p").patchGroups[0].window;
            assert.deepEqual(zero, { schedule: "cron(30 4 ? * TUE#2 *)", duration: 6, cutoff: 1 });
            const nine = parseConfig(raw(pt({ daysAfter: 9, at: "22:00" })), "p").patchGroups[0].window;
            assert.deepEqual(nine, { schedule: "cron(0 22 ? * TUE#3 *)", scheduleOffset: 2, duration: 6, cutoff: 1 });
        });

        it("refuses neither or both of cron and patchTuesday, and offsetDays beside it", function () {
            refused(
                { ...env, patchGroups: [group({ schedule: { durationHours: 6 } })] },
                "patch-manager:patchGroups[0].schedule.cron",
                "is required unless patchTuesday is set",
            );
            refused(
                pt({ daysAfter: 2, at: "23:00" }, { cron: "cron(0 23 ? * TUE#2 *)" }),
                "patch-manager:patchGroups[0].schedule.patchTuesday",
                "set cron or patchTuesday, not both",
            );
            refused(
                pt({ daysAfter: 2, at: "23:00" }, { offsetDays: 1 }),
                "patch-manager:patchGroups[0].schedule.offsetDays",
                "patchTuesday.daysAfter",
            );
        });

        it("refuses bad days and times with the key path", function () {
            refused(pt({ daysAfter: 21, at: "23:00" }), "patch-manager:patchGroups[0].schedule.patchTuesday.daysAfter", "0 to 20");
            refused(pt({ daysAfter: -1, at: "23:00" }), "patch-manager:patchGroups[0].schedule.patchTuesday.daysAfter", "0 to 20");
            refused(pt({ daysAfter: 2, at: "11pm" }), "patch-manager:patchGroups[0].schedule.patchTuesday.at", "HH:MM");
            refused(pt({ daysAfter: 2 }), "patch-manager:patchGroups[0].schedule.patchTuesday.at", "HH:MM");
            refused(
                pt({ daysAfter: 2, days: 2, at: "23:00" }),
                "patch-manager:patchGroups[0].schedule.patchTuesday",
                '"days"',
                "daysAfter, at",
            );
        });

        it("neither cron nor patchTuesday is reported beside another problem of the schedule", function () {
            const lines = problems({ ...env, patchGroups: [group({ schedule: { durationHours: 30 } })] });
            assert.ok(
                lines.some((l) => l.includes("schedule.durationHours: ")),
                lines.join("\n"),
            );
            assert.ok(
                lines.some((l) => l.includes("schedule.cron: is required unless patchTuesday")),
                lines.join("\n"),
            );
        });
    });

    describe("bad input is refused with the file, the key path and what is valid", function () {
        it("unknown environment, window, operation and operating system", function () {
            refused({ environment: "prod" }, "patch-manager:environment", '"prod" is not valid', '"production"');
            refused({ ...env, window: "weekly" }, "patch-manager:window", '"weekday", "weekend"');
            refused({ ...env, operation: "install" }, "patch-manager:operation", '"Scan", "Install"');
            refused(
                { ...env, patchGroups: [group({ operatingSystem: "WINDOWZ" })] },
                "patch-manager:patchGroups[0].operatingSystem",
                '"WINDOWS"',
                '"AMAZON_LINUX_2023"',
            );
            refused({}, "patch-manager:environment", "is required");
        });

        it("a map where a string belongs, even one with its own toString key (FC_SEED=311 found it crashing a cross-check)", function () {
            refused({ ...env, patchGroups: [group({ name: { toString: "Web Server" } })] }, "patch-manager:patchGroups[0].name");
            refused({ ...env, patchGroups: [group({ baseline: { valueOf: null } })] }, "patch-manager:patchGroups[0].baseline");
        });

        it("a bad timezone", function () {
            refused({ ...env, timezone: "Mars/Olympus" }, "patch-manager:timezone", "Mars/Olympus");
        });

        it("malformed cron and rate expressions", function () {
            const at = "patch-manager:patchGroups[0].schedule.cron";
            refused({ ...env, patchGroups: [group({ schedule: { cron: "0 23 * * 2", durationHours: 4 } })] }, at);
            refused({ ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * TUE)", durationHours: 4 } })] }, at);
            refused({ ...env, patchGroups: [group({ schedule: { cron: "rate(1 hours)", durationHours: 4 } })] }, at, "rate(1 hour)");
        });

        it("an hour range in a cron, with the fix", function () {
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(00 23-5 ? * TUE#1 *)", durationHours: 6 } })] },
                "patch-manager:patchGroups[0].schedule.cron",
                "23-5",
                "durationHours",
            );
        });

        it("both day-of-month and day-of-week set", function () {
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 1 * TUE *)", durationHours: 4 } })] },
                "patch-manager:patchGroups[0].schedule.cron",
                "?",
            );
        });

        it("a schedule that never starts again: a year field of past years, an at() in the past", function () {
            const at = "patch-manager:patchGroups[0].schedule.cron";
            // "From now on" is the clock the caller passes: a fixed one, so no expected value holds today's date.
            const now = new Date("2026-12-01T12:00:00Z");
            const refused = (values: Record<string, unknown>, path: string, ...fragments: string[]) => {
                try {
                    parseConfig(raw(values), "test", undefined, { now });
                } catch (e) {
                    return onlyAt((e as ConfigError).lines(), "Pulumi.test.yaml", path, ...fragments);
                }
                assert.fail("expected the config to be refused");
            };
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * MON-FRI 2020)", durationHours: 4 } })] },
                at,
                'never starts after 2026-12-01: the year field "2020" names only past years',
                "never be patched",
            );
            refused(
                {
                    ...env,
                    patchGroups: [group({ schedule: { cron: "cron(0 23 ? * MON-FRI 2019-2020)", durationHours: 4, offsetDays: 2 } })],
                },
                at,
                'the year field "2019-2020" names only past years',
            );
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "at(2020-01-01T00:00:00)", durationHours: 4 } })] },
                at,
                'never starts after 2026-12-01: "at(2020-01-01T00:00:00)" is in the past',
            );
            // A year list that still holds a future year starts then; every year is fine.
            parseConfig(
                raw({ ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * MON-FRI 2020,2199)", durationHours: 4 } })] }),
                "test",
                undefined,
                { now },
            );
            parseConfig(
                raw({ ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * MON-FRI *)", durationHours: 4 } })] }),
                "test",
                undefined,
                { now },
            );
            // The rule reads the clock it is given: the same year field starts again when "now" is before it.
            parseConfig(
                raw({ ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * MON-FRI 2020)", durationHours: 4 } })] }),
                "test",
                undefined,
                { now: new Date("2019-06-01T00:00:00Z") },
            );
        });

        it("duration outside 1–24 and cutoff not below duration", function () {
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * TUE#1 *)", durationHours: 25 } })] },
                "patch-manager:patchGroups[0].schedule.durationHours",
                "1 to 24",
            );
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * TUE#1 *)", durationHours: 0 } })] },
                "patch-manager:patchGroups[0].schedule.durationHours",
                "1 to 24",
            );
            refused(
                { ...env, patchGroups: [group({ schedule: { cron: "cron(0 23 ? * TUE#1 *)", durationHours: 4, cutoffHours: 4 } })] },
                "patch-manager:patchGroups[0].schedule.cutoffHours",
                "less than durationHours (4)",
            );
        });

        it("malformed rate control", function () {
            refused({ ...env, rateControl: { maxConcurrency: "0", maxErrors: "1" } }, "patch-manager:rateControl.maxConcurrency", '"10%"');
            refused({ ...env, rateControl: { maxConcurrency: "10%", maxErrors: 5 } }, "patch-manager:rateControl.maxErrors", "string");
            refused(
                { ...env, rateControl: { maxConcurrency: "150%", maxErrors: "1" } },
                "patch-manager:rateControl.maxConcurrency",
                "100%",
            );
            refused({ ...env, rateControl: { maxConcurrency: "10%" } }, "patch-manager:rateControl.maxErrors");
        });

        it("duplicate and invalid patch-group names", function () {
            refused({ ...env, patchGroups: [group(), group()] }, "patch-manager:patchGroups[1].name", "already patchGroups[0]");
            refused(
                { ...env, patchGroups: [group(), group({ name: "web-server" })] },
                "patch-manager:patchGroups[1].name",
                "same resource names",
            );
            refused(
                { ...env, patchGroups: [group({ name: "Web|Server" })] },
                "patch-manager:patchGroups[0].name",
                "letters, digits, spaces",
            );
            refused({ ...env, patchGroups: [group({ name: "" })] }, "patch-manager:patchGroups[0].name");
        });

        it("a group pointing at a baseline that does not exist, or at another OS's baseline", function () {
            refused(
                {
                    ...env,
                    baselines: [{ name: "rhel-strict", operatingSystem: "REDHAT_ENTERPRISE_LINUX" }],
                    patchGroups: [group({ baseline: "windows-strict" })],
                },
                "patch-manager:patchGroups[0].baseline",
                '"windows-strict" is not a baseline',
                '"rhel-strict"',
            );
            refused(
                {
                    ...env,
                    baselines: [{ name: "rhel-strict", operatingSystem: "REDHAT_ENTERPRISE_LINUX" }],
                    patchGroups: [group({ baseline: "rhel-strict" })],
                },
                "patch-manager:patchGroups[0].baseline",
                "is for REDHAT_ENTERPRISE_LINUX",
                "WINDOWS",
            );
        });

        it("baselines: bad filters, limits, approval delay where the OS has none, two defaults for one OS", function () {
            refused(
                { ...env, baselines: [{ name: "w", operatingSystem: "WINDOWS" }] },
                "patch-manager:baselines[0].name",
                "3–100 characters",
            );
            refused(
                {
                    ...env,
                    baselines: [
                        { name: "win", operatingSystem: "WINDOWS", approvalRules: [{ patchFilters: [{ key: "COLOUR", values: ["x"] }] }] },
                    ],
                },
                "patch-manager:baselines[0].approvalRules[0].patchFilters[0].key",
                '"CLASSIFICATION"',
            );
            refused(
                {
                    ...env,
                    baselines: [
                        {
                            name: "ubu",
                            operatingSystem: "UBUNTU",
                            approvalRules: [{ patchFilters: [{ key: "PRIORITY", values: ["Required"] }], approveAfterDays: 7 }],
                        },
                    ],
                },
                "patch-manager:baselines[0].approvalRules[0].approveAfterDays",
                "stagger rollout with the groups' windows",
            );
            refused(
                {
                    ...env,
                    baselines: [
                        { name: "win-pinned", operatingSystem: "WINDOWS", approvedPatches: Array.from({ length: 51 }, (_, i) => `KB${i}`) },
                    ],
                },
                "patch-manager:baselines[0].approvedPatches",
                "at most 50",
            );
            refused(
                {
                    ...env,
                    baselines: [
                        { name: "win-a", operatingSystem: "WINDOWS", registerAsDefault: true },
                        { name: "win-b", operatingSystem: "WINDOWS", registerAsDefault: true },
                    ],
                },
                "patch-manager:baselines[1].registerAsDefault",
                "one default baseline",
            );
            refused(
                { ...env, patchGroups: [{ name: "Macs", operatingSystem: "MACOS" }] },
                "patch-manager:patchGroups[0].baseline",
                "no default baseline",
            );
        });

        it("baselines whose names give the same resource names, and names reserved for generated baselines", function () {
            refused(
                {
                    ...env,
                    baselines: [
                        { name: "my_base", operatingSystem: "WINDOWS" },
                        { name: "my-base", operatingSystem: "WINDOWS" },
                    ],
                },
                "patch-manager:baselines[1].name",
                "same resource names",
            );
            refused(
                { ...env, baselines: [{ name: "default_windows", operatingSystem: "WINDOWS" }] },
                "patch-manager:baselines[0].name",
                "reserved",
            );
        });

        it("real dates, one filter per key, no approval delay where the OS has none", function () {
            refused(
                {
                    ...env,
                    baselines: [
                        {
                            name: "win",
                            operatingSystem: "WINDOWS",
                            approvalRules: [
                                { patchFilters: [{ key: "CLASSIFICATION", values: ["SecurityUpdates"] }], approveUntilDate: "2026-13-45" },
                            ],
                        },
                    ],
                },
                "patch-manager:baselines[0].approvalRules[0].approveUntilDate",
                "not a date",
            );
            refused(
                {
                    ...env,
                    baselines: [
                        {
                            name: "win",
                            operatingSystem: "WINDOWS",
                            approvalRules: [
                                {
                                    patchFilters: [
                                        { key: "CLASSIFICATION", values: ["SecurityUpdates"] },
                                        { key: "CLASSIFICATION", values: ["Updates"] },
                                    ],
                                },
                            ],
                        },
                    ],
                },
                "patch-manager:baselines[0].approvalRules[0].patchFilters[1].key",
                "each filter key once",
            );
            refused(
                { ...env, baselines: [{ name: "ubu", operatingSystem: "UBUNTU", approveAfterDays: 7 }] },
                "patch-manager:baselines[0].approveAfterDays",
                "cannot delay",
            );
            refused(
                { ...env, baselines: [{ name: "win", operatingSystem: "WINDOWS", description: "" }] },
                "patch-manager:baselines[0].description",
                "1 to 1024 characters",
            );
        });

        it("filter keys of another operating system", function () {
            const rule = (key: string, values: string[]) => [{ patchFilters: [{ key, values }] }];
            refused(
                {
                    ...env,
                    baselines: [
                        { name: "rhel", operatingSystem: "REDHAT_ENTERPRISE_LINUX", approvalRules: rule("MSRC_SEVERITY", ["Critical"]) },
                    ],
                },
                "patch-manager:baselines[0].approvalRules[0].patchFilters[0].key",
                "Windows filter key",
            );
            refused(
                { ...env, baselines: [{ name: "win", operatingSystem: "WINDOWS", approvalRules: rule("SEVERITY", ["Critical"]) }] },
                "patch-manager:baselines[0].approvalRules[0].patchFilters[0].key",
                "MSRC_SEVERITY",
            );
            refused(
                {
                    ...env,
                    baselines: [{ name: "al2023", operatingSystem: "AMAZON_LINUX_2023", approvalRules: rule("PRIORITY", ["Required"]) }],
                },
                "patch-manager:baselines[0].approvalRules[0].patchFilters[0].key",
                "Ubuntu, Debian",
            );
        });

        it("the generated approval rules use only filter keys their OS takes", function () {
            for (const os of OPERATING_SYSTEMS) {
                for (const r of defaultApprovalRules(os, 7) ?? []) {
                    for (const f of r.patchFilters) assert.equal(filterKeyProblem(os, f.key), undefined, `${os} ${f.key}`);
                }
            }
        });

        it("log key prefixes that the tasks, the instance policy and the expiry rule would read differently", function () {
            for (const keyPrefix of ["/", "/patching", "patching/", "a//b", "logs/*", ""]) {
                refused({ ...env, logging: { keyPrefix } }, "patch-manager:logging.keyPrefix", "single slashes");
            }
            assert.equal(parseConfig(raw({ ...env, logging: { keyPrefix: "logs/ssm" } }), "p").logging.keyPrefix, "logs/ssm");
        });

        it("tags as AWS takes them; numbers become text", function () {
            refused({ ...env, tags: { "cost!center": "x" } }, "patch-manager:tags.cost!center", "letters, digits, spaces");
            refused({ ...env, tags: { "aws:owner": "x" } }, "patch-manager:tags.aws:owner", "reserved");
            refused(
                { ...env, tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, "v"])) },
                "patch-manager:tags",
                "at most 47",
            );
            assert.deepEqual(parseConfig(raw({ ...env, tags: { CostCenter: 1234 } }), "p").tags, { CostCenter: "1234" });
        });

        it("unknown keys, at the top and inside a structure", function () {
            refused({ ...env, colour: "blue" }, "patch-manager:colour", "unknown key", "patchGroups");
            refused({ ...env, patchGroups: [group({ schedle: {} })] }, "patch-manager:patchGroups[0]", '"schedle"', "schedule");
        });

        it("a value that is not the expected YAML shape", function () {
            refused({ ...env, patchGroups: "Web Server" }, "patch-manager:patchGroups", "YAML list or map");
            refused({ ...env, patchGroups: [] }, "patch-manager:patchGroups", "at least one");
        });

        it("reports every problem at once, one line each, naming the stack file", function () {
            const lines = problems({
                environment: "prod",
                timezone: "Nowhere/City",
                patchGroups: [
                    group({ schedule: { cron: "cron(00 23-5 ? * TUE#1 *)", durationHours: 30 } }),
                    group({ operatingSystem: "BEOS" }),
                ],
            });
            assert.ok(lines.length >= 5, lines.join("\n"));
            for (const path of [
                "patch-manager:environment",
                "patch-manager:timezone",
                "patch-manager:patchGroups[0].schedule.cron",
                "patch-manager:patchGroups[0].schedule.durationHours",
                "patch-manager:patchGroups[1].operatingSystem",
                "patch-manager:patchGroups[1].name",
            ]) {
                assert.ok(
                    lines.some((l) => l.startsWith(`Pulumi.test.yaml: ${path}: `)),
                    `${path} in\n${lines.join("\n")}`,
                );
            }
            assert.ok(
                lines.every((l) => !l.includes("\n") && !/at .*\.ts:\d+/.test(l)),
                "one line each, no stack trace",
            );
        });

        it("the error is a Pulumi RunError, so `pulumi up` prints the message without a stack trace", function () {
            try {
                parseConfig(raw({ environment: "prod" }), "prod");
                assert.fail("expected ConfigError");
            } catch (e) {
                assert.equal((e as any).__pulumiRunError, true);
                assert.match((e as Error).message, /Pulumi\.prod\.yaml: patch-manager:environment:/);
            }
        });
    });
});

describe("config: values the offline plan cannot decrypt", function () {
    const role = "arn:aws:iam::123456789012:role/patching";

    it("a secure: string is taken as given, at the top level and inside a map, so the plan uses it", function () {
        const c = parseConfig(
            raw({ environment: "production", maintenanceWindowRoleArn: UNDECRYPTED_SECRET, logging: { kmsKeyArn: UNDECRYPTED_SECRET } }),
            "test",
        );
        assert.equal(c.maintenanceWindowRoleArn, UNDECRYPTED_SECRET);
        assert.equal(c.logging.kmsKeyArn, UNDECRYPTED_SECRET);
        assert.equal(c.logging.keyPrefix, "patching");
    });

    it("a secure: string inside a list keeps its place among the checked entries", function () {
        const c = parseConfig(
            raw({ environment: "production", alerts: { emails: ["ops@example.com", UNDECRYPTED_SECRET, "sec@example.com"] } }),
            "test",
        );
        assert.deepEqual(c.operations.alerts?.emails, ["ops@example.com", UNDECRYPTED_SECRET, "sec@example.com"]);
    });

    it("a secure: value where no string belongs (a flag, a choice) is left out and its default applies", function () {
        const c = parseConfig(
            raw({ environment: "production", window: UNDECRYPTED_SECRET, compliance: { dataSync: UNDECRYPTED_SECRET } }),
            "test",
        );
        assert.equal(c.windowKind, "weekend");
        assert.equal(c.operations.compliance.dataSync, false);
    });

    it("the other values are still checked", function () {
        refused(
            { environment: "production", maintenanceWindowRoleArn: UNDECRYPTED_SECRET, window: "nightly" },
            "patch-manager:window",
            '"nightly" is not valid',
        );
        assert.equal(
            parseConfig(raw({ environment: "production", maintenanceWindowRoleArn: role }), "test").maintenanceWindowRoleArn,
            role,
        );
    });

    it("a secure: value a required key needs says to check the stack with the CLI", function () {
        refused(
            { environment: "production", rateControl: { maxConcurrency: UNDECRYPTED_SECRET, maxErrors: "5%" } },
            "patch-manager:rateControl.maxConcurrency",
            "offline plan cannot decrypt",
            "pulumi preview",
        );
    });
});

describe("config: values of the wrong type anywhere are refused, never a crash", function () {
    it("a patch group whose name or operatingSystem is not a string", function () {
        refused(
            { environment: "development", patchGroups: [{ name: "Web", operatingSystem: [] }] },
            "patch-manager:patchGroups[0].operatingSystem",
            "is not valid",
        );
        refused(
            { environment: "development", patchGroups: [{ operatingSystem: "WINDOWS" }] },
            "patch-manager:patchGroups[0].name",
            "must be a string",
        );
    });

    it("keys named like an object's own properties are unknown keys", function () {
        for (const key of ["toString", "constructor", "__proto__"]) {
            refused({ environment: "development", [key]: "x" }, `patch-manager:${key}`, "unknown key");
        }
    });
});

describe("config/decode encodingOf", () => {
    /** The definition: the CLI's encoding of a value by its schema's JSON Schema type on the input side. */
    const byJsonSchema = (schema: z.ZodType) => {
        const type: unknown = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }).type;
        return type === "string" ? "text" : type === "boolean" ? "boolean" : type === "integer" || type === "number" ? "number" : "json";
    };

    it("reads every key's encoding as its whole JSON Schema gives it, and a map's or list's metadata type too", () => {
        for (const [key, schema] of Object.entries(KEYS)) assert.equal(encodingOf(schema), byJsonSchema(schema), key);
        for (const schema of [
            z.object({ a: z.string() }),
            z.array(z.number()).optional(),
            z.record(z.string(), z.string()),
            z.object({}).meta({ type: "string" }),
            z.array(z.string()).meta({ type: "boolean", description: "a flag" }),
            z.string().pipe(z.transform((s) => s.length)),
            // Told by their kind without the JSON Schema: strings, numbers, booleans, enums of strings.
            z.string().min(1).regex(/^a/),
            z.iso.datetime(),
            z.number().int().min(0),
            z.boolean(),
            z.enum(["a", "b"]),
            z.enum({ A: 1, B: 2 }),
            z.enum({ A: "a", B: 2 }),
            z.string().meta({ type: "number" }),
            z.number().meta({ type: "string" }),
            z.enum(["a"]).meta({ type: "boolean" }),
            // Metadata that names a type as undefined, or an id (a $ref), and an enum of nothing.
            z.string().meta({ type: undefined }),
            z.boolean().meta({ id: "flag" }),
            z.number().meta({ id: "count", description: "how many" }),
            z.enum([] as unknown as [string]),
            z.string().meta({ description: "plain" }),
            // Pipes: what they take in, or what a transform first in them hands on.
            z.preprocess((v) => v, z.object({ a: z.string() })),
            z.preprocess((v) => v, z.boolean()),
            z.preprocess((v) => v, z.boolean().meta({ id: "flagIn" })),
            z.preprocess((v) => v, z.number().meta({ type: "string" })),
            z.string().pipe(z.string().min(1)),
            z.boolean().meta({ id: "flagFirst" }).pipe(z.literal(true)),
            z
                .string()
                .pipe(z.transform((s) => s.length))
                .pipe(z.number()),
            z
                .preprocess(
                    (v) => v,
                    z.preprocess((v) => v, z.number()),
                )
                .meta({ description: "twice" }),
            z.preprocess((v) => v, z.boolean()).meta({ type: "string" }),
            // An id made on a parent schema: the JSON Schema is a $ref to it.
            z.number().meta({ id: "parentNumber" }).min(1),
            z.string().meta({ id: "parentString" }).describe("x"),
            z.preprocess((v) => v, z.boolean().meta({ id: "parentFlag" }).default(true)),
            // Collections with ids (a $ref, no type: JSON), as alerts' and the other pipes' inputs have.
            z.object({ a: z.string() }).meta({ id: "someSettings" }),
            z.array(z.string()).meta({ id: "someList" }).min(1),
            z.record(z.string(), z.number()).meta({ id: "someRecord", type: "string" }),
            z.preprocess((v) => v, z.object({ b: z.number() }).meta({ id: "pipedSettings" })),
        ]) {
            assert.equal(encodingOf(schema), byJsonSchema(schema));
        }
    });
});
