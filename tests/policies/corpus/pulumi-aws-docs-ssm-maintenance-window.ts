// pulumi-aws docs: the aws.ssm.MaintenanceWindow example, the two aws.ssm.MaintenanceWindowTarget examples
// (an instance target by tag, a resource-group target) and the four aws.ssm.MaintenanceWindowTask examples
// (Automation, Lambda, Run Command, Step Functions), as one stack.
import * as aws from "@pulumi/aws";
import type { CorpusEntry, RejectedFinding } from "./types";

const NO_TIMEZONE =
    "The only complaint is the missing scheduleTimezone: CreateMaintenanceWindow's ScheduleTimezone is optional and without it the " +
    "cron runs in UTC (SSM User Guide, 'Schedule expressions'; provider docs: schedule_timezone optional); duration 3, cutoff 1 and " +
    "cron(0 16 ? * TUE *) are valid. Issue #23: no scheduleTimezone is not a finding.";

const NO_TASK =
    "The window has no task, so it runs nothing and is not a patch window (issue #23: windows and targets without a patch task are " +
    "not patch windows). An empty window is valid in SSM (CreateMaintenanceWindow takes no task; tasks are registered separately with " +
    "RegisterTaskWithMaintenanceWindow) and acts on no node: no AWS or provider doc calls it wrong or risky.";

const SERVICE_LINKED_ROLE =
    'RegisterTaskWithMaintenanceWindow API reference (ServiceRoleArn): "If you do not specify a service role ARN, Systems Manager ' +
    'uses a service-linked role in your account" (AWSServiceRoleForAmazonSSM, created on registration if missing); the provider ' +
    "documents service_role_arn as optional. Issue #23: no task-level service role is not a finding.";

const SSM_PREFIX_CAVEAT =
    " (Caveat, not reportable from the inputs: the SSM User Guide, 'Should I use a service-linked role or a custom service role to " +
    "run maintenance window tasks?', advises a custom role when a task needs permissions the service-linked role lacks, e.g. " +
    "runbooks acting on other services; the service-linked role's AmazonSSMServiceRolePolicy scopes Lambda/Step Functions access to " +
    "SSM-prefixed names. Whether that bites depends on resources the docs leave undeclared.)";

