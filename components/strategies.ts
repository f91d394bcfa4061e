import * as aws from "@pulumi/aws";
import type { WindowLayout } from "../config/windowPlan";
import * as pulumi from "@pulumi/pulumi";
import {
    AGENT_REBOOT_EXIT_CODES,
    AWS_DOCUMENTS,
    REBOOT_DOCUMENT_PARAMETER,
    REBOOT_DOCUMENT_SUFFIXES,
    RESOURCE_ID,
    RUN_PATCH_BASELINE,
    STRATEGY_DOCUMENTS,
    TARGET_KEYS,
    WINDOW_EXECUTION_ID_PATTERN,
    tagTargetKey,
} from "@patch-manager/ssm";
import { BaselineConfig, InstallRunbook, PatchGroupConfig, RESOURCE_TYPES, StrategyConfig } from "../config";
import { ssmName, taskLogPrefix } from "../config/naming";
import { automationExecutions, baselineOverrideKey, neverFromManagedNodes, serviceTrust } from "./iam";
import { maintenanceWindowTiming } from "../config/window";
import { AUTOMATION_FORMAT, automationContent } from "./runbooks";
import { START_TIMEOUT_MINUTES } from "../config/strategies";

type Parameter = { name: string; values: string[] };

/** The tag the start task puts on an instance it started, so the stop task stops only those. */
export const STARTED_BY_WINDOW_TAG = "patch-manager:started-by-window";

/** The on-join scan's schedule: the interval at which nodes the rate control held back get their scan. */
export const ON_JOIN_SCAN_SCHEDULE = "rate(1 day)";

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

/** The roles the strategies' runbooks run as (passed as their role parameters), each present when a group uses it. */
export interface RunbookRoleArns {
    /** AutomationAssumeRole of the rollback and Auto Scaling runbooks: their steps run as this role, not as the window role. */
    readonly automation?: string;
    /** LambdaAssumeRole / LambdaRoleArn: the role of the Lambda functions the runbook deploys (else it creates a transient role). */
    readonly lambda?: string;
    /** AutomationAssumeRole of AWSEC2-PatchLoadBalancerInstance: draining only the groups' own load balancers. */
    readonly loadBalancer?: string;
}

/** The runbook roles as a StrategyScope names them: what the window role (or patch now's) may pass. */
export function runbookRoleScope(
    roles: RunbookRoleArns | undefined,
): Pick<StrategyScope, "runbookRoleArn" | "runbookLambdaRoleArn" | "loadBalancerRoleArn"> {
    return {
        ...(roles?.automation !== undefined ? { runbookRoleArn: roles.automation } : {}),
        ...(roles?.lambda !== undefined ? { runbookLambdaRoleArn: roles.lambda } : {}),
        ...(roles?.loadBalancer !== undefined ? { loadBalancerRoleArn: roles.loadBalancer } : {}),
    };
}

