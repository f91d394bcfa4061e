import { strict as assert } from "assert";
import * as fc from "fast-check";
import {
    DEPRECATED_PATCH_DOCUMENT,
    DOCUMENT_NAME_PATTERN,
    PATCH_DOCUMENTS,
    PATCH_GROUP_TARGET_KEYS,
    RUN_PATCH_BASELINE,
    RUN_PATCH_BASELINE_WITH_HOOKS,
    STRATEGY_DOCUMENTS,
    TARGET_KEYS,
    TYPES,
    WINDOW_LIMITS,
    cutoffProblems,
    durationProblem,
    patchGroupNameProblem,
    resourceNameProblem,
    scheduleOffsetProblems,
    tagTargetKey,
    targetTagKey,
} from "@patch-manager/ssm";
import { unmatchableTargetProblems, windowTargetPatchGroupTag, windowWellFormed } from "../../policies/windows";
import { runResourcePolicy, runStackPolicy } from "../policies/harness";
import { entry, prodStack, windowInputs } from "../policies/resources";
import { problems } from "../helpers";

const CRON = "cron(0 23 ? * TUE#2 *)";
/** Whole numbers around a range and values of other types, which no range of the API model takes. */
const notWholeNumbers = [2.5, "2", null, true, Number.NaN, Number.POSITIVE_INFINITY, [3], { n: 3 }];

