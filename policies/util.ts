// Helpers shared by the rules. Nothing here loads @pulumi/policy or @pulumi/aws at run time:
// the rules match resources by type token, as `validateResourceOfType` does with a class's
// `__pulumiType`, so the pack, the tests and the offline audit stay light.

import type {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import { isProxy } from "node:util/types";
import { TYPES } from "@patch-manager/ssm";

// ------------------------------------------------------------------------------------------------
// Unknown values
// ------------------------------------------------------------------------------------------------

/**
 * During `pulumi preview` an input that depends on a resource not yet created (a role's ARN, a
 * window's id) is unknown. The engine hands policies a proxy that throws on reading such a value,
 * which would abort the whole rule with "can't run policy during preview". The rules read props
 * through `materialize` instead, which turns every unknown into this marker, and skip only the
 * checks that need the value: `pulumi up` analyzes each resource again with its inputs resolved.
 */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** The sentinels the engine sends for unknown values (@pulumi/policy proxy.ts, @pulumi/pulumi rpc.ts). */
const UNKNOWN_SENTINELS = new Set<string>([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the generic unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN || (typeof value === "string" && UNKNOWN_SENTINELS.has(value));
}

/** A plain copy of policy props in which every unknown value is `UNKNOWN`. */
export function materialize(value: unknown): any {
    if (isUnknown(value)) {
        return UNKNOWN;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const target = proxiedTarget(value);
    if (target !== undefined) {
        return materializeProxied(target, () => value);
    }
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            out.push(materialize(read(value, i)));
        }
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        out[key] = materialize(read(value, key));
    }
    return out;
}

/**
 * The key under which a runner that deserializes props itself (tools/audit/engine.ts) hangs, on
 * a resource rule's args and on a stack rule's resource and its provider, a function that gives a
 * fresh plain copy of what `props` wraps: the same values, not yet read or assigned, and no one
 * else's. `materialize` of the props is then that copy with its unknowns replaced in place,
 * without the proxy and a second copy. The function answers undefined once `props` has been read
 * or assigned (a rule may have changed it): then the props themselves are materialized. A
 * registered symbol for the same reason as FINDING_RECEIVER; the analyzer's args have no such key.
 */
export const OWN_PROPS: unique symbol = Symbol.for("patch-manager/policies: own props");

/** Something that may carry an OWN_PROPS function beside its props. */
type WithOwnProps = { props?: unknown; [OWN_PROPS]?: () => unknown };

/** `materialize(holder.props)`: from the runner's own plain copy where it offers one. */
export function materializeProps(holder: WithOwnProps | undefined): any {
    const own = holder?.[OWN_PROPS];
    if (typeof own === "function") {
        const copy = own();
        if (copy !== null && typeof copy === "object" && unknownsReplaced(copy as Record<string, unknown>)) return copy;
    }
    return materialize(holder?.props);
}

/**
 * Replaces every unknown in a plain copy by `UNKNOWN`, in place; false (the copy half changed,
 * to be dropped) where the copy holds a key through which the proxy answers for itself or an
 * object not of Object's prototype, where `materialize` of the proxy differs from the values beneath.
 */
function unknownsReplaced(value: Record<string, unknown> | unknown[]): boolean {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const v = value[i];
            if (isUnknown(v)) value[i] = UNKNOWN;
            else if (v !== null && typeof v === "object" && !unknownsReplaced(v as Record<string, unknown>)) return false;
        }
        return true;
    }
    // An object of another prototype (a "__proto__" key deserialized by assignment sets one) has
    // values the proxy reads through it but a copy's own keys do not show.
    if (Object.getPrototypeOf(value) !== Object.prototype) return false;
    for (const key of Object.keys(value)) {
        if (key === IS_SPECIAL_PROXY || key === SPECIAL_PROXY_TARGET) return false;
        const v = value[key];
        if (isUnknown(v)) value[key] = UNKNOWN;
        else if (v !== null && typeof v === "object" && !unknownsReplaced(v as Record<string, unknown>)) return false;
    }
    return true;
}

function read(container: any, key: string | number): unknown {
    try {
        return container[key];
    } catch (e) {
        // @pulumi/policy's unknownCheckingProxy throws UnknownValueError (not exported in typings).
        if (e instanceof Error && e.constructor.name === "UnknownValueError") {
            return UNKNOWN;
        }
        throw e;
    }
}

