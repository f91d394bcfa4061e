import * as assert from "node:assert/strict";
import { patchGroupCoverage, windowHasTask, windowQuotas } from "../../policies/stack";
import { TYPES } from "../../policies/util";
import { StackEntry, runStackPolicy, urnOf } from "./harness";
import { WINDOW_ID, entry, prodStack, targetInputs, taskInputs, windowInputs } from "./resources";

describe("policies/stack", () => {
    describe("patch-group-coverage", () => {
        it("passes a group that is registered and targeted", async () => {
            assert.deepEqual(await runStackPolicy(patchGroupCoverage, prodStack()), []);
        });

        it("reports a targeted group nobody registered", async () => {
            const stack = prodStack().filter((e) => e.type !== TYPES.patchGroup);
            assert.deepEqual(await runStackPolicy(patchGroupCoverage, stack), [
                {
                    urn: urnOf(TYPES.windowTarget, "web-server-target"),
                    message:
                        `window target "web-server" (web-server-target) selects patch group "Web Server", which no aws.ssm.PatchGroup ` +
                        `registers with a baseline; its instances would get their operating system's default baseline.`,
                },
            ]);
        });

        it("reports a registered group no window target reaches", async () => {
            const stack = prodStack();
            stack.push({ type: TYPES.patchGroup, name: "db-group", props: { baselineId: "pb-0123456789abcdef0", patchGroup: "Database" } });
            const v = await runStackPolicy(patchGroupCoverage, stack);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TYPES.patchGroup, "db-group"));
            assert.match(v[0].message, /^patch group "Database" is registered \("db-group"\) but no window target selects it/);
        });

        it("reports two baselines of one OS for one group", async () => {
            const stack = prodStack();
            stack.push({
                type: TYPES.patchBaseline,
                name: "windows-2",
                props: { name: "w2", operatingSystem: "WINDOWS", id: "pb-0fedcba9876543210" },
            });
            stack.push({
                type: TYPES.patchGroup,
                name: "web-server-group-2",
                props: { baselineId: "pb-0fedcba9876543210", patchGroup: "Web Server" },
            });
            const v = await runStackPolicy(patchGroupCoverage, stack);
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    `patch group "Web Server" is registered with 2 WINDOWS baselines ("web-server-group", "web-server-group-2"); a group has one baseline per operating system.`,
                ],
            );
        });
    });

    describe("window-has-task", () => {
        it("passes a window with a task", async () => {
            assert.deepEqual(await runStackPolicy(windowHasTask, prodStack()), []);
        });

        it("reports a window without one", async () => {
            const stack = prodStack();
            stack.push({ type: TYPES.window, name: "idle-window", props: { ...windowInputs(), name: "idle", id: "mw-0aaaaaaaaaaaaaaaa" } });
            assert.deepEqual(await runStackPolicy(windowHasTask, stack), [
                {
                    urn: urnOf(TYPES.window, "idle-window"),
                    message: `window "idle" (idle-window) has no task; register one or remove the window.`,
                },
            ]);
        });
    });

    describe("window-quotas", () => {
        function manyWindows(n: number): StackEntry[] {
            return Array.from({ length: n }, (_, i) => ({
                type: TYPES.window,
                name: `w${i}`,
                props: { ...windowInputs(), name: `window-${i}`, id: `mw-${String(i).padStart(17, "0")}` },
            }));
        }

        it("passes the program's stack", async () => {
            assert.deepEqual(await runStackPolicy(windowQuotas, prodStack()), []);
        });

        it("reports more windows than the quota at the stack, and honours maxWindows", async () => {
            const stack = [...prodStack(), ...manyWindows(50)];
            const v = await runStackPolicy(windowQuotas, stack);
            assert.deepEqual(v, [
                {
                    urn: urnOf(TYPES.stack, "patch-manager-prod"),
                    message: "the stack creates 51 maintenance windows; the quota is 50 per account and region (config maxWindows).",
                },
            ]);
            assert.deepEqual(await runStackPolicy(windowQuotas, stack, { config: { maxWindows: 60 } }), []);
        });

        it("reports a window with more than 20 tasks or 100 targets", async () => {
            const stack = prodStack();
            for (let i = 0; i < 20; i++)
                stack.push({ type: TYPES.windowTask, name: `t${i}`, props: { ...taskInputs(), windowId: WINDOW_ID } });
            for (let i = 0; i < 100; i++)
                stack.push({ type: TYPES.windowTarget, name: `g${i}`, props: { ...targetInputs(), windowId: WINDOW_ID } });
            const v = await runStackPolicy(windowQuotas, stack);
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    `window "patch-manager-prod-web-server" (web-server-window) has 21 tasks; SSM allows 20 per window (config maxTasksPerWindow).`,
                    `window "patch-manager-prod-web-server" (web-server-window) has 101 targets; SSM allows 100 per window (config maxTargetsPerWindow).`,
                ],
            );
            assert.equal(v[0].urn, urnOf(TYPES.window, "web-server-window"));
        });

        it("reports a task with more than 5 targets entries", async () => {
            const stack = prodStack();
            entry(stack, "web-server-task").props.targets = Array.from({ length: 6 }, (_, i) => ({
                key: "WindowTargetIds",
                values: [`id-${i}`],
            }));
            const v = await runStackPolicy(windowQuotas, stack);
            assert.deepEqual(
                v.map((x) => x.message),
                [`task "web-server-install" (web-server-task) has 6 targets entries; SSM accepts at most 5.`],
            );
        });
    });
});
