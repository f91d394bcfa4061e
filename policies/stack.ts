// Rules about how the stack's resources fit together: patch groups, windows, tasks, quotas.

import type { PolicyConfigSchema, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { PATCH_GROUP_TARGET_KEYS } from "./windows";
import {
    StackResource,
    TYPES,
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
        if ((PATCH_GROUP_TARGET_KEYS as readonly string[]).includes(t?.key)) {
            for (const v of asArray(t.values)) {
                if (isUnknown(v)) {
                    return undefined;
                }
                groups.push(String(v));
            }
        }
    }
    return groups;
}

export const patchGroupCoverage: StackValidationPolicy = {
    name: "patch-group-coverage",
    description:
        "Every patch group is registered with a baseline (aws.ssm.PatchGroup) and reached by at least one window target, and a " +
        "group has one baseline per operating system: register the group, target it from a window, or remove the registration.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const resources of byRegion(stackResources(args))) {
            patchGroupCoverageIn(resources, reportViolation);
        }
    },
};

/** patch-group-coverage within one region: registrations, baselines and targets are regional. */
function patchGroupCoverageIn(resources: StackResource[], reportViolation: ReportViolation): void {
    const registrations = ofType(resources, TYPES.patchGroup);
    const baselines = ofType(resources, TYPES.patchBaseline);
    const targets = ofType(resources, TYPES.windowTarget);

    const targeted = new Map<string, StackResource[]>();
    let targetsKnown = true;
    for (const target of targets) {
        const groups = targetedPatchGroups(target);
        if (groups === undefined) {
            targetsKnown = false;
            continue;
        }
        for (const g of groups) {
            targeted.set(g, [...(targeted.get(g) ?? []), target]);
        }
    }
    const registered = new Map<string, StackResource[]>();
    let registrationsKnown = true;
    for (const reg of registrations) {
        const group = reg.props.patchGroup;
        if (isUnknown(group)) {
            registrationsKnown = false;
            continue;
        }
        registered.set(String(group), [...(registered.get(String(group)) ?? []), reg]);
        if (!isUnknown(reg.props.baselineId) && !isSet(reg.props.baselineId)) {
            reportViolation(`patch group registration "${reg.name}" for ${show(group)} names no baselineId.`, reg.urn);
        }
    }

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
        // AWS allows one baseline per operating system for a group.
        const byOs = new Map<string, StackResource[]>();
        for (const reg of regs) {
            const baseline = baselines.find((b) => refersTo(reg, "baselineId", b, ["id"]) === true);
            const os = baseline?.props.operatingSystem;
            if (baseline && !isUnknown(os)) {
                const key = String(os ?? "WINDOWS");
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
}

// ------------------------------------------------------------------------------------------------

export const windowHasTask: StackValidationPolicy = {
    name: "window-has-task",
    description:
        "Every maintenance window has at least one task; a window without one opens on schedule and does nothing. Register a " +
        "task (AWS-RunPatchBaseline) with the window or remove it.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const tasks = ofType(resources, TYPES.windowTask);
        for (const window of ofType(resources, TYPES.window)) {
            const refs = tasks.map((t) => refersTo(t, "windowId", window));
            if (refs.includes(true) || refs.includes(undefined)) {
                continue;
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

export const stackPolicies = [patchGroupCoverage, windowHasTask, windowQuotas];