/**
 * The keys through which @pulumi/policy's unknownCheckingProxy (proxy.ts `isSpecialProxy`,
 * `getSpecialProxyTarget`) answers for itself at every depth instead of for the value beneath.
 */
const IS_SPECIAL_PROXY = "__isSpecialProxy";
const SPECIAL_PROXY_TARGET = "__getSpecialProxyTarget";

/** The object an unknownCheckingProxy wraps (read through its own key), or undefined for anything else. */
function proxiedTarget(value: object): object | undefined {
    if (!isProxy(value)) return undefined;
    try {
        const v = value as Record<string, unknown>;
        if (v[IS_SPECIAL_PROXY] !== true) return undefined;
        const target = v[SPECIAL_PROXY_TARGET];
        return target !== null && typeof target === "object" && Array.isArray(target) === Array.isArray(value) ? target : undefined;
    } catch {
        return undefined;
    }
}

/**
 * `materialize` of an unknownCheckingProxy, read off the object it wraps instead of through the
 * proxy's get trap: the same copy without a nested proxy, a key path and a thrown
 * UnknownValueError per value. The proxy's get reads the target's value, throws for an unknown
 * (here: `materialize` turns the sentinel into `UNKNOWN`, as `read` turns the throw), answers its
 * two own keys, and wraps every other object, a proxy too, in a proxy of its own (here: the
 * recursion, which reads a wrapped proxy through its get as the outer one would). Values a
 * plain copy could tell apart from the proxy's answer (a function, which it would wrap; an
 * object behind a frozen property, which it would hand over unwrapped) are read through the proxy
 * itself, which `proxy` gives on demand.
 */
function materializeProxied(target: any, proxy: () => any): any {
    if (Array.isArray(target)) {
        const out: unknown[] = [];
        for (let i = 0; i < target.length; i++) {
            out.push(materializeField(target, i, proxy));
        }
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(target)) {
        out[key] = materializeField(target, key, proxy);
    }
    return out;
}

/** `materialize` of what the proxy's get answers for `key`. */
function materializeField(target: any, key: string | number, proxy: () => any): unknown {
    if (key === IS_SPECIAL_PROXY) return true;
    if (key === SPECIAL_PROXY_TARGET) return materialize(target);
    const v = read(target, key);
    if (typeof v === "function") return materialize(read(proxy(), key));
    if (v === null || typeof v !== "object") return materialize(v);
    const d = Object.getOwnPropertyDescriptor(target, key);
    if (d && "value" in d && d.configurable === false && d.writable === false) return materialize(read(proxy(), key));
    return materializeProxied(v, () => read(proxy(), key));
}

// ------------------------------------------------------------------------------------------------
// Reporting a finding
// ------------------------------------------------------------------------------------------------

/**
 * A finding as a rule states it. `message` is all that @pulumi/policy's analyzer passes on (its
 * `reportViolation(message, urn?)`), so it stays the whole story for a person. Where the problem is
 * one input property of the flagged resource, the rule also names that property, as a Pulumi
 * property path (`maxErrors`, `approvalRules[1].approveAfterDays`, the form `ignoreChanges`
 * takes), and what it accepts there: the offline engine keeps both beside the message, and the
 * plan and the audit turn the property into the stack-config key that sets it (tools/audit/findings.ts)
 * without reading the message.
 */
export type Finding = {
    message: string;
    /** A stack rule's finding: the resource it is on (the stack when left out). */
    urn?: string;
} & ({ property: string; valid: string } | { property?: undefined; valid?: undefined });

/**
 * The key under which a runner that keeps a finding's fields (tools/audit/engine.ts) hangs its
 * receiver on the `reportViolation` it hands a rule. A registered symbol, so that a second copy of
 * this module (the packed tarball beside a checkout) finds the same key; the analyzer's
 * reportViolation has no such key, and gets the message alone.
 */
export const FINDING_RECEIVER: unique symbol = Symbol.for("patch-manager/policies: finding receiver");

/** A `reportViolation` that may carry a receiver for whole findings. */
export type FindingReport = ReportViolation & { [FINDING_RECEIVER]?: (finding: Finding) => void };

