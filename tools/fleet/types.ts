// The fleet checks' data: stacks, windows, groups, findings and the report.
import type { PatchGroupConfig } from "../../config";
import type { WindowSummary } from "../../config/windowPlan";

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
        Partial<Pick<ShownWindow, "description">> & { patchGroups: readonly string[] }
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
