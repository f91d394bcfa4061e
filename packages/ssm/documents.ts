// Parameter snapshots of the AWS-owned SSM documents the program runs, from each document's
// published content or its published reference page (source and version per document). A
// parameter with no default is required when the document runs (SSM: "If a parameter has no
// default value, it is required"); `required` records what the source says. Checked by
// tests/facts/ssmDocuments.test.ts against every task and association the program registers.

export interface DocumentParameter {
    readonly type: "String" | "StringList" | "Boolean" | "Integer" | "MapList" | "StringMap";
    readonly required: boolean;
    readonly default?: string;
    readonly allowedValues?: readonly string[];
    /** The document's allowedPattern, as written (ECMA regular expression). */
    readonly allowedPattern?: string;
}

export interface DocumentSnapshot {
    readonly name: string;
    readonly documentType: "Command" | "Automation";
    /** Where the parameters were read, at which version (a commit or an archive date). */
    readonly source: string;
    /** The parameter the runbook assumes as its role (`assumeRole: "{{ … }}"`); Automation only. */
    readonly assumeRoleParameter?: string;
    readonly parameters: Readonly<Record<string, DocumentParameter>>;
    /** What the snapshot could not settle offline. */
    readonly unknown?: string;
}

const USER_GUIDE = "github.com/awsdocs/aws-systems-manager-user-guide@dd495cca (archived 2023-06-15) doc_source/";
const RUNBOOKS = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/";
const OVERRIDE_URL = "(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$";
const opt = (type: DocumentParameter["type"] = "String", extra: Partial<DocumentParameter> = {}): DocumentParameter => ({
    type,
    required: false,
    ...extra,
});
const req = (type: DocumentParameter["type"] = "String", extra: Partial<DocumentParameter> = {}): DocumentParameter => ({
    type,
    required: true,
    ...extra,
});
const SHELL_SCRIPT_PARAMETERS = {
    commands: req("StringList"),
    workingDirectory: opt("String", { default: "" }),
    executionTimeout: opt("String", {
        default: "3600",
        allowedPattern: "([1-9][0-9]{0,3})|(1[0-9]{1,4})|(2[0-7][0-9]{1,3})|(28[0-7][0-9]{1,2})|(28800)",
    }),
} as const;

