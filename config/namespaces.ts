// The stack file's keys outside the project's own namespace: the aws provider's (`aws:region`
// decides where every window opens), a misspelt project namespace, and namespaces nothing reads.
import { ConfigError, ConfigProblem, shown } from "./errors";
import { parseConfig } from "./parse";
import { PatchManagerConfig } from "./model";
import { nearest } from "./nearest";
import { PROJECT } from "./project";
import { regionalProblems } from "./regional";

/** The aws provider's config keys, as @pulumi/aws's config module declares them (vars.d.ts). */
export const AWS_CONFIG_KEYS: readonly string[] = Object.keys(require("@pulumi/aws/config/vars")).sort();

/** Every region the provider knows (the `aws.Region` enum of @pulumi/aws). */
export const AWS_REGIONS: readonly string[] = Object.values(require("@pulumi/aws/types/enums").Region as Record<string, string>).sort();

/**
 * Namespaces of providers the program uses, and Pulumi's own (`pulumi:tags`): config there is
 * read by something. Anything else would be ignored silently, so it is refused.
 */
const KNOWN_NAMESPACES = ["aws", "time", "pulumi"];

/** Where a stack may get its region from besides `aws:region`: what the aws provider itself reads. */
export interface RegionSources {
    /** The environment the program runs in; absent offline, where only the stack file counts. */
    readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The problems of every key outside `project:` (full keys, values as the CLI passes them), in
 * the order the stack file has them, then a missing region.
 */
export function namespaceProblems(
    all: Readonly<Record<string, string | undefined>>,
    project: string = PROJECT,
    sources: RegionSources = {},
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const [key, value] of Object.entries(all)) {
        if (value === undefined) continue;
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? project : key.slice(0, colon);
        const name = key.slice(colon + 1);
        if (namespace === "" || name === "") {
            problems.push({ path: key, message: `is not a config key: write <namespace>:<name>, e.g. ${project}:window or aws:region` });
            continue;
        }
        if (namespace === project) continue;
        if (namespace === "aws") {
            problems.push(...awsKeyProblems(name, value, all["aws:skipRegionValidation"] === "true"));
            continue;
        }
        if (KNOWN_NAMESPACES.includes(namespace)) continue;
        const meant = nearest(namespace, [project, ...KNOWN_NAMESPACES]);
        problems.push({
            path: key,
            message: meant
                ? `unknown namespace "${namespace}"; did you mean ${meant}:${name}?`
                : `unknown namespace "${namespace}": nothing in this program reads it; the namespaces are ${project}: and the providers' ${KNOWN_NAMESPACES.map((n) => `${n}:`).join(", ")}`,
        });
    }
    const regions = all[`${project}:regions`];
    if (all["aws:skipRegionValidation"] !== "true") problems.push(...regionListProblems(project, regions));
    problems.push(...keptRegionProblems(project, all), ...regionalProblems(project, all));
    const env = sources.env;
    const regionElsewhere = env !== undefined && [env.AWS_REGION, env.AWS_DEFAULT_REGION, env.AWS_PROFILE].some((v) => !!v);
    if (all["aws:region"] === undefined && regions === undefined && !regionElsewhere) {
        problems.push({
            path: "aws:region",
            message:
                "is required: the region this stack deploys to, e.g. eu-west-1 (the aws provider does not start without one; " +
                `or list several under ${project}:regions)`,
        });
    }
    return problems;
}

