// Policy findings as a person acts on them: one line per rule (blocking first) with the
// resources it hit, and, where the value comes from the stack's config, the key to change and
// what it may hold. The JSON keeps one entry per finding and gains `configKey`/`valid`; for a
// document of another project (no `patch-manager:` config behind it) the resource property to
// change instead, as `property`/`valid`.
//
// The resources may come from any `pulumi stack export`, whose inputs have whatever shape another
// program (or a `.get` with no inputs at all) gave them: every read below checks the shape first,
// so an odd shape only means no hint, never a crash.
import type { Violation } from "./audit/engine";
import type { ClashFinding } from "./fleet";
import { PROJECT } from "../config";

/** A finding that stems from a config value: the full key (`patch-manager:rateControl.maxConcurrency`) and its valid values. */
export interface ConfigHint {
    configKey: string;
    valid: string;
}

/** A finding on another project's resource: the property of the flagged resource to change, and its valid values. */
export interface PropertyHint {
    property: string;
    valid: string;
}

export type ActionableViolation = Violation & Partial<ConfigHint> & Partial<Pick<PropertyHint, "property">>;

/** The resources of a plan or export, as far as the mapping needs them; any field may be missing or oddly shaped. */
interface Resource {
    urn: string;
    type: string;
    name?: string;
    id?: string | null;
    inputs?: unknown;
}

interface Context {
    resources: readonly Resource[];
    /** `patch-manager:patchGroups` as the stack file writes it; undefined when the seed's table applies. */
    groups?: readonly Record<string, unknown>[];
    baselines?: readonly Record<string, unknown>[];
}

const TYPES = {
    task: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
    target: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    baseline: "aws:ssm/patchBaseline:PatchBaseline",
    activation: "aws:ssm/activation:Activation",
} as const;

const key = (k: string) => `${PROJECT}:${k}`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** A value as a list: a list as is, anything else (an object, a string, null, missing) as no entries. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A JSON object's own field (never one of Object.prototype's: a `constructor` key is data here). */
const field = (v: unknown, name: string): unknown => (isObject(v) && Object.hasOwn(v, name) ? v[name] : undefined);
const strings = (v: unknown): string[] => (typeof v === "string" ? [v] : list(v).filter((x): x is string => typeof x === "string"));

/** The values of a `targets` list's entries with this key (`[{key, values}]`, as SSM and the provider take them). */
function targetValues(targets: unknown, targetKey?: string): string[] {
    return list(targets)
        .filter((t) => targetKey === undefined || field(t, "key") === targetKey)
        .flatMap((t) => strings(field(t, "values")));
}

/** The patch-group names a task's window targets select. */
function taskGroups(task: Resource, resources: readonly Resource[]): string[] {
    const targetIds = targetValues(field(task.inputs, "targets"), "WindowTargetIds");
    return resources
        .filter((r) => r.type === TYPES.target && typeof r.id === "string" && targetIds.includes(r.id))
        .flatMap((r) => targetValues(field(r.inputs, "targets")));
}

/** The index of the group named `name` in the stack file's patchGroups, when it is there. */
const groupIndex = (ctx: Context, name: string) => (ctx.groups ?? []).findIndex((g) => g.name === name);

/** A task's rate-control key: the group's own `rateControl` where the stack file gives one, else the stack's. */
function rateControlKey(task: Resource, ctx: Context, which: "maxConcurrency" | "maxErrors"): string {
    for (const name of taskGroups(task, ctx.resources)) {
        const i = groupIndex(ctx, name);
        if (i >= 0 && ctx.groups![i].rateControl !== undefined) return key(`patchGroups[${i}].rateControl.${which}`);
    }
    return key(`rateControl.${which}`);
}

const RATE_VALID = {
    maxConcurrency: 'a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
    maxErrors: 'a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
};
const CONCURRENCY_CEILING = "in production at most 25% or a count of at most 10 (the pack's maxConcurrencyPercent/maxConcurrencyCount)";
const APPROVAL_DELAY = "in production at least 7 days (the pack's minApproveAfterDays), at most 360";
const EXPIRY_DAYS = "a whole number of days from 1 to 30";
const REGISTRATION_LIMIT = "a whole number of servers from 1 to the pack's maxRegistrationLimit (SSM: 1000)";

/** The activation's patch group (its Patch Group tag) as `patchGroups[i].hybrid.<field>`. */
function hybridKey(activation: Resource, ctx: Context, which: string): string {
    const tags = field(activation.inputs, "tags");
    const name = field(tags, "Patch Group") ?? field(tags, "PatchGroup");
    const i = typeof name === "string" ? groupIndex(ctx, name) : -1;
    return key(`patchGroups[${i >= 0 ? i : "<i>"}].hybrid.${which}`);
}

