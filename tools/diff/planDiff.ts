// What would change between two offline plans: pure functions, no I/O, so
// that the diff is unit-tested on hand-made plans and reused by the CLI.
import { localTime } from "../cli/localTime";
import type { PlannedWindow } from "../plan/planJson";
import forceNewTable from "./forceNew.json";

/** The parts of a plan (`npm run plan -- --json`) a diff reads. */
export interface DiffResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    id: string | null;
    inputs: Record<string, unknown>;
    /** Earlier URNs of this resource (the `aliases` option, as URNs): the engine matches the old state by them too. */
    aliases?: string[];
    /** Its explicit provider ("<urn>::<id>"); null (or, in plans without the field, absent) for the default provider. */
    provider?: string | null;
    /** The region of its provider; absent in plans that predate it (then the provider is not compared). */
    region?: string;
}

/** The provider a resource is created through, as a diff shows it, e.g. `default provider (eu-west-1)`. */
function providerLabel(r: DiffResource): string {
    const urn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
    return `${urn ? `provider ${urn.slice(urn.lastIndexOf("::") + 2)}` : "default provider"} (${r.region})`;
}

/**
 * A change of the provider a resource is created through. Another region is a new resource. So
 * is, conservatively, a move between providers in one region: Pulumi CLIs before 3.150 replace on
 * any move to or from an explicit provider, later ones ask the provider (DiffConfig), which
 * replaces when the settings differ, and the plan does not hold the default provider's settings.
 */
function providerChange(o: DiffResource, n: DiffResource): InputChange | undefined {
    // A provider resource is diffed by its own inputs (its region among them), not by a provider above it.
    if (o.region === undefined || n.region === undefined || n.type.startsWith("pulumi:providers:")) return undefined;
    const before = providerLabel(o);
    const after = providerLabel(n);
    return before === after ? undefined : { path: "provider", old: before, new: after, replaces: true };
}

/** A planned window as the diff reads it from either plan. */
export type DiffWindow = Omit<PlannedWindow, "operation" | "region" | "timeline">;

export interface DiffablePlan {
    stack: string;
    resources: DiffResource[];
    windows: DiffWindow[];
}

export interface InputChange {
    /** Path inside the inputs, e.g. `schedule` or `targets[0].values[1]`. */
    path: string;
    old?: unknown;
    new?: unknown;
    /** The provider replaces the resource for this change (a ForceNew input, or one that refers to a replaced resource). */
    replaces: boolean;
}

export type Action = "add" | "remove" | "replace" | "update";

export interface ResourceChange {
    action: Action;
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    changes: InputChange[];
}

export interface ScheduleChange {
    urn: string;
    /** "Web Server window", or the window's name when it serves several patch groups. */
    label: string;
    action: "add" | "remove" | "update";
    old?: { description: string; schedule: string; timezone: string };
    new?: { description: string; schedule: string; timezone: string; next?: string };
}

export interface PlanDiff {
    stack: string;
    /** What the old side is: a git ref or a file. */
    from: string;
    to: string;
    resources: ResourceChange[];
    schedules: ScheduleChange[];
    summary: Record<Action, number> & { unchanged: number };
}

const FORCE_NEW: Record<string, readonly string[]> = forceNewTable.resources;
const NO_UPDATE = new Set<string>(forceNewTable.noUpdate);

/** Input paths whose change replaces a resource of this type, per the provider schema (dotted for nested blocks). */
export function replacingInputs(type: string): readonly string[] {
    return FORCE_NEW[type] ?? [];
}

/** Whether the provider knows the type's replacement rules at all (tools/diff/forceNew.json). */
export function knowsType(type: string): boolean {
    return type in FORCE_NEW;
}

/**
 * Whether a change at `path` (as inputDifferences names it, e.g. `s3Destination.prefix` or
 * `targets[0].values[1]`) replaces a resource of this type: every change of a type without an
 * Update does; otherwise a change at or under a ForceNew path, or of a block that holds one.
 */
