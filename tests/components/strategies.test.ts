import { strict as assert } from "assert";
import {
    AUTOMATION_TASK_LIMITS,
    AWS_DOCUMENTS,
    DOCUMENT_NAME_PATTERN,
    DOCUMENT_VERSION_PATTERN,
    STRATEGY_DOCUMENTS,
    TASK_TYPES,
} from "@patch-manager/ssm";
import { baselineOverrideDocument, strategyPermissions, taskSteps } from "../../components/strategies";
import { parseConfig } from "../../config";
import { projectValues } from "../../tools/mock/mockProgram";
import { evaluate, parameters, shippedConfig, Stack, T } from "../helpers";
import { fact } from "../facts/facts";
import { SERVICES } from "../facts/shapes";
import { parse as parseYaml } from "yaml";

const documents = Object.values(STRATEGY_DOCUMENTS);

describe("components: patching strategies (Pulumi.prod-strategies.yaml under mocks)", function () {
    let stack: Stack;
    before(async function () {
        stack = await evaluate("prod-strategies");
    });
    const automation = (t: { task: { inputs: any } }) =>
        Object.fromEntries(
            (t.task.inputs.taskInvocationParameters.automationParameters.parameters as any[]).map((p) => [p.name, p.values]),
        );

    const tasksOf = (group: string) => {
        const target = stack
            .ofType(T.target)
            .find((t) => (t.inputs.targets as any[])[0].values.includes(group) && !t.name.includes("reboot"))!;
        return stack
            .ofType(T.task)
            .filter((t) =>
                t.inputs.targets === undefined
                    ? automation({ task: t }).PatchGroup?.[0] === group
                    : (t.inputs.targets as any[])[0].values.includes(target.id),
            )
            .map((t) => ({ doc: t.inputs.taskArn as string, type: t.inputs.taskType, priority: t.inputs.priority as number, task: t }))
            .sort((a, b) => a.priority - b.priority);
    };
    it("every Automation task fits RegisterTaskWithMaintenanceWindow's shapes (botocore model constants)", function () {
        const tasks = stack.ofType(T.task).filter((t) => t.inputs.taskType === "AUTOMATION");
        assert.ok(tasks.length >= 6, `automation tasks: ${tasks.length}`);
        for (const t of tasks) {
            const i = t.inputs as any;
            assert.ok((TASK_TYPES as readonly string[]).includes(i.taskType));
            assert.match(i.taskArn, DOCUMENT_NAME_PATTERN, t.name);
            assert.ok(i.taskArn.length <= AUTOMATION_TASK_LIMITS.taskArn.max);
            assert.ok(i.priority >= AUTOMATION_TASK_LIMITS.priorityMin);
            // Targetless (the start and stop runbooks find their instances through EC2): no rate control then.
            assert.ok((i.targets ?? []).length <= AUTOMATION_TASK_LIMITS.targets.max);
            if (i.targets === undefined) assert.ok(i.maxConcurrency === undefined && i.maxErrors === undefined, t.name);
            const a = i.taskInvocationParameters.automationParameters;
            assert.equal(i.taskInvocationParameters.runCommandParameters, undefined, "Automation tasks take no Run Command parameters");
            assert.match(a.documentVersion, DOCUMENT_VERSION_PATTERN);
            const params = a.parameters as { name: string; values: string[] }[];
            assert.ok(params.length >= AUTOMATION_TASK_LIMITS.parameterMap.min && params.length <= AUTOMATION_TASK_LIMITS.parameterMap.max);
            for (const p of params) {
                assert.ok(
                    p.name.length >= AUTOMATION_TASK_LIMITS.parameterKey.min && p.name.length <= AUTOMATION_TASK_LIMITS.parameterKey.max,
                );
                assert.ok(p.values.length <= AUTOMATION_TASK_LIMITS.parameterValues.max);
                for (const v of p.values) {
                    assert.equal(typeof v, "string", `${t.name} ${p.name}: every Automation value is a string`);
                    assert.ok(
                        v.length >= AUTOMATION_TASK_LIMITS.parameterValue.min && v.length <= AUTOMATION_TASK_LIMITS.parameterValue.max,
                    );
                }
                // Parameter names the runbook declares (AWS's runbooks) or that our start/stop runbooks declare.
                const known = documents.find((d) => d.name === i.taskArn);
                if (known) assert.ok((known.parameters as readonly string[]).includes(p.name), `${i.taskArn} takes no ${p.name}`);
                else {
                    const own = stack.ofType("aws:ssm/document:Document").find((d) => d.inputs.name === i.taskArn)!;
                    assert.ok(
                        Object.keys(parseYaml(String(own.inputs.content)).parameters).includes(p.name),
                        `${i.taskArn} takes no ${p.name}`,
                    );
                }
            }
        }
    });

    it("snapshot first: AWS-CreateImage without reboot, then the install", function () {
        const t = tasksOf("App Server");
        assert.deepEqual(
            t.map((x) => [x.priority, x.doc]),
            [
                [1, "AWS-CreateImage"],
                [2, "AWS-RunPatchBaseline"],
            ],
        );
        assert.deepEqual(automation(t[0]), { InstanceId: ["{{RESOURCE_ID}}"], NoReboot: ["true"] });
    });

    it("rollback: AWS-PatchInstanceWithRollback replaces the install task and reports to the log bucket", function () {
        const t = tasksOf("Legacy App");
        assert.deepEqual(
            t.map((x) => [x.priority, x.doc, x.type]),
            [[1, "AWS-PatchInstanceWithRollback", "AUTOMATION"]],
        );
        // The runbook's own roles (runbook reference: AutomationAssumeRole, LambdaAssumeRole "If not specified a transient role will be created").
        const roles = stack.ofType(T.role);
        const runbookRole = roles.find((r) => r.name === "strategies-runbook")!;
        const lambdaRole = roles.find((r) => r.name === "strategies-runbook-lambda")!;
        assert.deepEqual(automation(t[0]), {
            InstanceId: ["{{RESOURCE_ID}}"],
            ReportS3Bucket: [String(stack.ofType(T.bucket)[0].outputs.bucket)],
            AutomationAssumeRole: [runbookRole.outputs.arn],
            LambdaAssumeRole: [lambdaRole.outputs.arn],
        });
        assert.equal(t[0].task.name, "production-legacy-app-task", "the install keeps its logical name");
    });

    it("load balancer: AWSEC2-PatchLoadBalancerInstance with the group's share as concurrency and the drain time", function () {
        const [t] = tasksOf("Web Server");
        assert.equal(t.doc, "AWSEC2-PatchLoadBalancerInstance");
        assert.equal((t.task.inputs as any).maxConcurrency, "25%");
        // Its own role (the content's "assumeRole": "{{ AutomationAssumeRole }}", packages/ssm/documents.ts), not the window role.
        const role = stack.ofType(T.role).find((r) => r.name === "strategies-lb-runbook")!;
        assert.deepEqual(automation(t), {
            InstanceId: ["{{RESOURCE_ID}}"],
            ConnectionDrainTime: ["5"],
            AutomationAssumeRole: [role.outputs.arn],
        });
    });

    it("Auto Scaling standby: AWS-PatchAsgInstance with the instance of each target", function () {
        const [t] = tasksOf("Workers");
        assert.equal(t.doc, "AWS-PatchAsgInstance");
        const roles = stack.ofType(T.role);
        assert.deepEqual(automation(t), {
            InstanceId: ["{{RESOURCE_ID}}"],
            AutomationAssumeRole: [roles.find((r) => r.name === "strategies-runbook")!.outputs.arn],
            LambdaRoleArn: [roles.find((r) => r.name === "strategies-runbook-lambda")!.outputs.arn],
        });
    });

    it("stopped instances: start, install, stop at ordered priorities with the program's runbooks", function () {
        const t = tasksOf("Dev Boxes");
        const docs = stack.ofType("aws:ssm/document:Document");
        const start = docs.find((d) => d.name.endsWith("start-stopped"))!;
        const stop = docs.find((d) => d.name.endsWith("stop-started"))!;
        assert.deepEqual(
            t.map((x) => [x.priority, x.doc]),
            [
                [1, start.inputs.name],
                [2, "AWS-RunPatchBaseline"],
                [3, stop.inputs.name],
            ],
        );
        // What they do is executed: tests/components/ownRunbooksExecuted.test.ts.
        assert.equal(start.inputs.documentType, "Automation");
    });

    it("reboot strategy: NoReboot install, and a reboot window that reboots (the agent's Windows reboot exit code) in the program's own document, then scans", function () {
        const [install] = tasksOf("Database Server");
        assert.deepEqual(parameters(install.task).RebootOption, ["NoReboot"]);
        const rebootTasks = stack.ofType(T.task).filter((t) => t.name.startsWith("strategies-database-server-"));
        const byName = Object.fromEntries(rebootTasks.map((t) => [t.name.replace("strategies-database-server-", ""), t]));
        const reboot = byName["reboot-task"];
        // Not AWS-RunPowerShellScript (its `commands` would let the window role run anything): a document of the stack.
        const document = stack.ofType("aws:ssm/document:Document").find((d) => d.inputs.name === reboot.inputs.taskArn);
        assert.ok(document, `the reboot task runs ${String(reboot.inputs.taskArn)}, a document the stack creates`);
        assert.equal(document.inputs.documentType, "Command");
        // CreateDocument's Name (the API model's DocumentName shape), stricter than a task's document name or ARN.
        assert.match(
            String(document.inputs.name),
            new RegExp(SERVICES.ssm.shapes[SERVICES.ssm.shapes.CreateDocumentRequest.members!.Name].pattern!),
        );
        const content = JSON.parse(String(document.inputs.content));
        // Schema 2.2 with a plugin's own inputs (fact command-document-plugins), PowerShell for the Windows group.
        const facts = fact("command-document-plugins").value as {
            schemaVersion: string;
            plugins: Record<string, { platforms: string[]; inputs: Record<string, string> }>;
        };
        assert.equal(content.schemaVersion, facts.schemaVersion);
        assert.equal(content.mainSteps.length, 1);
        const [step] = content.mainSteps;
        assert.ok(facts.plugins[step.action]?.platforms.includes("Windows"), step.action);
        const inputs = facts.plugins[step.action].inputs;
        for (const k of Object.keys(step.inputs)) assert.ok(k in inputs, `${step.action} has no input ${k}`);
        assert.ok(Array.isArray(step.inputs.runCommand) && step.inputs.runCommand.length > 0);
        // As long as the script ran under AWS-RunPowerShellScript: its executionTimeout's default.
        const { executionTimeout } = AWS_DOCUMENTS["AWS-RunPowerShellScript"].parameters as Record<string, { default?: string }>;
        assert.equal(step.inputs.timeoutSeconds, executionTimeout.default);
        // The agent reboots on this exit code (tests/facts: agent-reboot-exit-code-windows); how the script avoids
        // a second reboot on the rerun is replayed in tests/config/runtime/agent.test.ts.
        assert.match(step.inputs.runCommand.join("\n"), new RegExp(`\\bexit\\s+${fact("agent-reboot-exit-code-windows").value}\\b`));
        // Its state (the markers) only where SYSTEM and Administrators alone may write: the registry under HKLM,
        // never a folder under ProgramData, which any local user may create first as a junction (attacker review).
        const script = step.inputs.runCommand.join("\n");
        assert.doesNotMatch(script, /ProgramData|\$env:|New-Item -ItemType|Remove-Item /);
        assert.match(script, /\$markers = "HKLM:\\SOFTWARE\\/);
        // The task passes the window execution's id only, and no parameter runs commands.
        assert.deepEqual(Object.keys(content.parameters), Object.keys(parameters(reboot)));
        assert.ok(!("commands" in content.parameters));
        assert.equal(
            reboot.inputs.taskInvocationParameters && (reboot.inputs.taskInvocationParameters as any).runCommandParameters.documentVersion,
            "$DEFAULT",
        );
        assert.deepEqual(parameters(byName["scan-task"]).Operation, ["Scan"]);
        assert.ok((byName["scan-task"].inputs.priority as number) > (reboot.inputs.priority as number));
    });

    it("BaselineOverride: the baseline's JSON in the log bucket, its s3:// URL on the install; the exception list on another group", function () {
        const object = stack.ofType("aws:s3/bucketObjectv2:BucketObjectv2")[0];
        // Outside the log prefix that every node may write and the lifecycle rule expires.
        const logPrefix = String((stack.resources.find((r) => r.type === T.lifecycle)!.inputs.rules as any[])[0].filter.prefix);
        assert.equal(logPrefix, "patching/");
        assert.ok(!String(object.inputs.key).startsWith(logPrefix), String(object.inputs.key));
        assert.match(String(object.inputs.key), /\/central-al2023\.json$/);
        const doc = JSON.parse(String(object.inputs.content));
        assert.equal(doc[0].OperatingSystem, "AMAZON_LINUX_2023");
        assert.equal(doc[0].RejectedPatchesAction, "BLOCK");
        assert.equal(doc[0].Sources[0].Name, "internal-mirror");
        const install = tasksOf("App Server")[1];
        assert.equal(parameters(install.task).BaselineOverride[0], `s3://${object.inputs.bucket}/${object.inputs.key}`);
        assert.equal(parameters(install.task).InstallOverrideList, undefined);
        const dev = tasksOf("Dev Boxes")[1];
        assert.deepEqual(parameters(dev.task).InstallOverrideList, ["s3://patch-exceptions-example/dev-boxes.yaml"]);
        assert.equal(parameters(dev.task).BaselineOverride, undefined);
    });

    it("new instances: an association that scans on join, not only at a cron interval, and daily for nodes the rate control held back", function () {
        const a = stack.ofType("aws:ssm/association:Association").find((x) => x.name.endsWith("dev-boxes-on-join"))!;
        assert.equal(a.inputs.applyOnlyAtCronInterval, false);
        // CreateAssociation MaxConcurrency: "the targets beyond the limit wait ... until the next scheduled
        // interval"; a scan therefore runs on a schedule (rate expressions: SSM's "Reference: Cron and rate expressions").
        assert.match(String(a.inputs.scheduleExpression), /^rate\(\d+ (day|days|hour|hours)\)$/);
        assert.ok(a.inputs.maxConcurrency !== undefined, "rate-limited: the schedule is what lets the rest run");
        assert.deepEqual(a.inputs.parameters, { Operation: "Scan", RebootOption: "NoReboot" });
    });

    it("baseline sources reach aws.ssm.PatchBaseline as the provider's sources {name, products, configuration}", function () {
        // @pulumi/aws PatchBaselineSource (types/input.d.ts): configuration, name, products; SSM's PatchSource:
        // "Information about the patches to use to update the managed nodes, including target operating systems and
        // source repository. Applies to Linux managed nodes only." Without them scans read the default repositories.
        const written = JSON.parse(shippedConfig("prod-strategies").values["patch-manager:baselines"]) as any[];
        const withSources = written.filter((b) => Array.isArray(b.sources) && b.sources.length > 0);
        assert.ok(withSources.length > 0, "the example stack ships a baseline with sources");
        for (const b of withSources) {
            const baseline = stack.ofType(T.baseline).find((r) => String(r.inputs.name).endsWith(b.name))!;
            assert.deepEqual(baseline.inputs.sources, b.sources, b.name);
        }
        for (const b of stack.ofType(T.baseline).filter((r) => !withSources.some((w) => String(r.inputs.name).endsWith(w.name))))
            assert.equal(b.inputs.sources, undefined, `${b.name}: no sources written, none sent`);
    });

    it("a shipped stack without strategies keeps its tasks: one install at priority 1, no strategy resources", async function () {
        const prod = await evaluate("prod");
        assert.ok(prod.ofType(T.task).every((t) => t.inputs.priority === 1 && t.inputs.taskType === "RUN_COMMAND"));
        assert.equal(prod.resources.filter((r) => r.type === "patch-manager:patching:PatchingStrategies").length, 0);
    });
});

describe("components/strategies (pure)", function () {
    it("taskSteps: each step before the install pushes it one later", function () {
        const c = parseConfig(projectValues(shippedConfig("prod-strategies")), "x");
        const dev = c.patchGroups.find((g) => g.name === "Dev Boxes")!.strategies;
        assert.deepEqual(
            taskSteps({ ...dev, imageFirst: true }).map((s) => `${s.priority}:${s.step}`),
            ["1:start", "2:image", "3:install", "4:stop"],
        );
    });

    it("strategyPermissions: nothing for a stack without runbooks; EC2 image rights only for AWS-CreateImage", function () {
        const scope = { partition: "aws", accountId: "123456789012", patchGroupTagKey: "Patch Group", groups: { image: ["App"] } };
        assert.equal(strategyPermissions(new Set(), scope), undefined);
        const image = strategyPermissions(new Set(["image"]), scope)!;
        assert.deepEqual(
            image.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith("ec2:Create")),
            ["ec2:CreateImage", "ec2:CreateImage"],
        );
    });

    it("baselineOverrideDocument: approval delay or cut-off date per rule, Sources an empty list when none (GetPatchBaseline's output)", function () {
        const doc = baselineOverrideDocument({
            name: "b",
            operatingSystem: "UBUNTU",
            description: "",
            approvalRules: [
                { patchFilters: [{ key: "PRIORITY", values: ["Required"] }], complianceLevel: "HIGH", approveUntilDate: "2027-01-31" },
            ],
            approvedPatches: [],
            rejectedPatches: ["x"],
            rejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
            approvedPatchesComplianceLevel: "HIGH",
            registerAsDefault: false,
            sources: [],
            generated: false,
            exemptions: [],
        }) as any[];
        assert.equal(doc[0].ApprovalRules.PatchRules[0].ApproveUntilDate, "2027-01-31");
        assert.equal(doc[0].ApprovalRules.PatchRules[0].ApproveAfterDays, undefined);
        assert.deepEqual(doc[0].Sources, []);
    });
});
