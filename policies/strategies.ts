// Rules for the patching strategies: reboot windows behind NoReboot, overrides that exclude each
// other, snapshots before installs, and load-balancer drains that keep most targets in service.

import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { STRATEGY_DOCUMENTS, TARGET_KEYS, TYPES, targetTagKey } from "@patch-manager/ssm";
import { commandParameter, documentName, isPatchingTask, windowOf } from "./tasks";
import {
    StackResource,
    asArray,
    configWithDefaults,
    isSet,
    isUnknown,
    label,
    ofType,
    refersTo,
    show,
    stackResources,
    validateResourceOfTypes,
    text,
} from "./util";

const taskLabel = (props: any, name: string) => `task ${label(props, name)}`;

/** Runbooks that install in place of AWS-RunPatchBaseline. */
export const INSTALL_RUNBOOKS: readonly string[] = [
    STRATEGY_DOCUMENTS.patchWithRollback.name,
    STRATEGY_DOCUMENTS.patchLoadBalancerInstance.name,
    STRATEGY_DOCUMENTS.patchAsgInstance.name,
];

/** The window targets a task runs on: by the engine's dependencies, else by WindowTargetIds value. */
export function targetsOf(task: StackResource, targets: StackResource[]): StackResource[] {
    const deps = task.propertyDependencies.targets;
    if (deps && deps.length > 0) return targets.filter((t) => deps.includes(t.urn));
    const ids = asArray(task.props.targets).flatMap((t: any) => (t?.key === TARGET_KEYS.windowTargetIds ? asArray<unknown>(t.values) : []));
    return targets.filter((t) => typeof t.props.id === "string" && ids.includes(t.props.id));
}

/** "tag:Patch Group=Web Server" for each tag value a task's window targets select. */
export function patchGroupsOf(task: StackResource, targets: StackResource[]): string[] {
    return targetsOf(task, targets).flatMap((t) =>
        asArray(t.props.targets)
            .filter((x: any) => targetTagKey(x?.key) !== undefined)
            .flatMap((x: any) => asArray<string>(x.values).map((v) => `${x.key}=${v}`)),
    );
}

/** A script that asks the SSM Agent for a reboot: a line exiting with the agent's reboot exit code (194 or 3010). */
const asksForReboot = (commands: unknown): boolean =>
    Array.isArray(commands) && commands.some((c) => /\bexit\s+(194|3010)\b/.test(text(c)));

/**
 * The scripts a JSON Command document's content runs (its aws:runShellScript / aws:runPowerShellScript
 * steps' runCommand); a YAML one reads as none (the pack carries no YAML parser).
 */
function documentScripts(content: unknown): unknown[] {
    if (typeof content !== "string") return [];
    let parsed: any;
    try {
        parsed = JSON.parse(content);
    } catch {
        return [];
    }
    return asArray(parsed?.mainSteps)
        .filter((st: any) => st?.action === "aws:runShellScript" || st?.action === "aws:runPowerShellScript")
        .map((st: any) => st?.inputs?.runCommand);
}

/**
 * A task that reboots its targets: a shell script ending with the agent's reboot exit code (194 or
 * 3010), passed to AWS-RunShellScript / AWS-RunPowerShellScript or inside a Command document of the
 * stack that the task runs (the program's own reboot documents take no commands).
 */
export function isRebootTask(task: StackResource, resources: readonly StackResource[] = []): boolean {
    const doc = documentName(task.props?.taskArn);
    if (doc === STRATEGY_DOCUMENTS.runShellScript.name || doc === STRATEGY_DOCUMENTS.runPowerShellScript.name)
        return asksForReboot(commandParameter(task.props, "commands"));
    return ofType([...resources], TYPES.document)
        .filter((d) => d.props.documentType === "Command" && refersTo(task, "taskArn", d, ["name", "id"]) === true)
        .some((d) => documentScripts(d.props.content).some(asksForReboot));
}

/**
 * The window that reboots the patch groups of `task` after it installed with NoReboot: another
 * window of the stack whose reboot task runs on the same patch groups.
 */
export function rebootWindowFor(task: StackResource, resources: StackResource[]): StackResource | undefined {
    const targets = ofType(resources, TYPES.windowTarget);
    const windows = ofType(resources, TYPES.window);
    const groups = patchGroupsOf(task, targets);
    if (groups.length === 0) return undefined;
    const own = windowOf(task, windows);
    for (const t of ofType(resources, TYPES.windowTask)) {
        if (!isRebootTask(t, resources)) continue;
        const window = windowOf(t, windows);
        if (window === undefined || window === own) continue;
        const rebooted = patchGroupsOf(t, targets);
        if (groups.every((g) => rebooted.includes(g))) return window;
    }
    return undefined;
}

// ------------------------------------------------------------------------------------------------

// ------------------------------------------------------------------------------------------------

