// Target resolution (config/runtime/targets.ts) against the facts it cites, and every shipped stack's
// startStopped groups replayed: the start step reaches stopped instances, ends before the install
// resolves its targets, waits long enough, and the stop comes after the install.
import { strict as assert } from "assert";
import { NODE_KINDS, reaches, startStoppedProblems, TargetedTask, unreachedByInstall } from "../../../config/runtime/targets";
import { TYPES } from "@patch-manager/ssm";
import type { PlannedResource } from "../../../tools/mock/mockProgram";
import { fact } from "../../facts/facts";
import { shippedResources } from "../../facts/stacks";
import { SHIPPED_STACKS } from "../../helpers";
import { parse as parseYaml } from "yaml";

/** The tasks of a stack as the target model reads them: a task with targets resolves managed nodes by tag. */
function targetedTasks(resources: readonly PlannedResource[]): TargetedTask[] {
    const targets = resources.filter((r) => r.type === TYPES.windowTarget);
    return resources
        .filter((r) => r.type === TYPES.windowTask)
        .map((t) => {
            const i = t.inputs as any;
            const ids: string[] = (i.targets ?? []).flatMap((x: { values: string[] }) => x.values);
            const groups = targets.filter((x) => ids.includes(String(x.id))).flatMap((x) => (x.inputs.targets as any[])[0].values);
            const params: { name: string; values: string[] }[] = i.taskInvocationParameters?.automationParameters?.parameters ?? [];
            const param = (n: string) => params.find((p) => p.name === n)?.values[0];
            const doc = String(i.taskArn);
            const step = /start-stopped$/.test(doc)
                ? "start"
                : /stop-started$/.test(doc)
                  ? "stop"
                  : /Install$/.test(String(i.name)) || /-install$/.test(String(i.name))
                    ? "install"
                    : "other";
            return {
                name: t.name,
                group: groups[0] ?? param("PatchGroup") ?? "(none)",
                step,
                priority: Number(i.priority),
                method: ids.length > 0 ? "window target (managed nodes by tag)" : "runbook asks EC2 by tag",
                ...(param("TimeoutMinutes") !== undefined ? { timeoutMinutes: Number(param("TimeoutMinutes")) } : {}),
            } as TargetedTask;
        });
}

describe("config/runtime/targets: which nodes each target reaches", function () {
    it("a window target of managed nodes never reaches a stopped instance, and Run Command's max-errors never counts it (fact)", function () {
        const undeliverable = fact("run-command-undeliverable");
        assert.match(undeliverable.quote, /can't be delivered to the managed node/);
        assert.equal((undeliverable.value as any).countsAgainstMaxErrors, false);
        assert.equal(reaches("window target (managed nodes by tag)", "stopped EC2 instance"), false);
        assert.equal(reaches("window target (managed nodes by tag)", "online EC2 instance"), true);
        assert.equal(reaches("window target (managed nodes by tag)", "online hybrid node"), true);
        assert.equal(reaches("window target (managed nodes by tag)", "Auto Scaling instance"), true);
    });

    it("a targetless runbook that asks EC2 reaches stopped instances, never hybrid nodes (fact: Automation tasks may be targetless)", function () {
        assert.equal((fact("window-task-targetless-automation").value as any).automationTargetsOptional, true);
        assert.equal(reaches("runbook asks EC2 by tag", "stopped EC2 instance"), true);
        assert.equal(reaches("runbook asks EC2 by tag", "online hybrid node"), false);
    });

    it("an install after a start in an earlier band reaches the stopped instances; the same band or no start does not", function () {
        const install: TargetedTask = {
            name: "i",
            group: "G",
            step: "install",
            priority: 2,
            method: "window target (managed nodes by tag)",
        };
        const start: TargetedTask = {
            name: "s",
            group: "G",
            step: "start",
            priority: 1,
            method: "runbook asks EC2 by tag",
            timeoutMinutes: 20,
        };
        assert.deepEqual(unreachedByInstall([install], "G"), ["stopped EC2 instance"]);
        assert.deepEqual(unreachedByInstall([start, install], "G"), []);
        assert.deepEqual(unreachedByInstall([{ ...start, priority: 2 }, install], "G"), ["stopped EC2 instance"]);
        // The old start task: a window target, which never reaches what it must start.
        const old = { ...start, method: "window target (managed nodes by tag)" as const };
        assert.ok(startStoppedProblems([old, install], "G", 10).some((p) => /never reaches a stopped instance/.test(p)));
        assert.ok(NODE_KINDS.length >= 5);
    });

    // The start step's bound must cover the start (boto3's instance_running waiter: delay × attempts)
    // and the agent coming online; aws:executeScript steps last at most 600 seconds each.
    const waiter = fact("ec2-instance-running-waiter").value as { delaySeconds: number; maxAttempts: number };
    const minimumMinutes = (waiter.delaySeconds * waiter.maxAttempts) / 60;

    for (const name of SHIPPED_STACKS)
        it(`${name}: every startStopped group's start reaches stopped instances, ends before its install, waits long enough; its stop comes after`, async function () {
            const resources = await shippedResources(name);
            const tasks = targetedTasks(resources);
            const groups = [...new Set(tasks.filter((t) => t.step === "start" || t.step === "stop").map((t) => t.group))];
            for (const g of groups) {
                assert.deepEqual(startStoppedProblems(tasks, g, minimumMinutes), [], `${name} ${g}`);
                assert.ok(!unreachedByInstall(tasks, g).includes("stopped EC2 instance"), `${name} ${g}`);
            }
            const documents = resources.filter(
                (r) => r.type === "aws:ssm/document:Document" && /start-stopped$/.test(String(r.inputs.name)),
            );
            for (const d of documents) {
                const content = parseYaml(String(d.inputs.content));
                const max = fact("automation-execute-script-max-duration").value as number;
                const scripts = content.mainSteps.filter((s: any) => s.action === "aws:executeScript");
                for (const s of scripts) assert.ok(s.timeoutSeconds <= max, `${s.name}: ${s.timeoutSeconds} s > ${max} s`);
                // The steps together can wait as long as the longest TimeoutMinutes any task passes.
                const waits = scripts.length - 1;
                const longest = Math.max(...tasks.filter((t) => t.step === "start").map((t) => t.timeoutMinutes ?? 0));
                assert.ok(waits * max >= longest * 60, `${waits} wait steps of ${max} s cannot wait ${longest} minutes`);
            }
            if (name === "prod-strategies") assert.ok(groups.length > 0, "prod-strategies starts a group's stopped instances");
        });
});
