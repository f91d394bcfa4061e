// A fake AWS account for the program's own runbooks: maintenance windows with their tags,
// executions, tasks and invocations, the commands and automations those started, change
// calendars, EC2 instances and their SSM Agent. Every request is checked against botocore's
// input shape and every answer against its output shape (tests/facts/awsShapes.json,
// `runbookOperations`), so a runbook that sends a member AWS does not take fails, and so does a
// script that reads a member AWS does not send. What the calls do is what the API reference says
// (each handler names its source); docs/testing.md lists what the fake leaves out.
import { strict as assert } from "assert";
import extracts from "../awsShapes.json";
import { validateShape } from "../shapes";
import type { ScriptWorld } from "./python";

type Request = Record<string, any>;
type Status = "PENDING" | "IN_PROGRESS" | "SUCCESS" | "FAILED" | "CANCELLING" | "CANCELLED";

interface RuntimeOperation {
    input: string;
    output?: string;
    paginator?: { input_token: string; output_token: string; limit_key: string; result_key: string };
}
const OPERATIONS = Object.fromEntries(
    Object.entries(extracts.services as Record<string, { runbookOperations?: Record<string, RuntimeOperation> }>).map(([s, v]) => [
        s,
        v.runbookOperations ?? {},
    ]),
) as Record<string, Record<string, RuntimeOperation>>;

export interface Invocation {
    InvocationId: string;
    ExecutionId: string;
    TaskType: "RUN_COMMAND" | "AUTOMATION";
    Status: Status;
}
export interface TaskExecution {
    TaskExecutionId: string;
    TaskArn: string;
    TaskType: "RUN_COMMAND" | "AUTOMATION";
    Status: Status;
    invocations: Invocation[];
}
export interface WindowExecution {
    WindowExecutionId: string;
    WindowId: string;
    Status: Status;
    tasks: TaskExecution[];
}
export interface Instance {
    state: "pending" | "running" | "stopping" | "stopped" | "terminated";
    tags: Record<string, string>;
    /** Seconds the SSM Agent takes to come online after the instance runs. */
    agentDelay: number;
    runningSince?: number;
}

/** An AWS error as botocore raises it: the code, then the message. */
export class AwsError extends Error {
    constructor(code: string, message: string) {
        super(`${code}: ${message}`);
    }
}

const EC2_STATE_CODES = { pending: 0, running: 16, stopping: 64, stopped: 80, terminated: 48 } as const;

export class FakeAccount implements ScriptWorld {
    readonly windows = new Map<string, { enabled: boolean; tags: Map<string, string> }>();
    /** Change calendars by name and by ARN. */
    readonly calendars = new Map<string, "OPEN" | "CLOSED">();
    readonly executions: WindowExecution[] = [];
    /** Commands and automations the windows started, by id: what they are doing now. */
    readonly commands = new Map<string, "InProgress" | "Cancelled" | "Success">();
    readonly automations = new Map<string, "InProgress" | "Cancelled" | "Success">();
    readonly instances = new Map<string, Instance>();
    /** Every call made, in order. */
    readonly calls: { service: string; operation: string; request: Request }[] = [];
    clock = 0;
    /** Items per page of a paginated answer: small, so that a runbook that reads one page only misses some. */
    pageSize = 1;

    addWindow(id: string, enabled = true, tags: Record<string, string> = {}): this {
        this.windows.set(id, { enabled, tags: new Map(Object.entries(tags)) });
        return this;
    }

    /** A window execution with its tasks; each task's invocations run the given command or automation. */
    addExecution(e: WindowExecution): this {
        this.executions.push(e);
        for (const t of e.tasks)
            for (const i of t.invocations) {
                const running = i.Status === "IN_PROGRESS" ? "InProgress" : "Success";
                (i.TaskType === "RUN_COMMAND" ? this.commands : this.automations).set(i.ExecutionId, running);
            }
        return this;
    }

    addInstance(id: string, state: Instance["state"], tags: Record<string, string> = {}, agentDelay = 60): this {
        this.instances.set(id, { state, tags: { ...tags }, agentDelay, runningSince: state === "running" ? this.clock : undefined });
        return this;
    }

    tagsOf(windowId: string): Record<string, string> {
        return Object.fromEntries(this.window(windowId).tags);
    }

    /** A window by id; an unknown one is the error botocore's model lists for the call (Get/Update: DoesNotExistException; tags: InvalidResourceId). */
    private window(id: string, code = "DoesNotExistException") {
        const w = this.windows.get(id);
        if (!w) throw new AwsError(code, `Maintenance window ${id} does not exist`);
        return w;
    }

    private instance(id: string) {
        const i = this.instances.get(id);
        if (!i) throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
        return i;
    }

    private execution(id: string) {
        const e = this.executions.find((x) => x.WindowExecutionId === id);
        if (!e) throw new AwsError("DoesNotExistException", `Window execution ${id} does not exist`);
        return e;
    }

