// Patch now: a fleet-wide run for a zero-day. Per stack and region an Automation runbook the program
// owns (`patch-manager-<stack>-patch-now`) runs the windows' install group by group, on demand: the
// group's targets (its patch-group tag), its rate control (MaxConcurrency/MaxErrors), its strategy's
// steps where they apply (an image first, the load-balancer drain, the rollback or Auto Scaling
// runbook, NoReboot where a reboot window reboots) and its hooks. Parameters: one group or all, Scan
// or Install, and an optional zero-day patch list (InstallOverrideList) the operator puts under the
// log bucket's fleet inputs, which every node may read and none may write (components/iam.ts). The
// safe-stop alarm is the execution's own: StartAutomationExecution's AlarmConfiguration, which the
// plan's command carries (tools/plan/plan.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS, STRATEGY_DOCUMENTS, tagTargetKey, WINDOW_LIMITS } from "@patch-manager/ssm";
import { HookDocuments, InstallRunbook, PatchGroupConfig, RESOURCE_TYPES } from "../config";
import { FLEET_INPUTS_PREFIX } from "../config/defaults";
import { taskLogPrefix } from "../config/naming";
import { PATCH_NOW_LIST_PREFIX } from "../config/patchNow";
import { windowCommandPolicy } from "./iam";
import { hookParameters, runPatchBaselineParameters } from "./maintenanceWindow";
import { ownRunbook, RunbookPlace } from "./runbooks";
import {
    installOverrideParameters,
    installRunbookParameters,
    INSTALL_DOCUMENTS,
    RunbookRoleArns,
    runbookRoleScope,
    strategyPermissions,
} from "./strategies";

/** The value of the PatchGroup parameter that runs every group, one after the other. */
export const ALL_GROUPS = "all";

/** A group as patch now runs it: its config, its hooks and its baseline's override file. */
export interface PatchNowGroup {
    readonly group: PatchGroupConfig;
    readonly hooks?: HookDocuments;
    /** s3:// URL of the group's baseline override file, when it installs with one. */
    readonly baselineOverrideUrl?: string;
}

/** What the runbook's content is made of; every value known (the component resolves the outputs). */
export interface PatchNowContent {
    /** The role the runbook runs as: the AutomationAssumeRole parameter's default. */
    readonly roleArn: string;
    readonly environment: string;
    readonly patchGroupTagKey: string;
    readonly logBucketName: string;
    readonly logKeyPrefix: string;
    readonly groups: readonly PatchNowGroup[];
    /** The roles the rollback and Auto Scaling runbooks run as. */
    readonly runbookRoles?: RunbookRoleArns;
}

/** The key prefix of the zero-day lists in the log bucket: under the fleet inputs. */
export const patchNowListPrefix = `${FLEET_INPUTS_PREFIX}/${PATCH_NOW_LIST_PREFIX}/`;

/** The only lists the runbook takes: YAML files under the patch-now prefix of the log bucket, or none. */
export function patchListPattern(logBucketName: string): string {
    // A bucket name is lowercase letters, digits, dots and hyphens: only its dots need escaping.
    const escaped = `${logBucketName}/${patchNowListPrefix}`.replace(/\./g, "\\.");
    return `^$|^s3://${escaped}[A-Za-z0-9_.-]+\\.yaml$`;
}

/**
 * Whether a group's install can take a patch list: AWS-RunPatchBaseline can, AWS-RunPatchBaselineWithHooks
 * cannot ("doesn't support the InstallOverrideList parameter"), nor can the strategies' runbooks (no such
 * parameter) or an install with BaselineOverride (AWS-RunPatchBaseline fails with both).
 */
export function takesPatchList(g: PatchNowGroup): boolean {
    return g.group.strategies.install === "runPatchBaseline" && !g.hooks && !g.group.strategies.baselineOverride;
}

type Step = Record<string, unknown> & { name: string; action: string };

/**
 * How long a patch-now command waits for its later rate-control batches: Run Command's TimeoutSeconds
 * ("If this time is reached and the command hasn't already started running, it won't run": botocore,
 * fact send-command-timeout-seconds) as long as the longest maintenance window SSM allows (24 hours),
 * so a group's batches get at least the time its window would give them.
 */
export const PATCH_NOW_DELIVERY_SECONDS = WINDOW_LIMITS.duration.max * 3600;
type Parameter = { name: string; values: string[] };
const asMap = (parameters: Parameter[]) => Object.fromEntries(parameters.map((p) => [p.name, p.values]));

