// Every key of the `patch-manager:` namespace, with its schema.
import { z } from "zod";
import { BASELINE_LIMITS } from "@patch-manager/ssm";
import { alertsFields, alertsSchema } from "./alerts";
import { approvalRuleFields, baselineFields } from "./baselines";
import { complianceFields, complianceSchema, deniedApplicationsFields, deniedApplicationsSchema } from "./compliance";
import {
    cutoffBehaviorSchema,
    environmentSchema,
    maintenanceWindowRoleArnSchema,
    operationSchema,
    patchGroupTagKeySchema,
    windowKindSchema,
} from "./environment";
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
import { tagsSchema } from "./tags";
import { loadBalancerFields, patchSourceFields } from "./strategies";
import { patchTuesdaySchema, scheduleFields, timezoneSchema } from "./window";

export const KEYS = {
    environment: environmentSchema,
    window: windowKindSchema,
    timezone: timezoneSchema,
    operation: operationSchema,
    rateControl: rateControlSchema,
    approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days"),
    patchGroupTagKey: patchGroupTagKeySchema,
    patchGroups: z
        .array(patchGroupFields, { error: "must be a list of {name, operatingSystem, baseline?, schedule?}" })
        .min(1, { error: "must hold at least one patch group" }),
    baselines: z.array(baselineFields, { error: "must be a list of {name, operatingSystem, approvalRules?, ...}" }),
    maintenanceWindowRoleArn: maintenanceWindowRoleArnSchema,
    cutoffBehavior: cutoffBehaviorSchema,
    logging: loggingFields,
    tags: tagsSchema,
    alerts: alertsSchema,
    compliance: complianceSchema,
    deniedApplications: deniedApplicationsSchema,
    safeStops: safeStopsSchema,
    privateEndpoints: privateEndpointsSchema,
    regions: regionsSchema,
    centralLogBucket: centralLogBucketSchema,
    keepSingleRegionNames: keepSingleRegionNamesSchema,
} as const;

export type ConfigKey = keyof typeof KEYS;
export const CONFIG_KEYS: readonly string[] = Object.keys(KEYS);
export const isConfigKey = (key: PropertyKey): key is ConfigKey => typeof key === "string" && Object.hasOwn(KEYS, key);

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
    hybrid: hybridFields,
    alerts: alertsFields,
    compliance: complianceFields,
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
