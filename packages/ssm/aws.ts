// AWS Systems Manager constants, each checked against the SSM API model that
// ships with botocore (botocore/data/ssm/2014-11-06/service-2.json.gz) and the
// Patch Manager user guide. The policy pack and the config schema share them.
import { AWS_DOCUMENTS, documentParameters } from "./documents";

/** OperatingSystem enum of the SSM API. */
export const OPERATING_SYSTEMS = [
    "WINDOWS",
    "AMAZON_LINUX",
    "AMAZON_LINUX_2",
    "AMAZON_LINUX_2022",
    "AMAZON_LINUX_2023",
    "UBUNTU",
    "REDHAT_ENTERPRISE_LINUX",
    "SUSE",
    "CENTOS",
    "ORACLE_LINUX",
    "DEBIAN",
    "MACOS",
    "RASPBIAN",
    "ROCKY_LINUX",
    "ALMA_LINUX",
] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

/** PatchComplianceLevel enum. */
export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

/** PatchFilterKey enum. Which keys an OS accepts is narrower (user guide: "patch baseline filter values"). */
export const PATCH_FILTER_KEYS = [
    "ARCH",
    "ADVISORY_ID",
    "BUGZILLA_ID",
    "PATCH_SET",
    "PRODUCT",
    "PRODUCT_FAMILY",
    "CLASSIFICATION",
    "CVE_ID",
    "EPOCH",
    "MSRC_SEVERITY",
    "NAME",
    "PATCH_ID",
    "SECTION",
    "PRIORITY",
    "REPOSITORY",
    "RELEASE",
    "SEVERITY",
    "SECURITY",
    "VERSION",
] as const;

export const REJECTED_PATCHES_ACTIONS = ["ALLOW_AS_DEPENDENCY", "BLOCK"] as const;

/** PatchRuleList max 10, PatchFilterList max 4 (the API model, stricter than the console suggests), values 1–20. */
export const BASELINE_LIMITS = {
    rules: 10,
    filtersPerRule: 4,
    valuesPerFilter: 20,
    patchList: 50,
    approveAfterDaysMax: 360,
} as const;

/** PatchGroup / TagValue pattern: letters, digits, spaces and _.:/=+-@, 1–256 chars. */
export const PATCH_GROUP_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
/** MaintenanceWindowName / BaselineName pattern (also window target and task names). */
export const RESOURCE_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** MaxConcurrency and MaxErrors patterns: strings, a count or a percentage. */
export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
export const IAM_ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;

/** The only tag keys Patch Manager reads for patch groups (case-sensitive). */
export const PATCH_GROUP_TAG_KEYS = ["Patch Group", "PatchGroup"] as const;
export type PatchGroupTagKey = (typeof PATCH_GROUP_TAG_KEYS)[number];

/** Default service quotas: windows per account and region; tasks and targets per window. */
export const QUOTAS = { windowsPerRegion: 50, tasksPerWindow: 20, targetsPerWindow: 100 } as const;

/** The document a patching window task runs. */
export const RUN_PATCH_BASELINE = "AWS-RunPatchBaseline";
/** AWS-RunPatchBaseline with pre-install, post-install and on-exit hook documents. */
export const RUN_PATCH_BASELINE_WITH_HOOKS = "AWS-RunPatchBaselineWithHooks";
/** The document Quick Setup patch policies run in their associations. */
export const RUN_PATCH_BASELINE_ASSOCIATION = "AWS-RunPatchBaselineAssociation";
/** The documents that patch today. */
export const PATCH_DOCUMENTS = [RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS, RUN_PATCH_BASELINE_ASSOCIATION] as const;
/** The old Windows-only patch document, which AWS-RunPatchBaseline replaces. */
export const DEPRECATED_PATCH_DOCUMENT = "AWS-ApplyPatchBaseline";

/** AWS managed policies, relative to arn:<partition>:iam::aws:policy/. */
export const MANAGED_POLICIES = {
    maintenanceWindowRole: "service-role/AmazonSSMMaintenanceWindowRole",
    managedInstanceCore: "AmazonSSMManagedInstanceCore",
    /** Deprecated by AWS; never attach. Named here so the pack can look for it. */
    deprecatedEc2RoleForSsm: "service-role/AmazonEC2RoleforSSM",
} as const;

/**
 * Hybrid activations: CreateActivation's RegistrationLimit is 1–1000 in the API model; its
 * ExpirationDate may be at most 30 days ahead, and without one the code expires in 24 hours.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateActivation.html
 */
export const HYBRID_LIMITS = {
    registrationLimitMin: 1,
    registrationLimitMax: 1000,
    expiresInDaysMax: 30,
    expiresInDaysDefault: 1,
} as const;

/**
 * Automation runbooks and Run Command documents the patching strategies register as window
 * tasks, with the parameter names each takes, read off the documents' snapshots in
 * ./documents.ts (each with its source and version).
 */
