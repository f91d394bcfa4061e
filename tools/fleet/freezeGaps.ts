// A change freeze that makes a patch group miss a release cycle: no install for longer than the
// stack allows (patch-manager:maxDaysWithoutInstall, default 35 days: a monthly cycle and a few days).
import { located, windowOccurrences } from "./calendar";
import { isoMinute } from "./rolloutOrder";
import { DAY_MS, FleetOptions, FleetStack, FreezeGapFinding, Occurrence } from "./types";

/**
 * Per patch group with an installing window: the longest stretch without an install in the
 * `--days` after `--from` (with one more bound beyond, to see the install that ends a gap), counting
 * only the starts a freeze does not skip. Reported when it exceeds the bound and the freezes are the
 * cause: without them the group would have been installed within the bound.
 */
export function checkFreezeGaps(stacks: readonly FleetStack[], opts: Pick<FleetOptions, "from" | "days">): FreezeGapFinding[] {
    const findings: FreezeGapFinding[] = [];
    for (const s of stacks) {
        if (!s.freezes || s.freezes.length === 0) continue;
        const maxDays = s.maxDaysWithoutInstall ?? 35;
        const until = new Date(opts.from.getTime() + (opts.days + maxDays) * DAY_MS);
        for (const group of s.groups) {
            const installs: Occurrence[] = s.windows
                .filter((w) => w.patchGroups.includes(group.name) && /\bInstall\b/.test(w.operation))
                .flatMap((w) => windowOccurrences(s.stack, located(s, w), opts.from, until))
                .sort((a, b) => a.start.getTime() - b.start.getTime());
            if (installs.length === 0) continue;
            const gap = longestGap(installs, opts.from, until, (o) => o.skipped === undefined);
            if (gap.days <= maxDays || longestGap(installs, opts.from, until, () => true).days > maxDays) continue;
            // Only a gap that starts within the horizon is this plan's to report.
            if (gap.from.getTime() >= opts.from.getTime() + opts.days * DAY_MS) continue;
            const freezes = [
                ...new Set(
                    installs
                        .filter((o) => o.skipped !== undefined && o.start >= gap.from && (gap.to === null || o.start <= gap.to))
                        .map((o) => o.skipped!),
                ),
            ];
            findings.push({
                check: "freeze-gap",
                level: "advisory",
                stack: s.stack,
                patchGroup: group.name,
                freezes,
                lastInstall: gap.from.toISOString(),
                nextInstall: gap.to?.toISOString() ?? null,
                days: Math.floor(gap.days),
                maxDays,
                message:
                    `${s.stack}: patch group "${group.name}" goes ${Math.floor(gap.days)} days without an install ` +
                    `(${isoMinute(gap.from)} to ${gap.to ? isoMinute(gap.to) : "beyond the horizon"}), more than maxDaysWithoutInstall ${maxDays}, ` +
                    `because freeze ${freezes.map((f) => `"${f}"`).join(", ")} skips its windows: it misses a whole release cycle. ` +
                    `Shorten the freeze, give the group a window just before or after it, or raise patch-manager:maxDaysWithoutInstall`,
            });
        }
    }
    return findings;
}

/** The longest stretch between counted installs (from `from`, to `until` when the last is followed by none). */
function longestGap(
    installs: readonly Occurrence[],
    from: Date,
    until: Date,
    counts: (o: Occurrence) => boolean,
): { from: Date; to: Date | null; days: number } {
    const starts = installs.filter(counts).map((o) => o.start);
    let best = { from, to: starts[0] ?? null, days: ((starts[0] ?? until).getTime() - from.getTime()) / DAY_MS };
    for (let i = 0; i < starts.length; i++) {
        const next = starts[i + 1] ?? null;
        const days = ((next ?? until).getTime() - starts[i].getTime()) / DAY_MS;
        if (days > best.days) best = { from: starts[i], to: next, days };
    }
    return best;
}