/** Which of a task's rate-control fields a message is about. */
const rateField = (message: string): "maxConcurrency" | "maxErrors" => (/maxErrors/.test(message) ? "maxErrors" : "maxConcurrency");
/** The approval rule a baseline finding names (`approvalRules[1]`), else the first. */
const approvalRule = (message: string) => /approvalRules\[(\d+)\]/.exec(message)?.[1] ?? "0";

interface Hints {
    /** In this project's documents: the stack-config key that sets the value. */
    config?: (r: Resource, ctx: Context, message: string) => ConfigHint | undefined;
    /** In any other project's documents: the property of the flagged resource. */
    property?: (r: Resource, message: string) => PropertyHint | undefined;
}

const onType =
    <T>(type: string, hint: (r: Resource, message: string) => T) =>
    (r: Resource, message: string) =>
        r.type === type ? hint(r, message) : undefined;

/** Per policy: where a finding on this resource is fixed. */
const HINTS: Record<string, Hints> = {
    "task-production-concurrency": {
        config: (r, ctx) =>
            r.type === TYPES.task ? { configKey: rateControlKey(r, ctx, "maxConcurrency"), valid: CONCURRENCY_CEILING } : undefined,
        property: onType(TYPES.task, () => ({ property: "maxConcurrency", valid: CONCURRENCY_CEILING })),
    },
    "task-rate-control": {
        config: (r, ctx, message) =>
            r.type === TYPES.task
                ? { configKey: rateControlKey(r, ctx, rateField(message)), valid: RATE_VALID[rateField(message)] }
                : undefined,
        property: onType(TYPES.task, (_, message) => ({ property: rateField(message), valid: RATE_VALID[rateField(message)] })),
    },
    "task-reboot-if-needed": {
        property: onType(TYPES.task, () => ({
            property: "taskInvocationParameters.runCommandParameters.parameters.RebootOption",
            valid: '"RebootIfNeeded" (a parameter {name: "RebootOption", values: ["RebootIfNeeded"]})',
        })),
    },
    "task-service-role": {
        property: onType(TYPES.task, () => ({
            property: "serviceRoleArn",
            valid: "the ARN of an IAM role trusted by ssm.amazonaws.com (arn:aws:iam::<account-id>:role/<name>)",
        })),
    },
    "task-output-to-s3": {
        property: onType(TYPES.task, () => ({
            property: "taskInvocationParameters.runCommandParameters.outputS3Bucket",
            valid: "the name of the bucket that keeps the command output (with outputS3KeyPrefix)",
        })),
    },
    "baseline-production-approval-delay": {
        config: (r, ctx, message) => {
            if (r.type !== TYPES.baseline) return undefined;
            const name = field(r.inputs, "name");
            const i = (ctx.baselines ?? []).findIndex(
                (b) => typeof name === "string" && typeof b.name === "string" && name.endsWith(b.name),
            );
            return {
                configKey:
                    i >= 0 ? key(`baselines[${i}].approvalRules[${approvalRule(message)}].approveAfterDays`) : key("approveAfterDays"),
                valid: APPROVAL_DELAY,
            };
        },
        property: onType(TYPES.baseline, (_, message) => ({
            property: `approvalRules[${approvalRule(message)}].approveAfterDays`,
            valid: APPROVAL_DELAY,
        })),
    },
    "hybrid-activation-expiry": {
        config: (r, ctx) =>
            r.type === TYPES.activation ? { configKey: hybridKey(r, ctx, "expiresInDays"), valid: EXPIRY_DAYS } : undefined,
        property: onType(TYPES.activation, () => ({
            property: "expirationDate",
            valid: 'an RFC 3339 time at most 30 days ahead ("2026-12-01T00:00:00Z")',
        })),
    },
    "hybrid-activation-registration-limit": {
        config: (r, ctx) =>
            r.type === TYPES.activation ? { configKey: hybridKey(r, ctx, "registrationLimit"), valid: REGISTRATION_LIMIT } : undefined,
        property: onType(TYPES.activation, () => ({ property: "registrationLimit", valid: REGISTRATION_LIMIT })),
    },
};