/** Automation parameters of the runbook that replaces AWS-RunPatchBaseline; every value a string. */
export function installRunbookParameters(s: StrategyConfig, logBucketName: string, roles?: RunbookRoleArns): Parameter[] {
    const instance = { name: "InstanceId", values: [RESOURCE_ID] };
    const param = (name: string, value: string | undefined) => (value !== undefined ? [{ name, values: [value] }] : []);
    switch (s.install) {
        case "rollback":
            return [
                instance,
                { name: "ReportS3Bucket", values: [logBucketName] },
                ...param("AutomationAssumeRole", roles?.automation),
                ...param("LambdaAssumeRole", roles?.lambda),
            ];
        case "loadBalancer":
            return [
                instance,
                ...(s.loadBalancer?.connectionDrainMinutes !== undefined
                    ? [{ name: "ConnectionDrainTime", values: [String(s.loadBalancer.connectionDrainMinutes)] }]
                    : []),
                ...param("AutomationAssumeRole", roles?.loadBalancer),
            ];
        case "autoScaling":
            return [instance, ...param("AutomationAssumeRole", roles?.automation), ...param("LambdaRoleArn", roles?.lambda)];
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

/**
 * The BaselineOverride file: a JSON list of baselines as GetPatchBaseline returns them, one per OS
 * (SSM user guide, "Using the BaselineOverride parameter": the file is `get_patch_baseline` output
 * for each baseline, dumped as a list). Every content member that output carries is written, with the
 * value SSM holds for a baseline the program creates: no global filters, non-security approved
 * patches off, every rule's compliance level and non-security flag, and the sources (an empty list
 * when none); the identity and dates (BaselineId, CreatedDate, ...) say nothing about what to install.
 */
export function baselineOverrideDocument(b: BaselineConfig): object[] {
    return [
        {
            OperatingSystem: b.operatingSystem,
            GlobalFilters: { PatchFilters: [] },
            ApprovalRules: {
                PatchRules: b.approvalRules.map((r) => ({
                    PatchFilterGroup: { PatchFilters: r.patchFilters.map((f) => ({ Key: f.key, Values: [...f.values] })) },
                    ComplianceLevel: r.complianceLevel,
                    ...(r.approveAfterDays !== undefined ? { ApproveAfterDays: r.approveAfterDays } : {}),
                    ...(r.approveUntilDate !== undefined ? { ApproveUntilDate: r.approveUntilDate } : {}),
                    EnableNonSecurity: r.enableNonSecurity ?? false,
                })),
            },
            ApprovedPatches: [...b.approvedPatches],
            ApprovedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
            ApprovedPatchesEnableNonSecurity: false,
            RejectedPatches: [...b.rejectedPatches],
            RejectedPatchesAction: b.rejectedPatchesAction,
            Sources: b.sources.map((s) => ({ Name: s.name, Products: [...s.products], Configuration: s.configuration })),
        },
    ];
}

type Statement = { Sid: string; Effect: "Allow" | "Deny"; Action: string | string[]; Resource: string | string[]; Condition?: object };
type Policy = { Version: "2012-10-17"; Statement: Statement[] };
type Used = ReadonlySet<"image" | InstallRunbook | "startStop">;

/** Who the strategies' roles act for and on what: the account, the tag and the groups of each strategy. */
export interface StrategyScope {
    readonly partition: string;
    readonly accountId: string;
    /** The deployment's region (the EC2 endpoint that asks KMS for grants when it starts an instance). */
    readonly region?: string;
    /** "Patch Group" or "PatchGroup". */
    readonly patchGroupTagKey: string;
    /** The groups (tag values) that use each strategy. */
    readonly groups: Readonly<Partial<Record<"image" | InstallRunbook | "startStop", readonly string[]>>>;
    /** The program's start and stop runbooks (document names), when a group starts stopped instances. */
    readonly startStopDocuments?: readonly string[];
    /** The role the rollback and Auto Scaling runbooks run as, when one of them is used. */
    readonly runbookRoleArn?: string;
    /** The role of their Lambda functions. */
    readonly runbookLambdaRoleArn?: string;
    /** The role AWSEC2-PatchLoadBalancerInstance runs as, when a group drains a load balancer. */
    readonly loadBalancerRoleArn?: string;
    /** The log bucket (the rollback report goes there) and the prefixes no role of the program may write. */
    readonly logBucketName?: string;
    readonly protectedPrefixes?: readonly string[];
}

/**
 * What ssm:StartAutomationExecution of one runbook (any version) is authorized on: the Service
 * Authorization Reference lists `document` and `automation-execution` as required resource types and
 * `automation-definition` as optional (tests/facts/awsFacts.json `iam-start-automation-execution-resources`),
 * so a grant on the definition alone may be refused. AWS-owned documents' ARNs have no account.
 */
export function startAutomationArns(partition: string, accountId: string, document: string): string[] {
    const awsOwned = /^(AWS|AWSEC2)-/.test(document);
    return [
        `arn:${partition}:ssm:*:${awsOwned ? "*" : accountId}:automation-definition/${document}:*`,
        `arn:${partition}:ssm:*:${awsOwned ? "" : accountId}:document/${document}`,
        `arn:${partition}:ssm:*:${accountId}:automation-execution/*`,
    ];
}

/** startAutomationArns of several runbooks, each ARN once. */
export const startAutomationArnsOf = (partition: string, accountId: string, documents: readonly string[]): string[] =>
    [...new Set(documents.flatMap((d) => startAutomationArns(partition, accountId, d)))].sort();

const instances = (c: StrategyScope) => `arn:${c.partition}:ec2:*:${c.accountId}:instance/*`;

/** Instances that carry one of these patch-group tag values. */
const taggedWith = (c: StrategyScope, groups: readonly string[] | undefined) => ({
    StringEquals: { [`aws:ResourceTag/${c.patchGroupTagKey}`]: [...(groups ?? [])] },
});

/** Run Command with AWS-RunPatchBaseline only, on instances carrying one of these groups' tag only (ssm:resourceTag). */
const patchTheGroupsInstances = (c: StrategyScope, groups: readonly string[]): Statement[] => [
    {
        Sid: "PatchWithRunPatchBaseline",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: [`arn:${c.partition}:ssm:*::document/${RUN_PATCH_BASELINE}`],
    },
    {
        Sid: "OnTheGroupsInstancesOnly",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: instances(c),
        Condition: { StringEquals: { [`ssm:resourceTag/${c.patchGroupTagKey}`]: [...groups] } },
    },
];

/** Only these tag keys in the request, and some: DeleteTags without keys deletes every tag. */
const onlyTagKeys = (keys: string[]) => ({ "ForAllValues:StringEquals": { "aws:TagKeys": keys }, Null: { "aws:TagKeys": "false" } });

/**
 * What the window role needs to run each strategy's runbooks, scoped to the runbooks the stack uses,
 * the account, and the instances of the groups that use each (the patch-group tag). No IAM write,
 * no Lambda, CloudFormation or load balancer: the rollback, Auto Scaling and load-balancer runbooks
 * run as their own roles (their AutomationAssumeRole parameter: AWSEC2-PatchLoadBalancerInstance's
 * content runs as `"assumeRole": "{{ AutomationAssumeRole }}"`, packages/ssm/documents.ts), which the
 * window role may pass to SSM and nothing else.
 */
export function strategyPermissions(used: Used, c: StrategyScope): Policy | undefined {
    const s: Statement[] = [];
    const allow = (Sid: string, Action: string[], Resource: string | string[] = "*", Condition?: object) =>
        s.push({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });
    const runbooks = [
        ...(used.has("image") ? [STRATEGY_DOCUMENTS.createImage.name] : []),
        ...(["rollback", "loadBalancer", "autoScaling"] as const).filter((r) => used.has(r)).map((r) => INSTALL_DOCUMENTS[r]),
        ...(used.has("startStop") ? (c.startStopDocuments ?? []) : []),
    ];
    if (runbooks.length === 0) return undefined;
    allow("StartTheStrategiesRunbooks", ["ssm:StartAutomationExecution"], startAutomationArnsOf(c.partition, c.accountId, runbooks));
    allow("FollowTheRunbooks", ["ssm:GetAutomationExecution", "ssm:DescribeInstanceInformation", "ec2:DescribeInstances"]);
    if (used.has("image")) {
        allow("ImageOnlyTheGroupsInstances", ["ec2:CreateImage"], instances(c), taggedWith(c, c.groups.image));
        allow("CreateTheImage", ["ec2:CreateImage"], [`arn:${c.partition}:ec2:*::image/*`, `arn:${c.partition}:ec2:*::snapshot/*`]);
        allow("DescribeImages", ["ec2:DescribeImages"]);
    }
    const passed = [
        ...((used.has("rollback") || used.has("autoScaling")) && c.runbookRoleArn ? [c.runbookRoleArn] : []),
        ...(used.has("loadBalancer") && c.loadBalancerRoleArn ? [c.loadBalancerRoleArn] : []),
    ];
    if (passed.length > 0)
        allow("PassOnlyTheRunbookRole", ["iam:PassRole"], passed.length === 1 ? passed[0] : passed, {
            StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" },
        });
    if (used.has("startStop")) {
        allow(
            "StartStopOnlyTheGroupsInstances",
            ["ec2:StartInstances", "ec2:StopInstances"],
            instances(c),
            taggedWith(c, c.groups.startStop),
        );
        allow("TagOnlyWhatTheWindowStarted", ["ec2:CreateTags", "ec2:DeleteTags"], instances(c), {
            ...taggedWith(c, c.groups.startStop),
            ...onlyTagKeys([STARTED_BY_WINDOW_TAG]),
        });
        // Starting an instance whose EBS volumes a customer managed key encrypts: EC2 creates a grant on
        // the key for the instance, with the caller's kms:CreateGrant (EBS user guide, "Requirements for
        // Amazon EBS encryption": "use the kms:GrantIsForAWSResource condition key"); without it the
        // instance goes from pending back to stopped. Only grants EC2 creates, in this region.
        if (c.region)
            allow("LetEc2UseTheVolumesKeys", ["kms:CreateGrant"], `arn:${c.partition}:kms:${c.region}:*:key/*`, {
                Bool: { "kms:GrantIsForAWSResource": "true" },
                StringEquals: { "kms:ViaService": `ec2.${c.region}.amazonaws.com` },
            });
    }
    return { Version: "2012-10-17", Statement: s };
}

/** The tag AWS-PatchAsgInstance puts on the instance it patches (runbook reference: it keeps two runs off one instance). */
export const ASG_PATCH_TAG = "AutoPatchInstanceInASG";

/**
 * An Automation execution id, as IAM's wildcards can match it: a UUID (the runbook reference's
 * AWS-PatchInstanceWithRollback example: `"AutomationExecutionId": "ab08779f-002d-42dd-9222-0123456789ab"`).
 */
export const EXECUTION_ID_PATTERN = "????????-????-????-????-????????????";

/**
 * The prefix of every stack a StackSet deploys into an account, `StackSet-<stack set name>-<uuid>`
 * (AWS's managed policy AWSControlTowerServiceRolePolicy names Control Tower's
 * `arn:aws:cloudformation:*:*:stack/StackSet-AWSControlTower*` with any stack id). Its name ends in a
 * UUID, so the execution-id pattern above matches it too: the organisation's own deploy-role stack
 * (org/stackSetTemplate.ts) among them. No runbook names its stack so: AWS's Automation documents name
 * theirs `<Name>Stack{{automation:EXECUTION_ID}}` (awslabs/aws-systems-manager
 * Automation/CreateSnapshot/Documents/aws-CreateSnapshot.json) or `...-cfn-stack-{{automation:EXECUTION_ID}}`
 * (Automation/ASGChangeStandbyState/Documents/aws-ASGChangeStandbyState.json).
 */
export const STACK_SET_INSTANCE_PREFIX = "StackSet-";

/**
 * The CloudFormation stacks and Lambda functions the rollback and Auto Scaling runbooks deploy for
 * one execution: each named with the execution's id at the end (the SSM user guide's
 * aws:invokeLambdaFunction page quotes AWS-PatchInstanceWithRollback's
 * `FunctionName: "IdentifyRootVolumeLambda-{{automation:EXECUTION_ID}}"`). IAM's `*` spans `/`, so
 * the stack pattern reads: a stack whose name ends in an execution id, any stack id after it.
 */
export function runbookDeployments(partition: string, accountId: string): { stacks: string; functions: string; stackSetInstances: string } {
    return {
        stacks: `arn:${partition}:cloudformation:*:${accountId}:stack/*${EXECUTION_ID_PATTERN}/*`,
        functions: `arn:${partition}:lambda:*:${accountId}:function:*-${EXECUTION_ID_PATTERN}`,
        stackSetInstances: `arn:${partition}:cloudformation:*:${accountId}:stack/${STACK_SET_INSTANCE_PREFIX}*`,
    };
}

/**
 * The runbooks the rollback and Auto Scaling runbooks start: themselves, and AWS-CreateSnapshot, the
 * rollback's PrePatchSnapshot step (aws:executeAutomation, DocumentName "AWS-CreateSnapshot": the SSM
 * user guide's aws:invokeLambdaFunction page quotes that step).
 */
export const RUNBOOK_CHILD_AUTOMATIONS = ["AWS-CreateSnapshot"] as const;

/**
 * The parameters the runbooks may read: AWS's public ones only (`/aws/service/...`), never one of the
 * account's: no account can name its own so (PutParameter: "Parameter names can't be prefixed with
 * 'aws' or 'ssm' (case-insensitive)"), so any account in the ARN is safe. AWS lists ssm:GetParameter
 * for AWS-PatchAsgInstance without naming the parameter; a runbook that read one of the account's
 * would fail here (docs/security.md).
 */
export const publicParameters = (partition: string) => `arn:${partition}:ssm:*:*:parameter/aws/service/*`;

/** What the runbooks do with their execution's stack (AWS's list for AWS-PatchAsgInstance). */
const STACK_ACTIONS = ["cloudformation:CreateStack", "cloudformation:DescribeStacks", "cloudformation:DeleteStack"];

/**
 * The role AWS-PatchInstanceWithRollback and AWS-PatchAsgInstance run as (AutomationAssumeRole): the
 * actions the runbook reference lists for AWS-PatchAsgInstance and the rollback runbook's steps need,
 * without the IAM writes that only create the transient Lambda role (the program passes its own,
 * LambdaAssumeRole / LambdaRoleArn: "If not specified, a transient role will be created"), iam:PassRole
 * only of that Lambda role to Lambda, Run Command with AWS-RunPatchBaseline on the groups' instances;
 * CloudFormation and Lambda only on the stacks and functions of an execution (runbookDeployments),
 * StartAutomationExecution only of the runbooks and their child, GetParameter only of AWS's public
 * parameters, and nothing from a hybrid node's session.
 * https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-patchasginstance.html
 * https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-patchinstancewithrollback.html
 */
export function runbookRolePolicy(used: Used, c: StrategyScope): Policy {
    const p = c.partition;
    const deployments = runbookDeployments(p, c.accountId);
    const runbooks = [
        ...(["rollback", "autoScaling"] as const).filter((r) => used.has(r)).map((r) => INSTALL_DOCUMENTS[r]),
        ...(used.has("rollback") ? RUNBOOK_CHILD_AUTOMATIONS : []),
    ];
    const s: Statement[] = [
        {
            Sid: "DeployTheRunbooksStacks",
            Effect: "Allow",
            Action: STACK_ACTIONS,
            Resource: deployments.stacks,
        },
        {
            // The pattern above also matches every StackSet's stack in the account: none of them, ever.
            Sid: "NeverAStackSetsStack",
            Effect: "Deny",
            Action: STACK_ACTIONS,
            Resource: deployments.stackSetInstances,
        },
        {
            Sid: "DeployTheRunbooksFunctions",
            Effect: "Allow",
            Action: ["lambda:CreateFunction", "lambda:GetFunction", "lambda:InvokeFunction", "lambda:DeleteFunction"],
            Resource: deployments.functions,
        },
        ...patchTheGroupsInstances(c, [...(c.groups.rollback ?? []), ...(c.groups.autoScaling ?? [])]),
        {
            Sid: "StartOnlyTheRunbooks",
            Effect: "Allow",
            Action: ["ssm:StartAutomationExecution"],
            Resource: startAutomationArnsOf(p, c.accountId, runbooks),
        },
        { Sid: "ReadOnlyPublicParameters", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: publicParameters(p) },
        {
            Sid: "FollowTheRun",
            Effect: "Allow",
            Action: [
                "ssm:GetAutomationExecution",
                "ssm:ListCommands",
                "ssm:ListCommandInvocations",
                "ssm:GetCommandInvocation",
                "ec2:DescribeInstances",
            ],
            Resource: "*",
        },
        neverFromManagedNodes(),
    ];
    if (c.runbookLambdaRoleArn)
        s.push({
            Sid: "PassOnlyTheLambdaRole",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: c.runbookLambdaRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        });
    if (used.has("rollback"))
        s.push({
            Sid: "SnapshotBeforePatching",
            Effect: "Allow",
            Action: ["ec2:CreateSnapshot", "ec2:DescribeSnapshots", "ec2:DescribeVolumes"],
            Resource: "*",
        });
    if (used.has("autoScaling")) {
        s.push({
            Sid: "TagTheInstanceBeingPatched",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: instances(c),
            Condition: { ...taggedWith(c, c.groups.autoScaling), ...onlyTagKeys([ASG_PATCH_TAG]) },
        });
        // In AWS's list for AWS-PatchAsgInstance; launching with a role needs iam:PassRole, which this role has only for the Lambda role to Lambda.
        s.push({ Sid: "AsDocumentedForPatchAsgInstance", Effect: "Allow", Action: ["ec2:RunInstances"], Resource: "*" });
    }
    return { Version: "2012-10-17", Statement: s };
}

/**
 * Tags AWS puts on the snapshots it keeps for you: AWS Backup's `aws:backup:source-resource` (its
 * managed policies condition snapshot actions on `aws:ResourceTag/aws:backup:source-resource`) and
 * Data Lifecycle Manager's `aws:dlm:lifecycle-policy-id` (AWS-generated cost allocation tags).
 */
export const PROTECTED_SNAPSHOT_TAGS = ["aws:backup:source-resource", "aws:dlm:lifecycle-policy-id"] as const;

/**
 * The role of the Lambda functions the two runbooks deploy (in place of the transient role they would
 * create). AWS publishes no list for it: these follow the runbooks' Lambda steps (rollback: find the
 * root volume, wait for the install, check compliance, save the report to S3, restore from or delete
 * the snapshot; Auto Scaling: standby, patch, back in service), scoped to the groups' instances, and
 * the report into the log bucket only, never where the fleet reads.
 */
export function runbookLambdaPolicy(used: Used, c: StrategyScope): Policy {
    const p = c.partition;
    const s: Statement[] = [
        {
            Sid: "WriteItsLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `arn:${p}:logs:*:${c.accountId}:log-group:/aws/lambda/*`,
        },
        {
            Sid: "ReadTheRun",
            Effect: "Allow",
            Action: [
                "ec2:DescribeInstances",
                "ec2:DescribeVolumes",
                "ec2:DescribeSnapshots",
                "ssm:DescribeInstancePatchStates",
                "ssm:ListComplianceItems",
                "ssm:ListCommandInvocations",
                "ssm:GetCommandInvocation",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeAutoScalingGroups",
            ],
            Resource: "*",
        },
    ];
    if (used.has("rollback")) {
        s.push(
            {
                Sid: "RestoreOnlyTheGroupsInstances",
                Effect: "Allow",
                Action: ["ec2:StopInstances", "ec2:StartInstances", "ec2:AttachVolume", "ec2:DetachVolume"],
                Resource: instances(c),
                Condition: taggedWith(c, c.groups.rollback),
            },
            {
                // Attach and Detach are authorized on the instance too (RestoreOnlyTheGroupsInstances: the groups' tag).
                Sid: "SwapTheRootVolume",
                Effect: "Allow",
                Action: ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:CreateTags"],
                Resource: `arn:${p}:ec2:*:${c.accountId}:volume/*`,
            },
            {
                // A volume restored from a snapshot (ec2:ParentSnapshot set), never a blank one.
                Sid: "RestoreFromTheSnapshot",
                Effect: "Allow",
                Action: ["ec2:CreateVolume"],
                Resource: `arn:${p}:ec2:*:${c.accountId}:volume/*`,
                Condition: { Null: { "ec2:ParentSnapshot": "false" } },
            },
            {
                // The account's own snapshots only (ec2:Owner, a snapshot key of CreateVolume in the SAR): never
                // another account's shared or public one mounted on a group's instance.
                Sid: "ReadTheSnapshot",
                Effect: "Allow",
                Action: ["ec2:CreateVolume", "ec2:DeleteSnapshot", "ec2:CreateTags"],
                Resource: `arn:${p}:ec2:*::snapshot/*`,
                Condition: { StringEquals: { "ec2:Owner": c.accountId } },
            },
            // The snapshot AWS-CreateSnapshot takes carries no tag (its RuntimeParameters are VolumeId and
            // Description only), so no Allow can name it; these keep the runbook's Lambda off the snapshots
            // AWS Backup and Data Lifecycle Manager keep (the tags they put on theirs).
            ...PROTECTED_SNAPSHOT_TAGS.map((tag, i) => ({
                Sid: `NeverAManagedBackup${i + 1}`,
                Effect: "Deny" as const,
                Action: ["ec2:DeleteSnapshot"],
                Resource: `arn:${p}:ec2:*::snapshot/*`,
                Condition: { Null: { [`aws:ResourceTag/${tag}`]: "false" } },
            })),
        );
        if (c.logBucketName) {
            s.push({
                Sid: "SaveTheComplianceReport",
                Effect: "Allow",
                Action: ["s3:PutObject"],
                Resource: `arn:${p}:s3:::${c.logBucketName}/*`,
            });
            if ((c.protectedPrefixes ?? []).length > 0)
                s.push({
                    Sid: "NeverWhereTheFleetReads",
                    Effect: "Deny",
                    Action: ["s3:PutObject"],
                    Resource: (c.protectedPrefixes ?? []).map((prefix) => `arn:${p}:s3:::${c.logBucketName}/${prefix}/*`),
                });
        }
    }
    if (used.has("autoScaling"))
        s.push({
            Sid: "StandbyAndBack",
            Effect: "Allow",
            Action: ["autoscaling:EnterStandby", "autoscaling:ExitStandby"],
            Resource: `arn:${p}:autoscaling:*:${c.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
        });
    return { Version: "2012-10-17", Statement: s };
}

/**
 * The role AWSEC2-PatchLoadBalancerInstance runs as (its AutomationAssumeRole): the load balancer
 * calls the window role held before, on the groups' own load balancers and target groups only (those
 * tagged with the group's patch-group tag: the runbook finds them from the instance, and IAM can name
 * them no other way the program knows), Run Command with AWS-RunPatchBaseline on the groups'
 * instances, the reads that follow the run, and nothing from a hybrid node's session.
 */
export function loadBalancerRunbookPolicy(c: StrategyScope): Policy {
    const p = c.partition;
    const groups = [...(c.groups.loadBalancer ?? [])];
    const elb = (type: string) => `arn:${p}:elasticloadbalancing:*:${c.accountId}:${type}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "FindTheInstancesLoadBalancers",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeInstanceHealth",
                    "ssm:ListCommands",
                    "ssm:ListCommandInvocations",
                    "ssm:GetCommandInvocation",
                    "ssm:GetAutomationExecution",
                    "ec2:DescribeInstances",
                ],
                Resource: "*",
            },
            {
                // Every load balancer and target group of the account, not only those tagged with the group:
                // the runbook drains whatever the instance is in ("The load balancer or target group to which
                // the instance is attached is determined … The instance is removed", runbook reference), so a
                // grant on part of them fails halfway and leaves the instance out of the ones already drained.
                // Only an automation execution given this role can use it (its trust and the PassRoles).
                Sid: "DrainTheInstancesLoadBalancers",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
                    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
                ],
                Resource: [elb("targetgroup/*/*"), elb("loadbalancer/*")],
            },
            ...patchTheGroupsInstances(c, groups),
            neverFromManagedNodes(),
        ],
    };
}

