import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PatchManagerConfig, PROJECT, RESOURCE_TYPES } from "../config";
import { FLEET_INPUTS_PREFIX, FleetReads, MaintenanceWindowRole, PatchedInstanceRole, permissionsBoundaryTransformation } from "./iam";
import { HybridActivationOutput, HybridFleet } from "./hybrid";
import { arnInThisRegion, keyInThisRegion, LogBucket } from "./logBucket";
import { hookDocumentsInRegion, MaintenanceWindow } from "./maintenanceWindow";
import { slug, ssmName } from "../config/naming";
import { ChangeFreeze } from "./freezes";
import { PatchNow } from "./patchNow";
import { PatchBaseline } from "./patchBaseline";
import { PatchGroup } from "./patchGroup";
import { Operations, OperationsOutputs } from "./operations";
import { Alerts } from "./alerts";
import { dataSyncBucketStatements } from "./compliance";
import { configDeliveryBucketStatements } from "./configRecording";
import { PatchingStrategies, rebootDocumentName } from "./strategies";
import { RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS } from "@patch-manager/ssm";
import { usesStrategies } from "../config/strategies";
import { namePrefix as stackNamePrefix, ownsWindow, windowPlan, windowSummary, WindowSummary } from "../config/windowPlan";

// ---------------------------------------------------------------------------
// Args: the settings of one deployment, in the shape the stack config's keys have (README,
// "Configuration"). Interfaces of plain types, so that the SDK's schema analysis can read them
// and a Python, Go, C# or YAML program can pass them; the component validates them with the
// stack config's own schemas, defaults and messages. The settings' interfaces are generated from
// those schemas (args.generated.ts, `npm run gen:args`); only what is no config key is written here.
import type { PatchManagerSettings } from "./args.generated";

export type * from "./args.generated";

/** A log bucket another PatchManager of the same stack created (one bucket for several regions). */
export interface LogBucketReference {
    /** The bucket's name. */
    readonly name: pulumi.Input<string>;
    /** The bucket's region. */
    readonly region: string;
}

/** The settings of one patching deployment; every field but `environment` has a default. */
export interface PatchManagerArgs extends PatchManagerSettings {
    /** Physical names ("patch-manager-<stack>-...") and the Stack tag; default: the current stack's name. */
    readonly stack?: string;
    /** Write to this bucket instead of creating one. */
    readonly centralLogBucket?: LogBucketReference;
}

/** The args that are settings of the stack config, validated by its schemas. */
const SETTINGS_EXCLUDED: ReadonlySet<string> = new Set<keyof PatchManagerArgs>(["stack", "centralLogBucket"]);

/**
 * The args as the typed model, checked by the stack config's schemas: every problem at once,
 * named by key path, before any resource exists.
 */
