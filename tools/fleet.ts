// The fleet as a whole (`npm run plan -- --all`): every stack's windows on one
// calendar, checked for rollout order, clashes, patch groups that two stacks
// register in one account and region, and the per-region window quota.
// Pure functions over plain data; the CLI (plan.ts) only gathers the input.
import { localTime } from "./localTime";
import * as fs from "fs";
import * as path from "path";
import type { ApprovalRule, PatchManagerConfig } from "../config";
import { QUOTAS } from "@patch-manager/ssm";
import { startsBetween } from "@patch-manager/ssm";
import type { PlannedWindow } from "./plan";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** What the fleet checks read of a planned window; only Install operations count for rollout order. */
export type FleetWindow = Readonly<
    Pick<PlannedWindow, "name" | "schedule" | "scheduleOffset" | "timezone" | "durationHours" | "operation" | "region"> &
        Partial<Pick<PlannedWindow, "description">> & { patchGroups: readonly string[] }
>;

/** When a baseline approval rule approves a patch, relative to its release day. */
export type Approval =
    | { readonly kind: "afterDays"; readonly days: number }
    | { readonly kind: "untilDate"; readonly date: string }
    /** No delay: approved on release (the Debian family cannot delay). */
    | { readonly kind: "onRelease" };

export interface FleetGroup {
    readonly name: string;
    readonly operatingSystem: string;
    readonly baseline: string;
    /** One per approval rule; empty: the baseline approves nothing by rule. */
    readonly approvals: readonly Approval[];
    /** The regions the group is registered in (aws.ssm.PatchGroup); undefined: the stack's `aws:region`. */
    readonly regions?: readonly string[];
}

export interface FleetStack {
    readonly stack: string;
    readonly environment: string;
    readonly production: boolean;
    /** `aws:region`; undefined when the stack file does not set it. */
    readonly region?: string;
    /** From `aws:allowedAccountIds` when it names exactly one account; undefined: unknown. */
    readonly account?: string;
    readonly windows: readonly FleetWindow[];
    readonly groups: readonly FleetGroup[];
}

export interface FleetOptions {
    readonly from: Date;
    /** Release days (and calendar span) to look at. */
    readonly days: number;
    /** How long non-production must have had a patch before production installs it. */
    readonly soakDays: number;
    readonly windowsPerRegion?: number;
}

export interface Occurrence {
    readonly stack: string;
    readonly window: string;
    /** The window's region; undefined only when neither the window nor the stack names one. */
    readonly region?: string;
    readonly start: Date;
    readonly end: Date;
    readonly timezone: string;
    readonly patchGroups: readonly string[];
    readonly operation: string;
    readonly description?: string;
}

export interface RolloutFinding {
    readonly check: "rollout-order";
    readonly level: "blocking";
    readonly stack: string;
    readonly operatingSystem: string;
    /** The production window that installs too early, or the one that installs what non-production never gets. */
    readonly productionWindow: string;
    /** The non-production window that first installs the patch; null when none does. */
    readonly nonProductionWindow: string | null;
    /** Every release day (YYYY-MM-DD, UTC) that breaks the order this way. */
    readonly releaseDays: readonly string[];
    /** The first such release day, spelled out. */
    readonly example: {
        readonly releaseDay: string;
        readonly productionApproved: string;
        readonly productionStart: string;
        readonly nonProductionStack: string | null;
        readonly nonProductionApproved: string | null;
        readonly nonProductionStart: string | null;
        readonly soakHours: number | null;
    };
    readonly message: string;
}

export interface ClashFinding {
    readonly check: "clash";
    readonly level: "advisory";
    readonly stack: string;
    /** Both windows' region (windows in different regions never clash); null: not known. */
    readonly region: string | null;
    readonly windows: readonly [string, string];
    /** Start instants (ISO) of the first window's occurrences that overlap the second's. */
    readonly overlaps: readonly string[];
    readonly message: string;
}

export interface QuotaUsage {
    readonly account: string | null;
    readonly region: string | null;
    readonly stacks: readonly string[];
    readonly windows: number;
    readonly limit: number;
}

export interface QuotaFinding extends QuotaUsage {
    readonly check: "quota";
    readonly level: "advisory";
    readonly message: string;
}

/**
 * Stacks that register the same patch-group name in one region. In one account each stack's
 * windows patch the other's instances (targets select only the Patch Group tag) and the second
 * registration fails; blocking when they pin the same account, advisory when either is unpinned.
 */
