// Rules that span keys: references between baselines and groups, unique names, window quotas,
// and the operations features' rules. They read the decoded values, which may be partly invalid
// (each invalid key is reported by its schema), so every read here checks what it finds.
import { OPERATING_SYSTEMS, OperatingSystem, QUOTAS } from "@patch-manager/ssm";
import { checkSchedule, checkTimezone, nextStarts, patchTuesdayPlus } from "@patch-manager/ssm";
import { defaultApprovalRules, filterKeyProblem, supportsApprovalDelay } from "./approvalRules";
import {
    DEFAULT_OPERATION,
    DEFAULT_TIMEZONE,
    defaultWindowKind,
    environmentWindowSchedule,
    SEED_BASELINES,
    SEED_PATCH_GROUPS,
} from "./defaults";
import { ENVIRONMENTS, WINDOW_KINDS } from "./environment";
import { ConfigProblem, keyPath } from "./errors";
import { isRecord } from "./fields";
import { ConfigKey } from "./keys";
import { slug } from "./naming";
import { EGRESS_PATCH_SOURCES, S3_ONLY_OPERATING_SYSTEMS } from "./network";
import { dailyScanHour } from "./scanHour";
import { sourceProblems, strategyProblems } from "./strategies";

/** Each key's value as decoded from the stack file, valid or not. */
export type DecodedValues = Partial<Record<ConfigKey, unknown>>;

const isOperatingSystem = (v: unknown): v is OperatingSystem => OPERATING_SYSTEMS.some((os) => os === v);

