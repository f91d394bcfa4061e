// iam-no-escalation: no identity policy in the stack lets its holder grant itself more. The
// escalation paths of shared/REVIEWS.md ("The attacker"), each with the condition that narrows it:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html (iam:PermissionsBoundary),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html (iam:PassedToService),
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html (iam:PolicyARN).

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "@patch-manager/ssm";
import { actionMatches, asArray, isUnknown, label, parsePolicyDocument, validateResourceOfTypes } from "./util";

interface Path {
    /** The actions of the path (any one matching a statement's Action is the path). */
    readonly actions: readonly string[];
    readonly what: string;
    /** Condition keys the statement must constrain (each of them), whatever its Resource. */
    readonly requires: readonly string[];
    /** Resource "*" (or a wildcard over every role/policy) is an escalation even with the conditions. */
    readonly notEverywhere: boolean;
    readonly fix: string;
}

const ROLE_WRITES = ["iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary"];

export const ESCALATION_PATHS: readonly Path[] = [
    {
        actions: ROLE_WRITES,
        what: "creates or rewrites roles",
        requires: ["iam:PermissionsBoundary"],
        notEverywhere: true,
        fix: 'name the roles (arn:aws:iam::<account>:role/<prefix>-*) and add Condition StringEquals {"iam:PermissionsBoundary": "<boundary policy ARN>"}',
    },
    {
        actions: ["iam:AttachRolePolicy"],
        what: "attaches managed policies to roles",
        requires: ["iam:PermissionsBoundary", "iam:PolicyARN"],
        notEverywhere: true,
        fix: 'name the roles and add Condition ArnEquals {"iam:PolicyARN": [<the policies you attach>]} and StringEquals {"iam:PermissionsBoundary": "<boundary ARN>"}',
    },
    {
        actions: [
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeleteRolePermissionsBoundary",
            "iam:PutUserPolicy",
            "iam:AttachUserPolicy",
            "iam:PutGroupPolicy",
            "iam:AttachGroupPolicy",
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:UpdateLoginProfile",
            "iam:AddUserToGroup",
        ],
        what: "rewrites policies, users or groups",
        requires: [],
        notEverywhere: true,
        fix: "name the exact policies, users or groups (never *), or drop the action",
    },
    {
        actions: ["iam:PassRole"],
        what: "passes roles to services",
        requires: ["iam:PassedToService"],
        notEverywhere: true,
        fix: 'name the role ARNs it passes and add Condition StringEquals {"iam:PassedToService": "<service>.amazonaws.com"}',
    },
    {
        actions: ["kms:PutKeyPolicy"],
        what: "rewrites key policies",
        requires: [],
        notEverywhere: true,
        fix: "name the keys (arn:aws:kms:<region>:<account>:key/<id>) or condition on aws:ResourceTag/<key> of your keys",
    },
    {
        actions: ["ssm:ModifyDocumentPermission"],
        what: "shares documents (with other accounts or publicly)",
        requires: [],
        notEverywhere: true,
        fix: "name the documents (arn:aws:ssm:<region>:<account>:document/<name>), or drop the action",
    },
];

/** Whether a Resource covers every resource of the kind: `*`, or `...:role/*`, `...:policy/*`, `...:key/*`, `...:document/*`. */
function everywhere(statement: any): boolean {
    if (statement?.NotResource !== undefined) return true;
    return asArray(statement?.Resource).some(
        (r) => r === "*" || (typeof r === "string" && /:(role|policy|user|group|key|document)\/\*$/.test(r)),
    );
}

/** Condition keys a statement constrains (any operator), lower-cased. */
function conditionKeys(statement: any): Set<string> {
    const out = new Set<string>();
    for (const block of Object.values(statement?.Condition ?? {})) for (const k of Object.keys(block ?? {})) out.add(k.toLowerCase());
    return out;
}

/** A key-policy write narrowed to the stack's keys by tag is narrowed: aws:ResourceTag/<key>. */
function narrowedByTag(statement: any): boolean {
    return [...conditionKeys(statement)].some((k) => k.startsWith("aws:resourcetag/"));
}

