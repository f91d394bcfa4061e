// Rules for hybrid activations (servers outside AWS joining patch groups): how long a code is
// valid, how many servers it admits, which role registered servers run as, and that the code,
// a password into the account, is a secret.
//
// What a rule cannot check: whether a stack output exports the code in plain text. The analyzer
// hands policies every value with its secret wrapper removed (@pulumi/policy deserialize.ts), so a
// secret output and a plain one look alike. What it can check is the source: with
// `additionalSecretOutputs: ["activationCode"]` on the activation, the state holds the code
// encrypted and every output derived from it is secret too (unless a program calls
// pulumi.unsecret). The program's tests assert its outputs are secret.

import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluationTime, NOW_PROPERTY } from "./clock";
import {
    StackResource,
    asArray,
    configWithDefaults,
    grantsEverywhere,
    isSet,
    isUnknown,
    label,
    namesRole,
    ofType,
    parsePolicyDocument,
    refersTo,
    report,
    roleName,
    rolePolicies,
    show,
    stackResources,
    statementsOf,
    validateResourceOfTypes,
} from "./util";
import { TYPES } from "@patch-manager/ssm";

/** CreateActivation: ExpirationDate at most 30 days ahead; RegistrationLimit 1–1000 (API model). */
export const MAX_EXPIRY_DAYS = 30;
export const MAX_REGISTRATION_LIMIT = 1000;
const DAY_MS = 86_400_000;

/** AWS managed policies that make a role an administrator (of the account, of IAM, or of every managed node). */
export const ADMIN_POLICIES = [
    "AdministratorAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "job-function/SystemAdministrator",
    // On a registered server's role this would let any one server run commands on every other node.
    "AmazonSSMFullAccess",
] as const;

export const ADMIN_POLICY_ARN = new RegExp(
    `^arn:aws(-[a-z]+)*:iam::aws:policy/(${ADMIN_POLICIES.map((p) => p.replace(/[/-]/g, "\\$&")).join("|")})$`,
);

export const SERVICE_LINKED_ROLE = /^(arn:aws(-[a-z]+)*:iam::\d{12}:role\/aws-service-role\/.*|AWSServiceRoleFor.*)$/;

// ------------------------------------------------------------------------------------------------

const expirySchema: PolicyConfigSchema = { properties: { ...NOW_PROPERTY } };

export const activationExpiry: ResourceValidationPolicy = {
    name: "hybrid-activation-expiry",
    description:
        "A hybrid activation's expirationDate, where set, is an RFC 3339 time at most 30 days ahead (CreateActivation refuses " +
        "more): an activation code is a password into the account. Without one the code expires after 24 hours.",
    enforcementLevel: "mandatory",
    configSchema: expirySchema,
    validateResource: validateResourceOfTypes(TYPES.activation, (a, args, reportViolation) => {
        const who = `activation ${label(a, args.name)}`;
        const expiry = a.expirationDate;
        if (isUnknown(expiry)) {
            return; // derived from a rotation created in the same update; `pulumi up` checks the value
        }
        if (!isSet(expiry)) {
            return; // CreateActivation: "If you don't provide an expiration date, the activation code expires in 24 hours."
        }
        const property = {
            property: "expirationDate",
            valid: `an RFC 3339 time at most ${MAX_EXPIRY_DAYS} days ahead ("2026-12-01T00:00:00Z")`,
        };
        const at = typeof expiry === "string" ? Date.parse(expiry) : NaN;
        if (Number.isNaN(at)) {
            report(reportViolation, {
                message: `${who} has expirationDate ${show(expiry)}, which is not an RFC 3339 time such as "2026-12-01T00:00:00Z".`,
                ...property,
            });
            return;
        }
        const days = (at - evaluationTime(args.getConfig<{ now?: string }>())) / DAY_MS;
        if (days > MAX_EXPIRY_DAYS) {
            report(reportViolation, {
                message:
                    `${who} expires ${expiry}, ${days.toFixed(1)} days from now; an activation code may be valid at most ${MAX_EXPIRY_DAYS} days ` +
                    `(SSM refuses a later expirationDate): renew it more often instead.`,
                ...property,
            });
        }
    }),
};

interface RegistrationLimitConfig {
    maxRegistrationLimit: number;
}

const registrationLimitSchema: PolicyConfigSchema = {
    properties: {
        maxRegistrationLimit: {
            type: "integer",
            minimum: 1,
            maximum: MAX_REGISTRATION_LIMIT,
            default: MAX_REGISTRATION_LIMIT,
            description: "The most servers one activation may admit (SSM's own maximum is 1000).",
        },
    },
};

export const activationRegistrationLimit: ResourceValidationPolicy = {
    name: "hybrid-activation-registration-limit",
    description:
        "A hybrid activation's registrationLimit, where set, is from 1 to the configured maximum (SSM: 1000), so a leaked code " +
        "admits a known number of servers. Without one SSM admits 1.",
    enforcementLevel: "mandatory",
    configSchema: registrationLimitSchema,
    validateResource: validateResourceOfTypes(TYPES.activation, (a, args, reportViolation) => {
        const cfg = configWithDefaults<RegistrationLimitConfig>(registrationLimitSchema, args);
        const who = `activation ${label(a, args.name)}`;
        const limit = a.registrationLimit;
        if (isUnknown(limit)) {
            return;
        }
        if (!isSet(limit)) {
            return; // CreateActivation: RegistrationLimit "The default value is 1."
        } else if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > cfg.maxRegistrationLimit) {
            report(reportViolation, {
                message:
                    `${who} has registrationLimit ${show(limit)}; it must be a whole number from 1 to ${cfg.maxRegistrationLimit}` +
                    (cfg.maxRegistrationLimit < MAX_REGISTRATION_LIMIT ? " (config maxRegistrationLimit)." : " (SSM's maximum)."),
                property: "registrationLimit",
                valid: `a whole number of servers from 1 to the pack's maxRegistrationLimit (SSM: ${MAX_REGISTRATION_LIMIT})`,
            });
        }
    }),
};

