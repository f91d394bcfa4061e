import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PatchManagerConfig, PROJECT, WindowSchedule } from "../config";
import { MaintenanceWindowRole, PatchedInstanceRole } from "./iam";
import { deployHybridFleet, HybridActivationOutput } from "./hybrid";
import { LogBucket } from "./logBucket";
import { MaintenanceSchedule } from "./maintenanceSchedule";
import { slug, ssmName } from "../config/naming";
import { PatchBaseline } from "./patchBaseline";
import { PatchGroup } from "./patchGroup";
import { deployOperations, OperationsOutputs, RegionScope, scopedName } from "./operations";
import { Alerts } from "./alerts";
import { dataSyncBucketStatements } from "./compliance";

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
    /** Where alerts go and where to look for compliance; only when an operations feature is configured. */
    readonly operations?: OperationsOutputs;
}

/**
 * Builds one environment's patching setup from the validated config: log
 * bucket, roles, baselines, patch groups, the environment window and each
 * group's own window. Reads nothing but `config`.
 */
export function deployPatchManager(config: PatchManagerConfig, scope?: RegionScope): PatchManagerOutputs {
    const tags = { ...config.tags, ManagedBy: PROJECT, Environment: config.environment, Stack: config.stack };
    const namePrefix = `${PROJECT}-${config.stack}`;
    // Without a scope (no `regions`): today's names, no parent, no provider, so no replacements.
    const n = (name: string) => scopedName(scope, name);
    const opts = scope?.opts;
    const invokeOpts = scope ? { provider: scope.provider } : undefined;
    const partition = aws.getPartitionOutput(undefined, invokeOpts).partition;
    const ops = config.operations;
    const accountId = ops.compliance.dataSync || ops.alerts ? aws.getCallerIdentityOutput(undefined, invokeOpts).accountId : undefined;

    const bucket =
        config.logging.bucketName || scope?.logBucket
            ? undefined
            : new LogBucket(
                  n("patch-logs"),
                  {
                      keyPrefix: config.logging.keyPrefix,
                      expireAfterDays: config.logging.expireAfterDays,
                      retainOnDelete: config.logging.retainOnDelete,
                      ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                      ...(ops.compliance.dataSync
                          ? {
                                policyStatements: (arn: pulumi.Output<string>) =>
                                    pulumi
                                        .all([partition, arn, accountId!])
                                        .apply(([p, a, account]) => dataSyncBucketStatements(p, a, ops.compliance.dataSyncPrefix, account)),
                            }
                          : {}),
                      tags,
                  },
                  opts,
              );
    const logBucketName = bucket ? bucket.bucketName : scope?.logBucket ? scope.logBucket.name : pulumi.output(config.logging.bucketName!);

    const windowRole = config.maintenanceWindowRoleArn
        ? undefined
        : new MaintenanceWindowRole(
              n("maintenance-window"),
              {
                  partition,
                  accountId: aws.getCallerIdentityOutput(undefined, invokeOpts).accountId,
                  tags,
              },
              opts,
          );
    const serviceRoleArn = windowRole ? windowRole.roleArn : pulumi.output(config.maintenanceWindowRoleArn!);

    const instanceRole = new PatchedInstanceRole(
        n("patched-instance"),
        {
            partition,
            logBucketName,
            logKeyPrefix: config.logging.keyPrefix,
            ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
            tags,
        },
        opts,
    );

    const alerts = ops.alerts
        ? new Alerts(
              n("alerts"),
              {
                  partition,
                  accountId: accountId!,
                  emails: ops.alerts.emails,
                  ...(ops.alerts.topicArn ? { topicArn: ops.alerts.topicArn } : {}),
                  ...(ops.alerts.kmsKeyArn ? { kmsKeyArn: ops.alerts.kmsKeyArn } : {}),
                  events: ops.alerts.events,
                  ...(windowRole ? { windowRoleName: windowRole.roleName } : {}),
                  tags,
              },
              opts,
          )
        : undefined;

    const baselines = new Map(
        config.baselines.map((b) => [
            b.name,
            new PatchBaseline(n(`baseline-${slug(b.name)}`), { baseline: b, baselineName: ssmName(namePrefix, b.name), tags }, opts),
        ]),
    );
    for (const group of config.patchGroups) {
        new PatchGroup(n(group.slug), { patchGroup: group.name, baselineId: baselines.get(group.baseline)!.baselineId }, opts);
    }

    const maintenanceWindows: PatchManagerOutputs["maintenanceWindows"] = {};
    const windowIds: pulumi.Output<string>[] = [];
    const schedule = (
        key: string,
        name: string,
        windowName: string,
        s: WindowSchedule,
        groups: typeof config.patchGroups,
        description: string,
    ) => {
        const component = new MaintenanceSchedule(
            n(name),
            {
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
                ...(alerts
                    ? { notification: { topicArn: alerts.topicArn, roleArn: alerts.notificationRoleArn, events: alerts.events } }
                    : {}),
                ...(Object.keys(ops.safeStops.hooks).length > 0 ? { hooks: ops.safeStops.hooks } : {}),
                tags,
            },
            opts,
        );
        windowIds.push(component.windowId);
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
        schedule(
            config.window,
            config.environment,
            config.window,
            config.environmentSchedule,
            inEnvironmentWindow,
            `${config.environment} ${config.window} patching window`,
        );
    }
    for (const group of config.patchGroups) {
        if (group.schedule)
            schedule(
                group.name,
                `${group.slug}-schedule`,
                group.slug,
                group.schedule,
                [group],
                `${config.environment} patching window of ${group.name}`,
            );
    }

    const hybridActivations = deployHybridFleet(config.patchGroups, {
        partition,
        logBucketName,
        logKeyPrefix: config.logging.keyPrefix,
        ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
        environment: config.environment,
        patchGroupTagKey: config.patchGroupTagKey,
        tags,
        ...(scope ? { scope, invokeOpts: { provider: scope.provider } } : {}),
    });
    alerts?.watchWindows(windowIds);
    const operations = deployOperations(config, {
        scope,
        namePrefix,
        tags,
        logBucketName,
        alerts,
        windowIds,
        partition,
        ...(scope?.logBucket ? { logBucketRegion: scope.logBucket.region } : {}),
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
            config.patchGroups.map((g) => [
                g.name,
                { baseline: g.baseline, window: g.schedule ? g.name : config.window, operation: g.operation },
            ]),
        ),
        maintenanceWindowRoleArn: serviceRoleArn,
        instanceRoleArn: instanceRole.roleArn,
        instanceProfileName: instanceRole.instanceProfileName,
        logBucketName,
        logKeyPrefix: config.logging.keyPrefix,
        ...(Object.keys(hybridActivations).length > 0 ? { hybridActivations } : {}),
        ...(operations ? { operations } : {}),
    };
}
