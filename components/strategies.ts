import * as aws from "@pulumi/aws";
import type { WindowLayout } from "../config/windowPlan";
import * as pulumi from "@pulumi/pulumi";
import {
    AGENT_REBOOT_EXIT_CODES,
    RESOURCE_ID,
    RUN_PATCH_BASELINE,
    STRATEGY_DOCUMENTS,
    TARGET_KEYS,
    tagTargetKey,
} from "@patch-manager/ssm";
import { BaselineConfig, InstallRunbook, PatchGroupConfig, RESOURCE_TYPES, StrategyConfig } from "../config";
import { ssmName, taskLogPrefix } from "../config/naming";
import { maintenanceWindowTiming } from "../config/window";

type Parameter = { name: string; values: string[] };

/** The tag the start task puts on an instance it started, so the stop task stops only those. */
export const STARTED_BY_WINDOW_TAG = "patch-manager:started-by-window";

/** One step of a group's run in its window, in the order the window runs them. */
export type TaskStep = "start" | "image" | "install" | "stop";

/**
 * The group's steps with their window priorities. The install keeps priority 1 when nothing runs
 * before it (a group without strategies registers the task it always had); each step before it
 * pushes it one later, because SSM runs lower numbers first and equal numbers in parallel.
 */
export function taskSteps(s: StrategyConfig): { step: TaskStep; priority: number }[] {
    const steps: TaskStep[] = [
        ...(s.startStopped ? (["start"] as const) : []),
        ...(s.imageFirst ? (["image"] as const) : []),
        "install",
        ...(s.startStopped ? (["stop"] as const) : []),
    ];
    return steps.map((step, i) => ({ step, priority: i + 1 }));
}

/** The document each install runbook runs. */
export const INSTALL_DOCUMENTS: Record<InstallRunbook, string> = {
    runPatchBaseline: RUN_PATCH_BASELINE,
    rollback: STRATEGY_DOCUMENTS.patchWithRollback.name,
    loadBalancer: STRATEGY_DOCUMENTS.patchLoadBalancerInstance.name,
    autoScaling: STRATEGY_DOCUMENTS.patchAsgInstance.name,
};

/** Automation parameters of the runbook that replaces AWS-RunPatchBaseline; every value a string. */
export function installRunbookParameters(s: StrategyConfig, logBucketName: string): Parameter[] {
    const instance = { name: "InstanceId", values: [RESOURCE_ID] };
    switch (s.install) {
        case "rollback":
            return [instance, { name: "ReportS3Bucket", values: [logBucketName] }];
        case "loadBalancer":
            return [
                instance,
                ...(s.loadBalancer?.connectionDrainMinutes !== undefined
                    ? [{ name: "ConnectionDrainTime", values: [String(s.loadBalancer.connectionDrainMinutes)] }]
                    : []),
            ];
        case "autoScaling":
            return [instance];
        default:
            return [];
    }
}

/** AWS-CreateImage of the instance without the reboot EC2 does by default (which would be an outage before patching). */
export const CREATE_IMAGE_PARAMETERS: Parameter[] = [
    { name: "InstanceId", values: [RESOURCE_ID] },
    { name: "NoReboot", values: ["true"] },
];

/**
 * The AWS-RunPatchBaseline parameters a strategy adds to an install: NoReboot when a reboot window
 * reboots, and the exception list or the override baseline (never both: the document then fails).
 */
export function installOverrideParameters(s: StrategyConfig, baselineOverrideUrl?: string): Parameter[] {
    return [
        ...(s.installOverrideList ? [{ name: "InstallOverrideList", values: [s.installOverrideList] }] : []),
        ...(s.baselineOverride && baselineOverrideUrl ? [{ name: "BaselineOverride", values: [baselineOverrideUrl] }] : []),
    ];
}