/** The window substitutes the window execution's id here (a pseudo parameter, Run Command tasks included). */
export const WINDOW_EXECUTION_ID = "{{WINDOW_EXECUTION_ID}}";

/**
 * Where a node records that this window execution already rebooted it: places only root, SYSTEM and
 * Administrators may write. On Linux a file per execution under /var/lib; on Windows a registry
 * value per execution under HKLM\SOFTWARE, not a folder under ProgramData, where any local user may
 * create the folder first (as a junction elsewhere) and have SYSTEM delete and create files there
 * (attacker review of issue 18).
 */
export const REBOOT_MARKERS = {
    linux: "/var/lib/patch-manager/reboot-markers",
    windows: "HKLM:\\SOFTWARE\\patch-manager\\reboot-markers",
} as const;

/**
 * Where the reboot scripts read the window execution's id: the reboot document's own parameter, which
 * SSM fills in before the agent sees the script. The parameter's allowedPattern admits a window
 * execution id only (hex digits and hyphens), so nothing a task passes can change the script.
 */
export const REBOOT_EXECUTION_ID = `{{ ${REBOOT_DOCUMENT_PARAMETER} }}`;

/**
 * The Linux reboot script: the agent reruns a script after the reboot its exit 194 asks for (SSM
 * user guide, "Handling reboots when running commands": make such scripts idempotent), so it asks
 * only when a reboot is pending (needs-restarting -r, or dnf needs-restarting -r, on RHEL-family and Amazon Linux, the
 * /var/run/reboot-required flag on Ubuntu and Debian, zypper needs-rebooting on SUSE) and at most
 * once per window execution (a marker named by the execution's id), then exits 0.
 */
