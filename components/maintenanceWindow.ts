import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS, STRATEGY_DOCUMENTS, TARGET_KEYS, tagTargetKey } from "@patch-manager/ssm";
import {
    FORMER_RESOURCE_TYPES,
    HookDocuments,
    NotificationEvent,
    Operation,
    PatchGroupConfig,
    RESOURCE_TYPES,
    WindowTiming,
} from "../config";
import { keyPath } from "../config/errors";
import { ssmName, taskLogPrefix } from "../config/naming";
import { maintenanceWindowTiming } from "../config/window";
import { START_TIMEOUT_MINUTES } from "../config/strategies";
import {
    CREATE_IMAGE_PARAMETERS,
    INSTALL_DOCUMENTS,
    installOverrideParameters,
    installRunbookParameters,
    RunbookRoleArns,
    startStopTaskParameters,
    taskSteps,
} from "./strategies";

export interface MaintenanceWindowArgs {
    /** Physical window name prefix, e.g. "patch-manager-prod". */
    readonly namePrefix: string;
    /** Name part of the window itself ("weekend", "web-server"). */
    readonly windowName: string;
    readonly description: string;
    readonly timing: WindowTiming;
    /** IANA zone the cron is written in. */
    readonly timezone: string;
    readonly environment: string;
    readonly groups: readonly PatchGroupConfig[];
    /** Tag key instances carry ("Patch Group" or "PatchGroup"). */
    readonly patchGroupTagKey: string;
    /** The role tasks run as; always set (AWS recommends a custom role, the pack enforces it). */
    readonly serviceRoleArn: pulumi.Input<string>;
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
    readonly cutoffBehavior: "CONTINUE_TASK" | "CANCEL_TASK";
    /** SNS notifications of every task; undefined: none. */
    readonly notification?: TaskNotification;
    /** Hook documents by patch group name; such a group's task runs AWS-RunPatchBaselineWithHooks. */
    readonly hooks?: Readonly<Record<string, HookDocuments>>;
    /** Resolves once every hook document is known to exist in this region (hookDocumentsInRegion); the tasks wait for it. */
    readonly hooksFound?: pulumi.Input<unknown>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The start and stop runbooks, for groups that start stopped instances. */
    readonly startStop?: { readonly start: pulumi.Input<string>; readonly stop: pulumi.Input<string> };
    /** s3:// URL of each baseline's override file, by baseline name. */
    readonly baselineOverrideUrls?: Readonly<Record<string, pulumi.Input<string>>>;
    /** The roles the rollback and Auto Scaling runbooks run as (their role parameters). */
    readonly runbookRoles?: pulumi.Input<RunbookRoleArns>;
}

/** The type token stacks deployed with a `MaintenanceSchedule` component hold for this one: its alias. */
const FORMER_TYPE = FORMER_RESOURCE_TYPES.MaintenanceSchedule;

/**
 * A maintenance window and, per patch group in it, a target selecting the
 * group by tag and an AWS-RunPatchBaseline task. Children are named from the
 * component and the group, so a schedule edit updates the window in place.
 */
export class MaintenanceWindow extends pulumi.ComponentResource {
    readonly windowId: pulumi.Output<string>;
    readonly windowName: string;