/** The BaselineOverride file: a JSON list of baselines in the API's BaselineOverride shape, one per OS. */
export function baselineOverrideDocument(b: BaselineConfig): object[] {
    return [
        {
            OperatingSystem: b.operatingSystem,
            ApprovalRules: {
                PatchRules: b.approvalRules.map((r) => ({
                    PatchFilterGroup: { PatchFilters: r.patchFilters.map((f) => ({ Key: f.key, Values: [...f.values] })) },
                    ComplianceLevel: r.complianceLevel,
                    ...(r.approveAfterDays !== undefined ? { ApproveAfterDays: r.approveAfterDays } : {}),
                    ...(r.approveUntilDate !== undefined ? { ApproveUntilDate: r.approveUntilDate } : {}),
                    ...(r.enableNonSecurity !== undefined ? { EnableNonSecurity: r.enableNonSecurity } : {}),
                })),
            },
            ApprovedPatches: [...b.approvedPatches],
            ApprovedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
            RejectedPatches: [...b.rejectedPatches],
            RejectedPatchesAction: b.rejectedPatchesAction,
            ...(b.sources.length > 0
                ? { Sources: b.sources.map((s) => ({ Name: s.name, Products: [...s.products], Configuration: s.configuration })) }
                : {}),
        },
    ];
}

/** Where a baseline's override file lives in the log bucket. */
export function baselineOverrideKey(logKeyPrefix: string, baselineName: string): string {
    return [logKeyPrefix.replace(/\/+$/, ""), "baseline-overrides", `${baselineName}.json`].filter((p) => p !== "").join("/");
}

/**
 * What the window role needs to run each strategy's runbooks (it runs them: no AutomationAssumeRole
 * is passed). Only the runbooks the stack uses get a statement. From each runbook's documented
 * permissions (AWS-CreateImage, AWS-PatchAsgInstance) and, where AWS documents none, from the
 * runbook's steps (AWS-PatchInstanceWithRollback, AWSEC2-PatchLoadBalancerInstance, start/stop).
 */
export function strategyPermissions(used: ReadonlySet<"image" | InstallRunbook | "startStop">): object | undefined {
    const s: { Sid: string; Effect: "Allow"; Action: string[]; Resource: "*" }[] = [];
    const allow = (Sid: string, Action: string[]) => s.push({ Sid, Effect: "Allow", Action, Resource: "*" });
    const runsCommands = ["ssm:SendCommand", "ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"];
    // Runbooks that deploy their Lambda functions through a CloudFormation stack and a transient role.
    const deploysLambda = [
        "cloudformation:CreateStack",
        "cloudformation:DescribeStacks",
        "cloudformation:DeleteStack",
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:InvokeFunction",
        "lambda:DeleteFunction",
        "iam:CreateRole",
        "iam:GetRole",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:DeleteRole",
        "iam:PassRole",
    ];
    if (used.has("image")) allow("CreateImageBeforePatching", ["ec2:CreateImage", "ec2:DescribeImages"]);
    if (used.has("rollback"))
        allow("PatchWithRollback", [
            ...deploysLambda,
            ...runsCommands,
            "ssm:StartAutomationExecution",
            "ssm:GetAutomationExecution",
            "ec2:CreateSnapshot",
            "ec2:DescribeSnapshots",
            "ec2:DescribeInstances",
            "s3:PutObject",
        ]);
    if (used.has("loadBalancer"))
        allow("PatchBehindLoadBalancer", [
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DeregisterTargets",
            "elasticloadbalancing:RegisterTargets",
            "elasticloadbalancing:DescribeInstanceHealth",
            "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
            "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
            "ec2:DescribeInstances",
            "ssm:DescribeInstanceInformation",
            ...runsCommands,
        ]);
    if (used.has("autoScaling"))
        allow("PatchAutoScalingInstance", [
            ...deploysLambda,
            "ssm:StartAutomationExecution",
            "ssm:GetAutomationExecution",
            "ssm:GetCommandInvocation",
            "ssm:GetParameter",
            "ssm:SendCommand",
            "ec2:CreateTags",
            "ec2:DescribeInstances",
            "ec2:RunInstances",
        ]);
    if (used.has("startStop"))
        allow("StartStoppedInstances", [
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceStatus",
            "ec2:StartInstances",
            "ec2:StopInstances",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "ssm:DescribeInstanceInformation",
        ]);
    return s.length > 0 ? { Version: "2012-10-17", Statement: s } : undefined;
}