export function linuxRebootScript(): string[] {
    const code = AGENT_REBOOT_EXIT_CODES.linux;
    return [
        `markers="${REBOOT_MARKERS.linux}"`,
        `marker="$markers/${REBOOT_EXECUTION_ID}"`,
        `if [ -e "$marker" ]; then echo "rebooted once in this window execution; not again"; exit 0; fi`,
        "pending=no",
        "if command -v needs-restarting >/dev/null 2>&1; then",
        "  needs-restarting -r >/dev/null 2>&1; [ $? -eq 1 ] && pending=yes",
        // Without the standalone command (dnf-utils/yum-utils not installed), dnf's own plugin.
        "elif command -v dnf >/dev/null 2>&1; then",
        "  dnf needs-restarting -r >/dev/null 2>&1; [ $? -eq 1 ] && pending=yes",
        "elif [ -e /var/run/reboot-required ]; then",
        "  pending=yes",
        "elif command -v zypper >/dev/null 2>&1; then",
        "  zypper needs-rebooting >/dev/null 2>&1; [ $? -eq 102 ] && pending=yes",
        "fi",
        'if [ "$pending" = no ]; then echo "no reboot pending"; exit 0; fi',
        'mkdir -p "$markers" || exit 1',
        'find "$markers" -type f -mtime +30 -delete 2>/dev/null',
        'date -u > "$marker" || exit 1',
        'echo "reboot pending: asking the SSM Agent to reboot"',
        `exit ${code}`,
    ];
}