/** Reports a finding: whole to a runner that keeps its fields, else as `reportViolation(message, urn)`. */
export function report(reportViolation: FindingReport, finding: Finding): void {
    const receive = reportViolation[FINDING_RECEIVER];
    if (typeof receive === "function") {
        receive(finding);
    } else {
        reportViolation(finding.message, finding.urn);
    }
}

// ------------------------------------------------------------------------------------------------
// Type matching (the equivalent of validateResourceOfType without loading the resource classes)
// ------------------------------------------------------------------------------------------------

/**
 * Like `validateResourceOfType(aws.x.Y, fn)`: runs `fn` on the materialized inputs of resources
 * of the given type token(s), and calls `args.notApplicable()` for any other type. With one type
 * token the function carries `__pulumiType`, so the engine skips other resources without calling
 * it (server.ts's fast path), exactly as for a generated resource class.
 */
export function validateResourceOfTypes(
    types: string | readonly string[],
    validate: (props: any, args: ResourceValidationArgs, reportViolation: ReportViolation) => void | Promise<void>,
): ResourceValidation {
    const list: readonly string[] = typeof types === "string" ? [types] : types;
    const fn: ResourceValidation & { __pulumiType?: string } = (args, reportViolation) => {
        if (!list.includes(args.type)) {
            return args.notApplicable(`Policy only applies to resources of type ${list.map((t) => `'${t}'`).join(", ")}`);
        }
        return validate(materializeProps(args as WithOwnProps), args, reportViolation);
    };
    if (list.length === 1) {
        fn.__pulumiType = list[0];
    } else {
        Object.defineProperty(fn, APPLIES_TO, { value: list });
    }
    return fn;
}

/**
 * The types a validation of several types applies to, under this key (not enumerable): a runner
 * that knows it (tools/audit/engine.ts) skips other resources without the call and the thrown
 * not-applicable, as server.ts does for one type by `__pulumiType`. What the rule reports is the
 * same: the call would only say it does not apply. A registered symbol, as FINDING_RECEIVER.
 */
export const APPLIES_TO: unique symbol = Symbol.for("patch-manager/policies: applies to");

/** A resource of a stack policy with its props materialized (unknowns as `UNKNOWN`). */
export interface StackResource {
    type: string;
    urn: string;
    name: string;
    props: any;
    /** URNs this resource depends on, per property (how the engine relates resources in preview). */
    propertyDependencies: Record<string, string[]>;
    parent?: string;
    /** The resource's region where known: its provider's, or the `region` output of provider v7. */
    region?: string;
    /** The tags its provider adds to every resource (`defaultTags.tags`), where the provider says. */
    providerTags?: unknown;
}

/** The provider's `defaultTags.tags` (a policy resource's or a resource rule's args carry the provider). */
export function providerDefaultTags(r: { provider?: { props?: unknown } }): unknown {
    return defaultTagsOf(materializeProps(r.provider as WithOwnProps | undefined));
}

/** The `defaultTags.tags` of materialized provider props. */
function defaultTagsOf(providerProps: any): unknown {
    const tags = providerProps?.defaultTags;
    const inner = Array.isArray(tags) ? tags[0]?.tags : tags?.tags;
    return inner && typeof inner === "object" && !isUnknown(inner) ? inner : undefined;
}

/** The region a resource lives in: the explicit provider's `region` (its materialized props), else the resource's own `region` output. */
function regionOf(providerProps: any, props: any): string | undefined {
    const fromProvider = providerProps?.region;
    const region = typeof fromProvider === "string" && !isUnknown(fromProvider) ? fromProvider : props?.region;
    return typeof region === "string" && !isUnknown(region) && region !== "" ? region : undefined;
}

/**
 * The resources split by region (those of unknown region together): a stack that deploys into
 * several regions (patch-manager:regions) repeats patch groups and windows in each, which the
 * per-account-and-region rules must not read as duplicates.
 */
export function byRegion(resources: StackResource[]): StackResource[][] {
    const groups = new Map<string, StackResource[]>();
    for (const r of resources) {
        const key = r.region ?? "";
        // Appended in place: copying the list at each resource was quadratic in the stack's size.
        const group = groups.get(key);
        if (group === undefined) groups.set(key, [r]);
        else group.push(r);
    }
    return [...groups.values()];
}

