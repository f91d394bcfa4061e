// The window scheduler model against the facts it cites (config/runtime/windowRun.ts), and every
// shipped stack's windows replayed: no group waits on another group's tasks, no install is starved.
import { strict as assert } from "assert";
import { parseConfig } from "../../../config";
import { batchesOf, windowRun, WindowTaskInput } from "../../../config/runtime/windowRun";
import { ownsWindow, windowPlan } from "../../../config/windowPlan";
import { projectValues } from "../../../tools/mock/mockProgram";
import { groupEstimatesOf, windowsOf } from "../../../tools/plan/windows";
import { evaluate, SHIPPED_STACKS, shippedConfig, withConfig } from "../../helpers";

const task = (over: Partial<WindowTaskInput> & Pick<WindowTaskInput, "name" | "group" | "priority">): WindowTaskInput => ({
    taskType: "RUN_COMMAND",
    document: "AWS-RunPatchBaseline",
    operation: "Install",
    maxConcurrency: "1",
    maxErrors: "1",
    cutoffBehavior: "CONTINUE_TASK",
    ...over,
});
const one = { "AWS-RunPatchBaseline:Install": { minutesPerBatch: 60, source: "test" } };

describe("config/runtime/windowRun: the scheduler's rules", function () {
    // RegisterTaskWithMaintenanceWindow, Priority: "Tasks in a maintenance window are scheduled in
    // priority order with tasks that have the same priority scheduled in parallel."
    it("the same priority runs in parallel; a higher number waits for the band before it", function () {
        const t = windowRun(
            { durationHours: 6, cutoffHours: 1 },
            [
                task({ name: "a", group: "A", priority: 1 }),
                task({ name: "b", group: "B", priority: 1 }),
                task({ name: "c", group: "A", priority: 2 }),
            ],
            {
                estimates: one,
                instancesPerGroup: 2,
            },
        );
        const at = (n: string) => t.tasks.find((e) => e.task === n)!;
        assert.equal(at("a").startMinute, 0);
        assert.equal(at("b").startMinute, 0);
        assert.equal(at("c").startMinute, at("a").endMinute);
        assert.ok(
            t.findings.some((f) => f.startsWith("A waits for other groups' tasks: B")),
            t.findings.join("\n"),
        );
    });

    // CreateMaintenanceWindow, Cutoff: "stops scheduling new tasks"; CutoffBehavior CANCEL_TASK:
    // Run Command gets CancelCommand, Automation starts no new invocations; CONTINUE_TASK: running tasks continue.
    it("the cutoff: nothing starts after it; CANCEL_TASK cancels a command and stops an automation's new invocations", function () {
        const window = { durationHours: 3, cutoffHours: 1 };
        const opts = { estimates: { ...one, "AWS-CreateImage": { minutesPerBatch: 60, source: "test" } }, instancesPerGroup: 3 };
        const cancel = windowRun(
            window,
            [task({ name: "i", group: "A", priority: 1, cutoffBehavior: "CANCEL_TASK" }), task({ name: "late", group: "A", priority: 2 })],
            opts,
        );
        assert.deepEqual(
            cancel.tasks.map((e) => [e.task, e.outcome, e.endMinute]),
            [
                ["i", "cancelled at the cutoff", 120],
                ["late", "never starts", undefined],
            ],
        );
        const automation = windowRun(
            window,
            [
                task({
                    name: "img",
                    group: "A",
                    priority: 1,
                    taskType: "AUTOMATION",
                    document: "AWS-CreateImage",
                    cutoffBehavior: "CANCEL_TASK",
                }),
            ],
            opts,
        );
        assert.deepEqual(
            [automation.tasks[0].outcome, automation.tasks[0].batchesStarted, automation.tasks[0].batches],
            ["partly started", 2, 3],
        );
        const cont = windowRun(window, [task({ name: "i", group: "A", priority: 1 })], opts);
        assert.deepEqual([cont.tasks[0].outcome, cont.tasks[0].endMinute], ["runs past the cutoff", 180]);
        assert.ok(cancel.findings.some((f) => /A: AWS-RunPatchBaseline cancelled at the cutoff/.test(f)));
    });

    it("rate control: a percentage of the group or a count at a time", function () {
        assert.equal(batchesOf("10%", 10), 10);
        assert.equal(batchesOf("25%", 10), 5);
        assert.equal(batchesOf("3", 10), 4);
    });
});

