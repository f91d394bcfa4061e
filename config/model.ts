// The typed model of one stack: the validated values with every default applied. Each shape is the
// output of its schema or of the function below that completes it; nothing restates them.
import { DEFAULT_REBOOT_WITHIN_HOURS } from "./runtime/rebootAfterInstall";
import { BaselineConfig, baselineConfig, generatedBaseline } from "./baselines";
import { complianceConfig } from "./compliance";
import {
    DEFAULT_OPERATION,
    DEFAULT_PATCH_GROUP_TAG_KEY,
    DEFAULT_TIMEZONE,
    defaultApproveAfterDays,
    defaultCutoffBehavior,
    defaultRateControl,
    defaultWindowKind,
    environmentWindowTiming,
    SEED_BASELINES,
    SEED_PATCH_GROUPS,
} from "./defaults";
import { Environment } from "./environment";
import { baselineExemptions, exemptionConfigs } from "./exemptions";
import { DEFAULT_MAX_DAYS_WITHOUT_INSTALL, freezePeriods } from "./freezes";
import { ConfigValues } from "./keys";
import { loggingConfig } from "./logging";
import { generatedBaselineName } from "./naming";
import { patchGroupConfig } from "./patchGroups";
import { safeStopsConfig } from "./safeStops";

/** The operations features; every one is off unless configured. */
function operationsConfig(values: ConfigValues) {
    return {
        ...(values.alerts ? { alerts: values.alerts } : {}),
        compliance: values.compliance ?? complianceConfig({}),
        /** Compliance reports (Glue, Athena) over the data sync; absent: none. */
        ...(values.reporting ? { reporting: values.reporting } : {}),
        ...(values.deniedApplications ? { deniedApplications: values.deniedApplications } : {}),
        safeStops: values.safeStops ?? safeStopsConfig({}),
        privateEndpoints: values.privateEndpoints ?? [],
        /** Deploy into each of these regions through explicit providers; absent: the stack's region only. */
        ...(values.regions ? { regions: values.regions } : {}),
        /** With `regions`: one log bucket in the first region instead of one per region. */
        centralLogBucket: values.centralLogBucket ?? false,
        /** With `regions`: the stack's aws:region keeps a single-region stack's names and default provider. */
        keepSingleRegionNames: values.keepSingleRegionNames ?? false,
    };
}

export type OperationsConfig = ReturnType<typeof operationsConfig>;

/**
 * The model of a stack whose values all passed their schemas and the cross-checks, at the instant
 * `now` (which exemptions hold): the caller's clock, never read here.
 */
export function buildModel(values: ConfigValues & { environment: Environment }, stack: string, now: Date) {
    const { environment } = values;
    const windowKind = values.window ?? defaultWindowKind(environment);
    const operation = values.operation ?? DEFAULT_OPERATION;
    const rateControl = values.rateControl ?? defaultRateControl(environment);
    const approveAfterDays = values.approveAfterDays ?? defaultApproveAfterDays(environment);

    const baselines: BaselineConfig[] = (values.baselines ?? SEED_BASELINES).map((b) => baselineConfig(b, approveAfterDays));
    const patchGroups = (values.patchGroups ?? SEED_PATCH_GROUPS).map((g) => patchGroupConfig(g, { operation, rateControl }));
    // One generated baseline per OS that a group uses without naming a baseline.
    for (const group of patchGroups) {
        if (group.baseline !== generatedBaselineName(group.operatingSystem)) continue;
        if (baselines.some((b) => b.name === group.baseline)) continue;
        baselines.push(generatedBaseline(group.baseline, group.operatingSystem, approveAfterDays));
    }
    const timezone = values.timezone ?? DEFAULT_TIMEZONE;
    const exemptions = exemptionConfigs(
        values.exemptions ?? [],
        (name) => patchGroups.find((g) => g.name === name)?.baseline,
        timezone,
        now,
    );
    // The exemptions in force join each baseline's own rejections (and so its BaselineOverride file).
    const exempted = baselines.map((b) => {
        const held = baselineExemptions(b.name, exemptions);
        if (held.exemptions.length === 0) return b;
        return {
            ...b,
            rejectedPatches: [...new Set([...b.rejectedPatches, ...held.patches])],
            rejectedPatchesAction: held.action ?? b.rejectedPatchesAction,
            exemptions: held.exemptions,
        };
    });

    return {
        stack,
        environment,
        production: environment === "production",
        /** The `window` key: which environment window the groups without their own are patched in. */
        windowKind,
        environmentWindow: environmentWindowTiming(windowKind),
        timezone,
        operation,
        rateControl,
        approveAfterDays,
        patchGroupTagKey: values.patchGroupTagKey ?? DEFAULT_PATCH_GROUP_TAG_KEY,
        baselines: exempted,
        patchGroups,
        /** Every exemption of the stack, with whether it holds at the model's instant and its days left. */
        exemptions,
        /** Change freezes: the stack's own periods, an existing calendar, and the longest a group may go without an install. */
        freezes: {
            periods: freezePeriods(values.freezes ?? [], timezone),
            ...(values.freezeCalendar !== undefined ? { calendar: values.freezeCalendar } : {}),
            maxDaysWithoutInstall: values.maxDaysWithoutInstall ?? DEFAULT_MAX_DAYS_WITHOUT_INSTALL,
        },
        ...(values.maintenanceWindowRoleArn !== undefined ? { maintenanceWindowRoleArn: values.maintenanceWindowRoleArn } : {}),
        ...(values.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: values.permissionsBoundaryArn } : {}),
        cutoffBehavior: values.cutoffBehavior ?? defaultCutoffBehavior(environment),
        /** Hours after an install window closes within which a group's reboot window must open. */
        rebootWithinHours: values.rebootWithinHours ?? DEFAULT_REBOOT_WITHIN_HOURS,
        logging: loggingConfig(values.logging ?? {}, environment),
        tags: values.tags ?? {},
        /** Alerts, compliance reporting, safe stops, private endpoints, regions. */
        operations: operationsConfig(values),
    };
}

/** The validated, typed model of one stack's config: the only thing components read. */
export type PatchManagerConfig = ReturnType<typeof buildModel>;