export function changeReplaces(type: string, path: string): boolean {
    if (NO_UPDATE.has(type)) return true;
    const p = path.replace(/\[\d+\]/g, "");
    return replacingInputs(type).some((f) => p === f || p.startsWith(`${f}.`) || f.startsWith(`${p}.`));
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf-level differences between two input values; `prefix` is the path so far. */
export function inputDifferences(oldValue: unknown, newValue: unknown, prefix = ""): { path: string; old?: unknown; new?: unknown }[] {
    if (isObject(oldValue) && isObject(newValue)) {
        const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
        return keys.flatMap((k) => inputDifferences(oldValue[k], newValue[k], prefix ? `${prefix}.${k}` : k));
    }
    if (Array.isArray(oldValue) && Array.isArray(newValue)) {
        const out = [];
        for (let i = 0; i < Math.max(oldValue.length, newValue.length); i++)
            out.push(...inputDifferences(oldValue[i], newValue[i], `${prefix}[${i}]`));
        return out;
    }
    if (JSON.stringify(oldValue) === JSON.stringify(newValue)) return [];
    return [{ path: prefix, ...(oldValue !== undefined ? { old: oldValue } : {}), ...(newValue !== undefined ? { new: newValue } : {}) }];
}

const rootKey = (p: string) => p.split(/[.[]/)[0];

/** Every id and ARN-like output string of a resource, to spot inputs that refer to it. */
function referencesOf(r: DiffResource): string[] {
    return r.id ? [r.id] : [];
}

function containsReference(value: unknown, refs: Set<string>): boolean {
    if (typeof value === "string") return [...refs].some((ref) => value === ref || value.includes(`/${ref}`) || value.endsWith(`:${ref}`));
    if (Array.isArray(value)) return value.some((v) => containsReference(v, refs));
    if (isObject(value)) return Object.values(value).some((v) => containsReference(v, refs));
    return false;
}

/**
 * Resources added, removed, replaced or updated from `oldPlan` to `newPlan`,
 * matched by URN (or an alias) as the engine does. A replaced resource gets a new id, so an
 * input that refers to it changes too: when that input is itself ForceNew the
 * dependent resource is replaced as well (window → its targets and tasks).
 */
export function diffResources(oldPlan: DiffablePlan, newPlan: DiffablePlan): ResourceChange[] {
    const oldByUrn = new Map(oldPlan.resources.map((r) => [r.urn, r]));
    const changes = new Map<string, ResourceChange>();
    // Each new resource's old self: same URN, else the first of its aliases the old plan holds.
    const previous = new Map<string, DiffResource>();
    for (const n of newPlan.resources) {
        const o = oldByUrn.get(n.urn) ?? (n.aliases ?? []).map((a) => oldByUrn.get(a)).find((r) => r !== undefined);
        if (o) previous.set(n.urn, o);
    }
    const carriedOver = new Set([...previous.values()].map((o) => o.urn));

    for (const n of newPlan.resources) {
        const o = previous.get(n.urn);
        if (!o) {
            changes.set(n.urn, { action: "add", urn: n.urn, type: n.type, name: n.name, custom: n.custom, changes: [] });
            continue;
        }
        if (!n.custom) continue;
        const moved = providerChange(o, n);
        const diffs = [
            ...(moved ? [moved] : []),
            ...inputDifferences(o.inputs, n.inputs).map((d) => ({ ...d, replaces: changeReplaces(n.type, d.path) })),
        ];
        if (diffs.length > 0) {
            changes.set(n.urn, {
                action: diffs.some((d) => d.replaces) ? "replace" : "update",
                urn: n.urn,
                type: n.type,
                name: n.name,
                custom: true,
                changes: diffs,
            });
        }
    }
    for (const o of oldPlan.resources) {
        if (!carriedOver.has(o.urn))
            changes.set(o.urn, { action: "remove", urn: o.urn, type: o.type, name: o.name, custom: o.custom, changes: [] });
    }

    // Cascade replacements until nothing more changes.
    for (let grew = true; grew;) {
        grew = false;
        const replacedRefs = new Set(
            [...changes.values()].filter((c) => c.action === "replace").flatMap((c) => referencesOf(previous.get(c.urn)!)),
        );
        if (replacedRefs.size === 0) break;
        for (const n of newPlan.resources) {
            const o = previous.get(n.urn);
            const existing = changes.get(n.urn);
            if (!o || !n.custom || existing?.action === "replace" || existing?.action === "add") continue;
            const dependent = Object.entries(n.inputs).filter(
                ([k, v]) => containsReference(v, replacedRefs) && !existing?.changes.some((c) => rootKey(c.path) === k),
            );
            if (dependent.length === 0) continue;
            const added: InputChange[] = dependent.map(([k, v]) => ({
                path: k,
                old: o.inputs[k],
                new: `(new id of a replaced resource; was ${JSON.stringify(v)})`,
                replaces: changeReplaces(n.type, k),
            }));
            const all = [...(existing?.changes ?? []), ...added];
            const action: Action = all.some((c) => c.replaces) ? "replace" : "update";
            changes.set(n.urn, { action, urn: n.urn, type: n.type, name: n.name, custom: true, changes: all });
            if (action === "replace") grew = true;
        }
    }

    const order: Action[] = ["replace", "update", "add", "remove"];
    return [...changes.values()].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action) || a.urn.localeCompare(b.urn));
}

