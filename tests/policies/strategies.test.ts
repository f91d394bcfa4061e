import { strict as assert } from "assert";
import { strategyLoadBalancerShare, strategyOverridesExclusive, strategySnapshotBeforeInstall } from "../../policies/strategies";
import { taskRebootIfNeeded } from "../../policies/tasks";
import { TYPES } from "@patch-manager/ssm";
import { runResourcePolicy, runStackPolicy, urnOf } from "./harness";
import { entry, prodStack, TARGET_ID, taskInputs, WINDOW_ID } from "./resources";
import { fact } from "../facts/facts";

const TASK = TYPES.windowTask;

function withParameters(task: Record<string, any>, params: Record<string, string[]>) {
    task.taskInvocationParameters.runCommandParameters.parameters.push(
        ...Object.entries(params).map(([name, values]) => ({ name, values })),
    );
    return task;
}

function automationTask(doc: string, priority: number, extra: Record<string, unknown> = {}) {
    const t = taskInputs();
    delete t.taskInvocationParameters;
    return {
        ...t,
        taskType: "AUTOMATION",
        taskArn: doc,
        priority,
        taskInvocationParameters: {
            automationParameters: { documentVersion: "$DEFAULT", parameters: [{ name: "InstanceId", values: ["{{RESOURCE_ID}}"] }] },
        },
        ...extra,
    };
}

/** A second window whose task reboots the Web Server group (exit 194). */
function rebootWindow() {
    const id = "mw-0fedcba9876543210";
    const target = "9a1d7c2e-3f4b-4c6d-8e9f-0a1b2c3d4e5f";
    const reboot = taskInputs();
    reboot.windowId = id;
    reboot.taskArn = "AWS-RunShellScript";
    reboot.targets = [{ key: "WindowTargetIds", values: [target] }];
    reboot.taskInvocationParameters.runCommandParameters.parameters = [{ name: "commands", values: ["exit 194"] }];
    return [
        { type: TYPES.window, name: "reboot-window", props: { ...entry(prodStack(), "web-server-window").props, id, name: "reboot" } },
        {
            type: TYPES.windowTarget,
            name: "reboot-target",
            props: { ...entry(prodStack(), "web-server-target").props, windowId: id, id: target },
        },
        { type: TASK, name: "reboot-task", props: { ...reboot, id: "r1" } },
    ];
}

