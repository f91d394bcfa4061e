// Rules about how the stack's resources fit together: patch groups, windows, tasks, quotas.

import type { PolicyConfigSchema, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { evaluationTime, NOW_PROPERTY } from "./clock";
import { patchingScope, selectsPatchGroup } from "./scope";
import { associationParameter, commandParameter, isPatchingTask } from "./ssmValues";
import { targetsOf } from "./strategies";
import { windowOf } from "./tasks";
import { PATCH_GROUP_TARGET_KEYS, TARGET_KEYS, TYPES, startsBetween, withoutSeconds } from "@patch-manager/ssm";
import {
    StackResource,
    asArray,
    byRegion,
    configWithDefaults,
    isSet,
    isUnknown,
    label,
    ofType,
    refersTo,
    show,
    stackResources,
    stackUrn,
    text,
} from "./util";

/** The patch groups a window target selects; `undefined` when they cannot be known yet. */
export function targetedPatchGroups(target: StackResource): string[] | undefined {
    const targets = target.props.targets;
    if (isUnknown(targets)) {
        return undefined;
    }
    const groups: string[] = [];
    for (const t of asArray(targets)) {
        if (isUnknown(t) || isUnknown(t?.key) || isUnknown(t?.values)) {
            return undefined;
        }
        if (PATCH_GROUP_TARGET_KEYS.includes(t?.key)) {
            for (const v of asArray(t.values)) {
                if (isUnknown(v)) {
                    return undefined;
                }
                groups.push(text(v));
            }
        }
    }
    return groups;
}

/** A region's patch groups: the window targets that select each, the registrations of each, and whether all are known. */
interface PatchGroupIndex {
    targeted: Map<string, StackResource[]>;
    targetsKnown: boolean;
    registered: Map<string, StackResource[]>;
    registrationsKnown: boolean;
}

function patchGroupIndex(resources: StackResource[]): PatchGroupIndex {
    const index: PatchGroupIndex = { targeted: new Map(), targetsKnown: true, registered: new Map(), registrationsKnown: true };
    for (const target of ofType(resources, TYPES.windowTarget)) {
        const groups = targetedPatchGroups(target);
        if (groups === undefined) index.targetsKnown = false;
        for (const g of groups ?? []) index.targeted.set(g, [...(index.targeted.get(g) ?? []), target]);
    }
    for (const reg of ofType(resources, TYPES.patchGroup)) {
        const group = reg.props.patchGroup;
        if (isUnknown(group)) index.registrationsKnown = false;
        else index.registered.set(text(group), [...(index.registered.get(text(group)) ?? []), reg]);
    }
    return index;
}

/** A rule checked in each region apart: registrations, baselines and targets are regional. */
function perRegion(check: (resources: StackResource[], report: ReportViolation) => void): StackValidationPolicy["validateStack"] {
    return (args, reportViolation) => {
        for (const resources of byRegion(stackResources(args))) check(resources, reportViolation);
    };
}

export const patchGroupCoverage: StackValidationPolicy = {
    name: "patch-group-coverage",
    description:
        "In a stack that both registers patch groups (aws.ssm.PatchGroup) and targets them from windows, every targeted group is " +
        "registered with a baseline and every registered group is targeted (a typo leaves nodes on the default baseline, or a " +
        "group unpatched). A stack that does only one half shares the work with another stack: no finding.",
    enforcementLevel: "advisory",
    validateStack: perRegion((resources, reportViolation) => {
        const { targeted, targetsKnown, registered, registrationsKnown } = patchGroupIndex(resources);
        for (const regs of registered.values()) {
            for (const reg of regs) {
                if (!isUnknown(reg.props.baselineId) && !isSet(reg.props.baselineId)) {
                    reportViolation(
                        `patch group registration "${reg.name}" for ${show(reg.props.patchGroup)} names no baselineId.`,
                        reg.urn,
                    );
                }
            }
        }
        // A stack that only registers groups, or only targets them, splits the work with another stack: no finding.
        if (registered.size === 0 || targeted.size === 0) return;
        if (registrationsKnown) {
            for (const [group, ts] of targeted) {
                if (!registered.has(group)) {
                    reportViolation(
                        `window target ${label(ts[0].props, ts[0].name)} selects patch group ${show(group)}, which no aws.ssm.PatchGroup ` +
                            `registers with a baseline; its instances would get their operating system's default baseline.`,
                        ts[0].urn,
                    );
                }
            }
        }
        for (const [group, regs] of registered) {
            if (targetsKnown && !targeted.has(group)) {
                reportViolation(
                    `patch group ${show(group)} is registered ("${regs[0].name}") but no window target selects it, so it is never patched; ` +
                        `add a window target with key "tag:Patch Group" and this value.`,
                    regs[0].urn,
                );
            }
        }
    }),
};

export const patchGroupOneBaselinePerOs: StackValidationPolicy = {
    name: "patch-group-one-baseline-per-os",
    description:
        "A patch group is registered with one baseline per operating system (RegisterPatchBaselineForPatchGroup refuses a " +
        "second): remove the extra aws.ssm.PatchGroup registration.",
    enforcementLevel: "mandatory",
    validateStack: perRegion((resources, reportViolation) => {
        const baselines = ofType(resources, TYPES.patchBaseline);
        for (const [group, regs] of patchGroupIndex(resources).registered) {
            const byOs = new Map<string, StackResource[]>();
            for (const reg of regs) {
                const baseline = baselines.find((b) => refersTo(reg, "baselineId", b, ["id"]) === true);
                const os = baseline?.props.operatingSystem;
                if (baseline && !isUnknown(os)) {
                    const key = text(os ?? "WINDOWS");
                    byOs.set(key, [...(byOs.get(key) ?? []), reg]);
                }
            }
            for (const [os, same] of byOs) {
                if (same.length > 1) {
                    reportViolation(
                        `patch group ${show(group)} is registered with ${same.length} ${os} baselines (${same.map((r) => `"${r.name}"`).join(", ")}); ` +
                            `a group has one baseline per operating system.`,
                        same[1].urn,
                    );
                }
            }
        }
    }),
};

// ------------------------------------------------------------------------------------------------

export const windowHasTask: StackValidationPolicy = {
    name: "window-has-task",
    description:
        "A maintenance window whose targets select patch groups has at least one task; without one it opens on schedule and " +
        "patches nothing. Register a task (AWS-RunPatchBaseline) with the window or remove it.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const tasks = ofType(resources, TYPES.windowTask);
        const targets = ofType(resources, TYPES.windowTarget);
        for (const window of ofType(resources, TYPES.window)) {
            const refs = tasks.map((t) => refersTo(t, "windowId", window));
            if (refs.includes(true) || refs.includes(undefined)) {
                continue;
            }
            const own = targets.filter((t) => refersTo(t, "windowId", window) === true);
            if (!own.some((t) => selectsPatchGroup(t.props.targets))) {
                continue; // not a patch window
            }
            reportViolation(`window ${label(window.props, window.name)} has no task; register one or remove the window.`, window.urn);
        }
    },
};