    constructor(name: string, args: MaintenanceWindowArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.MaintenanceWindow, name, {}, withFormerType(opts, FORMER_TYPE));
        const s = args.timing;
        this.windowName = ssmName(args.namePrefix, args.windowName);
        const window = new aws.ssm.MaintenanceWindow(
            `${name}-window`,
            {
                name: this.windowName,
                description: args.description.slice(0, 128),
                ...maintenanceWindowTiming(s, args.timezone),
                tags: args.tags,
            },
            { parent: this },
        );
        for (const group of args.groups) {
            const target = new aws.ssm.MaintenanceWindowTarget(
                `${name}-${group.slug}-target`,
                {
                    windowId: window.id,
                    name: ssmName(args.namePrefix, group.slug),
                    description: `Instances tagged ${args.patchGroupTagKey}=${group.name}`.slice(0, 128),
                    // INSTANCE covers EC2 instances and hybrid managed nodes (mi-...) alike: targets are "tags that
                    // have been applied to managed nodes", and a hybrid node gets its activation's tags.
                    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_RegisterTargetWithMaintenanceWindow.html
                    resourceType: "INSTANCE",
                    targets: [{ key: tagTargetKey(args.patchGroupTagKey), values: [group.name] }],
                },
                { parent: this },
            );
            const hooks = args.hooks?.[group.name];
            const strategies = group.strategies;
            const common = {
                windowId: window.id,
                serviceRoleArn: args.serviceRoleArn,
                maxConcurrency: group.rateControl.maxConcurrency,
                maxErrors: group.rateControl.maxErrors,
                // AWS-RunPatchBaselineWithHooks runs its OnExit hook after the install and reboot, or after a failed step;
                // AWS documents nothing for a cancel (the cutoff's CancelCommand may stop the document before it), and a
                // node the preInstall hook drained would stay out of service. A group with hooks runs to its end.
                cutoffBehavior: hooks ? ("CONTINUE_TASK" as const) : args.cutoffBehavior,
                targets: [{ key: TARGET_KEYS.windowTargetIds, values: [target.id] }],
            };
            const automation = (
                step: string,
                taskArn: pulumi.Input<string>,
                priority: number,
                parameters: pulumi.Input<Parameter[]>,
                extra = {},
            ) =>
                new aws.ssm.MaintenanceWindowTask(
                    `${name}-${group.slug}-${step}`,
                    {
                        ...common,
                        ...extra,
                        name: ssmName(args.namePrefix, group.slug, step),
                        description: `${step} ${group.name}`.slice(0, 128),
                        taskType: "AUTOMATION",
                        taskArn,
                        priority,
                        taskInvocationParameters: { automationParameters: { documentVersion: "$DEFAULT", parameters } },
                    },
                    { parent: this },
                );
            const runbook = strategies?.install ?? "runPatchBaseline";
            for (const { step, priority } of strategies ? taskSteps(strategies) : [{ step: "install" as const, priority: 1 }]) {
                if (step === "start" || step === "stop") {
                    // Targetless (one execution per group): a window target resolves managed nodes that are
                    // online, never a stopped instance (config/runtime/targets.ts); the runbook finds the
                    // group's instances through EC2. Without targets SSM takes no rate control.
                    const { targets: _targets, maxConcurrency: _c, maxErrors: _e, ...targetless } = common;
                    new aws.ssm.MaintenanceWindowTask(
                        `${name}-${group.slug}-${step}`,
                        {
                            ...targetless,
                            name: ssmName(args.namePrefix, group.slug, step),
                            description: `${step} ${group.name}`.slice(0, 128),
                            taskType: "AUTOMATION",
                            taskArn: args.startStop![step],
                            priority,
                            taskInvocationParameters: {
                                automationParameters: {
                                    documentVersion: "$DEFAULT",
                                    parameters: startStopTaskParameters(
                                        step,
                                        group.name,
                                        args.patchGroupTagKey,
                                        strategies!.startTimeoutMinutes ?? START_TIMEOUT_MINUTES.default,
                                    ),
                                },
                            },
                        },
                        { parent: this },
                    );
                } else if (step === "image") {
                    automation("image", STRATEGY_DOCUMENTS.createImage.name, priority, CREATE_IMAGE_PARAMETERS);
                } else if (runbook !== "runPatchBaseline") {
                    // The runbook installs itself (with AWS-RunPatchBaseline inside); the task keeps its logical name.
                    const parameters = pulumi
                        .all([args.logBucketName, args.runbookRoles])
                        .apply(([bucket, roles]) => installRunbookParameters(strategies!, bucket, roles));
                    automation("task", INSTALL_DOCUMENTS[runbook], priority, parameters, {
                        name: ssmName(args.namePrefix, group.slug, group.operation),
                        description: `${group.operation} patches on ${group.name} (${INSTALL_DOCUMENTS[runbook]})`.slice(0, 128),
                        ...(runbook === "loadBalancer" ? { maxConcurrency: strategies!.loadBalancer!.maxShare } : {}),
                    });
                } else {
                    const overrideUrl = group.baseline !== undefined ? args.baselineOverrideUrls?.[group.baseline] : undefined;
                    const overrides = pulumi
                        .output(overrideUrl)
                        .apply((url) => (strategies ? installOverrideParameters(strategies, url) : []));
                    new aws.ssm.MaintenanceWindowTask(
                        `${name}-${group.slug}-task`,
                        {
                            ...common,
                            name: ssmName(args.namePrefix, group.slug, group.operation),
                            description: `${group.operation} patches on ${group.name}`.slice(0, 128),
                            taskType: "RUN_COMMAND",
                            taskArn: hooks ? RUN_PATCH_BASELINE_WITH_HOOKS : RUN_PATCH_BASELINE,
                            priority,
                            taskInvocationParameters: {
                                runCommandParameters: {
                                    comment: `patch-manager ${args.environment}: ${group.operation} ${group.name}`.slice(0, 100),
                                    documentVersion: "$DEFAULT",
                                    outputS3Bucket: args.logBucketName,
                                    outputS3KeyPrefix: taskLogPrefix(args.logKeyPrefix, args.environment, group.name, group.operation),
                                    parameters: pulumi
                                        .all([overrides, args.hooksFound])
                                        .apply(([o]) => [
                                            ...runPatchBaselineParameters(group.operation, strategies?.rebootWindow !== undefined),
                                            ...(hooks ? hookParameters(hooks) : []),
                                            ...o,
                                        ]),
                                    ...(args.notification ? notificationParameters(args.notification) : {}),
                                },
                            },
                        },
                        { parent: this },
                    );
                }
            }
        }
        this.windowId = window.id;
        this.registerOutputs({ windowId: this.windowId });
    }
}