export interface SharedGroupFinding {
    readonly check: "shared-patch-group";
    readonly level: "blocking" | "advisory";
    readonly region: string | null;
    /** The account both pin (blocking); null when the account is not pinned (advisory). */
    readonly account: string | null;
    readonly stacks: readonly string[];
    /** Each shared group name and the stacks that register it. */
    readonly patchGroups: readonly { readonly name: string; readonly stacks: readonly string[] }[];
    readonly message: string;
}

export type FleetFinding = RolloutFinding | ClashFinding | SharedGroupFinding | QuotaFinding;

export interface FleetReport {
    readonly from: string;
    readonly days: number;
    readonly soakDays: number;
    readonly calendar: readonly Occurrence[];
    readonly quota: readonly QuotaUsage[];
    readonly findings: readonly FleetFinding[];
}

// ---------------------------------------------------------------------------
// Input: from the validated model and the plan's windows.

/** The approval timing of each rule, as the baseline's OS and rule settings make it. */
export function approvalsOf(rules: readonly ApprovalRule[]): Approval[] {
    return rules.map((r): Approval =>
        r.approveUntilDate !== undefined
            ? { kind: "untilDate", date: r.approveUntilDate }
            : r.approveAfterDays !== undefined
              ? { kind: "afterDays", days: r.approveAfterDays }
              : { kind: "onRelease" },
    );
}

/** The account a stack deploys to, when the stack file pins one with `aws:allowedAccountIds`. */
export function accountOf(values: Readonly<Record<string, string>>): string | undefined {
    const raw = values["aws:allowedAccountIds"];
    if (raw === undefined) return undefined;
    let ids: unknown;
    try {
        ids = JSON.parse(raw);
    } catch {
        ids = raw.split(",").map((s) => s.trim());
    }
    return Array.isArray(ids) && ids.length === 1 ? String(ids[0]) : undefined;
}

/**
 * A stack as the fleet checks see it. `registrations`: the regions each patch group is
 * registered in (from the plan's aws.ssm.PatchGroup resources); a group not in it is
 * registered in the stack's region.
 */
export function fleetStack(
    model: PatchManagerConfig,
    windows: readonly FleetWindow[],
    values: Readonly<Record<string, string>>,
    registrations?: ReadonlyMap<string, readonly string[]>,
): FleetStack {
    const account = accountOf(values);
    const region = values["aws:region"];
    return {
        stack: model.stack,
        environment: model.environment,
        production: model.production,
        ...(region !== undefined ? { region } : {}),
        ...(account !== undefined ? { account } : {}),
        windows: windows.map((w) => ({
            name: w.name,
            schedule: w.schedule,
            ...(w.scheduleOffset !== undefined ? { scheduleOffset: w.scheduleOffset } : {}),
            timezone: w.timezone,
            durationHours: w.durationHours,
            patchGroups: [...w.patchGroups],
            operation: w.operation,
            ...(w.description !== undefined ? { description: w.description } : {}),
            ...(w.region !== undefined ? { region: w.region } : {}),
        })),
        groups: model.patchGroups.map((g) => ({
            name: g.name,
            operatingSystem: g.operatingSystem,
            baseline: g.baseline,
            approvals: approvalsOf(model.baselines.find((b) => b.name === g.baseline)?.approvalRules ?? []),
            ...(registrations?.has(g.name) ? { regions: [...registrations.get(g.name)!] } : {}),
        })),
    };
}

/** The stacks of a project directory: every `Pulumi.<stack>.yaml` (or .yml), sorted by name. */
export function stackFiles(dir: string): { stack: string; file: string }[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ stack: m[1], file: path.join(dir, m[0]) }))
        .sort((a, b) => a.stack.localeCompare(b.stack));
}

// ---------------------------------------------------------------------------
// Calendar

/** The region a window is created in: its own, else the stack's. */
export function windowRegion(s: Pick<FleetStack, "region">, w: Pick<FleetWindow, "region">): string | undefined {
    return w.region ?? s.region;
}

/** The window with its region filled in from the stack's. */
const located = (s: FleetStack, w: FleetWindow): FleetWindow => {
    const region = windowRegion(s, w);
    return region === w.region ? w : { ...w, region };
};

