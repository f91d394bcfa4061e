// Patch now (components/patchNow.ts): the runbook of every shipped stack read against the Automation
// schema facts (tests/facts/awsFacts.json: the actions, their inputs, aws:branch's operations and its
// fall-through, the parameter types), its calls against botocore's SendCommand and
// StartAutomationExecution shapes and the AWS documents' published parameters, then run by an
// interpreter of those facts: each group's install is the one its window runs.
import { strict as assert } from "assert";
import { AWS_DOCUMENTS, DocumentParameter } from "@patch-manager/ssm";
import { fact } from "../facts/facts";
import { SERVICES, validateRequest } from "../facts/shapes";
import { callProblems } from "../facts/documentCalls";
import { shippedResources } from "../facts/stacks";
import { evaluate, refused, shippedConfig, SHIPPED_STACKS, T, withConfig } from "../helpers";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import { patchNowOf, renderFleetPatchNow } from "../../tools/plan/plan";
import type { PlannedPatchNow } from "../../tools/plan/planJson";
import { parseConfig } from "../../config";
import { parse as parseYaml } from "yaml";

type Step = { name: string; action: string; nextStep?: string; isEnd?: boolean; inputs: Record<string, any>; [k: string]: unknown };
type Runbook = { schemaVersion: string; assumeRole: string; parameters: Record<string, any>; mainSteps: Step[] };

const PATCH_NOW = "patch-manager:operations:PatchNow";

/** The shipped stack's validated model. */
const modelOf = (stack: string) =>
    parseConfig(
        Object.fromEntries(
            Object.entries(shippedConfig(stack).values)
                .filter(([k]) => k.startsWith("patch-manager:"))
                .map(([k, v]) => [k.slice("patch-manager:".length), v]),
        ),
        stack,
    );

/** Each patch-now runbook of a stack's resources, with its region. */
function runbooks(resources: PlannedResource[]): { region: string; name: string; content: Runbook }[] {
    const parents = new Set(resources.filter((r) => r.type === PATCH_NOW).map((r) => r.urn));
    return resources
        .filter((r) => r.type === "aws:ssm/document:Document" && r.parent !== null && parents.has(r.parent))
        .map((r) => ({ region: r.region, name: String(r.inputs.name), content: parseYaml(String(r.inputs.content)) }));
}

/** `{{ X }}` references, with their names. */
const references = (v: unknown): string[] => [...JSON.stringify(v).matchAll(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g)].map((m) => m[1]);

/** The value a parameter reference stands for in one run. */
const resolve = (v: unknown, values: Record<string, string>): any =>
    JSON.parse(JSON.stringify(v).replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, n: string) => values[n] ?? `{{${n}}}`));

/** aws:branch as AWS documents it: the first true choice, else Default, else the next step. */
function branchTarget(step: Step, values: Record<string, string>, following: string | undefined): string | undefined {
    for (const choice of step.inputs.Choices as Record<string, string>[]) {
        const variable = resolve(choice.Variable, values) as string;
        const [op, operand] = Object.entries(choice).find(([k]) => k !== "NextStep" && k !== "Variable")!;
        const holds =
            op === "StringEquals"
                ? variable === operand
                : op === "StartsWith"
                  ? variable.startsWith(operand)
                  : assert.fail(`${step.name}: ${op} is not interpreted here`);
        if (holds) return choice.NextStep;
    }
    return step.inputs.Default ?? following;
}

/** The run steps (not branches or the final sleep) one execution with these parameter values visits, in order. */
function execute(runbook: Runbook, values: Record<string, string>): Step[] {
    const all = { ...Object.fromEntries(Object.entries(runbook.parameters).map(([k, p]) => [k, p.default])), ...values };
    const steps = runbook.mainSteps;
    const ran: Step[] = [];
    let i = 0;
    for (let guard = 0; i >= 0 && i < steps.length; guard++) {
        assert.ok(guard <= steps.length, "a loop in the runbook");
        const step = steps[i];
        const following = steps[i + 1]?.name;
        const next =
            step.action === "aws:branch" ? branchTarget(step, all, following) : step.isEnd ? undefined : (step.nextStep ?? following);
        if (step.action !== "aws:branch" && step.action !== "aws:sleep") ran.push(resolve(step, all));
        i = next === undefined ? -1 : steps.findIndex((s) => s.name === next);
    }
    return ran;
}

