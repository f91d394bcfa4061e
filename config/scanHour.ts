// When the daily compliance scan of a patch group runs: at a fixed UTC hour that none of the
// group's maintenance windows touches, so a scan never competes with (or reports the half-done
// state of) an install.
import { nextStarts, startsBetween } from "@patch-manager/ssm";
import { WindowStarts } from "./window";

/** A fixed year of window starts keeps the chosen hour the same on every run of the program. */
export const SCAN_REFERENCE = new Date("2026-01-01T00:00:00Z");
const YEAR_MS = 366 * 24 * 3600 * 1000;
/** Keep an hour clear before each window (instances busy with a scan at its start) and after it (reboots). */
export const SCAN_MARGIN_HOURS = 1;
/** Enough starts to cover a year of the densest window the config accepts day by day. */
const MAX_STARTS = 800;

/**
 * The UTC hours of the day (0–23) that some start of the window, plus the margin either side,
 * touches during a year from SCAN_REFERENCE. Windows are written in the stack's time zone, so
 * across daylight-saving changes one window covers two sets of UTC hours; both count.
 */
export function busyUtcHours(window: WindowStarts, timezone: string): Set<number> {
    const busy = new Set<number>();
    const starts = startsBetween(window.schedule, {
        timezone,
        scheduleOffset: window.scheduleOffset,
        from: SCAN_REFERENCE,
        until: new Date(SCAN_REFERENCE.getTime() + YEAR_MS + 1),
        limit: MAX_STARTS,
    });
    const hourMs = 3600 * 1000;
    for (const start of starts) {
        const from = start.getTime() - SCAN_MARGIN_HOURS * hourMs;
        // A day of hours is every hour: longer spans add none (and a huge duration would loop for ages).
        const to = Math.min(start.getTime() + (window.duration + SCAN_MARGIN_HOURS) * hourMs, from + 25 * hourMs);
        // Every clock hour [h:00, h+1:00) that overlaps [from, to).
        for (let t = Math.floor(from / hourMs) * hourMs; t < to; t += hourMs) busy.add(new Date(t).getUTCHours());
        if (busy.size === 24) break;
    }
    return busy;
}

/**
 * The scan's UTC hour: starting twelve hours after the window's first start (the far side of the
 * clock from it), the first hour of the day that busyUtcHours leaves free. `undefined` when the
 * window leaves none (e.g. a daily 23-hour window).
 */
export function dailyScanHour(window: WindowStarts, timezone: string): number | undefined {
    // A year of starts per group costs a few hundred milliseconds; config validation and the
    // program both ask, for every evaluation of a stack.
    const key = JSON.stringify([window.schedule, window.duration, window.scheduleOffset ?? 0, timezone]);
    if (!scanHourCache.has(key)) scanHourCache.set(key, computeScanHour(window, timezone));
    return scanHourCache.get(key);
}

const scanHourCache = new Map<string, number | undefined>();

function computeScanHour(window: WindowStarts, timezone: string): number | undefined {
    const busy = busyUtcHours(window, timezone);
    const first = nextStarts(window.schedule, { timezone, scheduleOffset: window.scheduleOffset, from: SCAN_REFERENCE, count: 1 })[0];
    const preferred = ((first ? first.getUTCHours() : 0) + 12) % 24;
    for (let i = 0; i < 24; i++) {
        const h = (preferred + i) % 24;
        if (!busy.has(h)) return h;
    }
    return undefined;
}

/** State Manager association schedules are in UTC: a daily run at minute 0 of `hour`. */
export function dailyCron(hour: number): string {
    return `cron(0 ${hour} ? * * *)`;
}