/**
 * The runbook (schemaVersion 0.3). Per group, in the config's order:
 *   select_N   aws:branch: this group (or "all") runs, else on to the next group
 *   nolist_N   aws:branch: a group whose install takes no patch list is skipped when one is given
 *   image_N    the AMI first (AWS-CreateImage, NoReboot) through aws:executeAutomation, when Install
 *   install_N  AWS-RunPatchBaseline (or with hooks) through aws:runCommand, or the strategy's runbook
 *              through aws:executeAutomation; with a list, install_list_N passes it instead
 *   scan_N     a group whose install is a runbook scans with AWS-RunPatchBaseline
 * Every run step targets the group's tag with the group's rate control; a step that fails (its MaxErrors
 * exceeded) stops the execution, so later groups do not start.
 */
export function patchNowRunbook(c: PatchNowContent): object {
    const steps: Step[] = [];
    const groups = c.groups;
    const n = (i: number) => i + 1;
    const next = (i: number) => (i + 1 < groups.length ? `select_${n(i + 1)}` : "finish");
    groups.forEach((pg, i) => {
        const g = pg.group;
        const s = g.strategies;
        const targets = [{ Key: tagTargetKey(c.patchGroupTagKey), Values: [g.name] }];
        const rate = { MaxConcurrency: g.rateControl.maxConcurrency, MaxErrors: g.rateControl.maxErrors };
        const install: InstallRunbook = s.install;
        const viaRunbook = install !== "runPatchBaseline";
        const branch = (name: string, description: string, choices: object[], defaultStep?: string): Step => ({
            name,
            action: "aws:branch",
            description,
            inputs: { Choices: choices, ...(defaultStep ? { Default: defaultStep } : {}) },
        });
        const onScan = (target: string) => ({ NextStep: target, Variable: "{{ Operation }}", StringEquals: "Scan" });
        const runCommand = (name: string, operation: string, parameters: Parameter[], nextStep: string): Step => ({
            name,
            action: "aws:runCommand",
            description: `${operation === "{{ Operation }}" ? "Scan or install" : operation} ${g.name}`,
            nextStep,
            inputs: {
                DocumentName: pg.hooks ? RUN_PATCH_BASELINE_WITH_HOOKS : RUN_PATCH_BASELINE,
                Targets: targets,
                ...rate,
                TimeoutSeconds: PATCH_NOW_DELIVERY_SECONDS,
                Comment: `patch-manager ${c.environment}: patch now ${g.name}`.slice(0, 100),
                Parameters: asMap(parameters),
                OutputS3BucketName: c.logBucketName,
                OutputS3KeyPrefix: taskLogPrefix(c.logKeyPrefix, c.environment, g.name, "patch-now"),
            },
        });
        const installStart = viaRunbook ? `install_branch_${n(i)}` : takesPatchList(pg) ? `install_list_branch_${n(i)}` : `install_${n(i)}`;
        const first = s.imageFirst ? `image_branch_${n(i)}` : installStart;
        steps.push(
            branch(
                `select_${n(i)}`,
                `Patch group ${g.name}: runs when PatchGroup is "${g.name}" or "${ALL_GROUPS}"`,
                [
                    { NextStep: takesPatchList(pg) ? first : `nolist_${n(i)}`, Variable: "{{ PatchGroup }}", StringEquals: ALL_GROUPS },
                    { NextStep: takesPatchList(pg) ? first : `nolist_${n(i)}`, Variable: "{{ PatchGroup }}", StringEquals: g.name },
                ],
                next(i),
            ),
        );
        if (!takesPatchList(pg))
            steps.push(
                branch(
                    `nolist_${n(i)}`,
                    `${g.name} installs through ${viaRunbook ? INSTALL_DOCUMENTS[install] : pg.hooks ? RUN_PATCH_BASELINE_WITH_HOOKS : "a BaselineOverride"}, which takes no patch list: skipped when one is given`,
                    [{ NextStep: next(i), Variable: "{{ InstallOverrideList }}", StartsWith: "s3://" }],
                    first,
                ),
            );
        if (s.imageFirst)
            steps.push(branch(`image_branch_${n(i)}`, `An image of each ${g.name} instance before an install`, [onScan(installStart)]), {
                name: `image_${n(i)}`,
                action: "aws:executeAutomation",
                description: `AWS-CreateImage of each ${g.name} instance (NoReboot)`,
                inputs: {
                    DocumentName: STRATEGY_DOCUMENTS.createImage.name,
                    TargetParameterName: "InstanceId",
                    Targets: targets,
                    ...rate,
                    RuntimeParameters: { NoReboot: ["true"] },
                },
            });
        if (viaRunbook) {
            const parameters = installRunbookParameters(s, c.logBucketName, c.runbookRoles).filter((p) => p.name !== "InstanceId");
            steps.push(
                branch(
                    `install_branch_${n(i)}`,
                    `A scan of ${g.name} runs AWS-RunPatchBaseline, an install ${INSTALL_DOCUMENTS[install]}`,
                    [onScan(`scan_${n(i)}`)],
                ),
                {
                    name: `install_${n(i)}`,
                    action: "aws:executeAutomation",
                    description: `${INSTALL_DOCUMENTS[install]} on each ${g.name} instance`,
                    nextStep: next(i),
                    inputs: {
                        DocumentName: INSTALL_DOCUMENTS[install],
                        TargetParameterName: "InstanceId",
                        Targets: targets,
                        ...rate,
                        ...(install === "loadBalancer" ? { MaxConcurrency: s.loadBalancer!.maxShare } : {}),
                        RuntimeParameters: asMap(parameters),
                    },
                },
                runCommand(`scan_${n(i)}`, "Scan", runPatchBaselineParameters("Scan"), next(i)),
            );
        } else {
            const reboot = runPatchBaselineParameters("Install", s.rebootWindow !== undefined).filter((p) => p.name === "RebootOption");
            const operation = { name: "Operation", values: ["{{ Operation }}"] };
            const asWindows = [
                operation,
                ...reboot,
                ...(pg.hooks ? hookParameters(pg.hooks) : []),
                ...installOverrideParameters(s, pg.baselineOverrideUrl),
            ];
            if (takesPatchList(pg))
                steps.push(
                    branch(`install_list_branch_${n(i)}`, `With a patch list, ${g.name} installs just those patches`, [
                        { NextStep: `install_list_${n(i)}`, Variable: "{{ InstallOverrideList }}", StartsWith: "s3://" },
                    ]),
                    runCommand(`install_${n(i)}`, "{{ Operation }}", asWindows, next(i)),
                    runCommand(
                        `install_list_${n(i)}`,
                        "{{ Operation }}",
                        [operation, ...reboot, { name: "InstallOverrideList", values: ["{{ InstallOverrideList }}"] }],
                        next(i),
                    ),
                );
            else steps.push(runCommand(`install_${n(i)}`, "{{ Operation }}", asWindows, next(i)));
        }
    });
    return {
        schemaVersion: "0.3",
        description:
            "patch-manager patch now: scans or installs one patch group or all of them, each with its targets, rate control and " +
            "strategy steps as its maintenance window runs it; with a patch list (InstallOverrideList), just those patches.",
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: {
            // Pinned: the runbook's steps are written for this role's grants, and nobody starts it with another.
            AutomationAssumeRole: {
                type: "String",
                default: c.roleArn,
                allowedValues: [c.roleArn],
                description: "The role the runbook runs as (the program's own).",
            },
            PatchGroup: {
                type: "String",
                default: ALL_GROUPS,
                allowedValues: [ALL_GROUPS, ...groups.map((g) => g.group.name)],
                description: `One patch group, or "${ALL_GROUPS}": every group, one after the other in the order of the stack's patchGroups.`,
            },
            Operation: {
                type: "String",
                default: "Scan",
                allowedValues: ["Scan", "Install"],
                description: "Scan (report only; the default) or Install.",
            },
            InstallOverrideList: {
                type: "String",
                default: "",
                allowedPattern: patchListPattern(c.logBucketName),
                description: `A zero-day patch list (YAML) at s3://${c.logBucketName}/${patchNowListPrefix}<name>.yaml, where every node reads and none writes; empty: the baselines' approvals.`,
            },
        },
        mainSteps: [...steps, { name: "finish", action: "aws:sleep", description: "The end of the run.", inputs: { Duration: "PT1S" } }],
    };
}

