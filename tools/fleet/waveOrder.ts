// Wave order inside one stack: each monthly release must reach the stack's waves (patch groups with
// monthly windows of their own) in the order their schedules intend. Approval counts
// ApproveAfterDays from each patch's release and is evaluated when each wave runs, so a wave whose
// window comes soon after the approval gets the release first, whatever the order of the waves
// within a month (issue 22: with 7 days after Patch Tuesday, the third Thursday's wave often gets
// the release weeks before the first Tuesday's).
import { located, windowOccurrences } from "./calendar";
import { approvedAt, isoMinute } from "./rolloutOrder";
import { DAY_MS, FleetGroup, FleetOptions, FleetStack, Occurrence, WaveOrderFinding } from "./types";

/** Microsoft's monthly release: the second Tuesday of the month (00:00 UTC, as release days count). */
export function patchTuesday(year: number, month: number): Date {
    const first = new Date(Date.UTC(year, month, 1));
    const firstTuesday = 1 + ((2 - first.getUTCDay() + 7) % 7);
    return new Date(Date.UTC(year, month, firstTuesday + 7));
}

/** Windows at most monthly: waves (a weekly or daily window patches every release within days). */
const MAX_WAVE_RUNS_PER_YEAR = 13;
/** The mean month's length in days. */
const MONTH_DAYS = 365.25 / 12;

interface Wave {
    group: FleetGroup;
    occurrences: Occurrence[];
    /** Mean position of its windows in their month, in days (circular): the order the schedules intend. */
    position: number;
    listed: number;
}

/**
 * For every stack and operating system with monthly releases (WINDOWS: Patch Tuesday; Linux
 * repositories release any day, when no order of monthly waves can hold for every patch), each
 * Patch Tuesday in [from, from + days): the first install per wave, from the release day and the
 * group's slowest approval rule, must follow the waves' intended order (the mean day of the month
 * their windows open, read around the month from the largest gap between waves; listing order
 * within a day). One finding per stack, system and inverted order.
 */
export function checkWaveOrder(stacks: readonly FleetStack[], opts: Pick<FleetOptions, "from" | "days">): WaveOrderFinding[] {
    const findings: WaveOrderFinding[] = [];
    const until = new Date(opts.from.getTime() + (opts.days + 120) * DAY_MS);
    const yearLater = new Date(opts.from.getTime() + 365 * DAY_MS);
    for (const stack of stacks) {
        const waves: Wave[] = [];
        stack.groups.forEach((group, listed) => {
            if (group.operatingSystem !== "WINDOWS" || group.approvals.length === 0) return;
            const windows = stack.windows.filter((w) => w.patchGroups.includes(group.name) && /\bInstall\b/.test(w.operation));
            if (windows.length === 0) return;
            const perWindow = windows.map((w) => windowOccurrences(stack.stack, located(stack, w), opts.from, until));
            if (perWindow.some((o) => o.filter((x) => x.start < yearLater).length > MAX_WAVE_RUNS_PER_YEAR)) return;
            const occurrences = perWindow.flat().sort((a, b) => a.start.getTime() - b.start.getTime());
            const inYear = occurrences.filter((o) => o.start < yearLater);
            if (inYear.length === 0) return;
            // The mean position in the month on a circle: a wave that opens on the 30th one month and the
            // 1st the next sits at the month's turn, not in its middle.
            const angles = inYear.map((o) => (2 * Math.PI * (o.start.getUTCDate() - 1 + o.start.getUTCHours() / 24)) / MONTH_DAYS);
            const mean = Math.atan2(
                angles.reduce((x, a) => x + Math.sin(a), 0),
                angles.reduce((x, a) => x + Math.cos(a), 0),
            );
            const position = ((((mean / (2 * Math.PI)) * MONTH_DAYS) % MONTH_DAYS) + MONTH_DAYS) % MONTH_DAYS;
            waves.push({ group, occurrences, position, listed });
        });
        if (waves.length < 2) continue;
        // The intended order: around the month from the largest gap between waves (the quiet days between cycles).
        const around = [...waves].sort((a, b) => (Math.abs(a.position - b.position) < 1 ? a.listed - b.listed : a.position - b.position));
        const gaps = around.map((w, i) => {
            const next = around[(i + 1) % around.length];
            const gap = (next.position - w.position + MONTH_DAYS) % MONTH_DAYS;
            // Waves less than a day apart are one step (listing order), not a month apart.
            return around.length > 1 && gap > MONTH_DAYS - 1 ? 0 : gap;
        });
        const afterGap = (gaps.indexOf(Math.max(...gaps)) + 1) % around.length;
        const intended = [...around.slice(afterGap), ...around.slice(0, afterGap)];
        const broken = new Map<string, { days: string[]; example: WaveOrderFinding["example"] }>();
        for (let m = 0; ; m++) {
            const release = patchTuesday(opts.from.getUTCFullYear(), opts.from.getUTCMonth() + m);
            if (release.getTime() >= opts.from.getTime() + opts.days * DAY_MS) break;
            if (release < opts.from) continue;
            const reached = intended.map((w) => {
                const approvals = w.group.approvals.map((a) => approvedAt(a, release));
                if (approvals.some((a) => a === undefined)) return { wave: w, start: undefined };
                const approved = new Date(Math.max(...approvals.map((a) => a!.getTime())));
                return { wave: w, start: w.occurrences.find((o) => o.start >= approved)?.start };
            });
            const known = reached.filter((r): r is { wave: Wave; start: Date } => r.start !== undefined);
            const actual = [...known].sort(
                (a, b) => a.start.getTime() - b.start.getTime() || intended.indexOf(a.wave) - intended.indexOf(b.wave),
            );
            if (actual.every((r, i) => r.wave === known[i].wave)) continue;
            const key = actual.map((r) => r.wave.group.name).join("\u0000");
            const day = release.toISOString().slice(0, 10);
            const entry = broken.get(key);
            if (entry) entry.days.push(day);
            else
                broken.set(key, {
                    days: [day],
                    example: { releaseDay: day, reached: actual.map((r) => ({ group: r.wave.group.name, start: r.start.toISOString() })) },
                });
        }
        for (const b of broken.values()) {
            const order = b.example.reached;
            findings.push({
                check: "wave-order",
                level: "blocking",
                stack: stack.stack,
                operatingSystem: "WINDOWS",
                intendedOrder: intended.map((w) => w.group.name),
                releaseDays: b.days,
                example: b.example,
                message:
                    `${stack.stack}: the WINDOWS release of ${b.example.releaseDay} (Patch Tuesday) reaches the waves in the order ` +
                    `${order.map((r) => `${r.group} (${isoMinute(new Date(r.start))})`).join(", ")}, not as their schedules intend ` +
                    `(${intended.map((w) => w.group.name).join(", ")}); ${b.days.length} of the releases checked do so${b.days.length > 1 ? ` (${b.days.slice(0, 6).join(", ")}${b.days.length > 6 ? ", ..." : ""})` : ""}. ` +
                    `Schedule the waves after the approval delay, in order, with patchTuesday: {daysAfter, at} (each wave's daysAfter past the approval's days).`,
            });
        }
    }
    return findings;
}