/** "Web Server window" for a group's own window; the window's name for a shared one. */
export function windowLabel(w: DiffWindow): string {
    return w.patchGroups.length === 1 ? `${w.patchGroups[0]} window` : `${w.name} window`;
}

/** Schedule changes of the maintenance windows, matched by URN. */
export function diffSchedules(oldPlan: DiffablePlan, newPlan: DiffablePlan): ScheduleChange[] {
    const oldByUrn = new Map(oldPlan.windows.map((w) => [w.urn, w]));
    const newByUrn = new Map(newPlan.windows.map((w) => [w.urn, w]));
    const side = (w: DiffWindow) => ({ description: w.description, schedule: w.schedule, timezone: w.timezone });
    const out: ScheduleChange[] = [];
    for (const n of newPlan.windows) {
        const o = oldByUrn.get(n.urn);
        const next = n.next[0] ? { next: n.next[0] } : {};
        if (!o) out.push({ urn: n.urn, label: windowLabel(n), action: "add", new: { ...side(n), ...next } });
        else if (o.description !== n.description || o.schedule !== n.schedule || o.timezone !== n.timezone) {
            out.push({ urn: n.urn, label: windowLabel(n), action: "update", old: side(o), new: { ...side(n), ...next } });
        }
    }
    for (const o of oldPlan.windows)
        if (!newByUrn.has(o.urn)) out.push({ urn: o.urn, label: windowLabel(o), action: "remove", old: side(o) });
    return out;
}

export function diffPlans(oldPlan: DiffablePlan, newPlan: DiffablePlan, labels: { from: string; to: string }): PlanDiff {
    const resources = diffResources(oldPlan, newPlan);
    const count = (a: Action) => resources.filter((r) => r.action === a).length;
    const touched = new Set(resources.map((r) => r.urn));
    return {
        stack: newPlan.stack,
        from: labels.from,
        to: labels.to,
        resources,
        schedules: diffSchedules(oldPlan, newPlan),
        summary: {
            add: count("add"),
            remove: count("remove"),
            replace: count("replace"),
            update: count("update"),
            unchanged: newPlan.resources.filter((r) => !touched.has(r.urn)).length,
        },
    };
}

export function hasChanges(diff: PlanDiff): boolean {
    return diff.resources.length > 0 || diff.schedules.length > 0;
}