/**
 * The Windows reboot script, by the same rule: exit 3010 only when Windows has a reboot pending
 * (the Component Based Servicing RebootPending key, Windows Update's RebootRequired key, or
 * PendingFileRenameOperations) and this window execution has not rebooted the node yet.
 */
export function windowsRebootScript(): string[] {
    const code = AGENT_REBOOT_EXIT_CODES.windows;
    return [
        `$markers = "${REBOOT_MARKERS.windows}"`,
        `$id = "${REBOOT_EXECUTION_ID}"`,
        'if (Get-ItemProperty -Path $markers -Name $id -ErrorAction SilentlyContinue) { Write-Output "rebooted once in this window execution; not again"; exit 0 }',
        "$pending = $false",
        "if (Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending') { $pending = $true }",
        "if (Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired') { $pending = $true }",
        "if (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue) { $pending = $true }",
        'if (-not $pending) { Write-Output "no reboot pending"; exit 0 }',
        // -Force creates the missing parent keys; on an existing key it would empty it, hence the test.
        "if (-not (Test-Path $markers)) { New-Item -Path $markers -Force | Out-Null }",
        // Markers of executions more than 30 days old go: each value holds its execution's time.
        "foreach ($old in (Get-Item -Path $markers).Property) { $at = [datetime]::MinValue; if (-not [datetime]::TryParse((Get-ItemProperty -Path $markers -Name $old).$old, [ref]$at) -or $at -lt (Get-Date).AddDays(-30)) { Remove-ItemProperty -Path $markers -Name $old } }",
        "New-ItemProperty -Path $markers -Name $id -Value (Get-Date -Format o) -PropertyType String -Force | Out-Null",
        'Write-Output "reboot pending: asking the SSM Agent to reboot"',
        `exit ${code}`,
    ];
}

/** The reboot document of a group's operating system: its platform, the name's suffix, its script. */
export interface RebootDocument {
    readonly platform: keyof typeof REBOOT_DOCUMENT_SUFFIXES;
    /** The document is named `<namePrefix>-<suffix>` (rebootDocumentName). */
    readonly suffix: string;
    /** The script the document runs (see linuxRebootScript). */
    readonly commands: string[];
    /** The document's content: a schema 2.2 Command document whose one parameter is the window execution's id. */
    readonly content: object;
}

