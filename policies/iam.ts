// Rules for IAM: the deprecated instance policy, and the maintenance-window role's trust.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { patchingScope } from "./scope";
import { ADMIN_POLICY_ARN, isAdminStatement } from "./hybrid";
import {
    StackResource,
    asArray,
    grantsEverywhere,
    isSet,
    isUnknown,
    label,
    namesRole,
    ofType,
    parsePolicyDocument,
    refersTo,
    rolePolicies,
    show,
    stackResources,
    statementsOf,
    validateResourceOfTypes,
} from "./util";
import { TYPES } from "@patch-manager/ssm";

/** arn:<partition>:iam::aws:policy/service-role/AmazonEC2RoleforSSM, deprecated by AWS. */
export const DEPRECATED_SSM_POLICY = /^arn:aws(-[a-z]+)*:iam::aws:policy\/(.*\/)?AmazonEC2RoleforSSM$/;

export const noEc2RoleForSsm: ResourceValidationPolicy = {
    name: "no-ec2-role-for-ssm",
    description:
        "No role gets the deprecated managed policy AmazonEC2RoleforSSM (it grants far more than SSM needs, e.g. s3:* on every " +
        "bucket): attach arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore instead, plus a narrow policy for the log bucket.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(
        [TYPES.role, TYPES.rolePolicyAttachment, TYPES.policyAttachment, TYPES.rolePolicyAttachmentsExclusive],
        (r, args, reportViolation) => {
            const arns =
                args.type === TYPES.role
                    ? asArray(r.managedPolicyArns)
                    : args.type === TYPES.rolePolicyAttachmentsExclusive
                      ? asArray(r.policyArns)
                      : [r.policyArn];
            const roles =
                args.type === TYPES.role
                    ? `role ${label(r, args.name)}`
                    : args.type === TYPES.policyAttachment
                      ? `policy attachment "${args.name}" (roles ${show(isUnknown(r.roles) ? r.roles : asArray(r.roles))})`
                      : `role ${show(args.type === TYPES.rolePolicyAttachmentsExclusive ? r.roleName : r.role)} (via "${args.name}")`;
            for (const arn of arns) {
                if (typeof arn === "string" && DEPRECATED_SSM_POLICY.test(arn)) {
                    reportViolation(`${roles} gets the deprecated ${arn}; attach AmazonSSMManagedInstanceCore instead.`);
                }
            }
        },
    ),
};

// ------------------------------------------------------------------------------------------------

const SSM_SERVICE = "ssm.amazonaws.com";

/** Problems with a trust policy that SSM maintenance windows assume. */
export function windowTrustProblems(document: unknown): string[] {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) {
        return [`assumeRolePolicy is ${parsed.error}`];
    }
    const statements = asArray(parsed.value?.Statement);
    const allows = statements.filter((s: any) => (s?.Effect ?? "Allow") === "Allow");
    if (allows.length === 0) {
        return ["its trust policy allows nobody to assume it"];
    }
    const problems: string[] = [];
    allows.forEach((s: any) => {
        const where = s?.Sid ? `statement "${s.Sid}"` : `statement ${statements.indexOf(s)}`;
        const principal = s?.Principal;
        const services = principal && typeof principal === "object" ? asArray<string>(principal.Service) : [];
        const others =
            principal === "*"
                ? ["*"]
                : principal && typeof principal === "object"
                  ? Object.keys(principal)
                        .filter((k) => k !== "Service")
                        .map((k) => `${k}: ${show(principal[k])}`)
                  : [show(principal)];
        const foreign = services.filter((svc) => svc !== SSM_SERVICE);
        if (others.length > 0 || foreign.length > 0) {
            problems.push(
                `${where} trusts ${[...foreign.map((svc) => `Service ${svc}`), ...others].join(", ")}; trust only Service ${SSM_SERVICE}`,
            );
        }
        const conditions = s?.Condition && typeof s.Condition === "object" ? Object.values(s.Condition) : [];
        const restrictsAccount = conditions.some(
            (block: any) => block && typeof block === "object" && Object.keys(block).some((k) => k.toLowerCase() === "aws:sourceaccount"),
        );
        if (!restrictsAccount) {
            problems.push(`${where} does not restrict aws:SourceAccount; add Condition StringEquals {"aws:SourceAccount": "<account-id>"}`);
        }
    });
    return problems;
}

/** Whether a task's serviceRoleArn points at this role: by dependency, ARN, or the name at its end. */
function taskUsesRole(task: StackResource, role: StackResource): boolean {
    const byRef = refersTo(task, "serviceRoleArn", role, ["arn"]);
    if (byRef !== false) {
        return byRef === true;
    }
    const arn = task.props.serviceRoleArn;
    const roleName = [role.props.name, role.props.id].find((n) => typeof n === "string" && n !== "" && !isUnknown(n));
    // Role ARNs end in role/<path/><name>; the plan's inputs hold no ARN for the role itself.
    return typeof arn === "string" && roleName !== undefined && arn.endsWith(`/${roleName}`);
}