/**
 * The key under which a runner (tools/audit/engine.ts) hangs, on a stack rule's args, a function
 * that gives the run's resources as `stackResources` makes them from the args as handed (before a
 * rule has read or assigned `args.resources`; undefined after): made once for all the rules of a
 * run, frozen to the last value, so that a rule that would change them fails instead of changing
 * what the next rule sees. A registered symbol, as FINDING_RECEIVER; the analyzer has no such key.
 */
export const RUN_RESOURCES: unique symbol = Symbol.for("patch-manager/policies: run's stack resources");

/**
 * Set (true) by the runner on the run's one list (RUN_RESOURCES), frozen to the last value with
 * it: what is found of that list can be found once for the run (policies/scope.ts). Another list,
 * frozen or not, is not marked, and may have parts that still change.
 */
export const RUN_LIST: unique symbol = Symbol.for("patch-manager/policies: the run's frozen list");

/** The runner's list for the run, deep-frozen (RUN_LIST). */
export function isRunList(resources: readonly StackResource[]): boolean {
    return Object.isFrozen(resources) && (resources as { [RUN_LIST]?: unknown })[RUN_LIST] === true;
}

/**
 * The stack's resources with their props materialized (unknowns as `UNKNOWN`), related by URN.
 * Read-only: under the offline runner they are the run's one frozen list (RUN_RESOURCES).
 */
export function stackResources(args: StackValidationArgs): StackResource[] {
    const shared = (args as { [RUN_RESOURCES]?: unknown })[RUN_RESOURCES];
    if (typeof shared === "function") {
        const list: unknown = shared();
        if (Array.isArray(list)) return list as StackResource[];
    }
    return materializedResources(args.resources);
}

/** `stackResources` of a list of policy resources: a new copy of each. */
export function materializedResources(resources: readonly PolicyResource[]): StackResource[] {
    return resources.map((r: PolicyResource) => {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) {
            propertyDependencies[key] = (deps ?? []).map((d) => d.urn);
        }
        const props = materializeProps(r as WithOwnProps) ?? {};
        const providerProps = materializeProps((r as { provider?: WithOwnProps }).provider);
        const region = regionOf(providerProps, props);
        const providerTags = defaultTagsOf(providerProps);
        return {
            type: r.type,
            urn: r.urn,
            name: r.name,
            props,
            propertyDependencies,
            parent: r.parent?.urn ?? r.opts?.parent,
            ...(region !== undefined ? { region } : {}),
            ...(providerTags !== undefined ? { providerTags } : {}),
        };
    });
}

export function ofType(resources: StackResource[], ...types: string[]): StackResource[] {
    return resources.filter((r) => types.includes(r.type));
}

/**
 * Whether `from.props[prop]` refers to `to`: by the engine's property dependencies (which exist
 * even when ids are unknown in preview) or by value (the id, or one of `to`'s identifying props).
 * `undefined` when neither can tell (an unknown value without dependency information).
 */
export function refersTo(from: StackResource, prop: string, to: StackResource, identifying: string[] = ["id"]): boolean | undefined {
    const deps = from.propertyDependencies[prop];
    if (deps && deps.length > 0) {
        return deps.includes(to.urn);
    }
    const value = from.props[prop];
    if (value === undefined || value === null || value === "") {
        return false;
    }
    if (isUnknown(value)) {
        return undefined;
    }
    for (const key of identifying) {
        const id = to.props[key];
        if (typeof id === "string" && id !== "" && !isUnknown(id) && id === value) {
            return true;
        }
    }
    return identifying.some((key) => isUnknown(to.props[key])) ? undefined : false;
}

/** A role's name as other resources refer to it: its name prop, else its id (IAM role ids are names). */
export function roleName(role: StackResource): string | undefined {
    return [role.props.name, role.props.id].find((n): n is string => typeof n === "string" && n !== "" && !isUnknown(n));
}

/** Whether `from.props[prop]` (a value or a list) names the role: by dependency, by name or ARN, or an ARN ending in /<name>. */
export function namesRole(from: StackResource, prop: string, role: StackResource): boolean {
    if (refersTo(from, prop, role, ["name", "id", "arn"]) === true) return true;
    const name = roleName(role);
    return asArray(from.props[prop]).some((v) => typeof v === "string" && name !== undefined && (v === name || v.endsWith(`/${name}`)));
}