/** Every escalation an identity policy document allows, one line per statement and path, with the fix. */
export function escalationProblems(document: unknown): string[] {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) return [];
    const statements = asArray<any>(parsed.value?.Statement);
    const problems: string[] = [];
    // An explicit Deny of the action on every resource, without a condition, wins over any Allow.
    const deniedEverywhere = (action: string) =>
        statements.some(
            (d) =>
                d?.Effect === "Deny" &&
                d?.Condition === undefined &&
                d?.NotResource === undefined &&
                asArray(d?.Resource).includes("*") &&
                (d?.NotAction !== undefined
                    ? !asArray(d.NotAction).some((a) => actionMatches(a, action))
                    : asArray(d?.Action).some((a) => actionMatches(a, action))),
        );
    statements.forEach((s, i) => {
        if ((s?.Effect ?? "Allow") !== "Allow") return;
        const where = s?.Sid ? `statement "${s.Sid}"` : `statement ${i}`;
        const grants = (action: string) =>
            !deniedEverywhere(action) &&
            (s?.NotAction !== undefined
                ? !asArray(s.NotAction).some((a) => actionMatches(a, action))
                : asArray(s?.Action).some((a) => actionMatches(a, action)));
        for (const path of ESCALATION_PATHS) {
            const actions = path.actions.filter(grants);
            if (actions.length === 0) continue;
            const keys = conditionKeys(s);
            const missing = path.requires.filter((k) => !keys.has(k.toLowerCase()));
            const onEverything = path.notEverywhere && everywhere(s) && !(path.actions[0].startsWith("kms:") && narrowedByTag(s));
            if (!onEverything && missing.length === 0) continue;
            const why = [
                onEverything ? `on ${s?.NotResource !== undefined ? "NotResource" : "every resource"}` : "",
                missing.length ? `without a Condition on ${missing.join(" and ")}` : "",
            ]
                .filter(Boolean)
                .join(" and ");
            problems.push(
                `${where} allows ${actions.join(", ")} ${why}: it ${path.what}, so its holder can make itself an administrator. Fix: ${path.fix}.`,
            );
        }
    });
    return problems;
}

/** The identity policies of a CloudFormation template (roles' inline policies, managed policies, policies). */
function templatePolicies(templateBody: unknown): { name: string; policy: unknown }[] {
    if (typeof templateBody !== "string" || isUnknown(templateBody)) return [];
    let template: any;
    try {
        template = JSON.parse(templateBody);
    } catch {
        return []; // a YAML template: not read here
    }
    const out: { name: string; policy: unknown }[] = [];
    for (const [id, r] of Object.entries<any>(template?.Resources ?? {})) {
        const p = r?.Properties ?? {};
        if (r?.Type === "AWS::IAM::Role")
            for (const x of asArray<any>(p.Policies)) out.push({ name: `${id} policy ${x?.PolicyName}`, policy: x?.PolicyDocument });
        if (["AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::RolePolicy"].includes(r?.Type))
            out.push({ name: id, policy: p.PolicyDocument });
    }
    return out;
}

const CFN_TEMPLATES = ["aws:cloudformation/stack:Stack", "aws:cloudformation/stackSet:StackSet"];

export const iamNoEscalation: ResourceValidationPolicy = {
    name: "iam-no-escalation",
    description:
        "No identity policy lets its holder make itself an administrator: IAM role writes need a named role and a Condition on " +
        "iam:PermissionsBoundary (AttachRolePolicy also on iam:PolicyARN), iam:PassRole named roles and iam:PassedToService, " +
        "policy-version and user/group writes, kms:PutKeyPolicy and ssm:ModifyDocumentPermission named resources, never *.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(
        [TYPES.role, TYPES.rolePolicy, TYPES.policy, "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy", ...CFN_TEMPLATES],
        (r, args, reportViolation) => {
            const documents: { name: string; policy: unknown }[] =
                args.type === TYPES.role
                    ? asArray<any>(r.inlinePolicies).map((p) => ({ name: `inline policy ${String(p?.name)}`, policy: p?.policy }))
                    : CFN_TEMPLATES.includes(args.type)
                      ? templatePolicies(r.templateBody)
                      : [{ name: "policy", policy: r.policy }];
            for (const d of documents)
                for (const problem of escalationProblems(d.policy)) reportViolation(`${label(r, args.name)} ${d.name}: ${problem}`);
        },
    ),
};

export const escalationPolicies = [iamNoEscalation];
