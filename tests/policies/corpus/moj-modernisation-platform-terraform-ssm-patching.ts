// ministryofjustice/modernisation-platform-terraform-ssm-patching (UK Ministry of Justice): one window per
// patch group, custom baselines registered as each OS's default, a window service role, and a daily
// Windows definition-update window.
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

const PATCH_SCHEDULES: Readonly<Record<string, string>> = {
    group1: "cron(00 03 ? * WED *)",
    group2: "cron(00 03 ? * THU *)",
};
const PATCH_CLASSIFICATIONS: Readonly<Record<string, readonly string[]>> = {
    REDHAT_ENTERPRISE_LINUX: ["Security", "Bugfix"],
    WINDOWS: ["SecurityUpdates", "CriticalUpdates", "DefinitionUpdates"],
};

export const entry: CorpusEntry = {
    source: {
        repository: "ministryofjustice/modernisation-platform-terraform-ssm-patching",
        path: "main.tf, variables.tf, README.md (second usage example), test/unit-test/main.tf",
        commit: "894b2aaeaf9e5ae7e3a203dfa2c583bcaf30ac6c",
        url: "https://github.com/ministryofjustice/modernisation-platform-terraform-ssm-patching/tree/894b2aaeaf9e5ae7e3a203dfa2c583bcaf30ac6c",
        translation:
            "The module (v5.1.0 + later commits) with the README's 'Example with 2 patch groups' inputs: patch_schedules group1 " +
            "cron(00 03 ? * WED *) / group2 cron(00 03 ? * THU *), duration 4, cutoff 2, daily_definition_update true, patch_classifications " +
            "REDHAT_ENTERPRISE_LINUX [Security, Bugfix] and WINDOWS [SecurityUpdates, CriticalUpdates, DefinitionUpdates], simple_patching true. " +
            "The README leaves application_name and environment to locals; the module's own test (test/unit-test/main.tf) gives them: " +
            'application_name "testing", environment "test" (so approve_after_days = approval_days["test"] = 3). Other variables take ' +
            'their defaults (patch_tag_key patch-manager, compliance_level CRITICAL, severity and product ["*"], rejected_patches []). ' +
            'tags = merge(local.tags, {Name = "ssm-patching-module"}) as in the README; local.tags\' entries that the test computes are ' +
            "written out for workspace testing-test (is-production false, environment-name testing-test, source-code); the tags it downloads " +
            "from the environments JSON over HTTP at plan time are left out. for_each keys become name suffixes (patch_manager-group1, " +
            "patch_manager-WINDOWS); count = 1 resources keep their names. The aws_iam_policy_document is inlined as JSON. " +
            "account_number is unused by main.tf. simple_patching = true selects the RUN_COMMAND AWS-RunPatchBaseline branch of the dynamic " +
            "blocks (the automation_parameters branch is not rendered).",
    },
    expected: [
        ...Object.keys(PATCH_CLASSIFICATIONS).map((os) => ({
            policy: "replacement-deletes-first",
            resource: `patch_manager-${os}`,
            level: "mandatory" as const,
            reason:
                `replacement: aws.ssm.DefaultPatchBaseline for ${os} has no Update; whenever baselineId changes (the default moved to ` +
                `another baseline, or the baseline recreated) the new registration is made first (RegisterDefaultPatchBaseline simply overwrites), ` +
                `then deleting the old resource resets ${os} to AWS's predefined baseline (the provider's delete, ` +
                `resourceDefaultPatchBaselineDelete → defaultPatchBaselineRestoreOSDefault in internal/service/ssm/default_patch_baseline.go, ` +
                `registers the AWS-owned default for the OS). Every node outside a patch group then patches ` +
                `against the wrong baseline, and this module relies on the default registration (it targets by tag:patch-manager, not by patch group).`,
        })),
        {
            policy: "task-output-to-s3",
            resource: "patch_task-group1",
            level: "advisory",
            reason:
                "No output_s3_bucket (v4 removed the S3 archive): GetCommandInvocation keeps only 'the first 24,000 characters written by " +
                "the plugin to stdout' (SSM API reference, StandardOutputContent) and StandardOutputUrl is empty without a bucket. Compliance " +
                "results still reach Security Hub, but a failed install's log is truncated.",
        },
        {
            policy: "task-output-to-s3",
            resource: "patch_task-group2",
            level: "advisory",
            reason: "As for patch_task-group1: per-node install output is truncated to 24,000 characters without an S3 bucket (GetCommandInvocation StandardOutputContent).",
        },
        // iam-no-escalation: main.tf's aws_iam_policy_document grants ec2:*, ssm:*, cloudwatch:*, cloudformation:*, iam:*,
        // lambda:* on "*" to the window role; each escalation path the rule knows is one finding on that policy.
        ...(
            [
                [
                    "role writes",
                    "iam:* covers iam:CreateRole, PutRolePolicy, UpdateAssumeRolePolicy on every role without iam:PermissionsBoundary: the role can create a role trusting anyone, with any policy",
                ],
                [
                    "AttachRolePolicy",
                    "iam:* covers iam:AttachRolePolicy on every role without iam:PolicyARN: the role can attach AdministratorAccess to itself",
                ],
                [
                    "policy, user and group writes",
                    "iam:* covers CreatePolicyVersion, PutUserPolicy, CreateAccessKey on every resource: rewrite any customer managed policy or mint credentials",
                ],
                [
                    "PassRole",
                    "iam:* covers iam:PassRole on every role without iam:PassedToService: with lambda:* and cloudformation:* it runs code as any role of the account",
                ],
                [
                    "document sharing",
                    "ssm:* covers ssm:ModifyDocumentPermission on every document: share the account's documents with any account or publicly",
                ],
            ] as const
        ).map(([what, reason]) => ({
            policy: "iam-no-escalation",
            resource: "patch_manager",
            level: "mandatory" as const,
            reason: `${what}: ${reason} (IAM User Guide, "Permissions boundaries" and "Granting a user permissions to pass a role").`,
        })),
        {
            policy: "window-role-trust",
            resource: "patch_manager",
            level: "advisory",
            reason:
                "The window tasks' service role also trusts iam.amazonaws.com, a principal that never needs to assume a maintenance-window " +
                "role; the SSM User Guide ('Configure permissions for Maintenance Windows', custom service role) trusts ssm.amazonaws.com only. " +
                "The role holds ec2:*, ssm:*, iam:*, lambda:* on *, so every extra principal matters.",
        },
        {
            policy: "window-role-trust",
            resource: "patch_manager",
            level: "advisory",
            reason:
                "No aws:SourceAccount / aws:SourceArn condition: the SSM User Guide ('Cross-service confused deputy prevention') recommends " +
                "them in the trust policy of roles that Systems Manager assumes; this role has admin-like permissions (iam:* on *).",
        },
    ],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "patch_manager",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "task-output-to-s3",
            resource: "definition_updates",
            verdict: "false-positive",
            reason:
                "The daily AWS-InstallWindowsUpdates task installs Defender definition updates (Categories DefinitionUpdates), not " +
                "patches: it reads no patch baseline and reports no patch compliance, so it is outside what the pack judges (issue #23: " +
                "rules apply to the resources patching uses). Keeping its output in S3 is good practice, not a patching finding.",
        },
        ...["patch_manager-group1", "patch_manager-group2", "definition_updates"].map((w) => ({
            policy: "window-well-formed",
            resource: w,
            verdict: "noise" as const,
            reason:
                "The only complaint is the missing scheduleTimezone: it is optional and the cron then runs in UTC (CreateMaintenanceWindow " +
                "API reference, ScheduleTimezone; SSM User Guide, maintenance window scheduling options). Issue #23: not a finding.",
        })),
        {
            policy: "window-target-patch-group-tag",
            resource: "patch_manager-group1",
            verdict: "false-positive",
            reason:
                "The module does not use patch groups: it registers its baselines as the OS defaults (aws_ssm_default_patch_baseline), and " +
                "AWS-RunPatchBaseline uses the default baseline for nodes without a Patch Group tag (SSM User Guide, 'Patch groups': nodes " +
                "not in a patch group use the default patch baseline). tag:patch-manager only schedules which nodes patch when, which any tag " +
                "may do (RegisterTargetWithMaintenanceWindow accepts tag:<key>).",
        },
        {
            policy: "window-target-patch-group-tag",
            resource: "patch_manager-group2",
            verdict: "false-positive",
            reason: "As for patch_manager-group1: baselines come from the OS default registration, the tag only picks the schedule group.",
        },
        {
            policy: "window-target-patch-group-tag",
            resource: "definition_updates",
            verdict: "false-positive",
            reason:
                "The window runs AWS-InstallWindowsUpdates (DefinitionUpdates only), which does not read a patch baseline at all, so the " +
                "Patch Group tag has no meaning for it; tag:os-type is a valid target key (RegisterTargetWithMaintenanceWindow, Targets).",
        },
    ],
    program: () => {
        const tags = {
            "is-production": "false",
            "environment-name": "testing-test",
            "source-code": "https://github.com/ministryofjustice/modernisation-platform",
            Name: "ssm-patching-module",
        };
        const applicationName = "testing";

        const policy = new aws.iam.Policy("patch_manager", {
            name: "patch-manager-iam-policy",
            description: "IAM Policy for the AWS-PatchAsgInstance automation script that runs as part of the module",
            path: "/",
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["ec2:*", "ssm:*", "cloudwatch:*", "cloudformation:*", "iam:*", "lambda:*"],
                        Resource: "*",
                    },
                ],
            }),
            tags,
        });
        const role = new aws.iam.Role("patch_manager", {
            name: "patch-manager-iam-role",
            tags,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: ["ssm.amazonaws.com", "iam.amazonaws.com"] },
                        Action: "sts:AssumeRole",
                    },
                ],
            }),
        });
        new aws.iam.RolePolicyAttachment("patch_manager", { role: role.name, policyArn: policy.arn });

        for (const [group, schedule] of Object.entries(PATCH_SCHEDULES)) {
            const window = new aws.ssm.MaintenanceWindow(`patch_manager-${group}`, {
                name: `${applicationName}-maintenance-window-${group}`,
                schedule,
                duration: 4,
                cutoff: 2,
                tags,
            });
            const target = new aws.ssm.MaintenanceWindowTarget(`patch_manager-${group}`, {
                windowId: window.id,
                name: `maintenance-window-target-${group}`,
                description: "Targets of the maintenance window by tag key-value pair",
                resourceType: "INSTANCE",
                targets: [{ key: "tag:patch-manager", values: [group] }],
            });
            new aws.ssm.MaintenanceWindowTask(`patch_task-${group}`, {
                name: `${applicationName}-patch-manager-task-${group}`,
                description: "Use AWS standard documents to patch the targeted instances in a controlled manner.",
                maxConcurrency: "10",
                maxErrors: "5",
                priority: 1,
                taskType: "RUN_COMMAND",
                taskArn: "AWS-RunPatchBaseline",
                windowId: window.id,
                serviceRoleArn: role.arn,
                targets: [{ key: "WindowTargetIds", values: [target.id] }],
                taskInvocationParameters: {
                    runCommandParameters: {
                        documentVersion: "$LATEST",
                        parameters: [
                            { name: "Operation", values: ["Install"] },
                            { name: "RebootOption", values: ["RebootIfNeeded"] },
                        ],
                    },
                },
            });
            new aws.resourcegroups.Group(`patch_manager-${group}`, {
                name: `${applicationName}-patch-manager-${group}`,
                tags,
                resourceQuery: {
                    query: `{
   "ResourceTypeFilters":[
      "AWS::EC2::Instance"
   ],
   "TagFilters":[
      {
         "Key":"patch-manager",
         "Values":["${group}"]
      }
   ]
}
`,
                },
            });
        }

        for (const [os, classifications] of Object.entries(PATCH_CLASSIFICATIONS)) {
            const baseline = new aws.ssm.PatchBaseline(`patch_manager-${os}`, {
                name: `${applicationName}-${os}-baseline`,
                description: ["Applies", classifications.join(", "), "catagories to", os, "OS."].join(" "),
                operatingSystem: os,
                rejectedPatches: [],
                tags,
                approvalRules: [
                    {
                        approveAfterDays: 3,
                        complianceLevel: "CRITICAL",
                        patchFilters: [
                            { key: "PRODUCT", values: ["*"] },
                            { key: "CLASSIFICATION", values: [...classifications] },
                            { key: os === "WINDOWS" ? "MSRC_SEVERITY" : "SEVERITY", values: ["*"] },
                        ],
                    },
                ],
            });
            new aws.ssm.DefaultPatchBaseline(`patch_manager-${os}`, { baselineId: baseline.id, operatingSystem: os });
        }

        // daily_definition_update = true
        const definitionWindow = new aws.ssm.MaintenanceWindow("definition_updates", {
            name: `${applicationName}-maintenance-window-definition-updates`,
            schedule: "cron(0 8 * * ? *)",
            duration: 2,
            cutoff: 1,
            tags,
        });
        const definitionTarget = new aws.ssm.MaintenanceWindowTarget("definition_updates", {
            windowId: definitionWindow.id,
            name: "maintenance-window-target-definition-updates",
            description: "Targets of the Windows definition updates maintenance window by tag key (any value).",
            resourceType: "INSTANCE",
            targets: [{ key: "tag:os-type", values: ["Windows"] }],
        });
        new aws.ssm.MaintenanceWindowTask("definition_updates", {
            name: `${applicationName}-patch-manager-task-definition-updates`,
            description: "Use AWS standard documents to patch the targeted instances in a controlled manner.",
            maxConcurrency: "10",
            maxErrors: "5",
            priority: 1,
            taskType: "RUN_COMMAND",
            taskArn: "AWS-InstallWindowsUpdates",
            windowId: definitionWindow.id,
            serviceRoleArn: role.arn,
            targets: [{ key: "WindowTargetIds", values: [definitionTarget.id] }],
            taskInvocationParameters: {
                runCommandParameters: {
                    documentVersion: "$LATEST",
                    parameters: [
                        { name: "Action", values: ["Install"] },
                        { name: "AllowReboot", values: ["False"] },
                        { name: "Categories", values: ["DefinitionUpdates"] },
                    ],
                },
            },
        });
        return {};
    },
};