/** Reboot commands that make the SSM Agent reboot the node and report it (exit 194 / 3010), then nothing else. */
export function rebootTask(operatingSystem: string): { document: string; commands: string[] } {
    return operatingSystem === "WINDOWS"
        ? { document: STRATEGY_DOCUMENTS.runPowerShellScript.name, commands: [`exit ${AGENT_REBOOT_EXIT_CODES.windows}`] }
        : { document: STRATEGY_DOCUMENTS.runShellScript.name, commands: [`exit ${AGENT_REBOOT_EXIT_CODES.linux}`] };
}

// Start and stop run as one execution per instance ({{RESOURCE_ID}}); the tag is the only state
// the two window tasks share (window tasks pass no outputs to each other).
const START_SCRIPT = `import time
import boto3

def handler(event, context):
    ec2 = boto3.client("ec2")
    ssm = boto3.client("ssm")
    instance = event["InstanceId"]
    state = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"]
    if state != "stopped":
        return {"started": False, "state": state}
    ec2.create_tags(Resources=[instance], Tags=[{"Key": "${STARTED_BY_WINDOW_TAG}", "Value": event["WindowExecutionId"]}])
    ec2.start_instances(InstanceIds=[instance])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance])
    # Run Command reaches only nodes whose agent is online: wait for it before the install starts.
    for _ in range(30):
        info = ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": [instance]}])["InstanceInformationList"]
        if info and info[0]["PingStatus"] == "Online":
            return {"started": True}
        time.sleep(15)
    raise Exception("started, but the SSM Agent did not come online within 7.5 minutes")
`;

const STOP_SCRIPT = `import boto3

def handler(event, context):
    ec2 = boto3.client("ec2")
    instance = event["InstanceId"]
    tags = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0].get("Tags", [])
    if not any(t["Key"] == "${STARTED_BY_WINDOW_TAG}" for t in tags):
        return {"stopped": False}
    ec2.stop_instances(InstanceIds=[instance])
    ec2.delete_tags(Resources=[instance], Tags=[{"Key": "${STARTED_BY_WINDOW_TAG}"}])
    return {"stopped": True}
`;

/** An Automation runbook (schema 0.3) with one aws:executeScript step. */
export function scriptRunbook(description: string, step: string, script: string): object {
    return {
        schemaVersion: "0.3",
        description,
        parameters: {
            InstanceId: { type: "String", allowedPattern: "^i-[a-z0-9]{8,17}$" },
            WindowExecutionId: { type: "String", default: "none" },
        },
        mainSteps: [
            {
                name: step,
                action: "aws:executeScript",
                timeoutSeconds: 600,
                inputs: {
                    Runtime: "python3.11",
                    Handler: "handler",
                    InputPayload: { InstanceId: "{{InstanceId}}", WindowExecutionId: "{{WindowExecutionId}}" },
                    Script: script,
                },
            },
        ],
    };
}

export const START_RUNBOOK = scriptRunbook(
    `Starts a stopped instance for patching and tags it ${STARTED_BY_WINDOW_TAG}; waits until its SSM Agent is online.`,
    "startIfStopped",
    START_SCRIPT,
);
export const STOP_RUNBOOK = scriptRunbook(
    `Stops an instance only if it carries ${STARTED_BY_WINDOW_TAG} (the window started it), and removes the tag.`,
    "stopIfStartedByWindow",
    STOP_SCRIPT,
);

/** Automation parameters of the start and stop tasks. */
export const START_STOP_PARAMETERS: Parameter[] = [
    { name: "InstanceId", values: [RESOURCE_ID] },
    { name: "WindowExecutionId", values: ["{{WINDOW_EXECUTION_ID}}"] },
];

