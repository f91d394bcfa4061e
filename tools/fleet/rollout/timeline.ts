// The rollout as a picture sees it: one lane per stack and region in rollout order
// (non-production first), each window occurrence a bar, the bars of clashing windows marked,
// and for each monthly release day the first install in every stack with the soak between
// non-production and production. The SVG and the Mermaid gantt both draw this model.
import { FleetReport, FleetStack, firstInstall, windowRegion } from "..";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface RolloutPicture {
    readonly report: FleetReport;
    readonly stacks: readonly FleetStack[];
}

export interface Bar {
    readonly window: string;
    /** The window's name without the `patch-manager-<stack>-` prefix every window of the stack shares. */
    readonly label: string;
    readonly start: Date;
    readonly end: Date;
    readonly timezone: string;
    readonly patchGroups: readonly string[];
    readonly operation: string;
    /** Overlaps another window of the same lane (a clash finding). */
    readonly clash: boolean;
    /** The change freeze that skips this start: drawn, but nothing runs. */
    readonly skipped?: string;
}

export interface Lane {
    /** 1-based position in the rollout: non-production lanes come first. */
    readonly order: number;
    readonly stack: string;
    readonly region: string | null;
    readonly environment: string;
    readonly production: boolean;
    /** The lane's windows, each a row of the lane, in the order the stack declares them. */
    readonly windows: readonly string[];
    readonly bars: readonly Bar[];
}

/** Where one stack first installs a patch released on a release day. */
export interface Reach {
    readonly stack: string;
    readonly region: string | null;
    readonly window: string;
    readonly start: Date;
    readonly production: boolean;
}

export interface Release {
    readonly day: Date;
    readonly operatingSystem: string;
    /** Every stack's first install, earliest first. */
    readonly reaches: readonly Reach[];
    /** Production's first install minus non-production's first, in hours; null when one side never installs. */
    readonly soakHours: number | null;
    /** The soak is shorter than the report's --soak-days. */
    readonly short: boolean;
}

export interface Timeline {
    readonly from: Date;
    readonly until: Date;
    readonly soakDays: number;
    readonly lanes: readonly Lane[];
    readonly releases: readonly Release[];
}

/** The label of a window within its stack: `patch-manager-prod-web-server` → `web-server`. */
export function windowLabel(stack: string, window: string): string {
    const prefix = `patch-manager-${stack}-`;
    return window.startsWith(prefix) && window.length > prefix.length ? window.slice(prefix.length) : window;
}

/** The second Tuesday of each month in [from, until): Microsoft's monthly release day, when most patches arrive. */
export function releaseDays(from: Date, until: Date): Date[] {
    const out: Date[] = [];
    for (let y = from.getUTCFullYear(), m = from.getUTCMonth(); Date.UTC(y, m, 1) < until.getTime(); m === 11 ? (y++, (m = 0)) : m++) {
        const firstDay = new Date(Date.UTC(y, m, 1)).getUTCDay();
        const day = new Date(Date.UTC(y, m, 1 + ((2 - firstDay + 7) % 7) + 7));
        if (day >= from && day < until) out.push(day);
    }
    return out;
}

/** The operating system most production patch groups run: the one the soak is drawn for. */
function mainOperatingSystem(stacks: readonly FleetStack[]): string | undefined {
    const counts = new Map<string, number>();
    for (const s of stacks.filter((x) => x.production))
        for (const g of s.groups) counts.set(g.operatingSystem, (counts.get(g.operatingSystem) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export function rolloutTimeline(picture: RolloutPicture, days: number = picture.report.days): Timeline {
    const from = new Date(picture.report.from);
    const until = new Date(from.getTime() + days * DAY_MS);
    const clashing = new Set<string>();
    for (const f of picture.report.findings)
        if (f.check === "clash") for (const w of f.windows) clashing.add(`${f.stack}\u0000${f.region ?? ""}\u0000${w}`);
    const ordered = [...picture.stacks].sort((a, b) => Number(a.production) - Number(b.production) || a.stack.localeCompare(b.stack));
    const lanes: Lane[] = [];
    for (const s of ordered) {
        const regions = [...new Set(s.windows.map((w) => windowRegion(s, w) ?? ""))].sort();
        for (const region of regions) {
            const windows = s.windows.filter((w) => (windowRegion(s, w) ?? "") === region).map((w) => w.name);
            const occurrences = picture.report.calendar.filter(
                (o) => o.stack === s.stack && (o.region ?? "") === region && o.start < until && windows.includes(o.window),
            );
            const bars = occurrences.map((o): Bar => {
                const others = occurrences.filter(
                    (x) => x.skipped === undefined && x.window !== o.window && x.start < o.end && o.start < x.end,
                );
                return {
                    window: o.window,
                    label: windowLabel(s.stack, o.window),
                    start: o.start,
                    end: o.end,
                    timezone: o.timezone,
                    patchGroups: o.patchGroups,
                    operation: o.operation,
                    clash: o.skipped === undefined && others.length > 0 && clashing.has(`${s.stack}\u0000${region}\u0000${o.window}`),
                    ...(o.skipped !== undefined ? { skipped: o.skipped } : {}),
                };
            });
            lanes.push({
                order: lanes.length + 1,
                stack: s.stack,
                region: region === "" ? null : region,
                environment: s.environment,
                production: s.production,
                windows,
                bars,
            });
        }
    }
    const os = mainOperatingSystem(picture.stacks);
    const releases: Release[] = [];
    if (os !== undefined && picture.stacks.some((s) => s.production)) {
        // Far enough to see the install after the longest approval delay and the next monthly wave.
        const horizon = new Date(until.getTime() + 62 * DAY_MS);
        for (const day of releaseDays(from, until)) {
            const reaches: Reach[] = [];
            for (const s of ordered) {
                const r = firstInstall(s, os, day, horizon);
                if (r)
                    reaches.push({ stack: s.stack, region: r.region ?? null, window: r.window, start: r.start, production: s.production });
            }
            reaches.sort((a, b) => a.start.getTime() - b.start.getTime());
            const firstNonProduction = reaches.find((r) => !r.production);
            const firstProduction = reaches.find((r) => r.production);
            const soakHours =
                firstNonProduction && firstProduction
                    ? Math.round((firstProduction.start.getTime() - firstNonProduction.start.getTime()) / HOUR_MS)
                    : null;
            releases.push({
                day,
                operatingSystem: os,
                reaches,
                soakHours,
                short: soakHours === null ? firstProduction !== undefined : soakHours < picture.report.soakDays * 24,
            });
        }
    }
    return { from, until, soakDays: picture.report.soakDays, lanes, releases };
}

/** "9 d 1 h", "-2 d", "5 h". */
export function soakText(hours: number): string {
    const sign = hours < 0 ? "-" : "";
    const h = Math.abs(hours);
    const d = Math.floor(h / 24);
    return `${sign}${[d > 0 ? `${d} d` : "", h % 24 > 0 || d === 0 ? `${h % 24} h` : ""].filter(Boolean).join(" ")}`;
}
