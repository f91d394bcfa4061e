// Rules for maintenance windows and their targets.

import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    DEPRECATED_PATCH_DOCUMENT,
    PATCH_DOCUMENTS,
    PATCH_GROUP_TARGET_KEYS,
    TARGET_KEYS,
    TYPES,
    checkSchedule,
    checkTimezone,
    cutoffProblems,
    durationProblem,
    patchGroupNameProblem,
    resourceNameProblem,
    scheduleOffsetProblems,
    tagTargetKey,
    targetTagKey,
    withoutSeconds,
} from "@patch-manager/ssm";
import { patchingScope } from "./scope";
import { StackResource, asArray, isSet, isUnknown, label, refersTo, show, stackResources, text, validateResourceOfTypes } from "./util";

import { documentName } from "./ssmValues";

const windowLabel = (props: any, name: string) => `window ${label(props, name)}`;

/**
 * An hour field that is a range, step or wildcard starts a window every matching hour:
 * `cron(00 23-5 ? * TUE#1 *)` is seven windows, not one from 23:00 to 05:00. checkSchedule refuses
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
        "(a valid cron/rate expression, seconds field allowed, without hour ranges: the length comes from duration) and, where " +
        "it sets one, a valid IANA scheduleTimezone (without one the cron runs in UTC); fix the values named in the message.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.window, (w, args, reportViolation) => {
        const who = windowLabel(w, args.name);
        checkDurationAndCutoff(who, w, reportViolation);
        checkWindowSchedule(who, w, reportViolation);
        const nameProblem = isSet(w.name) && !isUnknown(w.name) ? resourceNameProblem(w.name) : undefined;
        if (nameProblem) reportViolation(`${who}: name ${show(w.name)} ${nameProblem}.`);
        if (isSet(w.description) && !isUnknown(w.description) && text(w.description).length > 128) {
            reportViolation(`${who}: description is ${text(w.description).length} characters; SSM allows at most 128.`);
        }
    }),
};

function checkDurationAndCutoff(who: string, w: any, reportViolation: ReportViolation): void {
    const { duration, cutoff } = w;
    const problem = isUnknown(duration) ? undefined : durationProblem(duration);
    if (problem) reportViolation(`${who}: duration ${show(duration)} ${problem}.`);
    if (isUnknown(cutoff)) return;
    for (const p of cutoffProblems(cutoff, duration, "duration")) reportViolation(`${who}: cutoff ${show(cutoff)} ${p}.`);
}

function checkWindowSchedule(who: string, w: any, reportViolation: ReportViolation): void {
    const { schedule, scheduleTimezone, scheduleOffset } = w;
    if (!isUnknown(schedule)) {
        if (typeof schedule !== "string" || schedule.trim() === "") {
            reportViolation(`${who} has no schedule; set a cron(...) or rate(...) expression.`);
        } else {
            // AWS accepts a leading seconds field: `cron(0 0 21 ? * WED *)` is 21:00:00 each Wednesday.
            const sixFields = withoutSeconds(schedule);
            const problems = checkSchedule(sixFields);
            const hourProblem = problems.length === 0 ? hourRangeProblem(sixFields) : undefined;
            for (const problem of hourProblem ? [hourProblem] : problems) {
                reportViolation(`${who}: schedule ${show(schedule)}: ${problem}`);
            }
        }
    }
    // Without a scheduleTimezone SSM reads the cron in UTC: a choice, not a mistake.
    if (isSet(scheduleTimezone) && !isUnknown(scheduleTimezone)) {
        for (const problem of checkTimezone(text(scheduleTimezone))) {
            reportViolation(`${who}: scheduleTimezone ${show(scheduleTimezone)}: ${problem}`);
        }
    }
    if (isSet(scheduleOffset) && !isUnknown(scheduleOffset)) {
        const known = typeof schedule === "string" && !isUnknown(schedule) ? schedule : undefined;
        for (const problem of scheduleOffsetProblems(scheduleOffset, known)) {
            reportViolation(`${who}: scheduleOffset ${show(scheduleOffset)} ${problem}.`);
        }
    }
}

// ------------------------------------------------------------------------------------------------

/** A rule over the windows, targets and tasks that patching uses (policies/scope.ts). */
function forPatchingScope(
    check: (scope: ReturnType<typeof patchingScope>, report: (message: string, urn: string) => void, all: StackResource[]) => void,
): StackValidationPolicy["validateStack"] {
    return (args, reportViolation) => {
        const resources = stackResources(args);
        check(patchingScope(resources), (message, urn) => reportViolation(message, urn), resources);
    };
}