/**
 * One line per schedule change: "Web Server window: at 23:00 on the first Thursday
 * of every month → at 23:00 on the second Thursday of every month, Europe/Amsterdam,
 * for 6 hours, next start Thu 2026-12-10 23:00 CET". The part both sides share is said once.
 */
export function describeScheduleChange(c: ScheduleChange): string {
    const next = c.new?.next ? `, next start ${localTime(c.new.next, c.new.timezone)}` : "";
    if (c.action === "add") return `${c.label} (new): ${c.new!.description}${next}`;
    if (c.action === "remove") return `${c.label} (removed): was ${c.old!.description}`;
    const [oldWhen, ...oldRest] = c.old!.description.split(", ");
    const [newWhen, ...newRest] = c.new!.description.split(", ");
    if (oldRest.join(", ") === newRest.join(", ") && oldWhen !== newWhen) {
        return `${c.label}: ${oldWhen} → ${newWhen}, ${newRest.join(", ")}${next}`;
    }
    return `${c.label}: ${c.old!.description} → ${c.new!.description}${next}`;
}

function show(v: unknown): string {
    if (v === undefined) return "(unset)";
    const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

const SYMBOL: Record<Action, string> = { add: "+", remove: "-", replace: "+-", update: "~" };
const VERB: Record<Action, string> = { add: "to add", remove: "to remove", replace: "to replace", update: "to update" };

function summaryLine(diff: PlanDiff): string {
    const parts = (["add", "update", "replace", "remove"] as Action[])
        .filter((a) => diff.summary[a] > 0)
        .map((a) => `${diff.summary[a]} ${VERB[a]}`);
    return `${parts.join(", ")}, ${diff.summary.unchanged} unchanged`;
}

/** Plain text for a terminal; no change is one line. */
export function renderDiffText(diff: PlanDiff): string {
    if (!hasChanges(diff)) return `stack ${diff.stack}: no changes (${diff.from} → ${diff.to})`;
    const out = [`stack ${diff.stack}: ${diff.from} → ${diff.to}`, `Resources: ${summaryLine(diff)}`];
    for (const r of diff.resources) {
        out.push(`  ${SYMBOL[r.action].padEnd(2)} ${r.type}  ${r.name}${r.action === "replace" ? "  (replace)" : ""}`);
        for (const c of r.changes)
            out.push(`       ${c.path}: ${show(c.old)} → ${show(c.new)}${c.replaces ? "  [forces replacement]" : ""}`);
    }
    if (diff.schedules.length > 0) {
        out.push("", "Schedules:");
        for (const s of diff.schedules) out.push(`  ${describeScheduleChange(s)}`);
    }
    return out.join("\n");
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** GitHub-flavoured Markdown for a pull-request comment. */
export function renderDiffMarkdown(diff: PlanDiff): string {
    if (!hasChanges(diff)) return `**Stack \`${diff.stack}\`**: no changes (\`${diff.from}\` → \`${diff.to}\`).`;
    const out = [`### Stack \`${diff.stack}\`: ${summaryLine(diff)}`, "", `Offline plan diff, \`${diff.from}\` → \`${diff.to}\`.`, ""];
    if (diff.schedules.length > 0) {
        out.push("**Schedules**", "");
        for (const s of diff.schedules) out.push(`- ${describeScheduleChange(s)}`);
        out.push("");
    }
    out.push("| | Resource | Type | Changed inputs |", "|---|---|---|---|");
    for (const r of diff.resources) {
        const inputs = r.changes
            .map((c) => `\`${c.path}\`: ${mdCell(show(c.old))} → ${mdCell(show(c.new))}${c.replaces ? " **(forces replacement)**" : ""}`)
            .join("<br>");
        out.push(`| ${r.action} | \`${r.name}\` | \`${r.type}\` | ${inputs} |`);
    }
    return out.join("\n");
}
