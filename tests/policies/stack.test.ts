import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
    firstOverlap,
    patchGroupCoverage,
    patchGroupOneBaselinePerOs,
    scanInstallNoOverlap,
    windowHasTask,
    windowQuotas,
} from "../../policies/stack";
import { defaultBaselineApprovesUpdates } from "../../policies/baselines";
import { TYPES } from "@patch-manager/ssm";
import { StackEntry, runStackPolicy, urnOf } from "./harness";
import { BASELINE_ID, WINDOW_ID, entry, prodStack, targetInputs, taskInputs, windowInputs } from "./resources";

describe("policies/stack", () => {
    describe("patch-group-coverage", () => {
        it("passes a group that is registered and targeted", async () => {
            assert.deepEqual(await runStackPolicy(patchGroupCoverage, prodStack()), []);
        });

        it("reports a targeted group nobody registered, in a stack that registers others", async () => {
            const stack = prodStack().map((e) =>
                e.type === TYPES.patchGroup ? { ...e, props: { ...e.props, patchGroup: "Web Servers" } } : e,
            );
            // The registered "Web Servers" is targeted by nobody either: the typo shows on both sides.
            assert.deepEqual((await runStackPolicy(patchGroupCoverage, stack)).slice(0, 1), [
                {
                    urn: urnOf(TYPES.windowTarget, "web-server-target"),
                    message:
                        `window target "web-server" (web-server-target) selects patch group "Web Server", which no aws.ssm.PatchGroup ` +
                        `registers with a baseline; its instances would get their operating system's default baseline.`,
                },
            ]);
        });

        it("a stack that only targets groups, or only registers them, shares the work with another stack: no finding", async () => {
            assert.deepEqual(
                await runStackPolicy(
                    patchGroupCoverage,
                    prodStack().filter((e) => e.type !== TYPES.patchGroup),
                ),
                [],
            );
            assert.deepEqual(
                await runStackPolicy(
                    patchGroupCoverage,
                    prodStack().filter((e) => e.type !== TYPES.windowTarget),
                ),
                [],
            );
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
            const v = await runStackPolicy(patchGroupOneBaselinePerOs, stack);
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

        it("leaves a window without tasks alone when its targets select no patch group: it is not a patch window", async () => {
            const stack = prodStack();
            stack.push({ type: TYPES.window, name: "idle-window", props: { ...windowInputs(), name: "idle", id: "mw-0aaaaaaaaaaaaaaaa" } });
            assert.deepEqual(await runStackPolicy(windowHasTask, stack), []);
        });

        it("reports a window without one whose targets select a patch group", async () => {
            const stack = prodStack();
            stack.push({ type: TYPES.window, name: "idle-window", props: { ...windowInputs(), name: "idle", id: "mw-0aaaaaaaaaaaaaaaa" } });
            stack.push({
                type: TYPES.windowTarget,
                name: "idle-target",
                props: { windowId: "mw-0aaaaaaaaaaaaaaaa", targets: [{ key: "tag:Patch Group", values: ["Web Server"] }] },
            });
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

    describe("scan-install-no-overlap", () => {
        it("finds when two runs first meet as comparing every span of one with every span of the other does", () => {
            /** The definition: for the first span of a that any span of b overlaps, the later start with the first such span of b. */
            const byEveryPair = (a: Array<[number, number]>, b: Array<[number, number]>) =>
                a.flatMap(([s1, e1]) => b.filter(([s2, e2]) => s1 < e2 && s2 < e1).map(([s2]) => Math.max(s1, s2)))[0];
            // Runs of one schedule: starts in order, each as long as the others (a window's duration, an association's minute).
            const runs = fc
                .tuple(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 30 }), fc.integer({ min: 0, max: 40 }))
                .map(([starts, length]) => [...starts].sort((x, y) => x - y).map((s): [number, number] => [s, s + length]));
            const anySpans = fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: -5, max: 200 })), { maxLength: 20 });
            fc.assert(
                fc.property(fc.oneof(runs, anySpans), fc.oneof(runs, anySpans), (a, b) => {
                    assert.equal(firstOverlap(a, b), byEveryPair(a, b));
                }),
                { numRuns: 500 },
            );
        });

        /** The production stack plus a Scan window on the same patch group, at this schedule. */
        const withScan = (schedule: string, duration = 2): StackEntry[] => {
            const stack = prodStack();
            const install = entry(stack, "web-server-task").props as Record<string, any>;
            const scanTask = JSON.parse(JSON.stringify(install));
            Object.assign(scanTask, { windowId: "mw-0bbbbbbbbbbbbbbbb", name: "web-server-scan", id: "scan-task" });
            scanTask.targets = [{ key: "WindowTargetIds", values: ["scan-target"] }];
            scanTask.taskInvocationParameters.runCommandParameters.parameters = [{ name: "Operation", values: ["Scan"] }];
            return [
                ...stack,
                {
                    type: TYPES.window,
                    name: "scan-window",
                    props: { ...windowInputs(), name: "scan", schedule, duration, id: "mw-0bbbbbbbbbbbbbbbb" },
                },
                {
                    type: TYPES.windowTarget,
                    name: "scan-target",
                    props: {
                        windowId: "mw-0bbbbbbbbbbbbbbbb",
                        targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
                        id: "scan-target",
                    },
                },
                { type: TYPES.windowTask, name: "scan-task", props: scanTask },
            ];
        };

        it("reports a Scan window that runs while the Install window runs on the same group", async () => {
            // The install window: the first Thursday, 23:00 for 6 hours (Europe/Amsterdam); a daily scan at 01:00 falls inside it.
            const v = await runStackPolicy(scanInstallNoOverlap, withScan("cron(0 1 ? * * *)"));
            assert.equal(v.length, 1);
            assert.match(
                v[0].message,
                /^task "web-server-scan" \(scan-task\) \(Scan\) and task "web-server-install" \(web-server-task\) \(Install\) run on tag:Patch Group=Web Server at the same time/,
            );
        });

        it("compares a State Manager scan association too, and leaves disabled windows and rate() windows of unknown phase alone", async () => {
            const scanAssociation = (scheduleExpression: string): StackEntry => ({
                type: "aws:ssm/association:Association",
                name: "daily-scan",
                props: {
                    name: "AWS-RunPatchBaseline",
                    associationName: "web-daily-scan",
                    parameters: { Operation: "Scan" },
                    scheduleExpression,
                    targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
                },
            });
            // The install window: the first Thursday of the month from 23:00 for 6 hours (Europe/Amsterdam) = 22:00 UTC in winter.
            const during = await runStackPolicy(scanInstallNoOverlap, [...prodStack(), scanAssociation("cron(0 0 ? * FRI *)")]);
            assert.equal(during.length, 1);
            assert.match(during[0].message, /^association "web-daily-scan" \(daily-scan\) \(Scan\) and task "web-server-install"/);
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, [...prodStack(), scanAssociation("cron(0 12 ? * * *)")]), []);
            const disabled = withScan("cron(0 1 ? * * *)");
            (entry(disabled, "scan-window").props as any).enabled = false;
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, disabled), []);
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, withScan("rate(1 day)")), [], "a rate() window without startDate");
        });

        it("compares a scan and an install of one region only: another region's nodes are other nodes", async () => {
            const inRegions = (scanRegion: string) =>
                withScan("cron(0 1 ? * * *)").map((e) => ({
                    ...e,
                    providerProps: { region: ["scan-window", "scan-target", "scan-task"].includes(e.name) ? scanRegion : "eu-west-1" },
                }));
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, inRegions("eu-central-1")), []);
            assert.equal((await runStackPolicy(scanInstallNoOverlap, inRegions("eu-west-1"))).length, 1);
        });

        it("passes a scan at another time, on another group, and tasks of one window with different priorities", async () => {
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, withScan("cron(0 12 ? * * *)")), []);
            const otherGroup = withScan("cron(0 1 ? * * *)");
            (entry(otherGroup, "scan-target").props as any).targets = [{ key: "tag:Patch Group", values: ["Database Server"] }];
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, otherGroup), []);
            const sameWindow = prodStack();
            const install = entry(sameWindow, "web-server-task").props as Record<string, any>;
            const scan = JSON.parse(JSON.stringify(install));
            scan.taskInvocationParameters.runCommandParameters.parameters = [{ name: "Operation", values: ["Scan"] }];
            scan.priority = 2;
            sameWindow.push({ type: TYPES.windowTask, name: "closing-scan", props: scan });
            assert.deepEqual(await runStackPolicy(scanInstallNoOverlap, sameWindow), []);
            scan.priority = install.priority;
            assert.equal((await runStackPolicy(scanInstallNoOverlap, sameWindow)).length, 1, "equal priorities run together");
        });
    });

    describe("default-baseline-approves-updates", () => {
        const withDefault = (baseline: Record<string, unknown>): StackEntry[] => {
            const stack = prodStack();
            Object.assign(entry(stack, "windows-baseline").props, baseline);
            stack.push({
                type: TYPES.defaultPatchBaseline,
                name: "windows-default",
                props: { baselineId: BASELINE_ID, operatingSystem: "WINDOWS" },
            });
            return stack;
        };
        it("reports a default baseline that approves only listed patches", async () => {
            const v = await runStackPolicy(
                defaultBaselineApprovesUpdates,
                withDefault({ approvalRules: [], approvedPatches: ["KB123456"] }),
            );
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    'patch baseline "patch-manager-prod-windows" (windows-baseline) is the default for "WINDOWS" but approves only 1 listed patch and no rule: add approval rules (e.g. security updates after 7 days), or register it for a patch group instead.',
                ],
            );
            assert.equal(v[0].urn, urnOf(TYPES.defaultPatchBaseline, "windows-default"));
        });

        it("reports a default baseline whose rules all filter security updates out, or that rejects every patch", async () => {
            const bugfixOnly = {
                approvalRules: [{ approveAfterDays: 7, patchFilters: [{ key: "CLASSIFICATION", values: ["Bugfix", "Enhancement"] }] }],
            };
            const v = await runStackPolicy(defaultBaselineApprovesUpdates, withDefault(bugfixOnly));
            assert.equal(v.length, 1);
            assert.match(v[0].message, /no approval rule approves security updates/);
            const rejectsAll = await runStackPolicy(defaultBaselineApprovesUpdates, withDefault({ rejectedPatches: ["*"] }));
            assert.match(rejectsAll[0].message, /rejects every patch/);
        });

        it("passes a default baseline with approval rules, and a rule-less baseline that is no default", async () => {
            assert.deepEqual(await runStackPolicy(defaultBaselineApprovesUpdates, withDefault({})), []);
            const stack = prodStack();
            Object.assign(entry(stack, "windows-baseline").props, { approvalRules: [], approvedPatches: ["KB123456"] });
            assert.deepEqual(await runStackPolicy(defaultBaselineApprovesUpdates, stack), []);
        });
    });
});
