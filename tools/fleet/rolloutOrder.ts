// Rollout order: production installs each release only after non-production had it for the soak time.
import { located, windowKey, windowOccurrences } from "./calendar";
import { Approval, DAY_MS, FleetGroup, FleetOptions, FleetStack, HOUR_MS, Occurrence, RolloutFinding } from "./types";

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/**
 * When a rule approves a patch released on `releaseDay` (00:00 UTC): SSM counts
 * ApproveAfterDays in whole days from the release date, and ApproveUntilDate
 * approves every patch released on or before that date. undefined: never.
 */
export function approvedAt(approval: Approval, releaseDay: Date): Date | undefined {
    switch (approval.kind) {
        case "afterDays":
            return new Date(releaseDay.getTime() + approval.days * DAY_MS);
        case "onRelease":
            return releaseDay;
        case "untilDate":
            return utcDay(releaseDay) <= approval.date ? releaseDay : undefined;
    }
}

function describeApproval(a: Approval): string {
    switch (a.kind) {
        case "afterDays":
            return `approveAfterDays ${a.days}`;
        case "onRelease":
            return "approval on release";
        case "untilDate":
            return `approveUntilDate ${a.date}`;
    }
}

interface Reach {
    stack: string;
    window: string;
    group: FleetGroup;
    approval: Approval;
    approved: Date;
    start: Date;
}

/**
 * The first window start at which a stack's groups of `os` install a patch
 * released on `releaseDay`. Rules cannot be matched patch by patch offline,
 * so `pick` chooses the rule: production takes its fastest rule (the patch may
 * be one it approves), non-production its slowest (only then is every kind of
 * patch approved there).
 */
function firstReach(
    stack: FleetStack,
    os: string,
    releaseDay: Date,
    occurrences: ReadonlyMap<string, Occurrence[]>,
    pick: "fastest" | "slowest",
): Reach | undefined {
    let best: Reach | undefined;
    for (const group of stack.groups.filter((g) => g.operatingSystem === os)) {
        if (group.approvals.length === 0) continue;
        const timed = group.approvals.map((approval) => ({ approval, approved: approvedAt(approval, releaseDay) }));
        let chosen: { approval: Approval; approved?: Date };
        if (pick === "fastest") {
            const approved = timed.filter((t) => t.approved !== undefined).sort((a, b) => a.approved!.getTime() - b.approved!.getTime());
            if (approved.length === 0) continue;
            chosen = approved[0];
        } else {
            chosen =
                timed.find((t) => t.approved === undefined) ?? [...timed].sort((a, b) => b.approved!.getTime() - a.approved!.getTime())[0];
            if (chosen.approved === undefined) continue;
        }
        const approved = chosen.approved!;
        for (const w of stack.windows) {
            if (!w.patchGroups.includes(group.name) || !/\bInstall\b/.test(w.operation)) continue;
            // A start in a change freeze installs nothing: the window is disabled then.
            const next = (occurrences.get(windowKey(stack, w)) ?? []).find(
                (o) => o.skipped === undefined && o.start.getTime() >= approved.getTime(),
            );
            if (next && (!best || next.start.getTime() < best.start.getTime())) {
                best = { stack: stack.stack, window: w.name, group, approval: chosen.approval, approved, start: next.start };
            }
        }
    }
    return best;
}

/**
 * When `stack` first installs a patch of `os` released on `releaseDay`, by the rollout check's
 * rule (production its fastest approval, non-production its slowest), looking until `until`.
 */
export function firstInstall(
    stack: FleetStack,
    os: string,
    releaseDay: Date,
    until: Date,
): { window: string; region?: string; approved: Date; start: Date } | undefined {
    const occurrences = new Map<string, Occurrence[]>();
    for (const w of stack.windows)
        occurrences.set(windowKey(stack, w), windowOccurrences(stack.stack, located(stack, w), releaseDay, until));
    const reach = firstReach(stack, os, releaseDay, occurrences, stack.production ? "fastest" : "slowest");
    if (!reach) return undefined;
    const region = stack.windows
        .map((w) => located(stack, w))
        .find(
            (w) =>
                w.name === reach.window && occurrences.get(windowKey(stack, w))?.some((o) => o.start.getTime() === reach.start.getTime()),
        )?.region;
    return { window: reach.window, ...(region !== undefined ? { region } : {}), approved: reach.approved, start: reach.start };
}

export const isoMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export function duration(ms: number): string {
    const negative = ms < 0;
    const totalHours = Math.floor(Math.abs(ms) / HOUR_MS);
    const d = Math.floor(totalHours / 24);
    const h = totalHours % 24;
    const parts = [d > 0 ? `${d} day${d === 1 ? "" : "s"}` : "", h > 0 || d === 0 ? `${h} h` : ""].filter(Boolean);
    return `${negative ? "-" : ""}${parts.join(" ")}`;
}

/**
 * For each operating system that production stacks install, and each release
 * day in [from, from + days): production's first install must come at least
 * `soakDays` after the first install in any non-production stack. Window
 * starts stand for installs (tasks start when the window opens).
 */
