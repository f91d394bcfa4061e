// Policy findings as a person acts on them: one line per rule (blocking first) with the
// resources it hit, and, where the value comes from the stack's config, the key to change and
// what it may hold. The JSON keeps one entry per finding and gains `configKey`/`valid`; for a
// document of another project (no `patch-manager:` config behind it) the resource property to
// change instead, as `property`/`valid`.
//
// The rule that finds a problem names the input property it is about and what it accepts there
// (policies/util.ts `report`; the offline engine keeps both on the violation). This file only
// maps that property to the config key that sets it, from the resource and the stack file:
// nothing here reads a message.
//
// The resources may come from any `pulumi stack export`, whose inputs have whatever shape another
// program (or a `.get` with no inputs at all) gave them: every read below checks the shape first,
// so an odd shape only means no hint, never a crash.
import type { Violation } from "./engine";
import type { ClashFinding } from "../fleet";
import { PROJECT } from "../../config";
import { EXEMPTION_TAG_PREFIX, PATCH_GROUP_TAG_KEYS, TARGET_KEYS, TYPES } from "@patch-manager/ssm";
import { MAX_EXPIRY_DAYS } from "../../policies/hybrid";

/** A finding that stems from a config value: the full key (`patch-manager:rateControl.maxConcurrency`) and its valid values. */
export interface ConfigHint {
    configKey: string;
    valid: string;
}

/**
 * A violation as the plan and the audit print it: with a config key in this project's documents;
 * in another project's, with the property of the flagged resource to change (Violation's own field).
 */
export type ActionableViolation = Violation & Partial<ConfigHint>;

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
    /** `patch-manager:patchGroups` as the stack file writes it; undefined when the default groups apply. */
    groups?: readonly Record<string, unknown>[];
    baselines?: readonly Record<string, unknown>[];
}

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
    const targetIds = targetValues(field(task.inputs, "targets"), TARGET_KEYS.windowTargetIds);
    return resources
        .filter((r) => r.type === TYPES.windowTarget && typeof r.id === "string" && targetIds.includes(r.id))
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

/**
 * A baseline's approval hold (`approvalRules[j].approveAfterDays` or `.approveUntilDate`): the
 * stack file's baseline of that name, at the same path where it writes its rules out (the program
 * keeps their order) or at its own approveAfterDays where it does not; a baseline the program
 * generates takes the stack's approveAfterDays.
 */
function approvalKey(property: string, baseline: Resource, ctx: Context): string | undefined {
    const hold = property.slice(property.lastIndexOf(".") + 1);
    if (hold !== "approveAfterDays" && hold !== "approveUntilDate") return undefined;
    const name = field(baseline.inputs, "name");
    const i = (ctx.baselines ?? []).findIndex((b) => typeof name === "string" && typeof b.name === "string" && name.endsWith(b.name));
    if (i >= 0 && Array.isArray(ctx.baselines![i].approvalRules)) return key(`baselines[${i}].${property}`);
    if (hold !== "approveAfterDays") return undefined;
    return key(i >= 0 ? `baselines[${i}].approveAfterDays` : "approveAfterDays");
}

/** An exemption's tag on a baseline (`tags.patch-manager:exemption:<i>`) as the exemption's `until`. */
function exemptionKey(property: string): string | undefined {
    const i = property.startsWith(`tags.${EXEMPTION_TAG_PREFIX}`) ? property.slice(`tags.${EXEMPTION_TAG_PREFIX}`.length) : undefined;
    return i !== undefined && /^\d+$/.test(i) ? key(`exemptions[${i}].until`) : undefined;
}

/** The activation's patch group (its Patch Group tag) as `patchGroups[i].hybrid.<field>`. */
function hybridKey(activation: Resource, ctx: Context, which: string): string {
    const tags = field(activation.inputs, "tags");
    const name = PATCH_GROUP_TAG_KEYS.map((k) => field(tags, k)).find((v) => v !== undefined && v !== null);
    const i = typeof name === "string" ? groupIndex(ctx, name) : -1;
    return key(`patchGroups[${i >= 0 ? i : "<i>"}].hybrid.${which}`);
}

/** Where the program's stack config sets an input property: the key, and what it holds where that differs from the property. */
type ConfigSource = (property: string, r: Resource, ctx: Context) => { configKey: string; valid?: string } | undefined;

const keyed = (configKey: string | undefined, valid?: string) => (configKey === undefined ? undefined : { configKey, valid });

/**
 * Per resource type, the input properties the rules report that this program sets from its stack
 * config. A task's maxConcurrency/maxErrors are a patching task's rate control (the load-balancer
 * task's share, `patchGroups[].loadBalancer.maxShare`, is reported without a property); an
 * activation's expirationDate is written from `expiresInDays`, a count of days.
 */
const CONFIG_SOURCES: Record<string, ConfigSource> = {
    [TYPES.windowTask]: (property, r, ctx) =>
        property === "maxConcurrency" || property === "maxErrors" ? keyed(rateControlKey(r, ctx, property)) : undefined,
    [TYPES.patchBaseline]: (property, r, ctx) => keyed(exemptionKey(property) ?? approvalKey(property, r, ctx)),
    [TYPES.activation]: (property, r, ctx) =>
        property === "expirationDate"
            ? keyed(hybridKey(r, ctx, "expiresInDays"), `a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
            : property === "registrationLimit"
              ? keyed(hybridKey(r, ctx, "registrationLimit"))
              : undefined,
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
 * Each violation with where it is fixed, where its rule named the property: in this project's
 * documents (`project` is `patch-manager`, the default) the config key that sets the value; in
 * another project's, that property of the flagged resource, since no `patch-manager:` key exists
 * there. `values`: the stack file's config (full keys), to tell a group's own setting from the stack's.
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
    return violations.map(({ property, valid, ...finding }) => {
        if (typeof property !== "string" || typeof valid !== "string") return finding;
        if (project !== PROJECT) return { ...finding, property, valid };
        const resource = resources.find((r) => r.urn === finding.urn);
        const source = resource && Object.hasOwn(CONFIG_SOURCES, resource.type) ? CONFIG_SOURCES[resource.type] : undefined;
        const config = source?.(property, resource!, ctx);
        return config ? { ...finding, configKey: config.configKey, valid: config.valid ?? valid } : finding;
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
        if (keys.length > 0) out.push(`      change ${keys.join(", ")}: ${group.find((v) => v.configKey !== undefined)!.valid}`);
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
