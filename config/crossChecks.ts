// Rules that span keys: references between baselines and groups, unique names, window quotas,
// and the operations features' rules. They read the typed values of the keys whose schemas
// accepted them, and the model built from those: a key its schema refused is reported at the key,
// and no rule here assumes its default instead (a rule that needs it waits until it is fixed).
import { BASELINE_LIMITS, OperatingSystem, QUOTAS } from "@patch-manager/ssm";
import { exemptionProblems } from "./exemptions";
import { freezeProblems } from "./freezes";
import { checkSchedule, checkTimezone, cutoffProblems, isCron, nextStarts, scheduleOffsetProblems } from "@patch-manager/ssm";
import { defaultApprovalRules, filterKeyProblem, supportsApprovalDelay } from "./approvalRules";
import {
    DEFAULT_DATA_SYNC_PREFIX,
    DEFAULT_LOG_KEY_PREFIX,
    DEFAULT_OPERATION,
    DEFAULT_REPORT_RESULTS_PREFIX,
    DEFAULT_TIMEZONE,
    FLEET_INPUTS_PREFIX,
    SEED_BASELINES,
} from "./defaults";
import { ConfigProblem, keyPath } from "./errors";
import { ConfigKey, ConfigValues } from "./keys";
import type { ParsedBaseline } from "./baselines";
import type { PatchManagerConfig } from "./model";
import type { ParsedPatchGroup } from "./patchGroups";
import { slug } from "./naming";
import { EGRESS_PATCH_SOURCES, S3_ONLY_OPERATING_SYSTEMS } from "./network";
import { dailyScanHour } from "./scanHour";
import { sourceProblems, strategyProblems } from "./strategies";
import { lateReboot } from "./runtime/rebootAfterInstall";
import { windowPlan } from "./windowPlan";

/** What the rules across keys read: the keys that parsed, and what is known of the others. */
export interface CheckedValues {
    /** The typed value of each key whose schema accepted it. */
    readonly values: Partial<ConfigValues>;
    /** Keys the stack sets whose values were refused (each reported at its key). */
    readonly refused: ReadonlySet<ConfigKey>;
    /** Each listed baseline that passed its schema, at its index (undefined where it did not), also when others did not. */
    readonly baselines: readonly (ParsedBaseline | undefined)[];
    /** Each listed patch group that passed its schema, at its index, likewise. */
    readonly patchGroups: readonly (ParsedPatchGroup | undefined)[];
    /** The name of each listed baseline and patch group that passed the name's schema, also where the entry did not. */
    readonly names: { readonly baselines: readonly (string | undefined)[]; readonly patchGroups: readonly (string | undefined)[] };
    /** The model of the accepted values, the refused keys left at their defaults: read only where none of them matters. */
    readonly model: PatchManagerConfig;
    /** The time "from now on" means (a schedule that never starts again): the caller's clock, never read here. */
    readonly now: Date;
}

