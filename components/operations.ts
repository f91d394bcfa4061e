// The operations features that need no change inside the patching resources: compliance
// reporting, denied applications and private endpoints, built from the typed model. (Alerts
// and hooks change the tasks, so patchManager.ts wires those in.)
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmStop } from "./alarmStop";
import { Alerts } from "./alerts";
import { ComplianceReporting, DeniedApplications } from "./compliance";
import { PatchManagerConfig } from "../config";
import { ssmName } from "../config/naming";
import { dailyScanHour } from "../config/scanHour";
import { PrivateEndpoints } from "./privateEndpoints";

/** One region of a multi-region stack: names, parent and provider of everything in it. */
export interface RegionScope {
    readonly region: string;
    /** Prepended to every top-level resource name ("eu-west-1-"). */
    readonly prefix: string;
    /** `{ parent: <the region's component> }`: the children inherit its provider. */
    readonly opts: pulumi.ComponentResourceOptions;
    readonly provider: aws.Provider;
    /** The central log bucket in another region; undefined: the region creates its own. */
    readonly logBucket?: { readonly name: pulumi.Output<string>; readonly region: string };
}

/** A top-level resource name: unchanged without a scope, so single-region stacks keep their URNs. */
export function scopedName(scope: RegionScope | undefined, name: string): string {
    return scope ? `${scope.prefix}${name}` : name;
}

export interface OperationsOutputs {
    readonly alerts?: { topicArn: pulumi.Output<string>; notificationRoleArn: pulumi.Output<string>; events: string[] };
    readonly compliance?: {
        /** Per patch group: the daily scan association and its UTC schedule. */
        scans: Record<string, { association: string; schedule: string }>;
        /** Inventory and compliance as JSON in S3, for Athena/QuickSight. */
        dataSync?: { name: string; bucket: pulumi.Output<string>; prefix: string };
        configRule?: string;
    };
    readonly deniedApplications?: { configRule: string; inventoryAssociation?: string; applications: string[] };
    /** Per VPC id: the endpoints' security group and endpoint ids. */
    /** The alarm that disables this region's windows, and the runbook it starts. */
    readonly alarmStop?: { alarmArn: pulumi.Output<string>; runbook: pulumi.Output<string> };
    readonly privateEndpoints?: Record<
        string,
        { securityGroupId: pulumi.Output<string>; endpointIds: Record<string, pulumi.Output<string>> }
    >;
}

export interface DeployOperationsArgs {
    readonly scope?: RegionScope;
    readonly namePrefix: string;
    readonly tags: Record<string, string>;
    readonly logBucketName: pulumi.Output<string>;
    /** Region of the log bucket when it is not this region's. */
    readonly logBucketRegion?: string;
    readonly alerts?: Alerts;
    /** The region's maintenance windows, for the alarm stop. */
    readonly windowIds: pulumi.Output<string>[];
    readonly partition: pulumi.Output<string>;
}

