// Policy findings as a person acts on them: one line per rule (blocking first) with the
// resources it hit, and, where the value comes from the stack's config, the key to change and
// what it may hold. The JSON keeps one entry per finding and gains `configKey`/`valid`.
import type { Violation } from "./audit/engine";
import type { ClashFinding } from "./fleet";
import { PROJECT } from "../config";

/** A finding that stems from a config value: the full key (`patch-manager:rateControl.maxConcurrency`) and its valid values. */
export interface ConfigHint {
    configKey: string;
    valid: string;
}

export type ActionableViolation = Violation & Partial<ConfigHint>;

/** The resources of a plan, as far as the mapping needs them. */
interface Resource {
    urn: string;
    type: string;
    name: string;
    id: string | null;
    inputs: Record<string, unknown>;
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

/** The patch-group names a task's window targets select. */
function taskGroups(task: Resource, resources: readonly Resource[]): string[] {
    const targetIds = ((task.inputs.targets ?? []) as { key: string; values: string[] }[])
        .filter((t) => t.key === "WindowTargetIds")
        .flatMap((t) => t.values);
    return resources
        .filter((r) => r.type === TYPES.target && targetIds.includes(String(r.id)))
        .flatMap((r) => (r.inputs.targets as { key: string; values: string[] }[]).flatMap((t) => t.values));
}

/** The index of the group named `name` in the stack file's patchGroups, when it is there. */
const groupIndex = (ctx: Context, name: string) => (ctx.groups ?? []).findIndex((g) => g.name === name);

/** A task's rate-control key: the group's own `rateControl` where the stack file gives one, else the stack's. */
function rateControlKey(task: Resource, ctx: Context, field: "maxConcurrency" | "maxErrors"): string {
    for (const name of taskGroups(task, ctx.resources)) {
        const i = groupIndex(ctx, name);
        if (i >= 0 && ctx.groups![i].rateControl !== undefined) return key(`patchGroups[${i}].rateControl.${field}`);
    }
    return key(`rateControl.${field}`);
}

const RATE_VALID = {
    maxConcurrency: 'a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
    maxErrors: 'a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
};

/** The activation's patch group (its Patch Group tag) as `patchGroups[i].hybrid.<field>`. */
function hybridKey(activation: Resource, ctx: Context, field: string): string {
    const tags = (activation.inputs.tags ?? {}) as Record<string, string>;
    const name = tags["Patch Group"] ?? tags.PatchGroup;
    const i = name === undefined ? -1 : groupIndex(ctx, name);
    return key(`patchGroups[${i >= 0 ? i : "<i>"}].hybrid.${field}`);
}

/** Per policy: the config key behind a finding on this resource, when the program sets the value from config. */
const HINTS: Record<string, (r: Resource, ctx: Context, message: string) => ConfigHint | undefined> = {
    "task-production-concurrency": (r, ctx) =>
        r.type === TYPES.task
            ? {
                  configKey: rateControlKey(r, ctx, "maxConcurrency"),
                  valid: "in production at most 25% or a count of at most 10 (the pack's maxConcurrencyPercent/maxConcurrencyCount)",
              }
            : undefined,
    "task-rate-control": (r, ctx, message) => {
        if (r.type !== TYPES.task) return undefined;
        const field = /maxErrors/.test(message) ? "maxErrors" : "maxConcurrency";
        return { configKey: rateControlKey(r, ctx, field), valid: RATE_VALID[field] };
    },
    "baseline-production-approval-delay": (r, ctx, message) => {
        if (r.type !== TYPES.baseline) return undefined;
        const rule = /approvalRules\[(\d+)\]/.exec(message)?.[1];
        const i = (ctx.baselines ?? []).findIndex((b) => String(r.inputs.name ?? "").endsWith(String(b.name)));
        return {
            configKey: i >= 0 ? key(`baselines[${i}].approvalRules[${rule ?? 0}].approveAfterDays`) : key("approveAfterDays"),
            valid: "in production at least 7 days (the pack's minApproveAfterDays), at most 360",
        };
    },
    "hybrid-activation-expiry": (r, ctx) =>
        r.type === TYPES.activation
            ? { configKey: hybridKey(r, ctx, "expiresInDays"), valid: "a whole number of days from 1 to 30" }
            : undefined,
    "hybrid-activation-registration-limit": (r, ctx) =>
        r.type === TYPES.activation
            ? {
                  configKey: hybridKey(r, ctx, "registrationLimit"),
                  valid: "a whole number of servers from 1 to the pack's maxRegistrationLimit (SSM: 1000)",
              }
            : undefined,
};

function parsed(raw: string | undefined): Record<string, unknown>[] | undefined {
    if (raw === undefined) return undefined;
    try {
        const v = JSON.parse(raw);
        return Array.isArray(v) ? v : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Each violation with the config key that sets the value it is about, where one does.
 * `values`: the stack file's config (full keys), to tell a group's own setting from the stack's.
 */
export function withConfigKeys(
    violations: readonly Violation[],
    resources: readonly Resource[],
    values: Readonly<Record<string, string>> = {},
): ActionableViolation[] {
    const ctx: Context = {
        resources,
        groups: parsed(values[key("patchGroups")]),
        baselines: parsed(values[key("baselines")]),
    };
    return violations.map((v) => {
        const resource = resources.find((r) => r.urn === v.urn);
        const hint = resource ? HINTS[v.policy]?.(resource, ctx, v.message) : undefined;
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
    }
    return out;
}

/** The clash section of a single stack's plan or diff (the same check as `--all`). */
export function renderClashes(clashes: readonly ClashFinding[]): string[] {
    if (clashes.length === 0) return [];
    return [
        `Clashes: ${plural(clashes.length, "pair")} of this stack's windows overlap in one region (advisory)`,
        ...clashes.map((c) => `  [advisory] clash: ${c.message}`),
    ];
}
