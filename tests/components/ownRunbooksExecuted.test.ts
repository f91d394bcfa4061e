// The program's own Automation runbooks, executed: the documents the shipped stacks create, started
// as their EventBridge targets start them (AWS's sample event through the rule's target), run by
// an interpreter of Automation's steps (tests/facts/automation/runbook.ts) whose scripts run in a
// Python interpreter (Skulpt) against a fake account that answers as botocore's models say. The
// assertions are outcomes in that account, not the documents' text.
import { strict as assert } from "assert";
import fc from "fast-check";
import { FROZEN_TAG, freezeRunbook } from "../../components/freezes";
import { RESOURCE_TYPES } from "../../config/resourceTypes";
import { AwsError, FakeAccount, type WindowExecution } from "../facts/automation/account";
import { runAutomation, transformInput, type AutomationParameters } from "../facts/automation/runbook";
import { matches } from "../facts/eventPattern";
import { fact, sampleEvent } from "../facts/facts";
import { shippedResources } from "../facts/stacks";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import { parse as parseYaml } from "yaml";

const WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";

interface StartedRunbook {
    /** The Automation document as the stack creates it. */
    doc: any;
    /** The rule's event pattern and the target's input (or input transformer). */
    pattern: Record<string, unknown>;
    target: Record<string, any>;
    /** The maintenance windows of the same deployment (one region's PatchManager). */
    windowIds: string[];
}