/** A stack-file value that should hold a list of objects (patchGroups, baselines); anything else counts as not given. */
function parsed(raw: unknown): Record<string, unknown>[] | undefined {
    if (typeof raw !== "string") return undefined;
    try {
        const v: unknown = JSON.parse(raw);
        return Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Each violation with where it is fixed, where the mapping knows: in this project's documents
 * (`project` is `patch-manager`, the default) the config key that sets the value; in another
 * project's, the property of the flagged resource, since no `patch-manager:` key exists there.
 * `values`: the stack file's config (full keys), to tell a group's own setting from the stack's.
 */
export function withConfigKeys(
    violations: readonly Violation[],
    resources: readonly Resource[],
    values: Readonly<Record<string, string>> = {},
    project: string | undefined = PROJECT,
): ActionableViolation[] {
    const ctx: Context = {
        resources,
        groups: parsed(field(values, key("patchGroups"))),
        baselines: parsed(field(values, key("baselines"))),
    };
    return violations.map((v) => {
        const resource = resources.find((r) => r.urn === v.urn);
        const hints = Object.hasOwn(HINTS, v.policy) ? HINTS[v.policy] : undefined;
        if (!resource || !hints) return { ...v };
        const message = typeof v.message === "string" ? v.message : "";
        const hint = project === PROJECT ? hints.config?.(resource, ctx, message) : hints.property?.(resource, message);
        return hint ? { ...v, ...hint } : { ...v };
    });
}

/** "1 blocking, 2 advisory": mandatory findings block `pulumi preview`, advisories do not. */
export function findingCounts(levels: readonly string[]): string {
    const blocking = levels.filter((l) => l === "mandatory" || l === "blocking").length;
    return `${blocking} blocking, ${levels.length - blocking} advisory`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A resource as the line names it: `stack/name` across stacks, else its name. */
function resourceName(v: ActionableViolation & { stack?: string }): string {
    const name = v.urn ? v.urn.slice(v.urn.lastIndexOf("::") + 2) : "(stack)";
    return v.stack ? `${v.stack}/${name}` : name;
}

/**
 * The policy section of the plan: `Policies: 1 blocking, 2 advisory`, then one line per rule,
 * mandatory first, naming up to four resources and counting the rest; the first finding's
 * message says what is wrong, and a `change <key>` line says where to fix it.
 */
export function renderViolations(violations: readonly (ActionableViolation & { stack?: string })[]): string[] {
    if (violations.length === 0) return ["Policies: no violations"];
    const out = [`Policies: ${findingCounts(violations.map((v) => v.level))}`];
    const rules = new Map<string, (ActionableViolation & { stack?: string })[]>();
    const ordered = [...violations.filter((v) => v.level === "mandatory"), ...violations.filter((v) => v.level !== "mandatory")];
    for (const v of ordered) rules.set(`${v.level}\u0000${v.policy}`, [...(rules.get(`${v.level}\u0000${v.policy}`) ?? []), v]);
    for (const group of rules.values()) {
        const { level, policy } = group[0];
        const names = [...new Set(group.map(resourceName))];
        const listed = names.length <= 4 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
        out.push(`  [${level}] ${policy} · ${plural(group.length, "finding")} on ${listed}: ${group[0].message}`);
        const keys = [...new Set(group.map((v) => v.configKey).filter((k): k is string => k !== undefined))];
        if (keys.length > 0) out.push(`      change ${keys.join(", ")}: ${group.find((v) => v.valid)!.valid}`);
        out.push(...propertyChanges(group).map((change) => `      ${propertyChangeLine(change)}`));
    }
    return out;
}

/** One property to change on the resources of one rule's findings (another project's document). */
export interface PropertyChange {
    property: string;
    /** The resources, as the finding lines name them. */
    resources: string[];
    valid?: string;
}

/** The properties one rule's findings name, each with the resources it is changed on, in finding order. */
export function propertyChanges(group: readonly (ActionableViolation & { stack?: string })[]): PropertyChange[] {
    const byProperty = new Map<string, PropertyChange>();
    for (const v of group) {
        if (v.property === undefined) continue;
        const change = byProperty.get(v.property) ?? { property: v.property, resources: [], valid: v.valid };
        if (!change.resources.includes(resourceName(v))) change.resources.push(resourceName(v));
        byProperty.set(v.property, change);
    }
    return [...byProperty.values()];
}

/** `change maxConcurrency on web-task, db-task: <valid>` (the plan) or `Change ...` (the audit's report). */
export function propertyChangeLine(change: PropertyChange, verb = "change"): string {
    return `${verb} ${change.property} on ${change.resources.join(", ")}${change.valid ? `: ${change.valid}` : ""}`;
}

/** The clash section of a single stack's plan or diff (the same check as `--all`). */
export function renderClashes(clashes: readonly ClashFinding[]): string[] {
    if (clashes.length === 0) return [];
    return [
        `Clashes: ${plural(clashes.length, "pair")} of this stack's windows overlap in one region (advisory)`,
        ...clashes.map((c) => `  [advisory] clash: ${c.message}`),
    ];
}