/** Every rule across keys, in the order the keys are read: baselines, patch groups, quotas, operations. */
export function crossCheck(values: DecodedValues): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const baselinesByName = new Map<string, { index: number; os: unknown }>();
    const rawBaselines = Array.isArray(values.baselines) ? values.baselines : undefined;

    rawBaselines?.forEach((b, i) => {
        if (!isRecord(b) || typeof b.name !== "string") return;
        const name = b.name;
        const sameSlug = [...baselinesByName.entries()].find(([other]) => slug(other) === slug(name));
        if (baselinesByName.has(name)) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}" is already the name of baselines[${baselinesByName.get(name)!.index}]; baseline names must be unique`,
            });
        } else if (sameSlug) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}" gives the same resource names as baselines[${sameSlug[1].index}] ("${sameSlug[0]}"); rename one of them`,
            });
        } else baselinesByName.set(name, { index: i, os: b.operatingSystem });
        if (slug(name).startsWith("default-")) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}": names starting with "default-" are reserved for the baselines the program generates`,
            });
        }
        const os = b.operatingSystem;
        const noDelay = isOperatingSystem(os) && !supportsApprovalDelay(os);
        const cannotDelay = `${String(os)} baselines cannot delay approval (SSM ignores it: the repos carry no release dates); leave it out and stagger rollout with the groups' windows instead`;
        if (noDelay && b.approveAfterDays !== undefined && b.approveAfterDays !== 0) {
            problems.push({ path: keyPath("baselines", [i, "approveAfterDays"]), message: cannotDelay });
        }
        if (Array.isArray(b.approvalRules)) {
            b.approvalRules.forEach((r, j) => {
                if (!isRecord(r)) return;
                if (Array.isArray(r.patchFilters)) {
                    const seen = new Map<unknown, number>();
                    r.patchFilters.forEach((f, k) => {
                        if (!isRecord(f) || typeof f.key !== "string") return;
                        const misfit = isOperatingSystem(os) ? filterKeyProblem(os, f.key) : undefined;
                        if (misfit) {
                            problems.push({
                                path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]),
                                message: misfit,
                            });
                        }
                        if (seen.has(f.key)) {
                            problems.push({
                                path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]),
                                message: `${f.key} is already patchFilters[${seen.get(f.key)}]; a rule takes each filter key once (put all its values in one filter)`,
                            });
                        } else seen.set(f.key, k);
                    });
                }
                if (r.approveAfterDays !== undefined && r.approveUntilDate !== undefined) {
                    problems.push({
                        path: keyPath("baselines", [i, "approvalRules", j]),
                        message: "set approveAfterDays or approveUntilDate, not both",
                    });
                }
                if (noDelay && r.approveAfterDays !== undefined && r.approveAfterDays !== 0) {
                    problems.push({ path: keyPath("baselines", [i, "approvalRules", j, "approveAfterDays"]), message: cannotDelay });
                }
                if (noDelay && r.approveUntilDate !== undefined) {
                    problems.push({ path: keyPath("baselines", [i, "approvalRules", j, "approveUntilDate"]), message: cannotDelay });
                }
            });
        } else if (b.preset === undefined && isOperatingSystem(os) && defaultApprovalRules(os, 0) === undefined) {
            problems.push({
                path: keyPath("baselines", [i, "approvalRules"]),
                message: `is required for ${os}: there are no default approval rules for it`,
            });
        }
        for (const p of sourceProblems(os, b.sources)) problems.push({ path: keyPath("baselines", [i, ...p.path]), message: p.message });
        if (b.preset === "windows2012-security" && b.operatingSystem !== "WINDOWS") {
            problems.push({
                path: keyPath("baselines", [i, "preset"]),
                message: 'preset "windows2012-security" needs operatingSystem WINDOWS',
            });
        }
    });
    const defaults = new Map<string, number>();
    rawBaselines?.forEach((b, i) => {
        if (!isRecord(b) || b.registerAsDefault !== true || typeof b.operatingSystem !== "string") return;
        const other = defaults.get(b.operatingSystem);
        if (other !== undefined) {
            problems.push({
                path: keyPath("baselines", [i, "registerAsDefault"]),
                message: `baselines[${other}] is already the default for ${b.operatingSystem}; an OS has one default baseline`,
            });
        } else defaults.set(b.operatingSystem, i);
    });

    const rawGroups = Array.isArray(values.patchGroups) ? values.patchGroups : [];
    const names = new Map<string, number>();
    const slugs = new Map<string, number>();
    rawGroups.forEach((g, i) => {
        if (!isRecord(g) || typeof g.name !== "string") return;
        const at = (...p: (string | number)[]) => keyPath("patchGroups", [i, ...p]);
        if (names.has(g.name)) {
            problems.push({
                path: at("name"),
                message: `"${g.name}" is already patchGroups[${names.get(g.name)}]; each Patch Group tag value appears once`,
            });
        } else if (slugs.has(slug(g.name))) {
            problems.push({
                path: at("name"),
                message: `"${g.name}" gives the same resource names as patchGroups[${slugs.get(slug(g.name))}] ("${slug(g.name)}"); rename one of them`,
            });
        }
        names.set(g.name, names.get(g.name) ?? i);
        slugs.set(slug(g.name), slugs.get(slug(g.name)) ?? i);

        if (typeof g.baseline === "string") {
            const ref = baselinesByName.get(g.baseline) ?? (values.baselines === undefined ? seedBaseline(g.baseline) : undefined);
            if (!ref) {
                const known = [...(rawBaselines ?? SEED_BASELINES)].filter(isRecord).map((b) => `"${String(b.name)}"`);
                problems.push({
                    path: at("baseline"),
                    message: `"${g.baseline}" is not a baseline in patch-manager:baselines (defined: ${known.join(", ") || "none"}); leave it out to use the default baseline for ${String(g.operatingSystem)}`,
                });
            } else if (ref.os !== g.operatingSystem && typeof ref.os === "string") {
                problems.push({
                    path: at("baseline"),
                    message: `baseline "${g.baseline}" is for ${ref.os} but this group's operatingSystem is ${String(g.operatingSystem)}; a group's baseline must match its OS`,
                });
            }
        } else if (isOperatingSystem(g.operatingSystem) && defaultApprovalRules(g.operatingSystem, 0) === undefined) {
            problems.push({
                path: at("baseline"),
                message: `is required for ${String(g.operatingSystem)}: there is no default baseline for it; define one in patch-manager:baselines`,
            });
        }
        problems.push(
            ...strategyProblems(g, i, {
                operation: g.operation ?? values.operation ?? DEFAULT_OPERATION,
                production: values.environment === "production",
                hooked: isRecord(record(values.safeStops).hooks) && Object.hasOwn(record(record(values.safeStops).hooks), g.name),
            }),
        );
        if (isRecord(g.schedule)) {
            const s = g.schedule;
            const cutoff = s.cutoffHours;
            const inRange = (v: unknown, min: number, max: number): v is number =>
                typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
            if (inRange(s.durationHours, 1, 24) && inRange(cutoff, 0, 23) && cutoff >= s.durationHours) {
                problems.push({
                    path: at("schedule", "cutoffHours"),
                    message: `${cutoff} must be less than durationHours (${s.durationHours}): no task would ever start (SSM stops starting tasks ${cutoff} hours before the end)`,
                });
            }
            if (s.offsetDays !== undefined && typeof s.cron === "string" && !s.cron.trim().startsWith("cron(")) {
                problems.push({ path: at("schedule", "offsetDays"), message: "applies to cron(...) schedules only" });
            }
            const never = typeof s.cron === "string" ? neverStarts(s.cron, s.offsetDays, values.timezone) : undefined;
            if (never) problems.push({ path: at("schedule", "cron"), message: never });
        }
    });

    // A window holds at most 20 tasks and 100 targets: one of each per group in it.
    const groups = groupWindows(values);
    const inEnvironmentWindow = groups.filter((g) => !g.ownWindow).length;
    if (inEnvironmentWindow > QUOTAS.tasksPerWindow) {
        problems.push({
            path: keyPath("patchGroups"),
            message: `${inEnvironmentWindow} groups share the environment window, which holds at most ${QUOTAS.tasksPerWindow} tasks; give some groups their own schedule`,
        });
    }
    // A group with a reboot window adds that window.
    const rebootWindows = rawGroups.filter((g) => isRecord(g) && g.rebootWindow !== undefined).length;
    const windows = 1 + groups.filter((g) => g.ownWindow).length + rebootWindows;
    if (windows > QUOTAS.windowsPerRegion) {
        problems.push({
            path: keyPath("patchGroups"),
            message: `${windows} maintenance windows exceed the SSM default quota of ${QUOTAS.windowsPerRegion} per account and region`,
        });
    }
    // A time zone string the schema refused leaves the windows' hours unknown: the operations
    // rules then see no patch group at all.
    const timezone = values.timezone ?? DEFAULT_TIMEZONE;
    const refusedTimezone = typeof timezone === "string" && checkTimezone(timezone).length > 0;
    for (const p of crossCheckOperations(values, refusedTimezone ? [] : groups, timezone)) {
        problems.push({ path: keyPath(p.key, p.path), message: p.message });
    }
    return problems;
}