/** Every runbook an EventBridge rule of `stack` starts, with the windows of its deployment. */
async function startedRunbooks(stack: string): Promise<StartedRunbook[]> {
    const resources = await shippedResources(stack);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const deployment = (r: PlannedResource): string | undefined => {
        for (let p: PlannedResource | undefined = r; p; p = p.parent ? byUrn.get(p.parent) : undefined)
            if (p.type === RESOURCE_TYPES.PatchManager) return p.urn;
        return undefined;
    };
    const out: StartedRunbook[] = [];
    for (const target of resources.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget")) {
        const m = /:automation-definition\/([^:]+):\$DEFAULT$/.exec(String(target.inputs.arn));
        if (!m) continue;
        const document = resources.find((r) => r.type === "aws:ssm/document:Document" && r.inputs.name === m[1]);
        const rule = resources.find(
            (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && (r.inputs.name ?? r.id) === target.inputs.rule,
        );
        assert.ok(document && rule, `${stack}: ${target.name} starts ${m[1]} on ${target.inputs.rule}: both exist`);
        const home = deployment(document);
        out.push({
            doc: parseYaml(String(document.inputs.content)),
            pattern: JSON.parse(String(rule.inputs.eventPattern)),
            target: target.inputs,
            windowIds: resources.filter((r) => r.type === WINDOW && deployment(r) === home).map((r) => r.id!),
        });
    }
    return out;
}

/** What the target hands StartAutomationExecution for `event`: its constant input or its transformer's output. */
function parametersFor(target: Record<string, any>, event: Record<string, unknown>): AutomationParameters {
    return target.input !== undefined ? JSON.parse(target.input) : transformInput(target.inputTransformer, event);
}

const isAlarmStop = (r: StartedRunbook) =>
    (r.pattern["detail-type"] as string[]).includes(fact("event-cloudwatch-alarm-state-change").value!["detail-type" as never]);
const isFreeze = (r: StartedRunbook) =>
    (r.pattern["detail-type"] as string[]).includes(fact("event-calendar-state-change").value!["detail-type" as never]);

/** A window execution in progress: a plain install (Run Command), a hooks install, a rollback runbook, one of the program's automations, and a task not started yet. */
function runningExecution(windowId: string, n: number): WindowExecution {
    // MaintenanceWindowExecutionId and its task, invocation ids: UUIDs (botocore's patterns).
    const id = (k: number) => `${String(n).padStart(8, "0")}-0000-4000-8000-${String(k).padStart(12, "0")}`;
    return {
        WindowExecutionId: id(0),
        WindowId: windowId,
        Status: "IN_PROGRESS",
        tasks: [
            {
                TaskExecutionId: id(1),
                TaskArn: "AWS-RunPatchBaseline",
                TaskType: "RUN_COMMAND",
                Status: "IN_PROGRESS",
                invocations: [
                    { InvocationId: id(11), ExecutionId: id(21), TaskType: "RUN_COMMAND", Status: "IN_PROGRESS" },
                    { InvocationId: id(12), ExecutionId: id(22), TaskType: "RUN_COMMAND", Status: "SUCCESS" },
                ],
            },
            {
                TaskExecutionId: id(2),
                TaskArn: "AWS-RunPatchBaselineWithHooks",
                TaskType: "RUN_COMMAND",
                Status: "IN_PROGRESS",
                invocations: [{ InvocationId: id(13), ExecutionId: id(23), TaskType: "RUN_COMMAND", Status: "IN_PROGRESS" }],
            },
            {
                TaskExecutionId: id(3),
                TaskArn: "arn:aws:ssm:eu-west-1::automation-definition/AWS-PatchInstanceWithRollback",
                TaskType: "AUTOMATION",
                Status: "IN_PROGRESS",
                invocations: [{ InvocationId: id(14), ExecutionId: id(31), TaskType: "AUTOMATION", Status: "IN_PROGRESS" }],
            },
            {
                TaskExecutionId: id(4),
                TaskArn: "patch-manager-prod-start",
                TaskType: "AUTOMATION",
                Status: "IN_PROGRESS",
                invocations: [{ InvocationId: id(15), ExecutionId: id(32), TaskType: "AUTOMATION", Status: "IN_PROGRESS" }],
            },
            { TaskExecutionId: id(5), TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Status: "PENDING", invocations: [] },
        ],
    };
}

describe("the program's own runbooks, executed against a fake account (issue 24)", function () {
    it("the interpreter follows Automation's step rules (facts automation-*)", async function () {
        const a = new FakeAccount().addWindow("mw-0123456789abcdef0");
        const api = (name: string, id: string, extra: object = {}) => ({
            name,
            action: "aws:executeAwsApi",
            inputs: { Service: "ssm", Api: "UpdateMaintenanceWindow", WindowId: id, Enabled: false },
            ...extra,
        });
        const doc = (...steps: object[]) => ({ schemaVersion: "0.3", parameters: {}, mainSteps: steps });
        const gone = "mw-0fffffffffffffff0";
        // onFailure defaults to Abort: the next step does not run.
        let run = await runAutomation(doc(api("a", gone), api("b", "mw-0123456789abcdef0")), {}, a);
        assert.deepEqual([run.status, run.steps.length], ["Failed", 1]);
        // Continue: the next step runs, and the step is not critical.
        run = await runAutomation(doc(api("a", gone, { onFailure: "Continue" }), api("b", "mw-0123456789abcdef0")), {}, a);
        assert.deepEqual([run.status, run.steps.map((s) => s.status)], ["Success", ["Failed", "Success"]]);
        assert.equal(a.windows.get("mw-0123456789abcdef0")!.enabled, false);
        // Continue with isCritical: the automation fails, after the remaining steps.
        run = await runAutomation(
            doc(api("a", gone, { onFailure: "Continue", isCritical: true }), api("b", "mw-0123456789abcdef0")),
            {},
            a,
        );
        assert.deepEqual([run.status, run.steps.length], ["Failed", 2]);
        // isEnd stops after the step.
        run = await runAutomation(doc(api("a", "mw-0123456789abcdef0", { isEnd: true }), api("b", gone)), {}, a);
        assert.deepEqual([run.status, run.steps.length], ["Success", 1]);
    });

    describe("the alarm stop (prod-private)", function () {
        let stops: StartedRunbook[];
        before(async function () {
            stops = (await startedRunbooks("prod-private")).filter(isAlarmStop);
            assert.ok(stops.length >= 2, "one stop per region of prod-private");
        });

        async function fire(stop: StartedRunbook, account: FakeAccount) {
            const alarmArn = (stop.pattern.resources as string[])[0];
            const event = sampleEvent("event-cloudwatch-alarm-state-change", { resources: [alarmArn] });
            assert.ok(matches(stop.pattern, event), "AWS's alarm event for this alarm entering ALARM starts the stop");
            return runAutomation(stop.doc, parametersFor(stop.target, event), account);
        }

        it("disables every window of its region, cancels their running executions and what those started, and keeps the hook and rollback runbooks running", async function () {
            for (const stop of stops) {
                assert.ok(stop.windowIds.length > 0);
                const account = new FakeAccount();
                stop.windowIds.forEach((w, i) => account.addWindow(w).addExecution(runningExecution(w, i)));
                account.addWindow("mw-0000000000000ffff").addExecution(runningExecution("mw-0000000000000ffff", 99));
                account.addExecution({ ...runningExecution(stop.windowIds[0], 50), Status: "SUCCESS", tasks: [] });
                const run = await fire(stop, account);
                assert.equal(run.status, "Success", JSON.stringify(run.steps.filter((s) => s.status === "Failed")));
                for (const [n, w] of stop.windowIds.entries()) {
                    assert.equal(account.windows.get(w)!.enabled, false, `${w} disabled`);
                    const e = account.executions.find((x) => x.WindowExecutionId === runningExecution(w, n).WindowExecutionId)!;
                    // CancelMaintenanceWindowExecution (botocore): tasks not started never start.
                    assert.equal(e.Status, "CANCELLING");
                    assert.equal(e.tasks[4].Status, "CANCELLED");
                    const [c1, c3, a1, a2] = [
                        e.tasks[0].invocations[0],
                        e.tasks[1].invocations[0],
                        e.tasks[2].invocations[0],
                        e.tasks[3].invocations[0],
                    ].map((i) => i.ExecutionId);
                    assert.equal(account.commands.get(c1), "Cancelled", "a plain install's command is cancelled");
                    assert.equal(account.automations.get(a2), "Cancelled", "the program's own automation is stopped");
                    assert.equal(account.commands.get(c3), "InProgress", "AWS-RunPatchBaselineWithHooks runs on to its OnExit hook");
                    assert.equal(account.automations.get(a1), "InProgress", "AWS-PatchInstanceWithRollback runs on to its end");
                }
                assert.equal(account.windows.get("mw-0000000000000ffff")!.enabled, true, "another stack's window is left alone");
                assert.equal(account.executions.find((e) => e.WindowId === "mw-0000000000000ffff")!.Status, "IN_PROGRESS");
                // StopAutomationExecution: Type Cancel (botocore StopType: Complete | Cancel).
                for (const c of account.calls.filter((x) => x.operation === "StopAutomationExecution"))
                    assert.equal(c.request.Type, "Cancel");
            }
        });

        it("a window deleted out of band does not keep the others running (onFailure Continue)", async function () {
            const stop = stops[0];
            const account = new FakeAccount();
            const [gone, ...rest] = stop.windowIds;
            rest.forEach((w, i) => account.addWindow(w).addExecution(runningExecution(w, i)));
            const run = await fire(stop, account);
            assert.ok(
                run.steps.some((s) => s.status === "Failed"),
                "the deleted window's steps fail",
            );
            assert.ok(!account.windows.has(gone));
            assert.equal(run.status, "Failed", "a window not disabled fails the execution (isCritical), the others still stopped");
            for (const w of rest) assert.equal(account.windows.get(w)!.enabled, false);
            // The cancel step reads every window's executions; a DoesNotExist for the deleted one must not end it early.
            const cancelled = account.executions.filter((e) => e.Status === "CANCELLING").length;
            assert.equal(cancelled, rest.length, `executions cancelled (${JSON.stringify(run.steps.at(-1))})`);
        });
    });

    describe("the change freezes (prod-strategies)", function () {
        let freeze: StartedRunbook;
        let calendars: string[];
        before(async function () {
            const found = (await startedRunbooks("prod-strategies")).filter(isFreeze);
            assert.equal(found.length, 1, "one freeze runbook in prod-strategies");
            freeze = found[0];
            calendars = freeze.pattern.resources as string[];
        });

        function account(enabled: Record<string, boolean> = {}) {
            const a = new FakeAccount();
            for (const w of freeze.windowIds) a.addWindow(w, enabled[w] ?? true);
            for (const c of calendars) a.calendars.set(c, "OPEN");
            return a;
        }
        /** A calendar changes state: the fake's calendar, then AWS's sample event for it through the target. */
        async function calendar(a: FakeAccount, arn: string, state: "OPEN" | "CLOSED", expect: "Success" | "Failed" = "Success") {
            a.calendars.set(arn, state);
            const event = sampleEvent(`event-calendar-state-change`, { resources: [arn], detail: { state } });
            assert.ok(matches(freeze.pattern, event), "the calendar's state change starts the freeze runbook");
            const run = await runAutomation(freeze.doc, parametersFor(freeze.target, event), a);
            assert.equal(run.status, expect, JSON.stringify(run.steps));
        }

        it("closing disables every window of the deployment; opening enables them again", async function () {
            const a = account();
            await calendar(a, calendars[0], "CLOSED");
            for (const w of freeze.windowIds) assert.equal(a.windows.get(w)!.enabled, false, `${w} frozen`);
            await calendar(a, calendars[0], "OPEN");
            for (const w of freeze.windowIds) assert.equal(a.windows.get(w)!.enabled, true, `${w} thawed`);
        });

        it("a window deleted out of band does not keep the others from freezing", async function () {
            const a = account();
            const [gone, ...rest] = freeze.windowIds;
            a.windows.delete(gone);
            // The step fails (the execution shows the deleted window), after following the others.
            await calendar(a, calendars[0], "CLOSED", "Failed");
            for (const w of rest) assert.equal(a.windows.get(w)!.enabled, false, `${w} frozen`);
            await calendar(a, calendars[0], "OPEN", "Failed");
            for (const w of rest) assert.equal(a.windows.get(w)!.enabled, true, `${w} thawed`);
        });

        it("with two calendars, the windows stay frozen until both are open (GetCalendarState over all of them)", async function () {
            const other = "arn:aws:ssm:eu-west-1:123456789012:document/company-freezes";
            const both = { ...freeze, doc: freezeRunbook(freeze.windowIds, [...calendars, other]) };
            const a = account();
            a.calendars.set(other, "CLOSED");
            const run = async (arn: string, state: "OPEN" | "CLOSED") => {
                a.calendars.set(arn, state);
                const event = sampleEvent("event-calendar-state-change", { resources: [arn], detail: { state } });
                assert.equal((await runAutomation(both.doc, parametersFor(freeze.target, event), a)).status, "Success");
            };
            await run(other, "CLOSED");
            await run(calendars[0], "CLOSED");
            await run(calendars[0], "OPEN");
            for (const w of freeze.windowIds) assert.equal(a.windows.get(w)!.enabled, false, `${w}: the other calendar is still closed`);
            await run(other, "OPEN");
            for (const w of freeze.windowIds) assert.equal(a.windows.get(w)!.enabled, true);
        });

        it("an enable that fails as the freeze ends keeps the freeze's mark, so the next run still enables the window", async function () {
            const a = account();
            await calendar(a, calendars[0], "CLOSED");
            const [flaky] = freeze.windowIds;
            const call = a.call.bind(a);
            let failures = 1;
            a.call = (service, operation, request) => {
                if (operation === "UpdateMaintenanceWindow" && request.WindowId === flaky && request.Enabled === true && failures-- > 0)
                    throw new AwsError("ThrottlingException", "Rate exceeded");
                return call(service, operation, request);
            };
            await calendar(a, calendars[0], "OPEN", "Failed");
            assert.equal(a.windows.get(flaky)!.enabled, false);
            assert.ok(FROZEN_TAG in a.tagsOf(flaky), "the mark stays while the window is still off");
            await calendar(a, calendars[0], "OPEN");
            assert.equal(a.windows.get(flaky)!.enabled, true, "the retry enables it");
            assert.ok(!(FROZEN_TAG in a.tagsOf(flaky)));
        });

        it("a window someone disabled before the freeze stays disabled after it", async function () {
            const off = freeze.windowIds[0];
            const a = account({ [off]: false });
            await calendar(a, calendars[0], "CLOSED");
            await calendar(a, calendars[0], "OPEN");
            assert.equal(a.windows.get(off)!.enabled, false);
        });

        it("never enables a window the alarm stop disabled, whatever the order of freezes, alarms and people (property)", async function () {
            const prodPrivateStop = (await startedRunbooks("prod-private")).find(isAlarmStop)!;
            // The stop of prod-private run over this deployment's windows: the same runbook, these windows.
            const stopDoc = JSON.parse(JSON.stringify(prodPrivateStop.doc).split(prodPrivateStop.windowIds[0]).join(freeze.windowIds[0]));
            const w = freeze.windowIds[0];
            const step = fc.oneof(
                fc.record({
                    kind: fc.constant("calendar" as const),
                    cal: fc.nat(calendars.length - 1),
                    state: fc.constantFrom("OPEN" as const, "CLOSED" as const),
                }),
                fc.record({ kind: fc.constant("alarm" as const) }),
                fc.record({ kind: fc.constant("person" as const) }),
            );
            await fc.assert(
                fc.asyncProperty(fc.array(step, { maxLength: 6 }), async (steps) => {
                    const a = account();
                    let heldByAlarm = false;
                    for (const s of steps) {
                        if (s.kind === "calendar") await calendar(a, calendars[s.cal], s.state);
                        else if (s.kind === "alarm") {
                            await runAutomation(stopDoc, parametersFor(prodPrivateStop.target, {}), a);
                            heldByAlarm = true;
                        } else {
                            a.windows.get(w)!.enabled = true; // a person (or pulumi up --refresh) enables it
                            heldByAlarm = false;
                        }
                        if (heldByAlarm) assert.equal(a.windows.get(w)!.enabled, false, `after ${JSON.stringify(steps)}`);
                        if (s.kind === "calendar" && s.state === "CLOSED") assert.equal(a.windows.get(w)!.enabled, false);
                    }
                    const open = [...a.calendars.values()].every((x) => x === "OPEN");
                    if (open && !heldByAlarm && steps.some((s) => s.kind === "calendar"))
                        assert.equal(
                            a.windows.get(w)!.enabled,
                            true,
                            `open calendars and no alarm since: enabled, after ${JSON.stringify(steps)}`,
                        );
                }),
                { numRuns: 25 },
            );
        });
    });

    describe("the start and stop of stopped instances (prod-strategies, startStopped)", function () {
        interface WindowRun {
            windowId: string;
            /** The window's AUTOMATION tasks that run the stack's own documents, by priority (lower first). */
            tasks: { name: string; priority: number; doc: any; parameters: { name: string; values: string[] }[] }[];
        }
        let runs: WindowRun[];
        before(async function () {
            const resources = await shippedResources("prod-strategies");
            const own = new Map(
                resources
                    .filter((r) => r.type === "aws:ssm/document:Document" && r.inputs.documentType === "Automation")
                    .map((r) => [String(r.inputs.name), parseYaml(String(r.inputs.content))]),
            );
            const byWindow = new Map<string, WindowRun>();
            for (const t of resources.filter((r) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
                const doc = own.get(String(t.inputs.taskArn));
                if (!doc) continue;
                const windowId = String(t.inputs.windowId);
                const run = byWindow.get(windowId) ?? { windowId, tasks: [] };
                const invocation = t.inputs.taskInvocationParameters as any;
                run.tasks.push({
                    name: t.name,
                    priority: Number(t.inputs.priority),
                    doc,
                    parameters: invocation.automationParameters.parameters,
                });
                byWindow.set(windowId, run);
            }
            runs = [...byWindow.values()].map((r) => ({ ...r, tasks: r.tasks.sort((a, b) => a.priority - b.priority) }));
            assert.ok(
                runs.some((r) => r.tasks.length === 2),
                "a window with a start and a stop task",
            );
        });

        const GROUP_TAG = { "Patch Group": "Dev Boxes" };
        /**
         * One window execution: each own task once, in priority order (the start and stop tasks are
         * targetless: their runbook finds the group's instances by tag), with the window execution's id
         * filled in for the pseudo-parameter (fact window-pseudo-parameters).
         */
        async function windowExecution(run: WindowRun, account: FakeAccount, executionId: string) {
            const results: string[] = [];
            for (const task of run.tasks) {
                const parameters = Object.fromEntries(
                    task.parameters.map((p) => [p.name, p.values.map((v) => v.replace("{{WINDOW_EXECUTION_ID}}", executionId))]),
                );
                results.push((await runAutomation(task.doc, parameters, account)).status);
            }
            return results;
        }

        it("starts only the group's stopped instances, and stops only what this execution started", async function () {
            for (const run of runs.filter((r) => r.tasks.length === 2)) {
                const a = new FakeAccount()
                    .addInstance("i-0aaaaaaaaaaaaaaa1", "stopped", GROUP_TAG)
                    .addInstance("i-0aaaaaaaaaaaaaaa2", "running", GROUP_TAG)
                    .addInstance("i-0aaaaaaaaaaaaaaa3", "stopped", { "Patch Group": "Web Server" })
                    // A cut-off execution started it and left its mark; someone uses it now.
                    .addInstance("i-0aaaaaaaaaaaaaaa4", "running", {
                        ...GROUP_TAG,
                        "patch-manager:started-by-window": "a1b2c3d4-0000-4000-8000-000000000000",
                    });
                const results = await windowExecution(run, a, "a1b2c3d4-0000-4000-8000-000000000001");
                assert.deepEqual(results, ["Success", "Success"], JSON.stringify(a.calls.slice(-3)));
                const started = a.calls.filter((c) => c.operation === "StartInstances").flatMap((c) => c.request.InstanceIds);
                const stopped = a.calls.filter((c) => c.operation === "StopInstances").flatMap((c) => c.request.InstanceIds);
                assert.deepEqual(started, ["i-0aaaaaaaaaaaaaaa1"], "only the group's stopped instance is started");
                assert.deepEqual(stopped, ["i-0aaaaaaaaaaaaaaa1"], "only what this execution started is stopped");
                assert.equal(a.instances.get("i-0aaaaaaaaaaaaaaa1")!.state, "stopped");
                assert.equal(a.instances.get("i-0aaaaaaaaaaaaaaa2")!.state, "running", "running before the window, running after it");
                assert.equal(a.instances.get("i-0aaaaaaaaaaaaaaa3")!.state, "stopped", "another group's instance is not touched");
                assert.equal(a.instances.get("i-0aaaaaaaaaaaaaaa4")!.state, "running", "another execution's mark is not this one's");
                assert.deepEqual(a.instances.get("i-0aaaaaaaaaaaaaaa1")!.tags, GROUP_TAG, "no mark is left behind");
            }
        });

        /** The start task alone, on one stopped instance of the group whose agent comes online after `agentDelay` seconds. */
        async function startOneStopped(agentDelay: number, executionId: string) {
            const run = runs.find((r) => r.tasks.length === 2)!;
            const a = new FakeAccount().addInstance("i-0aaaaaaaaaaaaaaa1", "stopped", GROUP_TAG, agentDelay);
            const parameters = run.tasks[0].parameters.map((p) => [
                p.name,
                p.values.map((v) => v.replace("{{WINDOW_EXECUTION_ID}}", executionId)),
            ]);
            return runAutomation(run.tasks[0].doc, Object.fromEntries(parameters), a);
        }

        it("the start waits past one aws:executeScript step's 600 s for a slow agent (15 minutes), then succeeds", async function () {
            const start = await startOneStopped(15 * 60, "a1b2c3d4-0000-4000-8000-000000000003");
            assert.equal(start.status, "Success", JSON.stringify(start.steps.map((st) => [st.name, st.status, st.error])));
            assert.ok(start.steps.filter((st) => st.action === "aws:executeScript").length >= 2, "more than one wait step ran");
        });

        it("the start waits for the SSM Agent: an agent that stays offline fails the start (Run Command reaches only online nodes)", async function () {
            const start = await startOneStopped(24 * 3600, "a1b2c3d4-0000-4000-8000-000000000002");
            assert.equal(start.status, "Failed");
            // The last wait step gives up (and says why) at the start's own deadline.
            assert.match(start.steps.at(-1)!.error!, /not ready for the install: offline i-0aaaaaaaaaaaaaaa1/);
        });
    });
});
