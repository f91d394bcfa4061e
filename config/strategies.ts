// Patching strategies a patch group can opt into: how its instances are rebooted, protected,
// drained, started and picked up when they join, and which baseline or exception list its install
// uses. Each is a key of the group; the rules between them are checked here, with key paths.
import * as z from "zod";
import {
    CONNECTION_DRAIN_MINUTES,
    OperatingSystem,
    OVERRIDE_LIST_URL_PATTERN,
    PATCH_SOURCE_LIMITS,
    PATCH_SOURCE_NAME_PATTERN,
} from "@patch-manager/ssm";
import { ConfigProblem, keyPath, shown } from "./errors";
import { isRecord, oneOf, text, wholeNumber } from "./fields";
import { windowTimingSchema } from "./window";

/** Percentages only: a share of the group's healthy targets, never an absolute count. */
const SHARE_PATTERN = /^([1-9]|[1-9][0-9]|100)%$/;

export const loadBalancerFields = z
    .object({
        maxShare: z
            .string({ error: 'must be a percentage string from 1% to 100%, e.g. "25%"' })
            .regex(SHARE_PATTERN, { error: 'must be a percentage string from 1% to 100%, e.g. "25%"' })
            .meta({ description: 'The share of the group drained at once, a percentage from 1% to 100% such as "25%".' }),
        connectionDrainMinutes: wholeNumber(CONNECTION_DRAIN_MINUTES.min, CONNECTION_DRAIN_MINUTES.max, "minutes")
            .optional()
            .meta({ description: "Minutes to wait for connections to drain; default: the target group's own delay." }),
    })
    .strict()
    .meta({ id: "LoadBalancerSettings", description: "Draining a load balancer's targets while they are patched." });

/**
 * The start step's bound, in minutes: starting (boto3's instance_running waiter gives up after 40
 * polls 15 seconds apart, 10 minutes: botocore data/ec2/2016-11-15/waiters-2.json) plus the SSM
 * Agent registering as Online (not bounded by AWS; a Windows boot with pending updates takes the
 * longest). A setting: the default is the waiter's bound and as much again for the agent.
 */
export const START_TIMEOUT_MINUTES = { default: 20, min: 5, max: 120 } as const;

/** The per-group strategy keys; each is optional and off when absent. */
export const strategyFields = {
    rebootWindow: windowTimingSchema.optional().meta({
        description: "Install with NoReboot, and reboot (then scan, so compliance clears) in this separate window.",
    }),
    snapshot: oneOf(["image", "rollback"] as const)
        .optional()
        .meta({
            description:
                "image: an AMI (AWS-CreateImage, NoReboot) before the install; rollback: AWS-PatchInstanceWithRollback instead of it.",
        }),
    baselineOverride: z
        .boolean({ error: "must be true or false" })
        .optional()
        .meta({ description: "Install with the group's baseline written to the log bucket as BaselineOverride." }),
    installOverrideList: z
        .string({ error: "must be an s3://bucket/key.yaml or https:// URL" })
        .regex(OVERRIDE_LIST_URL_PATTERN, { error: "must be an s3://bucket/key.yaml or https:// URL (AWS-RunPatchBaseline's pattern)" })
        .optional()
        .meta({
            description:
                "A one-off exception list (YAML, s3://bucket/key.yaml or https://) the install uses instead of the baseline's approvals; " +
                "not with baselineOverride.",
        }),
    loadBalancer: loadBalancerFields.optional().meta({
        description: "Patch through AWSEC2-PatchLoadBalancerInstance: drain, patch, re-register, a share of the group at a time.",
    }),
    autoScaling: z
        .enum(["standby", "in-place"], {
            error: 'must be "standby" (AWS-PatchAsgInstance: standby, patch, back in service) or "in-place" (patched like any instance; the group may replace it mid-patch)',
        })
        .optional()
        .meta({
            description:
                "Instances an Auto Scaling group manages: standby (AWS-PatchAsgInstance: standby, patch, back in service) " +
                "or in-place (patched like any instance; the group may replace one mid-patch).",
        }),
    startStopped: z
        .boolean({ error: "must be true or false" })
        .optional()
        .meta({
            description:
                "Start the group's stopped instances at the window's start (tagged with the window execution's id), wait until " +
                "their SSM Agent is online, and stop exactly those after the install.",
        }),
    startStoppedTimeoutMinutes: wholeNumber(START_TIMEOUT_MINUTES.min, START_TIMEOUT_MINUTES.max, "minutes")
        .optional()
        .meta({
            description: `With startStopped: minutes the start step waits for the instances to run and their SSM Agent to be online; default ${START_TIMEOUT_MINUTES.default}.`,
        }),
    onJoin: oneOf(["scan", "install"] as const)
        .optional()
        .meta({ description: "Scan (or, outside production, install) an instance as soon as it joins the group." }),
};

