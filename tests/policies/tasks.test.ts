import * as assert from "node:assert/strict";
import {
    taskOutputToS3,
    taskPatchDocument,
    taskProductionConcurrency,
    taskRateControl,
    taskRebootIfNeeded,
    taskDocumentHashUnpinned,
    taskOwnServiceRole,
    taskServiceRole,
} from "../../policies/tasks";
import { TYPES } from "@patch-manager/ssm";
import { UNKNOWN_STRING, runResourcePolicy, runStackPolicy, urnOf } from "./harness";
import { entry, prodStack, taskInputs, windowInputs } from "./resources";

const TASK = TYPES.windowTask;
const opts = { name: "web-server-task" };

function setParameter(task: Record<string, any>, name: string, values: string[] | undefined): void {
    const rc = task.taskInvocationParameters.runCommandParameters;
    rc.parameters = rc.parameters.filter((p: any) => p.name !== name);
    if (values) rc.parameters.push({ name, values });
}

describe("policies/tasks", () => {
    describe("task-service-role", () => {
        it("passes a task with an IAM role ARN, including a role path", async () => {
            assert.deepEqual((await runResourcePolicy(taskServiceRole, TASK, taskInputs(), opts)).messages, []);
            const withPath = { ...taskInputs(), serviceRoleArn: "arn:aws-us-gov:iam::123456789012:role/service-role/patching" };
            assert.deepEqual((await runResourcePolicy(taskServiceRole, TASK, withPath, opts)).messages, []);
        });

        it("reports a task whose role sits in the SNS notification role's place (no notifications configured)", async () => {
            const task = taskInputs();
            delete task.serviceRoleArn;
            task.taskInvocationParameters.runCommandParameters.serviceRoleArn = "arn:aws:iam::123456789012:role/sns";
            const { messages } = await runResourcePolicy(taskServiceRole, TASK, task, opts);
            assert.equal(messages.length, 1);
            assert.match(messages[0], /^task "web-server-install" \(web-server-task\) has no serviceRoleArn/);
            assert.match(messages[0], /SNS notification role/);
        });

        it("takes a task without serviceRoleArn (SSM's service-linked role runs it), and a task that does not patch", async () => {
            const task = taskInputs();
            delete task.serviceRoleArn;
            assert.deepEqual((await runResourcePolicy(taskServiceRole, TASK, task, opts)).messages, []);
            const lambda = {
                ...taskInputs(),
                taskType: "LAMBDA",
                taskArn: "arn:aws:lambda:eu-west-1:123456789012:function:x",
                serviceRoleArn: "x",
            };
            assert.deepEqual((await runResourcePolicy(taskServiceRole, TASK, lambda, opts)).messages, []);
        });

        it("reports an ARN that is not a role, naming it", async () => {
            const task = { ...taskInputs(), serviceRoleArn: "arn:aws:iam::123456789012:user/patcher" };
            const { messages } = await runResourcePolicy(taskServiceRole, TASK, task, opts);
            assert.deepEqual(messages, [
                `task "web-server-install" (web-server-task): serviceRoleArn "arn:aws:iam::123456789012:user/patcher" is not an IAM role ARN (expected arn:aws:iam::<account-id>:role/<name>).`,
            ]);
        });

        it("skips an ARN unknown during preview instead of failing the rule", async () => {
            const task = { ...taskInputs(), serviceRoleArn: UNKNOWN_STRING };
            assert.deepEqual((await runResourcePolicy(taskServiceRole, TASK, task, opts)).messages, []);
        });

        it("does not apply to other types (engine fast path by type token)", async () => {
            const r = await runResourcePolicy(taskServiceRole, TYPES.window, windowInputs());
            assert.equal(r.notApplicable, true);
            assert.deepEqual(r.messages, []);
        });
    });

    describe("task-own-service-role (stack)", () => {
        it("passes a patching window's tasks that each name a role of their own (the compliant twin)", async () => {
            assert.deepEqual(await runStackPolicy(taskOwnServiceRole, prodStack()), []);
        });

        it("reports a patching task without serviceRoleArn: it would run as SSM's service-linked role", async () => {
            const stack = prodStack();
            delete entry(stack, "web-server-task").props.serviceRoleArn;
            const v = await runStackPolicy(taskOwnServiceRole, stack);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TASK, "web-server-task"));
            assert.match(
                v[0].message,
                /^task "web-server-install" \(web-server-task\) has no serviceRoleArn, so it runs as SSM's service-linked role/,
            );
            assert.match(v[0].message, /without iam:PassRole\. Set serviceRoleArn to a role of the task's own\.$/);
        });

        it("reports a task on the patch groups of a patching window that does not patch itself (a reboot task)", async () => {
            const stack = prodStack();
            const reboot: Record<string, any> = {
                ...taskInputs(),
                name: "web-server-reboot",
                taskArn: "patch-manager-prod-reboot-linux",
                priority: 2,
            };
            delete reboot.serviceRoleArn;
            reboot.taskInvocationParameters.runCommandParameters.parameters = [
                { name: "WindowExecutionId", values: ["{{WINDOW_EXECUTION_ID}}"] },
            ];
            stack.push({ type: TASK, name: "web-server-reboot-task", props: { ...reboot, id: "0b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } });
            const v = await runStackPolicy(taskOwnServiceRole, stack);
            assert.deepEqual(
                v.map((x) => x.urn),
                [urnOf(TASK, "web-server-reboot-task")],
            );
        });

        it("reports every other task of a patching window, and any task on a patch group's tag, without a role of its own", async () => {
            // Review of issue 18: a shell task beside the patching, by instance ids or targetless, went unflagged.
            const stack = prodStack();
            const shell: Record<string, any> = { ...taskInputs(), name: "ad-hoc", taskArn: "AWS-RunShellScript", priority: 5 };
            delete shell.serviceRoleArn;
            shell.targets = [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }];
            shell.taskInvocationParameters.runCommandParameters.parameters = [{ name: "commands", values: ["id"] }];
            stack.push({ type: TASK, name: "ad-hoc-task", props: { ...shell, id: "1b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } });
            const automation: Record<string, any> = {
                ...taskInputs(),
                name: "runbook",
                taskType: "AUTOMATION",
                taskArn: "AWS-StopEC2Instance",
                targets: [],
            };
            delete automation.serviceRoleArn;
            delete automation.taskInvocationParameters;
            stack.push({ type: TASK, name: "runbook-task", props: { ...automation, id: "2b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } });
            const elsewhere: Record<string, any> = {
                ...structuredClone(shell),
                name: "elsewhere",
                windowId: "mw-0123456789abcdef0",
                targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
            };
            stack.push({ type: TASK, name: "elsewhere-task", props: { ...elsewhere, id: "3b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } });
            const v = await runStackPolicy(taskOwnServiceRole, stack);
            assert.deepEqual(
                v.map((x) => x.urn).sort(),
                [urnOf(TASK, "ad-hoc-task"), urnOf(TASK, "elsewhere-task"), urnOf(TASK, "runbook-task")].sort(),
            );
        });

        it("reports a task that names the service-linked role, and any window task of a stack that patches", async () => {
            const stack = prodStack();
            entry(stack, "web-server-task").props.serviceRoleArn =
                "arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM";
            const other: Record<string, any> = {
                ...taskInputs(),
                name: "backup",
                taskArn: "AWS-RunShellScript",
                windowId: "mw-0fedcba9876543210",
            };
            delete other.serviceRoleArn;
            other.targets = [{ key: "WindowTargetIds", values: ["e32eecb2-646c-4f4b-8ed1-205fbEXAMPLE"] }];
            stack.push({ type: TASK, name: "backup-task", props: { ...other, id: "4b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } });
            const v = await runStackPolicy(taskOwnServiceRole, stack);
            assert.deepEqual(v.map((x) => x.urn).sort(), [urnOf(TASK, "backup-task"), urnOf(TASK, "web-server-task")].sort());
            assert.match(v.find((x) => x.urn === urnOf(TASK, "web-server-task"))!.message, /names SSM's service-linked role/);
        });

        it("leaves tasks of windows that do not patch alone, and a role known only at `pulumi up`", async () => {
            const stack = prodStack();
            const task = entry(stack, "web-server-task").props;
            task.serviceRoleArn = UNKNOWN_STRING;
            assert.deepEqual(await runStackPolicy(taskOwnServiceRole, stack), []);
            task.taskArn = "AWS-RestartEC2Instance";
            delete task.serviceRoleArn;
            assert.deepEqual(await runStackPolicy(taskOwnServiceRole, stack), []);
        });
    });

    describe("task-rate-control", () => {
        it("passes percentages and counts SSM accepts", async () => {
            for (const [maxConcurrency, maxErrors] of [
                ["10%", "5%"],
                ["2", "0"],
                ["100%", "0%"],
                ["1", "1"],
            ]) {
                const task = { ...taskInputs(), maxConcurrency, maxErrors };
                assert.deepEqual(
                    (await runResourcePolicy(taskRateControl, TASK, task, opts)).messages,
                    [],
                    `${maxConcurrency}/${maxErrors}`,
                );
            }
        });

        it("reports missing and invalid values with the offending value", async () => {
            const task = { ...taskInputs(), maxConcurrency: "0", maxErrors: undefined };
            delete task.maxErrors;
            const { messages } = await runResourcePolicy(taskRateControl, TASK, task, opts);
            assert.equal(messages.length, 2);
            assert.match(messages[0], /^task "web-server-install" \(web-server-task\): maxConcurrency "0" is not valid/);
            assert.match(messages[1], /has no maxErrors/);
        });

        it("refuses 0% concurrency and 101% errors", async () => {
            const task = { ...taskInputs(), maxConcurrency: "0%", maxErrors: "101%" };
            const { messages } = await runResourcePolicy(taskRateControl, TASK, task, opts);
            assert.deepEqual(
                messages.map((m) => /: (\w+) "([^"]+)"/.exec(m)?.slice(1, 3)),
                [
                    ["maxConcurrency", "0%"],
                    ["maxErrors", "101%"],
                ],
            );
        });

        it("ignores tasks that do not patch", async () => {
            const task: Record<string, any> = { ...taskInputs(), taskArn: "AWS-RunShellScript" };
            delete task.maxConcurrency;
            assert.deepEqual((await runResourcePolicy(taskRateControl, TASK, task, opts)).messages, []);
        });
    });

    describe("task-production-concurrency (stack)", () => {
        it("passes 10% in a production window", async () => {
            assert.deepEqual(await runStackPolicy(taskProductionConcurrency, prodStack()), []);
        });

        it("reports a production task above 25%, judged from the window's Environment tag", async () => {
            const stack = prodStack();
            entry(stack, "web-server-task").props.maxConcurrency = "50%";
            const v = await runStackPolicy(taskProductionConcurrency, stack, { stack: "live" });
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TASK, "web-server-task", "live"));
            assert.match(
                v[0].message,
                /^task "web-server-install" \(web-server-task\) is production \(tag Environment=production\) but patches 50% of its targets at once; the ceiling is 25%/,
            );
        });

        it("honours a configured ceiling and an absolute count ceiling", async () => {
            const stack = prodStack();
            entry(stack, "web-server-task").props.maxConcurrency = "50%";
            assert.deepEqual(await runStackPolicy(taskProductionConcurrency, stack, { config: { maxConcurrencyPercent: 50 } }), []);
            entry(stack, "web-server-task").props.maxConcurrency = "2";
            assert.deepEqual(await runStackPolicy(taskProductionConcurrency, stack), []);
            entry(stack, "web-server-task").props.maxConcurrency = "12";
            const v = await runStackPolicy(taskProductionConcurrency, stack);
            assert.match(v[0]?.message ?? "", /patches 12 instances at once; the ceiling is 10 \(config maxConcurrencyCount\)/);
        });

        it("takes production from the provider's defaultTags when the window carries no environment tag", async () => {
            const stack = prodStack();
            const window = entry(stack, "web-server-window");
            window.props.tags = {};
            window.providerProps = { region: "eu-west-1", defaultTags: { tags: { Environment: "production" } } };
            (entry(stack, "web-server-task").props as Record<string, any>).maxConcurrency = "50%";
            const v = await runStackPolicy(taskProductionConcurrency, stack, { stack: "payments" });
            assert.equal(v.length, 1);
            assert.match(v[0].message, /is production \(tag Environment=production\)/);
        });

        it("leaves non-production windows alone unless the stack is listed in productionStacks", async () => {
            const stack = prodStack();
            entry(stack, "web-server-window").props.tags = { Environment: "development" };
            entry(stack, "web-server-task").props.maxConcurrency = "100%";
            assert.deepEqual(await runStackPolicy(taskProductionConcurrency, stack, { stack: "dev" }), []);
            const v = await runStackPolicy(taskProductionConcurrency, stack, { stack: "prod", config: { productionStacks: ["prod"] } });
            assert.match(v[0]?.message ?? "", /is production \(stack "prod"\)/);
        });

        it("finds the window through property dependencies when ids are unknown (preview)", async () => {
            const stack = prodStack();
            entry(stack, "web-server-window").props.id = UNKNOWN_STRING;
            const task = entry(stack, "web-server-task");
            task.props.windowId = UNKNOWN_STRING;
            task.props.maxConcurrency = "30%";
            task.dependsOn = { windowId: ["web-server-window"] };
            const v = await runStackPolicy(taskProductionConcurrency, stack);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /patches 30%/);
        });
    });

    describe("task-reboot-if-needed (stack)", () => {
        it("passes an explicit RebootIfNeeded, and scans without RebootOption", async () => {
            assert.deepEqual(await runStackPolicy(taskRebootIfNeeded, prodStack()), []);
            const stack = prodStack();
            setParameter(entry(stack, "web-server-task").props, "Operation", ["Scan"]);
            setParameter(entry(stack, "web-server-task").props, "RebootOption", undefined);
            assert.deepEqual(await runStackPolicy(taskRebootIfNeeded, stack), []);
        });

        it("reports NoReboot on an installing task, naming task and window", async () => {
            const stack = prodStack();
            setParameter(entry(stack, "web-server-task").props, "RebootOption", ["NoReboot"]);
            const v = await runStackPolicy(taskRebootIfNeeded, stack);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, urnOf(TASK, "web-server-task"));
            assert.match(
                v[0].message,
                /^task "web-server-install" \(web-server-task\) \(window "patch-manager-prod-web-server" \(web-server-window\)\) installs with RebootOption "NoReboot"/,
            );
        });

        it("passes an installing task that leaves RebootOption to the document's default (RebootIfNeeded)", async () => {
            const stack = prodStack();
            setParameter(entry(stack, "web-server-task").props, "RebootOption", undefined);
            assert.deepEqual(await runStackPolicy(taskRebootIfNeeded, stack), []);
        });

        it("accepts NoReboot outside production in a window named in noRebootWindows (by name or id)", async () => {
            const stack = prodStack();
            entry(stack, "web-server-window").props.tags = { Environment: "staging" };
            setParameter(entry(stack, "web-server-task").props, "RebootOption", ["NoReboot"]);
            assert.deepEqual(
                await runStackPolicy(taskRebootIfNeeded, stack, {
                    stack: "staging",
                    config: { noRebootWindows: ["patch-manager-prod-web-server"] },
                }),
                [],
            );
            assert.deepEqual(
                await runStackPolicy(taskRebootIfNeeded, stack, {
                    stack: "staging",
                    config: { noRebootWindows: ["mw-0123456789abcdef0"] },
                }),
                [],
            );
            assert.equal(
                (await runStackPolicy(taskRebootIfNeeded, stack, { stack: "staging", config: { noRebootWindows: ["another-window"] } }))
                    .length,
                1,
            );
        });
    });

    describe("task-patch-document", () => {
        it("passes AWS-RunPatchBaseline and the WithHooks variant, also as a document ARN", async () => {
            assert.deepEqual((await runResourcePolicy(taskPatchDocument, TASK, taskInputs(), opts)).messages, []);
            const hooks = { ...taskInputs(), taskArn: "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaselineWithHooks" };
            assert.deepEqual((await runResourcePolicy(taskPatchDocument, TASK, hooks, opts)).messages, []);
        });

        it("reports AWS-ApplyPatchBaseline", async () => {
            const task = { ...taskInputs(), taskArn: "AWS-ApplyPatchBaseline" };
            const { messages } = await runResourcePolicy(taskPatchDocument, TASK, task, opts);
            assert.deepEqual(messages, [
                `task "web-server-install" (web-server-task) runs "AWS-ApplyPatchBaseline", the deprecated Windows-only document; use AWS-RunPatchBaseline.`,
            ]);
        });

        it("reports SnapshotId and a missing Operation", async () => {
            const task = taskInputs();
            setParameter(task, "SnapshotId", ["{{ aws:ORCHESTRATION_EXECUTION_ID }}"]);
            setParameter(task, "Operation", undefined);
            const { messages } = await runResourcePolicy(taskPatchDocument, TASK, task, opts);
            assert.equal(messages.length, 2);
            assert.match(messages[0], /sets SnapshotId \["\{\{ aws:ORCHESTRATION_EXECUTION_ID \}\}"\]; leave it unset/);
            assert.match(messages[1], /without the required Operation parameter/);
        });
    });

    describe("task-output-to-s3", () => {
        it("passes a task with outputS3Bucket", async () => {
            assert.deepEqual((await runResourcePolicy(taskOutputToS3, TASK, taskInputs(), opts)).messages, []);
        });

        it("reports a Run Command task without it, naming the task", async () => {
            const task = taskInputs();
            delete task.taskInvocationParameters.runCommandParameters.outputS3Bucket;
            const { messages } = await runResourcePolicy(taskOutputToS3, TASK, task, opts);
            assert.deepEqual(messages, [
                `task "web-server-install" (web-server-task) does not send command output to S3; set taskInvocationParameters.runCommandParameters.outputS3Bucket (and outputS3KeyPrefix).`,
            ]);
        });
    });

    describe("task-patch-document: hooks and the cutoff", () => {
        it("reports a hooks task that a cutoff would cancel before its OnExit hook, and passes CONTINUE_TASK", async () => {
            const hooks = { ...taskInputs(), taskArn: "AWS-RunPatchBaselineWithHooks", cutoffBehavior: "CANCEL_TASK" };
            const { messages } = await runResourcePolicy(taskPatchDocument, TASK, hooks, opts);
            assert.equal(messages.length, 1);
            assert.match(
                messages[0],
                /cutoffBehavior CANCEL_TASK: a task cancelled at the cutoff is not documented to run its OnExit hook/,
            );
            const continuing = { ...hooks, cutoffBehavior: "CONTINUE_TASK" };
            assert.deepEqual((await runResourcePolicy(taskPatchDocument, TASK, continuing, opts)).messages, []);
        });
    });

    describe("task-document-hash-unpinned", () => {
        it("reports a pinned documentHash and a numbered version of an AWS patch document, on a task and an association", async () => {
            const task = taskInputs();
            Object.assign(task.taskInvocationParameters.runCommandParameters, { documentHash: "ee02ab", documentVersion: "3" });
            const { messages } = await runResourcePolicy(taskDocumentHashUnpinned, TASK, task, opts);
            assert.deepEqual(messages, [
                'task "web-server-install" (web-server-task) pins documentHash "ee02ab" of AWS-RunPatchBaseline; when AWS updates AWS-RunPatchBaseline the run fails. Drop documentHash.',
                'task "web-server-install" (web-server-task) pins AWS-RunPatchBaseline to version 3; use $DEFAULT (or leave documentVersion unset) to run AWS\'s current one.',
            ]);
            const assoc = { name: "AWS-RunPatchBaseline", documentVersion: "12", parameters: { Operation: "Scan" } };
            const a = await runResourcePolicy(taskDocumentHashUnpinned, "aws:ssm/association:Association", assoc, { name: "scan" });
            assert.equal(a.messages.length, 1);
        });

        it("passes $DEFAULT and $LATEST, and a pinned hash of the user's own document", async () => {
            assert.deepEqual((await runResourcePolicy(taskDocumentHashUnpinned, TASK, taskInputs(), opts)).messages, []);
            const own: Record<string, any> = { ...taskInputs(), taskArn: "Acme-Patch" };
            own.taskInvocationParameters.runCommandParameters.documentHash = "ee02ab";
            assert.deepEqual((await runResourcePolicy(taskDocumentHashUnpinned, TASK, own, opts)).messages, []);
        });
    });
});
