// The fleet checks' data: stacks, windows, groups, findings and the report.
import type { PatchGroupConfig } from "../../config";
import type { WindowSummary } from "../../config/windowPlan";
import type { FreezePeriod } from "../../config/freezes";

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A window as the offline tools show it: the one window summary, what its tasks do, in words, and where. */
export interface ShownWindow extends WindowSummary {
    /** "Install", "Scan", or both comma-separated. */
    operation: string;
    /** Plain words, e.g. "at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours". */
    description: string;
    /** The region the window is created in: its `region` output, else the region its ARN names. */
    region?: string;
}

/** What the fleet checks read of a window; only Install operations count for rollout order. */
export type FleetWindow = Readonly<
    Pick<ShownWindow, "name" | "schedule" | "scheduleOffset" | "timezone" | "durationHours" | "operation" | "region"> &
        Partial<Pick<ShownWindow, "description">> & {
            patchGroups: readonly string[];
            /** The stack's change freezes: a start in one of them is skipped (the window is disabled then). */
            freezes?: readonly FreezePeriod[];
        }
>;

/** When a baseline approval rule approves a patch, relative to its release day. */
export type Approval =
    | { readonly kind: "afterDays"; readonly days: number }
    | { readonly kind: "untilDate"; readonly date: string }
    /** No delay: approved on release (the Debian family cannot delay). */
    | { readonly kind: "onRelease" };

/** A patch group of the model, with what the fleet checks add: when its baseline approves, where it is registered. */
export interface FleetGroup extends Readonly<Pick<PatchGroupConfig, "name" | "operatingSystem" | "baseline">> {
    /** One per approval rule; empty: the baseline approves nothing by rule. */
    readonly approvals: readonly Approval[];
    /** The regions the group is registered in (aws.ssm.PatchGroup); undefined: the stack's `aws:region`. */
    readonly regions?: readonly string[];
}

/** A stack as the fleet report names it: its environment, region and account (the `--all` document's stacks). */
export interface FleetStackInfo {
    readonly stack: string;
    /** The stack's `patch-manager:environment`, e.g. `production`. */
    readonly environment: string;
    /** Whether the environment is production: its installs must come after non-production's. */
    readonly production: boolean;
    /** `aws:region`; absent when the stack file does not set it. */
    readonly region?: string;
    /** From `aws:allowedAccountIds` when it names exactly one account; absent: unknown. */
    readonly account?: string;
}

export interface FleetStack extends FleetStackInfo {
    readonly windows: readonly FleetWindow[];
    readonly groups: readonly FleetGroup[];
    /** `patch-manager:freezes`: the windows do not start in them. */
    readonly freezes?: readonly FreezePeriod[];
    /** `patch-manager:maxDaysWithoutInstall`: the longest a group may go without an install before a freeze-gap finding. */
    readonly maxDaysWithoutInstall?: number;
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
    /** The stack whose window this is. */
    readonly stack: string;
    /** The window's name in SSM. */
    readonly window: string;
    /** The window's region; absent only when neither the window nor the stack names one. */
    readonly region?: string;
    readonly start: Date;
    /** The start plus the window's `durationHours`. */
    readonly end: Date;
    /** The zone the window's schedule is written in. */
    readonly timezone: string;
    /** The patch groups the window patches. */
    readonly patchGroups: readonly string[];
    /** What the window's tasks do (`Install`, `Scan`), as in `windows[].operation`. */
    readonly operation: string;
    /** The window's schedule in plain words. */
    readonly description?: string;
    /** The change freeze this start falls in: the window is disabled, nothing runs. */
    readonly skipped?: string;
}

export interface RolloutFinding {
    readonly check: "rollout-order";
    /** Blocking: the plan exits 1. */
    readonly level: "blocking";
    /** The production stack that installs too early. */
    readonly stack: string;
    /** The operating system whose patches arrive in the wrong order, e.g. `WINDOWS`. */
    readonly operatingSystem: string;
    /** The production window that installs too early, or the one that installs what non-production never gets. */
    readonly productionWindow: string;
    /** The non-production window that first installs the patch; null when none does. */
    readonly nonProductionWindow: string | null;
    /** Every release day (YYYY-MM-DD, UTC) that breaks the order this way. */
    readonly releaseDays: readonly string[];
    /** The first such release day, spelled out. */
    readonly example: {
        /** The release day, YYYY-MM-DD. */
        readonly releaseDay: string;
        /** When production's baseline approves the patch (ISO-8601, UTC). */
        readonly productionApproved: string;
        /** When production's window installs it (ISO-8601, UTC). */
        readonly productionStart: string;
        /** The non-production stack that installs it first; null when none does. */
        readonly nonProductionStack: string | null;
        /** When that stack's baseline approves it; null when no non-production stack installs it. */
        readonly nonProductionApproved: string | null;
        /** When that stack's window installs it; null when none does. */
        readonly nonProductionStart: string | null;
        /** Hours between the non-production and the production install; null when there is no non-production install. */
        readonly soakHours: number | null;
    };
    /** The finding in words, with what to change. */
    readonly message: string;
}