/** A patch group's window as far as the values tell it: the group's own schedule, or the environment window. */
interface GroupWindow {
    readonly name: string;
    readonly operatingSystem: unknown;
    /** The group's operation, else the stack's, else the default. */
    readonly operation: unknown;
    readonly ownWindow: boolean;
    readonly cron: unknown;
    readonly durationHours: unknown;
    readonly offsetDays: unknown;
}

/** The stack's patch groups (the seed's when it lists none) and the window each is patched in. */
function groupWindows(values: DecodedValues): GroupWindow[] {
    const environment = ENVIRONMENTS.find((e) => e === values.environment) ?? "development";
    const environmentWindow = environmentWindowSchedule(WINDOW_KINDS.find((w) => w === values.window) ?? defaultWindowKind(environment));
    const groups: unknown[] = Array.isArray(values.patchGroups) ? values.patchGroups : [...SEED_PATCH_GROUPS];
    return groups.filter(isRecord).map((g) => {
        const own = isRecord(g.schedule) ? g.schedule : undefined;
        const start = own ? windowStart(own) : environmentWindow;
        return {
            name: String(g.name),
            operatingSystem: g.operatingSystem,
            operation: g.operation ?? values.operation ?? DEFAULT_OPERATION,
            ownWindow: own !== undefined,
            cron: start.cron,
            durationHours: own ? own.durationHours : environmentWindow.durationHours,
            offsetDays: start.offsetDays,
        };
    });
}

