import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PatchManagerConfig, PROJECT, Schedule } from "./config";
import { MaintenanceWindowRole, PatchedInstanceRole } from "./iam";
import { deployHybridFleet, HybridActivationOutput } from "./hybrid";
import { LogBucket } from "./logBucket";
import { MaintenanceSchedule } from "./maintenanceSchedule";
import { slug, ssmName } from "./naming";
import { PatchBaseline } from "./patchBaseline";
import { PatchGroup } from "./patchGroup";

/** What a user needs after `pulumi up`: the stack outputs. */
export interface PatchManagerOutputs {
    /** Tag instances with this key and a patch-group name as value. */
    readonly patchGroupTagKey: string;
    readonly environment: string;
    /** Keyed by the environment window's kind ("weekend") or the patch group that has its own window. */
    readonly maintenanceWindows: Record<
        string,
        {
            id: pulumi.Output<string>;
            name: string;
            schedule: string;
            scheduleOffset?: number;
            timezone: string;
            durationHours: number;
            cutoffHours: number;
            patchGroups: string[];
        }
    >;
    /** Baseline id per operating system, for the baselines generated per OS. */
    readonly baselineIds: Record<string, pulumi.Output<string>>;
    /** Every baseline by its config name. */
    readonly baselines: Record<string, { id: pulumi.Output<string>; operatingSystem: string; patchGroups: string[] }>;
    readonly patchGroups: Record<string, { baseline: string; window: string; operation: string }>;
    readonly maintenanceWindowRoleArn: pulumi.Output<string>;
    readonly instanceRoleArn: pulumi.Output<string>;
    readonly instanceProfileName: pulumi.Output<string>;
    readonly logBucketName: pulumi.Output<string>;
    readonly logKeyPrefix: string;
    /**
     * Per patch group with `hybrid`: the activation servers outside AWS register with (id and
     * code secret). Absent when no group is hybrid.
     */
    readonly hybridActivations?: Record<string, HybridActivationOutput>;
}

/**
 * Builds one environment's patching setup from the validated config: log
 * bucket, roles, baselines, patch groups, the environment window and each
 * group's own window. Reads nothing but `config`.
 */
export function deployPatchManager(config: PatchManagerConfig): PatchManagerOutputs {
    const tags = { ...config.tags, ManagedBy: PROJECT, Environment: config.environment, Stack: config.stack };
    const namePrefix = `${PROJECT}-${config.stack}`;
    const partition = aws.getPartitionOutput().partition;

    const bucket = config.logging.bucketName
        ? undefined
        : new LogBucket("patch-logs", {
              keyPrefix: config.logging.keyPrefix,
              expireAfterDays: config.logging.expireAfterDays,
              retainOnDelete: config.logging.retainOnDelete,
              ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
              tags,
          });
    const logBucketName = bucket ? bucket.bucketName : pulumi.output(config.logging.bucketName!);

    const serviceRoleArn = config.maintenanceWindowRoleArn
        ? pulumi.output(config.maintenanceWindowRoleArn)
        : new MaintenanceWindowRole("maintenance-window", {
              partition,
              accountId: aws.getCallerIdentityOutput().accountId,
              tags,
          }).roleArn;

    const instanceRole = new PatchedInstanceRole("patched-instance", {
        partition,
        logBucketName,
        logKeyPrefix: config.logging.keyPrefix,
        ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
        tags,
    });

    const baselines = new Map(
        config.baselines.map((b) => [
            b.name,
            new PatchBaseline(`baseline-${slug(b.name)}`, { baseline: b, baselineName: ssmName(namePrefix, b.name), tags }),
        ]),
    );
    for (const group of config.patchGroups) {
        new PatchGroup(group.slug, { patchGroup: group.name, baselineId: baselines.get(group.baseline)!.baselineId });
    }

    const maintenanceWindows: PatchManagerOutputs["maintenanceWindows"] = {};
    const schedule = (key: string, name: string, windowName: string, s: Schedule, groups: typeof config.patchGroups, description: string) => {
        const component = new MaintenanceSchedule(name, {
            namePrefix,
            windowName,
            description,
            schedule: s,
            timezone: config.timezone,
            environment: config.environment,
            groups,
            patchGroupTagKey: config.patchGroupTagKey,
            serviceRoleArn,
            logBucketName,
            logKeyPrefix: config.logging.keyPrefix,
            cutoffBehavior: config.cutoffBehavior,
            tags,
        });
        maintenanceWindows[key] = {
            id: component.windowId,
            name: component.windowName,
            schedule: s.cron,
            ...(s.offsetDays !== undefined ? { scheduleOffset: s.offsetDays } : {}),
            timezone: config.timezone,
            durationHours: s.durationHours,
            cutoffHours: s.cutoffHours,
            patchGroups: groups.map((g) => g.name),
        };
    };
    const inEnvironmentWindow = config.patchGroups.filter((g) => g.schedule === undefined);
    if (inEnvironmentWindow.length > 0) {
        schedule(config.window, config.environment, config.window, config.environmentSchedule, inEnvironmentWindow, `${config.environment} ${config.window} patching window`);
    }
    for (const group of config.patchGroups) {
        if (group.schedule) schedule(group.name, `${group.slug}-schedule`, group.slug, group.schedule, [group], `${config.environment} patching window of ${group.name}`);
    }

    const hybridActivations = deployHybridFleet(config.patchGroups, {
        partition,
        logBucketName,
        logKeyPrefix: config.logging.keyPrefix,
        ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
        environment: config.environment,
        patchGroupTagKey: config.patchGroupTagKey,
        tags,
    });

    const baselineIds: Record<string, pulumi.Output<string>> = {};
    const baselineOutputs: PatchManagerOutputs["baselines"] = {};
    for (const b of config.baselines) {
        const id = baselines.get(b.name)!.baselineId;
        if (b.generated) baselineIds[b.operatingSystem] = id;
        baselineOutputs[b.name] = {
            id,
            operatingSystem: b.operatingSystem,
            patchGroups: config.patchGroups.filter((g) => g.baseline === b.name).map((g) => g.name),
        };
    }
    return {
        patchGroupTagKey: config.patchGroupTagKey,
        environment: config.environment,
        maintenanceWindows,
        baselineIds,
        baselines: baselineOutputs,
        patchGroups: Object.fromEntries(
            config.patchGroups.map((g) => [g.name, { baseline: g.baseline, window: g.schedule ? g.name : config.window, operation: g.operation }]),
        ),
        maintenanceWindowRoleArn: serviceRoleArn,
        instanceRoleArn: instanceRole.roleArn,
        instanceProfileName: instanceRole.instanceProfileName,
        logBucketName,
        logKeyPrefix: config.logging.keyPrefix,
        ...(Object.keys(hybridActivations).length > 0 ? { hybridActivations } : {}),
    };
}