    /** A paginated answer: one page from NextToken on (the token is the offset). */
    private page(op: RuntimeOperation, request: Request, items: object[]): Record<string, unknown> {
        const p = op.paginator!;
        const from = Number(request[p.input_token] ?? 0);
        const size = Math.min(this.pageSize, request[p.limit_key] ?? Infinity);
        const next = from + size < items.length ? String(from + size) : undefined;
        return { [p.result_key]: items.slice(from, from + size), ...(next ? { [p.output_token]: next } : {}) };
    }

    call(service: string, operation: string, request: Request): unknown {
        const op = OPERATIONS[service]?.[operation];
        if (!op)
            throw new Error(
                `${service}.${operation}: not an operation the runbooks' fake account models (tools/codegen/genAwsShapes.py RUNBOOK_OPERATIONS)`,
            );
        // botocore's ParamValidator (required, types, ranges) and the service (enums, patterns).
        const problems = validateShape(service, op.input, request, `${service}.${operation}`);
        if (problems.length > 0) throw new AwsError("ValidationException", problems.join("; "));
        this.calls.push({ service, operation, request: JSON.parse(JSON.stringify(request)) });
        const answer = this.answer(service, operation, op, request) ?? {};
        if (op.output) {
            const wrong = validateShape(service, op.output, answer, `${service}.${operation} answer`);
            if (wrong.length > 0) throw new Error(`the fake account answers unlike AWS: ${wrong.join("; ")}`);
        }
        return answer;
    }