/** Who the runbook's role acts for and on what. */
export interface PatchNowScope {
    readonly partition: string;
    readonly accountId: string;
    readonly patchGroupTagKey: string;
    readonly groups: readonly PatchNowGroup[];
    readonly runbookRoles?: RunbookRoleArns;
    readonly logBucketName: string;
}

/**
 * The runbook role's policy: what the windows' role may do for the same groups and nothing else. Run
 * Command with AWS-RunPatchBaseline (with hooks, where a group has them) and the hook documents on
 * nodes carrying one of the groups' tags (windowCommandPolicy), and the strategies' runbooks of the
 * groups that use them (strategyPermissions: aws:executeAutomation starts them as this role, and a
 * secondary automation without its own role runs as this one). No IAM, no S3: the nodes write their output.
 */
export function patchNowPolicy(c: PatchNowScope): { Version: string; Statement: object[] } {
    const hooks = c.groups.flatMap((g) => (g.hooks ? [g.hooks] : []));
    const commands = windowCommandPolicy({
        partition: c.partition,
        accountId: c.accountId,
        patchGroupTagKey: c.patchGroupTagKey,
        patchGroups: c.groups.map((g) => g.group.name),
        commandDocuments: [RUN_PATCH_BASELINE, ...(hooks.length > 0 ? [RUN_PATCH_BASELINE_WITH_HOOKS] : [])],
        hookDocuments: hooks.flatMap((h) => [h.preInstall, h.postInstall, h.onExit].filter((d): d is string => !!d)),
    });
    const used = new Set<"image" | InstallRunbook>();
    const groupsUsing: Partial<Record<"image" | InstallRunbook, string[]>> = {};
    for (const { group } of c.groups) {
        for (const u of [...(group.strategies.imageFirst ? (["image"] as const) : []), group.strategies.install]) {
            if (u === "runPatchBaseline") continue;
            used.add(u);
            (groupsUsing[u] ??= []).push(group.name);
        }
    }
    const strategies = strategyPermissions(used, {
        partition: c.partition,
        accountId: c.accountId,
        patchGroupTagKey: c.patchGroupTagKey,
        groups: groupsUsing,
        ...runbookRoleScope(c.runbookRoles),
        logBucketName: c.logBucketName,
    });
    return { Version: "2012-10-17", Statement: [...commands.Statement, ...(strategies?.Statement ?? [])] };
}