/** The install document a group's strategies choose: one runbook replaces AWS-RunPatchBaseline at most. */
export type InstallRunbook = "runPatchBaseline" | "rollback" | "loadBalancer" | "autoScaling";

export const patchSourceFields = z
    .object({
        name: z
            .string({ error: "must be a string" })
            .regex(PATCH_SOURCE_NAME_PATTERN, { error: "must be 3–50 characters of letters, digits and _-." })
            .meta({ description: "The source's name: 3 to 50 letters, digits and _-." }),
        products: z
            .array(text(PATCH_SOURCE_LIMITS.product.max, "an OS version product, e.g. AmazonLinux2023"), {
                error: "must be a list of OS version products",
            })
            .min(PATCH_SOURCE_LIMITS.products.min, { error: `must hold 1 to ${PATCH_SOURCE_LIMITS.products.max} products` })
            .max(PATCH_SOURCE_LIMITS.products.max, { error: `must hold 1 to ${PATCH_SOURCE_LIMITS.products.max} products` })
            .meta({ description: "The OS versions it serves, e.g. AmazonLinux2023, Ubuntu22.04." }),
        configuration: text(PATCH_SOURCE_LIMITS.configuration.max, "a repository configuration").meta({
            description: "A yum/dnf repository section, or one sources.list line for Ubuntu and Debian.",
        }),
    })
    .strict()
    .meta({ id: "PatchSourceSettings", description: "An alternative package repository of a Linux baseline." });

/** A baseline's alternative repositories (Linux only); they replace the node's default repositories. */
export const patchSourcesSchema = z
    .array(patchSourceFields, { error: "must be a list of {name, products, configuration}" })
    .max(PATCH_SOURCE_LIMITS.sources.max, { error: `must hold at most ${PATCH_SOURCE_LIMITS.sources.max} sources` });

export type PatchSource = z.output<typeof patchSourceFields>;

const APT_FAMILY: readonly OperatingSystem[] = ["UBUNTU", "DEBIAN", "RASPBIAN"];
const NO_SOURCES: readonly OperatingSystem[] = ["WINDOWS", "MACOS"];

/** What AWS refuses or ignores in a baseline's sources for `os`. */
export function sourceProblems(os: unknown, sources: unknown): { path: (string | number)[]; message: string }[] {
    if (!Array.isArray(sources)) return [];
    const out: { path: (string | number)[]; message: string }[] = [];
    if (NO_SOURCES.some((o) => o === os) && sources.length > 0) {
        out.push({ path: ["sources"], message: `apply to Linux only; ${String(os)} baselines take no alternative sources` });
        return out;
    }
    const names = new Map<string, number>();
    sources.forEach((s, i) => {
        if (!isRecord(s)) return;
        if (typeof s.name === "string") {
            if (names.has(s.name))
                out.push({ path: ["sources", i, "name"], message: `"${s.name}" is already sources[${names.get(s.name)}]` });
            else names.set(s.name, i);
        }
        const conf = s.configuration;
        if (typeof conf !== "string") return;
        if (APT_FAMILY.some((o) => o === os)) {
            if (conf.trim().includes("\n") || !/^deb(-src)?\s/.test(conf.trim()))
                out.push({
                    path: ["sources", i, "configuration"],
                    message: `${String(os)} takes one sources.list line ("deb http://mirror.example/ubuntu jammy main"), on a single line`,
                });
        } else if (typeof os === "string" && !/^\s*\[[^\]]+\]/.test(conf)) {
            out.push({
                path: ["sources", i, "configuration"],
                message: `${os} takes a yum/dnf repository section: "[main]\\nname=...\\nbaseurl=https://...\\nenabled=1"`,
            });
        }
    });
    return out;
}