const rejected: RejectedFinding[] = [
    ...["production", "window", "window-resource-group", "example"].map((resource): RejectedFinding => ({
        policy: "window-well-formed",
        resource,
        verdict: "noise",
        reason: NO_TIMEZONE,
    })),
    ...["production", "window", "window-resource-group"].map((resource): RejectedFinding => ({
        policy: "window-has-task",
        resource,
        verdict: "false-positive",
        reason: NO_TASK,
    })),
    {
        policy: "window-target-patch-group-tag",
        resource: "target1",
        verdict: "false-positive",
        reason:
            "tag:Name is a valid target key (RegisterTargetWithMaintenanceWindow, Targets, Example 2: Key=tag:<my-tag-key>). The window " +
            "registers no patch task, so it is not a patch window and nothing asks for the Patch Group tag (issue #23: windows and " +
            "targets without a patch task are not patch windows).",
    },
    {
        policy: "window-target-patch-group-tag",
        resource: "target1-resource-group",
        verdict: "false-positive",
        reason:
            "Key=resource-groups:ResourceTypeFilters with ResourceType RESOURCE_GROUP is a documented target form " +
            "(RegisterTargetWithMaintenanceWindow, Targets, Example 5: 'Use filters for resource group types'); issue #23: targeting by " +
            "resource groups is not a finding. The window has no patch task anyway.",
    },
    {
        policy: "task-service-role",
        resource: "example-automation",
        verdict: "false-positive",
        reason: SERVICE_LINKED_ROLE + SSM_PREFIX_CAVEAT,
    },
    { policy: "task-service-role", resource: "example-lambda", verdict: "false-positive", reason: SERVICE_LINKED_ROLE + SSM_PREFIX_CAVEAT },
    {
        policy: "task-service-role",
        resource: "example-run-command",
        verdict: "false-positive",
        reason:
            SERVICE_LINKED_ROLE +
            " The message's hint is right that runCommandParameters.serviceRoleArn is the SNS notification role (it is set, beside " +
            "notificationConfig, so task-notification-role rightly stays quiet), but that does not make a task-level role necessary.",
    },
    {
        policy: "task-service-role",
        resource: "example-step-functions",
        verdict: "false-positive",
        reason: SERVICE_LINKED_ROLE + SSM_PREFIX_CAVEAT,
    },
];

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/pulumi-aws (docs)",
        path: "sdk/nodejs/ssm/maintenanceWindow.ts, sdk/nodejs/ssm/maintenanceWindowTarget.ts, sdk/nodejs/ssm/maintenanceWindowTask.ts (JSDoc examples)",
        commit: "v7.48.0",
        url: "https://github.com/pulumi/pulumi-aws/blob/v7.48.0/sdk/nodejs/ssm/maintenanceWindowTask.ts",
        translation:
            "The TypeScript examples as published in @pulumi/aws@7.48.0 (ssm/maintenanceWindow.d.ts, ssm/maintenanceWindowTarget.d.ts, " +
            "ssm/maintenanceWindowTask.d.ts: the JSDoc generated from sdk/nodejs/ssm/*.ts at v7.48.0), every input kept. " +
            "MaintenanceWindow page: window `production`. MaintenanceWindowTarget page, 'Instance Target': window `window` and target " +
            "`target1`; 'Resource Group Target' reuses those logical names, here window-resource-group and target1-resource-group. " +
            "MaintenanceWindowTask page: the four examples are all `example`, here example-automation, example-lambda, " +
            "example-run-command and example-step-functions. The task examples refer to resources they do not declare: " +
            "exampleAwsSsmMaintenanceWindow is declared as window `example` with the MaintenanceWindow page's example values " +
            "(maintenance-window-application, cron(0 16 ? * TUE *), duration 3, cutoff 1) and referenced as `example.id`; the others are " +
            "realistic literals (instance i-0123456789abcdef0; SNS topic, IAM role, Lambda function and Step Functions activity ARNs in " +
            "account 123456789012, us-east-1; bucket example-ssm-command-output). The Lambda example's std.base64encode of the client " +
            "context is written as its result (eyJrZXkxIjoidmFsdWUxIn0=). As in the docs, the Step Functions task's taskArn is an " +
            "activity ARN (aws_sfn_activity.example.id) although the API wants a state machine ARN for STEP_FUNCTIONS tasks; kept.",
    },
    expected: [],
    rejected,
    program: () => {
        // MaintenanceWindow page.
        new aws.ssm.MaintenanceWindow("production", {
            name: "maintenance-window-application",
            schedule: "cron(0 16 ? * TUE *)",
            duration: 3,
            cutoff: 1,
        });

        // MaintenanceWindowTarget page: Instance Target.
        const window = new aws.ssm.MaintenanceWindow("window", {
            name: "maintenance-window-webapp",
            schedule: "cron(0 16 ? * TUE *)",
            duration: 3,
            cutoff: 1,
        });
        new aws.ssm.MaintenanceWindowTarget("target1", {
            targets: [{ key: "tag:Name", values: ["acceptance_test"] }],
            windowId: window.id,
            name: "maintenance-window-target",
            description: "This is a maintenance window target",
            resourceType: "INSTANCE",
        });

        // MaintenanceWindowTarget page: Resource Group Target.
        const windowResourceGroup = new aws.ssm.MaintenanceWindow("window-resource-group", {
            name: "maintenance-window-webapp",
            schedule: "cron(0 16 ? * TUE *)",
            duration: 3,
            cutoff: 1,
        });
        new aws.ssm.MaintenanceWindowTarget("target1-resource-group", {
            targets: [{ key: "resource-groups:ResourceTypeFilters", values: ["AWS::EC2::Instance"] }],
            windowId: windowResourceGroup.id,
            name: "maintenance-window-target",
            description: "This is a maintenance window target",
            resourceType: "RESOURCE_GROUP",
        });

        // MaintenanceWindowTask page: the window and instance the examples refer to.
        const instanceId = "i-0123456789abcdef0";
        const example = new aws.ssm.MaintenanceWindow("example", {
            name: "maintenance-window-application",
            schedule: "cron(0 16 ? * TUE *)",
            duration: 3,
            cutoff: 1,
        });
        new aws.ssm.MaintenanceWindowTask("example-automation", {
            taskInvocationParameters: {
                automationParameters: {
                    parameters: [{ name: "InstanceId", values: [instanceId] }],
                    documentVersion: "$LATEST",
                },
            },
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            maxConcurrency: "2",
            maxErrors: "1",
            priority: 1,
            taskArn: "AWS-RestartEC2Instance",
            taskType: "AUTOMATION",
            windowId: example.id,
        });
        new aws.ssm.MaintenanceWindowTask("example-lambda", {
            taskInvocationParameters: {
                lambdaParameters: {
                    clientContext: "eyJrZXkxIjoidmFsdWUxIn0=",
                    payload: '{"key1":"value1"}',
                },
            },
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            maxConcurrency: "2",
            maxErrors: "1",
            priority: 1,
            taskArn: "arn:aws:lambda:us-east-1:123456789012:function:example",
            taskType: "LAMBDA",
            windowId: example.id,
        });
        new aws.ssm.MaintenanceWindowTask("example-run-command", {
            taskInvocationParameters: {
                runCommandParameters: {
                    notificationConfig: {
                        notificationArn: "arn:aws:sns:us-east-1:123456789012:example",
                        notificationEvents: ["All"],
                        notificationType: "Command",
                    },
                    parameters: [{ name: "commands", values: ["date"] }],
                    outputS3Bucket: "example-ssm-command-output",
                    outputS3KeyPrefix: "output",
                    serviceRoleArn: "arn:aws:iam::123456789012:role/example",
                    timeoutSeconds: 600,
                },
            },
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            maxConcurrency: "2",
            maxErrors: "1",
            priority: 1,
            taskArn: "AWS-RunShellScript",
            taskType: "RUN_COMMAND",
            windowId: example.id,
        });
        new aws.ssm.MaintenanceWindowTask("example-step-functions", {
            taskInvocationParameters: {
                stepFunctionsParameters: {
                    input: '{"key1":"value1"}',
                    name: "example",
                },
            },
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            maxConcurrency: "2",
            maxErrors: "1",
            priority: 1,
            taskArn: "arn:aws:states:us-east-1:123456789012:activity:example",
            taskType: "STEP_FUNCTIONS",
            windowId: example.id,
        });
        return {};
    },
};