/** The start of a group's own window: its cron and offset as written, or compiled from patchTuesday. */
function windowStart(s: Record<string, unknown>): { cron: unknown; offsetDays?: unknown } {
    const pt = s.patchTuesday;
    if (s.cron === undefined && isRecord(pt) && typeof pt.daysAfter === "number") {
        try {
            const { cron, scheduleOffset } = patchTuesdayPlus(pt.daysAfter, String(pt.at));
            return { cron, offsetDays: scheduleOffset };
        } catch {
            // Invalid patchTuesday: the schema has reported it already.
        }
    }
    return { cron: s.cron, offsetDays: s.offsetDays };
}

interface OperationsProblem {
    readonly key: ConfigKey;
    readonly path: (string | number)[];
    readonly message: string;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** The operations features' rules: alerts, safe stops, regions, private endpoints, compliance. */
function crossCheckOperations(values: DecodedValues, groups: readonly GroupWindow[], timezone: unknown): OperationsProblem[] {
    const problems: OperationsProblem[] = [];
    const groupNames = new Set(groups.map((g) => g.name));
    const regions = Array.isArray(values.regions) ? values.regions : undefined;

    if (values.alerts !== undefined) {
        const alerts = record(values.alerts);
        const topicArn = typeof alerts.topicArn === "string" ? alerts.topicArn : undefined;
        if (topicArn === undefined && list(alerts.emails).length === 0) {
            problems.push({
                key: "alerts",
                path: [],
                message:
                    "needs emails (a topic is created for them) or topicArn (an existing topic); with neither, nobody would hear an alert",
            });
        }
        if (topicArn !== undefined && typeof alerts.kmsKeyArn === "string") {
            problems.push({
                key: "alerts",
                path: ["kmsKeyArn"],
                message: "applies to the topic the program creates; an existing topicArn keeps its own encryption",
            });
        }
        if (topicArn !== undefined && regions !== undefined && regions.length > 1) {
            problems.push({
                key: "alerts",
                path: ["topicArn"],
                message:
                    "an existing topic lives in one region, and EventBridge rules and Run Command notify topics of their own region; leave topicArn out to get one encrypted topic per region",
            });
        }
    }

    for (const [name, h] of Object.entries(record(record(values.safeStops).hooks))) {
        const group = groups.find((g) => g.name === name);
        if (!group) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: `"${name}" is not a patch group in patch-manager:patchGroups (groups: ${[...groupNames].map((n) => `"${n}"`).join(", ")})`,
            });
        } else if (group.operatingSystem === "MACOS") {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "AWS-RunPatchBaselineWithHooks does not support macOS; remove the hooks of this group",
            });
        } else if (group.operation === "Scan") {
            // AWS-RunPatchBaselineWithHooks runs its hooks around an install only: a Scan completes without them.
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message:
                    'this group only scans (operation "Scan"), and AWS-RunPatchBaselineWithHooks runs no hook on a scan: remove the hooks, or set the group\'s operation to "Install"',
            });
        }
        if (
            typeof h === "object" &&
            h !== null &&
            Reflect.get(h, "preInstall") === undefined &&
            Reflect.get(h, "postInstall") === undefined &&
            Reflect.get(h, "onExit") === undefined
        ) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "names no hook document; set preInstall, postInstall or onExit (or remove the entry)",
            });
        }
    }

    if (values.centralLogBucket === true && regions === undefined) {
        problems.push({
            key: "centralLogBucket",
            path: [],
            message: "applies only with patch-manager:regions (a single-region stack has one log bucket anyway)",
        });
    }
    if (values.keepSingleRegionNames === true && regions === undefined) {
        problems.push({
            key: "keepSingleRegionNames",
            path: [],
            message: "applies only with patch-manager:regions (a single-region stack has these names already)",
        });
    }
    if (regions) {
        const seen = new Map<unknown, number>();
        regions.forEach((r, i) => {
            if (seen.has(r))
                problems.push({ key: "regions", path: [i], message: `"${r}" is already regions[${seen.get(r)}]; list each region once` });
            else seen.set(r, i);
        });
    }
    // Entries that are lists rather than maps still count (as a VPC without id or region).
    const endpoints = list(values.privateEndpoints)
        .filter((e) => typeof e === "object" && e !== null)
        .map((e) => {
            const entry = record(e);
            return {
                region: typeof entry.region === "string" ? entry.region : undefined,
                vpcId: String(entry.vpcId),
                patchSource: entry.patchSource,
            };
        });
    const centralRegion = values.centralLogBucket === true && regions !== undefined ? regions[0] : undefined;
    endpoints.forEach((e, i) => {
        if (e.patchSource === "s3-only") {
            const others = groups.filter((g) => !S3_ONLY_OPERATING_SYSTEMS.has(g.operatingSystem));
            if (others.length > 0)
                problems.push({
                    key: "privateEndpoints",
                    path: [i, "patchSource"],
                    message: `"s3-only" reaches only the Amazon Linux 2 and 2023 repositories (in the region's S3); ${others.map((g) => `"${g.name}" (${String(g.operatingSystem)})`).join(", ")} need${others.length === 1 ? "s" : ""} "nat", "proxy" or "mirror" (WSUS for Windows, RHUI through NAT or a proxy, a repository mirror)`,
                });
        }
        // The SSM Agent uploads command output to the bucket's own region, and an S3 gateway
        // endpoint reaches only buckets of its region: without egress the output is lost.
        if (centralRegion !== undefined && e.region !== undefined && e.region !== centralRegion && typeof e.patchSource === "string") {
            if (!EGRESS_PATCH_SOURCES.has(e.patchSource))
                problems.push({
                    key: "privateEndpoints",
                    path: [i],
                    message: `(${e.region}): instances reach AWS only through private endpoints (patchSource "${e.patchSource}"), but command output goes to the central log bucket in ${centralRegion}, and an S3 gateway endpoint reaches only buckets of its own region. Set patch-manager:centralLogBucket: false (a bucket per region), or patchSource "nat" or "proxy" if this VPC has that egress`,
                });
        }
    });
    endpoints.forEach((e, i) => {
        if (regions === undefined && e.region !== undefined) {
            problems.push({
                key: "privateEndpoints",
                path: [i, "region"],
                message:
                    "applies only with patch-manager:regions; without it the endpoints go into the stack's aws:region (leave region out)",
            });
        }
        if (regions !== undefined && (e.region === undefined || !regions.includes(e.region))) {
            problems.push({
                key: "privateEndpoints",
                path: [i, "region"],
                message: `${e.region === undefined ? "is required" : `"${e.region}" is not listed`} with patch-manager:regions: one of ${regions.map((r) => `"${r}"`).join(", ")}`,
            });
        }
    });
    const vpcs = new Map<string, number>();
    endpoints.forEach((e, i) => {
        const key = `${e.region ?? ""}/${e.vpcId}`;
        if (vpcs.has(key))
            problems.push({
                key: "privateEndpoints",
                path: [i, "vpcId"],
                message: `"${e.vpcId}" already has endpoints (privateEndpoints[${vpcs.get(key)}]); a VPC takes one endpoint per service`,
            });
        else vpcs.set(key, i);
    });

    const compliance = record(values.compliance);
    const configRules = compliance.configRule === true || values.deniedApplications !== undefined;
    if (configRules && compliance.configRecorder === undefined) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message:
                'is required with AWS Config rules (configRule, deniedApplications): they need a customer-managed configuration recorder in every region, and AWS allows one per account and region (a Control Tower landing zone already runs one). Set "create" (the program creates recorder, delivery channel and status) or "existing" (see docs/preconditions.md for how to tell)',
        });
    }
    if (!configRules && compliance.configRecorder !== undefined) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message: "applies only with AWS Config rules (compliance.configRule: true or deniedApplications); leave it out",
        });
    }
    if (configRules && compliance.configRecorder === "create" && record(values.logging).bucketName !== undefined) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message:
                '"create" delivers to the log bucket the program creates (its policy gets the statements AWS Config needs); with logging.bucketName, use "existing" and set up the recorder and its bucket policy yourself',
        });
    }
    if (compliance.dataSync === true && record(values.logging).bucketName !== undefined) {
        // The program cannot add the SSM statement to a bucket policy it does not own: say what to add.
        problems.push({
            key: "compliance",
            path: ["dataSync"],
            message:
                "needs the log bucket the program creates (its policy gets the statement SSM data sync needs); with logging.bucketName, turn dataSync off and add a resource data sync to your bucket yourself",
        });
    }
    // A time zone of the wrong type is reported at its own key; no scan hour can be worked out in it.
    if (compliance.dailyScan === true && typeof timezone === "string") {
        for (const g of groups) {
            const { cron, durationHours, offsetDays } = g;
            // A duration outside SSM's 1–24 hours is reported at its own key (and 1e211 is an integer too).
            if (typeof cron !== "string" || typeof durationHours !== "number" || !Number.isInteger(durationHours)) continue;
            if (durationHours < 1 || durationHours > 24) continue;
            // An offset of the wrong type is reported at its own key.
            if (offsetDays !== undefined && typeof offsetDays !== "number") continue;
            let hour: number | undefined;
            try {
                hour = dailyScanHour({ cron, durationHours, offsetDays }, timezone);
            } catch {
                continue; // the schedule itself is reported by its own key
            }
            if (hour === undefined) {
                problems.push({
                    key: "compliance",
                    path: ["dailyScan"],
                    message: `patch group "${g.name}": its window leaves no hour of the day free for a daily scan outside it; give the group a shorter or less frequent window, or turn dailyScan off`,
                });
            }
        }
    }
    return problems;
}