export const windowRoleTrust: StackValidationPolicy = {
    name: "window-role-trust",
    description:
        "The service role a patching task or a hybrid activation runs as is assumable only by SSM acting for this account: its trust policy names only " +
        "the service ssm.amazonaws.com and has a Condition on aws:SourceAccount (confused-deputy protection).",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const tasks = patchingScope(resources).tasks;
        const activations = ofType(resources, TYPES.activation);
        for (const role of ofType(resources, TYPES.role)) {
            const trust = role.props.assumeRolePolicy;
            if (isUnknown(trust) || !isSet(trust)) {
                continue;
            }
            const usedBy = tasks.filter((t) => taskUsesRole(t, role));
            const activation = activations.find((a) => namesRole(a, "iamRole", role));
            if (usedBy.length === 0 && !activation) {
                continue; // not a role SSM assumes for patching (e.g. the instance role, trusted by ec2.amazonaws.com)
            }
            const why =
                usedBy.length > 0
                    ? `used by task ${label(usedBy[0].props, usedBy[0].name)}`
                    : `the role of activation ${label(activation!.props, activation!.name)}`;
            for (const problem of windowTrustProblems(trust)) {
                reportViolation(`role ${label(role.props, role.name)} (${why}): ${problem}.`, role.urn);
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

/**
 * AWS managed policies that let their holder run any document on every managed node (each grants
 * ssm:SendCommand on *, directly or through ssm:*): on a node's role, one compromised node commands all.
 */
export const FLEET_COMMAND_POLICIES = [
    "service-role/AmazonSSMMaintenanceWindowRole",
    "AmazonSSMFullAccess",
    "service-role/AmazonSSMAutomationRole",
    "AmazonSSMAutomationRole",
] as const;

const FLEET_COMMAND_POLICY_ARN = new RegExp(
    `^arn:aws(-[a-z]+)*:iam::aws:policy/(${FLEET_COMMAND_POLICIES.map((p) => p.replace(/[/-]/g, "\\$&")).join("|")})$`,
);

/** Whether a trust policy lets EC2 instances assume the role. */
function trustsEc2(document: unknown): boolean {
    const parsed = parsePolicyDocument(document);
    return parsed.ok && JSON.stringify(parsed.value ?? null).includes("ec2.amazonaws.com");
}

/** Actions that run commands or runbooks on managed nodes. */
const FLEET_COMMAND_ACTIONS = ["ssm:SendCommand", "ssm:StartAutomationExecution"];

export const instanceRoleNotAdmin: StackValidationPolicy = {
    name: "instance-role-not-admin",
    description:
        "A node's role (trusted by ec2.amazonaws.com, in an instance profile, or a hybrid activation's) cannot run commands on " +
        "other nodes or make itself an administrator: no AmazonSSMMaintenanceWindowRole, AmazonSSMFullAccess, " +
        "AmazonSSMAutomationRole, AdministratorAccess, PowerUserAccess, IAMFullAccess or SystemAdministrator, and no policy of " +
        "its own allowing ssm:SendCommand or ssm:StartAutomationExecution (or * / iam:*) on every resource: one compromised " +
        "node could then run any document on the whole fleet. Give nodes AmazonSSMManagedInstanceCore.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const profiles = ofType(resources, TYPES.instanceProfile);
        const activations = ofType(resources, TYPES.activation);
        for (const role of ofType(resources, TYPES.role)) {
            const why = trustsEc2(role.props.assumeRolePolicy)
                ? "trusted by ec2.amazonaws.com"
                : profiles.some((p) => namesRole(p, "role", role))
                  ? "in an instance profile"
                  : activations.some((a) => namesRole(a, "iamRole", role))
                    ? "the role of a hybrid activation"
                    : undefined;
            if (why === undefined) continue;
            const held = rolePolicies(role, resources);
            const grants = [
                ...held.arns.filter((arn) => FLEET_COMMAND_POLICY_ARN.test(arn) || ADMIN_POLICY_ARN.test(arn)),
                ...held.documents
                    .filter((d) =>
                        statementsOf([d]).some((s) => isAdminStatement(s) || FLEET_COMMAND_ACTIONS.some((a) => grantsEverywhere(s, a))),
                    )
                    .map((d) => `policy ${show(d.name)} (ssm:SendCommand or more on *)`),
            ];
            for (const grant of [...new Set(grants)]) {
                reportViolation(
                    `role ${label(role.props, role.name)} (${why}) holds ${grant}, which runs commands on every managed node: ` +
                        `a compromised node could take over the fleet. Detach it; nodes need AmazonSSMManagedInstanceCore.`,
                    role.urn,
                );
            }
        }
    },
};

export const iamPolicies = [noEc2RoleForSsm, windowRoleTrust, instanceRoleNotAdmin];
