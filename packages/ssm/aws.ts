// AWS Systems Manager constants, each checked against the SSM API model that
// ships with botocore (botocore/data/ssm/2014-11-06/service-2.json.gz) and the
// Patch Manager user guide. The policy pack and the config schema share them.

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

export const RUN_PATCH_BASELINE = "AWS-RunPatchBaseline";

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
