// Realistic edits to a stack's config over its lifetime, and what the offline diff says of each:
// the resources a real `pulumi up` would update, replace, create and delete. Shared by the
// lifetime test; each edit returns undefined where it does not apply to a stack.
import { naturalKeyOf } from "../../../policies/replacement";
import { diffResources, ResourceChange } from "../../../tools/diff/planDiff";
import { PlannedResource, StackConfig } from "../../../tools/mock/mockProgram";
import { evaluate, withConfig } from "../../helpers";

type Values = Record<string, any>;

/** The stack's `patch-manager:` config as YAML gave it (structured values parsed). */
export function projectValues(config: StackConfig): Values {
    const out: Values = {};
    for (const [k, v] of Object.entries(config.values)) {
        if (!k.startsWith("patch-manager:")) continue;
        let value: unknown = v;
        try {
            value = JSON.parse(v);
        } catch {
            // a plain string
        }
        out[k.slice("patch-manager:".length)] = value;
    }
    return out;
}

export interface Edit {
    name: string;
    /** The changed keys, or undefined when the edit does not apply to the stack. */
    apply(values: Values, region: string): Values | undefined;
}

const groupsOf = (v: Values) => (v.patchGroups ?? []) as Values[];
/** A group whose rename or removal no other key names (hooks, hybrid settings stay valid). */
const plainGroup = (v: Values) =>
    [...groupsOf(v)].reverse().find((g) => !Object.keys(v.safeStops?.hooks ?? {}).includes(g.name) && g.hybrid === undefined);

export const EDITS: Edit[] = [
    {
        name: "move a group's cron",
        apply: (v) => {
            const i = groupsOf(v).findIndex((g) => g.schedule?.cron);
            if (i < 0) return undefined;
            const groups = structuredClone(groupsOf(v));
            groups[i].schedule.cron = String(groups[i].schedule.cron).replace(
                /^cron\(0 (\d+)/,
                (_m, h: string) => `cron(0 ${(Number(h) + 22) % 24}`,
            );
            return { patchGroups: groups };
        },
    },
    {
        name: "add a group",
        apply: (v) => {
            const os = groupsOf(v)[0]?.operatingSystem ?? "WINDOWS";
            return {
                patchGroups: [
                    ...groupsOf(v),
                    {
                        name: "Batch Server",
                        operatingSystem: os,
                        schedule: { cron: "cron(0 2 ? * SUN#4 *)", durationHours: 4, cutoffHours: 1 },
                    },
                ],
            };
        },
    },
    {
        name: "rename a group",
        apply: (v) => {
            const g = plainGroup(v);
            if (!g) return undefined;
            return { patchGroups: groupsOf(v).map((x) => (x === g ? { ...x, name: `${x.name} Fleet` } : x)) };
        },
    },
    {
        name: "remove a group",
        apply: (v) => {
            const g = plainGroup(v);
            if (!g || groupsOf(v).length < 2) return undefined;
            return { patchGroups: groupsOf(v).filter((x) => x !== g) };
        },
    },
    { name: "change tags", apply: (v) => ({ tags: { ...(v.tags ?? {}), CostCenter: "patching-42" } }) },
    { name: "change the log prefix", apply: (v) => ({ logging: { ...(v.logging ?? {}), keyPrefix: "logs/ssm" } }) },
    {
        name: "change the data-sync prefix",
        apply: (v) => (v.compliance?.dataSync ? { compliance: { ...v.compliance, dataSyncPrefix: "compliance-data" } } : undefined),
    },
    {
        name: "change the KMS key",
        apply: (v, region) => ({
            logging: { ...(v.logging ?? {}), kmsKeyArn: `arn:aws:kms:${region}:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0` },
        }),
    },
    {
        name: "turn centralLogBucket on or off",
        apply: (v) => (v.regions ? { centralLogBucket: !(v.centralLogBucket === true) } : undefined),
    },
    {
        name: "add a region",
        apply: (v, region) => {
            const regions: string[] = v.regions ?? [region];
            const added = regions.includes("eu-north-1") ? "us-east-2" : "eu-north-1";
            const endpoints = v.privateEndpoints
                ? {
                      privateEndpoints: [
                          ...v.privateEndpoints,
                          {
                              region: added,
                              vpcId: "vpc-0c1d2e3f4a5b6c7d8",
                              vpcCidr: "10.30.0.0/16",
                              subnetIds: ["subnet-0c1d2e3f4a5b6c7d9"],
                              patchSource: "nat",
                          },
                      ],
                  }
                : {};
            // A stack deployed with one region keeps that region's resources as they are.
            const kept = v.regions ? {} : { keepSingleRegionNames: true };
            return { regions: [...regions, added], ...endpoints, ...kept };
        },
    },
];

export interface EditResult {
    changes: ResourceChange[];
    before: PlannedResource[];
    after: PlannedResource[];
}

const plan = (stack: string, resources: PlannedResource[]) => ({ stack, resources, windows: [] });

/** The shipped stack before and after one edit, and the diff between them. */
export async function applyEdit(stack: string, base: StackConfig, changes: Values): Promise<EditResult> {
    const before = (await evaluate(stack, base)).resources;
    const after = (await evaluate(stack, withConfig(base, changes))).resources;
    return { changes: diffResources(plan(stack, before), plan(stack, after)), before, after };
}

/** The physical key a resource holds (type and key values), when it has one and every value is known. */
function physicalKey(r: PlannedResource): string | undefined {
    const key = naturalKeyOf(r.type, r.inputs);
    return key ? JSON.stringify([r.type, ...key.inputs.map((i) => r.inputs[i])]) : undefined;
}

/**
 * Replacements and re-creations that collide: a replaced resource named by its inputs without
 * deleteBeforeReplace, and a resource created under a new URN with the physical key of one deleted
 * under its old URN (Pulumi creates the new before it deletes the old).
 */
export function collisions(result: EditResult): string[] {
    const out: string[] = [];
    const afterByUrn = new Map(result.after.map((r) => [r.urn, r]));
    const beforeByUrn = new Map(result.before.map((r) => [r.urn, r]));
    for (const c of result.changes) {
        const r = afterByUrn.get(c.urn);
        if (c.action === "replace" && r && physicalKey(r) && !r.deleteBeforeReplace) out.push(`replaced create-first: ${c.urn}`);
    }
    const removedKeys = new Map<string, string>();
    for (const c of result.changes.filter((x) => x.action === "remove")) {
        const key = physicalKey(beforeByUrn.get(c.urn)!);
        if (key) removedKeys.set(key, c.urn);
    }
    for (const c of result.changes.filter((x) => x.action === "add")) {
        const key = physicalKey(afterByUrn.get(c.urn)!);
        if (key && removedKeys.has(key)) out.push(`created before its old self is deleted: ${c.urn} (was ${removedKeys.get(key)})`);
    }
    return out;
}