export interface PatchNowArgs extends RunbookPlace {
    /** The runbook's document name, `patch-manager-<stack>-patch-now` (regional, so the same in every region). */
    readonly runbookName: string;
    readonly environment: string;
    readonly patchGroupTagKey: string;
    readonly groups: readonly PatchGroupConfig[];
    /** Hook documents by patch group name. */
    readonly hooks: Readonly<Record<string, HookDocuments>>;
    /** s3:// URL of each baseline's override file, by baseline name. */
    readonly baselineOverrideUrls?: Readonly<Record<string, pulumi.Input<string>>>;
    readonly runbookRoles?: pulumi.Input<RunbookRoleArns>;
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
}

/** The patch-now runbook and the role it runs as. */
export class PatchNow extends pulumi.ComponentResource {
    readonly runbookName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: PatchNowArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchNow, name, {}, opts);
        const urls = pulumi.all(
            Object.fromEntries(Object.entries(args.baselineOverrideUrls ?? {}).map(([k, v]) => [k, pulumi.output(v)])),
        ) as pulumi.Output<Record<string, string>>;
        const groups = urls.apply((u) =>
            args.groups.map((group): PatchNowGroup => ({
                group,
                ...(args.hooks[group.name] ? { hooks: args.hooks[group.name] } : {}),
                ...(group.strategies.baselineOverride && u[group.baseline] ? { baselineOverrideUrl: u[group.baseline] } : {}),
            })),
        );
        const runbook = ownRunbook(
            name,
            {
                runbookName: args.runbookName,
                content: (roleArn) =>
                    pulumi.all([roleArn, groups, args.logBucketName, args.runbookRoles]).apply(([role, g, bucket, roles]) =>
                        patchNowRunbook({
                            roleArn: role,
                            environment: args.environment,
                            patchGroupTagKey: args.patchGroupTagKey,
                            logBucketName: bucket,
                            logKeyPrefix: args.logKeyPrefix,
                            groups: g,
                            ...(roles ? { runbookRoles: roles } : {}),
                        }),
                    ),
                roleDescription: "Runs the patch-manager patch-now runbook (a fleet-wide scan or install for a zero-day)",
                partition: args.partition,
                region: args.region,
                accountId: args.accountId,
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-patch-groups`,
            {
                role: runbook.role.name,
                policy: pulumi
                    .all([args.partition, args.accountId, groups, args.runbookRoles, args.logBucketName])
                    .apply(([p, a, g, roles, bucket]) =>
                        JSON.stringify(
                            patchNowPolicy({
                                partition: p,
                                accountId: a,
                                patchGroupTagKey: args.patchGroupTagKey,
                                groups: g,
                                ...(roles ? { runbookRoles: roles } : {}),
                                logBucketName: bucket,
                            }),
                        ),
                    ),
            },
            { parent: this },
        );
        // The runbook is ready once its role may do what its steps do.
        this.runbookName = pulumi.all([runbook.document.name, policy.id]).apply(([n]) => n);
        this.roleArn = runbook.role.arn;
        this.registerOutputs({ runbookName: this.runbookName, roleArn: this.roleArn });
    }
}
