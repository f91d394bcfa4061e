import * as assert from "node:assert/strict";
import { TYPES } from "@patch-manager/ssm";
import {
    targetKeyCanMatch,
    unmatchableTargetProblems,
    windowCutoffMargin,
    windowRegisteredTargetsOnly,
    windowTargetPatchGroupTag,
    windowWellFormed,
} from "../../policies/windows";
import { StackEntry, runResourcePolicy, runStackPolicy } from "./harness";
import { entry, prodStack, windowInputs } from "./resources";

/** The compliant production stack with one resource's props changed. */
function withProps(name: string, change: (props: Record<string, any>) => void): StackEntry[] {
    const stack = prodStack();
    change(entry(stack, name).props as Record<string, any>);
    return stack;
}

/** The stack with its task running another document: the window then patches nothing. */
const notPatching = (stack: StackEntry[]) => {
    (entry(stack, "web-server-task").props as Record<string, any>).taskArn = "AWS-RunShellScript";
    return stack;
};

const WINDOW = TYPES.window;
const opts = { name: "web-server-window" };
const who = `window "patch-manager-prod-web-server" (web-server-window)`;

describe("policies/windows", () => {
    describe("window-well-formed", () => {
        it("passes the program's window, and a rate() window with UTC", async () => {
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, windowInputs(), opts)).messages, []);
            const rate = { ...windowInputs(), schedule: "rate(7 days)", scheduleTimezone: "UTC" };
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, rate, opts)).messages, []);
        });

        it("reports duration out of range and a cutoff not below the duration", async () => {
            const tooLong = { ...windowInputs(), duration: 25 };
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, tooLong, opts)).messages, [
                `${who}: duration 25 must be a whole number of hours from 1 to 24.`,
            ]);
            const cutoff = { ...windowInputs(), duration: 2, cutoff: 2 };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, cutoff, opts);
            assert.equal(messages.length, 1);
            assert.match(messages[0], /cutoff 2 must be less than duration \(2\): .*no task would ever start/);
        });

        it("reports an hour range through checkSchedule, naming the expression", async () => {
            const hourRange = { ...windowInputs(), schedule: "cron(00 23-5 ? * TUE#1 *)" };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, hourRange, opts);
            assert.ok(messages.length >= 1);
            assert.ok(
                messages.every((m) => m.startsWith(`${who}: schedule "cron(00 23-5 ? * TUE#1 *)": `)),
                messages.join("\n"),
            );
            assert.match(messages.join("\n"), /23-5/);
        });

        it("reports a schedule that is not an SSM expression", async () => {
            const bad = { ...windowInputs(), schedule: "0 23 * * 4" };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, bad, opts);
            assert.ok(messages.length >= 1);
            assert.match(messages[0], /schedule "0 23 \* \* 4": /);
        });

        it("takes a window without scheduleTimezone (SSM reads the cron in UTC), and refuses an invalid zone", async () => {
            const none = windowInputs();
            delete none.scheduleTimezone;
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, none, opts)).messages, []);
            const bad = { ...windowInputs(), scheduleTimezone: "Mars/Olympus_Mons" };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, bad, opts);
            assert.equal(messages.length, 1);
            assert.match(messages[0], /^window .*: scheduleTimezone "Mars\/Olympus_Mons": /);
        });

        it("accepts the seconds field AWS accepts (cloudposse's default cron(0 0 21 ? * WED *)), and still reads the rest", async () => {
            const seven = { ...windowInputs(), schedule: "cron(0 0 21 ? * WED *)" };
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, seven, opts)).messages, []);
            const range = { ...windowInputs(), schedule: "cron(0 0 21-23 ? * WED *)" };
            assert.equal((await runResourcePolicy(windowWellFormed, WINDOW, range, opts)).messages.length, 1);
        });

        it("checks scheduleOffset range and that it goes with cron", async () => {
            const ok = { ...windowInputs(), schedule: "cron(0 23 ? * TUE#2 *)", scheduleOffset: 2 };
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, ok, opts)).messages, []);
            const bad = { ...windowInputs(), schedule: "rate(7 days)", scheduleOffset: 7 };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, bad, opts);
            assert.deepEqual(messages, [
                `${who}: scheduleOffset 7 must be a whole number of days from 1 to 6 (leave it unset for no offset).`,
                `${who}: scheduleOffset 7 only applies to cron(...) schedules, not to rate(...): drop it, or move the start in the expression itself.`,
            ]);
        });
    });

    describe("window-registered-targets-only", () => {
        it("passes allowUnassociatedTargets false (and unset)", async () => {
            assert.deepEqual(await runStackPolicy(windowRegisteredTargetsOnly, prodStack()), []);
            const unset = withProps("web-server-window", (p) => delete p.allowUnassociatedTargets);
            assert.deepEqual(await runStackPolicy(windowRegisteredTargetsOnly, unset), []);
        });

        it("reports true on a patching window, and leaves a window that patches nothing alone", async () => {
            const open = withProps("web-server-window", (p) => (p.allowUnassociatedTargets = true));
            assert.deepEqual(
                (await runStackPolicy(windowRegisteredTargetsOnly, open)).map((v) => v.message),
                [`${who} sets allowUnassociatedTargets true; set it to false.`],
            );
            assert.deepEqual(await runStackPolicy(windowRegisteredTargetsOnly, notPatching(open)), []);
        });
    });

    describe("window-target-patch-group-tag", () => {
        const targetWho = `window target "web-server" (web-server-target)`;
        const withTargets = (targets: unknown) => withProps("web-server-target", (p) => (p.targets = targets));

        it("passes both exact keys, and targets by instance ids or resource groups", async () => {
            assert.deepEqual(await runStackPolicy(windowTargetPatchGroupTag, prodStack()), []);
            for (const targets of [
                [{ key: "tag:PatchGroup", values: ["Web Server"] }],
                [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }],
                [{ key: "resource-groups:Name", values: ["web"] }],
            ]) {
                assert.deepEqual(await runStackPolicy(windowTargetPatchGroupTag, withTargets(targets)), [], JSON.stringify(targets));
            }
        });

        it("reports a key in the wrong case, naming it", async () => {
            const wrong = withTargets([{ key: "tag:Patch group", values: ["Web Server"] }]);
            assert.deepEqual(
                (await runStackPolicy(windowTargetPatchGroupTag, wrong)).map((v) => v.message),
                [
                    `${targetWho}: target key "tag:Patch group" is not a patch-group key; tag keys are case-sensitive: use "tag:Patch Group" or "tag:PatchGroup".`,
                ],
            );
            assert.deepEqual(await runStackPolicy(windowTargetPatchGroupTag, notPatching(wrong)), [], "not a patching window's target");
        });

        it("reports an invalid patch group value", async () => {
            const bad = withTargets([{ key: "tag:Patch Group", values: ["Web*Server"] }]);
            assert.deepEqual(
                (await runStackPolicy(windowTargetPatchGroupTag, bad)).map((v) => v.message),
                [
                    `${targetWho}: patch group "Web*Server" must be 1–256 characters of letters, digits, spaces and _.:/=+-@ (the Patch Group tag value).`,
                ],
            );
        });

        it("checks a patching task's direct tag targets but accepts WindowTargetIds", async () => {
            const direct = withProps("web-server-task", (p) => (p.targets = [{ key: "tag:patchgroup", values: ["Web Server"] }]));
            const found = await runStackPolicy(windowTargetPatchGroupTag, direct);
            assert.equal(found.length, 1);
            assert.match(
                found[0].message,
                /^task "web-server-install" \(web-server-task\): target key "tag:patchgroup" is not a patch-group key/,
            );
        });
    });

    describe("target-key-can-match", () => {
        const withTargets = (targets: unknown) => withProps("web-server-target", (p) => (p.targets = targets));

        it("passes every key SSM targets by", async () => {
            for (const key of [
                "tag:Patch Group",
                "InstanceIds",
                "tag-key",
                "resource-groups:Name",
                "resource-groups:ResourceTypeFilters",
            ]) {
                assert.deepEqual(await runStackPolicy(targetKeyCanMatch, withTargets([{ key, values: ["x"] }])), [], key);
            }
            assert.deepEqual(await runStackPolicy(targetKeyCanMatch, prodStack()), [], "a task's WindowTargetIds");
        });

        it("reports an unsubstituted template, a key without tag:, and a key SSM refuses", async () => {
            const cases: Array<[unknown, RegExp]> = [
                [[{ key: "tag:${var.patch_group_tag}", values: ["web"] }], /holds an unsubstituted template/],
                [
                    [{ key: "tag:Patch Group", values: ["{{ patch_group }}"] }],
                    /value "\{\{ patch_group \}\}" holds an unsubstituted template/,
                ],
                [[{ key: "Patch Group", values: ["Web Server"] }], /selects nothing: .*a tag is selected as "tag:Patch Group"/],
                [[{ key: "tag:", values: ["web"] }], /names no tag key/],
                [[{ key: "tag:Name*", values: ["web"] }], /is not one SSM accepts/],
            ];
            for (const [targets, pattern] of cases) {
                const found = await runStackPolicy(targetKeyCanMatch, withTargets(targets));
                assert.equal(found.length, 1, JSON.stringify(targets));
                assert.match(found[0].message, pattern);
                assert.match(found[0].message, /^window target "web-server" \(web-server-target\): /);
            }
        });

        it("takes the Automation keys on an association of a patching runbook, not on one of AWS-RunPatchBaseline", () => {
            const byParameter = [{ key: "ParameterValues", values: ["i-0123456789abcdef0"] }];
            assert.deepEqual(unmatchableTargetProblems(byParameter, "automation association"), []);
            assert.equal(unmatchableTargetProblems(byParameter, "association").length, 1);
        });

        it("leaves the targets of a window that patches nothing alone", async () => {
            const stack = notPatching(withTargets([{ key: "Patch Group", values: ["Web Server"] }]));
            assert.deepEqual(await runStackPolicy(targetKeyCanMatch, stack), []);
        });
    });

    describe("window-cutoff-margin", () => {
        it("reports cutoff 0 on a one- or two-hour patching window", async () => {
            for (const duration of [1, 2]) {
                const short = withProps("web-server-window", (p) => Object.assign(p, { duration, cutoff: 0 }));
                const found = await runStackPolicy(windowCutoffMargin, short);
                assert.equal(found.length, 1);
                assert.match(found[0].message, new RegExp(`lasts ${duration} hours? with cutoff 0: a task may start in its last minute`));
                assert.match(found[0].message, /run on past the window's end; set a cutoff of at least the time an install takes/);
            }
            const cancelling = withProps("web-server-window", (p) => Object.assign(p, { duration: 2, cutoff: 0 }));
            (entry(cancelling, "web-server-task").props as Record<string, any>).cutoffBehavior = "CANCEL_TASK";
            const [v] = await runStackPolicy(windowCutoffMargin, cancelling);
            assert.match(v.message, /with CANCEL_TASK, be cancelled mid-install at the window's end; lengthen the window/);
        });

        it("passes a cutoff of 1, a long window with cutoff 0, and a window that patches nothing", async () => {
            assert.deepEqual(await runStackPolicy(windowCutoffMargin, prodStack()), []);
            const long = withProps("web-server-window", (p) => Object.assign(p, { duration: 4, cutoff: 0 }));
            assert.deepEqual(await runStackPolicy(windowCutoffMargin, long), []);
            const other = notPatching(withProps("web-server-window", (p) => Object.assign(p, { duration: 1, cutoff: 0 })));
            assert.deepEqual(await runStackPolicy(windowCutoffMargin, other), []);
        });
    });
});