/** The reboot window's command: the platform's idempotent reboot script, in the program's own document. */
export function rebootTask(operatingSystem: string): RebootDocument {
    const platform = operatingSystem === "WINDOWS" ? "windows" : "linux";
    const commands = platform === "windows" ? windowsRebootScript() : linuxRebootScript();
    // As long as AWS-RunShellScript / AWS-RunPowerShellScript ran it: their executionTimeout's default.
    const timeoutSeconds = AWS_DOCUMENTS["AWS-RunShellScript"].parameters.executionTimeout.default;
    return {
        platform,
        suffix: REBOOT_DOCUMENT_SUFFIXES[platform],
        commands,
        content: {
            schemaVersion: "2.2",
            description: `patch-manager: reboots a node once per maintenance window execution, only when a reboot is pending (${platform})`,
            parameters: {
                [REBOOT_DOCUMENT_PARAMETER]: {
                    type: "String",
                    description:
                        "The window execution's id (the task passes the WINDOW_EXECUTION_ID pseudo parameter): names the reboot marker.",
                    allowedPattern: WINDOW_EXECUTION_ID_PATTERN,
                },
            },
            mainSteps: [
                {
                    action: platform === "windows" ? "aws:runPowerShellScript" : "aws:runShellScript",
                    name: "rebootIfPending",
                    inputs: { timeoutSeconds, runCommand: commands },
                },
            ],
        },
    };
}

/** The name of the reboot document a group of `operatingSystem` runs, in a deployment named by `namePrefix`. */
export function rebootDocumentName(namePrefix: string, operatingSystem: string): string {
    return ssmName(namePrefix, rebootTask(operatingSystem).suffix);
}

// Start and stop are targetless Automation tasks: one execution per group and window execution,
// which finds the group's instances through EC2 (DescribeInstances by tag reaches stopped instances;
// a window target of managed nodes does not: config/runtime/targets.ts). The tag with the window
// execution's id is the only state the two tasks share (window tasks pass no outputs to each other).
// aws:executeScript runs at most 600 seconds a step (SSM user guide, automation-action-executeScript),
// so the wait for the agents is split into steps of at most WAIT_STEP_SECONDS up to one deadline.

/** Seconds one wait step polls at most: under aws:executeScript's 600-second maximum, with room for its calls. */
export const WAIT_STEP_SECONDS = 540;
/** aws:executeScript's maximum duration per step (seconds). */
export const EXECUTE_SCRIPT_MAX_SECONDS = 600;

const FIND_STARTED = `def started_by(ec2, event, states):
    found = []
    filters = [
        {"Name": "tag:" + event["TagKey"], "Values": [event["PatchGroup"]]},
        {"Name": "tag:${STARTED_BY_WINDOW_TAG}", "Values": [event["WindowExecutionId"]]},
        {"Name": "instance-state-name", "Values": states},
    ]
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page["Reservations"]:
            found += [i["InstanceId"] for i in reservation["Instances"]]
    return found
`;

const START_SCRIPT = `import time
import boto3

${FIND_STARTED}
def handler(event, context):
    ec2 = boto3.client("ec2")
    stopped = []
    filters = [{"Name": "tag:" + event["TagKey"], "Values": [event["PatchGroup"]]}, {"Name": "instance-state-name", "Values": ["stopped"]}]
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page["Reservations"]:
            stopped += [i["InstanceId"] for i in reservation["Instances"]]
    failed = []
    for instance in stopped:
        # Tagged first: the stop task stops only what carries this window execution's id.
        ec2.create_tags(Resources=[instance], Tags=[{"Key": "${STARTED_BY_WINDOW_TAG}", "Value": event["WindowExecutionId"]}])
        try:
            ec2.start_instances(InstanceIds=[instance])
        except Exception as e:
            print("could not start " + instance + ": " + str(e))
            ec2.delete_tags(Resources=[instance], Tags=[{"Key": "${STARTED_BY_WINDOW_TAG}"}])
            failed.append(instance)
    deadline = int(time.time()) + 60 * int(event["TimeoutMinutes"])
    return {"started": len(stopped) - len(failed), "failed": ",".join(failed) or "none", "deadline": deadline}
`;

/** One wait step: polls until every instance this execution started runs with its agent Online, or its time is up. */
const waitScript = (last: boolean) => `import time
import boto3

${FIND_STARTED}
def offline(ec2, ssm, event):
    started = started_by(ec2, event, ["pending", "running", "stopping", "stopped"])
    running = set(started_by(ec2, event, ["running"]))
    online = set()
    for i in range(0, len(started), 40):
        chunk = started[i:i + 40]
        for page in ssm.get_paginator("describe_instance_information").paginate(Filters=[{"Key": "InstanceIds", "Values": chunk}]):
            online |= {n["InstanceId"] for n in page["InstanceInformationList"] if n["PingStatus"] == "Online"}
    return [i for i in started if i not in running or i not in online]

def handler(event, context):
    ec2 = boto3.client("ec2")
    ssm = boto3.client("ssm")
    until = min(int(event["Deadline"]), int(time.time()) + ${WAIT_STEP_SECONDS})
    waiting = offline(ec2, ssm, event)
    while waiting and time.time() < until:
        time.sleep(15)
        waiting = offline(ec2, ssm, event)
${
    last
        ? `    failed = [] if event["Failed"] == "none" else event["Failed"].split(",")
    if waiting or failed:
        raise Exception("not ready for the install: offline " + ",".join(waiting) + "; not started " + ",".join(failed))
    return {"online": True}
`
        : `    return {"online": not waiting, "waiting": len(waiting)}
`
}`;

const STOP_SCRIPT = `import boto3

${FIND_STARTED}
def handler(event, context):
    ec2 = boto3.client("ec2")
    # Only what this window execution started: a tag left by an earlier (cut-off) execution, or an
    # instance a person started, carries another id or none.
    running = started_by(ec2, event, ["pending", "running"])
    for instance in running:
        ec2.stop_instances(InstanceIds=[instance])
    for instance in started_by(ec2, event, ["pending", "running", "stopping", "stopped"]):
        ec2.delete_tags(Resources=[instance], Tags=[{"Key": "${STARTED_BY_WINDOW_TAG}"}])
    return {"stopped": len(running)}
`;

/** The parameters of the start and stop runbooks: the group (by its tag) and the window execution. */
const startStopParameters = (withTimeout: boolean) => ({
    TagKey: { type: "String", description: "The patch-group tag key (Patch Group or PatchGroup)." },
    PatchGroup: { type: "String", description: "The patch group (the tag's value) whose instances to start or stop." },
    WindowExecutionId: {
        type: "String",
        description: "The window execution (the task passes the WINDOW_EXECUTION_ID pseudo parameter): the tag's value on what it started.",
        allowedPattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    },
    ...(withTimeout
        ? {
              TimeoutMinutes: {
                  type: "String",
                  description: "Minutes to wait for the instances to run and their SSM Agent to be online.",
                  allowedPattern: "^[1-9][0-9]{0,2}$",
              },
          }
        : {}),
});

