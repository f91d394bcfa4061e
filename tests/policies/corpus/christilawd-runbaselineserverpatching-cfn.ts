// ChristilawD/AWS_CloudFormation SystemsManager/Patching/RunBaselineServerPatching_cf.yaml: one window, one
// Patch Group target, one AWS-RunPatchBaseline task with a pinned document hash and SNS notifications.
import * as aws from "@pulumi/aws";
import { type CorpusEntry, taskWithoutOwnRole } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "ChristilawD/AWS_CloudFormation",
        path: "SystemsManager/Patching/RunBaselineServerPatching_cf.yaml",
        commit: "29a9864121762021d5b32be137ea557f767dac7d",
        url: "https://github.com/ChristilawD/AWS_CloudFormation/blob/29a9864121762021d5b32be137ea557f767dac7d/SystemsManager/Patching/RunBaselineServerPatching_cf.yaml",
        translation:
            "The template's three resources, parameters at their defaults: timezone US/Pacific, duration 3, cutoff 1, schedule " +
            "cron(0 0 20 ? 1/1 5#2 *), target key tag:Patch Group = UAT-Group-01-THU-Patches, priority 1, MaxConcurrency 50%, MaxErrors 25%. " +
            "Parameters without a default are given values following their labels and descriptions: window name " +
            "uat-group-01-thu-patches-window (lowercase, no spaces) with the description's sample 'Second THU of the month Windows Server " +
            "Patching'; target name uat-group-01-thu-patches-target with the sample 'UAT Server Patching'; task name " +
            "uat-group-01-thu-patches-runpatchbaseline; SNS topic arn:aws:sns:us-east-1:123456789012:patching-notifications; S3 bucket " +
            "example-patching-logs, prefix uat-group-01 (the template takes the topic and bucket as existing resources and does not create " +
            "them). AWS::SSM::MaintenanceWindow/Target/Task → aws.ssm.MaintenanceWindow/MaintenanceWindowTarget/MaintenanceWindowTask; " +
            "MaintenanceWindowRunCommandParameters → taskInvocationParameters.runCommandParameters (DocumentHash/DocumentHashType → " +
            "documentHash/documentHashType, NotificationConfig → notificationConfig, OutputS3BucketName/KeyPrefix → outputS3Bucket/" +
            "outputS3KeyPrefix). !Ref MaintenanceWindow / MaintenanceWindowTarget → window.id / target.id. CloudFormation logical IDs kept.",
    },
    expected: [
        taskWithoutOwnRole("MaintenanceWindowRunCommandTask"),
        {
            policy: "task-patch-document",
            resource: "MaintenanceWindowRunCommandTask",
            level: "mandatory",
            reason:
                "The task passes no Parameters at all, but AWS-RunPatchBaseline's Operation (Scan or Install) is required and has no default " +
                "(SSM User Guide, 'SSM Command document for patching: AWS-RunPatchBaseline', Parameter name: Operation, Usage: Required); " +
                "Run Command rejects the invocation, so the window never patches. Issue #23 keeps 'Operation missing on a patch task'.",
        },
        {
            policy: "task-notification-role",
            resource: "MaintenanceWindowRunCommandTask",
            level: "mandatory",
            reason:
                "NotificationConfig is set but MaintenanceWindowRunCommandParameters has no ServiceRoleArn; the service-linked role cannot " +
                "publish to SNS: the SSM User Guide ('Should I use a service-linked role or a custom service role to run maintenance window " +
                "tasks?') requires a custom service role to use Amazon SNS notifications for Run Command tasks. Issue #23 keeps this finding.",
        },
        {
            policy: "task-document-hash-unpinned",
            resource: "MaintenanceWindowRunCommandTask",
            level: "advisory",
            reason:
                "DocumentHash pins the SHA-256 of the 2019 version of the AWS-owned AWS-RunPatchBaseline (the template's own comment: 'tends " +
                "to not change ... unless it is updated by AWS'). DocumentHash is 'the SHA-256 or SHA-1 hash created by the system when the " +
                "document was created' (MaintenanceWindowRunCommandParameters / SendCommand API reference) and Run Command checks it against " +
                "the version it runs, so once AWS publishes a new default version of AWS-RunPatchBaseline the task fails until the hash is edited.",
        },
    ],
    rejected: [
        {
            policy: "window-well-formed",
            resource: "MaintenanceWindow",
            verdict: "false-positive",
            reason:
                "cron(0 0 20 ? 1/1 5#2 *) is the 7-field form with the optional leading Seconds field (SSM User Guide, 'Reference: Cron and " +
                "rate expressions for Systems Manager', Required fields: 'An additional field, the Seconds field (the first in a cron " +
                "expression), is optional'); 20:00 on the second Thursday of every month, US/Pacific. The template's README says it was " +
                "validated and tested with these defaults.",
        },
        {
            policy: "task-service-role",
            resource: "MaintenanceWindowRunCommandTask",
            verdict: "false-positive",
            reason:
                "No task-level ServiceRoleArn: SSM then uses the AWSServiceRoleForAmazonSSM service-linked role (AWS::SSM::MaintenanceWindowTask " +
                "ServiceRoleArn / RegisterTaskWithMaintenanceWindow). Issue #23: not a finding. (The SNS notification does need a role, which " +
                "task-notification-role reports.)",
        },
        {
            policy: "patch-group-coverage",
            resource: "MaintenanceWindowTarget",
            verdict: "false-positive",
            reason:
                "The template only schedules patching; the patch group UAT-Group-01-THU-Patches is registered with its baseline elsewhere " +
                "(the console or another stack). Issue #23: a patch group registered in one stack and targeted in another is not a finding.",
        },
    ],
    program: () => {
        const maintenanceWindow = new aws.ssm.MaintenanceWindow("MaintenanceWindow", {
            allowUnassociatedTargets: false,
            cutoff: 1,
            description: "Second THU of the month Windows Server Patching",
            duration: 3,
            name: "uat-group-01-thu-patches-window",
            schedule: "cron(0 0 20 ? 1/1 5#2 *)",
            scheduleTimezone: "US/Pacific",
        });
        const maintenanceWindowTarget = new aws.ssm.MaintenanceWindowTarget("MaintenanceWindowTarget", {
            name: "uat-group-01-thu-patches-target",
            description: "UAT Server Patching",
            windowId: maintenanceWindow.id,
            resourceType: "INSTANCE",
            targets: [{ key: "tag:Patch Group", values: ["UAT-Group-01-THU-Patches"] }],
        });
        new aws.ssm.MaintenanceWindowTask("MaintenanceWindowRunCommandTask", {
            windowId: maintenanceWindow.id,
            targets: [{ key: "WindowTargetIds", values: [maintenanceWindowTarget.id] }],
            taskArn: "AWS-RunPatchBaseline",
            taskType: "RUN_COMMAND",
            taskInvocationParameters: {
                runCommandParameters: {
                    documentHash: "945ae15356b0f6ba7bce2a738101b8822cedef3bf5c027abc3bb9023aaec8b1b",
                    documentHashType: "Sha256",
                    notificationConfig: {
                        notificationArn: "arn:aws:sns:us-east-1:123456789012:patching-notifications",
                        notificationEvents: ["All"],
                        notificationType: "Command",
                    },
                    outputS3Bucket: "example-patching-logs",
                    outputS3KeyPrefix: "uat-group-01",
                },
            },
            priority: 1,
            maxConcurrency: "50%",
            maxErrors: "25%",
            name: "uat-group-01-thu-patches-runpatchbaseline",
        });
        return {};
    },
};