export const STRATEGY_DOCUMENTS = {
    createImage: { name: "AWS-CreateImage", parameters: documentParameters("AWS-CreateImage") },
    patchWithRollback: { name: "AWS-PatchInstanceWithRollback", parameters: documentParameters("AWS-PatchInstanceWithRollback") },
    patchLoadBalancerInstance: {
        name: "AWSEC2-PatchLoadBalancerInstance",
        parameters: documentParameters("AWSEC2-PatchLoadBalancerInstance"),
    },
    patchAsgInstance: { name: "AWS-PatchAsgInstance", parameters: documentParameters("AWS-PatchAsgInstance") },
    runShellScript: { name: "AWS-RunShellScript", parameters: documentParameters("AWS-RunShellScript") },
    runPowerShellScript: { name: "AWS-RunPowerShellScript", parameters: documentParameters("AWS-RunPowerShellScript") },
    runPatchBaseline: { name: RUN_PATCH_BASELINE, parameters: documentParameters(RUN_PATCH_BASELINE) },
} as const;

/** RebootOption values of AWS-RunPatchBaseline, from its snapshot. */
export const REBOOT_OPTIONS = AWS_DOCUMENTS[RUN_PATCH_BASELINE].parameters.RebootOption.allowedValues;

/**
 * InstallOverrideList / BaselineOverride: an https URL or an S3 path-style URL
 * (AWS-RunPatchBaseline's allowedPattern for InstallOverrideList).
 */
export const OVERRIDE_LIST_URL_PATTERN = /^https:\/\/.+$|^s3:\/\/([^/]+)\/(.*?([^/]+))$/;

/** The window substitutes each target's instance id here; Automation tasks only, never Run Command. */
export const RESOURCE_ID = "{{RESOURCE_ID}}";

/** AWSEC2-PatchLoadBalancerInstance's ConnectionDrainTime range, in minutes. */
export const CONNECTION_DRAIN_MINUTES = { min: 1, max: 59 } as const;

/** Linux exit codes that make the SSM Agent reboot the node and report the reboot (194), and Windows' (3010). */
export const AGENT_REBOOT_EXIT_CODES = { linux: 194, windows: 3010 } as const;

/**
 * The program's own reboot Command documents, one per platform, named `<namePrefix>-<suffix>`: in
 * place of AWS-RunShellScript / AWS-RunPowerShellScript, whose `commands` parameter runs whatever a
 * task passes, their only parameter is the window execution's id, so the window role may send them
 * and nothing it could be given to run. config/runtime/windowRun.ts knows a reboot task by the suffix.
 */
export const REBOOT_DOCUMENT_SUFFIXES = { linux: "reboot-linux", windows: "reboot-windows" } as const;
/** The reboot documents' one parameter: the task passes `{{WINDOW_EXECUTION_ID}}` as its whole value. */
export const REBOOT_DOCUMENT_PARAMETER = "WindowExecutionId";
/** MaintenanceWindowExecutionId's pattern (SSM API model): the only value the reboot documents accept. */
export const WINDOW_EXECUTION_ID_PATTERN = "^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$";

// BEGIN generated by tools/codegen/genAwsShapes.py from botocore 1.43.11 ssm/2014-11-06/service-2.json; do not edit by hand.
/** MaintenanceWindowAutomationParameters: AutomationParameterMap and its keys and values; Targets; task ARN; priority. */
export const AUTOMATION_TASK_LIMITS = {
    parameterMap: { min: 1, max: 200 },
    parameterKey: { min: 1, max: 50 },
    parameterValues: { min: 0, max: 50 },
    parameterValue: { min: 1, max: 512 },
    targets: { min: 0, max: 5 },
    taskArn: { min: 1, max: 1600 },
    priorityMin: 0,
} as const;
/** DocumentVersion pattern (a task's documentVersion). */
export const DOCUMENT_VERSION_PATTERN = new RegExp("([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)");
/** DocumentARN pattern: a document name or ARN as RegisterTaskWithMaintenanceWindow takes it. */
export const DOCUMENT_NAME_PATTERN = new RegExp("^[a-zA-Z0-9_\\-.:/]{3,128}$");
/** MaintenanceWindowTaskType enum. */
export const TASK_TYPES = ["RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA"] as const;
/** PatchSourceList, PatchSourceProductList, PatchSourceProduct, PatchSourceConfiguration limits. */
export const PATCH_SOURCE_LIMITS = {
    sources: { min: 0, max: 20 },
    products: { min: 1, max: 20 },
    product: { min: 1, max: 128 },
    configuration: { min: 1, max: 1024 },
} as const;
/** PatchSourceName pattern. */
export const PATCH_SOURCE_NAME_PATTERN = new RegExp("^[a-zA-Z0-9_\\-.]{3,50}$");
// END generated by tools/codegen/genAwsShapes.py

/**
 * The tag key a patch baseline carries for each exemption it holds (`patch-manager:exemption:<index
 * in exemptions>`), valued with the instant the exemption ends (ISO-8601 UTC, which SSM's tag
 * value pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` admits): the program writes it, the pack reads it.
 */
export const EXEMPTION_TAG_PREFIX = "patch-manager:exemption:";