type Parameter = { name: string; values: string[] };

/**
 * AWS-RunPatchBaseline parameters. Install says RebootIfNeeded out loud unless
 * a reboot window of the group reboots later: with NoReboot, patches stay
 * InstalledPendingReboot and the instance non-compliant until then. Scan never
 * reboots. SnapshotId stays unset: inside a window SSM derives it.
 */
export function runPatchBaselineParameters(operation: Operation, rebootsLater = false): Parameter[] {
    return [
        { name: "Operation", values: [operation] },
        { name: "RebootOption", values: [operation === "Install" && !rebootsLater ? "RebootIfNeeded" : "NoReboot"] },
    ];
}

/** AWS-RunPatchBaselineWithHooks parameters for the configured hooks; an unset hook keeps the document's AWS-Noop. */
export function hookParameters(hooks: HookDocuments): { name: string; values: string[] }[] {
    const out: { name: string; values: string[] }[] = [];
    for (const [key, parameter] of Object.entries(HOOK_KEYS)) {
        const document = hooks[key as keyof typeof HOOK_KEYS];
        if (document) out.push({ name: parameter, values: [document] });
    }
    return out;
}

const HOOK_KEYS = { preInstall: "PreInstallHookDocName", postInstall: "PostInstallHookDocName", onExit: "OnExitHookDocName" } as const;

/**
 * Each hook document looked up in this region (ssm:GetDocument through the parent's provider, so
 * preview runs it): SSM documents are regional, and AWS-RunPatchBaselineWithHooks fails on a node
 * whose region lacks one, after the window has started. A RunError names the key of the first
 * missing one; otherwise the hooks as given.
 */
export function hookDocumentsInRegion(
    hooks: Readonly<Record<string, HookDocuments>>,
    region: pulumi.Output<string>,
    parent: pulumi.Resource,
): pulumi.Output<Readonly<Record<string, HookDocuments>>> {
    const uses = Object.entries(hooks).flatMap(([group, h]) =>
        (Object.keys(HOOK_KEYS) as (keyof typeof HOOK_KEYS)[]).flatMap((k) => (h[k] ? [{ group, key: k, name: h[k] }] : [])),
    );
    return region.apply(async (r) => {
        for (const name of [...new Set(uses.map((u) => u.name))]) {
            try {
                await aws.ssm.getDocument({ name }, { parent });
            } catch (e) {
                const u = uses.find((x) => x.name === name)!;
                throw new pulumi.RunError(
                    `${keyPath("safeStops", ["hooks", u.group, u.key])}: document "${name}" does not exist in ${r}, or this account cannot read it (${e instanceof Error ? e.message : String(e)}); SSM documents are regional (a shared document's ARN names one region), so each region of the stack needs it. Create it there (or share it with this account).`,
                );
            }
        }
        return hooks;
    });
}

export interface TaskNotification {
    readonly topicArn: pulumi.Input<string>;
    /** The role Run Command publishes with: runCommandParameters.serviceRoleArn, not the task's role. */
    readonly roleArn: pulumi.Input<string>;
    readonly events: readonly NotificationEvent[];
}

/** One message per command (not per instance), on the configured outcomes. */
export function notificationParameters(n: TaskNotification) {
    return {
        notificationConfig: { notificationArn: n.topicArn, notificationEvents: [...n.events], notificationType: "Command" },
        serviceRoleArn: n.roleArn,
    };
}

/**
 * `opts` with aliases that carry a component's former type token: alone, and combined with each
 * alias the caller gave (a component that changed type and parent at once was registered under
 * the old type at the old parent, which the engine only finds through one alias saying both).
 */
export function withFormerType(opts: pulumi.ComponentResourceOptions | undefined, type: string): pulumi.ComponentResourceOptions {
    const given = opts?.aliases ?? [];
    const specs = given.filter((a): a is pulumi.Alias => typeof a === "object" && a !== null && !pulumi.Output.isInstance(a));
    return { ...opts, aliases: [...given, { type }, ...specs.map((a) => ({ ...a, type }))] };
}
