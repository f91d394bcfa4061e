// Reboot after install: a group that installs with NoReboot stays InstalledPendingReboot (and
// non-compliant) until its reboot window reboots and scans it (AWS-RunPatchBaseline, RebootOption
// NoReboot: "the instance is non-compliant until it reboots and is scanned again"). Each install
// window run must be followed by a reboot window start within the bound the stack sets.
import { nextStarts } from "@patch-manager/ssm";
import type { WindowLayout } from "../windowPlan";

/** The default bound, in hours after an install window closes (`patch-manager:rebootWithinHours`). */
export const DEFAULT_REBOOT_WITHIN_HOURS = 24;

const HOUR_MS = 60 * 60 * 1000;

/**
 * The first install run (over `weeks` weeks from `from`) of `group` that no reboot window start
 * follows within `hours` after the install window closes; undefined when every one is.
 */
export function lateReboot(
    layout: readonly WindowLayout[],
    group: string,
    hours: number,
    from: Date,
    weeks = 10,
): { installEnds: Date; nextReboot?: Date } | undefined {
    const reboot = layout.find((w) => w.kind === "reboot" && w.key === group);
    if (!reboot) return undefined;
    try {
        return firstLate(layout, reboot, group, hours, from, weeks);
    } catch {
        return undefined; // a schedule SSM would refuse is reported at its own key
    }
}

function firstLate(layout: readonly WindowLayout[], reboot: WindowLayout, group: string, hours: number, from: Date, weeks: number) {
    const installs = layout.filter((w) => w.kind !== "reboot" && w.groups.some((g) => g.name === group));
    const until = new Date(from.getTime() + weeks * 7 * 24 * HOUR_MS);
    const starts = (w: WindowLayout, count: number) =>
        nextStarts(w.timing.schedule, { timezone: w.timezone, scheduleOffset: w.timing.scheduleOffset, from, count });
    const reboots = starts(reboot, weeks * 7 + 60);
    for (const w of installs) {
        for (const s of starts(w, weeks * 7 + 1).filter((x) => x < until)) {
            const ends = new Date(s.getTime() + w.timing.duration * HOUR_MS);
            const next = reboots.find((r) => r >= ends);
            if (!next || next.getTime() - ends.getTime() > hours * HOUR_MS)
                return { installEnds: ends, ...(next ? { nextReboot: next } : {}) };
        }
    }
    return undefined;
}