export interface ClashFinding {
    readonly check: "clash";
    /** Advisory: reported, the exit code stays 0. */
    readonly level: "advisory";
    /** The stack both windows belong to. */
    readonly stack: string;
    /** Both windows' region (windows in different regions never clash); null: not known. */
    readonly region: string | null;
    /** The names of the two windows that overlap. */
    readonly windows: readonly [string, string];
    /** Start instants (ISO-8601, UTC) of the first window's occurrences that overlap the second's. */
    readonly overlaps: readonly string[];
    /** The finding in words. */
    readonly message: string;
}

/** The maintenance windows of one account and region, against SSM's per-region quota. */
export interface QuotaUsage {
    /** The account the stacks pin with `aws:allowedAccountIds`; null when not pinned. */
    readonly account: string | null;
    /** null when no stack of the group names a region. */
    readonly region: string | null;
    /** The stacks whose windows count here. */
    readonly stacks: readonly string[];
    /** How many maintenance windows they create there. */
    readonly windows: number;
    /** SSM's default quota of maintenance windows per account and region. */
    readonly limit: number;
}

export interface QuotaFinding extends QuotaUsage {
    readonly check: "quota";
    /** Advisory: reported, the exit code stays 0. */
    readonly level: "advisory";
    /** The finding in words. */
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
    /** The region both register the groups in; null: not known. */
    readonly region: string | null;
    /** The account both pin (blocking); null when the account is not pinned (advisory). */
    readonly account: string | null;
    /** Every stack that registers one of the groups. */
    readonly stacks: readonly string[];
    /** Each shared group name and the stacks that register it. */
    readonly patchGroups: readonly { readonly name: string; readonly stacks: readonly string[] }[];
    /** The finding in words, with what to change. */
    readonly message: string;
}

/** A stack's monthly waves that get a release in another order than their schedules intend. */
export interface WaveOrderFinding {
    readonly check: "wave-order";
    /** Blocking: the plan exits 1. */
    readonly level: "blocking";
    /** The stack whose waves are out of order. */
    readonly stack: string;
    /** The operating system whose monthly releases are checked (`WINDOWS`: Patch Tuesday). */
    readonly operatingSystem: string;
    /** The waves (patch groups) in the order their windows come within a month. */
    readonly intendedOrder: readonly string[];
    /** Every release day (YYYY-MM-DD) that reaches the waves in this wrong order. */
    readonly releaseDays: readonly string[];
    /** The first such release: each wave's first install, in the order they come. */
    readonly example: {
        readonly releaseDay: string;
        readonly reached: readonly { readonly group: string; readonly start: string }[];
    };
    /** The finding in words, with what to change. */
    readonly message: string;
}

/** A change freeze makes a patch group go longer without an install than the stack allows (a missed release cycle). */
export interface FreezeGapFinding {
    readonly check: "freeze-gap";
    /** Advisory: reported, the exit code stays 0. */
    readonly level: "advisory";
    readonly stack: string;
    /** The patch group that misses the cycle. */
    readonly patchGroup: string;
    /** The freezes that skip its installs. */
    readonly freezes: readonly string[];
    /** The last install before the gap (ISO-8601, UTC); `--from` when none comes before it. */
    readonly lastInstall: string;
    /** The next install after it; null when none comes within the horizon. */
    readonly nextInstall: string | null;
    /** Days without an install, against the stack's maxDaysWithoutInstall. */
    readonly days: number;
    readonly maxDays: number;
    /** The finding in words, with what to change. */
    readonly message: string;
}

export type FleetFinding = RolloutFinding | WaveOrderFinding | ClashFinding | SharedGroupFinding | QuotaFinding | FreezeGapFinding;

export interface FleetReport {
    /** `--from` (default: now), ISO-8601 in UTC: where the calendar and the rollout check start. */
    readonly from: string;
    /** `--days`: how far ahead the calendar and the rollout check look. */
    readonly days: number;
    /** `--soak-days`: how long non-production must have had a patch before production installs it. */
    readonly soakDays: number;
    readonly calendar: readonly Occurrence[];
    /** The maintenance windows per account and region, against the quota. */
    readonly quota: readonly QuotaUsage[];
    /** The rollout-order, wave-order, shared-patch-group, clash, quota and freeze-gap findings, in that order; empty when none. */
    readonly findings: readonly FleetFinding[];
}