// A stack that deploys into several regions has windows of the same name in each.
const windowKey = (s: FleetStack, w: FleetWindow) => `${s.stack}\u0000${windowRegion(s, w) ?? ""}\u0000${w.name}`;

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
    return scheduleStarts(w, from, until).map((start) => ({
        stack,
        window: w.name,
        ...(w.region !== undefined ? { region: w.region } : {}),
        start,
        end: new Date(start.getTime() + w.durationHours * HOUR_MS),
        timezone: w.timezone,
        patchGroups: w.patchGroups,
        operation: w.operation,
        ...(w.description !== undefined ? { description: w.description } : {}),
    }));
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

// ---------------------------------------------------------------------------
// Rollout order

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
            const next = (occurrences.get(windowKey(stack, w)) ?? []).find((o) => o.start.getTime() >= approved.getTime());
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

const isoMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

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

// ---------------------------------------------------------------------------
// Clashes and quota

/**
 * Windows of one stack in one region whose occurrences overlap in time (the seed staggers the
 * role waves on purpose). A stack that deploys into several regions has the same windows in
 * each; windows in different regions patch different instances and never clash.
 */
export function checkClashes(stacks: readonly FleetStack[], opts: Pick<FleetOptions, "from" | "days">): ClashFinding[] {
    const until = new Date(opts.from.getTime() + opts.days * DAY_MS);
    const findings: ClashFinding[] = [];
    for (const s of stacks) {
        const byWindow = s.windows.map((w) => ({ w: located(s, w), occ: windowOccurrences(s.stack, located(s, w), opts.from, until) }));
        for (let i = 0; i < byWindow.length; i++) {
            for (let j = i + 1; j < byWindow.length; j++) {
                const a = byWindow[i];
                const b = byWindow[j];
                if (a.w.region !== b.w.region) continue;
                const overlaps = a.occ.filter((x) => b.occ.some((y) => x.start < y.end && y.start < x.end));
                if (overlaps.length === 0) continue;
                const o = overlaps[0];
                const y = b.occ.find((y) => o.start < y.end && y.start < o.end)!;
                findings.push({
                    check: "clash",
                    level: "advisory",
                    stack: s.stack,
                    region: a.w.region ?? null,
                    windows: [a.w.name, b.w.name],
                    overlaps: overlaps.map((x) => x.start.toISOString()),
                    message:
                        `${s.stack}${a.w.region !== undefined ? ` (${a.w.region})` : ""}: windows "${a.w.name}" (${a.w.patchGroups.join(", ") || "no groups"}) and "${b.w.name}" ` +
                        `(${b.w.patchGroups.join(", ") || "no groups"}) overlap ${overlaps.length} time${overlaps.length === 1 ? "" : "s"} ` +
                        `in the next ${opts.days} days, first ${isoMinute(o.start)}–${isoMinute(o.end)} against ${isoMinute(y.start)}–${isoMinute(y.end)}; ` +
                        `stagger them so that the waves do not patch at once`,
                });
            }
        }
    }
    return findings;
}

const joinAnd = (items: readonly string[]) =>
    items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

/**
 * Patch-group names that two or more stacks register in one region. Maintenance-window targets
 * select instances by the Patch Group tag alone, so in one account each stack's windows patch
 * the other's instances of the group, and SSM holds one baseline per OS for a patch group per
 * account and region, so the second stack's registration fails. Blocking when both stacks pin
 * the same account (`aws:allowedAccountIds`), advisory when either does not pin one; stacks
 * pinned to different accounts do not meet.
 */