    private answer(service: string, operation: string, op: RuntimeOperation, r: Request): object | undefined {
        switch (`${service}.${operation}`) {
            case "ssm.UpdateMaintenanceWindow": {
                const w = this.window(r.WindowId);
                if (r.Enabled !== undefined) w.enabled = r.Enabled;
                return { WindowId: r.WindowId, Enabled: w.enabled };
            }
            case "ssm.GetMaintenanceWindow":
                return { WindowId: r.WindowId, Enabled: this.window(r.WindowId).enabled };
            case "ssm.AddTagsToResource":
                for (const t of r.Tags) this.window(r.ResourceId, "InvalidResourceId").tags.set(t.Key, t.Value);
                return {};
            case "ssm.RemoveTagsFromResource":
                for (const k of r.TagKeys) this.window(r.ResourceId, "InvalidResourceId").tags.delete(k);
                return {};
            case "ssm.ListTagsForResource":
                return { TagList: [...this.window(r.ResourceId, "InvalidResourceId").tags].map(([Key, Value]) => ({ Key, Value })) };
            case "ssm.GetCalendarState": {
                // botocore ssm GetCalendarState: OPEN only if all calendars in the request are open.
                const states = (r.CalendarNames as string[]).map((n) => {
                    const s = this.calendars.get(n);
                    if (!s) throw new AwsError("InvalidDocument", `calendar ${n} does not exist`);
                    return s;
                });
                return { State: states.includes("CLOSED") ? "CLOSED" : "OPEN" };
            }
            case "ssm.DescribeMaintenanceWindowExecutions":
                // botocore lists no DoesNotExistException for this call (only InternalServerError): an
                // unknown window has no executions here; docs/canary.md lists it as one a real account settles.
                return this.page(
                    op,
                    r,
                    this.executions
                        .filter((e) => e.WindowId === r.WindowId)
                        .map(({ WindowId, WindowExecutionId, Status }) => ({ WindowId, WindowExecutionId, Status })),
                );
            case "ssm.CancelMaintenanceWindowExecution": {
                // botocore ssm CancelMaintenanceWindowExecution: "cancels any tasks in the window that haven't
                // already starting running. Tasks already in progress will continue to completion."
                const e = this.execution(r.WindowExecutionId);
                e.Status = "CANCELLING";
                for (const t of e.tasks) if (t.Status === "PENDING") t.Status = "CANCELLED";
                return { WindowExecutionId: e.WindowExecutionId };
            }
            case "ssm.DescribeMaintenanceWindowExecutionTasks": {
                const e = this.execution(r.WindowExecutionId);
                return this.page(
                    op,
                    r,
                    e.tasks.map((t) => ({
                        WindowExecutionId: e.WindowExecutionId,
                        TaskExecutionId: t.TaskExecutionId,
                        Status: t.Status,
                        TaskArn: t.TaskArn,
                        TaskType: t.TaskType,
                    })),
                );
            }
            case "ssm.DescribeMaintenanceWindowExecutionTaskInvocations": {
                const e = this.execution(r.WindowExecutionId);
                const t = e.tasks.find((x) => x.TaskExecutionId === r.TaskId);
                if (!t) throw new AwsError("DoesNotExistException", `task ${r.TaskId} does not exist`);
                return this.page(
                    op,
                    r,
                    t.invocations.map((i) => ({ WindowExecutionId: e.WindowExecutionId, TaskExecutionId: t.TaskExecutionId, ...i })),
                );
            }
            case "ssm.CancelCommand":
                // botocore ssm CancelCommand: "Attempts to cancel the command specified by the Command ID."
                if (!this.commands.has(r.CommandId)) throw new AwsError("InvalidCommandId", r.CommandId);
                this.commands.set(r.CommandId, "Cancelled");
                return {};
            case "ssm.StopAutomationExecution":
                if (!this.automations.has(r.AutomationExecutionId))
                    throw new AwsError("AutomationExecutionNotFoundException", r.AutomationExecutionId);
                this.automations.set(r.AutomationExecutionId, "Cancelled");
                return {};
            case "ssm.DescribeInstanceInformation": {
                const ids: string[] = (r.Filters ?? []).find((f: any) => f.Key === "InstanceIds")?.Values ?? [...this.instances.keys()];
                const list = ids
                    .filter((id) => this.instances.get(id)?.runningSince !== undefined)
                    .map((id) => {
                        const i = this.instances.get(id)!;
                        const online = i.state === "running" && this.clock >= i.runningSince! + i.agentDelay;
                        return { InstanceId: id, PingStatus: online ? "Online" : "ConnectionLost" };
                    });
                return { InstanceInformationList: list };
            }
            case "ec2.DescribeInstances": {
                // By id, or by filters (tag:<key>, instance-state-name: EC2's DescribeInstances filters), paged.
                const filters: { Name: string; Values: string[] }[] = r.Filters ?? [];
                const matches = (id: string) => {
                    const i = this.instance(id);
                    return filters.every((f) =>
                        f.Name === "instance-state-name"
                            ? f.Values.includes(i.state)
                            : f.Name.startsWith("tag:")
                              ? f.Values.includes(i.tags[f.Name.slice(4)])
                              : assert.fail(`ec2.DescribeInstances: filter ${f.Name} is not modelled`),
                    );
                };
                const ids = ((r.InstanceIds as string[] | undefined) ?? [...this.instances.keys()]).filter(matches);
                const reservations = ids.map((id) => {
                    const i = this.instance(id);
                    const tags = Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value }));
                    return {
                        Instances: [
                            {
                                InstanceId: id,
                                State: { Name: i.state, Code: EC2_STATE_CODES[i.state] },
                                ...(tags.length ? { Tags: tags } : {}),
                            },
                        ],
                    };
                });
                return r.InstanceIds ? { Reservations: reservations } : this.page(op, r, reservations);
            }
            case "ec2.StartInstances":
                return {
                    StartingInstances: (r.InstanceIds as string[]).map((id) => {
                        const i = this.instance(id);
                        const previous = i.state;
                        if (i.state === "stopped") i.state = "pending";
                        return {
                            InstanceId: id,
                            PreviousState: { Name: previous, Code: EC2_STATE_CODES[previous] },
                            CurrentState: { Name: i.state, Code: EC2_STATE_CODES[i.state] },
                        };
                    }),
                };
            case "ec2.StopInstances":
                return {
                    StoppingInstances: (r.InstanceIds as string[]).map((id) => {
                        const i = this.instance(id);
                        const previous = i.state;
                        if (i.state === "running" || i.state === "pending") {
                            i.state = "stopped";
                            i.runningSince = undefined;
                        }
                        return {
                            InstanceId: id,
                            PreviousState: { Name: previous, Code: EC2_STATE_CODES[previous] },
                            CurrentState: { Name: i.state, Code: EC2_STATE_CODES[i.state] },
                        };
                    }),
                };
            case "ec2.CreateTags":
                for (const id of r.Resources) for (const t of r.Tags) this.instance(id).tags[t.Key] = t.Value;
                return undefined;
            case "ec2.DeleteTags":
                for (const id of r.Resources) for (const t of r.Tags ?? []) delete this.instance(id).tags[t.Key];
                return undefined;
        }
        throw new Error(`${service}.${operation}: extracted but not modelled by the fake account`);
    }

    paginator(service: string, operation: string) {
        return OPERATIONS[service]?.[operation]?.paginator;
    }

    /** boto3's waiters (botocore ec2 waiters-2.json instance_running: DescribeInstances until State.Name is running; failure on terminated, stopping). */
    wait(service: string, waiter: string, request: Request): void {
        if (`${service}.${waiter}` !== "ec2.instance_running") throw new Error(`waiter ${service}.${waiter} is not modelled`);
        for (const id of request.InstanceIds as string[]) {
            this.call("ec2", "DescribeInstances", { InstanceIds: [id] });
            const i = this.instance(id);
            if (i.state === "pending") {
                i.state = "running";
                i.runningSince = this.clock;
            }
            if (i.state !== "running") throw new AwsError("WaiterError", `Waiter InstanceRunning failed: ${id} is ${i.state}`);
        }
    }

    sleep(seconds: number): void {
        this.clock += seconds;
        // EC2 brings a started instance from pending to running without being asked (a waiter only watches it).
        for (const i of this.instances.values())
            if (i.state === "pending") {
                i.state = "running";
                i.runningSince = this.clock;
            }
    }

    now(): number {
        return this.clock;
    }
}
