// Every key of the `patch-manager:` namespace, with its schema.
import * as z from "zod";
import { BASELINE_LIMITS } from "@patch-manager/ssm";
import { alertsFields, alertsSchema } from "./alerts";
import { approvalRuleFields, baselineFields } from "./baselines";
import { complianceFields, complianceSchema, deniedApplicationsFields, deniedApplicationsSchema } from "./compliance";
import {
    cutoffBehaviorSchema,
    environmentSchema,
    maintenanceWindowRoleArnSchema,
    permissionsBoundaryArnSchema,
    operationSchema,
    patchGroupTagKeySchema,
    windowKindSchema,
} from "./environment";
import { exemptionFields, exemptionsSchema } from "./exemptions";
import { reportingFields, reportingSchema } from "./reporting";
import { freezeCalendarSchema, freezeFields, freezesSchema, maxDaysWithoutInstallSchema } from "./freezes";
import { wholeNumber } from "./fields";
import { loggingFields } from "./logging";
import {
    centralLogBucketSchema,
    keepSingleRegionNamesSchema,
    privateEndpointsFields,
    privateEndpointsSchema,
    regionsSchema,
} from "./network";
import { hybridFields, patchGroupFields, rateControlSchema } from "./patchGroups";
import { hookDocumentsSchema, safeStopsFields, safeStopsSchema } from "./safeStops";
import { patchNowSchema } from "./patchNow";
import { tagsSchema } from "./tags";
import { loadBalancerFields, patchSourceFields } from "./strategies";
import { patchTuesdaySchema, scheduleFields, timezoneSchema } from "./window";

export const KEYS = {
    environment: environmentSchema.meta({ description: "Which environment this deployment patches; the one required key." }),
    window: windowKindSchema.meta({
        description:
            "The environment's maintenance window: weekday is Monday to Friday from 22:00, weekend Saturday and Sunday from 06:00, " +
            "each 5 hours; default: weekday for sandbox, development and test, weekend for acceptance and production.",
    }),
    timezone: timezoneSchema.meta({
        description: 'The IANA time zone every schedule is written in, e.g. "Europe/Amsterdam"; default UTC.',
    }),
    operation: operationSchema.meta({ description: "What AWS-RunPatchBaseline does in the windows; default Install." }),
    rateControl: rateControlSchema.meta({ description: "The tasks' concurrency and error threshold; default by environment." }),
    approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days").meta({
        description: "Days after release patches are approved in the generated baselines; default by environment.",
    }),
    patchGroupTagKey: patchGroupTagKeySchema.meta({
        description: 'The tag key whose value names an instance\'s patch group; default "Patch Group".',
    }),
    patchGroups: z
        .array(patchGroupFields, { error: "must be a list of {name, operatingSystem, baseline?, schedule?}" })
        .min(1, { error: "must hold at least one patch group" })
        .meta({
            description:
                "One entry per patch-group tag value; default: Windows, RHEL, Windows2012 and four server roles (docs/configuration.md).",
        }),
    baselines: z.array(baselineFields, { error: "must be a list of {name, operatingSystem, approvalRules?, ...}" }).meta({
        description: "Baselines of your own, which patch groups name; the ones a group needs and has not named are generated.",
    }),
    exemptions: exemptionsSchema.meta({
        description:
            "Patches held back from some groups or baselines until a date: rejected in their baselines until then, left out from then on.",
    }),
    freezes: freezesSchema.meta({
        description:
            "Change freezes: periods (in the stack's time zone, once or recurring) in which the stack's windows are disabled, through a Change Calendar the program creates.",
    }),
    freezeCalendar: freezeCalendarSchema.meta({
        description:
            "The name or ARN of a Change Calendar of this account and region the organisation keeps: its closed times freeze the windows too.",
    }),
    maxDaysWithoutInstall: maxDaysWithoutInstallSchema.meta({
        description:
            "The most days a patch group may go without an install before the plan reports that a freeze made it miss a release cycle; default 35.",
    }),
    maintenanceWindowRoleArn: maintenanceWindowRoleArnSchema.meta({
        description: "An existing IAM role for the window tasks; default: one is created.",
    }),
    rebootWithinHours: wholeNumber(1, 168, "hours").meta({
        description:
            "For groups with a rebootWindow: the most hours after an install window closes before the reboot window opens (patches stay InstalledPendingReboot until then); default 24.",
    }),
    permissionsBoundaryArn: permissionsBoundaryArnSchema.meta({
        description:
            "The permissions boundary set on every IAM role the program creates (the org/ StackSet's boundary policy); default: none.",
    }),
    cutoffBehavior: cutoffBehaviorSchema.meta({
        description: "What a running task does when the window reaches its cutoff; default by environment.",
    }),
    logging: loggingFields.meta({ description: "Where command output goes; default: a bucket the component creates." }),
    tags: tagsSchema.meta({ description: "Tags of every resource, beside ManagedBy, Environment and Stack." }),
    alerts: alertsSchema.meta({ description: "Alerts on failed, timed-out and cancelled patching." }),
    compliance: complianceSchema.meta({ description: "Daily scans, the data sync and the AWS Config rule." }),
    reporting: reportingSchema.meta({
        description:
            "Compliance reports over the resource data sync (needs compliance.dataSync): a Glue database and tables, an Athena workgroup with encrypted results in the log bucket, and named queries (docs/reports.md).",
    }),
    deniedApplications: deniedApplicationsSchema.meta({ description: "Applications the AWS Config rule reports as non-compliant." }),
    safeStops: safeStopsSchema.meta({ description: "The alarm that stops patching, and hook documents around installs." }),
    patchNow: patchNowSchema.meta({
        description:
            "The patch-now runbook (patch-manager-<stack>-patch-now) and its role in each region: a fleet-wide Scan or Install, " +
            "group by group with each group's targets, rate control and strategy steps, optionally with a zero-day patch list; default true.",
    }),
    privateEndpoints: privateEndpointsSchema.meta({ description: "Systems Manager endpoints inside VPCs of the region." }),
    regions: regionsSchema.meta({
        wholeStack: true,
        description: "The regions the stack deploys to, one deployment each; default: the stack's aws:region alone.",
    }),
    centralLogBucket: centralLogBucketSchema.meta({
        wholeStack: true,
        description: "With regions: one log bucket in the first region instead of one per region.",
    }),
    keepSingleRegionNames: keepSingleRegionNamesSchema.meta({
        wholeStack: true,
        description:
            "With regions: the stack's own region (aws:region) keeps the resource names and the default provider of a " +
            "single-region stack, so that listing regions in a stack deployed with one region adds the new regions and leaves " +
            "the deployed one as it is. Without it every region, the stack's own included, is named by its region and deployed " +
            "through its own provider.",
    }),
} as const;

