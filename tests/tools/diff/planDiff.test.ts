import { strict as assert } from "assert";
import {
    describeScheduleChange,
    DiffablePlan,
    DiffResource,
    DiffWindow,
    diffPlans,
    diffResources,
    inputDifferences,
    renderDiffMarkdown,
    renderDiffText,
    replacingInputs,
} from "../../../tools/diff/planDiff";

const WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";
const TARGET = "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget";
const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
const urn = (type: string, name: string) => `urn:pulumi:prod::patch-manager::${type}::${name}`;

function res(type: string, name: string, id: string, inputs: Record<string, unknown>): DiffResource {
    return { urn: urn(type, name), type, name, custom: true, id, inputs };
}

function win(name: string, over: Partial<DiffWindow> = {}): DiffWindow {
    return {
        urn: urn(WINDOW, name),
        name,
        schedule: "cron(0 23 ? * THU#1 *)",
        timezone: "Europe/Amsterdam",
        durationHours: 6,
        cutoffHours: 1,
        patchGroups: ["Web Server"],
        description: "at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour)",
        next: ["2026-12-03T22:00:00.000Z"],
        ...over,
    };
}

function basePlan(): DiffablePlan {
    return {
        stack: "prod",
        resources: [
            res(WINDOW, "web-window", "mw-0000000000000000a", { name: "web", schedule: "cron(0 23 ? * THU#1 *)", duration: 6 }),
            res(TARGET, "web-target", "t-1", {
                windowId: "mw-0000000000000000a",
                resourceType: "INSTANCE",
                targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
            }),
            res(TASK, "web-task", "k-1", {
                windowId: "mw-0000000000000000a",
                taskType: "RUN_COMMAND",
                maxErrors: "5%",
                targets: [{ key: "WindowTargetIds", values: ["t-1"] }],
            }),
        ],
        windows: [win("web-window")],
    };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe("offline plan diff (tools/diff/planDiff)", () => {
    it("says no change in one line", () => {
        const d = diffPlans(basePlan(), basePlan(), { from: "HEAD", to: "working tree" });
        assert.deepEqual(d.resources, []);
        assert.deepEqual(d.summary, { add: 0, remove: 0, replace: 0, update: 0, unchanged: 3 });
        assert.equal(renderDiffText(d), "stack prod: no changes (HEAD → working tree)");
        assert.equal(renderDiffText(d).split("\n").length, 1);
        assert.equal(renderDiffMarkdown(d).split("\n").length, 1);
    });

    it("an updatable input is an update, with the changed leaf and both values", () => {
        const next = clone(basePlan());
        next.resources[2].inputs.maxErrors = "10%";
        const d = diffPlans(basePlan(), next, { from: "a", to: "b" });
        assert.deepEqual(
            d.resources.map((r) => [r.action, r.name, r.changes]),
            [["update", "web-task", [{ path: "maxErrors", old: "5%", new: "10%", replaces: false }]]],
        );
        assert.match(
            renderDiffText(d),
            /~ {2}aws:ssm\/maintenanceWindowTask:MaintenanceWindowTask {2}web-task\n {7}maxErrors: "5%" → "10%"$/m,
        );
    });

    it("a ForceNew input replaces; an updatable input that names the replaced resource is an update", () => {
        const next = clone(basePlan());
        // resourceType is ForceNew on a target; the target's new id reaches the task only through an updatable input.
        next.resources[1].inputs.resourceType = "RESOURCE_GROUP";
        const d = diffPlans(basePlan(), next, { from: "a", to: "b" });
        assert.deepEqual(
            d.resources.map((r) => [r.action, r.name]),
            [
                ["replace", "web-target"],
                ["update", "web-task"],
            ],
        );
        assert.equal(d.resources[1].changes[0].path, "targets");
        assert.equal(d.resources[1].changes[0].replaces, false);
    });

    it("replacement cascades through ForceNew references (window → target and task)", () => {
        const old = clone(basePlan());
        // Pretend the window type had a ForceNew name by using a type whose table lists it.
        old.resources[0] = res("aws:iam/role:Role", "web-window", "mw-0000000000000000a", { name: "a" });
        const next = clone(old);
        next.resources[0].inputs.name = "b";
        const d = diffPlans(old, next, { from: "a", to: "b" });
        assert.deepEqual(d.resources.map((r) => [r.action, r.name]).sort(), [
            ["replace", "web-target"],
            ["replace", "web-task"],
            ["replace", "web-window"],
        ]);
        const target = d.resources.find((r) => r.name === "web-target")!;
        assert.deepEqual(
            target.changes.map((c) => [c.path, c.replaces]),
            [["windowId", true]],
        );
    });

    it("matches a resource moved to a new URN by its alias: an update, not a delete and a create", () => {
        const next = clone(basePlan());
        const window = next.resources[0];
        window.aliases = [window.urn];
        window.urn = urn(`patch-manager:region:RegionDeployment$${WINDOW}`, "eu-west-1-web-window");
        window.inputs.schedule = "cron(0 22 ? * THU#1 *)";
        const d = diffResources(basePlan(), next);
        assert.deepEqual(
            d.map((c) => [c.action, c.urn, c.changes.map((x) => x.path)]),
            [["update", window.urn, ["schedule"]]],
        );
        delete window.aliases;
        assert.deepEqual(
            diffResources(basePlan(), next).map((c) => c.action),
            ["add", "remove"],
            "without the alias, the engine sees a new resource and a deleted one",
        );
    });

    it("adds and removes by URN, components included", () => {
        const next = clone(basePlan());
        const removed = next.resources.splice(2, 1);
        next.resources.push(
            { ...res(TASK, "web-task-2", "k-2", {}), custom: true },
            {
                urn: urn("patch-manager:patching:PatchGroup", "db"),
                type: "patch-manager:patching:PatchGroup",
                name: "db",
                custom: false,
                id: null,
                inputs: {},
            },
        );
        const d = diffPlans(basePlan(), next, { from: "a", to: "b" });
        assert.deepEqual(
            d.resources.map((r) => [r.action, r.name]),
            [
                ["add", "web-task-2"],
                ["add", "db"],
                ["remove", removed[0].name],
            ],
        );
        assert.deepEqual(d.summary, { add: 2, remove: 1, replace: 0, update: 0, unchanged: 2 });
    });

    it("reads the replacement rules from the provider schema table", () => {
        assert.deepEqual(replacingInputs(TARGET), ["description", "name", "resourceType", "windowId"]);
        assert.deepEqual(replacingInputs("aws:ssm/patchGroup:PatchGroup"), ["baselineId", "patchGroup"]);
        // A window's schedule, name and duration are all updated in place (UpdateMaintenanceWindow).
        assert.deepEqual(replacingInputs(WINDOW), []);
        assert.deepEqual(replacingInputs("aws:unknown/thing:Thing"), []);
    });

    it("leaf paths inside nested inputs", () => {
        assert.deepEqual(inputDifferences({ t: [{ values: ["a", "b"] }] }, { t: [{ values: ["a", "c", "d"] }] }), [
            { path: "t[0].values[1]", old: "b", new: "c" },
            { path: "t[0].values[2]", new: "d" },
        ]);
        assert.deepEqual(inputDifferences({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } }), []);
    });

    it("schedule changes in words, the shared part said once, with the next start in the window's zone", () => {
        const next = clone(basePlan());
        next.windows[0] = win("web-window", {
            schedule: "cron(0 23 ? * THU#2 *)",
            description: "at 23:00 on the second Thursday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour)",
            next: ["2026-12-10T22:00:00.000Z"],
        });
        const d = diffPlans(basePlan(), next, { from: "a", to: "b" });
        assert.equal(
            describeScheduleChange(d.schedules[0]),
            "Web Server window: at 23:00 on the first Thursday of every month → at 23:00 on the second Thursday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour), next start Thu 2026-12-10 23:00 CET",
        );
        assert.match(renderDiffMarkdown(d), /^\*\*Schedules\*\*\n\n- Web Server window: at 23:00 on the first Thursday/m);
    });

    it("a window serving several groups is named by its window name; new and removed windows say so", () => {
        const old = basePlan();
        const next = clone(old);
        next.windows = [win("env-window", { urn: urn(WINDOW, "env-window"), patchGroups: ["Windows", "RHEL"] })];
        const lines = diffPlans(old, next, { from: "a", to: "b" }).schedules.map(describeScheduleChange);
        assert.deepEqual(lines, [
            "env-window window (new): at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour), next start Thu 2026-12-03 23:00 CET",
            "Web Server window (removed): was at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour)",
        ]);
    });

    it("markdown escapes table pipes in values", () => {
        const next = clone(basePlan());
        next.resources[0].inputs.name = "a|b";
        assert.match(renderDiffMarkdown(diffPlans(basePlan(), next, { from: "a", to: "b" })), /"web" → "a\\\|b"/);
    });
});