const scriptStep = (name: string, script: string, payload: Record<string, string>, extra: object = {}) => ({
    name,
    action: "aws:executeScript",
    timeoutSeconds: EXECUTE_SCRIPT_MAX_SECONDS,
    ...extra,
    inputs: { Runtime: "python3.11", Handler: "handler", InputPayload: payload, Script: script },
});

const GROUP_PAYLOAD = { TagKey: "{{TagKey}}", PatchGroup: "{{PatchGroup}}", WindowExecutionId: "{{WindowExecutionId}}" };

/**
 * The start runbook for a bound of `timeoutMinutes`: start the group's stopped instances (tagged with
 * the window execution's id), then wait steps of at most WAIT_STEP_SECONDS each, up to the deadline
 * the start step sets from TimeoutMinutes; the last fails the task when an instance is not ready.
 */
export function startRunbook(timeoutMinutes: number): object {
    const waits = Math.max(1, Math.ceil((timeoutMinutes * 60) / WAIT_STEP_SECONDS));
    return {
        schemaVersion: "0.3",
        description: `Starts a patch group's stopped instances for the window, tags them ${STARTED_BY_WINDOW_TAG} = the window execution's id, and waits until their SSM Agent is online.`,
        parameters: startStopParameters(true),
        mainSteps: [
            scriptStep(
                "startStoppedInstances",
                START_SCRIPT,
                { ...GROUP_PAYLOAD, TimeoutMinutes: "{{TimeoutMinutes}}" },
                {
                    outputs: [
                        { Name: "Deadline", Selector: "$.Payload.deadline", Type: "Integer" },
                        { Name: "Failed", Selector: "$.Payload.failed", Type: "String" },
                    ],
                },
            ),
            ...Array.from({ length: waits }, (_, i) =>
                scriptStep(`waitForAgentsOnline${i + 1}`, waitScript(i === waits - 1), {
                    ...GROUP_PAYLOAD,
                    Deadline: "{{startStoppedInstances.Deadline}}",
                    ...(i === waits - 1 ? { Failed: "{{startStoppedInstances.Failed}}" } : {}),
                }),
            ),
        ],
    };
}

export const STOP_RUNBOOK = {
    schemaVersion: "0.3",
    description: `Stops the patch group's instances that carry ${STARTED_BY_WINDOW_TAG} = this window execution's id (the start task of the same execution started them), and removes the tag.`,
    parameters: startStopParameters(false),
    mainSteps: [scriptStep("stopWhatThisExecutionStarted", STOP_SCRIPT, GROUP_PAYLOAD)],
};