/** What a role holds: managed policy ARNs (on it and by every attachment type) and policy documents. */
export interface RolePolicies {
    arns: string[];
    /** Inline policies, aws.iam.RolePolicy, and the documents of customer-managed policies of the stack it holds. */
    documents: { name: unknown; policy: unknown }[];
}

/** What rolePolicies looks through for a role: the stack's attachments and policies, found once for every role. */
export interface RoleHoldings {
    rolePolicyAttachments: StackResource[];
    policyAttachments: StackResource[];
    rolePolicyAttachmentsExclusive: StackResource[];
    rolePolicies: StackResource[];
    policies: StackResource[];
}

export function roleHoldings(resources: StackResource[]): RoleHoldings {
    return {
        rolePolicyAttachments: ofType(resources, TYPES.rolePolicyAttachment),
        policyAttachments: ofType(resources, TYPES.policyAttachment),
        rolePolicyAttachmentsExclusive: ofType(resources, TYPES.rolePolicyAttachmentsExclusive),
        rolePolicies: ofType(resources, TYPES.rolePolicy),
        policies: ofType(resources, TYPES.policy),
    };
}

/** What the role holds among `resources` (whose roleHoldings a caller asking for many roles passes). */
export function rolePolicies(
    role: StackResource,
    resources: StackResource[],
    holdings: RoleHoldings = roleHoldings(resources),
): RolePolicies {
    const attached = [
        ...holdings.rolePolicyAttachments.filter((a) => namesRole(a, "role", role)).map((a) => a.props.policyArn),
        ...holdings.policyAttachments.filter((a) => namesRole(a, "roles", role)).map((a) => a.props.policyArn),
        ...holdings.rolePolicyAttachmentsExclusive
            .filter((a) => namesRole(a, "roleName", role))
            .flatMap((a) => asArray(a.props.policyArns)),
    ];
    const arns = [...asArray(role.props.managedPolicyArns), ...attached].filter((a): a is string => typeof a === "string" && !isUnknown(a));
    const customerManaged = holdings.policies.filter((p) => arns.some((arn) => arn === p.props.arn || arn === p.props.id));
    return {
        arns,
        documents: [
            ...asArray<any>(role.props.inlinePolicies).map((p) => ({ name: p?.name, policy: p?.policy })),
            ...holdings.rolePolicies
                .filter((p) => namesRole(p, "role", role))
                .map((p) => ({ name: p.props.name ?? p.name, policy: p.props.policy })),
            ...customerManaged.map((p) => ({ name: p.props.name ?? p.name, policy: p.props.policy })),
        ],
    };
}

/** Whether an IAM action pattern (`ssm:Send*`, `*`) covers the action; IAM matches case-insensitively. */
export function actionMatches(pattern: unknown, action: string): boolean {
    if (typeof pattern !== "string") return false;
    let re = ACTION_PATTERNS.get(pattern);
    if (re === undefined) {
        re = new RegExp(
            `^${pattern
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")
                .replace(/\?/g, ".")}$`,
            "i",
        );
        // The rules ask about the same few patterns for every role and action: each compiled once.
        if (ACTION_PATTERNS.size >= 1000) ACTION_PATTERNS.clear();
        ACTION_PATTERNS.set(pattern, re);
    }
    return re.test(action);
}

const ACTION_PATTERNS = new Map<string, RegExp>();

/** Whether an Allow statement grants the action on every resource (`Resource: "*"` or NotResource), unconditionally. */
export function grantsEverywhere(statement: any, action: string): boolean {
    if ((statement?.Effect ?? "Allow") !== "Allow" || (statement?.Condition && Object.keys(statement.Condition).length > 0)) return false;
    const allowed =
        statement?.NotAction !== undefined
            ? !asArray(statement.NotAction).some((a) => actionMatches(a, action))
            : asArray(statement?.Action).some((a) => actionMatches(a, action));
    return allowed && (asArray(statement?.Resource).includes("*") || statement?.NotResource !== undefined);
}