// ------------------------------------------------------------------------------------------------

/** Per-task and per-target `targets` entries (SSM API model, shape Targets). */
export const MAX_TARGET_ENTRIES = 5;

const quotaSchema: PolicyConfigSchema = {
    properties: {
        maxWindows: {
            type: "integer",
            minimum: 1,
            default: 50,
            description:
                "Maintenance windows one stack may create: the SSM quota per account and region (default 50; raise it with the quota).",
        },
        maxTasksPerWindow: { type: "integer", minimum: 1, default: 20, description: "Tasks per maintenance window (SSM quota 20)." },
        maxTargetsPerWindow: { type: "integer", minimum: 1, default: 100, description: "Targets per maintenance window (SSM quota 100)." },
    },
};

interface QuotaConfig {
    maxWindows: number;
    maxTasksPerWindow: number;
    maxTargetsPerWindow: number;
}

export const windowQuotas: StackValidationPolicy = {
    name: "window-quotas",
    description:
        "The stack stays within SSM's maintenance-window quotas (50 windows per account and region, 20 tasks and 100 targets per " +
        "window, 5 target entries per task or target): merge windows or split the stack, or raise the quota and the config.",
    enforcementLevel: "mandatory",
    configSchema: quotaSchema,
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults<QuotaConfig>(quotaSchema, args);
        const resources = stackResources(args);
        const windows = ofType(resources, TYPES.window);
        const tasks = ofType(resources, TYPES.windowTask);
        const targets = ofType(resources, TYPES.windowTarget);
        // The quota is per region: a multi-region stack counts each region's windows apart.
        for (const regional of byRegion(windows)) {
            if (regional.length > cfg.maxWindows) {
                const where = regional[0].region ? ` in ${regional[0].region}` : "";
                reportViolation(
                    `the stack creates ${regional.length} maintenance windows${where}; the quota is ${cfg.maxWindows} per account and region (config maxWindows).`,
                    stackUrn(resources),
                );
            }
        }
        for (const window of windows) {
            const who = `window ${label(window.props, window.name)}`;
            const n = tasks.filter((t) => refersTo(t, "windowId", window) === true).length;
            if (n > cfg.maxTasksPerWindow) {
                reportViolation(
                    `${who} has ${n} tasks; SSM allows ${cfg.maxTasksPerWindow} per window (config maxTasksPerWindow).`,
                    window.urn,
                );
            }
            const m = targets.filter((t) => refersTo(t, "windowId", window) === true).length;
            if (m > cfg.maxTargetsPerWindow) {
                reportViolation(
                    `${who} has ${m} targets; SSM allows ${cfg.maxTargetsPerWindow} per window (config maxTargetsPerWindow).`,
                    window.urn,
                );
            }
        }
        for (const r of [...tasks, ...targets]) {
            const entries = r.props.targets;
            if (!isUnknown(entries) && asArray(entries).length > MAX_TARGET_ENTRIES) {
                const kind = r.type === TYPES.windowTask ? "task" : "window target";
                reportViolation(
                    `${kind} ${label(r.props, r.name)} has ${asArray(entries).length} targets entries; SSM accepts at most ${MAX_TARGET_ENTRIES}.`,
                    r.urn,
                );
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

/** What a task selects: "key=value" for its window targets' entries and its own (other than WindowTargetIds). */
function selection(task: StackResource, targets: StackResource[]): string[] {
    const entries = [
        ...targetsOf(task, targets).flatMap((t) => asArray(t.props.targets)),
        ...asArray(task.props.targets).filter((t: any) => t?.key !== TARGET_KEYS.windowTargetIds),
    ];
    return entries.flatMap((e: any) =>
        typeof e?.key === "string"
            ? asArray(e.values)
                  .filter((v) => typeof v === "string")
                  .map((v) => `${e.key}=${v}`)
            : [],
    );
}

const HOUR_MS = 3_600_000;
/** How far ahead runs are compared: a year, so that monthly and quarterly waves meet daily or weekly scans. */
const OVERLAP_HORIZON_DAYS = 366;

/** A date input (`2026-12-01T00:00:00Z`) as ms, or undefined. */
function dateOf(value: unknown): number | undefined {
    const ms = typeof value === "string" ? Date.parse(value) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The starts of a schedule from now to the horizon, within [startDate, endDate). A rate() schedule
 * counts from the window's creation or its startDate: without a startDate its phase is unknown, so
 * it gives no starts (no finding rather than a guess).
 */
function startsOf(schedule: unknown, props: any, from: Date): number[] {
    if (typeof schedule !== "string" || props?.enabled === false) return [];
    if (/^\s*rate\(/.test(schedule) && dateOf(props?.startDate) === undefined) return [];
    const begin = Math.max(from.getTime(), dateOf(props?.startDate) ?? -Infinity);
    const end = Math.min(from.getTime() + OVERLAP_HORIZON_DAYS * 24 * HOUR_MS, dateOf(props?.endDate) ?? Infinity);
    if (!(begin < end)) return [];
    const timezone = typeof props?.scheduleTimezone === "string" && props.scheduleTimezone !== "" ? props.scheduleTimezone : "UTC";
    try {
        return startsBetween(withoutSeconds(schedule), {
            timezone,
            scheduleOffset: typeof props?.scheduleOffset === "number" ? props.scheduleOffset : undefined,
            from: new Date(begin),
            until: new Date(end),
            limit: 1000,
        }).map((d) => d.getTime());
    } catch {
        return []; // window-well-formed reports the schedule
    }
}

/**
 * When a patching run can be under way, as [start, end) in ms: a window task between the window's
 * start and its end (a task still running at the end goes on under CONTINUE_TASK, which is not
 * modelled: the finding is a lower bound), an association at each of its starts, for a minute.
 */
function spans(r: StackResource, windows: StackResource[], from: Date): Array<[number, number]> {
    if (r.type === TYPES.association) {
        return startsOf(r.props.scheduleExpression, { ...r.props, scheduleOffset: r.props.scheduleOffset }, from).map((s) => [
            s,
            s + 60_000,
        ]);
    }
    const window = windowOf(r, windows);
    const duration = window?.props.duration;
    if (!window || typeof duration !== "number") return [];
    return startsOf(window.props.schedule, window.props, from).map((s) => [s, s + duration * HOUR_MS]);
}

/**
 * When two runs first meet: for the first span of `a` that any span of `b` overlaps, the later of
 * its start and the start of the first such span of `b`. Spans in start order with their ends in
 * order too (each run lasts as long as the others of its schedule) are walked once, together.
 */
export function firstOverlap(a: ReadonlyArray<[number, number]>, b: ReadonlyArray<[number, number]>): number | undefined {
    // Indexed loops: a year of daily runs is hundreds of spans, and for-of with destructuring makes
    // iterator objects for each one until the code is optimized, which a plan's single run never is.
    if (!inOrder(a) || !inOrder(b)) {
        for (let i = 0; i < a.length; i++) {
            const s1 = a[i][0];
            const e1 = a[i][1];
            for (let k = 0; k < b.length; k++) {
                if (s1 < b[k][1] && b[k][0] < e1) return Math.max(s1, b[k][0]);
            }
        }
        return undefined;
    }
    let j = 0;
    for (let i = 0; i < a.length; i++) {
        const s1 = a[i][0];
        const e1 = a[i][1];
        // Spans of b that end by s1 end before every later span of a starts.
        while (j < b.length && b[j][1] <= s1) j++;
        if (j === b.length) return undefined;
        // b[j] is the first to end after s1; the ones after it start no earlier.
        if (b[j][0] < e1) return Math.max(s1, b[j][0]);
    }
    return undefined;
}

function inOrder(spans: ReadonlyArray<[number, number]>): boolean {
    for (let i = 1; i < spans.length; i++) {
        if (!(spans[i - 1][0] <= spans[i][0] && spans[i - 1][1] <= spans[i][1])) return false;
    }
    return true;
}

/** A task's or association's Operation. */
function operationOf(r: StackResource): unknown {
    if (r.type === TYPES.association) return associationParameter(r.props, "Operation");
    const op = commandParameter(r.props, "Operation");
    return Array.isArray(op) ? op[0] : undefined;
}

const overlapSchema: PolicyConfigSchema = { properties: { ...NOW_PROPERTY } };

export const scanInstallNoOverlap: StackValidationPolicy = {
    name: "scan-install-no-overlap",
    description:
        "A Scan and an Install of the same nodes do not run at the same time: two AWS-RunPatchBaseline runs on one node race " +
        "(failures with exit status 152/155, a held yum lock) and each scan overwrites the other's compliance (Patch Manager " +
        "troubleshooting: one method at a time). Scans and installs of windows and State Manager associations of one region are " +
        "compared over the next year; move one, or give the tasks of one window different priorities.",
    enforcementLevel: "advisory",
    configSchema: overlapSchema,
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const scope = patchingScope(resources);
        const windows = ofType(resources, TYPES.window);
        const targets = ofType(resources, TYPES.windowTarget);
        const patching = [...scope.tasks.filter((t) => isPatchingTask(t.props)), ...scope.associations];
        const scans = patching.filter((r) => operationOf(r) === "Scan");
        const installs = patching.filter((r) => operationOf(r) === "Install");
        const now = new Date(evaluationTime(args.getConfig<{ now?: string }>()));
        const cache = new Map<StackResource, Array<[number, number]>>();
        const spansOf = (r: StackResource) => cache.get(r) ?? (cache.set(r, spans(r, windows, now)), cache.get(r)!);
        const installed = new Map(installs.map((install) => [install, selection(install, targets)]));
        for (const scan of scans) {
            const scanned = new Set(selection(scan, targets));
            for (const install of installs) {
                // Managed nodes are regional: a scan in one region never runs on another region's nodes.
                if (scan.region !== undefined && install.region !== undefined && scan.region !== install.region) continue;
                const shared = installed.get(install)!.filter((s) => scanned.has(s));
                if (shared.length === 0) continue;
                const sameWindow =
                    scan.type === TYPES.windowTask &&
                    install.type === TYPES.windowTask &&
                    windowOf(scan, windows) === windowOf(install, windows);
                let when: number | undefined;
                if (sameWindow) {
                    // Tasks of one window run by priority, equal priorities together; an unset one may equal the other.
                    const [p, q] = [scan.props.priority, install.props.priority];
                    if (typeof p === "number" && typeof q === "number" && p !== q) continue;
                    when = spansOf(scan)[0]?.[0];
                } else {
                    const b = spansOf(install);
                    when = firstOverlap(spansOf(scan), b);
                }
                if (when === undefined) continue;
                reportViolation(
                    `${runLabel(scan)} (Scan) and ${runLabel(install)} (Install) run on ${shared.slice(0, 2).join(", ")} at the same ` +
                        `time (e.g. ${new Date(when).toISOString().slice(0, 16)}Z): move one, or give them different priorities.`,
                    scan.urn,
                );
            }
        }
    },
};

const runLabel = (r: StackResource) =>
    r.type === TYPES.association ? `association ${label({ name: r.props.associationName }, r.name)}` : `task ${label(r.props, r.name)}`;

export const stackPolicies = [patchGroupCoverage, patchGroupOneBaselinePerOs, windowHasTask, windowQuotas, scanInstallNoOverlap];