/** Every rule across keys, in the order the keys are read: baselines, patch groups, quotas, operations. */
export function crossCheck(input: CheckedValues): ConfigProblem[] {
    const { values, refused, model } = input;
    /** Whether the rules may read these keys: none of them was refused. */
    const known = (...keys: ConfigKey[]) => keys.every((k) => !refused.has(k));
    const problems: ConfigProblem[] = [];
    const baselinesByName = new Map<string, { index: number; os: OperatingSystem }>();

    const baselineNames = new Map<string, number>();
    input.names.baselines.forEach((name, i) => {
        if (name === undefined) return;
        const sameSlug = [...baselineNames.entries()].find(([other]) => slug(other) === slug(name));
        if (baselineNames.has(name)) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}" is already the name of baselines[${baselineNames.get(name)}]; baseline names must be unique`,
            });
        } else if (sameSlug) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}" gives the same resource names as baselines[${sameSlug[1]}] ("${sameSlug[0]}"); rename one of them`,
            });
        } else baselineNames.set(name, i);
        if (slug(name).startsWith("default-")) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${name}": names starting with "default-" are reserved for the baselines the program generates`,
            });
        }
    });
    input.baselines.forEach((b, i) => {
        if (!b) return;
        if (baselineNames.get(b.name) === i) baselinesByName.set(b.name, { index: i, os: b.operatingSystem });
        const os = b.operatingSystem;
        const noDelay = !supportsApprovalDelay(os);
        const cannotDelay = `${os} baselines cannot delay approval (SSM ignores it: the repos carry no release dates); leave it out and stagger rollout with the groups' windows instead`;
        if (noDelay && b.approveAfterDays !== undefined && b.approveAfterDays !== 0) {
            problems.push({ path: keyPath("baselines", [i, "approveAfterDays"]), message: cannotDelay });
        }
        if (b.approvalRules !== undefined) {
            b.approvalRules.forEach((r, j) => {
                const seen = new Map<string, number>();
                r.patchFilters.forEach((f, k) => {
                    const misfit = filterKeyProblem(os, f.key);
                    if (misfit) {
                        problems.push({ path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]), message: misfit });
                    }
                    if (seen.has(f.key)) {
                        problems.push({
                            path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]),
                            message: `${f.key} is already patchFilters[${seen.get(f.key)}]; a rule takes each filter key once (put all its values in one filter)`,
                        });
                    } else seen.set(f.key, k);
                });
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
        } else if (b.preset === undefined && defaultApprovalRules(os, 0) === undefined) {
            problems.push({
                path: keyPath("baselines", [i, "approvalRules"]),
                message: `is required for ${os}: there are no default approval rules for it`,
            });
        }
        for (const p of sourceProblems(os, b.sources)) problems.push({ path: keyPath("baselines", [i, ...p.path]), message: p.message });
        if (b.preset === "windows2012-security" && os !== "WINDOWS") {
            problems.push({
                path: keyPath("baselines", [i, "preset"]),
                message: 'preset "windows2012-security" needs operatingSystem WINDOWS',
            });
        }
    });
    const defaults = new Map<string, number>();
    input.baselines.forEach((b, i) => {
        if (b?.registerAsDefault !== true) return;
        const other = defaults.get(b.operatingSystem);
        if (other !== undefined) {
            problems.push({
                path: keyPath("baselines", [i, "registerAsDefault"]),
                message: `baselines[${other}] is already the default for ${b.operatingSystem}; an OS has one default baseline`,
            });
        } else defaults.set(b.operatingSystem, i);
    });

    const names = new Map<string, number>();
    const slugs = new Map<string, number>();
    input.names.patchGroups.forEach((name, i) => {
        if (name === undefined) return;
        if (names.has(name)) {
            problems.push({
                path: keyPath("patchGroups", [i, "name"]),
                message: `"${name}" is already patchGroups[${names.get(name)}]; each Patch Group tag value appears once`,
            });
        } else if (slugs.has(slug(name))) {
            problems.push({
                path: keyPath("patchGroups", [i, "name"]),
                message: `"${name}" gives the same resource names as patchGroups[${slugs.get(slug(name))}] ("${slug(name)}"); rename one of them`,
            });
        }
        names.set(name, names.get(name) ?? i);
        slugs.set(slug(name), slugs.get(slug(name)) ?? i);
    });
    input.patchGroups.forEach((g, i) => {
        if (!g) return;
        const at = (...p: (string | number)[]) => keyPath("patchGroups", [i, ...p]);

        // A baseline the schemas refused may be the one a group names: references wait until it is fixed.
        if (g.baseline !== undefined && known("baselines")) {
            const ref = baselinesByName.get(g.baseline) ?? (values.baselines === undefined ? seedBaseline(g.baseline) : undefined);
            if (!ref) {
                const known = (values.baselines ?? SEED_BASELINES).map((b) => `"${b.name}"`);
                problems.push({
                    path: at("baseline"),
                    message: `"${g.baseline}" is not a baseline in patch-manager:baselines (defined: ${known.join(", ") || "none"}); leave it out to use the default baseline for ${g.operatingSystem}`,
                });
            } else if (ref.os !== g.operatingSystem) {
                problems.push({
                    path: at("baseline"),
                    message: `baseline "${g.baseline}" is for ${ref.os} but this group's operatingSystem is ${g.operatingSystem}; a group's baseline must match its OS`,
                });
            }
        } else if (g.baseline === undefined && defaultApprovalRules(g.operatingSystem, 0) === undefined) {
            problems.push({
                path: at("baseline"),
                message: `is required for ${g.operatingSystem}: there is no default baseline for it; define one in patch-manager:baselines`,
            });
        }
        // What a group may do depends on its operation: the stack's, unless refused, when the group sets none.
        if (g.operation !== undefined || known("operation")) {
            problems.push(
                ...strategyProblems(g, i, {
                    operation: g.operation ?? values.operation ?? DEFAULT_OPERATION,
                    production: values.environment === "production",
                    hooked: known("safeStops") && Object.hasOwn(values.safeStops?.hooks ?? {}, g.name),
                }),
            );
        }
        // The group's own window and its reboot window, each checked as SSM checks a window.
        for (const [key, timing] of [
            ["schedule", g.schedule],
            ["rebootWindow", g.rebootWindow],
        ] as const) {
            if (timing === undefined) continue;
            for (const p of cutoffProblems(timing.cutoff, timing.duration, "durationHours"))
                problems.push({ path: at(key, "cutoffHours"), message: `${timing.cutoff} ${p}` });
            for (const p of scheduleOffsetProblems(timing.scheduleOffset, timing.schedule))
                problems.push({ path: at(key, "offsetDays"), message: p });
            const never = known("timezone") ? neverStarts(timing.schedule, timing.scheduleOffset, model.timezone, input.now) : undefined;
            if (never) problems.push({ path: at(key, "cron"), message: never });
        }
    });

    // The windows the program would create; only when every key that lays them out was accepted.
    const windows = known("patchGroups", "environment", "window") ? windowPlan(model) : undefined;
    if (windows) {
        // A window holds at most 20 tasks and 100 targets: one of each per group in it.
        const inEnvironmentWindow = windows.find((w) => w.kind === "environment")?.groups.length ?? 0;
        if (inEnvironmentWindow > QUOTAS.tasksPerWindow) {
            problems.push({
                path: keyPath("patchGroups"),
                message: `${inEnvironmentWindow} groups share the environment window, which holds at most ${QUOTAS.tasksPerWindow} tasks; give some groups their own schedule`,
            });
        }
        // A NoReboot install leaves its nodes non-compliant until the reboot window reboots and scans them.
        if (known("rebootWithinHours", "timezone"))
            for (const g of model.patchGroups.filter((x) => x.strategies.rebootWindow)) {
                const late = lateReboot(windows, g.name, model.rebootWithinHours, new Date());
                if (!late) continue;
                const index = input.patchGroups.findIndex((p) => p?.name === g.name);
                // A reboot window refused at its own keys is reported there first.
                if (problems.some((p) => p.path.startsWith(keyPath("patchGroups", [index, "rebootWindow"])))) continue;
                problems.push({
                    path: keyPath("patchGroups", [index, "rebootWindow", "cron"]),
                    message:
                        `an install window of "${g.name}" closes ${late.installEnds.toISOString().slice(0, 16)} UTC and the reboot window opens ` +
                        `${late.nextReboot ? `only ${Math.round((late.nextReboot.getTime() - late.installEnds.getTime()) / 3600000)} hours later` : "never after it"}: ` +
                        `the nodes stay InstalledPendingReboot and non-compliant until then; open the reboot window within ` +
                        `${model.rebootWithinHours} hours of every install window (patch-manager:rebootWithinHours), e.g. on each install day`,
                });
            }
        if (windows.length > QUOTAS.windowsPerRegion) {
            problems.push({
                path: keyPath("patchGroups"),
                message: `${windows.length} maintenance windows exceed the SSM default quota of ${QUOTAS.windowsPerRegion} per account and region`,
            });
        }
    }
    if (values.exemptions) {
        const checked = exemptionProblems(values.exemptions, {
            production: values.environment === "production",
            ...(known("patchGroups") ? { groups: model.patchGroups } : {}),
            ...(known("patchGroups", "baselines")
                ? {
                      baselines: model.baselines.map((b) => ({
                          name: b.name,
                          rejectedPatches: b.rejectedPatches,
                          explicitAction: values.baselines?.find((x) => x.name === b.name)?.rejectedPatchesAction,
                      })),
                  }
                : {}),
            rejectedLimit: BASELINE_LIMITS.patchList,
        });
        for (const p of checked) problems.push({ path: keyPath("exemptions", p.path), message: p.message });
    }
    // An EventBridge rule sees only its own region's events: a calendar given by ARN lives in one region.
    if (values.freezeCalendar?.startsWith("arn:") && values.regions !== undefined && values.regions.length > 1)
        problems.push({
            path: keyPath("freezeCalendar"),
            message: `is an ARN, which names a calendar of one region, and EventBridge delivers its state changes only there; with patch-manager:regions give the calendar's name, and keep a calendar of that name in each of ${values.regions.join(", ")}`,
        });
    if (values.freezes && known("timezone"))
        for (const p of freezeProblems(values.freezes, model.timezone))
            problems.push({ path: keyPath("freezes", p.path), message: p.message });
    for (const p of crossCheckOperations(input, known)) problems.push({ path: keyPath(p.key, p.path), message: p.message });
    return problems;
}