export const activationCodeSecret: ResourceValidationPolicy = {
    name: "hybrid-activation-code-secret",
    description:
        "A hybrid activation lists activationCode in additionalSecretOutputs: the provider does not mark the code secret, so " +
        "otherwise the state and any stack output made from it hold the code in plain text.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.activation, (a, args, reportViolation) => {
        const secret = asArray<string>(args.opts?.additionalSecretOutputs);
        if (!secret.includes("activationCode")) {
            reportViolation(
                `activation ${label(a, args.name)} does not keep its code secret; add the resource option ` +
                    `additionalSecretOutputs: ["activationCode"] and export the code only through pulumi.secret.`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

const SSM_SERVICE = "ssm.amazonaws.com";
const EC2_SERVICE = "ec2.amazonaws.com";

function trustedServices(document: unknown): string[] | undefined {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) {
        return undefined;
    }
    return asArray(parsed.value?.Statement)
        .filter((s: any) => (s?.Effect ?? "Allow") === "Allow")
        .flatMap((s: any) => (s?.Principal && typeof s.Principal === "object" ? asArray<string>(s.Principal.Service) : []));
}

/** The stack's role the activation names: by dependency, or by name (or the name at the end of an ARN). */
function roleOf(activation: StackResource, roles: StackResource[]): StackResource | undefined {
    const byDependency = roles.find((r) => refersTo(activation, "iamRole", r, ["name", "id"]) === true);
    if (byDependency) {
        return byDependency;
    }
    const ref = activation.props.iamRole;
    if (typeof ref !== "string") {
        return undefined;
    }
    const name = ref.slice(ref.lastIndexOf("/") + 1);
    return roles.find((r) => roleName(r) === name);
}

/** An Allow of everything, or of all of IAM, on every resource. */
export function isAdminStatement(s: any): boolean {
    return grantsEverywhere(s, "iam:PutRolePolicy") && asArray<string>(s?.Action).some((a) => a === "*" || a === "*:*" || a === "iam:*");
}

/** What makes the role an administrator: admin managed policies and inline `*` statements. */
export function adminGrants(role: StackResource, resources: StackResource[]): string[] {
    const held = rolePolicies(role, resources);
    const grants: string[] = held.arns.filter((arn) => ADMIN_POLICY_ARN.test(arn));
    for (const p of held.documents) {
        if (statementsOf([p]).some(isAdminStatement)) {
            grants.push(`inline policy ${show(p.name)} (allows * on *)`);
        }
    }
    return grants;
}

export const activationRole: StackValidationPolicy = {
    name: "hybrid-activation-role",
    description:
        "A hybrid activation's iamRole is a role of its own, by name: assumable by ssm.amazonaws.com, not the EC2 instance role " +
        "(trusted by ec2.amazonaws.com or in an instance profile), not a service-linked role (SSM refuses one), and without " +
        "administrator policies (AdministratorAccess, PowerUserAccess, IAMFullAccess, SystemAdministrator, AmazonSSMFullAccess).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const roles = ofType(resources, TYPES.role);
        const profiles = ofType(resources, TYPES.instanceProfile);
        for (const activation of ofType(resources, TYPES.activation)) {
            const who = `activation ${label(activation.props, activation.name)}`;
            const ref = activation.props.iamRole;
            if (typeof ref === "string" && SERVICE_LINKED_ROLE.test(ref)) {
                reportViolation(
                    `${who} uses the service-linked role ${show(ref)}; SSM refuses it: create a service role trusted by ${SSM_SERVICE}.`,
                    activation.urn,
                );
                continue;
            }
            if (typeof ref === "string" && ref.startsWith("arn:")) {
                reportViolation(`${who} has iamRole ${show(ref)}, an ARN; CreateActivation takes the role's name.`, activation.urn);
            }
            const role = roleOf(activation, roles);
            if (!role) {
                continue; // a role outside this stack: nothing here to check it against
            }
            const whoRole = `role ${label(role.props, role.name)}`;
            const services = isUnknown(role.props.assumeRolePolicy) ? undefined : trustedServices(role.props.assumeRolePolicy);
            const profile = profiles.find((p) => namesRole(p, "role", role));
            if (services?.includes(EC2_SERVICE) || profile) {
                const why = profile ? `it is in instance profile ${label(profile.props, profile.name)}` : `it trusts ${EC2_SERVICE}`;
                reportViolation(
                    `${who} uses ${whoRole}, the EC2 instance role (${why}); give registered servers a role of their own, trusted by ${SSM_SERVICE} only.`,
                    activation.urn,
                );
            } else if (services !== undefined && !services.includes(SSM_SERVICE)) {
                reportViolation(
                    `${who} uses ${whoRole}, which ${SSM_SERVICE} cannot assume; registered servers would get no credentials.`,
                    activation.urn,
                );
            }
            for (const grant of adminGrants(role, resources)) {
                reportViolation(
                    `${who} uses ${whoRole}, which holds ${grant}; every registered server would be an administrator. ` +
                        `Give it AmazonSSMManagedInstanceCore and write access to the log prefix only.`,
                    activation.urn,
                );
            }
        }
    },
};

export const hybridPolicies = [activationExpiry, activationRegistrationLimit, activationCodeSecret, activationRole];
