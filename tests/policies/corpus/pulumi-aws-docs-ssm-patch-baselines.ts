// pulumi-aws docs: the aws.ssm.PatchBaseline examples, the aws.ssm.PatchGroup example and the
// aws.ssm.DefaultPatchBaseline example, as one stack.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/pulumi-aws (docs)",
        path: "sdk/nodejs/ssm/patchBaseline.ts, sdk/nodejs/ssm/patchGroup.ts, sdk/nodejs/ssm/defaultPatchBaseline.ts (JSDoc examples)",
        commit: "v7.48.0",
        url: "https://github.com/pulumi/pulumi-aws/blob/v7.48.0/sdk/nodejs/ssm/patchBaseline.ts",
        translation:
            "The TypeScript examples as published in @pulumi/aws@7.48.0 (ssm/patchBaseline.d.ts, ssm/patchGroup.d.ts, " +
            "ssm/defaultPatchBaseline.d.ts: the JSDoc generated from sdk/nodejs/ssm/*.ts at v7.48.0), every input kept. PatchBaseline " +
            "page: 'Basic Usage' `production`; 'Advanced Usage, specifying patch filters' is also `production` in the docs, here " +
            "production-advanced; 'Microsoft application and Windows patch rules' windows_os_apps; 'alternate patch source repository' " +
            "al_2017_09 (its `approvalRules: [{}]`, an empty rule, kept as written). PatchGroup page: baseline `example` (name " +
            "patch-baseline) and patch group `example`. DefaultPatchBaseline page: its baseline and its DefaultPatchBaseline are both " +
            "`example` in the docs too, here both example-default (so that no finding names two resources); the DefaultPatchBaseline takes `operatingSystem: examplePatchBaseline.operatingSystem` as in " +
            "the docs. The baseline sets no operatingSystem, so the provider's default WINDOWS comes back as the output; the mock runtime " +
            "echoes inputs only, so under the mock that reference resolves to undefined (a limit of tools/mock/mockProgram.ts, not of the source). Two casts only for strict TypeScript (the docs' code does not typecheck under strict: PatchBaseline.operatingSystem is Output<string | undefined>, and an approval rule requires patchFilters).",
    },
    expected: [
        {
            policy: "baseline-approves-patches",
            resource: "al_2017_09",
            level: "mandatory",
            reason:
                "Its one approval rule is empty (`approvalRules: [{}]`). SSM API reference, PatchRule.ApproveAfterDays: 'This parameter is " +
                "marked as Required: No, but your request must include a value for either ApproveAfterDays or ApproveUntilDate' (Amazon " +
                "Linux is not one of the Debian/Ubuntu exceptions), so CreatePatchBaseline refuses the rule. The rule also has no " +
                "patchFilters, which PatchRule.PatchFilterGroup (Required: Yes) and the provider schema (approval_rule.patch_filter " +
                "required; patchFilters is not optional in PatchBaselineApprovalRule) demand: the docs example cannot be deployed as written.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "example",
            level: "mandatory",
            reason:
                "Replacement, on the PatchGroup `example` (patch group patch-group-name, a name the user fixed): the provider has no " +
                "Update for aws_ssm_patch_group, so a new baselineId (the baseline replaced, e.g. its operatingSystem changed) replaces it " +
                "under the same patch group; created first, RegisterPatchBaselineForPatchGroup is refused while the old registration for " +
                "that OS stands (AlreadyExistsException), and without deleteBeforeReplace the update fails. Issue #23 keeps this for PatchGroup.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "example-default",
            level: "mandatory",
            reason:
                "Replacement, on the DefaultPatchBaseline example-default: its key operatingSystem is the baseline's output, WINDOWS (the " +
                "provider's default for operating_system), fixed for this stack. A new baselineId (ForceNew) replaces the registration " +
                "under the same OS; created first, the old resource's delete then restores the AWS default baseline for WINDOWS (terraform-provider-aws " +
                "internal/service/ssm/default_patch_baseline.go: resourceDefaultPatchBaselineDelete calls defaultPatchBaselineRestoreOSDefault, which re-registers the AWS-owned baseline), undoing the new registration. Issue #23 keeps this for DefaultPatchBaseline. " +
                "Today's pack says nothing because under the mock runtime the reference resolves to undefined: tools/mock/mockProgram.ts echoes " +
                "inputs for aws:ssm/patchBaseline and does not fill in the provider's default operatingSystem.",
        },
        {
            policy: "default-baseline-approves-updates",
            resource: "example-default",
            level: "mandatory",
            reason:
                "The DefaultPatchBaseline example-default registers baseline example-default as the WINDOWS default, and that baseline approves " +
                "only approvedPatches [KB123456], with no approval rules. The default baseline applies to every managed node not in a patch " +
                "group (SSM User Guide, 'Patch baselines' / RegisterDefaultPatchBaseline), so every such Windows node is patched with that " +
                "one KB and nothing else, however many security updates are released.",
        },
    ],
    rejected: [
        {
            policy: "patch-group-coverage",
            resource: "example",
            verdict: "false-positive",
            reason:
                "The PatchGroup page's example registers patch group patch-group-name with a baseline and nothing else; the nodes carrying " +
                "the tag may be patched by windows or associations in another stack, or by Quick Setup. Issue #23: a patch group registered " +
                "in one stack and targeted in another is not a finding; a stack that only registers groups is a normal split.",
        },
    ],
    program: () => {
        // PatchBaseline page: Basic Usage.
        new aws.ssm.PatchBaseline("production", {
            name: "patch-baseline",
            approvedPatches: ["KB123456"],
        });

        // PatchBaseline page: Advanced Usage, specifying patch filters.
        new aws.ssm.PatchBaseline("production-advanced", {
            approvalRules: [
                {
                    patchFilters: [
                        { key: "PRODUCT", values: ["WindowsServer2016"] },
                        { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates", "Updates"] },
                        { key: "MSRC_SEVERITY", values: ["Critical", "Important", "Moderate"] },
                    ],
                    approveAfterDays: 7,
                    complianceLevel: "HIGH",
                },
                {
                    patchFilters: [{ key: "PRODUCT", values: ["WindowsServer2012"] }],
                    approveAfterDays: 7,
                },
            ],
            globalFilters: [
                { key: "PRODUCT", values: ["WindowsServer2008"] },
                { key: "CLASSIFICATION", values: ["ServicePacks"] },
                { key: "MSRC_SEVERITY", values: ["Low"] },
            ],
            name: "patch-baseline",
            description: "Patch Baseline Description",
            approvedPatches: ["KB123456", "KB456789"],
            rejectedPatches: ["KB987654"],
        });

        // PatchBaseline page: Microsoft application and Windows patch rules.
        new aws.ssm.PatchBaseline("windows_os_apps", {
            approvalRules: [
                {
                    patchFilters: [
                        { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
                        { key: "MSRC_SEVERITY", values: ["Critical", "Important"] },
                    ],
                    approveAfterDays: 7,
                },
                {
                    patchFilters: [
                        { key: "PATCH_SET", values: ["APPLICATION"] },
                        { key: "PRODUCT", values: ["Office 2013", "Office 2016"] },
                    ],
                    approveAfterDays: 7,
                },
            ],
            name: "WindowsOSAndMicrosoftApps",
            description: "Patch both Windows and Microsoft apps",
            operatingSystem: "WINDOWS",
        });

        // PatchBaseline page: alternate patch source repository.
        new aws.ssm.PatchBaseline("al_2017_09", {
            approvalRules: [{} as aws.types.input.ssm.PatchBaselineApprovalRule],
            sources: [
                {
                    name: "My-AL2017.09",
                    products: ["AmazonLinux2017.09"],
                    configuration: `[amzn-main]
name=amzn-main-Base
mirrorlist=http://repo./awsregion./awsdomain//releasever/main/mirror.list
mirrorlist_expire=300
metadata_expire=300
priority=10
failovermethod=priority
fastestmirror_enabled=0
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-ga
enabled=1
retries=3
timeout=5
report_instanceid=yes
`,
                },
            ],
            name: "Amazon-Linux-2017.09",
            description: "My patch repository for Amazon Linux 2017.09",
            operatingSystem: "AMAZON_LINUX",
        });

        // PatchGroup page.
        const example = new aws.ssm.PatchBaseline("example", {
            name: "patch-baseline",
            approvedPatches: ["KB123456"],
        });
        new aws.ssm.PatchGroup("example", {
            baselineId: example.id,
            patchGroup: "patch-group-name",
        });

        // DefaultPatchBaseline page.
        const examplePatchBaseline = new aws.ssm.PatchBaseline("example-default", {
            name: "example",
            approvedPatches: ["KB123456"],
        });
        new aws.ssm.DefaultPatchBaseline("example-default", {
            baselineId: examplePatchBaseline.id,
            operatingSystem: examplePatchBaseline.operatingSystem as pulumi.Output<string>,
        });
        return {};
    },
};