interface OperationsProblem {
    readonly key: ConfigKey;
    readonly path: (string | number)[];
    readonly message: string;
}

/** The operations features' rules: alerts, safe stops, regions, private endpoints, compliance. */
function crossCheckOperations(input: CheckedValues, known: (...keys: ConfigKey[]) => boolean): OperationsProblem[] {
    const { values, model } = input;
    const problems: OperationsProblem[] = [];
    const regions = values.regions;
    // The patch groups as the model has them (the default groups when the stack lists none).
    const groups = known("patchGroups") ? model.patchGroups : undefined;

    const alerts = values.alerts;
    if (alerts !== undefined) {
        if (alerts.topicArn === undefined && alerts.emails.length === 0) {
            problems.push({
                key: "alerts",
                path: [],
                message:
                    "needs emails (a topic is created for them) or topicArn (an existing topic); with neither, nobody would hear an alert",
            });
        }
        if (alerts.topicArn !== undefined && alerts.kmsKeyArn !== undefined) {
            problems.push({
                key: "alerts",
                path: ["kmsKeyArn"],
                message: "applies to the topic the program creates; an existing topicArn keeps its own encryption",
            });
        }
        if (alerts.topicArn !== undefined && regions !== undefined && regions.length > 1) {
            problems.push({
                key: "alerts",
                path: ["topicArn"],
                message:
                    "an existing topic lives in one region, and EventBridge rules and Run Command notify topics of their own region; leave topicArn out to get one encrypted topic per region",
            });
        }
    }

    for (const [name, h] of Object.entries(values.safeStops?.hooks ?? {})) {
        const group = groups?.find((g) => g.name === name);
        if (groups && !group) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: `"${name}" is not a patch group in patch-manager:patchGroups (groups: ${groups.map((g) => `"${g.name}"`).join(", ")})`,
            });
        } else if (group?.operatingSystem === "MACOS") {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "AWS-RunPatchBaselineWithHooks does not support macOS; remove the hooks of this group",
            });
        } else if (group?.operation === "Scan" && known("operation")) {
            // AWS-RunPatchBaselineWithHooks runs its hooks around an install only: a Scan completes without them.
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message:
                    'this group only scans (operation "Scan"), and AWS-RunPatchBaselineWithHooks runs no hook on a scan: remove the hooks, or set the group\'s operation to "Install"',
            });
        }
        if (h.preInstall === undefined && h.postInstall === undefined && h.onExit === undefined) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "names no hook document; set preInstall, postInstall or onExit (or remove the entry)",
            });
        }
    }

    const withoutRegions = regions === undefined && known("regions");
    if (values.centralLogBucket === true && withoutRegions) {
        problems.push({
            key: "centralLogBucket",
            path: [],
            message: "applies only with patch-manager:regions (a single-region stack has one log bucket anyway)",
        });
    }
    if (values.keepSingleRegionNames === true && withoutRegions) {
        problems.push({
            key: "keepSingleRegionNames",
            path: [],
            message: "applies only with patch-manager:regions (a single-region stack has these names already)",
        });
    }
    if (regions) {
        const seen = new Map<string, number>();
        regions.forEach((r, i) => {
            if (seen.has(r))
                problems.push({ key: "regions", path: [i], message: `"${r}" is already regions[${seen.get(r)}]; list each region once` });
            else seen.set(r, i);
        });
    }
    const endpoints = values.privateEndpoints ?? [];
    const centralRegion = values.centralLogBucket === true && regions !== undefined ? regions[0] : undefined;
    endpoints.forEach((e, i) => {
        if (e.patchSource === "s3-only" && groups) {
            const others = groups.filter((g) => !S3_ONLY_OPERATING_SYSTEMS.has(g.operatingSystem));
            if (others.length > 0)
                problems.push({
                    key: "privateEndpoints",
                    path: [i, "patchSource"],
                    message: `"s3-only" reaches only the Amazon Linux 2 and 2023 repositories (in the region's S3); ${others.map((g) => `"${g.name}" (${g.operatingSystem})`).join(", ")} need${others.length === 1 ? "s" : ""} "nat", "proxy" or "mirror" (WSUS for Windows, RHUI through NAT or a proxy, a repository mirror)`,
                });
        }
        // The SSM Agent uploads command output to the bucket's own region, and an S3 gateway
        // endpoint reaches only buckets of its region: without egress the output is lost.
        if (
            centralRegion !== undefined &&
            e.region !== undefined &&
            e.region !== centralRegion &&
            !EGRESS_PATCH_SOURCES.has(e.patchSource)
        ) {
            problems.push({
                key: "privateEndpoints",
                path: [i],
                message: `(${e.region}): instances reach AWS only through private endpoints (patchSource "${e.patchSource}"), but command output goes to the central log bucket in ${centralRegion}, and an S3 gateway endpoint reaches only buckets of its own region. Set patch-manager:centralLogBucket: false (a bucket per region), or patchSource "nat" or "proxy" if this VPC has that egress`,
            });
        }
    });
    if (known("regions")) {
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
    }
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

    const compliance = values.compliance;
    const configRules = compliance?.configRule === true || values.deniedApplications !== undefined;
    const recorder = compliance?.configRecorder;
    const ownBucket = values.logging?.bucketName !== undefined;
    if (configRules && recorder === undefined && known("compliance")) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message:
                'is required with AWS Config rules (configRule, deniedApplications): they need a customer-managed configuration recorder in every region, and AWS allows one per account and region (a Control Tower landing zone already runs one). Set "create" (the program creates recorder, delivery channel and status) or "existing" (see docs/preconditions.md for how to tell)',
        });
    }
    if (!configRules && recorder !== undefined && known("deniedApplications")) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message: "applies only with AWS Config rules (compliance.configRule: true or deniedApplications); leave it out",
        });
    }
    if (configRules && recorder === "create" && ownBucket) {
        problems.push({
            key: "compliance",
            path: ["configRecorder"],
            message:
                '"create" delivers to the log bucket the program creates (its policy gets the statements AWS Config needs); with logging.bucketName, use "existing" and set up the recorder and its bucket policy yourself',
        });
    }
    if (compliance?.dataSync === true && ownBucket) {
        // The program cannot add the SSM statement to a bucket policy it does not own: say what to add.
        problems.push({
            key: "compliance",
            path: ["dataSync"],
            message:
                "needs the log bucket the program creates (its policy gets the statement SSM data sync needs); with logging.bucketName, turn dataSync off and add a resource data sync to your bucket yourself",
        });
    }
    // Prefixes of the log bucket that must stay apart: every node may write the command output (the
    // log prefix), the data sync's reports are read by whoever reports on compliance, and the files
    // the fleet reads (FLEET_INPUTS_PREFIX) no node may write. An overlap lets nodes forge the others.
    if (known("logging", "compliance")) {
        const keyPrefix = values.logging?.keyPrefix ?? DEFAULT_LOG_KEY_PREFIX;
        const dataSyncPrefix = compliance?.dataSyncPrefix ?? DEFAULT_DATA_SYNC_PREFIX;
        if (prefixesOverlap(keyPrefix, FLEET_INPUTS_PREFIX))
            problems.push({
                key: "logging",
                path: ["keyPrefix"],
                message: `"${keyPrefix}" overlaps "${FLEET_INPUTS_PREFIX}/", where the program keeps the files the fleet reads (baseline overrides), which no node may write; choose a prefix outside it, e.g. "patching"`,
            });
        if (compliance?.dataSync === true && prefixesOverlap(dataSyncPrefix, keyPrefix))
            problems.push({
                key: "compliance",
                path: ["dataSyncPrefix"],
                message: `"${dataSyncPrefix}" overlaps the log prefix "${keyPrefix}" that every node may write: nodes could forge the data sync's files that reports read; choose a prefix apart from it, e.g. "${keyPrefix === DEFAULT_DATA_SYNC_PREFIX ? "compliance-sync" : DEFAULT_DATA_SYNC_PREFIX}"`,
            });
        if (compliance?.dataSync === true && prefixesOverlap(dataSyncPrefix, FLEET_INPUTS_PREFIX))
            problems.push({
                key: "compliance",
                path: ["dataSyncPrefix"],
                message: `"${dataSyncPrefix}" overlaps "${FLEET_INPUTS_PREFIX}/", where the program keeps the files the fleet reads; choose another prefix, e.g. "${DEFAULT_DATA_SYNC_PREFIX}"`,
            });
        const bucket = values.logging?.bucketName;
        input.patchGroups.forEach((g, i) => {
            const url = g?.installOverrideList;
            const m = url === undefined || bucket === undefined ? null : /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
            if (
                m &&
                m[1] === bucket &&
                (prefixesOverlap(m[2], keyPrefix) || (compliance?.dataSync === true && prefixesOverlap(m[2], dataSyncPrefix)))
            )
                problems.push({
                    key: "patchGroups",
                    path: [i, "installOverrideList"],
                    message: `${url} lies under a prefix of the log bucket that nodes or the data sync write (and the log prefix expires): keep the exception list outside "${keyPrefix}/", e.g. in a bucket or prefix only its authors can write`,
                });
        });
    }
    const reporting = values.reporting;
    if (reporting !== undefined && known("compliance") && compliance?.dataSync !== true) {
        problems.push({
            key: "reporting",
            path: [],
            message:
                "reads the resource data sync's files: set patch-manager:compliance.dataSync to true (the sync writes inventory and compliance to the log bucket), or leave reporting out",
        });
    }
    // The query results are read by whoever audits: apart from what nodes write (the log prefix, which
    // also expires), from what the sync writes and from the files the fleet reads.
    if (reporting !== undefined && known("logging", "compliance")) {
        const keyPrefix = values.logging?.keyPrefix ?? DEFAULT_LOG_KEY_PREFIX;
        const others: [string, string][] = [
            [keyPrefix, `the log prefix "${keyPrefix}" that every node may write and that expires`],
            [compliance?.dataSyncPrefix ?? DEFAULT_DATA_SYNC_PREFIX, "the data sync's prefix, which the tables read"],
            [FLEET_INPUTS_PREFIX, "where the program keeps the files the fleet reads"],
        ];
        for (const [other, what] of others)
            if (prefixesOverlap(reporting.resultsPrefix, other))
                problems.push({
                    key: "reporting",
                    path: ["resultsPrefix"],
                    message: `"${reporting.resultsPrefix}" overlaps "${other}/", ${what}; choose a prefix apart from it, e.g. "${DEFAULT_REPORT_RESULTS_PREFIX}"`,
                });
    }
    // The scan hour is worked out from each group's window in the stack's zone.
    const windows = known("patchGroups", "environment", "window", "timezone") ? windowPlan(model) : [];
    if (compliance?.dailyScan === true) {
        for (const g of model.patchGroups) {
            const w = windows.find((x) => x.kind !== "reboot" && x.groups.includes(g));
            // An offset SSM would refuse (on a rate or at schedule) is reported at the group's key; no start can be worked out.
            if (w === undefined || scheduleOffsetProblems(w.timing.scheduleOffset, w.timing.schedule).length > 0) continue;
            if (dailyScanHour(w.timing, w.timezone) !== undefined) continue;
            problems.push({
                key: "compliance",
                path: ["dailyScan"],
                message: `patch group "${g.name}": its window leaves no hour of the day free for a daily scan outside it; give the group a shorter or less frequent window, or turn dailyScan off`,
            });
        }
    }
    return problems;
}

/**
 * Why a schedule that passes checkSchedule still never opens a window from now on (a cron whose
 * year field names only past years, an at() in the past); undefined when it starts again.
 */
function neverStarts(cron: string, offsetDays: number | undefined, timezone: string, now: Date): string | undefined {
    if (checkSchedule(cron).length > 0) return undefined; // reported by the schema
    const tz = checkTimezone(timezone).length === 0 ? timezone : DEFAULT_TIMEZONE;
    const offset = isCron(cron) ? offsetDays : undefined;
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

function seedBaseline(name: string): { index: number; os: OperatingSystem } | undefined {
    const i = SEED_BASELINES.findIndex((b) => b.name === name);
    return i < 0 ? undefined : { index: i, os: SEED_BASELINES[i].operatingSystem };
}

/** Whether one S3 key prefix (or key) lies under the other, segment-wise: "a" and "a/b" overlap, "a" and "ab" do not. */
export function prefixesOverlap(a: string, b: string): boolean {
    const x = `${a.replace(/\/+$/, "")}/`;
    const y = `${b.replace(/\/+$/, "")}/`;
    return x.startsWith(y) || y.startsWith(x);
}