/** A step's run as a window task would say it: the document, its parameters, the rate control. */
function asCall(step: Step) {
    const i = step.inputs;
    const parameters = step.action === "aws:runCommand" ? i.Parameters : i.RuntimeParameters;
    return {
        document: i.DocumentName,
        parameters: Object.fromEntries(Object.entries(parameters ?? {}).map(([k, v]) => [k, (v as unknown[]).map(String)])),
        maxConcurrency: i.MaxConcurrency,
        maxErrors: i.MaxErrors,
    };
}

/** What each patch group's window tasks run, in priority order (start/stop of stopped instances left out). */
function windowCalls(resources: PlannedResource[], group: string) {
    // The group's patching window, not its reboot window (components/strategies.ts rebootWindow).
    const target = resources.find(
        (r) => r.type === T.target && !r.name.endsWith("-reboot-target") && (r.inputs.targets as any[])[0].values.includes(group),
    );
    if (!target) return undefined;
    return resources
        .filter((r) => r.type === T.task && ((r.inputs.targets as any[] | undefined) ?? [])[0]?.values.includes(target.id))
        .filter((t) => !/-(start|stop)$/.test(t.name))
        .sort((a, b) => Number(a.inputs.priority) - Number(b.inputs.priority))
        .map((t) => {
            const p = (t.inputs.taskInvocationParameters as any) ?? {};
            const list = (p.runCommandParameters?.parameters ?? p.automationParameters?.parameters ?? []) as {
                name: string;
                values: string[];
            }[];
            return {
                document: String(t.inputs.taskArn),
                // The window names the instance by {{RESOURCE_ID}}; the runbook by its TargetParameterName.
                parameters: Object.fromEntries(list.filter((x) => x.name !== "InstanceId").map((x) => [x.name, x.values])),
                maxConcurrency: t.inputs.maxConcurrency,
                maxErrors: t.inputs.maxErrors,
            };
        });
}