export type ConfigKey = keyof typeof KEYS;
export const CONFIG_KEYS: readonly string[] = Object.keys(KEYS);
export const isConfigKey = (key: PropertyKey): key is ConfigKey => typeof key === "string" && Object.hasOwn(KEYS, key);

/** The keys a stack must set (parseConfig says so when one is missing); every other key has a default. */
export const REQUIRED_KEYS = ["environment"] as const satisfies readonly ConfigKey[];

/** The whole namespace: every key optional here (the required ones are checked by parseConfig). */
export const configSchema = z.object(KEYS).partial();
/** The validated values of the keys a stack sets, before defaults. */
export type ConfigValues = z.output<typeof configSchema>;

/** The maps users write, by the name of the key or list that holds them: what an unknown key is told. */
const MAPS: Record<string, z.ZodObject> = {
    rateControl: rateControlSchema,
    schedule: scheduleFields,
    rebootWindow: scheduleFields,
    loadBalancer: loadBalancerFields,
    sources: patchSourceFields,
    patchTuesday: patchTuesdaySchema,
    logging: loggingFields,
    patchGroups: patchGroupFields,
    baselines: baselineFields,
    approvalRules: approvalRuleFields,
    exemptions: exemptionFields,
    freezes: freezeFields,
    hybrid: hybridFields,
    alerts: alertsFields,
    compliance: complianceFields,
    reporting: reportingFields,
    deniedApplications: deniedApplicationsFields,
    safeStops: safeStopsFields,
    hooks: hookDocumentsSchema,
    privateEndpoints: privateEndpointsFields,
};

/** The keys of the map at `path` under `key`, when it is one users write. */
export function keyNamesAt(key: ConfigKey, path: ReadonlyArray<PropertyKey>): string[] | undefined {
    const last = path.filter((p) => typeof p === "string").pop();
    const shape = MAPS[String(last ?? key)];
    return shape ? Object.keys(shape.shape) : undefined;
}

/** The keys valid beside an unknown one at `path` under `key`. */
export function validKeysAt(key: ConfigKey, path: ReadonlyArray<PropertyKey>): string {
    const names = keyNamesAt(key, path);
    return names ? `valid keys are ${names.join(", ")}` : "see the README for the valid keys";
}
