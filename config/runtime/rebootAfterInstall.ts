// Reboot after install: a group that installs with NoReboot stays InstalledPendingReboot (and
// non-compliant) until its reboot window reboots and scans it (AWS-RunPatchBaseline, RebootOption
// NoReboot: "the instance is non-compliant until it reboots and is scanned again"). Each install
// window run must be followed by a reboot window start within the bound the stack sets.
import { nextStarts, startsBetween } from "@patch-manager/ssm";
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

/**
 * Each install start (the first weeks × 7 + 1 after `from`, before `from` + `weeks`) against the
 * reboot window's first weeks × 7 + 60 starts: late when none of those is in [its end, its end +
 * `hours`]. Only the starts up to each end + `hours` are computed (startsBetween keeps a schedule's
 * span), not 130 months of a monthly reboot window; a late run's next reboot from the whole list.
 * tests/config/runtime/rebootAfterInstall.test.ts compares it with that list over any schedules.
 */
function firstLate(layout: readonly WindowLayout[], reboot: WindowLayout, group: string, hours: number, from: Date, weeks: number) {
    const installs = layout.filter((w) => w.kind !== "reboot" && w.groups.some((g) => g.name === group));
    const until = new Date(from.getTime() + weeks * 7 * 24 * HOUR_MS);
    const rebootCount = weeks * 7 + 60;
    const where = (w: WindowLayout) => ({ timezone: w.timezone, scheduleOffset: w.timing.scheduleOffset, from });
    for (const w of installs) {
        for (const s of startsBetween(w.timing.schedule, { ...where(w), until, limit: weeks * 7 + 1 })) {
            const ends = new Date(s.getTime() + w.timing.duration * HOUR_MS);
            // The reboot starts up to the bound (inclusive), at most as many as the whole list holds.
            const near = startsBetween(reboot.timing.schedule, {
                ...where(reboot),
                until: new Date(ends.getTime() + hours * HOUR_MS + 1),
                limit: rebootCount,
            });
            if (near.some((r) => r >= ends)) continue;
            const next = nextStarts(reboot.timing.schedule, { ...where(reboot), count: rebootCount }).find((r) => r >= ends);
            return { installEnds: ends, ...(next ? { nextReboot: next } : {}) };
        }
    }
    return undefined;
}
