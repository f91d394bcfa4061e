// Reboot after install: every install run of a NoReboot group is followed by its reboot window
// within patch-manager:rebootWithinHours (AWS-RunPatchBaseline, RebootOption NoReboot: the node is
// non-compliant, InstalledPendingReboot, "until it reboots and is scanned again").
import { strict as assert } from "assert";
import fc from "fast-check";
import { nextStarts } from "@patch-manager/ssm";
import { ConfigError, parseConfig } from "../../../config";
import { lateReboot } from "../../../config/runtime/rebootAfterInstall";
import type { WindowLayout } from "../../../config/windowPlan";
import { projectValues } from "../../../tools/mock/mockProgram";
import { shippedConfig, withConfig } from "../../helpers";

const base = shippedConfig("prod-strategies");
const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
const problems = (values: Record<string, unknown>) => {
    try {
        parseConfig(projectValues(withConfig(base, values)), "prod-strategies");
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
        throw e;
    }
};

describe("config/runtime/rebootAfterInstall: patch-manager:rebootWithinHours", function () {
    it("the example's former reboot window (Sunday 02:00 after Saturday and Sunday installs) leaves Sunday's installs pending for six days", function () {
        const former = groups.map((g, i) =>
            i === 0 ? { ...g, rebootWindow: { cron: "cron(0 2 ? * SUN *)", durationHours: 3, cutoffHours: 1 } } : g,
        );
        const found = problems({ patchGroups: former });
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^patch-manager:patchGroups\[0\]\.rebootWindow\.cron: .*Database Server.* only \d+ hours later/);
        assert.ok(Number(/only (\d+) hours/.exec(found[0])![1]) > 24 * 6, "six days and more");
        // A user who accepts a week states it.
        assert.deepEqual(problems({ patchGroups: former, rebootWithinHours: 168 }), []);
    });

    it("the shipped example reboots within the default bound; the key takes 1 to 168 hours", function () {
        assert.deepEqual(problems({}), []);
        assert.match(problems({ rebootWithinHours: 0 }).join("\n"), /^patch-manager:rebootWithinHours: /m);
        assert.match(problems({ rebootWithinHours: 200 }).join("\n"), /^patch-manager:rebootWithinHours: /m);
        // The example closes its install windows at 11:00 and reboots at 12:00: one hour.
        assert.deepEqual(problems({ rebootWithinHours: 1 }), []);
    });

    it("property: the first late run is the one a reboot window's whole list of starts gives, over any schedules, zones and bounds", function () {
        const HOUR = 3_600_000;
        // lateReboot as first written: every install start against the reboot window's first weeks × 7 + 60 starts.
        const reference = (layout: WindowLayout[], group: string, hours: number, from: Date, weeks: number) => {
            const reboot = layout.find((w) => w.kind === "reboot" && w.key === group);
            if (!reboot) return undefined;
            try {
                const installs = layout.filter((w) => w.kind !== "reboot" && w.groups.some((g) => g.name === group));
                const until = new Date(from.getTime() + weeks * 7 * 24 * HOUR);
                const starts = (w: WindowLayout, count: number) =>
                    nextStarts(w.timing.schedule, { timezone: w.timezone, scheduleOffset: w.timing.scheduleOffset, from, count });
                const reboots = starts(reboot, weeks * 7 + 60);
                for (const w of installs)
                    for (const s of starts(w, weeks * 7 + 1).filter((x) => x < until)) {
                        const ends = new Date(s.getTime() + w.timing.duration * HOUR);
                        const next = reboots.find((r) => r >= ends);
                        if (!next || next.getTime() - ends.getTime() > hours * HOUR)
                            return { installEnds: ends, ...(next ? { nextReboot: next } : {}) };
                    }
                return undefined;
            } catch {
                return undefined;
            }
        };
        const schedule = fc.oneof(
            fc.integer({ min: 0, max: 23 }).map((h) => ({ schedule: `cron(0 ${h} ? * * *)` })),
            fc
                .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom("SAT", "SUN", "MON", "SAT,SUN"))
                .map(([h, d]) => ({ schedule: `cron(30 ${h} ? * ${d} *)` })),
            fc
                .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }))
                .map(([n, o]) => ({ schedule: `cron(0 23 ? * TUE#${n} *)`, ...(o > 0 ? { scheduleOffset: o } : {}) })),
            fc.constantFrom(
                { schedule: "cron(0 * ? * * *)" },
                { schedule: "cron(15 */6 ? * * *)" },
                { schedule: "rate(5 days)" },
                { schedule: "rate(3 hours)" },
            ),
            fc.constantFrom({ schedule: "at(2026-12-20T03:00:00)" }, { schedule: "cron(0 2 L * ? *)" }, { schedule: "cron(0 2 ? * 6L *)" }),
        );
        const window = (kind: WindowLayout["kind"], s: { schedule: string; scheduleOffset?: number }, duration: number, timezone: string) =>
            ({
                kind,
                key: kind === "reboot" ? "g" : kind === "group" ? "g" : "weekend",
                windowName: kind,
                name: kind,
                description: "",
                timing: { schedule: s.schedule, ...(s.scheduleOffset ? { scheduleOffset: s.scheduleOffset } : {}), duration, cutoff: 1 },
                timezone,
                groups: [{ name: "g" }],
            }) as unknown as WindowLayout;
        fc.assert(
            fc.property(
                fc.array(fc.tuple(schedule, fc.integer({ min: 2, max: 24 })), { minLength: 1, maxLength: 2 }),
                fc.tuple(schedule, fc.integer({ min: 2, max: 6 })),
                fc.constantFrom("UTC", "Europe/Amsterdam", "America/Nuuk", "Australia/Lord_Howe"),
                fc.integer({ min: 1, max: 168 }),
                fc.integer({ min: 1, max: 10 }),
                fc.integer({ min: 0, max: 400 * 24 }),
                (installs, [rebootSchedule, rebootDuration], timezone, hours, weeks, offsetHours) => {
                    const layout = [
                        ...installs.map(([s, d], i) => window(i === 0 ? "group" : "environment", s, d, timezone)),
                        window("reboot", rebootSchedule, rebootDuration, timezone),
                    ];
                    const from = new Date(Date.parse("2026-03-01T00:00:00Z") + offsetHours * HOUR);
                    assert.deepEqual(lateReboot(layout, "g", hours, from, weeks), reference(layout, "g", hours, from, weeks));
                },
            ),
            { numRuns: 150 },
        );
    });
});