describe("@patch-manager/ssm rules", () => {
    describe("window duration, cutoff and offset (the API model's ranges)", () => {
        it("the ranges are SSM's: duration 1-24 hours, cutoff 0-23 hours, offset 1-6 days", () => {
            assert.deepEqual(Object.fromEntries(Object.entries(WINDOW_LIMITS).map(([k, r]) => [k, [r.min, r.max, r.unit]])), {
                duration: [1, 24, "hours"],
                cutoff: [0, 23, "hours"],
                scheduleOffset: [1, 6, "days"],
            });
        });

        it("durationProblem: exactly the whole hours 1-24 pass, and the problem says what is valid", () => {
            fc.assert(
                fc.property(fc.integer({ min: -50, max: 50 }), (hours) => {
                    const problem = durationProblem(hours);
                    assert.equal(problem === undefined, hours >= 1 && hours <= 24, `${hours}`);
                    if (problem) assert.match(problem, /whole number of hours from 1 to 24/);
                }),
            );
            for (const v of notWholeNumbers) assert.ok(durationProblem(v), JSON.stringify(v));
        });

        it("cutoffProblems: whole hours 0-23, below the duration, phrased with the caller's name for the duration", () => {
            fc.assert(
                fc.property(fc.integer({ min: -5, max: 30 }), fc.integer({ min: 1, max: 24 }), (cutoff, duration) => {
                    const found = cutoffProblems(cutoff, duration, "durationHours");
                    const valid = cutoff >= 0 && cutoff <= 23 && cutoff < duration;
                    assert.equal(found.length === 0, valid, `cutoff ${cutoff}, duration ${duration}`);
                    assert.ok(found.length <= 1);
                }),
            );
            assert.match(cutoffProblems(24, 5, "duration")[0], /whole number of hours from 0 to 23/);
            const [tooLong] = cutoffProblems(3, 3, "durationHours");
            assert.match(tooLong, /less than durationHours \(3\)/);
            assert.match(tooLong, /no task would ever start/);
            assert.match(cutoffProblems(3, 3, "duration")[0], /less than duration \(3\)/);
            // A duration that is itself invalid is the duration's problem, not a second one at the cutoff.
            assert.deepEqual(cutoffProblems(3, 30, "duration"), []);
            assert.deepEqual(cutoffProblems(3, "6", "duration"), []);
            for (const v of notWholeNumbers) assert.equal(cutoffProblems(v, 6, "duration").length, 1, JSON.stringify(v));
        });

        it("scheduleOffsetProblems: 1-6 days, with a cron(...) schedule only; unset is no offset", () => {
            assert.deepEqual(scheduleOffsetProblems(undefined, "rate(1 day)"), []);
            for (let days = 1; days <= 6; days++) assert.deepEqual(scheduleOffsetProblems(days, CRON), []);
            // AWS's seconds field keeps it a cron; surrounding blanks do not matter.
            assert.deepEqual(scheduleOffsetProblems(2, "  cron(0 0 21 ? * WED *) "), []);
            for (const v of [0, 7, -1, ...notWholeNumbers]) {
                const found = scheduleOffsetProblems(v, CRON);
                assert.equal(found.length, 1, JSON.stringify(v));
                assert.match(found[0], /whole number of days from 1 to 6.*leave it unset/);
            }
            assert.match(scheduleOffsetProblems(2, "rate(7 days)")[0], /only applies to cron\(\.\.\.\) schedules, not to rate\(\.\.\.\)/);
            assert.match(scheduleOffsetProblems(2, "at(2026-12-01T23:00:00)")[0], /not to at\(\.\.\.\)/);
            assert.match(scheduleOffsetProblems(2, "0 23 * * 4")[0], /not to "0 23 \* \* 4"/);
            assert.equal(scheduleOffsetProblems(7, "rate(7 days)").length, 2, "both the range and the kind");
            // The schedule not known (yet): only the range.
            assert.deepEqual(scheduleOffsetProblems(2, undefined), []);
            assert.equal(scheduleOffsetProblems(9, undefined).length, 1);
        });
    });

    describe("names", () => {
        it("patchGroupNameProblem: 1-256 letters (any script), digits, spaces and _.:/=+-@", () => {
            for (const ok of ["Web Server", "db:prod/eu=1+x@y_z.-", "Café Ünïcode", "a", "x".repeat(256)]) {
                assert.equal(patchGroupNameProblem(ok), undefined, ok);
            }
            for (const bad of ["", "Web*Server", "semi;colon", "x".repeat(257), 42, undefined]) {
                const problem = patchGroupNameProblem(bad);
                assert.ok(problem, JSON.stringify(bad));
                assert.match(problem, /1–256 characters/);
            }
        });

        it("resourceNameProblem: 3-128 of [a-zA-Z0-9_.-]", () => {
            for (const ok of ["abc", "patch-manager-prod_web.server", "a".repeat(128)])
                assert.equal(resourceNameProblem(ok), undefined, ok);
            for (const bad of ["ab", "a".repeat(129), "web server", "web/server", "", 123]) {
                assert.match(resourceNameProblem(bad) ?? "", /3–128 letters, digits/, JSON.stringify(bad));
            }
        });
    });

    describe("targets", () => {
        it("tagTargetKey and targetTagKey are inverse; other keys have no tag key", () => {
            fc.assert(fc.property(fc.string(), (tag) => assert.equal(targetTagKey(tagTargetKey(tag)), tag)));
            for (const other of Object.values(TARGET_KEYS)) assert.equal(targetTagKey(other), undefined, other);
            assert.equal(targetTagKey(undefined), undefined);
        });

        it("Patch Manager reads a patch group from exactly the tags Patch Group and PatchGroup", () => {
            assert.deepEqual([...PATCH_GROUP_TARGET_KEYS], ["tag:Patch Group", "tag:PatchGroup"]);
        });

        it("the pack takes every target key SSM does for a window task, and no made-up one", () => {
            for (const key of [...Object.values(TARGET_KEYS), ...PATCH_GROUP_TARGET_KEYS]) {
                assert.deepEqual(unmatchableTargetProblems([{ key, values: ["x"] }], "task"), [], key);
            }
            assert.equal(unmatchableTargetProblems([{ key: "WindowTargetId", values: ["x"] }], "task").length, 1);
            // WindowTargetIds names a window's targets: only a task has them.
            assert.equal(unmatchableTargetProblems([{ key: TARGET_KEYS.windowTargetIds, values: ["x"] }], "target").length, 1);
        });
    });

    describe("patch documents", () => {
        it("are SSM document names, the deprecated one apart, and the strategies' install document is the same one", () => {
            for (const doc of [...PATCH_DOCUMENTS, DEPRECATED_PATCH_DOCUMENT]) assert.match(doc, DOCUMENT_NAME_PATTERN);
            assert.ok(!(PATCH_DOCUMENTS as readonly string[]).includes(DEPRECATED_PATCH_DOCUMENT));
            assert.equal(new Set(PATCH_DOCUMENTS).size, PATCH_DOCUMENTS.length);
            assert.ok(PATCH_DOCUMENTS.includes(RUN_PATCH_BASELINE) && PATCH_DOCUMENTS.includes(RUN_PATCH_BASELINE_WITH_HOOKS));
            assert.equal(STRATEGY_DOCUMENTS.runPatchBaseline.name, RUN_PATCH_BASELINE);
        });
    });

    // Each rule is phrased by its caller with the caller's own name for the value: the config key
    // (the problem's path) or the resource property (in the pack's message). Both carry the rule's words.
    describe("config and pack state the same rule", () => {
        const group = (schedule: Record<string, unknown>, name = "Web Server") => ({
            environment: "production",
            patchGroups: [{ name, operatingSystem: "WINDOWS", schedule: { cron: CRON, durationHours: 4, ...schedule } }],
        });
        const at = (lines: string[], key: string) => lines.filter((l) => l.includes(`patch-manager:patchGroups[0].${key}: `));
        const window = async (props: Record<string, unknown>) =>
            (await runResourcePolicy(windowWellFormed, TYPES.window, { ...windowInputs(), ...props }, { name: "w" })).messages;

        it("a cutoff not below the duration: at cutoffHours naming durationHours; at cutoff naming duration", async () => {
            const config = at(problems(group({ durationHours: 2, cutoffHours: 2 })), "schedule.cutoffHours");
            assert.equal(config.length, 1);
            assert.ok(config[0].endsWith(`: 2 ${cutoffProblems(2, 2, "durationHours")[0]}`), config[0]);
            const pack = await window({ duration: 2, cutoff: 2 });
            assert.deepEqual(
                pack.map((m) => m.slice(m.indexOf(": ") + 2)),
                [`cutoff 2 ${cutoffProblems(2, 2, "duration")[0]}.`],
            );
        });

        it("an offset on a rate(...) schedule: at offsetDays; at scheduleOffset", async () => {
            const config = at(problems(group({ cron: "rate(7 days)", offsetDays: 2 })), "schedule.offsetDays");
            assert.equal(config.length, 1);
            assert.ok(config[0].endsWith(`: ${scheduleOffsetProblems(2, "rate(7 days)")[0]}`), config[0]);
            const pack = await window({ schedule: "rate(7 days)", scheduleOffset: 2 });
            assert.deepEqual(
                pack.map((m) => m.slice(m.indexOf(": ") + 2)),
                [`scheduleOffset 2 ${scheduleOffsetProblems(2, "rate(7 days)")[0]}.`],
            );
        });

        it("the ranges: config refuses what the pack refuses, saying the same range", async () => {
            for (const [key, prop, value] of [
                ["durationHours", "duration", 25],
                ["cutoffHours", "cutoff", 24],
                ["offsetDays", "scheduleOffset", 7],
            ] as const) {
                const config = at(problems(group({ [key]: value })), `schedule.${key}`);
                const pack = (await window({ [prop]: value })).filter((m) => m.includes(`: ${prop} ${value} `));
                assert.equal(config.length, 1, key);
                assert.equal(pack.length, 1, prop);
                const range = WINDOW_LIMITS[prop];
                for (const line of [config[0], pack[0]]) assert.ok(line.includes(`from ${range.min} to ${range.max}`), line);
            }
        });

        it("a patch group name: at patchGroups[0].name; at the target's value", async () => {
            const config = problems(group({}, "Web*Server")).filter((l) => l.includes("patch-manager:patchGroups[0].name: "));
            assert.equal(config.length, 1);
            assert.ok(config[0].endsWith(`: ${patchGroupNameProblem("Web*Server")}`), config[0]);
            const stack = prodStack();
            (entry(stack, "web-server-target").props as Record<string, any>).targets = [{ key: "tag:Patch Group", values: ["Web*Server"] }];
            const pack = (await runStackPolicy(windowTargetPatchGroupTag, stack)).map((v) => v.message);
            assert.equal(pack.length, 1);
            assert.ok(pack[0].endsWith(`patch group "Web*Server" ${patchGroupNameProblem("Web*Server")}.`), pack[0]);
        });
    });
});