/** The statements of every policy document that parses. */
export function statementsOf(documents: { policy: unknown }[]): any[] {
    return documents.flatMap((d) => {
        const parsed = parsePolicyDocument(d.policy);
        return parsed.ok ? asArray(parsed.value?.Statement) : [];
    });
}

/** The stack resource's URN, for violations that concern the whole stack. */
export function stackUrn(resources: StackResource[]): string | undefined {
    return resources.find((r) => r.type === TYPES.stack)?.urn;
}

// ------------------------------------------------------------------------------------------------
// URNs, stacks, production
// ------------------------------------------------------------------------------------------------

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → the stack name. */
export function stackNameFromUrn(urn: string | undefined): string | undefined {
    const m = /^urn:pulumi:(.+?)::/.exec(urn ?? "");
    return m ? m[1] : undefined;
}

/** The resource's name part of a URN (everything after the third `::`). */
export function nameFromUrn(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** Config keys the production-aware rules share; every such rule takes them. */
export interface ProductionConfig {
    productionEnvironments: string[];
    productionStacks: string[];
    productionStackPattern: string;
    environmentTagKey: string;
    environmentTagKeys: string[];
    production: boolean;
}

/** A stack name with prod, production or prd as a word of it: `prod`, `prod-eu`, `acme/payments-prd`. */
export const PRODUCTION_STACK_PATTERN = "(^|[-_./])(prod|production|prd)([-_./]|$)";

/** Environment names that are not production, as a word of a tag value. */
const NON_PRODUCTION_PATTERN =
    "(^|[-_./ ])(dev|develop|development|test|testing|qa|uat|stage|staging|stg|sandbox|sbx|acc|acceptance|preprod|pre-prod|nonprod|non-prod|demo|lab)([-_./ 0-9]|$)";

export const productionConfigSchema: PolicyConfigSchema["properties"] = {
    production: {
        type: "boolean",
        default: false,
        description:
            "Every stack this pack judges is production: set it in the config of the policy group that holds the production stacks.",
    },
    productionEnvironments: {
        type: "array",
        items: { type: "string" },
        default: ["production", "prod", "prd"],
        description:
            "Values of an environment tag (on the resource, its window or the stack's tags) that mean production; compared case-insensitively.",
    },
    productionStacks: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Stack names that are production whatever their tags (the stack name is read from the resource URNs).",
    },
    productionStackPattern: {
        type: "string",
        default: PRODUCTION_STACK_PATTERN,
        description:
            "A regular expression (case-insensitive) that a production stack's name matches; by default prod, production or prd " +
            'as a word of the name. Set it to "" to judge by tags and productionStacks only.',
    },
    environmentTagKey: {
        type: "string",
        default: "Environment",
        description: "The tag key that holds the environment; compared case-insensitively.",
    },
    environmentTagKeys: {
        type: "array",
        items: { type: "string" },
        default: ["Env", "Stage"],
        description: "Further tag keys that hold the environment (beside environmentTagKey); compared case-insensitively.",
    },
};

export function tagValue(tags: unknown, key: string): string | undefined {
    if (!tags || typeof tags !== "object" || isUnknown(tags)) {
        return undefined;
    }
    const wanted = key.toLowerCase();
    for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
        if (k.toLowerCase() === wanted && typeof v === "string" && !isUnknown(v)) {
            return v;
        }
    }
    return undefined;
}

function stackTagsObject(stackTags: ReadonlyMap<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    stackTags?.forEach((v, k) => (out[k] = v));
    return out;
}

/** The stack name matches the pattern; a pattern that is not a valid expression matches nothing. */
function matchesPattern(stack: string, pattern: string): boolean {
    if (pattern === "") return false;
    try {
        return new RegExp(pattern, "i").test(stack);
    } catch {
        return false;
    }
}

/**
 * Why a resource counts as production, or undefined. The pack config can say so for every stack
 * (a production policy group); else an environment tag on the resource (or its window) says so,
 * whatever the stack is called; else the stack's name (listed, or shaped like a production name,
 * read from the URN since policy args do not carry it) or the stack's own tags (Pulumi Cloud
 * stacks). An environment tag that names another environment wins over the stack's name.
 */
