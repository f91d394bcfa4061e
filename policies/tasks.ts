// Rules for maintenance-window tasks: who they run as, which document, how fast, where output goes.

import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    ProductionConfig,
    StackResource,
    asArray,
    configWithDefaults,
    isSet,
    isUnknown,
    label,
    ofType,
    productionConfigSchema,
    productionReason,
    refersTo,
    report,
    show,
    stackResources,
    validateResourceOfTypes,
    text,
} from "./util";
import { rebootWindowFor } from "./strategies";
import { patchingScope, runsPatching } from "./scope";
import { SERVICE_LINKED_ROLE } from "./hybrid";

// The same SSM constants the program's config validation uses.
export { IAM_ROLE_ARN_PATTERN as IAM_ROLE_ARN, MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN } from "@patch-manager/ssm";
import {
    DEPRECATED_PATCH_DOCUMENT,
    IAM_ROLE_ARN_PATTERN as IAM_ROLE_ARN,
    MAX_CONCURRENCY_PATTERN,
    MAX_ERRORS_PATTERN,
    PATCH_DOCUMENTS,
    RUN_PATCH_BASELINE_WITH_HOOKS,
    TYPES,
} from "@patch-manager/ssm";
export { commandParameter, documentName, isPatchingTask, runCommandParameters } from "./ssmValues";
import { commandParameter, documentName, runCommandParameters } from "./ssmValues";

const taskLabel = (props: any, name: string) => `task ${label(props, name)}`;

// ------------------------------------------------------------------------------------------------

const SERVICE_ROLE = {
    property: "serviceRoleArn",
    valid: "the ARN of an IAM role trusted by ssm.amazonaws.com (arn:aws:iam::<account-id>:role/<name>)",
};

export const taskServiceRole: ResourceValidationPolicy = {
    name: "task-service-role",
    description:
        "A patching task's serviceRoleArn, where set, is an IAM role ARN (arn:aws:iam::<account-id>:role/<name>), and the " +
        "notification role is not put in its place. Without one SSM runs the task as its service-linked role.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        if (!runsPatching(TYPES.windowTask, task)) {
            return;
        }
        const arn = task.serviceRoleArn;
        if (isUnknown(arn)) {
            return; // the role is created in this update; checked again when `pulumi up` registers the task
        }
        const who = taskLabel(task, args.name);
        if (!isSet(arn)) {
            // SSM then runs the task as its service-linked role (RegisterTaskWithMaintenanceWindow, ServiceRoleArn):
            // task-own-service-role reports that. A role given in the wrong field is this rule's own finding.
            const snsRole = runCommandParameters(task)?.serviceRoleArn;
            if (isSet(snsRole) && !isUnknown(snsRole) && !isSet(runCommandParameters(task)?.notificationConfig)) {
                report(reportViolation, {
                    message:
                        `${who} has no serviceRoleArn but sets taskInvocationParameters.runCommandParameters.serviceRoleArn, the SNS ` +
                        `notification role, without notifications: the task's role belongs in the task's serviceRoleArn.`,
                    ...SERVICE_ROLE,
                });
            }
            return;
        }
        if (typeof arn !== "string" || !IAM_ROLE_ARN.test(arn)) {
            report(reportViolation, {
                message: `${who}: serviceRoleArn ${show(arn)} is not an IAM role ARN (expected arn:aws:iam::<account-id>:role/<name>).`,
                ...SERVICE_ROLE,
            });
        }
    }),
};