/** The model's view of a group's strategies (all absent when off). */
export function strategyConfig(g: {
    rebootWindow?: z.output<typeof windowTimingSchema>;
    snapshot?: "image" | "rollback";
    baselineOverride?: boolean;
    installOverrideList?: string;
    loadBalancer?: z.output<typeof loadBalancerFields>;
    autoScaling?: "standby" | "in-place";
    startStopped?: boolean;
    startStoppedTimeoutMinutes?: number;
    onJoin?: "scan" | "install";
}) {
    const install: InstallRunbook =
        g.snapshot === "rollback"
            ? "rollback"
            : g.loadBalancer
              ? "loadBalancer"
              : g.autoScaling === "standby"
                ? "autoScaling"
                : "runPatchBaseline";
    return {
        /** Which document installs: AWS-RunPatchBaseline, or the runbook a strategy puts in its place. */
        install,
        ...(g.rebootWindow ? { rebootWindow: g.rebootWindow } : {}),
        /** An AMI of the instance (no reboot) before the install. */
        imageFirst: g.snapshot === "image",
        baselineOverride: g.baselineOverride === true,
        ...(g.installOverrideList ? { installOverrideList: g.installOverrideList } : {}),
        ...(g.loadBalancer ? { loadBalancer: g.loadBalancer } : {}),
        ...(g.autoScaling ? { autoScaling: g.autoScaling } : {}),
        startStopped: g.startStopped === true,
        ...(g.startStopped === true
            ? {
                  /** The start step's bound (minutes): start plus the agent online. */
                  startTimeoutMinutes: g.startStoppedTimeoutMinutes ?? START_TIMEOUT_MINUTES.default,
              }
            : {}),
        ...(g.onJoin ? { onJoin: g.onJoin } : {}),
    };
}

export type StrategyConfig = ReturnType<typeof strategyConfig>;

/** Whether a group uses any strategy (a group without one registers only its window task). */
export function usesStrategies(s: StrategyConfig): boolean {
    return (
        s.install !== "runPatchBaseline" ||
        s.imageFirst ||
        s.startStopped ||
        s.baselineOverride ||
        s.rebootWindow !== undefined ||
        s.installOverrideList !== undefined ||
        s.onJoin !== undefined
    );
}

/**
 * Rules between a group's strategies and the rest of its settings, on decoded (possibly invalid)
 * values: `group` is one raw patchGroups entry, `operation` the operation it ends up with.
 */