export function productionReason(
    cfg: Partial<ProductionConfig>,
    where: { tags?: unknown[]; urn?: string; stackTags?: ReadonlyMap<string, string> },
): string | undefined {
    if (cfg.production === true) {
        return "the pack's config: production";
    }
    const envs = (cfg.productionEnvironments ?? ["production", "prod", "prd"]).map((e) => e.toLowerCase());
    const keys = [cfg.environmentTagKey ?? "Environment", ...(cfg.environmentTagKeys ?? ["Env", "Stage"])];
    const environmentIn = (tags: unknown): string | undefined => {
        for (const key of keys) {
            const env = tagValue(tags, key);
            if (env !== undefined) return `${key}=${env}`;
        }
        return undefined;
    };
    const pattern = cfg.productionStackPattern ?? PRODUCTION_STACK_PATTERN;
    let otherEnvironment = false;
    for (const tags of where.tags ?? []) {
        const tag = environmentIn(tags);
        if (tag === undefined) continue;
        const value = tag.slice(tag.indexOf("=") + 1);
        // "production-eu" is production as "prod-eu" is for a stack name; only a known other environment (dev,
        // test, staging...) overrides the stack's name, not a colour or a region ("Stage=blue").
        if (envs.includes(value.toLowerCase())) return `tag ${tag}`;
        if (matchesPattern(value, NON_PRODUCTION_PATTERN))
            otherEnvironment = true; // "pre-prod", "non-prod" first
        else if (matchesPattern(value, pattern)) return `tag ${tag}`;
    }
    const stack = stackNameFromUrn(where.urn);
    if (stack !== undefined && (cfg.productionStacks ?? []).includes(stack)) {
        return `stack "${stack}"`;
    }
    const stackTag = environmentIn(stackTagsObject(where.stackTags));
    if (stackTag !== undefined && envs.includes(stackTag.slice(stackTag.indexOf("=") + 1).toLowerCase())) {
        return `stack tag ${stackTag}`;
    }
    if (!otherEnvironment && stack !== undefined && matchesPattern(stack, pattern) && !matchesPattern(stack, NON_PRODUCTION_PATTERN)) {
        return `stack name "${stack}"`;
    }
    return undefined;
}

// ------------------------------------------------------------------------------------------------
// Config
// ------------------------------------------------------------------------------------------------

/**
 * The policy's config with the schema's defaults filled in. The offline engine already fills
 * them; the Pulumi CLI does too as far as its sources show, but a rule must not depend on it.
 */
export function configWithDefaults<T extends object>(
    schema: PolicyConfigSchema | undefined,
    args: { getConfig<U extends object>(): U },
): T {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) {
            out[key] = prop.default;
        }
    }
    return { ...out, ...args.getConfig<Record<string, unknown>>() } as T;
}

// ------------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------------

export function isSet(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

/**
 * A value as text: a string as it is, anything else as JSON. Unlike String(), it never throws (an
 * export may hold `{"toString": null}` where a string belongs) and never calls the value's own code.
 */
export function text(value: unknown): string {
    if (typeof value === "string") return value;
    try {
        return JSON.stringify(value) ?? "undefined";
    } catch {
        return Object.prototype.toString.call(value);
    }
}

export function show(value: unknown): string {
    if (isUnknown(value)) {
        return "(unknown)";
    }
    if (value === undefined) {
        return "(not set)";
    }
    return JSON.stringify(value);
}

/** A display name for a resource: its `name` prop when set, else its logical name. */
export function label(props: any, fallback: string): string {
    const name = props?.name;
    return typeof name === "string" && name !== "" && name !== fallback ? `"${name}" (${fallback})` : `"${fallback}"`;
}

/** A JSON policy document that may arrive as a string or an object. */
export function parsePolicyDocument(doc: unknown): { ok: true; value: any } | { ok: false; error: string } {
    if (typeof doc === "string") {
        try {
            return { ok: true, value: JSON.parse(doc) };
        } catch (e) {
            return { ok: false, error: `not valid JSON (${(e as Error).message})` };
        }
    }
    if (doc && typeof doc === "object") {
        return { ok: true, value: doc };
    }
    return { ok: false, error: `not a policy document: ${show(doc)}` };
}

export function asArray<T = any>(value: unknown): T[] {
    if (value === undefined || value === null || isUnknown(value)) {
        return [];
    }
    return (Array.isArray(value) ? value : [value]) as T[];
}