/**
 * Why a schedule that passes checkSchedule still never opens a window from now on (a cron whose
 * year field names only past years, an at() in the past); undefined when it starts again.
 */
function neverStarts(cron: string, offsetDays: unknown, timezone: unknown): string | undefined {
    if (checkSchedule(cron).length > 0) return undefined; // reported by the schema
    const tz = typeof timezone === "string" && checkTimezone(timezone).length === 0 ? timezone : DEFAULT_TIMEZONE;
    const offset =
        typeof offsetDays === "number" && Number.isInteger(offsetDays) && cron.trim().startsWith("cron(") ? offsetDays : undefined;
    const now = new Date();
    let starts: Date[];
    try {
        starts = nextStarts(cron, { timezone: tz, scheduleOffset: offset, from: now, count: 1 });
    } catch {
        return undefined; // an invalid offset or timezone is reported at its own key
    }
    if (starts.length > 0) return undefined;
    const today = now.toISOString().slice(0, 10);
    const fix = "this group would never be patched";
    const expr = cron.trim();
    if (expr.startsWith("at("))
        return `never starts after ${today}: ${JSON.stringify(expr)} is in the past; ${fix}. Use a cron(...) for a recurring window`;
    const year = /^cron\((.*)\)$/.exec(expr)?.[1].trim().split(/\s+/)[5];
    const years = (year ?? "").match(/\d{4}/g)?.map(Number) ?? [];
    if (year !== undefined && year !== "*" && years.length > 0 && Math.max(...years) < now.getUTCFullYear())
        return `never starts after ${today}: the year field "${year}" names only past years; ${fix}. Use * for every year, or name this year or later`;
    return `never starts after ${today}${year !== undefined && year !== "*" ? `: no start is left in the year field "${year}"` : ""}; ${fix}. Use * for every year, or name later years`;
}

function seedBaseline(name: string): { index: number; os: unknown } | undefined {
    const i = SEED_BASELINES.findIndex((b) => b.name === name);
    return i < 0 ? undefined : { index: i, os: SEED_BASELINES[i].operatingSystem };
}
