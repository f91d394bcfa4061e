// The defaults: what a stack gets for each key it leaves out.
import type { PatchGroupTagKey } from "@patch-manager/ssm";
import type { ParsedBaseline } from "./baselines";
import type { NotificationEvent } from "./alerts";
import { CutoffBehavior, Environment, isProductionLike, Operation, WindowKind } from "./environment";
import type { ParsedPatchGroup, RateControlConfig } from "./patchGroups";
import type { WindowTiming } from "./window";

/** The environment windows: weekday nights 22:00–03:00, weekend mornings 06:00–11:00. */
export function environmentWindowTiming(window: WindowKind): WindowTiming {
    return window === "weekday"
        ? { schedule: "cron(0 22 ? * MON-FRI *)", duration: 5, cutoff: 1 }
        : { schedule: "cron(0 6 ? * SAT,SUN *)", duration: 5, cutoff: 1 };
}

/** Production and acceptance patch at weekends; the others on weekday nights. */
export function defaultWindowKind(environment: Environment): WindowKind {
    return isProductionLike(environment) ? "weekend" : "weekday";
}

/** Defaults per environment: production patches few instances at a time and stops early. */
export function defaultRateControl(environment: Environment): RateControlConfig {
    switch (environment) {
        case "production":
            return { maxConcurrency: "10%", maxErrors: "5%" };
        case "acceptance":
            return { maxConcurrency: "25%", maxErrors: "10%" };
        default:
            return { maxConcurrency: "50%", maxErrors: "25%" };
    }
}

export function defaultApproveAfterDays(environment: Environment): number {
    return isProductionLike(environment) ? 7 : 3;
}

export const DEFAULT_TIMEZONE = "UTC";
export const DEFAULT_OPERATION: Operation = "Install";
export const DEFAULT_PATCH_GROUP_TAG_KEY: PatchGroupTagKey = "Patch Group";

/** Production stops a rollout at the window's cutoff rather than let it run past the window. */
export function defaultCutoffBehavior(environment: Environment): CutoffBehavior {
    return environment === "production" ? "CANCEL_TASK" : "CONTINUE_TASK";
}

/** Command output is kept a year where audits ask for it, three months elsewhere; production keeps its bucket on destroy. */
export function defaultLogRetention(environment: Environment): { expireAfterDays: number; retainOnDelete: boolean } {
    return { expireAfterDays: isProductionLike(environment) ? 365 : 90, retainOnDelete: environment === "production" };
}

export const DEFAULT_LOG_KEY_PREFIX = "patching";
/** The data sync writes apart from the expiring command output. */
export const DEFAULT_DATA_SYNC_PREFIX = "compliance";
/** Athena's query results: apart from the command output (which nodes write and which expires) and the data sync. */
export const DEFAULT_REPORT_RESULTS_PREFIX = "compliance-reports";
/** A node whose last patch operation is older than a week missed the daily scan several times. */
export const DEFAULT_NOT_SCANNED_DAYS = 7;

/**
 * Where the program keeps the files the fleet reads (baseline overrides) in the log bucket: apart
 * from the command output (which every node may write and the lifecycle rule expires) and from the
 * data sync's reports. No node may write here (an explicit Deny on the node roles), and no lifecycle
 * rule reaches it. Not a key: the log prefix and the data sync's prefix are refused where they overlap it.
 */
export const FLEET_INPUTS_PREFIX = "patch-manager-fleet-inputs";
/** What a team wants to hear about: the runs that did not finish well. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEvent[] = ["Failed", "TimedOut", "Cancelled"];

/** No new task in the last hour of a window, where the window is long enough to spare one. */
export function defaultCutoffHours(durationHours: number): number {
    return durationHours > 1 ? 1 : 0;
}

/** The patch groups of a stack that lists none (docs/configuration.md, the table of groups). */
export const SEED_PATCH_GROUPS = [
    { name: "Windows", operatingSystem: "WINDOWS" },
    { name: "RHEL", operatingSystem: "REDHAT_ENTERPRISE_LINUX" },
    { name: "Windows2012", operatingSystem: "WINDOWS", baseline: "windows2012-security" },
    { name: "Management Server", operatingSystem: "WINDOWS" },
    { name: "Web Server", operatingSystem: "WINDOWS" },
    { name: "Application Server", operatingSystem: "WINDOWS" },
    { name: "Database Server", operatingSystem: "WINDOWS" },
] as const satisfies readonly ParsedPatchGroup[];

export const SEED_BASELINES = [
    {
        name: "windows2012-security",
        operatingSystem: "WINDOWS",
        description: "Windows Server 2012/2012 R2: every security and critical update",
        preset: "windows2012-security",
    },
] as const satisfies readonly ParsedBaseline[];
