// Rules for maintenance windows and their targets.

import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { checkSchedule, checkTimezone } from "@patch-manager/ssm";
import { TYPES, asArray, isSet, isUnknown, label, show, validateResourceOfTypes } from "./util";

// Limits from the SSM API model (botocore ssm/2014-11-06).
export const WINDOW_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** Patch group values: 1–256 letters, digits, spaces and `_.:/=+-@` (shape PatchGroup). */
export const PATCH_GROUP_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
/** The only keys Patch Manager reads a patch group from; case-sensitive. */
export const PATCH_GROUP_TARGET_KEYS = ["tag:Patch Group", "tag:PatchGroup"] as const;

const windowLabel = (props: any, name: string) => `window ${label(props, name)}`;

function isInteger(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value);
}

/**
 * An hour field that is a range, step or wildcard starts a window every matching hour; the seed's
 * `cron(00 23-5 ? * TUE#1 *)` is six windows, not one from 23:00 to 05:00. checkSchedule refuses
 * these already; this second look keeps the rule's promise should its wording or scope change.
 */
function hourRangeProblem(schedule: string): string | undefined {
    const m = /^cron\((.*)\)$/.exec(schedule.trim());
    if (!m) {
        return undefined;
    }
    const hours = m[1].trim().split(/\s+/)[1];
    if (hours !== undefined && /[-*/]/.test(hours)) {
        return `hour field "${hours}" starts a window every matching hour; give one start hour and set the window's duration instead`;
    }
    return undefined;
}

export const windowWellFormed: ResourceValidationPolicy = {
    name: "window-well-formed",
    description:
        "A maintenance window needs a duration of 1–24 hours, a cutoff below the duration, one start time per occurrence " +
        "(a valid cron/rate expression without hour ranges: the length comes from duration) and an explicit IANA " +
        "scheduleTimezone; fix the values named in the message.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.window, (w, args, reportViolation) => {
        const who = windowLabel(w, args.name);
        checkDurationAndCutoff(who, w, reportViolation);
        checkWindowSchedule(who, w, reportViolation);
        if (isSet(w.name) && !isUnknown(w.name) && !WINDOW_NAME_PATTERN.test(String(w.name))) {
            reportViolation(`${who}: name ${show(w.name)} must be 3–128 letters, digits, "_", "-" or ".".`);
        }
        if (isSet(w.description) && !isUnknown(w.description) && String(w.description).length > 128) {
            reportViolation(`${who}: description is ${String(w.description).length} characters; SSM allows at most 128.`);
        }
    }),
};

function checkDurationAndCutoff(who: string, w: any, reportViolation: ReportViolation): void {
    const { duration, cutoff } = w;
    const durationOk = isInteger(duration) && duration >= 1 && duration <= 24;
    if (!isUnknown(duration) && !durationOk) {
        reportViolation(`${who}: duration ${show(duration)} must be a whole number of hours from 1 to 24.`);
    }
    if (isUnknown(cutoff)) {
        return;
    }
    if (!isInteger(cutoff) || cutoff < 0 || cutoff > 23) {
        reportViolation(`${who}: cutoff ${show(cutoff)} must be a whole number of hours from 0 to 23.`);
    } else if (durationOk && cutoff >= duration) {
        reportViolation(
            `${who}: cutoff ${cutoff} must be less than duration ${duration}, or no task could ever start ` +
                `(tasks do not start in the last cutoff hours).`,
        );
    }
}

function checkWindowSchedule(who: string, w: any, reportViolation: ReportViolation): void {
    const { schedule, scheduleTimezone, scheduleOffset } = w;
    if (!isUnknown(schedule)) {
        if (typeof schedule !== "string" || schedule.trim() === "") {
            reportViolation(`${who} has no schedule; set a cron(...) or rate(...) expression.`);
        } else {
            const problems = checkSchedule(schedule);
            const hourProblem = problems.length === 0 ? hourRangeProblem(schedule) : undefined;
            for (const problem of hourProblem ? [hourProblem] : problems) {
                reportViolation(`${who}: schedule ${show(schedule)}: ${problem}`);
            }
        }
    }
    if (!isUnknown(scheduleTimezone)) {
        if (!isSet(scheduleTimezone)) {
            reportViolation(
                `${who} has no scheduleTimezone, so its cron runs in UTC; set the IANA zone explicitly (also when it is "UTC").`,
            );
        } else {
            for (const problem of checkTimezone(String(scheduleTimezone))) {
                reportViolation(`${who}: scheduleTimezone ${show(scheduleTimezone)}: ${problem}`);
            }
        }
    }
    if (isSet(scheduleOffset) && !isUnknown(scheduleOffset)) {
        if (!isInteger(scheduleOffset) || scheduleOffset < 1 || scheduleOffset > 6) {
            reportViolation(`${who}: scheduleOffset ${show(scheduleOffset)} must be a whole number of days from 1 to 6.`);
        }
        if (typeof schedule === "string" && !schedule.trim().startsWith("cron(")) {
            reportViolation(`${who}: scheduleOffset ${show(scheduleOffset)} only works with a cron(...) schedule, not ${show(schedule)}.`);
        }
    }
}

