// Stopping a rollout when a CloudWatch alarm fires. The SSM API has AlarmConfiguration on
// maintenance-window tasks, but the Pulumi AWS provider (v7) cannot set it (nor can
// CloudFormation's AWS::SSM::MaintenanceWindowTask), so the program builds the stop from parts
// the provider has: an EventBridge rule on the alarm entering ALARM starts an Automation
// runbook that disables this stack's maintenance windows and cancels their running executions
// (CancelMaintenanceWindowExecution: tasks not yet started never start; the Run Command and
// Automation invocations in progress are cancelled too, except AWS-RunPatchBaselineWithHooks,
// whose OnExit hook must put a drained node back). Later windows (the next waves) do not start
// until someone enables them again: `pulumi up --refresh` does once the cause is fixed (the
// refresh reads that they are disabled, and the update enables them as the program declares).
// A plain `pulumi up` does not: it compares with the state it last wrote, which still says
// enabled, and changes nothing. The alerts rule hears both state changes (components/alerts.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { ownRunbook, RunbookPlace, startOnRule } from "./runbooks";

export const ALARM_STATE_CHANGE = "CloudWatch Alarm State Change";

/** The tag the stop puts on each window it disables: a change freeze that ends never enables such a window (components/freezes.ts). */
export const STOPPED_BY_ALARM_TAG = "patch-manager:stopped-by-alarm";

/** Cancels what the stopped windows are running; boto3's field names as botocore's ssm model has them. */
const CANCEL_RUNNING_SCRIPT = `import boto3

ACTIVE = ("PENDING", "IN_PROGRESS")
# What must run to its end once started: a cancelled AWS-RunPatchBaselineWithHooks skips its OnExit
# hook (a node its pre-install hook drained would stay out of service); a cancelled load-balancer
# runbook leaves the node deregistered, the Auto Scaling one leaves it in Standby, the rollback one
# leaves its CloudFormation stack and functions behind. The window execution is still cancelled, so
# no further task of it starts.
KEEP_RUNNING = (
    "AWS-RunPatchBaselineWithHooks",
    "AWSEC2-PatchLoadBalancerInstance",
    "AWS-PatchAsgInstance",
    "AWS-PatchInstanceWithRollback",
)

def pages(ssm, operation, key, **args):
    items = []
    for page in ssm.get_paginator(operation).paginate(**args):
        items.extend(page[key])
    return items

def handler(event, context):
    ssm = boto3.client("ssm")
    cancelled = []
    for window in event["WindowIds"]:
        for execution in pages(ssm, "describe_maintenance_window_executions", "WindowExecutions", WindowId=window):
            if execution["Status"] not in ACTIVE:
                continue
            execution_id = execution["WindowExecutionId"]
            ssm.cancel_maintenance_window_execution(WindowExecutionId=execution_id)
            cancelled.append(execution_id)
            tasks = pages(ssm, "describe_maintenance_window_execution_tasks", "WindowExecutionTaskIdentities", WindowExecutionId=execution_id)
            for task in tasks:
                if task["Status"] not in ACTIVE or task.get("TaskArn", "").split("/")[-1] in KEEP_RUNNING:
                    continue
                invocations = pages(ssm, "describe_maintenance_window_execution_task_invocations", "WindowExecutionTaskInvocationIdentities",
                                    WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"])
                for invocation in invocations:
                    if invocation["Status"] not in ACTIVE or not invocation.get("ExecutionId"):
                        continue
                    if invocation["TaskType"] == "RUN_COMMAND":
                        ssm.cancel_command(CommandId=invocation["ExecutionId"])
                    elif invocation["TaskType"] == "AUTOMATION":
                        ssm.stop_automation_execution(AutomationExecutionId=invocation["ExecutionId"], Type="Cancel")
    return {"cancelledWindowExecutions": cancelled}
`;

