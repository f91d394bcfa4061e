// Allow or deny, as IAM decides it: @cloud-copilot/iam-simulate evaluates identity, boundary and
// resource policies with their conditions. Its one blind spot here: it keeps OIDC condition keys
// only when written `<host>:<claim>` without a path, and drops them for AssumeRoleWithWebIdentity
// altogether (ignoredContextKeys), so trust conditions on an identity provider's claims are
// evaluated by oidcMatches below, exactly, and an operator it does not know fails the test.
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument, Role, Statement } from "./world";
import { iamPattern, list, statements } from "./world";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Request {
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
    /** The resource's own policy (a bucket's), evaluated with the identity's. */
    readonly resourcePolicy?: PolicyDocument;
    /** The resource's account when it is not the principal's. */
    readonly resourceAccount?: string;
    /**
     * `resource` is literal text, not a pattern: what IAM authorizes a call on before its resource
     * exists (a creation's tagging, `*`). See literally().
     */
    readonly literal?: Literal;
}

export interface Literal {
    /** A concrete ARN of the resource type the action names, asked in the resource's place. */
    readonly standIn: string;
}

const accountOf = (arn: string, fallback: string): string => arn.split(":")[4] || fallback;

/** What IAM decides when `role` makes `request` (identity policies, boundary, the resource's policy). */
export async function decide(role: Pick<Role, "arn" | "account" | "identity" | "boundary">, request: Request): Promise<Decision> {
    // The same policies in another account (the StackSet's roles, the stacks' alike roles) decide
    // the same: simulate each shape once.
    const key = JSON.stringify([role.arn, role.identity, role.boundary ?? null, request]).replaceAll(role.account, "<account>");
    let decision = decisions.get(key);
    if (!decision) {
        decision = simulate(role, request);
        decisions.set(key, decision);
    }
    return decision;
}

const decisions = new Map<string, Promise<Decision>>();

/** Each document validated once (the simulator reuses a validated policy's result). */
const validatedPolicies = new WeakMap<object, unknown>();
function validated(policy: PolicyDocument, validate: (p: unknown) => unknown[]): any {
    let v = validatedPolicies.get(policy);
    if (!v) {
        v = createValidatedPolicy(policy, validate as never);
        validatedPolicies.set(policy, v);
    }
    return v;
}

/** A boundary none of whose statements applies allows nothing: this one allows no request the model makes. */
const NOTHING: Statement = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::no-bucket-at-all/nothing" };

/**
 * A request on literal text. IAM matches each statement's Resource (or NotResource) patterns against
 * the request's resource as text: `arn:...:key/*` does not match the text `*`, `*` matches anything.
 * The simulator reads a `*` in the request as "some resource" instead and answers whether any
 * resource matching it would be allowed (its "wildcard" result), which is not the question. So each
 * statement is matched against the text here, exactly; those that apply are asked on the stand-in
 * ARN (their Resource replaced by it), the others dropped; conditions stay for the simulator.
 * A policy variable in a pattern cannot be matched offline: it fails the test.
 */
export function literally(role: Pick<Role, "identity" | "boundary">, text: string, standIn: string): Pick<Role, "identity" | "boundary"> {
    const applies = (patterns: unknown, where: string) =>
        list(patterns as string | string[]).some((p) => {
            if (p.includes("${")) throw new Error(`${where}: the pattern ${p} has a policy variable: no literal match offline`);
            return iamPattern(p).test(text);
        });
    const rewrite = (d: PolicyDocument, where: string): PolicyDocument => ({
        ...d,
        Statement: statements(d).flatMap((st): Statement[] => {
            const { Resource, NotResource, ...rest } = st;
            if (Resource === undefined && NotResource === undefined) throw new Error(`${where}: a statement names no resource`);
            const hit = Resource !== undefined ? applies(Resource, where) : !applies(NotResource, where);
            return hit ? [{ ...rest, Resource: standIn }] : [];
        }),
    });
    const identity = role.identity.map((p) => ({ name: p.name, policy: rewrite(p.policy, p.name) }));
    const boundary = role.boundary ? rewrite(role.boundary, "boundary") : undefined;
    // A document left without statements decides nothing; IAM's validator refuses an empty one.
    const nonEmpty = (d: PolicyDocument) => statements(d).length > 0;
    return {
        identity: identity.filter((p) => nonEmpty(p.policy)),
        ...(boundary ? { boundary: nonEmpty(boundary) ? boundary : { Version: "2012-10-17", Statement: [NOTHING] } } : {}),
    };
}