/** Compliance reporting, denied applications and private endpoints of one region; undefined when none is configured. */
export function deployOperations(config: PatchManagerConfig, args: DeployOperationsArgs): OperationsOutputs | undefined {
    const ops = config.operations;
    const scope = args.scope;
    const n = (name: string) => scopedName(scope, name);
    const invokeOpts = scope ? { provider: scope.provider } : undefined;
    let region: pulumi.Output<string> | undefined;
    const thisRegion = () => (region ??= scope ? pulumi.output(scope.region) : aws.getRegionOutput(undefined, invokeOpts).region);
    const out: { -readonly [K in keyof OperationsOutputs]: OperationsOutputs[K] } = {};

    if (args.alerts) {
        out.alerts = {
            topicArn: args.alerts.topicArn,
            notificationRoleArn: args.alerts.notificationRoleArn,
            events: [...args.alerts.events],
        };
    }

    const c = ops.compliance;
    if (c.dailyScan || c.dataSync || c.configRule) {
        const groups = c.dailyScan
            ? config.patchGroups.map((g) => {
                  const s = g.schedule ?? config.environmentSchedule;
                  const hour = dailyScanHour({ cron: s.cron, durationHours: s.durationHours, offsetDays: s.offsetDays }, config.timezone);
                  // config.ts refuses a window that leaves no hour free, so this holds for validated config.
                  if (hour === undefined) throw new Error(`no free hour for the daily scan of ${g.name}`);
                  return { name: g.name, slug: g.slug, scanHour: hour, rateControl: g.rateControl };
              })
            : [];
        const reporting = new ComplianceReporting(
            n("compliance"),
            {
                namePrefix: args.namePrefix,
                environment: config.environment,
                patchGroupTagKey: config.patchGroupTagKey,
                groups,
                logBucketName: args.logBucketName,
                logKeyPrefix: config.logging.keyPrefix,
                ...(args.logBucketRegion ? { logBucketRegion: args.logBucketRegion } : {}),
                ...(c.dataSync
                    ? {
                          dataSync: {
                              prefix: c.dataSyncPrefix,
                              bucketRegion: args.logBucketRegion ?? thisRegion(),
                              ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                          },
                      }
                    : {}),
                configRule: c.configRule,
                tags: args.tags,
            },
            scope?.opts,
        );
        out.compliance = {
            scans: reporting.scans,
            ...(reporting.dataSyncName
                ? { dataSync: { name: reporting.dataSyncName, bucket: args.logBucketName, prefix: c.dataSyncPrefix } }
                : {}),
            ...(reporting.configRuleName ? { configRule: reporting.configRuleName } : {}),
        };
    }

    if (ops.deniedApplications) {
        const d = ops.deniedApplications;
        const denied = new DeniedApplications(
            n("denied-applications"),
            {
                namePrefix: args.namePrefix,
                patchGroupTagKey: config.patchGroupTagKey,
                patchGroups: config.patchGroups.map((g) => g.name),
                applications: d.applications,
                ...(d.platformType ? { platformType: d.platformType } : {}),
                inventory: d.inventory,
                tags: args.tags,
            },
            scope?.opts,
        );
        out.deniedApplications = {
            configRule: denied.configRuleName,
            ...(denied.inventoryAssociation ? { inventoryAssociation: denied.inventoryAssociation } : {}),
            applications: [...d.applications],
        };
    }

    if (ops.safeStops.alarmName && args.windowIds.length > 0) {
        const stop = new AlarmStop(
            n("alarm-stop"),
            {
                alarmName: ops.safeStops.alarmName,
                runbookName: ssmName(args.namePrefix, "stop-on-alarm"),
                windowIds: args.windowIds,
                partition: args.partition,
                region: thisRegion(),
                accountId: aws.getCallerIdentityOutput(undefined, invokeOpts).accountId,
                tags: args.tags,
            },
            scope?.opts,
        );
        out.alarmStop = { alarmArn: stop.alarmArn, runbook: stop.runbookName };
    }

    const endpoints = ops.privateEndpoints.filter((e) => e.region === scope?.region);
    if (endpoints.length > 0) {
        out.privateEndpoints = {};
        for (const e of endpoints) {
            const vpcCidr = e.vpcCidr ?? aws.ec2.getVpcOutput({ id: e.vpcId }, invokeOpts).cidrBlock;
            const component = new PrivateEndpoints(
                n(`endpoints-${e.vpcId}`),
                { vpcId: e.vpcId, subnetIds: e.subnetIds, routeTableIds: e.routeTableIds, vpcCidr, region: thisRegion(), tags: args.tags },
                scope?.opts,
            );
            out.privateEndpoints[e.vpcId] = { securityGroupId: component.securityGroupId, endpointIds: component.endpointIds };
        }
    }
    return Object.keys(out).length > 0 ? out : undefined;
}
