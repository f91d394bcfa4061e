// Every stack's window starts on one calendar, each with its region.
import { startsBetween } from "@patch-manager/ssm";
import { frozenAt } from "../../config/freezes";
import { DAY_MS, FleetStack, FleetWindow, HOUR_MS, Occurrence } from "./types";

/** The region a window is created in: its own, else the stack's. */
export function windowRegion(s: Pick<FleetStack, "region">, w: Pick<FleetWindow, "region">): string | undefined {
    return w.region ?? s.region;
}

/** The window with its region filled in from the stack's, and the stack's freezes. */
export const located = (s: FleetStack, w: FleetWindow): FleetWindow => {
    const region = windowRegion(s, w);
    const freezes = s.freezes !== undefined && s.freezes.length > 0 && w.freezes === undefined ? { freezes: s.freezes } : {};
    const withRegion = region === w.region ? w : { ...w, region };
    return "freezes" in freezes ? { ...withRegion, ...freezes } : withRegion;
};

// A stack that deploys into several regions has windows of the same name in each.
export const windowKey = (s: FleetStack, w: FleetWindow) => `${s.stack}\u0000${windowRegion(s, w) ?? ""}\u0000${w.name}`;

// The calendar, the rollout check and the clash check walk the same windows; evaluating a
// cron over months is the slow part, so the starts are kept per window and span.
const startsCache = new Map<string, Occurrence[]>();

/** Every start of the window in [from, until), with its end. */
export function windowOccurrences(stack: string, w: FleetWindow, from: Date, until: Date): Occurrence[] {
    const key = JSON.stringify([stack, w, from.getTime(), until.getTime()]);
    const cached = startsCache.get(key);
    if (cached) return cached;
    if (startsCache.size > 1000) startsCache.clear();
    const out = computeOccurrences(stack, w, from, until);
    startsCache.set(key, out);
    return out;
}

// Cells of an organisation share templates: the same schedule in the same zone has the same
// starts, whichever stack it belongs to.
const scheduleStartsCache = new Map<string, Date[]>();

function scheduleStarts(w: FleetWindow, from: Date, until: Date): Date[] {
    const key = JSON.stringify([w.schedule, w.timezone, w.scheduleOffset, from.getTime(), until.getTime()]);
    const cached = scheduleStartsCache.get(key);
    if (cached) return cached;
    if (scheduleStartsCache.size > 1000) scheduleStartsCache.clear();
    // A start exactly at `from` counts; at most 10,000 (a rate() window over a long horizon).
    const out = startsBetween(w.schedule, {
        timezone: w.timezone,
        scheduleOffset: w.scheduleOffset,
        from: new Date(from.getTime() - 1),
        until,
        limit: 10_000,
    });
    scheduleStartsCache.set(key, out);
    return out;
}

function computeOccurrences(stack: string, w: FleetWindow, from: Date, until: Date): Occurrence[] {
    return scheduleStarts(w, from, until).map((start) => {
        const freeze = w.freezes ? frozenAt(w.freezes, start) : undefined;
        return {
            stack,
            window: w.name,
            ...(w.region !== undefined ? { region: w.region } : {}),
            start,
            end: new Date(start.getTime() + w.durationHours * HOUR_MS),
            timezone: w.timezone,
            patchGroups: w.patchGroups,
            operation: w.operation,
            ...(w.description !== undefined ? { description: w.description } : {}),
            ...(freeze ? { skipped: freeze.name } : {}),
        };
    });
}

/** All windows of all stacks in [from, from + days), in start order, each with its region. */
export function fleetCalendar(stacks: readonly FleetStack[], from: Date, days: number): Occurrence[] {
    const until = new Date(from.getTime() + days * DAY_MS);
    return stacks
        .flatMap((s) => s.windows.flatMap((w) => windowOccurrences(s.stack, located(s, w), from, until)))
        .sort(
            (a, b) =>
                a.start.getTime() - b.start.getTime() ||
                a.stack.localeCompare(b.stack) ||
                (a.region ?? "").localeCompare(b.region ?? "") ||
                a.window.localeCompare(b.window),
        );
}
