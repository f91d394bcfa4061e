// CloudBeard/AWS-Systems-Manager-Patch-Manager: a daily AWS-RunPatchBaseline Install association on
// tag:OS = Windows2019, an output bucket, and a Windows baseline that nothing registers.
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "CloudBeard/AWS-Systems-Manager-Patch-Manager",
        path: "terraform/patch-manager/windows-patch-association.tf, terraform/patch-manager/s3.tf, terraform/patch-manager/windows-patch-baseline.tf",
        commit: "2f61b76589ddf7ef0676240fa483cbffac473388",
        url: "https://github.com/CloudBeard/AWS-Systems-Manager-Patch-Manager/tree/2f61b76589ddf7ef0676240fa483cbffac473388/terraform/patch-manager",
        translation:
            "The terraform/patch-manager root module as written (it has no variables). aws_ssm_association → aws.ssm.Association " +
            "(parameters map, output_location → outputLocation with s3BucketName = the bucket's id); aws_s3_bucket, aws_s3_bucket_acl, " +
            "aws_s3_bucket_server_side_encryption_configuration → their aws.s3 equivalents; aws_ssm_patch_baseline → aws.ssm.PatchBaseline " +
            "(global_filter → globalFilters, approval_rule → approvalRules). Terraform resource names are kept as logical names. " +
            "patch-policy.tf holds only a comment. terraform/ec2/windows-instance.tf (a separate root module: one t2.micro tagged " +
            "OS=Windows2019) is left out. An earlier commit (395c2efca02910e8a6216822598651bffe21e0b6) used AWS-ApplyPatchBaseline with " +
            'a `parameters { operation = "install" }` block, which the provider rejects; the current file is translated. ' +
            "Not reported by any rule: the custom baseline WindowsOSSecurityUpdates is neither registered for a patch group nor as the " +
            "default, so the association patches against the account's default Windows baseline, not this one.",
    },
    expected: [
        {
            policy: "association-scans-without-reboot",
            resource: "windows-server-updates",
            level: "mandatory",
            reason:
                "Every day at 01:00 UTC (cron(0 1 ? * * *), no timezone for associations) the association runs AWS-RunPatchBaseline with " +
                "Operation Install and no RebootOption, whose default is RebootIfNeeded (SSM User Guide, 'AWS-RunPatchBaseline' parameters): " +
                "Windows servers install and reboot outside any maintenance window. (Today's pack reports this twice, for the Install and for " +
                "the missing NoReboot; it is one problem.)",
        },
        {
            policy: "association-rate-control",
            resource: "windows-server-updates",
            level: "advisory",
            reason:
                "An Install association with neither max_concurrency nor max_errors: State Manager then applies no rate control, so every " +
                "node tagged OS=Windows2019 installs and reboots at once and failures never stop the run (CreateAssociation MaxConcurrency/" +
                "MaxErrors; SSM User Guide, 'Understanding targets and rate controls in State Manager associations').",
        },
    ],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "patch-bucket",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "log-bucket-protected",
            resource: "patch-bucket",
            verdict: "noise",
            reason:
                "'no public access block': the association output bucket cloudbeard-patch-bucket declares no BucketPublicAccessBlock, but S3 turns all four Block Public Access settings on " +
                "for every new bucket and disables ACLs by default since April 2023 (S3 User Guide, 'Blocking public access to your Amazon " +
                "S3 storage'; 'Default settings for new S3 buckets FAQ'), so the resource would restate the default; nothing in the stack " +
                "makes the bucket public.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "patch-bucket-encryption",
            verdict: "replacement-only",
            reason:
                "The encryption configuration is keyed by its bucket; its other ForceNew input, expected_bucket_owner, is not set and the " +
                "rule block updates in place, so it is replaced only when bucket changes, and then configures another bucket: no collision.",
        },
    ],
    program: () => {
        const patchBucket = new aws.s3.Bucket("patch-bucket", { bucket: "cloudbeard-patch-bucket" });
        new aws.s3.BucketAcl("patch-bucket-acl", { bucket: patchBucket.id, acl: "private" });
        new aws.s3.BucketServerSideEncryptionConfiguration("patch-bucket-encryption", {
            bucket: patchBucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        new aws.ssm.Association("windows-server-updates", {
            name: "AWS-RunPatchBaseline",
            associationName: "Windows-Security-Updates",
            targets: [{ key: "tag:OS", values: ["Windows2019"] }],
            scheduleExpression: "cron(0 1 ? * * *)",
            outputLocation: { s3BucketName: patchBucket.id },
            parameters: { Operation: "Install" },
        });
        new aws.ssm.PatchBaseline("windows-security-updates", {
            name: "WindowsOSSecurityUpdates",
            description: "Windows OS Secuirty Updates",
            operatingSystem: "WINDOWS",
            globalFilters: [{ key: "PRODUCT", values: ["WindowsServer2019"] }],
            approvalRules: [
                {
                    approveAfterDays: 7,
                    patchFilters: [
                        { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
                        { key: "MSRC_SEVERITY", values: ["Critical"] },
                    ],
                },
            ],
        });
        return {};
    },
};