export function checkRolloutOrder(stacks: readonly FleetStack[], opts: FleetOptions): RolloutFinding[] {
    const first = startOfUtcDay(opts.from);
    const maxDelay = Math.max(
        0,
        ...stacks.flatMap((s) => s.groups.flatMap((g) => g.approvals.map((a) => (a.kind === "afterDays" ? a.days : 0)))),
    );
    // Far enough past the last approval to see the next monthly or yearly-ish window.
    const until = new Date(first.getTime() + (opts.days + maxDelay + 62) * DAY_MS);
    const occurrences = new Map<string, Occurrence[]>();
    for (const s of stacks)
        for (const w of s.windows) occurrences.set(windowKey(s, w), windowOccurrences(s.stack, located(s, w), first, until));

    const nonProduction = stacks.filter((s) => !s.production);
    // The first non-production install of a release day does not depend on the production stack:
    // computed once per system and day, so the check grows with the stacks, not their square.
    const firstNonProduction = new Map<string, Reach | undefined>();
    const nonProductionReach = (os: string, releaseDay: Date): Reach | undefined => {
        const key = `${os}\u0000${releaseDay.getTime()}`;
        if (!firstNonProduction.has(key))
            firstNonProduction.set(
                key,
                nonProduction
                    .map((s) => firstReach(s, os, releaseDay, occurrences, "slowest"))
                    .filter((r): r is Reach => r !== undefined)
                    .sort((a, b) => a.start.getTime() - b.start.getTime())[0],
            );
        return firstNonProduction.get(key);
    };
    const findings: RolloutFinding[] = [];
    for (const prod of stacks.filter((s) => s.production)) {
        const systems = [...new Set(prod.groups.map((g) => g.operatingSystem))];
        for (const os of systems) {
            const broken = new Map<
                string,
                { prodWindow: string; nonProdWindow: string | null; days: string[]; example: RolloutFinding["example"]; sentence: string }
            >();
            for (let i = 0; i < opts.days; i++) {
                const releaseDay = new Date(first.getTime() + i * DAY_MS);
                const p = firstReach(prod, os, releaseDay, occurrences, "fastest");
                if (!p) continue;
                const n = nonProductionReach(os, releaseDay);
                const soak = n ? p.start.getTime() - n.start.getTime() : undefined;
                if (soak !== undefined && soak >= opts.soakDays * DAY_MS) continue;
                const key = `${p.window}\u0000${n?.window ?? ""}`;
                const entry = broken.get(key);
                if (entry) {
                    entry.days.push(utcDay(releaseDay));
                    continue;
                }
                const prodPart =
                    `a ${os} patch released on ${utcDay(releaseDay)} is approved in ${prod.stack} on ${utcDay(p.approved)} ` +
                    `(baseline "${p.group.baseline}", ${describeApproval(p.approval)}) and installed by window "${p.window}" ` +
                    `(${p.group.name}) at ${isoMinute(p.start)}`;
                const sentence = n
                    ? `${prodPart}, ${soak! >= 0 ? `only ${duration(soak!)} after` : `${duration(-soak!)} before`} it first reaches non-production: ${n.stack} window "${n.window}" ` +
                      `(${n.group.name}, baseline "${n.group.baseline}", ${describeApproval(n.approval)}) at ${isoMinute(n.start)}`
                    : `${prodPart}, but no non-production window installs it first (no non-production stack installs ${os} patches ` +
                      `with an approval by then)`;
                broken.set(key, {
                    prodWindow: p.window,
                    nonProdWindow: n?.window ?? null,
                    days: [utcDay(releaseDay)],
                    sentence,
                    example: {
                        releaseDay: utcDay(releaseDay),
                        productionApproved: p.approved.toISOString(),
                        productionStart: p.start.toISOString(),
                        nonProductionStack: n?.stack ?? null,
                        nonProductionApproved: n?.approved.toISOString() ?? null,
                        nonProductionStart: n?.start.toISOString() ?? null,
                        soakHours: soak === undefined ? null : Math.round(soak / HOUR_MS),
                    },
                });
            }
            for (const b of broken.values()) {
                const more = b.days.length - 1;
                const moreText =
                    more > 0
                        ? ` The same holds for ${more} more release day${more === 1 ? "" : "s"} (${b.days.slice(1, 6).join(", ")}${more > 5 ? ", ..." : ""}).`
                        : "";
                findings.push({
                    check: "rollout-order",
                    level: "blocking",
                    stack: prod.stack,
                    operatingSystem: os,
                    productionWindow: b.prodWindow,
                    nonProductionWindow: b.nonProdWindow,
                    releaseDays: b.days,
                    example: b.example,
                    message:
                        `${prod.stack} patches ${os} before non-production has had it for ${opts.soakDays} day${opts.soakDays === 1 ? "" : "s"}: ` +
                        `${b.sentence}.${moreText} Raise ${prod.stack}'s approval delay, move window "${b.prodWindow}" later, ` +
                        `or patch non-production sooner.`,
                });
            }
        }
    }
    return findings;
}