export function strategyProblems(
    group: Record<string, unknown>,
    index: number,
    ctx: { operation: unknown; production: boolean; hooked: boolean },
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const at = (...p: (string | number)[]) => keyPath("patchGroups", [index, ...p]);
    const runbooks = [
        group.snapshot === "rollback" ? "snapshot: rollback" : undefined,
        group.loadBalancer !== undefined ? "loadBalancer" : undefined,
        group.autoScaling === "standby" ? "autoScaling: standby" : undefined,
    ].filter((r): r is string => r !== undefined);
    if (runbooks.length > 1) {
        problems.push({
            path: at(runbooks[1].split(":")[0]),
            message: `${runbooks.join(" and ")} each replace the install task with their own runbook; a group takes one of them`,
        });
    }
    const installs = ctx.operation === "Install";
    const installOnly: [string, boolean][] = [
        ["rebootWindow", group.rebootWindow !== undefined],
        ["snapshot", group.snapshot !== undefined],
        ["baselineOverride", group.baselineOverride === true],
        ["installOverrideList", group.installOverrideList !== undefined],
        ["loadBalancer", group.loadBalancer !== undefined],
        ["autoScaling", group.autoScaling === "standby"],
        ["startStopped", group.startStopped === true],
    ];
    if (!installs) {
        for (const [key, on] of installOnly) {
            if (on)
                problems.push({
                    path: at(key),
                    message: `applies to groups that install; this group's operation is ${shown(ctx.operation)} (set operation: Install)`,
                });
        }
    }
    // The stop runs at the end of the install window; a reboot window opens later and would find the
    // instances stopped (Run Command reaches only online nodes: config/runtime/targets.ts), so the
    // reboot and the closing scan never reach them and the group stays pending a reboot.
    if (group.startStopped === true && group.rebootWindow !== undefined)
        problems.push({
            path: at("rebootWindow"),
            message:
                "cannot be combined with startStopped: its instances are stopped again when the install window ends, so a later reboot window reaches none of them; remove rebootWindow (the install reboots when needed)",
        });
    if (group.startStoppedTimeoutMinutes !== undefined && group.startStopped !== true)
        problems.push({
            path: at("startStoppedTimeoutMinutes"),
            message: "bounds the start step of startStopped, which this group does not set (set startStopped: true, or remove it)",
        });
    if (group.baselineOverride === true && group.installOverrideList !== undefined) {
        problems.push({
            path: at("installOverrideList"),
            message:
                "cannot be combined with baselineOverride: AWS-RunPatchBaseline fails without scanning or installing when both are given; keep one",
        });
    }
    if (runbooks.length > 0) {
        // The replacing runbooks run AWS-RunPatchBaseline themselves with its defaults: no reboot
        // option, no override, no hooks.
        const runbook = runbooks[0];
        for (const key of ["rebootWindow", "baselineOverride", "installOverrideList"] as const) {
            if (group[key] !== undefined && group[key] !== false)
                problems.push({
                    path: at(key),
                    message: `cannot be combined with ${runbook}: its runbook installs with AWS-RunPatchBaseline's defaults (RebootIfNeeded, the registered baseline)`,
                });
        }
        if (ctx.hooked)
            problems.push({
                path: at(runbook.split(":")[0]),
                message: `cannot be combined with safeStops.hooks for this group: ${runbook}'s runbook does not run the hooks document`,
            });
    }
    const ec2Only: [string, boolean][] = [
        ["snapshot", group.snapshot !== undefined],
        ["loadBalancer", group.loadBalancer !== undefined],
        ["autoScaling", group.autoScaling === "standby"],
        ["startStopped", group.startStopped === true],
    ];
    if (group.hybrid !== undefined) {
        for (const [key, on] of ec2Only)
            if (on)
                problems.push({
                    path: at(key),
                    message: "needs EC2 instances; a hybrid group's servers outside AWS cannot be imaged, drained, stood by or started",
                });
    }
    // AWS-PatchAsgInstance's InstanceId: "Don't specify an instance ID that is configured to run during a
    // Maintenance Window" (runbook reference). Read: the runbook must be the only patch run of the instance
    // (it patches in standby); another install (here: on join) reboots it in service, where the Auto
    // Scaling group's health check may replace it. The group's window runs the runbook and nothing else.
    if (group.autoScaling === "standby" && group.onJoin === "install")
        problems.push({
            path: at("onJoin"),
            message:
                'installs outside AWS-PatchAsgInstance, which AWS says must not be given an instance another patch run is configured for ("Don\'t specify an instance ID that is configured to run during a Maintenance Window"): the install would reboot it in service; use onJoin: scan',
        });
    if (group.onJoin === "install" && ctx.production) {
        problems.push({
            path: at("onJoin"),
            message:
                'installs outside every window: the association runs at once on all of the group\'s instances when it is created or edited, rebooting them; production groups use "scan"',
        });
    }
    return problems;
}