describe("patch now (components/patchNow.ts)", function () {
    this.timeout(120_000);
    const stepFacts = fact("automation-step-properties").value as { name: string; properties: string[]; required: string[] };
    const runCommandFacts = fact("automation-action-runcommand-inputs").value as { inputs: string[]; required: string[] };
    const executeFacts = fact("automation-action-executeautomation-inputs").value as { inputs: string[]; required: string[] };
    const branchFacts = fact("automation-action-branch").value as { inputs: string[]; choice: string[]; operations: string[] };
    const sleepFacts = fact("automation-action-sleep").value as { inputs: string[] };
    const parameterFacts = fact("ssm-document-parameters").value as { types: string[]; fields: string[] };
    const SAMPLE_LIST = (bucket: string) => `s3://${bucket}/patch-manager-fleet-inputs/patch-now/cve-2026-0001.yaml`;

    for (const stack of SHIPPED_STACKS) {
        describe(stack, () => {
            it("each region has the runbook, and its steps use only the actions, properties, inputs and operations AWS documents", async () => {
                const found = runbooks(await shippedResources(stack));
                assert.ok(found.length >= 1, "patchNow is on by default: every shipped stack has the runbook");
                for (const { name, content } of found) {
                    assert.equal(content.schemaVersion, "0.3");
                    const names = content.mainSteps.map((s) => s.name);
                    assert.equal(new Set(names).size, names.length, `${name}: step names are unique`);
                    for (const step of content.mainSteps) {
                        const where = `${name} ${step.name}`;
                        assert.match(step.name, new RegExp(stepFacts.name), where);
                        for (const k of Object.keys(step)) assert.ok(stepFacts.properties.includes(k), `${where}: property ${k}`);
                        for (const k of stepFacts.required) assert.ok(step[k] !== undefined, `${where}: requires ${k}`);
                        for (const target of [
                            step.nextStep,
                            step.inputs.Default,
                            ...(step.inputs.Choices ?? []).map((c: any) => c.NextStep),
                        ])
                            if (target !== undefined) assert.ok(names.includes(target), `${where}: no step ${target}`);
                        const keys = Object.keys(step.inputs);
                        if (step.action === "aws:runCommand") {
                            // "supports most send command parameters": each input is the action's own or a SendCommand member.
                            const sendCommand = Object.keys(SERVICES.ssm.shapes[SERVICES.ssm.operations.SendCommand].members ?? {});
                            for (const k of keys)
                                assert.ok(runCommandFacts.inputs.includes(k) || sendCommand.includes(k), `${where}: input ${k}`);
                            for (const k of runCommandFacts.required) assert.ok(keys.includes(k), `${where}: requires ${k}`);
                        } else if (step.action === "aws:executeAutomation") {
                            for (const k of keys) assert.ok(executeFacts.inputs.includes(k), `${where}: input ${k}`);
                            for (const k of executeFacts.required) assert.ok(keys.includes(k), `${where}: requires ${k}`);
                            if (keys.includes("Targets"))
                                assert.ok(keys.includes("TargetParameterName"), `${where}: Targets needs TargetParameterName`);
                        } else if (step.action === "aws:branch") {
                            for (const k of keys) assert.ok(branchFacts.inputs.includes(k), `${where}: input ${k}`);
                            for (const choice of step.inputs.Choices) {
                                const ops = Object.keys(choice).filter((k) => !branchFacts.choice.includes(k));
                                assert.equal(ops.length, 1, `${where}: one operation per choice`);
                                assert.ok(branchFacts.operations.includes(ops[0]), `${where}: ${ops[0]}`);
                            }
                        } else if (step.action === "aws:sleep") {
                            for (const k of keys) assert.ok(sleepFacts.inputs.includes(k), `${where}: input ${k}`);
                            assert.match(String(step.inputs.Duration), /^P(T(\d+H)?(\d+M)?(\d+S)?)$/, `${where}: an ISO 8601 duration`);
                        } else assert.fail(`${where}: ${step.action} is not an action this test reads`);
                    }
                    for (const [p, def] of Object.entries(content.parameters)) {
                        assert.ok(parameterFacts.types.includes(def.type), `${name} ${p}: type ${def.type}`);
                        for (const k of Object.keys(def)) assert.ok(parameterFacts.fields.includes(k), `${name} ${p}: field ${k}`);
                        if (def.allowedValues) assert.ok(def.allowedValues.includes(def.default), `${name} ${p}: the default is allowed`);
                        if (def.allowedPattern)
                            assert.match(def.default, new RegExp(def.allowedPattern), `${name} ${p}: the default matches`);
                    }
                    for (const ref of references(content)) assert.ok(ref in content.parameters, `${name}: {{ ${ref} }} is no parameter`);
                    assert.equal(references(content.assumeRole)[0], "AutomationAssumeRole");
                }
            });

            it("its calls are valid SendCommand and StartAutomationExecution requests, with parameters the documents declare", async () => {
                const problems: string[] = [];
                for (const { name, content } of runbooks(await shippedResources(stack))) {
                    const bucket = content.mainSteps.find((s) => s.action === "aws:runCommand")!.inputs.OutputS3BucketName;
                    for (const Operation of content.parameters.Operation.allowedValues as string[])
                        for (const list of ["", SAMPLE_LIST(bucket)]) {
                            const values = { Operation, InstallOverrideList: list };
                            assert.match(list, new RegExp(content.parameters.InstallOverrideList.allowedPattern));
                            for (const step of content.mainSteps) {
                                const s = resolve(step, values) as Step;
                                const where = `${name} ${step.name} (${Operation}${list ? ", a list" : ""})`;
                                if (s.action === "aws:runCommand") {
                                    problems.push(...validateRequest("ssm", "SendCommand", s.inputs).map((p) => `${where}: ${p}`));
                                    const declared = AWS_DOCUMENTS[s.inputs.DocumentName as keyof typeof AWS_DOCUMENTS].parameters;
                                    problems.push(
                                        ...callProblems(
                                            { where, document: s.inputs.DocumentName, parameters: s.inputs.Parameters },
                                            declared as Record<string, DocumentParameter>,
                                        ),
                                    );
                                } else if (s.action === "aws:executeAutomation") {
                                    const { RuntimeParameters, ...rest } = s.inputs;
                                    problems.push(
                                        ...validateRequest("ssm", "StartAutomationExecution", {
                                            ...rest,
                                            Parameters: RuntimeParameters,
                                        }).map((p) => `${where}: ${p}`),
                                    );
                                    const declared = AWS_DOCUMENTS[s.inputs.DocumentName as keyof typeof AWS_DOCUMENTS].parameters;
                                    problems.push(
                                        ...callProblems(
                                            {
                                                where,
                                                document: s.inputs.DocumentName,
                                                parameters: { ...RuntimeParameters, [s.inputs.TargetParameterName]: ["{{RESOURCE_ID}}"] },
                                            },
                                            declared as Record<string, DocumentParameter>,
                                        ),
                                    );
                                }
                            }
                        }
                }
                assert.deepEqual(problems, []);
            });

            it("each group's install is the one its windows run: targets, documents, parameters and rate control", async () => {
                const resources = await shippedResources(stack);
                const model = modelOf(stack);
                for (const { name, content } of runbooks(resources)) {
                    const groups = content.parameters.PatchGroup.allowedValues.filter((g: string) => g !== "all") as string[];
                    assert.deepEqual(
                        groups,
                        model.patchGroups.map((g) => g.name),
                        `${name}: one choice per group of the stack`,
                    );
                    const bucket = content.mainSteps.find((s) => s.action === "aws:runCommand")!.inputs.OutputS3BucketName;
                    for (const group of groups) {
                        const window = windowCalls(resources, group);
                        assert.ok(window && window.length > 0, `${group}: a window task`);
                        const install = execute(content, { PatchGroup: group, Operation: "Install" });
                        const tagKey = model.patchGroupTagKey;
                        for (const s of install)
                            assert.deepEqual(
                                s.inputs.Targets,
                                [{ Key: `tag:${tagKey}`, Values: [group] }],
                                `${name} ${s.name}: the group's tag only`,
                            );
                        // The window's Operation is the group's (Install in every shipped stack); the runbook's is the run's.
                        const windowOp = window.map((c) => ({
                            ...c,
                            parameters: { ...c.parameters, ...(c.parameters.Operation ? { Operation: ["Install"] } : {}) },
                        }));
                        assert.deepEqual(install.map(asCall), windowOp, `${name}: ${group} installs as its windows do`);

                        const scan = execute(content, { PatchGroup: group, Operation: "Scan" });
                        assert.ok(scan.length === 1 && scan[0].action === "aws:runCommand", `${name}: ${group} scans with one command`);
                        assert.deepEqual(scan[0].inputs.Parameters.Operation, ["Scan"]);

                        const listed = execute(content, {
                            PatchGroup: group,
                            Operation: "Install",
                            InstallOverrideList: SAMPLE_LIST(bucket),
                        });
                        const takes =
                            (AWS_DOCUMENTS[install.at(-1)!.inputs.DocumentName as keyof typeof AWS_DOCUMENTS]?.parameters as
                                object | undefined) ?? {};
                        if (listed.length > 0) {
                            assert.ok("InstallOverrideList" in takes, `${name}: ${group}'s install takes the list`);
                            assert.deepEqual(listed.at(-1)!.inputs.Parameters.InstallOverrideList, [SAMPLE_LIST(bucket)]);
                            assert.equal(listed.at(-1)!.inputs.Parameters.BaselineOverride, undefined, "never both (the document fails)");
                        }
                    }
                    const all = execute(content, { PatchGroup: "all", Operation: "Install" });
                    assert.deepEqual(
                        [...new Set(all.map((s) => s.inputs.Targets[0].Values[0]))],
                        groups,
                        `${name}: "all" patches every group, in the stack's order`,
                    );
                }
            });

            it("the plan's command starts this region's runbook with a valid StartAutomationExecution request", async () => {
                const resources = await shippedResources(stack);
                const model = modelOf(stack);
                const planned = patchNowOf(resources, model)!;
                const books = runbooks(resources);
                assert.deepEqual(planned.map((p) => p.region).sort(), books.map((b) => b.region).sort());
                for (const p of planned) {
                    assert.deepEqual(validateRequest("ssm", "StartAutomationExecution", p.request), []);
                    const book = books.find((b) => b.region === p.region)!;
                    assert.equal(p.request.DocumentName, book.name);
                    for (const [k, v] of Object.entries(p.request.Parameters)) {
                        const def = book.content.parameters[k];
                        assert.ok(def, `${k} is a parameter of the runbook`);
                        assert.ok(!def.allowedValues || def.allowedValues.includes(v[0]), `${k}=${v[0]} is allowed`);
                    }
                    // The command carries the request word for word.
                    const words = [...p.command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
                    const flag = (f: string) => words[words.indexOf(f) + 1];
                    assert.equal(flag("--region"), p.region);
                    assert.equal(flag("--document-name"), p.request.DocumentName);
                    assert.deepEqual(JSON.parse(flag("--parameters")), p.request.Parameters);
                    const alarm = model.operations.safeStops.alarmName;
                    assert.deepEqual(
                        words.includes("--alarm-configuration") ? JSON.parse(flag("--alarm-configuration")).Alarms : undefined,
                        alarm === undefined ? undefined : [{ Name: alarm }],
                        "the safe-stop alarm stops the execution (Automation's alarm configuration)",
                    );
                }
            });
        });
    }

    it("its role may send each AWS-owned document its steps run (the part tests/authz cannot simulate: an ARN without account)", async () => {
        const like = (pattern: string, v: string) =>
            new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(v);
        for (const stack of SHIPPED_STACKS) {
            const resources = await shippedResources(stack);
            const component = resources.filter((r) => r.type === PATCH_NOW);
            for (const { region, name, content } of runbooks(resources)) {
                const policy = resources.find(
                    (r) =>
                        r.type === "aws:iam/rolePolicy:RolePolicy" &&
                        r.urn.endsWith("-patch-groups") &&
                        component.some((c) => c.urn === r.parent) &&
                        r.region === region,
                )!;
                const statements = JSON.parse(String(policy.inputs.policy)).Statement as {
                    Effect: string;
                    Action: string[];
                    Resource: string | string[];
                }[];
                for (const step of content.mainSteps.filter((x) => x.action === "aws:runCommand")) {
                    const arn = `arn:aws:ssm:${region}::document/${step.inputs.DocumentName}`;
                    assert.ok(
                        statements.some(
                            (st) =>
                                st.Effect === "Allow" &&
                                st.Action.includes("ssm:SendCommand") &&
                                [st.Resource].flat().some((r) => like(r, arn)),
                        ),
                        `${stack} ${name} ${step.name}: SendCommand on ${arn}`,
                    );
                }
            }
        }
    });

    it("every Run Command step waits for its later batches at least as long as any window of the stack runs (TimeoutSeconds)", async () => {
        const range = fact("send-command-timeout-seconds").value as { min: number; max: number };
        let steps = 0;
        for (const stack of SHIPPED_STACKS) {
            const resources = await shippedResources(stack);
            const longest = Math.max(...resources.filter((r) => r.type === T.window).map((w) => Number(w.inputs.duration) * 3600));
            for (const { name, content } of runbooks(resources))
                for (const step of content.mainSteps.filter((x) => x.action === "aws:runCommand")) {
                    steps++;
                    const timeout = Number(step.inputs.TimeoutSeconds);
                    assert.ok(
                        timeout >= range.min && timeout <= range.max,
                        `${stack} ${name} ${step.name}: ${timeout} outside SendCommand's range`,
                    );
                    assert.ok(timeout >= longest, `${stack} ${name} ${step.name}: ${timeout} s, shorter than a ${longest / 3600} h window`);
                }
        }
        assert.ok(steps > 0);
    });

    it("--all lists the stacks' commands in the rollout order: production after every other environment", () => {
        const p = (stack: string) => [{ region: "eu-west-1", command: `start ${stack}` } as PlannedPatchNow];
        const lines = renderFleetPatchNow([
            { stack: "prod", environment: "production", patchNow: p("prod") },
            { stack: "acc", environment: "acceptance", patchNow: p("acc") },
            { stack: "dev", environment: "development", patchNow: p("dev") },
            { stack: "off", environment: "test" },
        ]);
        const at = (s: string) => lines.findIndex((l) => l.endsWith(`start ${s}`));
        assert.ok(at("dev") > 0 && at("dev") < at("acc") && at("acc") < at("prod"), lines.join("\n"));
        assert.ok(!lines.some((l) => l.includes("off")), "a stack without the runbook has no command");
    });

    it("nodes may read the zero-day lists and never write them", async () => {
        const stack = await evaluate("prod");
        const bucket = runbooks(stack.resources)[0].content.mainSteps.find((s) => s.action === "aws:runCommand")!.inputs.OutputS3BucketName;
        const list = `arn:aws:s3:::${bucket}/patch-manager-fleet-inputs/patch-now/cve.yaml`;
        const policies = stack.ofType("aws:iam/rolePolicy:RolePolicy").map((r) => JSON.parse(String(r.inputs.policy)));
        const like = (pattern: string, v: string) =>
            new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(v);
        const grants = (effect: string, action: string) =>
            policies.some((p) =>
                p.Statement.some(
                    (s: any) =>
                        s.Effect === effect && [s.Action].flat().includes(action) && [s.Resource].flat().some((r: string) => like(r, list)),
                ),
            );
        assert.ok(grants("Allow", "s3:GetObject"), "a node role reads the list");
        assert.ok(grants("Deny", "s3:PutObject") && grants("Deny", "s3:DeleteObject"), "and may not write or delete it");
    });

    it("patchNow: false creates neither the runbook nor its role, and the plan prints no command", async () => {
        const stack = await evaluate("prod", withConfig(shippedConfig("prod"), { patchNow: "false" }));
        assert.deepEqual(runbooks(stack.resources), []);
        assert.equal(stack.resources.filter((r) => r.type === PATCH_NOW).length, 0);
    });

    it("a value that is not true or false is refused, naming the key", () => {
        refused({ environment: "production", patchNow: "yes" }, "patch-manager:patchNow", "true or false");
    });
});