// ------------------------------------------------------------------------------------------------

export const windowRegisteredTargetsOnly: ResourceValidationPolicy = {
    name: "window-registered-targets-only",
    description:
        "A maintenance window runs tasks only on the targets registered with it: set allowUnassociatedTargets to false, so a " +
        "task cannot reach instances that were never registered as window targets.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(TYPES.window, (w, args, reportViolation) => {
        if (w.allowUnassociatedTargets === true) {
            reportViolation(`${windowLabel(w, args.name)} sets allowUnassociatedTargets true; set it to false.`);
        }
    }),
};

// ------------------------------------------------------------------------------------------------

const normalizeKey = (key: string) => key.toLowerCase().replace(/[\s_-]+/g, "");

/** Problems with one `targets` list: by patch-group tag, with the exact, case-sensitive key. */
export function patchGroupTargetProblems(targets: unknown, requirePatchGroup: boolean): string[] {
    if (isUnknown(targets)) {
        return [];
    }
    const problems: string[] = [];
    let selectsPatchGroup = false;
    const keys: string[] = [];
    for (const target of asArray(targets)) {
        const key = target?.key;
        if (isUnknown(key)) {
            return [];
        }
        keys.push(String(key));
        if ((PATCH_GROUP_TARGET_KEYS as readonly string[]).includes(key)) {
            selectsPatchGroup = true;
            const values = asArray(target.values);
            if (!isUnknown(target.values) && values.length === 0) {
                problems.push(`target key "${key}" has no values; list the patch group names`);
            }
            for (const value of values) {
                if (!isUnknown(value) && !(typeof value === "string" && PATCH_GROUP_PATTERN.test(value))) {
                    problems.push(`patch group ${show(value)} must be 1–256 letters, digits, spaces or _.:/=+-@`);
                }
            }
        } else if (typeof key === "string" && key.startsWith("tag:") && normalizeKey(key.slice(4)) === "patchgroup") {
            problems.push(
                `target key ${show(key)} is not a patch-group key; tag keys are case-sensitive: use "tag:Patch Group" or "tag:PatchGroup"`,
            );
        }
    }
    if (requirePatchGroup && !selectsPatchGroup && problems.length === 0) {
        problems.push(
            keys.length === 0
                ? `has no targets; select instances with {key: "tag:Patch Group", values: [...]}`
                : `selects by ${keys.map((k) => JSON.stringify(k)).join(", ")}, not by the patch group; use key "tag:Patch Group" or "tag:PatchGroup"`,
        );
    }
    return problems;
}

export const windowTargetPatchGroupTag: ResourceValidationPolicy = {
    name: "window-target-patch-group-tag",
    description:
        "Window targets select instances by patch group, the tag Patch Manager itself reads: use the exact, case-sensitive key " +
        '"tag:Patch Group" or "tag:PatchGroup" (the latter where instance metadata exposes tags) with valid group names.',
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes([TYPES.windowTarget, TYPES.windowTask], (r, args, reportViolation) => {
        const isTarget = args.type === TYPES.windowTarget;
        // Tasks usually point at registered targets (WindowTargetIds); only their direct tag targets are checked.
        for (const problem of patchGroupTargetProblems(r.targets, isTarget)) {
            reportViolation(`${isTarget ? "window target" : "task"} ${label(r, args.name)}: ${problem}.`);
        }
    }),
};

export const windowPolicies = [windowWellFormed, windowRegisteredTargetsOnly, windowTargetPatchGroupTag];