export function checkSharedGroups(stacks: readonly FleetStack[]): SharedGroupFinding[] {
    // region -> group name -> stacks registering it there
    const byRegion = new Map<string, Map<string, FleetStack[]>>();
    for (const s of stacks) {
        for (const g of s.groups) {
            for (const region of new Set(g.regions ?? [s.region ?? ""])) {
                const names = byRegion.get(region) ?? new Map<string, FleetStack[]>();
                const registering = names.get(g.name) ?? [];
                if (!registering.includes(s)) registering.push(s);
                names.set(g.name, registering);
                byRegion.set(region, names);
            }
        }
    }
    const findings: SharedGroupFinding[] = [];
    for (const [region, names] of byRegion) {
        // account ("" for the unpinned, advisory) -> group name -> stacks
        const buckets = new Map<string, Map<string, Set<string>>>();
        const add = (bucket: string, name: string, ...pair: string[]) => {
            const groups = buckets.get(bucket) ?? new Map<string, Set<string>>();
            const set = groups.get(name) ?? new Set<string>();
            for (const p of pair) set.add(p);
            groups.set(name, set);
            buckets.set(bucket, groups);
        };
        for (const [name, registering] of names) {
            for (let i = 0; i < registering.length; i++) {
                for (let j = i + 1; j < registering.length; j++) {
                    const [a, b] = [registering[i], registering[j]];
                    if (a.account !== undefined && b.account !== undefined) {
                        if (a.account === b.account) add(a.account, name, a.stack, b.stack);
                    } else add("", name, a.stack, b.stack);
                }
            }
        }
        const where = region === "" ? "one region (aws:region not set)" : `region ${region}`;
        const order = [...buckets.keys()].sort((x, y) => (x === "" ? 1 : y === "" ? -1 : x.localeCompare(y)));
        for (const account of order) {
            const groups = [...buckets.get(account)!.entries()].map(([name, set]) => ({
                name,
                stacks: stacks.map((s) => s.stack).filter((st) => set.has(st)),
            }));
            const involved = stacks.map((s) => s.stack).filter((st) => groups.some((g) => g.stacks.includes(st)));
            // "Windows", "RHEL" (dev, prod); "Web Server" (dev, prod, test): names grouped by the stacks that share them.
            const bySharers = new Map<string, string[]>();
            for (const g of groups) bySharers.set(g.stacks.join(", "), [...(bySharers.get(g.stacks.join(", ")) ?? []), `"${g.name}"`]);
            const listed = [...bySharers].map(([sharers, names]) => `${names.join(", ")} (${sharers})`).join("; ");
            const harm =
                `maintenance-window targets select instances by the Patch Group tag alone, so each stack's windows would patch the ` +
                `others' instances of these groups (a non-production window installing on production voids the rollout order), and SSM ` +
                `registers one baseline per operating system for a patch group per account and region, so the second stack's ` +
                `patch-group registration fails`;
            const fix = `deploy the stacks into separate accounts and pin each with aws:allowedAccountIds, or give the groups distinct names`;
            if (account !== "") {
                findings.push({
                    check: "shared-patch-group",
                    level: "blocking",
                    region: region === "" ? null : region,
                    account,
                    stacks: involved,
                    patchGroups: groups,
                    message:
                        `${joinAnd(involved)} deploy into account ${account}, ${where}, and register the same patch group${groups.length === 1 ? "" : "s"} ` +
                        `${listed}: ${harm}. Either ${fix}.`,
                });
            } else {
                const unpinned = involved.filter((st) => stacks.find((s) => s.stack === st)?.account === undefined);
                findings.push({
                    check: "shared-patch-group",
                    level: "advisory",
                    region: region === "" ? null : region,
                    account: null,
                    stacks: involved,
                    patchGroups: groups,
                    message:
                        `${joinAnd(involved)} register the same patch group${groups.length === 1 ? "" : "s"} in ${where}: ${listed}; ` +
                        `aws:allowedAccountIds does not pin the account of ${joinAnd(unpinned)}, so they may share one. If they do, ${harm}. ` +
                        `To rule it out, ${fix}.`,
                });
            }
        }
    }
    return findings;
}

/**
 * Windows per account and region. Offline the account is known only when a
 * stack pins it (`aws:allowedAccountIds` with one id); stacks that do not are
 * counted together per region, as if they shared one account (the safe guess).
 * A window counts in its own region when it has one, else in the stack's.
 */
export function quotaUsage(stacks: readonly FleetStack[], limit: number = QUOTAS.windowsPerRegion): QuotaUsage[] {
    const groups = new Map<string, { -readonly [K in keyof QuotaUsage]: QuotaUsage[K] } & { stacks: string[] }>();
    for (const s of stacks) {
        for (const w of s.windows) {
            const region = w.region ?? s.region;
            const key = `${s.account ?? ""}\u0000${region ?? ""}`;
            const g = groups.get(key) ?? { account: s.account ?? null, region: region ?? null, stacks: [], windows: 0, limit };
            if (!g.stacks.includes(s.stack)) g.stacks.push(s.stack);
            g.windows += 1;
            groups.set(key, g);
        }
    }
    return [...groups.values()];
}