export const taskOwnServiceRole: StackValidationPolicy = {
    name: "task-own-service-role",
    description:
        "In a stack that patches, every maintenance-window task runs as a role of its own: set serviceRoleArn (not SSM's " +
        "service-linked role). Without it SSM runs the task as its " +
        "service-linked role (AWSServiceRoleForAmazonSSM), which may send any document to every node of the account and start " +
        "any runbook, and whoever may register or update window tasks uses it without iam:PassRole.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        // In a stack that patches, every window task (attacker reviews of issue 18: a shell task beside the
        // patching, by instance ids, targetless, on a window target or a tag-key that reaches the patch groups,
        // went unflagged): the service-linked role reaches the patched nodes from any of them. A stack without
        // patching is not judged (the pack's scope).
        const tasks = ofType(resources, TYPES.windowTask);
        const judged = tasks.some((t) => runsPatching(t.type, t.props)) || patchingScope(resources).tasks.length > 0 ? tasks : [];
        for (const task of judged) {
            const arn = task.props.serviceRoleArn;
            if (typeof arn === "string" && SERVICE_LINKED_ROLE.test(arn)) {
                report(reportViolation, {
                    message:
                        `${taskLabel(task.props, task.name)} names SSM's service-linked role as its serviceRoleArn (${arn}), which may send ` +
                        `any document to every node and start any runbook. Set serviceRoleArn to a role of the task's own.`,
                    urn: task.urn,
                    ...SERVICE_ROLE,
                });
                continue;
            }
            if (isSet(arn) || isUnknown(arn)) continue; // set (task-service-role checks its shape), or known only at `pulumi up`
            report(reportViolation, {
                message:
                    `${taskLabel(task.props, task.name)} has no serviceRoleArn, so it runs as SSM's service-linked role, which may send ` +
                    `any document to every node and start any runbook (RegisterTaskWithMaintenanceWindow ServiceRoleArn); whoever may ` +
                    `register or update window tasks gets that without iam:PassRole. Set serviceRoleArn to a role of the task's own.`,
                urn: task.urn,
                ...SERVICE_ROLE,
            });
        }
    },
};

// ------------------------------------------------------------------------------------------------

/** What SSM takes for each rate-control value (RegisterTaskWithMaintenanceWindow MaxConcurrency, MaxErrors). */
const RATE_VALID = {
    maxConcurrency: 'a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
    maxErrors: 'a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
};

export const taskRateControl: ResourceValidationPolicy = {
    name: "task-rate-control",
    description:
        "Every patching task limits how many instances it patches at once and how many failures stop it: set maxConcurrency " +
        '(a count like "2" or a percentage like "10%") and maxErrors (a count, "0", or a percentage) as SSM accepts them.',
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        // RegisterTaskWithMaintenanceWindow: MaxConcurrency and MaxErrors may be left out only for a task without targets.
        if (!runsPatching(TYPES.windowTask, task) || (!isUnknown(task.targets) && asArray(task.targets).length === 0)) {
            return;
        }
        const who = taskLabel(task, args.name);
        const checks: Array<[keyof typeof RATE_VALID, RegExp, string]> = [
            ["maxConcurrency", MAX_CONCURRENCY_PATTERN, "a count of 1 or more, or a percentage from 1% to 100%"],
            ["maxErrors", MAX_ERRORS_PATTERN, "a count of 0 or more, or a percentage from 0% to 100%"],
        ];
        for (const [key, pattern, valid] of checks) {
            const value = task[key];
            if (isUnknown(value)) {
                continue;
            }
            const property = { property: key, valid: RATE_VALID[key] };
            if (!isSet(value)) {
                report(reportViolation, {
                    message: `${who} has no ${key}; set it (${valid}) so one window cannot take down or break every instance at once.`,
                    ...property,
                });
            } else if (!pattern.test(text(value))) {
                report(reportViolation, { message: `${who}: ${key} ${show(value)} is not valid; use ${valid}, as a string.`, ...property });
            }
        }
    }),
};

// ------------------------------------------------------------------------------------------------

const productionConcurrencySchema: PolicyConfigSchema = {
    properties: {
        maxConcurrencyPercent: {
            type: "integer",
            minimum: 1,
            maximum: 100,
            default: 25,
            description: "Highest percentage maxConcurrency a production patching task may use.",
        },
        maxConcurrencyCount: {
            type: "integer",
            minimum: 1,
            default: 10,
            description:
                'Highest absolute maxConcurrency (a count such as "2") a production patching task may use. A count cannot be ' +
                "compared with a percentage without knowing the fleet's size, so it has its own ceiling.",
        },
        ...productionConfigSchema,
    },
};

interface ProductionConcurrencyConfig extends ProductionConfig {
    maxConcurrencyPercent: number;
    maxConcurrencyCount: number;
}

/** The window a task belongs to, when the stack holds it. */
export function windowOf(task: StackResource, windows: StackResource[]): StackResource | undefined {
    return windows.find((w) => refersTo(task, "windowId", w) === true);
}

