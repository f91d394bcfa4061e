// The rules SSM sets for a maintenance window and its targets, each once: the stack config checks
// its keys with them (naming the key, e.g. `offsetDays`) and the policy pack checks resource
// properties with the same functions (naming the property, e.g. `scheduleOffset`).
//
// A rule returns what is wrong as a phrase without a subject ("must be a whole number of days from
// 1 to 6"): each caller puts its own name for the value in front. Where a phrase names another
// value (the duration a cutoff must stay below), the caller passes the name it knows that value by.
//
// Ranges and patterns: the SSM API model (botocore ssm/2014-11-06: MaintenanceWindowDurationHours
// 1-24, MaintenanceWindowCutoff 0-23, MaintenanceWindowOffset 1-6, MaintenanceWindowName, PatchGroup,
// Target).
import { PATCH_GROUP_PATTERN, PATCH_GROUP_TAG_KEYS, RESOURCE_NAME_PATTERN } from "./aws";

/** A whole-number range of the API model, with the unit its messages say. */
export interface WholeNumberRange {
    readonly min: number;
    readonly max: number;
    readonly unit: string;
}

/** A window's duration and cutoff in hours, its schedule offset in days. */
export const WINDOW_LIMITS = {
    duration: { min: 1, max: 24, unit: "hours" },
    cutoff: { min: 0, max: 23, unit: "hours" },
    scheduleOffset: { min: 1, max: 6, unit: "days" },
} as const satisfies Record<string, WholeNumberRange>;

/** "a whole number of hours from 1 to 24": what a range accepts, in words. */
export function inWords(range: WholeNumberRange): string {
    return `a whole number of ${range.unit} from ${range.min} to ${range.max}`;
}

function inRange(value: unknown, range: WholeNumberRange): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** A window's duration: undefined when valid. */
export function durationProblem(duration: unknown): string | undefined {
    return inRange(duration, WINDOW_LIMITS.duration) ? undefined : `must be ${inWords(WINDOW_LIMITS.duration)}`;
}

/**
 * A window's cutoff, and that it leaves time to start a task: SSM starts no task in the last
 * `cutoff` hours of a window, so a cutoff of the whole duration or more runs nothing. `durationName`
 * is the caller's name for the duration (`duration`, `durationHours`); a duration that is itself
 * invalid is reported by durationProblem, not here.
 */
export function cutoffProblems(cutoff: unknown, duration: unknown, durationName: string): string[] {
    if (!inRange(cutoff, WINDOW_LIMITS.cutoff)) return [`must be ${inWords(WINDOW_LIMITS.cutoff)}`];
    if (inRange(duration, WINDOW_LIMITS.duration) && cutoff >= duration) {
        return [
            `must be less than ${durationName} (${duration}): SSM starts no task in a window's last ${cutoff} hours, so no task would ever start`,
        ];
    }
    return [];
}

/**
 * A schedule offset (undefined: none) for this schedule expression: SSM takes 1-6 days, and only
 * with a cron(...) schedule (the days after each cron match). `schedule` undefined: not known, so
 * only the range is checked.
 */
export function scheduleOffsetProblems(offset: unknown, schedule: string | undefined): string[] {
    if (offset === undefined) return [];
    const problems: string[] = [];
    if (!inRange(offset, WINDOW_LIMITS.scheduleOffset)) {
        problems.push(`must be ${inWords(WINDOW_LIMITS.scheduleOffset)} (leave it unset for no offset)`);
    }
    if (schedule !== undefined && !isCron(schedule)) {
        const kind = /^\s*([a-z]+)\(/i.exec(schedule)?.[1];
        problems.push(
            `only applies to cron(...) schedules, not to ${kind ? `${kind}(...)` : JSON.stringify(schedule)}: drop it, or move the start in the expression itself`,
        );
    }
    return problems;
}

/** Whether a schedule expression is a cron(...) one (the only kind a schedule offset applies to). */
export function isCron(schedule: string): boolean {
    return schedule.trim().startsWith("cron(");
}

// ------------------------------------------------------------------------------------------------
// Names

/** A patch group (the Patch Group tag value, as config names it and as targets select it): undefined when valid. */
export function patchGroupNameProblem(name: unknown): string | undefined {
    return typeof name === "string" && PATCH_GROUP_PATTERN.test(name)
        ? undefined
        : "must be 1–256 characters of letters, digits, spaces and _.:/=+-@ (the Patch Group tag value)";
}

/** A window's (or baseline's, target's, task's) own name: undefined when valid. */
export function resourceNameProblem(name: unknown): string | undefined {
    return typeof name === "string" && RESOURCE_NAME_PATTERN.test(name) ? undefined : 'must be 3–128 letters, digits, "_", "-" or "."';
}

// ------------------------------------------------------------------------------------------------
// Targets

const TAG_PREFIX = "tag:";

/** The target key that selects nodes by a tag: `tag:<key>`. */
export function tagTargetKey<K extends string>(tagKey: K): `tag:${K}` {
    return `${TAG_PREFIX}${tagKey}`;
}

/** The tag key a `tag:<key>` target key selects by; undefined for any other target key. */
export function targetTagKey(targetKey: unknown): string | undefined {
    return typeof targetKey === "string" && targetKey.startsWith(TAG_PREFIX) ? targetKey.slice(TAG_PREFIX.length) : undefined;
}

/** The only target keys Patch Manager reads a patch group from; case-sensitive. */
export const PATCH_GROUP_TARGET_KEYS: readonly string[] = PATCH_GROUP_TAG_KEYS.map((k) => tagTargetKey(k));

/**
 * The keys a target selects managed nodes by other than a tag (the API model's Target): every
 * target; a window task also by its window's targets (WindowTargetIds) and, like an Automation
 * association, by a parameter's values, a resource group or an EC2 instance type filter.
 */
export const TARGET_KEYS = {
    instanceIds: "InstanceIds",
    tagKey: "tag-key",
    resourceGroupName: "resource-groups:Name",
    resourceGroupTypes: "resource-groups:ResourceTypeFilters",
    windowTargetIds: "WindowTargetIds",
    parameterValues: "ParameterValues",
    resourceGroup: "ResourceGroup",
    ec2Instance: "AWS::EC2::Instance",
} as const;