export const strategyOverridesExclusive: ResourceValidationPolicy = {
    name: "strategy-overrides-exclusive",
    description:
        "An AWS-RunPatchBaseline task takes BaselineOverride or InstallOverrideList, not both (the document then fails without " +
        "scanning or installing), and no SnapshotId beside either (SSM derives it in a window; a fixed one would pin old results).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        if (!isPatchingTask(task)) return;
        const given = (name: string) => {
            const v = commandParameter(task, name);
            return Array.isArray(v) && v.some((x) => isSet(x) && !isUnknown(x));
        };
        const who = taskLabel(task, args.name);
        if (given("BaselineOverride") && given("InstallOverrideList")) {
            reportViolation(`${who} sets both BaselineOverride and InstallOverrideList; keep one (AWS-RunPatchBaseline fails with both).`);
        }
        const overrides = ["BaselineOverride", "InstallOverrideList"].filter(given);
        if (overrides.length > 0 && given("SnapshotId")) {
            reportViolation(
                `${who} sets SnapshotId ${show(commandParameter(task, "SnapshotId"))} beside ${overrides.join(" and ")}; drop SnapshotId.`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** Snapshot tasks: an image or snapshot runbook that must finish before the install starts. */
export const SNAPSHOT_DOCUMENTS: readonly string[] = [STRATEGY_DOCUMENTS.createImage.name, "AWS-CreateSnapshot"];

export const strategySnapshotBeforeInstall: StackValidationPolicy = {
    name: "strategy-snapshot-before-install",
    description:
        "A snapshot task (AWS-CreateImage, AWS-CreateSnapshot) runs before the install on the same patch group: give it a lower " +
        "priority number than the install task in the same window (equal numbers run in parallel, higher ones later).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const windows = ofType(resources, TYPES.window);
        const targets = ofType(resources, TYPES.windowTarget);
        const tasks = ofType(resources, TYPES.windowTask);
        const installs = tasks.filter((t) => {
            const doc = documentName(t.props.taskArn);
            if (typeof doc !== "string") return false;
            if (INSTALL_RUNBOOKS.includes(doc)) return true;
            const op = commandParameter(t.props, "Operation");
            return isPatchingTask(t.props) && Array.isArray(op) && op[0] === "Install";
        });
        for (const snap of tasks) {
            const doc = documentName(snap.props.taskArn);
            if (typeof doc !== "string" || !SNAPSHOT_DOCUMENTS.includes(doc)) continue;
            const window = windowOf(snap, windows);
            const groups = patchGroupsOf(snap, targets);
            for (const install of installs) {
                if (windowOf(install, windows) !== window) continue;
                if (!patchGroupsOf(install, targets).some((g) => groups.includes(g))) continue;
                const [p, q] = [snap.props.priority, install.props.priority];
                if (typeof p !== "number" || typeof q !== "number") continue;
                if (p >= q) {
                    reportViolation(
                        `${taskLabel(snap.props, snap.name)} (${doc}, priority ${p}) does not run before ` +
                            `${taskLabel(install.props, install.name)} (priority ${q}); give the snapshot a lower priority number.`,
                        snap.urn,
                    );
                }
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

const loadBalancerSchema: PolicyConfigSchema = {
    properties: {
        maxDrainingPercent: {
            type: "integer",
            minimum: 1,
            maximum: 100,
            default: 25,
            description:
                "Highest share of a patch group that AWSEC2-PatchLoadBalancerInstance may drain at once, as maxConcurrency; " +
                "a group that is one target group keeps at least the rest healthy.",
        },
    },
};

export const strategyLoadBalancerShare: ResourceValidationPolicy = {
    name: "strategy-load-balancer-share",
    description:
        "An AWSEC2-PatchLoadBalancerInstance task drains at most a configured share of its targets at once (default 25%): " +
        'set maxConcurrency to a percentage at or below it, or "1".',
    enforcementLevel: "mandatory",
    configSchema: loadBalancerSchema,
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        if (documentName(task.taskArn) !== STRATEGY_DOCUMENTS.patchLoadBalancerInstance.name) return;
        const cfg = configWithDefaults<{ maxDrainingPercent: number }>(loadBalancerSchema, args);
        const value = task.maxConcurrency;
        if (isUnknown(value)) return;
        const who = taskLabel(task, args.name);
        const percent = typeof value === "string" && /^\d+%$/.test(value) ? Number(value.slice(0, -1)) : undefined;
        if (value === "1" || (percent !== undefined && percent <= cfg.maxDrainingPercent)) return;
        reportViolation(
            `${who} drains ${show(value)} of its load balancer's targets at once; use a percentage up to ` +
                `${cfg.maxDrainingPercent}% (config maxDrainingPercent) or "1", so the rest stay in service.`,
        );
    }),
};

export const strategyPolicies = [strategyOverridesExclusive, strategySnapshotBeforeInstall, strategyLoadBalancerShare];