export const taskProductionConcurrency: StackValidationPolicy = {
    name: "task-production-concurrency",
    description:
        "In production a patching task patches a limited share of the fleet at once: lower maxConcurrency to the configured " +
        "ceiling (default 25%, or a count of at most 10). Production is judged from the window's environment tag, the stack name " +
        "(productionStacks) or the stack's tags.",
    enforcementLevel: "mandatory",
    configSchema: productionConcurrencySchema,
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults<ProductionConcurrencyConfig>(productionConcurrencySchema, args);
        const resources = stackResources(args);
        const windows = ofType(resources, TYPES.window);
        for (const task of ofType(resources, TYPES.windowTask)) {
            if (!runsPatching(TYPES.windowTask, task.props)) {
                continue;
            }
            const window = windowOf(task, windows);
            const why = productionReason(cfg, {
                tags: [window?.props.tags, window?.props.tagsAll, window?.providerTags],
                urn: task.urn,
                stackTags: args.stackTags,
            });
            const value = task.props.maxConcurrency;
            if (why === undefined || isUnknown(value) || typeof value !== "string" || !MAX_CONCURRENCY_PATTERN.test(value)) {
                continue; // not production, or task-rate-control reports the value
            }
            const who = taskLabel(task.props, task.name);
            const property = {
                property: "maxConcurrency",
                valid:
                    `in production at most ${cfg.maxConcurrencyPercent}% or a count of at most ${cfg.maxConcurrencyCount} ` +
                    "(the pack's maxConcurrencyPercent/maxConcurrencyCount)",
            };
            if (value.endsWith("%")) {
                const percent = Number(value.slice(0, -1));
                if (percent > cfg.maxConcurrencyPercent) {
                    report(reportViolation, {
                        message:
                            `${who} is production (${why}) but patches ${value} of its targets at once; ` +
                            `the ceiling is ${cfg.maxConcurrencyPercent}% (config maxConcurrencyPercent).`,
                        urn: task.urn,
                        ...property,
                    });
                }
            } else if (Number(value) > cfg.maxConcurrencyCount) {
                report(reportViolation, {
                    message:
                        `${who} is production (${why}) but patches ${value} instances at once; ` +
                        `the ceiling is ${cfg.maxConcurrencyCount} (config maxConcurrencyCount) or ${cfg.maxConcurrencyPercent}%.`,
                    urn: task.urn,
                    ...property,
                });
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

const rebootSchema: PolicyConfigSchema = {
    properties: {
        noRebootWindows: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Maintenance windows (by name, logical resource name or window id) whose installing tasks may use NoReboot, " +
                "e.g. where another process reboots the instances. Not in production: there NoReboot needs a reboot window.",
        },
        ...productionConfigSchema,
    },
};

/** The document parameter, by name within `parameters` (a list of {name, values}, as the provider takes it). */
const REBOOT_OPTION = {
    property: "taskInvocationParameters.runCommandParameters.parameters.RebootOption",
    valid: '"RebootIfNeeded" (a parameter {name: "RebootOption", values: ["RebootIfNeeded"]})',
};

export const taskRebootIfNeeded: StackValidationPolicy = {
    name: "task-reboot-if-needed",
    description:
        "A patching task that installs reboots when a patch needs it: RebootOption RebootIfNeeded (the document's default) or " +
        "unset. With NoReboot installed patches stay InstalledPendingReboot and the instance is non-compliant " +
        "until it reboots; give the patch groups a reboot window (another window whose task reboots them), or outside production " +
        "list the window in noRebootWindows if something else reboots it.",
    enforcementLevel: "mandatory",
    configSchema: rebootSchema,
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults<ProductionConfig & { noRebootWindows: string[] }>(rebootSchema, args);
        const resources = stackResources(args);
        const windows = ofType(resources, TYPES.window);
        for (const task of ofType(resources, TYPES.windowTask)) {
            const doc = documentName(task.props.taskArn);
            if (typeof doc !== "string" || !(PATCH_DOCUMENTS as readonly string[]).includes(doc)) {
                continue;
            }
            const operation = commandParameter(task.props, "Operation");
            if (operation === undefined || isUnknown(operation) || operation[0] !== "Install") {
                continue; // scans never reboot; a missing Operation is task-patch-document's finding
            }
            const window = windowOf(task, windows);
            const windowNames = [window?.props.name, window?.name, window?.props.id, task.props.windowId].filter(
                (n): n is string => typeof n === "string" && n !== "" && !isUnknown(n),
            );
            const excepted = windowNames.find((n) => cfg.noRebootWindows.includes(n));
            const reboot = commandParameter(task.props, "RebootOption");
            if (isUnknown(reboot)) {
                continue;
            }
            const who = taskLabel(task.props, task.name);
            const windowName = window ? `window ${label(window.props, window.name)}` : `window ${show(task.props.windowId)}`;
            if (excepted !== undefined) {
                // Production never installs with NoReboot unless a reboot window of the stack reboots the same groups.
                const why = productionReason(cfg, {
                    tags: [window?.props.tags, window?.props.tagsAll, window?.providerTags],
                    urn: task.urn,
                    stackTags: args.stackTags,
                });
                if (
                    Array.isArray(reboot) &&
                    reboot[0] === "NoReboot" &&
                    why !== undefined &&
                    rebootWindowFor(task, resources) === undefined
                ) {
                    report(reportViolation, {
                        message:
                            `${who} (${windowName}) is production (${why}) and installs with NoReboot; noRebootWindows does not excuse ` +
                            `production: add a reboot window for its patch groups (the group's rebootWindow) or use "RebootIfNeeded".`,
                        urn: task.urn,
                        ...REBOOT_OPTION,
                    });
                }
                continue;
            }
            if (reboot === undefined || reboot.length === 0) {
                continue; // AWS-RunPatchBaseline's RebootOption defaults to RebootIfNeeded
            } else if (reboot[0] === "NoReboot" && rebootWindowFor(task, resources) !== undefined) {
                continue; // another window reboots these patch groups (strategy-reboot-window checks production)
            } else if (reboot[0] === "NoReboot") {
                report(reportViolation, {
                    message:
                        `${who} (${windowName}) installs with RebootOption "NoReboot": patches stay InstalledPendingReboot and the ` +
                        `instances report non-compliant; use "RebootIfNeeded", or name the window in noRebootWindows.`,
                    urn: task.urn,
                    ...REBOOT_OPTION,
                });
            } else if (reboot[0] !== "RebootIfNeeded") {
                report(reportViolation, {
                    message: `${who} (${windowName}): RebootOption ${show(reboot[0])} is not valid; use "RebootIfNeeded".`,
                    urn: task.urn,
                    ...REBOOT_OPTION,
                });
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

export const taskPatchDocument: ResourceValidationPolicy = {
    name: "task-patch-document",
    description:
        "Patching tasks run AWS-RunPatchBaseline (or AWS-RunPatchBaselineWithHooks) as a RUN_COMMAND task with Operation Scan or " +
        "Install and without SnapshotId: replace AWS-ApplyPatchBaseline (old, Windows-only) and drop SnapshotId (SSM derives it " +
        "inside a maintenance window). A task with hooks runs with CONTINUE_TASK: a cancelled one is not documented to reach its OnExit hook.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        const doc = documentName(task.taskArn);
        if (typeof doc !== "string") {
            return;
        }
        const who = taskLabel(task, args.name);
        if (doc === DEPRECATED_PATCH_DOCUMENT) {
            reportViolation(`${who} runs ${show(task.taskArn)}, the deprecated Windows-only document; use AWS-RunPatchBaseline.`);
            return;
        }
        if (!(PATCH_DOCUMENTS as readonly string[]).includes(doc)) {
            return;
        }
        if (isSet(task.taskType) && !isUnknown(task.taskType) && task.taskType !== "RUN_COMMAND") {
            reportViolation(`${who} runs ${doc} as taskType ${show(task.taskType)}; it is a Run Command document: use RUN_COMMAND.`);
        }
        if (doc === RUN_PATCH_BASELINE_WITH_HOOKS && task.cutoffBehavior === "CANCEL_TASK") {
            reportViolation(
                `${who} runs ${doc} with cutoffBehavior CANCEL_TASK: a task cancelled at the cutoff is not documented to run its OnExit ` +
                    `hook (AWS runs it after the install or a failed step), so a node its PreInstall hook took out of service may stay out; use CONTINUE_TASK.`,
            );
        }
        const snapshot = commandParameter(task, "SnapshotId");
        if (snapshot !== undefined && !isUnknown(snapshot) && snapshot.some((v) => isSet(v))) {
            reportViolation(`${who} sets SnapshotId ${show(snapshot)}; leave it unset inside a maintenance window (SSM derives it).`);
        }
        const operation = commandParameter(task, "Operation");
        if (isUnknown(operation)) {
            return;
        }
        if (operation === undefined || operation.length === 0) {
            reportViolation(
                `${who} runs ${doc} without the required Operation parameter; add {name: "Operation", values: ["Install"]} (or "Scan").`,
            );
        } else if (operation.length !== 1 || !["Scan", "Install"].includes(operation[0])) {
            reportViolation(`${who}: Operation ${show(operation)} is not valid; use exactly one of "Scan" or "Install".`);
        }
    }),
};

// ------------------------------------------------------------------------------------------------

export const taskOutputToS3: ResourceValidationPolicy = {
    name: "task-output-to-s3",
    description:
        "Patching Run Command tasks keep their full output in S3, where auditors can find it: set " +
        "taskInvocationParameters.runCommandParameters.outputS3Bucket (and outputS3KeyPrefix) to the log bucket.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        if (
            !runsPatching(TYPES.windowTask, task) ||
            isUnknown(task.taskType) ||
            (isSet(task.taskType) && task.taskType !== "RUN_COMMAND")
        ) {
            return;
        }
        const rc = runCommandParameters(task);
        if (isUnknown(rc) || isUnknown(rc?.outputS3Bucket)) {
            return;
        }
        if (!isSet(rc?.outputS3Bucket)) {
            report(reportViolation, {
                message:
                    `${taskLabel(task, args.name)} does not send command output to S3; set ` +
                    `taskInvocationParameters.runCommandParameters.outputS3Bucket (and outputS3KeyPrefix).`,
                property: "taskInvocationParameters.runCommandParameters.outputS3Bucket",
                valid: "the name of the bucket that keeps the command output (with outputS3KeyPrefix)",
            });
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** AWS-owned patch documents, which AWS updates in place (a new default version, a new hash). */
const AWS_PATCH_DOCUMENTS: readonly string[] = [...PATCH_DOCUMENTS, DEPRECATED_PATCH_DOCUMENT];

export const taskDocumentHashUnpinned: ResourceValidationPolicy = {
    name: "task-document-hash-unpinned",
    description:
        "A task or association running an AWS-owned patch document does not pin its documentHash or a numbered " +
        "documentVersion: AWS publishes new versions of AWS-RunPatchBaseline, after which a pinned hash fails the run " +
        '(InvalidDocument: "document hash ... does not match") and a pinned version misses fixes. Leave both unset, or use $DEFAULT.',
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes([TYPES.windowTask, TYPES.association], (r, args, reportViolation) => {
        const isTask = args.type === TYPES.windowTask;
        const doc = documentName(isTask ? r.taskArn : r.name);
        if (typeof doc !== "string" || !AWS_PATCH_DOCUMENTS.includes(doc)) {
            return;
        }
        const rc = isTask ? runCommandParameters(r) : undefined;
        const hash = rc?.documentHash;
        const version = isTask ? rc?.documentVersion : r.documentVersion;
        const who = `${isTask ? "task" : "association"} ${label(r, args.name)}`;
        if (isSet(hash) && !isUnknown(hash)) {
            reportViolation(`${who} pins documentHash ${show(hash)} of ${doc}; when AWS updates ${doc} the run fails. Drop documentHash.`);
        }
        if (typeof version === "string" && /^\d+$/.test(version)) {
            reportViolation(
                `${who} pins ${doc} to version ${version}; use $DEFAULT (or leave documentVersion unset) to run AWS's current one.`,
            );
        }
    }),
};

export const taskPolicies = [
    taskServiceRole,
    taskOwnServiceRole,
    taskRebootIfNeeded,
    taskRateControl,
    taskProductionConcurrency,
    taskPatchDocument,
    taskOutputToS3,
    taskDocumentHashUnpinned,
];
