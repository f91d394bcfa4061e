// The operations features that need no change inside the patching resources: compliance
// reporting, denied applications, the alarm stop and private endpoints, built from the typed
// model. (Alerts and hooks change the tasks, so the PatchManager wires those in.)
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmStop, alarmInRegion } from "./alarmStop";
import { ComplianceReporting, DeniedApplications } from "./compliance";
import { ComplianceReports } from "./reports";
import { reportDatabaseName, reportQueries, reportWorkgroupName } from "../config/reporting";
import { ConfigRecording } from "./configRecording";
import { PatchManagerConfig } from "../config";
import { ssmName } from "../config/naming";
import { dailyScanHour } from "../config/scanHour";
import { PrivateEndpoints, vpcCidrs } from "./privateEndpoints";
import { RESOURCE_TYPES } from "../config/resourceTypes";

export interface OperationsOutputs {
    readonly alerts?: { topicArn: pulumi.Output<string>; notificationRoleArn: pulumi.Output<string>; events: string[] };
    readonly compliance?: {
        /** Per patch group: the daily scan association and its UTC schedule. */
        scans: Record<string, { association: string; schedule: string }>;
        /** Inventory and compliance as JSON in S3, for Athena/QuickSight. */
        dataSync?: { name: string; bucket: pulumi.Output<string>; prefix: string };
        configRule?: string;
    };
    /** Athena over the data sync: the Glue database, the workgroup and each named query's id by name. */
    readonly reports?: { database: string; workgroup: string; queries: Record<string, pulumi.Output<string>> };
    readonly deniedApplications?: { configRule: string; inventoryAssociation?: string; applications: string[] };
    /** Per VPC id: the endpoints' security group and endpoint ids. */
    /** The alarm that disables this region's windows, and the runbook it starts. */
    readonly alarmStop?: { alarmArn: pulumi.Output<string>; runbook: pulumi.Output<string> };
    readonly privateEndpoints?: Record<
        string,
        { securityGroupId: pulumi.Output<string>; endpointIds: Record<string, pulumi.Output<string>> }
    >;
}

export interface OperationsArgs {
    readonly config: PatchManagerConfig;
    /** The name each resource has had in this deployment (the PatchManager's naming). */
    readonly resourceName: (part: string) => string;
    /**
     * Where these resources were registered before this component grouped them: the
     * PatchManager's parent position (see PatchManagerOptions.adoptStackRoot).
     */
    readonly formerParent: pulumi.Alias;
    /** Physical name prefix, "patch-manager-<stack>". */
    readonly namePrefix: string;
    readonly tags: Record<string, string>;
    readonly logBucketName: pulumi.Output<string>;
    /** Region of the log bucket when it is not this region's. */
    readonly logBucketRegion?: string;
    /** The change calendars the associations wait for (components/freezes.ts). */
    readonly calendarNames?: pulumi.Input<string>[];
    /** The region's maintenance windows, for the alarm stop. */
    readonly windowIds: pulumi.Output<string>[];
    readonly partition: pulumi.Output<string>;
}

/**
 * Compliance reporting, denied applications, the alarm stop and private endpoints of one
 * deployment. Its invokes and children resolve the AWS provider through the PatchManager above.
 */
export class Operations extends pulumi.ComponentResource {
    /** What a user needs of these features after `pulumi up` (part of the stack outputs). */
    readonly outputs: Omit<OperationsOutputs, "alerts">;

    /** Whether any of these features is configured; without one, no Operations component is made. */
    static needed(config: PatchManagerConfig): boolean {
        const ops = config.operations;
        const c = ops.compliance;
        return (
            c.dailyScan ||
            c.dataSync ||
            c.configRule ||
            ops.deniedApplications !== undefined ||
            ops.safeStops.alarmName !== undefined ||
            ops.privateEndpoints.length > 0
        );
    }

    constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.Operations, name, {}, opts);
        const { config } = args;
        const ops = config.operations;
        const n = args.resourceName;
        const childOpts: pulumi.ComponentResourceOptions = { parent: this, aliases: [args.formerParent] };
        let region: pulumi.Output<string> | undefined;
        const thisRegion = () => (region ??= aws.getRegionOutput(undefined, { parent: this }).region);
        const out: { -readonly [K in keyof OperationsOutputs]: OperationsOutputs[K] } = {};

        const c = ops.compliance;
        // Config rules evaluate only what a recorder in their region records: with "create" the
        // recorder is this stack's, and each rule waits for it to record.
        const recording =
            (c.configRule || ops.deniedApplications) && c.configRecorder === "create"
                ? new ConfigRecording(
                      n("config-recording"),
                      {
                          name: args.namePrefix,
                          partition: args.partition,
                          accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                          logBucketName: args.logBucketName,
                          ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                      },
                      childOpts,
                  )
                : undefined;
        const ruleDependsOn = recording ? { ruleDependsOn: [recording.ready] } : {};
        if (c.dailyScan || c.dataSync || c.configRule) {
            const groups = c.dailyScan
                ? config.patchGroups.map((g) => {
                      const s = g.window ?? config.environmentWindow;
                      const hour = dailyScanHour(
                          { schedule: s.schedule, duration: s.duration, scheduleOffset: s.scheduleOffset },
                          config.timezone,
                      );
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
                    ...(args.calendarNames ? { calendarNames: args.calendarNames } : {}),
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
                    ...ruleDependsOn,
                    tags: args.tags,
                },
                childOpts,
            );
            out.compliance = {
                scans: reporting.scans,
                ...(reporting.dataSyncName
                    ? { dataSync: { name: reporting.dataSyncName, bucket: args.logBucketName, prefix: c.dataSyncPrefix } }
                    : {}),
                ...(reporting.configRuleName ? { configRule: reporting.configRuleName } : {}),
            };
        }

        if (ops.reporting && c.dataSync) {
            const reports = new ComplianceReports(
                n("reports"),
                {
                    databaseName: reportDatabaseName(config.stack),
                    workgroupName: reportWorkgroupName(args.namePrefix),
                    bucketName: args.logBucketName,
                    syncPrefix: c.dataSyncPrefix,
                    resultsPrefix: ops.reporting.resultsPrefix,
                    ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                    accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                    regions: ops.reporting.syncRegions ? [...ops.reporting.syncRegions] : thisRegion().apply((r) => [r]),
                    queries: reportQueries({
                        notScannedDays: ops.reporting.notScannedDays,
                        patchGroups: config.patchGroups,
                        exemptions: config.exemptions,
                    }),
                    tags: args.tags,
                },
                childOpts,
            );
            out.reports = { database: reports.databaseName, workgroup: reports.workgroupName, queries: reports.queryIds };
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
                    ...ruleDependsOn,
                    tags: args.tags,
                },
                childOpts,
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
                    // A rule on an alarm its region lacks watches nothing, silently: a misspelt name, or a
                    // stack of several regions with the alarm in one of them.
                    alarmFound: alarmInRegion(ops.safeStops.alarmName, thisRegion(), this),
                    runbookName: ssmName(args.namePrefix, "stop-on-alarm"),
                    windowIds: args.windowIds,
                    partition: args.partition,
                    region: thisRegion(),
                    accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                    tags: args.tags,
                },
                childOpts,
            );
            out.alarmStop = { alarmArn: stop.alarmArn, runbook: stop.runbookName };
        }

        if (ops.privateEndpoints.length > 0) {
            out.privateEndpoints = {};
            for (const e of ops.privateEndpoints) {
                const vpcCidrsOf: pulumi.Input<string[]> =
                    e.vpcCidr !== undefined
                        ? [e.vpcCidr]
                        : aws.ec2.getVpcOutput({ id: e.vpcId }, { parent: this }).apply((v) => vpcCidrs(v));
                const component = new PrivateEndpoints(
                    n(`endpoints-${e.vpcId}`),
                    {
                        vpcId: e.vpcId,
                        subnetIds: e.subnetIds,
                        routeTableIds: e.routeTableIds,
                        vpcCidrs: vpcCidrsOf,
                        region: thisRegion(),
                        partition: args.partition,
                        logBucketName: args.logBucketName,
                        tags: args.tags,
                    },
                    childOpts,
                );
                out.privateEndpoints[e.vpcId] = { securityGroupId: component.securityGroupId, endpointIds: component.endpointIds };
            }
        }
        this.outputs = out;
        this.registerOutputs({});
    }
}