export function checkQuota(stacks: readonly FleetStack[], limit: number = QUOTAS.windowsPerRegion): QuotaFinding[] {
    return quotaUsage(stacks, limit)
        .filter((u) => u.windows > u.limit)
        .map((u) => ({
            ...u,
            check: "quota" as const,
            level: "advisory" as const,
            message:
                `${u.windows} maintenance windows in ${u.account ? `account ${u.account}` : "one account (assumed: no aws:allowedAccountIds)"}, ` +
                `region ${u.region ?? "(aws:region not set)"} (stacks ${u.stacks.join(", ")}) exceed the SSM default quota of ${u.limit} ` +
                `per account and region; request a quota increase or merge windows`,
        }));
}

export function analyzeFleet(stacks: readonly FleetStack[], opts: FleetOptions): FleetReport {
    const limit = opts.windowsPerRegion ?? QUOTAS.windowsPerRegion;
    return {
        from: opts.from.toISOString(),
        days: opts.days,
        soakDays: opts.soakDays,
        calendar: fleetCalendar(stacks, opts.from, opts.days),
        quota: quotaUsage(stacks, limit),
        findings: [
            ...checkRolloutOrder(stacks, opts),
            ...checkSharedGroups(stacks),
            ...checkClashes(stacks, opts),
            ...checkQuota(stacks, limit),
        ],
    };
}

export function hasBlockingFindings(report: FleetReport): boolean {
    return report.findings.some((f) => f.level === "blocking");
}

// ---------------------------------------------------------------------------
// For a person

/** The text view shows this many days of the calendar; --ics and --json carry all of them. */
export const CALENDAR_TEXT_DAYS = 28;

export function renderFleet(report: FleetReport, stacks: readonly FleetStack[]): string {
    const out: string[] = [];
    out.push(
        `Fleet: ${stacks.length} stack${stacks.length === 1 ? "" : "s"} · from ${report.from.slice(0, 10)} · ${report.days} days · soak ${report.soakDays} day${report.soakDays === 1 ? "" : "s"}`,
        "",
    );
    for (const s of stacks) {
        out.push(
            `  ${s.stack}  ${s.environment}${s.production ? " (production)" : ""} · ${s.region ?? "aws:region not set"}${s.account ? ` · account ${s.account}` : ""} · ${s.windows.length} window${s.windows.length === 1 ? "" : "s"}`,
        );
        // Name each window's region where the stack has windows outside its own (patch-manager:regions).
        const showRegion = s.windows.some((w) => windowRegion(s, w) !== s.region);
        for (const w of s.windows)
            out.push(
                `    ${w.name}${showRegion ? ` (${windowRegion(s, w) ?? "aws:region not set"})` : ""}: ${w.description ?? w.schedule} · ${w.operation || "no task"} · ${w.patchGroups.join(", ") || "no patch groups"}`,
            );
    }
    const shownUntil = new Date(Date.parse(report.from) + Math.min(report.days, CALENDAR_TEXT_DAYS) * DAY_MS);
    const shown = report.calendar.filter((o) => o.start < shownUntil);
    out.push(
        "",
        `Calendar, next ${Math.min(report.days, CALENDAR_TEXT_DAYS)} days (${report.calendar.length} windows in ${report.days} days; --ics writes them all):`,
    );
    for (const o of shown) {
        out.push(
            `  ${localTime(o.start, o.timezone)}  (${isoMinute(o.start)})  ${duration(o.end.getTime() - o.start.getTime())}  ${o.stack}  ${o.region ?? "aws:region not set"}  ${o.operation || "no task"}  ${o.patchGroups.join(", ")}`,
        );
    }
    out.push("", "Quota (maintenance windows per account and region):");
    for (const q of report.quota) {
        out.push(
            `  ${q.account ? `account ${q.account}` : "account not pinned"} · ${q.region ?? "aws:region not set"}: ${q.windows} of ${q.limit} (${q.stacks.join(", ")})`,
        );
    }
    const blocking = report.findings.filter((f) => f.level === "blocking");
    const advisory = report.findings.filter((f) => f.level === "advisory");
    out.push("");
    if (report.findings.length === 0) {
        out.push(
            `Findings: none. Production installs every patch at least ${report.soakDays} days after non-production; no patch group shared between stacks in one region; no overlapping windows; quota fine.`,
        );
    } else {
        out.push(`Findings: ${blocking.length} blocking, ${advisory.length} advisory`);
        for (const f of [...blocking, ...advisory]) out.push(`  [${f.level}] ${f.check}: ${f.message}`);
    }
    return out.join("\n");
}