export interface PatchingStrategiesArgs {
    readonly namePrefix: string;
    /** Change calendars the associations wait for (components/freezes.ts); absent: none. */
    readonly calendarNames?: pulumi.Input<string>[];
    readonly environment: string;
    readonly groups: readonly PatchGroupConfig[];
    /** The reboot windows of the deployment's window layout (windowPlan). */
    readonly rebootWindows: readonly WindowLayout[];
    readonly baselines: readonly BaselineConfig[];
    readonly patchGroupTagKey: string;
    readonly timezone: string;
    readonly serviceRoleArn: pulumi.Input<string>;
    /** The window role the program creates; absent (a role of your own): add strategyPermissions to it yourself. */
    readonly windowRoleName?: pulumi.Input<string>;
    /** The patched instances' role: it must read the override files. */
    readonly instanceRoleName: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
    readonly cutoffBehavior: "CONTINUE_TASK" | "CANCEL_TASK";
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * What the groups' strategies need beside their window tasks: the start/stop runbooks, the
 * baseline override files, the roles' permissions, a reboot window per NoReboot group and an
 * association per group that patches instances as they join.
 */
export class PatchingStrategies extends pulumi.ComponentResource {
    /** s3:// URL of each baseline's override file, by baseline name. */
    readonly baselineOverrideUrls: Record<string, pulumi.Output<string>> = {};
    /** The start and stop runbooks' names, when a group starts stopped instances. */
    readonly startStop?: { start: pulumi.Output<string>; stop: pulumi.Output<string> };
    /** Reboot windows by patch group. */
    readonly rebootWindows: Record<string, { name: string; id: pulumi.Output<string> }> = {};

    constructor(name: string, args: PatchingStrategiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchingStrategies, name, {}, opts);
        const groups = args.groups;
        const used = new Set<"image" | InstallRunbook | "startStop">();
        for (const g of groups) {
            if (g.strategies.imageFirst) used.add("image");
            if (g.strategies.install !== "runPatchBaseline") used.add(g.strategies.install);
            if (g.strategies.startStopped) used.add("startStop");
        }
        const permissions = strategyPermissions(used);
        if (permissions && args.windowRoleName) {
            new aws.iam.RolePolicy(
                `${name}-window-role`,
                { role: args.windowRoleName, policy: JSON.stringify(permissions) },
                { parent: this },
            );
        }

        if (used.has("startStop")) {
            // A document's name is its id: a replacement must delete the old one first.
            const document = (suffix: string, runbook: object) =>
                new aws.ssm.Document(
                    `${name}-${suffix}`,
                    {
                        name: ssmName(args.namePrefix, suffix),
                        documentType: "Automation",
                        documentFormat: "JSON",
                        content: JSON.stringify(runbook),
                        tags: args.tags,
                    },
                    { parent: this, deleteBeforeReplace: true },
                ).name;
            this.startStop = { start: document("start-stopped", START_RUNBOOK), stop: document("stop-started", STOP_RUNBOOK) };
        }

