// Which maintenance windows a stack gets and which patch groups each one patches: the one layout
// that the program creates, the config checks count, the offline plan shows and the organisation's
// fleet checks lay out for 1,000 cells without evaluating a program.
import type { PatchManagerConfig } from "./model";
import type { PatchGroupConfig } from "./patchGroups";
import type { WindowTiming } from "./window";
import { ssmName } from "./naming";
import { PROJECT } from "./project";

/** One maintenance window of a deployment. */
export interface WindowLayout {
    /**
     * What the window is: the environment's (every group without a schedule of its own), one
     * group's own, or the window that reboots a group after its NoReboot install.
     */
    readonly kind: "environment" | "group" | "reboot";
    /** Key of the stack outputs' `maintenanceWindows`: the window kind ("weekend") or the group's name; the reboot window's group. */
    readonly key: string;
    /** Name part of the window ("weekend", "web-server", "web-server-reboot"), after the stack's prefix. */
    readonly windowName: string;
    /** The SSM window name: `patch-manager-<stack>-<windowName>`, shortened as SSM requires. */
    readonly name: string;
    /** The window's description. */
    readonly description: string;
    /** When it opens, how long, and the cutoff. */
    readonly timing: WindowTiming;
    /** IANA zone the schedule is written in. */
    readonly timezone: string;
    /** The patch groups its targets select. */
    readonly groups: readonly PatchGroupConfig[];
}

/**
 * A window as the stack outputs, the offline plan and the fleet checks show it, in SSM's words:
 * the one window type the others extend (with an id, a URN, next starts, a region).
 */
export interface WindowSummary {
    /** The SSM window name. */
    name: string;
    /** The schedule expression: cron(...), rate(...) or at(...). */
    schedule: string;
    /** Days after the cron's date the window runs (1–6). */
    scheduleOffset?: number;
    /** IANA zone the schedule is written in. */
    timezone: string;
    durationHours: number;
    /** Hours before the end in which no new task starts. */
    cutoffHours: number;
    /** The patch groups its targets select. */
    patchGroups: string[];
}

/** A laid-out window in the shape every reader of windows shares. */
export function windowSummary(w: WindowLayout): WindowSummary {
    return {
        name: w.name,
        schedule: w.timing.schedule,
        ...(w.timing.scheduleOffset !== undefined ? { scheduleOffset: w.timing.scheduleOffset } : {}),
        timezone: w.timezone,
        durationHours: w.timing.duration,
        cutoffHours: w.timing.cutoff,
        patchGroups: w.groups.map((g) => g.name),
    };
}

/** The physical names' prefix of a stack's resources. */
export function namePrefix(stack: string): string {
    return `${PROJECT}-${stack}`;
}

/**
 * Whether a group gets a window of its own: it has a schedule, or its run takes more than one step
 * (start, image, install, stop). SSM runs a window's tasks in priority bands across all its groups
 * ("Tasks in a maintenance window are scheduled in priority order with tasks that have the same
 * priority scheduled in parallel", RegisterTaskWithMaintenanceWindow), so a later step in a shared
 * window waits for every other group's runbook, and the cutoff may come first
 * (config/runtime/windowRun.ts replays it). A one-step group shares the environment window: all
 * its tasks run at priority 1, in parallel.
 */
export function ownsWindow(g: Pick<PatchGroupConfig, "window" | "strategies">): boolean {
    return g.window !== undefined || g.strategies.startStopped || g.strategies.imageFirst;
}

/**
 * The windows of one deployment in the order the program creates them: the environment window
 * when any group has no window of its own, then each such group's window, then each reboot window.
 */
export function windowPlan(model: PatchManagerConfig): WindowLayout[] {
    const prefix = namePrefix(model.stack);
    const window = (
        kind: WindowLayout["kind"],
        key: string,
        windowName: string,
        timing: WindowTiming,
        groups: PatchGroupConfig[],
        description: string,
    ): WindowLayout => ({
        kind,
        key,
        windowName,
        name: ssmName(prefix, windowName),
        description,
        timing,
        timezone: model.timezone,
        groups,
    });
    const out: WindowLayout[] = [];
    const inEnvironmentWindow = model.patchGroups.filter((g) => !ownsWindow(g));
    if (inEnvironmentWindow.length > 0)
        out.push(
            window(
                "environment",
                model.windowKind,
                model.windowKind,
                model.environmentWindow,
                inEnvironmentWindow,
                `${model.environment} ${model.windowKind} patching window`,
            ),
        );
    for (const g of model.patchGroups)
        if (ownsWindow(g))
            out.push(
                window(
                    "group",
                    g.name,
                    g.slug,
                    g.window ?? model.environmentWindow,
                    [g],
                    `${model.environment} patching window of ${g.name}`,
                ),
            );
    for (const g of model.patchGroups) {
        const reboot = g.strategies.rebootWindow;
        if (reboot)
            out.push(
                window(
                    "reboot",
                    g.name,
                    `${g.slug}-reboot`,
                    reboot,
                    [g],
                    `${model.environment}: reboots ${g.name} after its NoReboot install`.slice(0, 128),
                ),
            );
    }
    return out;
}

/** The operations a window's tasks run, as the plan shows them: "Install", "Scan", or both. */
export function windowOperation(w: Pick<WindowLayout, "kind" | "groups">): string {
    return w.kind === "reboot" ? "Scan" : [...new Set(w.groups.map((g) => g.operation))].join(", ");
}