describe("config/runtime/windowRun: every shipped stack's windows, replayed", function () {
    for (const name of SHIPPED_STACKS) {
        it(`${name}: no group waits on another group's tasks and no install or stop is starved`, async function () {
            const stack = await evaluate(name);
            const windows = windowsOf(stack.resources, new Date("2026-12-01T00:00:00Z"), 1);
            assert.ok(windows.length > 0);
            for (const w of windows) {
                assert.ok(w.timeline!.tasks.length > 0, `${w.name}: a window with tasks`);
                assert.deepEqual(w.timeline!.findings, [], `${name} ${w.name}`);
            }
        });
    }

    it("the layout: a group that runs more than one step gets its own window, even without a schedule", async function () {
        const base = shippedConfig("prod-strategies");
        const groups = (JSON.parse(base.values["patch-manager:patchGroups"]) as any[]).map(({ schedule: _s, ...g }) => g);
        const model = parseConfig(projectValues(withConfig(base, { patchGroups: groups })), "prod-strategies");
        for (const g of model.patchGroups) {
            const windows = windowPlan(model).filter((w) => w.kind !== "reboot" && w.groups.some((x) => x.name === g.name));
            assert.equal(windows.length, 1);
            if (g.strategies.imageFirst || g.strategies.startStopped)
                assert.deepEqual(
                    windows[0].groups.map((x) => x.name),
                    [g.name],
                    `${g.name} runs several steps: alone in its window`,
                );
            assert.equal(ownsWindow(g), windows[0].kind === "group");
        }
        const stack = await evaluate("prod-strategies", withConfig(base, { patchGroups: groups }));
        for (const w of windowsOf(stack.resources, new Date("2026-12-01T00:00:00Z"), 1))
            assert.ok(!w.timeline!.findings.some((f) => /waits for other groups/.test(f)), `${w.name}: ${w.timeline!.findings.join("; ")}`);
    });
});

describe("config/runtime/windowRun: the stack's own duration estimates (patchGroups[].durationEstimates)", function () {
    it("are validated with their key path", function () {
        const base = shippedConfig("prod-strategies");
        const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
        for (const [estimates, message] of [
            [{ install: 0 }, /durationEstimates\.install.*from 1 to 1440/],
            [{ reboots: 10 }, /durationEstimates.*reboots/],
        ] as const) {
            const edited = groups.map((g, i) => (i === 1 ? { ...g, durationEstimates: estimates } : g));
            assert.throws(
                () => parseConfig(projectValues(withConfig(base, { patchGroups: edited })), "prod-strategies"),
                (e: Error) => /patch-manager:patchGroups\[1\]\.durationEstimates/.test(e.message) && message.test(e.message),
            );
        }
    });

    it("replace the assumed estimate of that group's step in the plan's timeline, naming the key", async function () {
        const base = shippedConfig("prod");
        const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
        const edited = groups.map((g, i) => (i === 0 ? { ...g, durationEstimates: { install: 217 } } : g));
        const config = withConfig(base, { patchGroups: edited });
        const model = parseConfig(projectValues(config), "prod");
        const stack = await evaluate("prod", config);
        const windows = windowsOf(stack.resources, new Date("2026-12-01T00:00:00Z"), 1, {
            groupEstimates: groupEstimatesOf(model.patchGroups),
        });
        const entries = windows.flatMap((w) => w.timeline!.tasks).filter((e) => e.group === groups[0].name);
        assert.ok(entries.length > 0);
        for (const e of entries.filter((x) => /RunPatchBaseline|Patch/.test(x.document))) {
            assert.equal(e.estimate.minutesPerBatch, 217);
            assert.equal(e.estimate.source, "config: patch-manager:patchGroups[0].durationEstimates.install");
        }
        const others = windows.flatMap((w) => w.timeline!.tasks).filter((e) => e.group !== groups[0].name);
        assert.ok(
            others.every((e) => e.estimate.minutesPerBatch !== 217),
            "only that group's tasks",
        );
    });
    // The reboot windows run the program's own reboot documents (components/strategies.ts rebootTask): the model
    // knows them by their name's suffix, so a group's reboot estimate reaches them and no 30-minute guess does.
    it("reaches a reboot window's task, which runs the program's own reboot document, as the group's reboot step", async function () {
        const base = shippedConfig("prod-strategies");
        const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
        const i = groups.findIndex((g) => g.rebootWindow);
        assert.ok(i >= 0, "the example has a group with a reboot window");
        const edited = groups.map((g, k) => (k === i ? { ...g, durationEstimates: { reboot: 41 } } : g));
        const config = withConfig(base, { patchGroups: edited });
        const model = parseConfig(projectValues(config), "prod-strategies");
        const stack = await evaluate("prod-strategies", config);
        const documents = new Set(stack.ofType("aws:ssm/document:Document").map((d) => String(d.inputs.name)));
        const windows = windowsOf(stack.resources, new Date("2026-12-01T00:00:00Z"), 1, {
            groupEstimates: groupEstimatesOf(model.patchGroups),
        });
        const reboots = windows.flatMap((w) => w.timeline!.tasks).filter((e) => documents.has(e.document) && e.group === groups[i].name);
        assert.equal(reboots.length, 1, "the group's reboot task runs a document of the stack");
        assert.equal(reboots[0].estimate.minutesPerBatch, 41);
        assert.equal(reboots[0].estimate.source, `config: patch-manager:patchGroups[${i}].durationEstimates.reboot`);
    });
});