/** Automation parameters of a group's start or stop task (targetless: the runbook finds the instances by tag). */
export function startStopTaskParameters(step: "start" | "stop", group: string, tagKey: string, timeoutMinutes: number): Parameter[] {
    return [
        { name: "TagKey", values: [tagKey] },
        { name: "PatchGroup", values: [group] },
        { name: "WindowExecutionId", values: [WINDOW_EXECUTION_ID] },
        ...(step === "start" ? [{ name: "TimeoutMinutes", values: [String(timeoutMinutes)] }] : []),
    ];
}

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
    readonly partition: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** The deployment's region. */
    readonly region: pulumi.Input<string>;
    /** Prefixes of the log bucket no role of the program may write (the fleet inputs, the data sync's). */
    readonly protectedPrefixes: readonly string[];
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
    /** The roles the rollback and Auto Scaling runbooks run as, when a group uses one of them. */
    readonly runbookRoles?: pulumi.Output<RunbookRoleArns>;

    constructor(name: string, args: PatchingStrategiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchingStrategies, name, {}, opts);
        const groups = args.groups;
        const used = new Set<"image" | InstallRunbook | "startStop">();
        for (const g of groups) {
            if (g.strategies.imageFirst) used.add("image");
            if (g.strategies.install !== "runPatchBaseline") used.add(g.strategies.install);
            if (g.strategies.startStopped) used.add("startStop");
        }
        const groupsUsing = (u: "image" | InstallRunbook | "startStop") =>
            groups
                .filter((g) =>
                    u === "image" ? g.strategies.imageFirst : u === "startStop" ? g.strategies.startStopped : g.strategies.install === u,
                )
                .map((g) => g.name);
        const scope = (p: string, accountId: string, bucket: string, roles?: RunbookRoleArns): StrategyScope => ({
            partition: p,
            accountId,
            patchGroupTagKey: args.patchGroupTagKey,
            groups: Object.fromEntries([...used].map((u) => [u, groupsUsing(u)])),
            startStopDocuments: [ssmName(args.namePrefix, "start-stopped"), ssmName(args.namePrefix, "stop-started")],
            ...runbookRoleScope(roles),
            logBucketName: bucket,
            protectedPrefixes: args.protectedPrefixes,
        });
        const context = pulumi.all([args.partition, args.accountId, args.logBucketName]);
        const lambdaRunbooks =
            used.has("rollback") || used.has("autoScaling") ? this.runbookRoleArns(name, used, context, scope, args) : undefined;
        const loadBalancer = used.has("loadBalancer") ? this.loadBalancerRoleArn(name, context, scope, args) : undefined;
        if (lambdaRunbooks || loadBalancer)
            this.runbookRoles = pulumi
                .all([lambdaRunbooks, loadBalancer])
                .apply(([roles, lb]) => ({ ...(roles ?? {}), ...(lb !== undefined ? { loadBalancer: lb } : {}) }));
        if (args.windowRoleName && strategyPermissions(used, scope("aws", "0", "")))
            new aws.iam.RolePolicy(
                `${name}-window-role`,
                {
                    role: args.windowRoleName,
                    policy: pulumi
                        .all([context, this.runbookRoles, args.region])
                        .apply(([[p, a, bucket], roles, region]) =>
                            JSON.stringify(strategyPermissions(used, { ...scope(p, a, bucket, roles), region })),
                        ),
                },
                { parent: this },
            );

        if (used.has("startStop")) {
            // A document's name is its id: a replacement must delete the old one first.
            const document = (suffix: string, runbook: object) =>
                new aws.ssm.Document(
                    `${name}-${suffix}`,
                    {
                        name: ssmName(args.namePrefix, suffix),
                        documentType: "Automation",
                        documentFormat: AUTOMATION_FORMAT,
                        content: automationContent(runbook),
                        tags: args.tags,
                    },
                    { parent: this, deleteBeforeReplace: true },
                ).name;
            const bound = Math.max(
                ...groups
                    .filter((g) => g.strategies.startStopped)
                    .map((g) => g.strategies.startTimeoutMinutes ?? START_TIMEOUT_MINUTES.default),
            );
            this.startStop = { start: document("start-stopped", startRunbook(bound)), stop: document("stop-started", STOP_RUNBOOK) };
        }

        // The reboot windows' own documents, one per platform a reboot window serves: what the window role may
        // send in place of AWS-RunShellScript / AWS-RunPowerShellScript (components/iam.ts windowCommandPolicy).
        const rebootDocuments = new Map<string, pulumi.Output<string>>();
        const rebootDocument = (operatingSystem: string) => {
            const reboot = rebootTask(operatingSystem);
            const existing = rebootDocuments.get(reboot.suffix);
            if (existing) return existing;
            const documentName = new aws.ssm.Document(
                `${name}-${reboot.suffix}`,
                {
                    name: rebootDocumentName(args.namePrefix, operatingSystem),
                    documentType: "Command",
                    documentFormat: "JSON",
                    content: JSON.stringify(reboot.content, null, 2),
                    tags: args.tags,
                },
                // A document's name is its id: a replacement must delete the old one first. A new content is a new
                // version made the default in place (UpdateDocument, UpdateDocumentDefaultVersion), which the tasks run.
                { parent: this, deleteBeforeReplace: true },
            ).name;
            rebootDocuments.set(reboot.suffix, documentName);
            return documentName;
        };

        const overridden = new Set(groups.filter((g) => g.strategies.baselineOverride).map((g) => g.baseline));
        for (const b of args.baselines.filter((x) => overridden.has(x.name))) {
            const key = baselineOverrideKey(b.name);
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
                        // Not only at a cron interval: SSM runs it when an instance becomes a target (first
                        // online, back after a missed run) and once when it is created. A scan also gets a
                        // daily schedule: with rate control, "targets beyond the limit wait for the next
                        // scheduled interval" (State Manager, CreateAssociation MaxConcurrency), which without
                        // a schedule never comes. An install gets none: it would patch and reboot outside windows.
                        ...(operation === "Scan" ? { scheduleExpression: ON_JOIN_SCAN_SCHEDULE } : {}),
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
            if (reboot) this.rebootWindows[g.name] = this.rebootWindow(name, g, reboot, args, rebootDocument(g.operatingSystem));
        }
        this.registerOutputs({ baselineOverrideUrls: this.baselineOverrideUrls });
    }

    /**
     * The role AWS-PatchInstanceWithRollback and AWS-PatchAsgInstance run as, and the role of the
     * Lambda functions they deploy: each the runbook's own, passed as its role parameters, so that
     * the window role needs no IAM write to let the runbook create a transient one.
     */
    private runbookRoleArns(
        name: string,
        used: ReadonlySet<"image" | InstallRunbook | "startStop">,
        context: pulumi.Output<[string, string, string]>,
        scope: (p: string, a: string, bucket: string, roles?: RunbookRoleArns) => StrategyScope,
        args: PatchingStrategiesArgs,
    ): pulumi.Output<RunbookRoleArns> {
        const role = (suffix: string, description: string, service: "ssm.amazonaws.com" | "lambda.amazonaws.com") =>
            new aws.iam.Role(
                `${name}-${suffix}`,
                {
                    description,
                    assumeRolePolicy: context.apply(([p, a]) =>
                        JSON.stringify(serviceTrust(service, a, service === "ssm.amazonaws.com" ? automationExecutions(p, a) : undefined)),
                    ),
                    tags: args.tags,
                },
                { parent: this },
            );
        const automation = role(
            "runbook",
            "Runs patch-manager's rollback and Auto Scaling patch runbooks (AutomationAssumeRole)",
            "ssm.amazonaws.com",
        );
        const lambda = role(
            "runbook-lambda",
            "The Lambda functions of patch-manager's rollback and Auto Scaling patch runbooks",
            "lambda.amazonaws.com",
        );
        const policies = [
            new aws.iam.RolePolicy(
                `${name}-runbook-policy`,
                {
                    role: automation.name,
                    policy: pulumi
                        .all([context, lambda.arn])
                        .apply(([[p, a, bucket], l]) =>
                            JSON.stringify(runbookRolePolicy(used, scope(p, a, bucket, { automation: "", lambda: l }))),
                        ),
                },
                { parent: this },
            ),
            new aws.iam.RolePolicy(
                `${name}-runbook-lambda-policy`,
                {
                    role: lambda.name,
                    policy: context.apply(([p, a, bucket]) => JSON.stringify(runbookLambdaPolicy(used, scope(p, a, bucket)))),
                },
                { parent: this },
            ),
        ];
        // A runbook started with a bare role fails at its first step.
        return pulumi.all([automation.arn, lambda.arn, ...policies.map((x) => x.id)]).apply(([a, l]) => ({ automation: a, lambda: l }));
    }

    /** The role AWSEC2-PatchLoadBalancerInstance runs as (AutomationAssumeRole), in place of the window role. */
    private loadBalancerRoleArn(
        name: string,
        context: pulumi.Output<[string, string, string]>,
        scope: (p: string, a: string, bucket: string) => StrategyScope,
        args: PatchingStrategiesArgs,
    ): pulumi.Output<string> {
        const role = new aws.iam.Role(
            `${name}-lb-runbook`,
            {
                description: "Runs patch-manager's load-balancer patch runbook, AWSEC2-PatchLoadBalancerInstance (AutomationAssumeRole)",
                assumeRolePolicy: context.apply(([p, a]) =>
                    JSON.stringify(serviceTrust("ssm.amazonaws.com", a, automationExecutions(p, a))),
                ),
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-lb-runbook-policy`,
            { role: role.name, policy: context.apply(([p, a, bucket]) => JSON.stringify(loadBalancerRunbookPolicy(scope(p, a, bucket)))) },
            { parent: this },
        );
        return pulumi.all([role.arn, policy.id]).apply(([arn]) => arn);
    }

    /** A window that reboots the group's instances (the agent's reboot exit code), then scans so compliance clears. */
    private rebootWindow(
        name: string,
        g: PatchGroupConfig,
        layout: WindowLayout,
        args: PatchingStrategiesArgs,
        rebootDocument: pulumi.Output<string>,
    ) {
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
        const steps: [string, pulumi.Input<string>, Parameter[], number][] = [
            ["reboot", rebootDocument, [{ name: REBOOT_DOCUMENT_PARAMETER, values: [WINDOW_EXECUTION_ID] }], 1],
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
