// cloudposse/terraform-aws-ssm-patch-manager: a scan window and an install window, one custom
// Amazon Linux 2 baseline registered for both patch groups, and a log bucket (cloudposse/s3-bucket).
import * as aws from "@pulumi/aws";
import { type CorpusEntry, taskWithoutOwnRole } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "cloudposse/terraform-aws-ssm-patch-manager",
        path: "main.tf, ssm_log_bucket.tf, variables.tf, examples/complete/main.tf, examples/complete/fixtures.us-east-2.tfvars",
        commit: "14fb00bfc61b5b97239ad7f25be522d6fc4989f1",
        url: "https://github.com/cloudposse/terraform-aws-ssm-patch-manager/tree/14fb00bfc61b5b97239ad7f25be522d6fc4989f1",
        translation:
            "The module as examples/complete calls it: only `context` is passed, so every module variable takes its default " +
            "(scan window cron(0 0 18 ? * WED *), install window cron(0 0 21 ? * WED *), both duration 3 / cutoff 1; max_concurrency 20, " +
            "max_errors 50 (numbers, written as strings); reboot_option RebootIfNeeded; scan_patch_groups [TOSCAN], install_patch_groups [TOPATCH]; " +
            "operating_system AMAZON_LINUX_2 with the default approval rule; no notifications, no CloudWatch output, S3 output on; " +
            "service_role_arn null). The context comes from fixtures.us-east-2.tfvars (namespace eg, environment ue2, stage test, name ssm-patch), " +
            "so module.this.id is eg-ue2-test-ssm-patch (the terratest's random extra attribute is left out, to stay deterministic) and the cloudposse/label tags are Name/Namespace/Environment/Stage. " +
            "`count = 1` resources keep their logical names without the [0]; the two aws_ssm_patch_group counts are expanded as " +
            'install_patchgroup / scan_patchgroup (one element each). sns_notification_role_arn defaults to "", which the Terraform provider ' +
            'treats as unset, so runCommandParameters.serviceRoleArn is left out; kms_master_key_id "" likewise. ' +
            "The nested cloudposse/s3-bucket 4.0.1 module (ssm_patch_log_s3_bucket, read at tag 4.0.1 = eaaee29ff71fc1d4be9bf247aa0ac2665cdb1ba2) " +
            "is expanded into what it creates with the inputs the module gives it (acl private, versioning on, source_policy_documents = the " +
            "bucket policy, every other input its default: AES256, public access block all true, ownership ObjectWriter, no lifecycle rules); " +
            "its logical names are the nested module's (default), prefixed ssm_patch_log_s3_bucket-. Its time_sleep is left out. " +
            "data.aws_caller_identity / aws_partition are inlined as account 123456789012, partition aws; the aws_iam_policy_document is inlined " +
            "as the JSON the cloudposse aggregated_policy would produce (the module's document overrides the empty base document). " +
            "examples/complete also creates a VPC, subnets and an EC2 instance tagged Patch Group=TOPATCH (cloudposse/ec2-instance); " +
            "they are not part of this module and are left out.",
    },
    expected: [
        taskWithoutOwnRole("task_scan_patches"),
        taskWithoutOwnRole("task_install_patches"),
        {
            policy: "replacement-deletes-first",
            resource: "install_patchgroup",
            level: "mandatory",
            reason:
                "replacement: aws.ssm.PatchGroup has no Update (patch_group and baseline_id are both ForceNew in the provider). Moving TOPATCH " +
                "to another Amazon Linux 2 baseline (a new baseline resource, or an existing baseline id) replaces the registration " +
                "create-first: RegisterPatchBaselineForPatchGroup for TOPATCH is called while TOPATCH is still registered for AMAZON_LINUX_2, " +
                "and SSM refuses a second registration of a group for the same OS (AlreadyExistsException, SSM API reference), so the " +
                "update fails half way. Terraform replaces destroy-first; Pulumi replaces create-first unless deleteBeforeReplace is set.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "scan_patchgroup",
            level: "mandatory",
            reason:
                "replacement: as for install_patchgroup, for TOSCAN: moving the group to another baseline of the same OS replaces the " +
                "registration create-first, and RegisterPatchBaselineForPatchGroup refuses a second registration of the group for that OS " +
                "(AlreadyExistsException).",
        },
    ],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "ssm_patch_log_s3_bucket-default",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "window-well-formed",
            resource: "scan_window",
            verdict: "false-positive",
            reason:
                "cron(0 0 18 ? * WED *) is the 7-field form with a leading Seconds field. The SSM User Guide, 'Reference: Cron and rate " +
                "expressions for Systems Manager' (Required fields): maintenance-window crons have six required fields and 'An additional field, " +
                "the Seconds field (the first in a cron expression), is optional'; earlier versions of the same page used cron(0 30 23 ? * TUE#3 *) " +
                "(seconds 0) as the maintenance-window example. The module's terratest (test/src/examples_complete_test.go) applies these " +
                "defaults. Nothing in the reference forbids 0 seconds; the window starts Wednesdays 18:00 UTC.",
        },
        {
            policy: "window-well-formed",
            resource: "scan_window",
            verdict: "noise",
            reason:
                "No scheduleTimezone: CreateMaintenanceWindow's ScheduleTimezone is optional and the cron then runs in UTC (SSM User Guide, " +
                "'Maintenance window scheduling and active period options'). Issue #23: not a finding.",
        },
        {
            policy: "window-well-formed",
            resource: "install_window",
            verdict: "false-positive",
            reason:
                "cron(0 0 21 ? * WED *): the optional leading Seconds field ('Reference: Cron and rate expressions for Systems Manager', " +
                "Required fields: 'An additional field, the Seconds field (the first in a cron expression), is optional'). Valid; Wednesdays 21:00 UTC.",
        },
        {
            policy: "window-well-formed",
            resource: "install_window",
            verdict: "noise",
            reason: "No scheduleTimezone: optional, the window then runs in UTC (SSM User Guide, maintenance window scheduling options). Issue #23: not a finding.",
        },
        {
            policy: "task-service-role",
            resource: "task_scan_patches",
            verdict: "false-positive",
            reason:
                "service_role_arn defaults to null (the module's own variable description says so). RegisterTaskWithMaintenanceWindow " +
                "(ServiceRoleArn): 'If you do not specify a service role ARN, Systems Manager uses a service-linked role in your account'. " +
                "Issue #23: no task-level service role is not a finding.",
        },
        {
            policy: "task-service-role",
            resource: "task_install_patches",
            verdict: "false-positive",
            reason:
                "As for task_scan_patches: without ServiceRoleArn SSM uses the AWSServiceRoleForAmazonSSM service-linked role " +
                "(RegisterTaskWithMaintenanceWindow API reference). Issue #23: not a finding.",
        },
        ...[
            ["BucketPublicAccessBlock", "no ForceNew input besides bucket"],
            ["BucketServerSideEncryptionConfiguration", "expected_bucket_owner is its other ForceNew input and is not set"],
            ["BucketPolicy", "policy is updated in place"],
            ["BucketOwnershipControls", "rule is updated in place"],
        ].map(([type, why]) => ({
            policy: "replacement-deletes-first",
            resource: "ssm_patch_log_s3_bucket-default",
            verdict: "replacement-only" as const,
            reason:
                `The ${type} is keyed by its bucket, and ${why} (provider source), so it is replaced only when bucket changes, and the ` +
                `replacement then configures another bucket: no collision. (Reported against the ${type} of that name, not the bucket.)`,
        })),
    ],
    program: () => {
        const id = "eg-ue2-test-ssm-patch";
        const tags = { Name: id, Namespace: "eg", Environment: "ue2", Stage: "test" };
        const accountId = "123456789012";

        // ssm_log_bucket.tf → module "ssm_patch_log_s3_bucket" (cloudposse/s3-bucket 4.0.1)
        const bucket = new aws.s3.Bucket("ssm_patch_log_s3_bucket-default", {
            bucket: id,
            forceDestroy: false,
            objectLockEnabled: false,
            tags,
        });
        new aws.s3.BucketVersioning("ssm_patch_log_s3_bucket-default", {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        });
        new aws.s3.BucketServerSideEncryptionConfiguration("ssm_patch_log_s3_bucket-default", {
            bucket: bucket.id,
            rules: [
                {
                    bucketKeyEnabled: false,
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
                },
            ],
        });
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock("ssm_patch_log_s3_bucket-default", {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        const ownership = new aws.s3.BucketOwnershipControls(
            "ssm_patch_log_s3_bucket-default",
            { bucket: bucket.id, rule: { objectOwnership: "ObjectWriter" } },
            { dependsOn: [publicAccessBlock] },
        );
        new aws.s3.BucketAcl("ssm_patch_log_s3_bucket-default", { bucket: bucket.id, acl: "private" }, { dependsOn: [ownership] });
        new aws.s3.BucketPolicy(
            "ssm_patch_log_s3_bucket-default",
            {
                bucket: bucket.id,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["s3:PutObjectAcl", "s3:PutObject", "s3:GetObject", "s3:GetEncryptionConfiguration"],
                            Resource: [`arn:aws:s3:::${id}/*`, `arn:aws:s3:::${id}`],
                            Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                        },
                    ],
                }),
            },
            { dependsOn: [publicAccessBlock] },
        );

        // main.tf: scan window
        const scanWindow = new aws.ssm.MaintenanceWindow("scan_window", {
            name: `${id}-scan-window`,
            schedule: "cron(0 0 18 ? * WED *)",
            duration: 3,
            cutoff: 1,
        });
        const targetScan = new aws.ssm.MaintenanceWindowTarget("target_scan", {
            windowId: scanWindow.id,
            resourceType: "INSTANCE",
            targets: [{ key: "tag:Patch Group", values: ["TOSCAN"] }],
        });
        new aws.ssm.MaintenanceWindowTask("task_scan_patches", {
            windowId: scanWindow.id,
            taskType: "RUN_COMMAND",
            taskArn: "AWS-RunPatchBaseline",
            priority: 1,
            maxConcurrency: "20",
            maxErrors: "50",
            targets: [{ key: "WindowTargetIds", values: [targetScan.id] }],
            taskInvocationParameters: {
                runCommandParameters: {
                    parameters: [
                        { name: "Operation", values: ["Scan"] },
                        { name: "RebootOption", values: ["NoReboot"] },
                    ],
                    outputS3Bucket: id,
                    outputS3KeyPrefix: "scanning",
                },
            },
        });

        // main.tf: install window
        const installWindow = new aws.ssm.MaintenanceWindow("install_window", {
            name: `${id}-install-window`,
            schedule: "cron(0 0 21 ? * WED *)",
            duration: 3,
            cutoff: 1,
        });
        const targetInstall = new aws.ssm.MaintenanceWindowTarget("target_install", {
            windowId: installWindow.id,
            resourceType: "INSTANCE",
            targets: [{ key: "tag:Patch Group", values: ["TOPATCH"] }],
        });
        new aws.ssm.MaintenanceWindowTask("task_install_patches", {
            windowId: installWindow.id,
            taskType: "RUN_COMMAND",
            taskArn: "AWS-RunPatchBaseline",
            priority: 1,
            maxConcurrency: "20",
            maxErrors: "50",
            targets: [{ key: "WindowTargetIds", values: [targetInstall.id] }],
            taskInvocationParameters: {
                runCommandParameters: {
                    parameters: [
                        { name: "Operation", values: ["Install"] },
                        { name: "RebootOption", values: ["RebootIfNeeded"] },
                    ],
                    outputS3Bucket: id,
                    // sic: the module passes the scan prefix to the install task too
                    outputS3KeyPrefix: "scanning",
                },
            },
        });

        // main.tf: baseline and patch groups
        const baseline = new aws.ssm.PatchBaseline("baseline", {
            name: `${id}-AMAZON_LINUX_2`,
            description: "AMAZON_LINUX_2 baseline",
            operatingSystem: "AMAZON_LINUX_2",
            approvedPatches: [],
            rejectedPatches: [],
            approvedPatchesComplianceLevel: "HIGH",
            approvalRules: [
                {
                    approveAfterDays: 7,
                    complianceLevel: "HIGH",
                    enableNonSecurity: true,
                    patchFilters: [
                        { key: "PRODUCT", values: ["AmazonLinux2", "AmazonLinux2.0"] },
                        { key: "CLASSIFICATION", values: ["Security", "Bugfix", "Recommended"] },
                        { key: "SEVERITY", values: ["Critical", "Important", "Medium"] },
                    ],
                },
            ],
            tags,
        });
        new aws.ssm.PatchGroup("install_patchgroup", { baselineId: baseline.id, patchGroup: "TOPATCH" });
        new aws.ssm.PatchGroup("scan_patchgroup", { baselineId: baseline.id, patchGroup: "TOSCAN" });
        return {};
    },
};