export const AWS_DOCUMENTS = {
    "AWS-RunPatchBaseline": {
        name: "AWS-RunPatchBaseline",
        documentType: "Command",
        source:
            "content: github.com/tekumara/aws-ssm-patch-manager@5f78be60 AWS-RunPatchBaseline.json (schemaVersion 2.2, a copy of the " +
            `document as AWS published it in 2021); AssociationId: ${USER_GUIDE}patch-manager-aws-runpatchbaseline.md ` +
            '("Parameter name: AssociationId … Usage: Optional")',
        parameters: {
            Operation: req("String", { allowedValues: ["Scan", "Install"] }),
            SnapshotId: opt("String", {
                default: "",
                allowedPattern: "(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            }),
            InstallOverrideList: opt("String", { default: "", allowedPattern: OVERRIDE_URL }),
            BaselineOverride: opt("String", { default: "", allowedPattern: OVERRIDE_URL }),
            RebootOption: opt("String", { default: "RebootIfNeeded", allowedValues: ["RebootIfNeeded", "NoReboot"] }),
            AssociationId: opt("String", { default: "" }),
        },
        unknown: "AssociationId's allowedPattern (added after the 2021 copy) is not known offline",
    },
    "AWS-RunPatchBaselineWithHooks": {
        name: "AWS-RunPatchBaselineWithHooks",
        documentType: "Command",
        source:
            `${USER_GUIDE}patch-manager-aws-runpatchbaselinewithhooks.md ("AWS-RunPatchBaselineWithHooks supports six parameters"; ` +
            '"Default: AWS-Noop" for each hook; "doesn\'t support the InstallOverrideList parameter")',
        parameters: {
            Operation: req("String", { allowedValues: ["Scan", "Install"] }),
            SnapshotId: opt("String", {
                default: "",
                allowedPattern: "(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            }),
            RebootOption: opt("String", { default: "RebootIfNeeded", allowedValues: ["RebootIfNeeded", "NoReboot"] }),
            PreInstallHookDocName: opt("String", { default: "AWS-Noop" }),
            PostInstallHookDocName: opt("String", { default: "AWS-Noop" }),
            OnExitHookDocName: opt("String", { default: "AWS-Noop" }),
        },
        unknown:
            "the hook parameters' allowedPattern is not in the guide; SnapshotId's pattern is AWS-RunPatchBaseline's (the wrapper passes it on)",
    },
    "AWS-CreateImage": {
        name: "AWS-CreateImage",
        documentType: "Automation",
        source: `${RUNBOOKS}automation-aws-createimage.html ("InstanceId … (Required)"; "NoReboot Type: Boolean … (Optional)")`,
        assumeRoleParameter: "AutomationAssumeRole",
        parameters: { AutomationAssumeRole: opt(), InstanceId: req(), NoReboot: opt("Boolean") },
    },
    "AWS-PatchInstanceWithRollback": {
        name: "AWS-PatchInstanceWithRollback",
        documentType: "Automation",
        source: `${RUNBOOKS}automation-aws-patchinstancewithrollback.html ("InstanceId … (Required) EC2 InstanceId to which we apply the patch-baseline")`,
        assumeRoleParameter: "AutomationAssumeRole",
        parameters: { AutomationAssumeRole: opt(), InstanceId: req(), LambdaAssumeRole: opt(), ReportS3Bucket: opt() },
    },
    "AWSEC2-PatchLoadBalancerInstance": {
        name: "AWSEC2-PatchLoadBalancerInstance",
        documentType: "Automation",
        source:
            `${RUNBOOKS}automation-awsec2-patch-load-balancer-instance.html (InstanceId required; ConnectionDrainTime "in minutes (1-59)"; ` +
            'S3BucketLog; runCommandAssumeRole "the IAM role to use to run commands on the instance"); the content\'s ' +
            '"assumeRole": "{{ AutomationAssumeRole }}" and InstanceId "allowedPattern": "^[a-zA-Z0-9]*i-[a-z0-9]{8,17}$" ' +
            "(the search corpus's copy of the document content, repository not named)",
        // The role Automation runs the runbook as is AutomationAssumeRole; runCommandAssumeRole is only
        // the Run Command step's role for writing S3BucketLog.
        assumeRoleParameter: "AutomationAssumeRole",
        parameters: {
            AutomationAssumeRole: opt(),
            InstanceId: req("String", { allowedPattern: "^[a-zA-Z0-9]*i-[a-z0-9]{8,17}$" }),
            ConnectionDrainTime: opt(),
            S3BucketLog: opt(),
            runCommandAssumeRole: opt(),
        },
        unknown: "ConnectionDrainTime's allowedPattern: the page says minutes (1-59), the content excerpt is cut before its pattern",
    },
    "AWS-PatchAsgInstance": {
        name: "AWS-PatchAsgInstance",
        documentType: "Automation",
        source: `${RUNBOOKS}automation-aws-patchasginstance.html ("WaitForInstance … Default: PT2M"; "WaitForReboot … Default: PT5M")`,
        assumeRoleParameter: "AutomationAssumeRole",
        parameters: {
            AutomationAssumeRole: opt(),
            InstanceId: req(),
            LambdaRoleArn: opt(),
            WaitForInstance: opt("String", { default: "PT2M" }),
            WaitForReboot: opt("String", { default: "PT5M" }),
        },
    },
    "AWS-RunShellScript": {
        name: "AWS-RunShellScript",
        documentType: "Command",
        source:
            `${USER_GUIDE}documents-schemas-features.md ("The following example shows the AWS-RunShellScript SSM document": ` +
            'schemaVersion 1.2, commands StringList minItems 1, workingDirectory default "", executionTimeout default "3600")',
        parameters: SHELL_SCRIPT_PARAMETERS,
    },
    "AWS-RunPowerShellScript": {
        name: "AWS-RunPowerShellScript",
        documentType: "Command",
        source: `${USER_GUIDE}documents-schemas-features.md (AWS-RunShellScript's parameters; see unknown)`,
        parameters: SHELL_SCRIPT_PARAMETERS,
        unknown:
            "AWS-RunPowerShellScript's own content was not found offline: its parameters are taken to be AWS-RunShellScript's " +
            "(commands, workingDirectory, executionTimeout), which every Run Command example in the guide passes to both",
    },
    "AWS-GatherSoftwareInventory": {
        name: "AWS-GatherSoftwareInventory",
        documentType: "Command",
        source:
            `${USER_GUIDE}sysman-inventory-cliwalk.md (create-association --name AWS-GatherSoftwareInventory --parameters ` +
            "applications=Enabled,awsComponents=Enabled,customInventory=Enabled,instanceDetailedInformation=Enabled,networkConfig=Enabled," +
            "services=Enabled,windowsRoles=Enabled,windowsUpdates=Enabled); values Enabled|Disabled and default Enabled from the software " +
            "inventory document in documents-schemas-features.md; files and windowsRegistry from documents-command-ssm-plugin-reference.md",
        parameters: {
            applications: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            awsComponents: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            customInventory: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            instanceDetailedInformation: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            networkConfig: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            services: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            windowsRoles: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            windowsUpdates: opt("String", { default: "Enabled", allowedValues: ["Enabled", "Disabled"] }),
            files: opt("String", { default: "" }),
            windowsRegistry: opt("String", { default: "" }),
        },
        unknown: "the defaults are the guide's sample inventory document's; AWS's own document may default some collectors differently",
    },
} as const satisfies Record<string, DocumentSnapshot>;

export type AwsDocumentName = keyof typeof AWS_DOCUMENTS;

/** The parameter names of an AWS-owned document, from its snapshot. */
export function documentParameters<N extends AwsDocumentName>(name: N): (keyof (typeof AWS_DOCUMENTS)[N]["parameters"] & string)[] {
    return Object.keys(AWS_DOCUMENTS[name].parameters) as (keyof (typeof AWS_DOCUMENTS)[N]["parameters"] & string)[];
}