export function patchManagerConfig(name: string, args: PatchManagerArgs): PatchManagerConfig {
    // Each setting as the stack config carries it: a string as it is (a list or number written as
    // text reads as the CLI's would), anything else as JSON, which keeps own data only, as a value
    // from another language arrives. The program itself passes its parsed model (fromModel).
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(args)) {
        if (SETTINGS_EXCLUDED.has(key) || value === undefined) continue;
        if (containsOutput(value)) {
            throw new pulumi.RunError(`PatchManager ${name}: ${key} must be a plain value known when the program runs, not an output`);
        }
        raw[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return parseConfig(raw, args.stack ?? pulumi.getStack(), `PatchManager ${name}`);
}

function containsOutput(v: unknown): boolean {
    if (pulumi.Output.isInstance(v)) return true;
    if (Array.isArray(v)) return v.some(containsOutput);
    if (typeof v === "object" && v !== null) return Object.values(v).some(containsOutput);
    return false;
}

// ---------------------------------------------------------------------------
// Outputs

/** One maintenance window, keyed by the environment window's kind ("weekend") or the patch group that has its own. */
export interface MaintenanceWindowInfo extends WindowSummary {
    /** The window's id (mw-...). */
    id: string;
}

/** What a user needs after `pulumi up`: the stack outputs of one deployment. */
export interface PatchManagerOutputs {
    /** Tag instances with this key and a patch-group name as value. */
    readonly patchGroupTagKey: string;
    readonly environment: string;
    readonly maintenanceWindows: Record<
        string,
        Omit<MaintenanceWindowInfo, "id" | "scheduleOffset"> & { id: pulumi.Output<string>; scheduleOffset?: number }
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

/** Options of a PatchManager beyond Pulumi's own. */
export interface PatchManagerOptions extends pulumi.ComponentResourceOptions {
    /**
     * Take over the resources a program made at the stack's root before this component existed:
     * the resources inside keep the names they had there (no `<name>-` prefix) and are aliased
     * to the root, so such a stack upgrades without replacing anything.
     */
    readonly adoptStackRoot?: boolean;
    /** The instant the deployment runs at: which renewal period hybrid activations belong to. Default: the clock. */
    readonly now?: Date;
}

const STACK_OUTPUTS = new WeakMap<PatchManager, PatchManagerOutputs>();

/** Args made by PatchManager.fromModel, with the validated model they stand for. */
const MODELS = new WeakMap<PatchManagerArgs, PatchManagerConfig>();

/**
 * One environment's patching setup in one region: log bucket, roles, baselines, patch groups,
 * the environment window and each group's own window, the hybrid fleet and the operations
 * features. Everything is created below it, and its invokes and children resolve the AWS
 * provider through it, so `providers: { aws }` places a whole deployment in a region.
 */
export class PatchManager extends pulumi.ComponentResource {
    /** Tag instances with this key and a patch-group name as value. */
    readonly patchGroupTagKey: pulumi.Output<string>;
    readonly environment: pulumi.Output<string>;
    /** Keyed by the environment window's kind ("weekend") or the patch group that has its own window. */
    readonly maintenanceWindows: pulumi.Output<Record<string, MaintenanceWindowInfo>>;
    /** Baseline id per operating system, for the baselines generated per OS. */
    readonly baselineIds: pulumi.Output<Record<string, string>>;
    /** The role the window tasks run as. */
    readonly maintenanceWindowRoleArn: pulumi.Output<string>;
    /** The role patched EC2 instances need (SSM core and the log prefix). */
    readonly instanceRoleArn: pulumi.Output<string>;
    readonly instanceProfileName: pulumi.Output<string>;
    readonly logBucketName: pulumi.Output<string>;
    readonly logKeyPrefix: pulumi.Output<string>;

    constructor(name: string, args: PatchManagerArgs, opts?: PatchManagerOptions) {
        // Validated before the component registers: bad args leave nothing behind. A model the
        // program validated already is taken as it is.
        const config = MODELS.get(args) ?? patchManagerConfig(name, args);
        const { adoptStackRoot, now = new Date(), ...options } = opts ?? {};
        // The boundary (permissionsBoundaryArn) reaches every role below, whichever component creates it.
        const boundary = config.permissionsBoundaryArn;
        super(
            RESOURCE_TYPES.PatchManager,
            name,
            {},
            boundary
                ? { ...options, transformations: [...(options.transformations ?? []), permissionsBoundaryTransformation(boundary)] }
                : options,
        );
        const central = args.centralLogBucket;
        const tags = { ...config.tags, ManagedBy: PROJECT, Environment: config.environment, Stack: config.stack };
        const namePrefix = stackNamePrefix(config.stack);
        // Names and aliases that keep the resources a stack already has (see adoptStackRoot).
        const n = (part: string) => (adoptStackRoot ? part : `${name}-${part}`);
        const formerParent: pulumi.Alias = adoptStackRoot ? { parent: pulumi.rootStackResource } : { parent: this };
        const child: pulumi.ComponentResourceOptions = { parent: this, ...(adoptStackRoot ? { aliases: [formerParent] } : {}) };
        const partition = aws.getPartitionOutput(undefined, { parent: this }).partition;
        const ops = config.operations;
        // AWS Config delivers to this region's bucket, or to the central one the first region creates.
        const configDelivery =
            (ops.compliance.configRule || ops.deniedApplications !== undefined) && ops.compliance.configRecorder === "create";
        const accountId =
            ops.compliance.dataSync || ops.alerts || configDelivery
                ? aws.getCallerIdentityOutput(undefined, { parent: this }).accountId
                : undefined;
        const serviceStatements = (p: string, arn: string, account: string): object[] => [
            ...(ops.compliance.dataSync ? dataSyncBucketStatements(p, arn, ops.compliance.dataSyncPrefix, account) : []),
            ...(configDelivery ? configDeliveryBucketStatements(arn, account) : []),
        ];

        const bucket =
            config.logging.bucketName || central
                ? undefined
                : new LogBucket(
                      n("patch-logs"),
                      {
                          keyPrefix: config.logging.keyPrefix,
                          expireAfterDays: config.logging.expireAfterDays,
                          retainOnDelete: config.logging.retainOnDelete,
                          ...(config.logging.kmsKeyArn
                              ? { kmsKeyArn: keyInThisRegion(config.logging.kmsKeyArn, "logging.kmsKeyArn", this) }
                              : {}),
                          ...(ops.compliance.dataSync || configDelivery
                              ? {
                                    policyStatements: (arn: pulumi.Output<string>) =>
                                        pulumi
                                            .all([partition, arn, accountId!])
                                            .apply(([p, a, account]) => serviceStatements(p, a, account)),
                                }
                              : {}),
                          tags,
                      },
                      child,
                  );
        const logBucketName = bucket
            ? bucket.bucketName
            : central
              ? pulumi.output(central.name)
              : pulumi.output(config.logging.bucketName!);

        const hooks = Object.values(ops.safeStops.hooks);
        const windowRole = config.maintenanceWindowRoleArn
            ? undefined
            : new MaintenanceWindowRole(
                  n("maintenance-window"),
                  {
                      partition,
                      accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                      scope: {
                          patchGroupTagKey: config.patchGroupTagKey,
                          patchGroups: config.patchGroups.map((g) => g.name),
                          commandDocuments: [
                              RUN_PATCH_BASELINE,
                              ...(hooks.length > 0 ? [RUN_PATCH_BASELINE_WITH_HOOKS] : []),
                              ...config.patchGroups
                                  .filter((g) => g.strategies.rebootWindow)
                                  .map((g) => rebootDocumentName(namePrefix, g.operatingSystem)),
                          ],
                          hookDocuments: hooks.flatMap((h) => [h.preInstall, h.postInstall, h.onExit].filter((d): d is string => !!d)),
                      },
                      tags,
                  },
                  child,
              );
        const serviceRoleArn = windowRole ? windowRole.roleArn : pulumi.output(config.maintenanceWindowRoleArn!);

        // What the fleet reads: granted to every node role, and never writable by one.
        const reads: FleetReads = {
            baselineOverrides: config.patchGroups.some((g) => g.strategies.baselineOverride),
            installOverrideLists: config.patchGroups.flatMap((g) =>
                g.strategies.installOverrideList ? [g.strategies.installOverrideList] : [],
            ),
            ...(ops.compliance.dataSync ? { dataSyncPrefix: ops.compliance.dataSyncPrefix } : {}),
            ...(ops.patchNow ? { patchNowLists: true } : {}),
            ...(ops.reporting ? { reportsPrefix: ops.reporting.resultsPrefix } : {}),
        };
        const instanceRole = new PatchedInstanceRole(
            n("patched-instance"),
            {
                partition,
                logBucketName,
                logKeyPrefix: config.logging.keyPrefix,
                reads,
                ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                tags,
            },
            child,
        );

        const alerts = ops.alerts
            ? new Alerts(
                  n("alerts"),
                  {
                      partition,
                      accountId: accountId!,
                      emails: ops.alerts.emails,
                      ...(ops.alerts.topicArn
                          ? {
                                topicArn: arnInThisRegion(
                                    ops.alerts.topicArn,
                                    "alerts.topicArn",
                                    "EventBridge rules and Run Command notify only topics of their own region; give a topic here, or leave topicArn out to get one",
                                    this,
                                ),
                            }
                          : {}),
                      ...(ops.alerts.kmsKeyArn ? { kmsKeyArn: keyInThisRegion(ops.alerts.kmsKeyArn, "alerts.kmsKeyArn", this) } : {}),
                      events: ops.alerts.events,
                      ...(windowRole ? { windowRoleName: windowRole.roleName } : {}),
                      tags,
                  },
                  child,
              )
            : undefined;

        const baselines = new Map(
            config.baselines.map((b) => [
                b.name,
                new PatchBaseline(n(`baseline-${slug(b.name)}`), { baseline: b, baselineName: ssmName(namePrefix, b.name), tags }, child),
            ]),
        );
        for (const group of config.patchGroups) {
            new PatchGroup(n(group.slug), { patchGroup: group.name, baselineId: baselines.get(group.baseline)!.baselineId }, child);
        }

        // The windows and the groups each patches, as the config checks and the offline tools lay them out.
        const layout = windowPlan(config);
        // The change calendars first: the associations below run only while they are open.
        const frozen = config.freezes.periods.length > 0 || config.freezes.calendar !== undefined;
        const freeze = frozen
            ? new ChangeFreeze(
                  n("freezes"),
                  {
                      periods: config.freezes.periods,
                      ...(config.freezes.calendar !== undefined ? { existingCalendar: config.freezes.calendar } : {}),
                      calendarName: ssmName(namePrefix, "freezes"),
                      runbookName: ssmName(namePrefix, "follow-freezes"),
                      partition,
                      region: aws.getRegionOutput(undefined, { parent: this }).region,
                      accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                      tags,
                  },
                  child,
              )
            : undefined;
        const calendarNames = freeze?.calendarNames;
        const strategyGroups = config.patchGroups.filter((g) => usesStrategies(g.strategies));
        const strategies =
            strategyGroups.length > 0
                ? new PatchingStrategies(
                      n("strategies"),
                      {
                          namePrefix,
                          environment: config.environment,
                          groups: strategyGroups,
                          rebootWindows: layout.filter((w) => w.kind === "reboot"),
                          baselines: config.baselines,
                          patchGroupTagKey: config.patchGroupTagKey,
                          timezone: config.timezone,
                          serviceRoleArn,
                          ...(windowRole ? { windowRoleName: windowRole.roleName } : {}),
                          partition,
                          accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                          region: aws.getRegionOutput(undefined, { parent: this }).region,
                          protectedPrefixes: [
                              FLEET_INPUTS_PREFIX,
                              ...[reads.dataSyncPrefix, reads.reportsPrefix].filter((p): p is string => p !== undefined),
                          ],
                          logBucketName,
                          logKeyPrefix: config.logging.keyPrefix,
                          cutoffBehavior: config.cutoffBehavior,
                          ...(calendarNames ? { calendarNames } : {}),
                          tags,
                      },
                      child,
                  )
                : undefined;

        const maintenanceWindows: PatchManagerOutputs["maintenanceWindows"] = {};
        const windowIds: pulumi.Output<string>[] = [];
        // The hook documents, looked up in this region once; every hooks task waits for it.
        const hooksFound =
            Object.keys(ops.safeStops.hooks).length > 0
                ? hookDocumentsInRegion(ops.safeStops.hooks, aws.getRegionOutput(undefined, { parent: this }).region, this)
                : undefined;
        for (const w of layout) {
            if (w.kind === "reboot") continue; // the strategies create these (below: watched like the others)
            const window = new MaintenanceWindow(
                n(w.kind === "environment" ? config.environment : `${w.groups[0].slug}-schedule`),
                {
                    namePrefix,
                    windowName: w.windowName,
                    description: w.description,
                    timing: w.timing,
                    timezone: w.timezone,
                    environment: config.environment,
                    groups: w.groups,
                    patchGroupTagKey: config.patchGroupTagKey,
                    serviceRoleArn,
                    logBucketName,
                    logKeyPrefix: config.logging.keyPrefix,
                    cutoffBehavior: config.cutoffBehavior,
                    ...(alerts
                        ? { notification: { topicArn: alerts.topicArn, roleArn: alerts.notificationRoleArn, events: alerts.events } }
                        : {}),
                    ...(hooksFound ? { hooks: ops.safeStops.hooks, hooksFound } : {}),
                    ...(strategies?.startStop ? { startStop: strategies.startStop } : {}),
                    ...(strategies ? { baselineOverrideUrls: strategies.baselineOverrideUrls } : {}),
                    ...(strategies?.runbookRoles ? { runbookRoles: strategies.runbookRoles } : {}),
                    tags,
                },
                child,
            );
            windowIds.push(window.windowId);
            maintenanceWindows[w.key] = { ...windowSummary(w), id: window.windowId, name: window.windowName };
        }

        // Patch now: the windows' install on demand, group by group (components/patchNow.ts).
        if (ops.patchNow)
            new PatchNow(
                n("patch-now"),
                {
                    runbookName: ssmName(namePrefix, "patch-now"),
                    environment: config.environment,
                    patchGroupTagKey: config.patchGroupTagKey,
                    groups: config.patchGroups,
                    hooks: ops.safeStops.hooks,
                    ...(strategies ? { baselineOverrideUrls: strategies.baselineOverrideUrls } : {}),
                    ...(strategies?.runbookRoles ? { runbookRoles: strategies.runbookRoles } : {}),
                    logBucketName,
                    logKeyPrefix: config.logging.keyPrefix,
                    partition,
                    region: aws.getRegionOutput(undefined, { parent: this }).region,
                    accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                    tags,
                },
                child,
            );

        // Reboot windows are watched like the patching windows (a failed reboot is a failed window).
        for (const w of Object.values(strategies?.rebootWindows ?? {})) windowIds.push(w.id);

        const hybridGroups = config.patchGroups.filter((g) => g.hybrid !== undefined);
        const hybrid =
            hybridGroups.length > 0
                ? new HybridFleet(
                      n("hybrid-fleet"),
                      {
                          groups: hybridGroups,
                          resourceName: n,
                          formerParent,
                          partition,
                          logBucketName,
                          logKeyPrefix: config.logging.keyPrefix,
                          reads,
                          hookDocuments: hooks.flatMap((h) => [h.preInstall, h.postInstall, h.onExit].filter((d): d is string => !!d)),
                          ...(config.logging.kmsKeyArn ? { kmsKeyArn: config.logging.kmsKeyArn } : {}),
                          environment: config.environment,
                          patchGroupTagKey: config.patchGroupTagKey,
                          tags,
                          now,
                      },
                      child,
                  )
                : undefined;
        alerts?.watchWindows(windowIds, {
            registrations: hybrid !== undefined,
            // The runbooks the stack creates below (Operations' alarm stop) and above (the freezes).
            runbooks: [
                ...(frozen ? [ssmName(namePrefix, "follow-freezes")] : []),
                ...(config.operations.safeStops.alarmName && windowIds.length > 0 ? [ssmName(namePrefix, "stop-on-alarm")] : []),
            ],
        });
        freeze?.followCalendars(windowIds);
        const operations = Operations.needed(config)
            ? new Operations(
                  n("operations"),
                  {
                      config,
                      resourceName: n,
                      formerParent,
                      namePrefix,
                      tags,
                      logBucketName,
                      ...(central ? { logBucketRegion: central.region } : {}),
                      windowIds,
                      partition,
                      ...(calendarNames ? { calendarNames } : {}),
                  },
                  child,
              )
            : undefined;

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
        const operationsOutputs: OperationsOutputs = {
            ...(alerts
                ? { alerts: { topicArn: alerts.topicArn, notificationRoleArn: alerts.notificationRoleArn, events: [...alerts.events] } }
                : {}),
            ...operations?.outputs,
        };
        const outputs: PatchManagerOutputs = {
            patchGroupTagKey: config.patchGroupTagKey,
            environment: config.environment,
            maintenanceWindows,
            baselineIds,
            baselines: baselineOutputs,
            patchGroups: Object.fromEntries(
                config.patchGroups.map((g) => [
                    g.name,
                    { baseline: g.baseline, window: ownsWindow(g) ? g.name : config.windowKind, operation: g.operation },
                ]),
            ),
            maintenanceWindowRoleArn: serviceRoleArn,
            instanceRoleArn: instanceRole.roleArn,
            instanceProfileName: instanceRole.instanceProfileName,
            logBucketName,
            logKeyPrefix: config.logging.keyPrefix,
            ...(hybrid ? { hybridActivations: hybrid.activations } : {}),
            ...(Object.keys(operationsOutputs).length > 0 ? { operations: operationsOutputs } : {}),
        };
        STACK_OUTPUTS.set(this, outputs);

        this.patchGroupTagKey = pulumi.output(config.patchGroupTagKey);
        this.environment = pulumi.output(config.environment);
        this.maintenanceWindows = pulumi.output(maintenanceWindows) as pulumi.Output<Record<string, MaintenanceWindowInfo>>;
        this.baselineIds = pulumi.output(baselineIds);
        this.maintenanceWindowRoleArn = serviceRoleArn;
        this.instanceRoleArn = instanceRole.roleArn;
        this.instanceProfileName = instanceRole.instanceProfileName;
        this.logBucketName = logBucketName;
        this.logKeyPrefix = pulumi.output(config.logging.keyPrefix);
        this.registerOutputs({
            patchGroupTagKey: this.patchGroupTagKey,
            environment: this.environment,
            maintenanceWindows: this.maintenanceWindows,
            baselineIds: this.baselineIds,
            maintenanceWindowRoleArn: this.maintenanceWindowRoleArn,
            instanceRoleArn: this.instanceRoleArn,
            instanceProfileName: this.instanceProfileName,
            logBucketName: this.logBucketName,
            logKeyPrefix: this.logKeyPrefix,
        });
    }

    /**
     * A deployment of a model the caller has validated already (the program parses the stack
     * config once, then places a deployment per region with `deploymentModel`); other programs
     * pass args, which the constructor validates.
     */
    static fromModel(
        name: string,
        model: PatchManagerConfig,
        extras: Pick<PatchManagerArgs, "centralLogBucket"> = {},
        opts?: PatchManagerOptions,
    ): PatchManager {
        const args: PatchManagerArgs = { environment: model.environment, stack: model.stack, ...extras };
        MODELS.set(args, model);
        return new PatchManager(name, args, opts);
    }

    /**
     * The deployment's stack outputs: plain where known when the program runs, each secret
     * (a hybrid activation's id and code) secret on its own.
     */
    stackOutputs(): PatchManagerOutputs {
        return STACK_OUTPUTS.get(this)!;
    }
}
