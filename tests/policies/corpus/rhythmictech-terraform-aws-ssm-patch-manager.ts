// rhythmictech/terraform-aws-ssm-patch-manager: AWS's default baselines registered as patch groups
// named after each OS, a scan window and an install window over all ten platforms.
import * as aws from "@pulumi/aws";
import { type CorpusEntry, taskWithoutOwnRole } from "./types";

/** data "aws_ssm_patch_baseline" "this" (owner AWS, default_baseline true), inlined for us-east-1. */
const AWS_DEFAULT_BASELINES: Readonly<Record<string, string>> = {
    AMAZON_LINUX_2: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0be8c61cde3be63f3",
    AMAZON_LINUX: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c10e657807c7a700",
    CENTOS: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-03e3f588eec25344c",
    ORACLE_LINUX: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-06bff38e95fe85c02",
    SUSE: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-07d8884178197b66b",
    WINDOWS: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-09ca3fb51f0412ec3",
    DEBIAN: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-09a5f8eb62bde80b1",
    UBUNTU: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c7e89f711c3095f4",
    REDHAT_ENTERPRISE_LINUX: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0cbb3a633de00f07c",
    MACOS: "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0ee4f94581368c0d4",
};

export const entry: CorpusEntry = {
    source: {
        repository: "rhythmictech/terraform-aws-ssm-patch-manager",
        path: "main.tf, variables.tf, examples/basic/main.tf",
        commit: "5902611fa2f561ec200a6eab8bd7ea830af2240f",
        url: "https://github.com/rhythmictech/terraform-aws-ssm-patch-manager/tree/5902611fa2f561ec200a6eab8bd7ea830af2240f",
        translation:
            "The module at its latest commit (after tag v1.4.1) with examples/basic's inputs: log_bucket = var.log_bucket (default null, so no " +
            'output_s3_bucket) and tags = var.tags (no default in the example; the module\'s own default {terraform_managed = "True"} is used). ' +
            "scan_schedule and install_schedule are required and neither the example nor the README sets them: the module's first commit " +
            "(27f56f53e16e3c8a3009f6d17aac830084955b2c, 'init') hard-coded cron(0 06 * * ? *) for the scan window and cron(0 22 * * ? *) for the " +
            "install window, and those are used. Every other variable takes its default: name patch-manager, schedule_timezone UTC, scan " +
            "duration 4 / cutoff 1, install duration 3 / cutoff 1, max_scan_concurrency 20 / max_scan_errors 20, max_install_concurrency 2 / " +
            "max_install_errors 2, no notification or CloudWatch configs, notification role arns null, service_role_arn null, and all ten " +
            "platforms. for_each over the platforms is expanded as <name>-<PLATFORM> (e.g. patchgroup-AMAZON_LINUX_2, scan-WINDOWS). " +
            "The data source aws_ssm_patch_baseline (owner AWS, name_prefix AWS-, default_baseline true) is inlined as the ARNs of AWS's " +
            "default baselines in us-east-1 (owner account 075727635805) as published in the SSM docs' Quick Setup example and public " +
            "get-patch-baseline scripts.",
    },
    expected: [
        taskWithoutOwnRole("scan"),
        taskWithoutOwnRole("install"),
        ...Object.keys(AWS_DEFAULT_BASELINES).map((os) => ({
            policy: "replacement-deletes-first",
            resource: `patchgroup-${os}`,
            level: "mandatory" as const,
            reason:
                `replacement: aws.ssm.PatchGroup has no Update. In the module baseline_id comes from a lookup of AWS's predefined default ` +
                `baseline for ${os} (owner AWS, default_baseline true), so it changes whenever AWS makes another predefined baseline the ` +
                `default for ${os}; the replacement is created ` +
                `before the old registration of patch group ${os} is deleted, and RegisterPatchBaselineForPatchGroup refuses a group already ` +
                `registered for that OS (AlreadyExistsException, SSM API reference). Pulumi replaces create-first by default.`,
        })),
        {
            policy: "task-output-to-s3",
            resource: "scan",
            level: "advisory",
            reason:
                "log_bucket defaults to null, so the task keeps no output outside SSM: GetCommandInvocation returns only 'the first 24,000 " +
                "characters written by the plugin to stdout' (SSM API reference, StandardOutputContent) and StandardOutputUrl is empty 'if the " +
                "S3 bucket for the command wasn't specified'. The output_s3_key_prefix the module sets is then useless.",
        },
        {
            policy: "task-output-to-s3",
            resource: "install",
            level: "advisory",
            reason:
                "As for scan: without output_s3_bucket the install's per-node output is truncated to 24,000 characters (GetCommandInvocation " +
                "StandardOutputContent) and there is no S3 copy to investigate a failed install.",
        },
    ],
    rejected: [
        {
            policy: "task-service-role",
            resource: "scan",
            verdict: "false-positive",
            reason:
                "service_role_arn defaults to null. RegisterTaskWithMaintenanceWindow (ServiceRoleArn): 'If you do not specify a service role " +
                "ARN, Systems Manager uses a service-linked role in your account'. Issue #23: no task-level service role is not a finding.",
        },
        {
            policy: "task-service-role",
            resource: "install",
            verdict: "false-positive",
            reason:
                "As for scan: SSM falls back to the AWSServiceRoleForAmazonSSM service-linked role (RegisterTaskWithMaintenanceWindow API " +
                "reference). Issue #23: not a finding.",
        },
        {
            policy: "task-reboot-if-needed",
            resource: "install",
            verdict: "noise",
            reason:
                "The task sets only Operation=Install; AWS-RunPatchBaseline's RebootOption parameter defaults to RebootIfNeeded (SSM User Guide, " +
                "'SSM Command document for patching: AWS-RunPatchBaseline', Parameter name: RebootOption), so the nodes reboot inside the " +
                "window as the rule wants. Issue #23: no explicit RebootOption is not a finding.",
        },
    ],
    program: () => {
        const platforms = Object.keys(AWS_DEFAULT_BASELINES);
        const tags = { terraform_managed: "True" };
        for (const os of platforms) {
            new aws.ssm.PatchGroup(`patchgroup-${os}`, { baselineId: AWS_DEFAULT_BASELINES[os], patchGroup: os });
        }
        const scan = new aws.ssm.MaintenanceWindow("scan", {
            name: "scan-patch-manager",
            cutoff: 1,
            description: "Maintenance window for scanning for patch compliance",
            duration: 4,
            schedule: "cron(0 06 * * ? *)",
            scheduleTimezone: "UTC",
            tags,
        });
        const install = new aws.ssm.MaintenanceWindow("install", {
            name: "install-patch-manager",
            cutoff: 1,
            description: "Maintenance window for applying patches",
            duration: 3,
            schedule: "cron(0 22 * * ? *)",
            scheduleTimezone: "UTC",
            tags,
        });
        const scanTargets = platforms.map(
            (os) =>
                new aws.ssm.MaintenanceWindowTarget(`scan-${os}`, {
                    windowId: scan.id,
                    resourceType: "INSTANCE",
                    targets: [{ key: "tag:Patch Group", values: [os] }],
                }),
        );
        new aws.ssm.MaintenanceWindowTask("scan", {
            maxConcurrency: "20",
            maxErrors: "20",
            priority: 1,
            taskType: "RUN_COMMAND",
            taskArn: "AWS-RunPatchBaseline",
            windowId: scan.id,
            targets: [{ key: "WindowTargetIds", values: scanTargets.map((t) => t.id) }],
            taskInvocationParameters: {
                runCommandParameters: {
                    comment: "Runs a compliance scan",
                    outputS3KeyPrefix: "/patch_manager/scan/",
                    timeoutSeconds: 120,
                    parameters: [{ name: "Operation", values: ["Scan"] }],
                },
            },
        });
        const installTargets = platforms.map(
            (os) =>
                new aws.ssm.MaintenanceWindowTarget(`install-${os}`, {
                    windowId: install.id,
                    resourceType: "INSTANCE",
                    targets: [{ key: "tag:Patch Group", values: [os] }],
                }),
        );
        new aws.ssm.MaintenanceWindowTask("install", {
            maxConcurrency: "2",
            maxErrors: "2",
            priority: 1,
            taskType: "RUN_COMMAND",
            taskArn: "AWS-RunPatchBaseline",
            windowId: install.id,
            targets: [{ key: "WindowTargetIds", values: installTargets.map((t) => t.id) }],
            taskInvocationParameters: {
                runCommandParameters: {
                    comment: "Installs necessary patches",
                    outputS3KeyPrefix: "/patch_manager/install/",
                    timeoutSeconds: 120,
                    parameters: [{ name: "Operation", values: ["Install"] }],
                },
            },
        });
        return {};
    },
};