/**
 * An Automation runbook (schemaVersion 0.3): two steps per window (UpdateMaintenanceWindow
 * Enabled=false, then a tag marking it as stopped by the alarm), carrying on past one that fails, then one step that cancels the windows' running
 * executions and the commands and automations they started.
 */
export function disableWindowsRunbook(windowIds: readonly string[]): object {
    return {
        schemaVersion: "0.3",
        description:
            "Disables the patch-manager maintenance windows of one stack and region and cancels their running executions: stops a rollout when its alarm fires.",
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: { AutomationAssumeRole: { type: "String", description: "The role that may disable the windows." } },
        mainSteps: [
            ...windowIds.flatMap((id, i) => [
                {
                    name: `disable_window_${i + 1}`,
                    action: "aws:executeAwsApi",
                    // Continue to the other windows, but the execution fails if this one was not disabled:
                    // with onFailure Continue isCritical defaults to false (fact automation-is-critical),
                    // which would report Success with the window still on.
                    onFailure: "Continue",
                    isCritical: true,
                    inputs: { Service: "ssm", Api: "UpdateMaintenanceWindow", WindowId: id, Enabled: false },
                },
                // Marked, so that the end of a change freeze leaves it disabled (components/freezes.ts).
                {
                    name: `mark_window_${i + 1}`,
                    action: "aws:executeAwsApi",
                    onFailure: "Continue",
                    inputs: {
                        Service: "ssm",
                        Api: "AddTagsToResource",
                        ResourceType: "MaintenanceWindow",
                        ResourceId: id,
                        Tags: [{ Key: STOPPED_BY_ALARM_TAG, Value: "true" }],
                    },
                },
            ]),
            {
                name: "cancel_running_executions",
                action: "aws:executeScript",
                timeoutSeconds: 600,
                inputs: {
                    Runtime: "python3.11",
                    Handler: "handler",
                    InputPayload: { WindowIds: [...windowIds] },
                    Script: CANCEL_RUNNING_SCRIPT,
                },
            },
        ],
    };
}

/** What the stop runbook's role may do: disable these windows, and cancel what they run. */
export function stopRunbookPolicy(partition: string, region: string, accountId: string, windowIds: readonly string[]): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DisableAndListTheWindows",
                Effect: "Allow",
                Action: ["ssm:UpdateMaintenanceWindow", "ssm:DescribeMaintenanceWindowExecutions"],
                Resource: windowIds.map((id) => `arn:${partition}:ssm:${region}:${accountId}:maintenancewindow/${id}`),
            },
            {
                Sid: "MarkTheWindowsStopped",
                Effect: "Allow",
                Action: "ssm:AddTagsToResource",
                Resource: windowIds.map((id) => `arn:${partition}:ssm:${region}:${accountId}:maintenancewindow/${id}`),
                Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [STOPPED_BY_ALARM_TAG] } },
            },
            {
                // Window executions, their tasks and invocations have no ARN an IAM policy can name.
                Sid: "CancelTheirExecutions",
                Effect: "Allow",
                Action: [
                    "ssm:CancelMaintenanceWindowExecution",
                    "ssm:DescribeMaintenanceWindowExecutionTasks",
                    "ssm:DescribeMaintenanceWindowExecutionTaskInvocations",
                ],
                Resource: "*",
            },
            {
                Sid: "CancelWhatTheyStarted",
                Effect: "Allow",
                Action: ["ssm:CancelCommand", "ssm:StopAutomationExecution"],
                Resource: "*",
            },
        ],
    };
}

/** EventBridge pattern: this alarm entering ALARM. */
export function alarmEventPattern(alarmArn: string): object {
    return {
        source: ["aws.cloudwatch"],
        "detail-type": [ALARM_STATE_CHANGE],
        resources: [alarmArn],
        detail: { state: { value: ["ALARM"] } },
    };
}