export const windowRegisteredTargetsOnly: StackValidationPolicy = {
    name: "window-registered-targets-only",
    description:
        "A maintenance window that patches runs tasks only on the targets registered with it: set allowUnassociatedTargets to " +
        "false, so a task cannot reach instances that were never registered as window targets.",
    enforcementLevel: "advisory",
    validateStack: forPatchingScope((scope, report) => {
        for (const w of scope.windows) {
            if (w.props.allowUnassociatedTargets === true) {
                report(`${windowLabel(w.props, w.name)} sets allowUnassociatedTargets true; set it to false.`, w.urn);
            }
        }
    }),
};

// ------------------------------------------------------------------------------------------------

const normalizeKey = (key: string) => key.toLowerCase().replace(/[\s_-]+/g, "");

/**
 * Problems with one `targets` list's patch-group entries: the exact, case-sensitive key and valid
 * group names. Targets by instance ids, other tags or resource groups are the user's choice.
 */
export function patchGroupTargetProblems(targets: unknown): string[] {
    if (isUnknown(targets)) {
        return [];
    }
    const problems: string[] = [];
    for (const target of asArray(targets)) {
        const key = target?.key;
        if (isUnknown(key)) {
            return [];
        }
        const tagKey = targetTagKey(key);
        if (PATCH_GROUP_TARGET_KEYS.includes(key)) {
            const values = asArray(target.values);
            if (!isUnknown(target.values) && values.length === 0) {
                problems.push(`target key "${key}" has no values; list the patch group names`);
            }
            for (const value of values) {
                const problem = isUnknown(value) ? undefined : patchGroupNameProblem(value);
                if (problem) problems.push(`patch group ${show(value)} ${problem}`);
            }
        } else if (tagKey !== undefined && normalizeKey(tagKey) === "patchgroup") {
            problems.push(
                `target key ${show(key)} is not a patch-group key; tag keys are case-sensitive: use ${PATCH_GROUP_TARGET_KEYS.map((k) => JSON.stringify(k)).join(" or ")}`,
            );
        }
    }
    return problems;
}