function awsKeyProblems(name: string, value: string, anyRegion: boolean): ConfigProblem[] {
    const path = `aws:${name}`;
    if (!AWS_CONFIG_KEYS.includes(name)) {
        const meant = nearest(name, AWS_CONFIG_KEYS);
        return [
            {
                path,
                message: `unknown key of the aws provider${meant ? `; did you mean aws:${meant}?` : ""} The keys are ${AWS_CONFIG_KEYS.join(", ")}`,
            },
        ];
    }
    // The provider's own escape hatch for a region newer than its list.
    if (name === "region") return anyRegion || AWS_REGIONS.includes(value) ? [] : [{ path, message: unknownRegion(value) }];
    if (name === "allowedAccountIds" || name === "forbiddenAccountIds") {
        let ids: unknown;
        try {
            ids = JSON.parse(value);
        } catch {
            ids = value;
        }
        if (!Array.isArray(ids)) return [{ path, message: `must be a list of 12-digit AWS account ids, got ${shown(ids)}` }];
        return ids.flatMap((id, i) =>
            typeof id === "string" && /^\d{12}$/.test(id)
                ? []
                : [
                      {
                          path: `${path}[${i}]`,
                          message: `must be a 12-digit AWS account id as a quoted string, e.g. "123456789012", got ${shown(id)}`,
                      },
                  ],
        );
    }
    return [];
}

/**
 * `keepSingleRegionNames` keeps the names of the stack's own region: that region must be known
 * (aws:region, not only the environment, which may differ between runs) and be one of `regions`.
 */
function keptRegionProblems(project: string, all: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
    if (all[`${project}:keepSingleRegionNames`] !== "true") return [];
    const listed = parseList(all[`${project}:regions`]);
    if (listed === undefined) return [];
    const home = all["aws:region"];
    const path = `${project}:keepSingleRegionNames`;
    if (home === undefined)
        return [{ path, message: "needs aws:region: the region whose resources keep the names they had before patch-manager:regions" }];
    if (!listed.includes(home))
        return [
            {
                path,
                message: `keeps the names of the stack's aws:region "${home}", which ${project}:regions does not list; add it to the list, or leave keepSingleRegionNames out`,
            },
        ];
    if (all[`${project}:centralLogBucket`] === "true" && listed[0] !== home)
        return [
            {
                path,
                message: `with ${project}:centralLogBucket the first region holds the one log bucket: list the stack's aws:region "${home}" first in ${project}:regions, so that its deployed bucket stays (another first region would take over, and "${home}"'s bucket would be deleted)`,
            },
        ];
    return [];
}

function parseList(text: string | undefined): unknown[] | undefined {
    if (text === undefined) return undefined;
    try {
        const list: unknown = JSON.parse(text);
        return Array.isArray(list) ? list : undefined;
    } catch {
        return undefined;
    }
}

/** Each listed region the provider does not know (their shape is the project schema's concern). */
function regionListProblems(project: string, text: string | undefined): ConfigProblem[] {
    return (parseList(text) ?? []).flatMap((r, i) =>
        typeof r === "string" && !AWS_REGIONS.includes(r) ? [{ path: `${project}:regions[${i}]`, message: unknownRegion(r) }] : [],
    );
}

function unknownRegion(value: string): string {
    const meant = nearest(value, AWS_REGIONS);
    return `${shown(value)} is not an AWS region${meant ? ` (did you mean ${meant}?)` : ""}; the regions are ${AWS_REGIONS.join(", ")}`;
}

/**
 * A whole stack's config (every namespace, full keys) into the model: the project's keys through
 * parseConfig, the others through namespaceProblems; every problem of both in one ConfigError.
 */
export function parseStackConfig(
    all: Readonly<Record<string, string | undefined>>,
    stack: string,
    file = `Pulumi.${stack}.yaml`,
    project: string = PROJECT,
    sources: RegionSources = {},
    now: Date = new Date(),
): PatchManagerConfig {
    const prefix = `${project}:`;
    const own = Object.fromEntries(
        Object.entries(all)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const others = namespaceProblems(all, project, sources);
    try {
        const model = parseConfig(own, stack, file, { now });
        if (others.length > 0) throw new ConfigError(file, others);
        return model;
    } catch (e) {
        if (e instanceof ConfigError && others.length > 0 && e.problems !== others) throw new ConfigError(file, [...e.problems, ...others]);
        throw e;
    }
}