describe("policies/strategies", function () {
    describe("production NoReboot needs a reboot window (task-reboot-if-needed)", function () {
        it("refuses production NoReboot even in a noRebootWindows window, and accepts it with a reboot window", async function () {
            const stack = prodStack();
            const p = entry(stack, "web-server-task").props as any;
            p.taskInvocationParameters.runCommandParameters.parameters[1].values = ["NoReboot"];
            const config = { noRebootWindows: ["patch-manager-prod-web-server"] };
            const v = await runStackPolicy(taskRebootIfNeeded, stack, { config });
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TASK, "web-server-task"));
            assert.match(
                v[0].message,
                /is production \(tag Environment=production\) and installs with NoReboot; noRebootWindows does not excuse production/,
            );
            assert.deepEqual(await runStackPolicy(taskRebootIfNeeded, [...stack, ...rebootWindow()], { config }), []);
            assert.deepEqual(
                await runStackPolicy(taskRebootIfNeeded, [...stack, ...rebootWindow()]),
                [],
                "a reboot window alone is enough",
            );
        });

        it("a reboot window whose task runs a Command document of the stack (no commands parameter) counts when the document asks for the reboot", async function () {
            const stack = prodStack();
            (entry(stack, "web-server-task").props as any).taskInvocationParameters.runCommandParameters.parameters[1].values = [
                "NoReboot",
            ];
            // The shell plugin (Linux only) and the agent's Linux reboot exit code, as the facts give them.
            const plugins = fact("command-document-plugins").value as { plugins: Record<string, { platforms: string[] }> };
            const shell = Object.keys(plugins.plugins).find((k) => plugins.plugins[k].platforms.join() === "Linux")!;
            const rebootExit = `exit ${fact("agent-reboot-exit-code-linux").value}`;
            const own = (script: string[]) => {
                const extra = rebootWindow();
                const task = extra[2].props as any;
                task.taskArn = "patch-manager-prod-reboot-linux";
                task.taskInvocationParameters.runCommandParameters.parameters = [
                    { name: "WindowExecutionId", values: ["{{WINDOW_EXECUTION_ID}}"] },
                ];
                const content = {
                    schemaVersion: "2.2",
                    mainSteps: [{ action: shell, name: "reboot", inputs: { runCommand: script } }],
                };
                const document = {
                    type: TYPES.document,
                    name: "reboot-document",
                    props: {
                        name: task.taskArn,
                        id: task.taskArn,
                        documentType: "Command",
                        documentFormat: "JSON",
                        content: JSON.stringify(content),
                    },
                };
                return [...stack, ...extra, document];
            };
            assert.deepEqual(await runStackPolicy(taskRebootIfNeeded, own([rebootExit])), []);
            const v = await runStackPolicy(taskRebootIfNeeded, own(["echo no reboot"]));
            assert.deepEqual(
                v.map((x) => x.urn),
                [urnOf(TASK, "web-server-task")],
                "a document that never reboots is no reboot window",
            );
        });

        it("a reboot task on another patch group does not count", async function () {
            const stack = prodStack();
            (entry(stack, "web-server-task").props as any).taskInvocationParameters.runCommandParameters.parameters[1].values = [
                "NoReboot",
            ];
            const other = rebootWindow();
            (other[1].props as any).targets = [{ key: "tag:Patch Group", values: ["Database Server"] }];
            const v = await runStackPolicy(taskRebootIfNeeded, [...stack, ...other]);
            assert.match(v[0]?.message ?? "", /installs with RebootOption "NoReboot"/);
        });
    });

    describe("strategy-overrides-exclusive", function () {
        it("passes one override, reports both, and SnapshotId beside either", async function () {
            const one = withParameters(taskInputs(), { BaselineOverride: ["s3://b/o.json"] });
            assert.deepEqual((await runResourcePolicy(strategyOverridesExclusive, TASK, one, { name: "t" })).messages, []);
            const both = withParameters(taskInputs(), { BaselineOverride: ["s3://b/o.json"], InstallOverrideList: ["s3://b/l.yaml"] });
            const m = (await runResourcePolicy(strategyOverridesExclusive, TASK, both, { name: "t" })).messages;
            assert.deepEqual(m, [
                'task "web-server-install" (t) sets both BaselineOverride and InstallOverrideList; keep one (AWS-RunPatchBaseline fails with both).',
            ]);
            const snap = withParameters(taskInputs(), {
                InstallOverrideList: ["s3://b/l.yaml"],
                SnapshotId: ["0a1b2c3d-0000-4000-8000-000000000000"],
            });
            const s = (await runResourcePolicy(strategyOverridesExclusive, TASK, snap, { name: "t" })).messages;
            assert.equal(s.length, 1);
            assert.match(s[0], /sets SnapshotId .* beside InstallOverrideList; drop SnapshotId/);
        });
    });

    describe("strategy-snapshot-before-install", function () {
        it("passes an image at a lower priority, reports one at the install's priority or later", async function () {
            const stack = prodStack();
            (entry(stack, "web-server-task").props as any).priority = 2;
            const image = { type: TASK, name: "image-task", props: { ...automationTask("AWS-CreateImage", 1), id: "i1" } };
            assert.deepEqual(await runStackPolicy(strategySnapshotBeforeInstall, [...stack, image]), []);
            image.props.priority = 2;
            const v = await runStackPolicy(strategySnapshotBeforeInstall, [...stack, image]);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TASK, "image-task"));
            assert.match(
                v[0].message,
                /\(AWS-CreateImage, priority 2\) does not run before task "web-server-install" \(web-server-task\) \(priority 2\)/,
            );
        });

        it("ignores an image on another window target", async function () {
            const stack = prodStack();
            const image = {
                type: TASK,
                name: "image-task",
                props: { ...automationTask("AWS-CreateImage", 5), targets: [{ key: "WindowTargetIds", values: ["other"] }], id: "i1" },
            };
            assert.deepEqual(await runStackPolicy(strategySnapshotBeforeInstall, [...stack, image]), []);
            assert.ok(TARGET_ID && WINDOW_ID);
        });
    });

    describe("strategy-load-balancer-share", function () {
        const lb = (maxConcurrency: string) => automationTask("AWSEC2-PatchLoadBalancerInstance", 1, { maxConcurrency });
        it("passes up to the share (default 25%) or one at a time, reports more", async function () {
            for (const ok of ["25%", "10%", "1"])
                assert.deepEqual((await runResourcePolicy(strategyLoadBalancerShare, TASK, lb(ok), { name: "t" })).messages, []);
            const m = (await runResourcePolicy(strategyLoadBalancerShare, TASK, lb("50%"), { name: "t" })).messages;
            assert.deepEqual(m, [
                'task "web-server-install" (t) drains "50%" of its load balancer\'s targets at once; use a percentage up to 25% (config maxDrainingPercent) or "1", so the rest stay in service.',
            ]);
            assert.equal((await runResourcePolicy(strategyLoadBalancerShare, TASK, lb("3"), { name: "t" })).messages.length, 1);
            assert.deepEqual(
                (await runResourcePolicy(strategyLoadBalancerShare, TASK, lb("50%"), { name: "t", config: { maxDrainingPercent: 50 } }))
                    .messages,
                [],
            );
        });
        it("leaves other tasks alone", async function () {
            assert.deepEqual(
                (await runResourcePolicy(strategyLoadBalancerShare, TASK, { ...taskInputs(), maxConcurrency: "100%" }, { name: "t" }))
                    .messages,
                [],
            );
        });
    });
});