export const windowTargetPatchGroupTag: StackValidationPolicy = {
    name: "window-target-patch-group-tag",
    description:
        "Where the targets of a patching window or task select a patch group, they use the tag Patch Manager itself reads: the " +
        'exact, case-sensitive key "tag:Patch Group" or "tag:PatchGroup" with valid group names (targets by instance ids, other ' +
        "tags or resource groups are fine).",
    enforcementLevel: "mandatory",
    validateStack: forPatchingScope((scope, report) => {
        for (const r of [...scope.targets, ...scope.tasks, ...scope.associations]) {
            const kind = r.type === TYPES.windowTarget ? "window target" : r.type === TYPES.windowTask ? "task" : "association";
            for (const problem of patchGroupTargetProblems(r.props.targets)) {
                report(`${kind} ${label(r.props, r.name)}: ${problem}.`, r.urn);
            }
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** TargetKey in the SSM API model (botocore ssm/2014-11-06). */
export const TARGET_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name/u;

/**
 * The keys a target can select managed nodes by (the API model's Target documentation): instance
 * ids, a tag (`tag:<key>`), any node with a tag key (`tag-key`), resource groups; a window task also
 * names window targets (`WindowTargetIds`), an Automation task a parameter's values or a group.
 */
function keyProblem(key: string, kind: TargetsOf): string | undefined {
    if (/\$\{|\{\{|\}\}/.test(key))
        return `key ${show(key)} holds an unsubstituted template ("\${...}" or "{{...}}"): no node has that tag`;
    if (!TARGET_KEY_PATTERN.test(key)) return `key ${show(key)} is not one SSM accepts (letters, digits, spaces and _.:/=-@)`;
    const tagKey = targetTagKey(key);
    if (tagKey !== undefined) return tagKey !== "" ? undefined : `key "tag:" names no tag key: write tag:<key>`;
    const K = TARGET_KEYS;
    const known: string[] = [K.instanceIds, K.tagKey, K.resourceGroupName, K.resourceGroupTypes];
    if (kind === "task") known.push(K.windowTargetIds, K.parameterValues, K.resourceGroup, K.ec2Instance);
    // "For Automation and Change Manager: ... Key=ResourceGroup ... Key=ParameterValues ... Key=AWS::EC2::Instance".
    if (kind === "automation association") known.push(K.parameterValues, K.resourceGroup, K.ec2Instance);
    if (known.includes(key)) return undefined;
    const hint = /patch\s*group/i.test(key) ? `; a tag is selected as ${JSON.stringify(tagTargetKey(key))}` : "";
    return `key ${show(key)} selects nothing: SSM targets by ${known.map((k) => JSON.stringify(k)).join(", ")} or "tag:<key>"${hint}`;
}

/** Whose targets: a window target, a window task, an association of a Command document or of a runbook. */
export type TargetsOf = "target" | "task" | "association" | "automation association";

/** Command documents that patch; an association of any other patching document runs an Automation runbook. */
const COMMAND_PATCH_DOCUMENTS: readonly string[] = [...PATCH_DOCUMENTS, DEPRECATED_PATCH_DOCUMENT];

/** Problems that make a targets list select no node at all. */
export function unmatchableTargetProblems(targets: unknown, kind: TargetsOf): string[] {
    const problems: string[] = [];
    for (const target of isUnknown(targets) ? [] : asArray(targets)) {
        const key = target?.key;
        if (typeof key !== "string" || isUnknown(key)) continue;
        const problem = keyProblem(key, kind);
        if (problem) problems.push(problem);
        for (const value of isUnknown(target.values) ? [] : asArray(target.values)) {
            if (typeof value === "string" && /\$\{|\{\{|\}\}/.test(value)) {
                problems.push(`${key} value ${show(value)} holds an unsubstituted template: no node matches it`);
            }
        }
    }
    return problems;
}

export const targetKeyCanMatch: StackValidationPolicy = {
    name: "target-key-can-match",
    description:
        "The targets of patching windows, tasks and associations can select a node: each key is one SSM targets by " +
        '(InstanceIds, tag:<key>, tag-key, resource-groups:Name, ...), and no key or value holds an unsubstituted "${...}" or ' +
        '"{{...}}". Otherwise the task runs on nothing, or registration fails.',
    enforcementLevel: "mandatory",
    validateStack: forPatchingScope((scope, report) => {
        const kinds: Array<[StackResource[], TargetsOf, string]> = [
            [scope.targets, "target", "window target"],
            [scope.tasks, "task", "task"],
            [scope.associations, "association", "association"],
        ];
        for (const [list, kind, word] of kinds) {
            for (const r of list) {
                const doc = documentName(r.props.name);
                const of: TargetsOf =
                    kind === "association" && typeof doc === "string" && !COMMAND_PATCH_DOCUMENTS.includes(doc)
                        ? "automation association"
                        : kind;
                for (const problem of unmatchableTargetProblems(r.props.targets, of)) {
                    report(`${word} ${label(r.props, r.name)}: ${problem}.`, r.urn);
                }
            }
        }
    }),
};

// ------------------------------------------------------------------------------------------------

export const windowCutoffMargin: StackValidationPolicy = {
    name: "window-cutoff-margin",
    description:
        "A patching window of one or two hours with cutoff 0 lets SSM start a task in its last minute (the cutoff is the " +
        "hours before the end in which no task starts). A task running at the end then goes on past the window " +
        "(CONTINUE_TASK: set a cutoff of at least the time an install takes) or is cancelled mid-install (CANCEL_TASK: the " +
        "cancel comes at the cutoff time, so lengthen the window and set a cutoff of at least the install time).",
    enforcementLevel: "advisory",
    validateStack: forPatchingScope((scope, report) => {
        for (const w of scope.windows) {
            const { duration, cutoff } = w.props;
            if (cutoff !== 0 || typeof duration !== "number" || duration > 2) continue;
            const cancels = scope.tasks.some((t) => refersTo(t, "windowId", w) === true && t.props.cutoffBehavior === "CANCEL_TASK");
            const hours = `${duration} hour${duration === 1 ? "" : "s"}`;
            report(
                `${windowLabel(w.props, w.name)} lasts ${hours} with cutoff 0: a task may start in its last minute` +
                    (cancels
                        ? ` and, with CANCEL_TASK, be cancelled mid-install at the window's end; lengthen the window and set a cutoff of at least the time an install takes.`
                        : ` and run on past the window's end; set a cutoff of at least the time an install takes (1 hour or more${duration === 1 ? ", with duration 2 or more" : ""}).`),
                w.urn,
            );
        }
    }),
};

export const windowPolicies = [
    windowWellFormed,
    windowRegisteredTargetsOnly,
    windowTargetPatchGroupTag,
    targetKeyCanMatch,
    windowCutoffMargin,
];
