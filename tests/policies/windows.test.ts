import * as assert from "node:assert/strict";
import { TYPES } from "../../policies/util";
import { windowRegisteredTargetsOnly, windowTargetPatchGroupTag, windowWellFormed } from "../../policies/windows";
import { runResourcePolicy } from "./harness";
import { targetInputs, taskInputs, windowInputs } from "./resources";

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
            assert.match(messages[0], /cutoff 2 must be less than duration 2/);
        });

        it("reports the seed's hour range through checkSchedule, naming the expression", async () => {
            const seed = { ...windowInputs(), schedule: "cron(00 23-5 ? * TUE#1 *)" };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, seed, opts);
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

        it("requires an explicit, valid timezone", async () => {
            const none = windowInputs();
            delete none.scheduleTimezone;
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, none, opts)).messages, [
                `${who} has no scheduleTimezone, so its cron runs in UTC; set the IANA zone explicitly (also when it is "UTC").`,
            ]);
            const bad = { ...windowInputs(), scheduleTimezone: "Mars/Olympus_Mons" };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, bad, opts);
            assert.equal(messages.length, 1);
            assert.match(messages[0], /^window .*: scheduleTimezone "Mars\/Olympus_Mons": /);
        });

        it("checks scheduleOffset range and that it goes with cron", async () => {
            const ok = { ...windowInputs(), schedule: "cron(0 23 ? * TUE#2 *)", scheduleOffset: 2 };
            assert.deepEqual((await runResourcePolicy(windowWellFormed, WINDOW, ok, opts)).messages, []);
            const bad = { ...windowInputs(), schedule: "rate(7 days)", scheduleOffset: 7 };
            const { messages } = await runResourcePolicy(windowWellFormed, WINDOW, bad, opts);
            assert.deepEqual(messages, [
                `${who}: scheduleOffset 7 must be a whole number of days from 1 to 6.`,
                `${who}: scheduleOffset 7 only works with a cron(...) schedule, not "rate(7 days)".`,
            ]);
        });
    });

    describe("window-registered-targets-only", () => {
        it("passes allowUnassociatedTargets false (and unset)", async () => {
            assert.deepEqual((await runResourcePolicy(windowRegisteredTargetsOnly, WINDOW, windowInputs(), opts)).messages, []);
            const unset = windowInputs();
            delete unset.allowUnassociatedTargets;
            assert.deepEqual((await runResourcePolicy(windowRegisteredTargetsOnly, WINDOW, unset, opts)).messages, []);
        });

        it("reports true", async () => {
            const open = { ...windowInputs(), allowUnassociatedTargets: true };
            assert.deepEqual((await runResourcePolicy(windowRegisteredTargetsOnly, WINDOW, open, opts)).messages, [
                `${who} sets allowUnassociatedTargets true; set it to false.`,
            ]);
        });
    });

    describe("window-target-patch-group-tag", () => {
        const targetOpts = { name: "web-server-target" };
        const targetWho = `window target "web-server" (web-server-target)`;

        it("passes both exact keys", async () => {
            assert.deepEqual(
                (await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTarget, targetInputs(), targetOpts)).messages,
                [],
            );
            const metadata = { ...targetInputs(), targets: [{ key: "tag:PatchGroup", values: ["Web Server"] }] };
            assert.deepEqual((await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTarget, metadata, targetOpts)).messages, []);
        });

        it("reports a key in the wrong case, naming it", async () => {
            const wrong = { ...targetInputs(), targets: [{ key: "tag:Patch group", values: ["Web Server"] }] };
            assert.deepEqual((await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTarget, wrong, targetOpts)).messages, [
                `${targetWho}: target key "tag:Patch group" is not a patch-group key; tag keys are case-sensitive: use "tag:Patch Group" or "tag:PatchGroup".`,
            ]);
        });

        it("reports a target that selects by something else", async () => {
            const byIds = { ...targetInputs(), targets: [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }] };
            assert.deepEqual((await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTarget, byIds, targetOpts)).messages, [
                `${targetWho}: selects by "InstanceIds", not by the patch group; use key "tag:Patch Group" or "tag:PatchGroup".`,
            ]);
        });

        it("reports an invalid patch group value", async () => {
            const bad = { ...targetInputs(), targets: [{ key: "tag:Patch Group", values: ["Web*Server"] }] };
            const { messages } = await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTarget, bad, targetOpts);
            assert.deepEqual(messages, [`${targetWho}: patch group "Web*Server" must be 1–256 letters, digits, spaces or _.:/=+-@.`]);
        });

        it("checks a task's direct tag targets but accepts WindowTargetIds", async () => {
            const taskOpts = { name: "web-server-task" };
            assert.deepEqual((await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTask, taskInputs(), taskOpts)).messages, []);
            const direct = { ...taskInputs(), targets: [{ key: "tag:patchgroup", values: ["Web Server"] }] };
            const { messages } = await runResourcePolicy(windowTargetPatchGroupTag, TYPES.windowTask, direct, taskOpts);
            assert.equal(messages.length, 1);
            assert.match(
                messages[0],
                /^task "web-server-install" \(web-server-task\): target key "tag:patchgroup" is not a patch-group key/,
            );
        });

        it("declines other types through notApplicable (no __pulumiType for two types)", async () => {
            const r = await runResourcePolicy(windowTargetPatchGroupTag, TYPES.window, windowInputs());
            assert.equal(r.notApplicable, true);
        });
    });
});