async function simulate(role: Pick<Role, "arn" | "account" | "identity" | "boundary">, request: Request): Promise<Decision> {
    if (request.literal) {
        const { literal, ...rest } = request;
        const policies = literally(role, request.resource, literal.standIn);
        return simulate({ ...role, ...policies }, { ...rest, resource: literal.standIn });
    }
    const result = await runSimulation(
        {
            request: {
                principal: role.arn,
                action: request.action,
                resource: { resource: request.resource, accountId: request.resourceAccount ?? accountOf(request.resource, role.account) },
                contextVariables: { "aws:PrincipalAccount": role.account, ...(request.context ?? {}) },
            },
            identityPolicies: role.identity.map((p, i) => ({
                name: `${i}-${p.name}`,
                policy: validated(p.policy, validateIdentityPolicy),
            })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(role.boundary
                ? { permissionBoundaryPolicies: [{ name: "boundary", policy: validated(role.boundary, validateIdentityPolicy) }] }
                : {}),
            ...(request.resourcePolicy ? { resourcePolicy: validated(request.resourcePolicy, validateResourcePolicy) } : {}),
        },
        {},
    );
    if (result.resultType === "error")
        throw new Error(`simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`);
    if (result.resultType === "wildcard")
        throw new Error(`${request.action} on ${request.resource}: the model asks about concrete ARNs only`);
    const ignored = (result.result.ignoredContextKeys ?? []).filter((k) => k.toLowerCase() !== "aws:principalaccount");
    // A context key the simulator drops would decide nothing: the request would not be what it says.
    if (ignored.length > 0) throw new Error(`${request.action} on ${request.resource}: the simulator ignores ${ignored.join(", ")}`);
    return result.overallResult as Decision;
}

/** A condition key of an OIDC identity provider: `<host[/path]>:<claim>` (a host has a dot; services and `aws:` do not). */
export const isOidcKey = (key: string): boolean => key.slice(0, key.lastIndexOf(":")).includes(".");

/**
 * IAM's semantics for a condition on token claims: every operator's every key must match; a key
 * missing from the token does not match (no `...IfExists`); one value of a list suffices. Only the
 * operators trust policies on OIDC claims use are known; any other fails.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export function oidcMatches(condition: Record<string, Record<string, unknown>>, claims: Record<string, string>): boolean {
    for (const [operator, keys] of Object.entries(condition)) {
        for (const [key, expected] of Object.entries(keys)) {
            if (!isOidcKey(key)) continue;
            const actual = claims[key];
            const values = list(expected as string | string[]).map(String);
            if (operator === "StringEquals") {
                if (actual === undefined || !values.includes(actual)) return false;
            } else if (operator === "StringLike") {
                if (actual === undefined || !values.some((v) => iamPattern(v).test(actual))) return false;
            } else
                throw new Error(
                    `trust condition ${operator} on ${key}: the model evaluates StringEquals and StringLike on OIDC claims only`,
                );
        }
    }
    return true;
}

function withoutOidc(s: Statement): Statement {
    if (!s.Condition) return s;
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [op, keys] of Object.entries(s.Condition)) {
        const rest = Object.fromEntries(Object.entries(keys).filter(([k]) => !isOidcKey(k)));
        if (Object.keys(rest).length > 0) condition[op] = rest;
    }
    const { Condition: _, ...plain } = s;
    return Object.keys(condition).length > 0 ? { ...plain, Condition: condition } : plain;
}

export interface AssumeRequest {
    /** An OIDC provider's ARN, a service principal (`ssm.amazonaws.com`) or an IAM principal's ARN. */
    readonly principal: string;
    readonly action: "sts:AssumeRole" | "sts:AssumeRoleWithWebIdentity";
    /** The token's claims, keyed as the trust policy names them (`api.pulumi.com/oidc:sub`). */
    readonly claims?: Record<string, string>;
    readonly context?: Record<string, string | string[]>;
}

/**
 * Whether the role's trust lets the principal assume it. Each statement is simulated without its
 * OIDC conditions (principal, action and every other condition by the simulator), and its OIDC
 * conditions are evaluated by oidcMatches: a statement applies when both say so.
 */
export async function assume(role: Pick<Role, "arn" | "account" | "trust">, request: AssumeRequest): Promise<Decision> {
    let allowed = false;
    for (const s of statements(role.trust)) {
        if (!oidcMatches(s.Condition ?? {}, request.claims ?? {})) continue;
        const single: PolicyDocument = { Version: "2012-10-17", Statement: [{ ...withoutOidc(s), Effect: "Allow" }] };
        const result = await runSimulation(
            {
                request: {
                    principal: request.principal,
                    action: request.action,
                    resource: { resource: role.arn, accountId: role.account },
                    contextVariables: request.context ?? {},
                },
                identityPolicies: [],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: single,
            },
            {},
        );
        if (result.resultType !== "single") throw new Error(`trust of ${role.arn}: ${JSON.stringify(result)}`.slice(0, 2000));
        const ignored = result.result.ignoredContextKeys ?? [];
        if (ignored.length > 0) throw new Error(`trust of ${role.arn}: the simulator ignores ${ignored.join(", ")}`);
        if (result.overallResult === "Allowed") {
            if (s.Effect === "Deny") return "ExplicitlyDenied";
            allowed = true;
        }
    }
    return allowed ? "Allowed" : "ImplicitlyDenied";
}