        const overridden = new Set(groups.filter((g) => g.strategies.baselineOverride).map((g) => g.baseline));
        for (const b of args.baselines.filter((x) => overridden.has(x.name))) {
            const key = baselineOverrideKey(args.logKeyPrefix, b.name);
            const object = new aws.s3.BucketObjectv2(
                `${name}-override-${b.name}`,
                {
                    bucket: args.logBucketName,
                    key,
                    content: JSON.stringify(baselineOverrideDocument(b), null, 2),
                    contentType: "application/json",
                    tags: args.tags,
                },
                { parent: this },
            );
            this.baselineOverrideUrls[b.name] = pulumi.interpolate`s3://${object.bucket}/${object.key}`;
        }
        if (overridden.size > 0) {
            new aws.iam.RolePolicy(
                `${name}-read-overrides`,
                {
                    role: args.instanceRoleName,
                    policy: pulumi.all([args.partition, args.logBucketName]).apply(([p, bucket]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "ReadBaselineOverrides",
                                    Effect: "Allow",
                                    Action: ["s3:GetObject"],
                                    Resource: `arn:${p}:s3:::${bucket}/${baselineOverrideKey(args.logKeyPrefix, "*")}`,
                                },
                            ],
                        }),
                    ),
                },
                { parent: this },
            );
        }

        for (const g of groups) {
            const target = [{ key: tagTargetKey(args.patchGroupTagKey), values: [g.name] }];
            if (g.strategies.onJoin) {
                const operation = g.strategies.onJoin === "install" ? "Install" : "Scan";
                if (operation === "Install")
                    pulumi.log.warn(
                        `patch group "${g.name}" installs on join: the association runs at once on every instance of the group when it is created or its parameters change, rebooting them outside any window`,
                        this,
                    );
                new aws.ssm.Association(
                    `${name}-${g.slug}-on-join`,
                    {
                        associationName: ssmName(args.namePrefix, g.slug, "on-join"),
                        name: RUN_PATCH_BASELINE,
                        parameters: { Operation: operation, RebootOption: operation === "Install" ? "RebootIfNeeded" : "NoReboot" },
                        targets: target,
                        // No schedule and not only at a cron interval: SSM runs it when an instance becomes a
                        // target (first online, back after a missed run) and once when it is created.
                        applyOnlyAtCronInterval: false,
                        // Not while a change freeze holds (components/freezes.ts).
                        ...(args.calendarNames ? { calendarNames: args.calendarNames } : {}),
                        maxConcurrency: g.rateControl.maxConcurrency,
                        maxErrors: g.rateControl.maxErrors,
                        outputLocation: {
                            s3BucketName: args.logBucketName,
                            s3KeyPrefix: taskLogPrefix(args.logKeyPrefix, args.environment, g.name, "on-join"),
                        },
                        tags: args.tags,
                    },
                    { parent: this },
                );
            }
            const reboot = args.rebootWindows.find((w) => w.key === g.name);
            if (reboot) this.rebootWindows[g.name] = this.rebootWindow(name, g, reboot, args);
        }
        this.registerOutputs({ baselineOverrideUrls: this.baselineOverrideUrls });
    }

    /** A window that reboots the group's instances (the agent's reboot exit code), then scans so compliance clears. */
    private rebootWindow(name: string, g: PatchGroupConfig, layout: WindowLayout, args: PatchingStrategiesArgs) {
        const windowName = layout.name;
        const window = new aws.ssm.MaintenanceWindow(
            `${name}-${g.slug}-reboot-window`,
            {
                name: windowName,
                description: layout.description,
                ...maintenanceWindowTiming(layout.timing, layout.timezone),
                tags: args.tags,
            },
            { parent: this },
        );
        const target = new aws.ssm.MaintenanceWindowTarget(
            `${name}-${g.slug}-reboot-target`,
            {
                windowId: window.id,
                name: windowName,
                description: `Instances tagged ${args.patchGroupTagKey}=${g.name}`.slice(0, 128),
                resourceType: "INSTANCE",
                targets: [{ key: tagTargetKey(args.patchGroupTagKey), values: [g.name] }],
            },
            { parent: this },
        );
        const reboot = rebootTask(g.operatingSystem);
        const steps: [string, string, Parameter[], number][] = [
            ["reboot", reboot.document, [{ name: "commands", values: reboot.commands }], 1],
            [
                "scan",
                RUN_PATCH_BASELINE,
                [
                    { name: "Operation", values: ["Scan"] },
                    { name: "RebootOption", values: ["NoReboot"] },
                ],
                2,
            ],
        ];
        for (const [step, document, parameters, priority] of steps) {
            new aws.ssm.MaintenanceWindowTask(
                `${name}-${g.slug}-${step}-task`,
                {
                    windowId: window.id,
                    name: ssmName(args.namePrefix, g.slug, step),
                    description: `${step} ${g.name} (reboot window)`.slice(0, 128),
                    taskType: "RUN_COMMAND",
                    taskArn: document,
                    serviceRoleArn: args.serviceRoleArn,
                    priority,
                    maxConcurrency: g.rateControl.maxConcurrency,
                    maxErrors: g.rateControl.maxErrors,
                    cutoffBehavior: args.cutoffBehavior,
                    targets: [{ key: TARGET_KEYS.windowTargetIds, values: [target.id] }],
                    taskInvocationParameters: {
                        runCommandParameters: {
                            comment: `patch-manager ${args.environment}: ${step} ${g.name}`.slice(0, 100),
                            documentVersion: "$DEFAULT",
                            outputS3Bucket: args.logBucketName,
                            outputS3KeyPrefix: taskLogPrefix(args.logKeyPrefix, args.environment, g.name, step),
                            parameters,
                        },
                    },
                },
                { parent: this },
            );
        }
        return { name: windowName, id: window.id };
    }
}