export function alarmArn(partition: string, region: string, accountId: string, alarmName: string): string {
    return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${alarmName}`;
}

/**
 * The alarm's name once a lookup in this region found it (a metric or a composite alarm), else a
 * RunError naming the key: an EventBridge rule sees only its own region's alarm events, so each
 * region of the stack needs the alarm (and a misspelt name would otherwise watch nothing). The lookup is an invoke, so preview runs
 * it (Cloud Control GetResource: cloudformation:GetResource and cloudwatch:DescribeAlarms).
 */
export function alarmInRegion(alarmName: string, region: pulumi.Output<string>, parent?: pulumi.Resource): pulumi.Output<string> {
    const find = (typeName: string) => aws.cloudcontrol.getResource({ typeName, identifier: alarmName }, parent ? { parent } : {});
    return region.apply(async (r) => {
        try {
            await find("AWS::CloudWatch::Alarm");
            return alarmName;
        } catch {
            try {
                await find("AWS::CloudWatch::CompositeAlarm");
                return alarmName;
            } catch {
                throw new pulumi.RunError(
                    `patch-manager:safeStops.alarmName: alarm "${alarmName}" does not exist in ${r}; EventBridge rules see only their own region's alarm events, so every region of patch-manager:regions needs an alarm of this name. Create it there (the same metric for that region's fleet).`,
                );
            }
        }
    });
}

export interface AlarmStopArgs extends RunbookPlace {
    readonly alarmName: string;
    /** Resolves once the alarm is known to exist in this region (alarmInRegion); absent: not checked. */
    readonly alarmFound?: pulumi.Input<string>;
    /** The runbook's SSM document name (regional, so the same in every region). */
    readonly runbookName: string;
    readonly windowIds: pulumi.Input<string>[];
}

/** The alarm's rule, the runbook, the role that runs it and the role EventBridge starts it with. */
export class AlarmStop extends pulumi.ComponentResource {
    readonly alarmArn: pulumi.Output<string>;
    readonly runbookName: pulumi.Output<string>;

    constructor(name: string, args: AlarmStopArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.AlarmStop, name, {}, opts);
        const runbook = ownRunbook(
            name,
            {
                runbookName: args.runbookName,
                content: pulumi.all(args.windowIds).apply((ids) => disableWindowsRunbook(ids)),
                roleDescription: "Disables patch-manager maintenance windows when the rollout alarm fires",
                partition: args.partition,
                region: args.region,
                accountId: args.accountId,
                tags: args.tags,
            },
            { parent: this },
        );
        const disable = new aws.iam.RolePolicy(
            `${name}-disable-windows`,
            {
                role: runbook.role.name,
                policy: pulumi
                    .all([args.partition, args.region, args.accountId, pulumi.all(args.windowIds)])
                    .apply(([p, r, a, ids]) => JSON.stringify(stopRunbookPolicy(p, r, a, ids))),
            },
            { parent: this },
        );
        this.alarmArn = pulumi.all([args.partition, args.region, args.accountId]).apply(([p, r, a]) => alarmArn(p, r, a, args.alarmName));
        const rule = new aws.cloudwatch.EventRule(
            `${name}-alarm`,
            {
                description: `Alarm ${args.alarmName} fired: stop patching (disable the maintenance windows)`.slice(0, 512),
                eventPattern: pulumi.all([this.alarmArn, args.alarmFound]).apply(([arn]) => JSON.stringify(alarmEventPattern(arn))),
            },
            { parent: this },
        );
        startOnRule(
            name,
            runbook,
            rule,
            {
                roleDescription: "Lets EventBridge start the patch-manager stop runbook",
                targetName: `${name}-alarm-to-runbook`,
                accountId: args.accountId,
                tags: args.tags,
                input: { json: (arn) => JSON.stringify({ AutomationAssumeRole: [arn] }) },
                dependsOn: [disable],
            },
            { parent: this },
        );
        this.runbookName = runbook.document.name;
        this.registerOutputs({ alarmArn: this.alarmArn, runbookName: this.runbookName });
    }
}
