// Inputs shaped as the program registers them (see the brief's resource list), and a compliant
// production stack built from them. Each builder returns a fresh object, so tests can mutate it.

import { TYPES } from "@patch-manager/ssm";
import type { StackEntry } from "./harness";

export const ACCOUNT = "123456789012";
export const WINDOW_ID = "mw-0123456789abcdef0";
export const TARGET_ID = "5a1d7c2e-3f4b-4c6d-8e9f-0a1b2c3d4e5f";
export const BASELINE_ID = "pb-0123456789abcdef0";
export const BUCKET = "patch-logs-prod-1a2b3c4";
export const WINDOW_ROLE = "patch-window-role-1a2b3c4";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${WINDOW_ROLE}`;

export const PROD_TAGS = { Environment: "production", ManagedBy: "patch-manager", Stack: "prod" };

export function windowInputs(): Record<string, any> {
    return {
        name: "patch-manager-prod-web-server",
        description: "Web Server patching",
        schedule: "cron(0 23 ? * THU#1 *)",
        scheduleTimezone: "Europe/Amsterdam",
        duration: 6,
        cutoff: 1,
        allowUnassociatedTargets: false,
        enabled: true,
        tags: { ...PROD_TAGS },
    };
}

export function targetInputs(): Record<string, any> {
    return {
        windowId: WINDOW_ID,
        name: "web-server",
        description: "Instances tagged Patch Group = Web Server",
        resourceType: "INSTANCE",
        targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
    };
}

export function taskInputs(): Record<string, any> {
    return {
        windowId: WINDOW_ID,
        name: "web-server-install",
        description: "Install approved patches",
        taskType: "RUN_COMMAND",
        taskArn: "AWS-RunPatchBaseline",
        serviceRoleArn: ROLE_ARN,
        priority: 1,
        maxConcurrency: "10%",
        maxErrors: "5%",
        cutoffBehavior: "CONTINUE_TASK",
        targets: [{ key: "WindowTargetIds", values: [TARGET_ID] }],
        taskInvocationParameters: {
            runCommandParameters: {
                documentVersion: "$DEFAULT",
                timeoutSeconds: 3600,
                comment: "Patch Web Server",
                outputS3Bucket: BUCKET,
                outputS3KeyPrefix: "patching/production/web-server/install",
                parameters: [
                    { name: "Operation", values: ["Install"] },
                    { name: "RebootOption", values: ["RebootIfNeeded"] },
                ],
            },
        },
    };
}

export function baselineInputs(): Record<string, any> {
    return {
        name: "patch-manager-prod-windows",
        description: "Windows security updates",
        operatingSystem: "WINDOWS",
        approvalRules: [
            {
                approveAfterDays: 7,
                complianceLevel: "CRITICAL",
                enableNonSecurity: false,
                patchFilters: [
                    { key: "CLASSIFICATION", values: ["SecurityUpdates", "CriticalUpdates"] },
                    { key: "MSRC_SEVERITY", values: ["Critical", "Important"] },
                ],
            },
        ],
        approvedPatches: [],
        rejectedPatches: [],
        rejectedPatchesAction: "BLOCK",
        approvedPatchesComplianceLevel: "HIGH",
        tags: { ...PROD_TAGS },
    };
}

export function windowTrustPolicy(): Record<string, any> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                    ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${ACCOUNT}:*` },
                },
            },
        ],
    };
}

export function instanceTrustPolicy(): Record<string, any> {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

export function sseInputs(bucket = BUCKET): Record<string, any> {
    return { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] };
}

export function publicAccessBlockInputs(bucket = BUCKET): Record<string, any> {
    return { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
}

/** A compliant production stack as stack policies see it: outputs = inputs + ids/ARNs. */
export function prodStack(): StackEntry[] {
    return [
        { type: TYPES.stack, name: "patch-manager-prod", props: {} },
        {
            type: TYPES.window,
            name: "web-server-window",
            props: { ...windowInputs(), id: WINDOW_ID, arn: `arn:aws:ssm:eu-west-1:${ACCOUNT}:maintenancewindow/${WINDOW_ID}` },
        },
        { type: TYPES.windowTarget, name: "web-server-target", props: { ...targetInputs(), id: TARGET_ID } },
        { type: TYPES.windowTask, name: "web-server-task", props: { ...taskInputs(), id: "7b2e8d4f-1a3c-4e5b-9d7f-2c4e6a8b0d1f" } },
        { type: TYPES.patchBaseline, name: "windows-baseline", props: { ...baselineInputs(), id: BASELINE_ID } },
        {
            type: TYPES.patchGroup,
            name: "web-server-group",
            props: { baselineId: BASELINE_ID, patchGroup: "Web Server", id: `${BASELINE_ID},Web Server` },
            deleteBeforeReplace: true,
        },
        {
            type: TYPES.role,
            name: "window-role",
            props: { name: WINDOW_ROLE, assumeRolePolicy: JSON.stringify(windowTrustPolicy()), arn: ROLE_ARN, id: WINDOW_ROLE },
            deleteBeforeReplace: true,
        },
        {
            type: TYPES.rolePolicyAttachment,
            name: "window-role-policy",
            props: { role: WINDOW_ROLE, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole" },
        },
        {
            type: TYPES.role,
            name: "instance-role",
            props: {
                name: "patch-instance-role",
                assumeRolePolicy: JSON.stringify(instanceTrustPolicy()),
                arn: `arn:aws:iam::${ACCOUNT}:role/patch-instance-role`,
                id: "patch-instance-role",
            },
        },
        { type: TYPES.bucket, name: "logs", props: { bucketPrefix: "patch-logs-prod-", bucket: BUCKET, id: BUCKET, forceDestroy: false } },
        { type: TYPES.bucketSse, name: "logs-encryption", props: { ...sseInputs(), id: BUCKET } },
        { type: TYPES.bucketPublicAccessBlock, name: "logs-public-access", props: { ...publicAccessBlockInputs(), id: BUCKET } },
    ];
}

export function entry(stack: StackEntry[], name: string): StackEntry {
    const found = stack.find((e) => e.name === name);
    if (!found) throw new Error(`no entry ${name}`);
    return found;
}
