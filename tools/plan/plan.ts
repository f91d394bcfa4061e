// Offline plan: `npm run plan -- --stack <name>` (docs/offline-tools.md; its `--json` document: docs/plan-json.md).
import { localTime } from "../cli/localTime";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, PatchManagerConfig, PROJECT } from "../../config";
import { PATCH_GROUP_TAG_KEYS, TYPES } from "@patch-manager/ssm";
import { PolicyConfigError, PolicyPackConfigInput, runPolicies, Violation } from "../audit/engine";
import { policiesAt } from "../../policies/pack";
import {
    analyzeFleet,
    checkClashes,
    checkWaveOrder,
    checkFreezeGaps,
    FreezeGapFinding,
    ClashFinding,
    FleetReport,
    fleetCalendar,
    fleetStack,
    FleetStack,
    hasBlockingFindings,
    renderFleet,
    WaveOrderFinding,
} from "../fleet";
import { displayPath, userPath } from "../cli/userPath";
import { CommandIO, examples, parseCommand, processIO, toolCommand } from "../cli/command";
import { unknownStackLines, projectStacks } from "../cli/stacks";
import { renderClashes, renderViolations, withConfigKeys } from "../audit/findings";
import { renderTimeline } from "../../config/runtime/windowRun";
import { groupEstimatesOf, resourceRegion, windowsOf } from "./windows";
import type { RolloutPicture } from "../fleet/rollout/svg";
import { auditResourcesOf, evaluateProgram, PlannedResource, readStackFile, StackFileError } from "../mock/mockProgram";
import {
    FleetPlan,
    Plan,
    planDocument,
    PlannedExemption,
    PlannedFreeze,
    PlannedPatchNow,
    PlannedReports,
    PlannedWindow,
    Preconditions,
} from "./planJson";
import { patchNowListPrefix, takesPatchList } from "../../components/patchNow";
import { writtenAutomationDocument } from "../../components/runbooks";
import { RESOURCE_TYPES } from "../../config/resourceTypes";
import { ENVIRONMENTS } from "../../config/environment";
import { freezeSpans, frozenAt } from "../../config/freezes";
import { parse as parseYaml } from "yaml";
import { namesProject } from "../cli/command";
import { PROJECT_ROOT } from "../cli/projectRoot";
import { useZoneMemo } from "../cli/zoneMemo";

// What only some options use is loaded when first asked for (`--ics`, `--svg`, `--markdown`,
// `--diff`/`--diff-against`, `--project`): a plain `--stack <name>` plan does not compile it.
const ics = lazy(() => require("../fleet/ics") as typeof import("../fleet/ics"));
const mermaid = lazy(() => require("../fleet/rollout/mermaid") as typeof import("../fleet/rollout/mermaid"));
const svg = lazy(() => require("../fleet/rollout/svg") as typeof import("../fleet/rollout/svg"));
const diffCli = lazy(() => require("../diff/cli") as typeof import("../diff/cli"));
const projectPlan = lazy(() => require("../../org/tools/projectPlan") as typeof import("../../org/tools/projectPlan"));

/** A module loaded on first use; `loaded()` without loading it. */
function lazy<T>(load: () => T): { (): T; loaded(): T | undefined } {
    let module: T | undefined;
    return Object.assign(() => (module ??= load()), { loaded: () => module });
}

export type { FleetPlan, Plan, PlannedWindow, Preconditions, Violation };
export { resourceRegion, windowsOf };

/** The preconditions a validated stack states (patch sources behind private endpoints, the Config recorder). */
export function preconditionsOf(config: PatchManagerConfig): Preconditions | undefined {
    const ops = config.operations;
    const out: Preconditions = {
        ...(ops.privateEndpoints.length > 0
            ? {
                  patchSources: ops.privateEndpoints.map((e) => ({
                      ...(e.region !== undefined ? { region: e.region } : {}),
                      vpcId: e.vpcId,
                      patchSource: e.patchSource,
                  })),
              }
            : {}),
        ...(ops.compliance.configRecorder !== undefined ? { configRecorder: ops.compliance.configRecorder } : {}),
    };
    return Object.keys(out).length > 0 ? out : undefined;
}

/** The stack's exemptions as the plan shows them, at the instant the model was built for. */
export function exemptionsOf(config: PatchManagerConfig): PlannedExemption[] {
    return config.exemptions.map((e) => ({
        configKey: `${PROJECT}:exemptions[${e.index}]`,
        patches: [...e.patches],
        ...(e.groups ? { groups: [...e.groups] } : {}),
        baselines: [...e.baselines],
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
        ...(e.ticket !== undefined ? { ticket: e.ticket } : {}),
        until: e.until,
        endsAt: e.endsAt,
        inForce: e.inForce,
        daysLeft: e.daysLeft,
    }));
}

/** The command that runs a named query: Athena runs query text, so it is read from the named query first. */
export function namedQueryCommand(region: string, workgroup: string, database: string, id: string): string {
    return (
        `aws athena start-query-execution --region ${region} --work-group ${workgroup} --query-execution-context Database=${database} ` +
        `--query-string "$(aws athena get-named-query --region ${region} --named-query-id ${id} --query NamedQuery.QueryString --output text)"`
    );
}

/** The compliance reports read off the registered workgroups and named queries; undefined when there are none. */
export function reportsOf(resources: readonly PlannedResource[]): PlannedReports[] | undefined {
    const reports = resources
        .filter((r) => r.type === TYPES.athenaWorkgroup)
        .map((w): PlannedReports => {
            const workgroup = String(w.inputs.name);
            const queries = resources.filter(
                (q) => q.type === TYPES.athenaNamedQuery && q.region === w.region && q.inputs.workgroup === workgroup,
            );
            const database = String(queries[0]?.inputs.database ?? "");
            const configuration = w.inputs.configuration as { resultConfiguration?: { outputLocation?: string } } | undefined;
            return {
                region: w.region,
                database,
                workgroup,
                resultsLocation: configuration?.resultConfiguration?.outputLocation ?? "",
                queries: queries.map((q) => ({
                    name: String(q.inputs.name),
                    description: String(q.inputs.description ?? ""),
                    // The id is unknown until the query exists (a preview of a new one): the command says where it goes.
                    id: q.id ?? "<id>",
                    command: namedQueryCommand(w.region, workgroup, String(q.inputs.database), q.id ?? "<id>"),
                })),
            };
        });
    return reports.length > 0 ? reports : undefined;
}

/** Compliance reports: each region's workgroup, database and the command of each named query. */
export function renderReports(reports: readonly PlannedReports[] | undefined): string[] {
    if (!reports) return [];
    const out = [
        "",
        "Compliance reports (docs/reports.md): run a named query, then aws athena get-query-results --query-execution-id <id>",
    ];
    for (const r of reports) {
        out.push(`  ${r.region}: workgroup ${r.workgroup}, database ${r.database}, results ${r.resultsLocation}`);
        for (const q of r.queries) out.push(`    ${q.name}: ${q.description}`, `      ${q.command}`);
    }
    return out;
}

/** The stack's freezes with their next occurrence from `from`; undefined when it has none. */
export function freezesOf(config: PatchManagerConfig, from: Date): Plan["freezes"] {
    const { periods, calendar } = config.freezes;
    if (periods.length === 0 && calendar === undefined) return undefined;
    const far = new Date(from.getTime() + 5 * 366 * 24 * 3_600_000);
    return {
        periods: periods.map((p): PlannedFreeze => {
            const next = freezeSpans([p], from, far)[0];
            return {
                configKey: `${PROJECT}:freezes[${p.index}]`,
                name: p.name,
                reason: p.reason,
                ...(p.rrule !== undefined ? { rrule: p.rrule } : {}),
                ...(next ? { next: { start: next.start.toISOString(), end: next.end.toISOString() } } : {}),
            };
        }),
        ...(calendar !== undefined ? { calendar } : {}),
    };
}

/** Each window with the next starts a freeze skips. */
function withSkips(windows: PlannedWindow[], config: PatchManagerConfig | undefined): PlannedWindow[] {
    const periods = config?.freezes.periods ?? [];
    if (periods.length === 0) return windows;
    return windows.map((w) => {
        const skipped = w.next.flatMap((n) => {
            const f = frozenAt(periods, new Date(n));
            return f ? [{ start: n, freeze: f.name }] : [];
        });
        return skipped.length > 0 ? { ...w, skipped } : w;
    });
}

/** A shell word: single-quoted unless it needs no quoting. */
const shellWord = (w: string) => (/^[A-Za-z0-9_./:=@-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

/** The patch-now runbook of each region and the command that starts it (every group, Install). */
export function patchNowOf(resources: readonly PlannedResource[], config: PatchManagerConfig | undefined): PlannedPatchNow[] | undefined {
    if (!config?.operations.patchNow) return undefined;
    const components = new Set(resources.filter((r) => r.type === RESOURCE_TYPES.PatchNow).map((r) => r.urn));
    const alarm = config.operations.safeStops.alarmName;
    const hooks = config.operations.safeStops.hooks;
    const groupsWithoutList = config.patchGroups
        .filter((group) => !takesPatchList({ group, ...(hooks[group.name] ? { hooks: hooks[group.name] } : {}) }))
        .map((g) => g.name);
    return resources
        .filter((r) => r.type === TYPES.document && r.parent !== null && components.has(r.parent))
        .map((r) => {
            const document = String(r.inputs.name);
            const content = String(r.inputs.content);
            // The program's own document as it wrote it, else (a document another program wrote) read from its YAML.
            const written = writtenAutomationDocument(content) as { mainSteps?: Step[] } | undefined;
            const bucket = (
                written?.mainSteps ? written.mainSteps.find((s) => s.action === "aws:runCommand") : firstStep(content, "aws:runCommand")
            )?.inputs.OutputS3BucketName;
            const request: PlannedPatchNow["request"] = {
                DocumentName: document,
                Parameters: { PatchGroup: ["all"], Operation: ["Install"] },
                ...(alarm !== undefined ? { AlarmConfiguration: { IgnorePollAlarmFailure: false, Alarms: [{ Name: alarm }] } } : {}),
            };
            const command = [
                "aws ssm start-automation-execution",
                `--region ${r.region}`,
                `--document-name ${shellWord(document)}`,
                `--parameters ${shellWord(JSON.stringify(request.Parameters))}`,
                ...(request.AlarmConfiguration ? [`--alarm-configuration ${shellWord(JSON.stringify(request.AlarmConfiguration))}`] : []),
            ].join(" ");
            return {
                region: r.region,
                document,
                request,
                command,
                patchListUrl: `s3://${String(bucket)}/${patchNowListPrefix}<name>.yaml`,
                groupsWithoutList,
            };
        });
}

type Step = { action: string; inputs: Record<string, unknown> };

/**
 * `parse(content, { version: "1.1" }).mainSteps.find((s) => s.action === action)` of a YAML
 * Automation document as components/runbooks.ts `automationContent` writes it (in YAML 1.1: a
 * bucket named 0o17 is written plain and reads as a string there), parsing only the steps up to that one: a
 * top-level `mainSteps:` line, each step from its `  - ` line at the sequence's indentation (what
 * a step holds is indented further, block scalars included) to the next one or the next
 * top-level key. Any other layout is parsed whole.
 */
export function firstStep(content: string, action: string): Step | undefined {
    const lines = content.split("\n");
    const start = lines.indexOf("mainSteps:");
    let end = start + 1;
    while (start >= 0 && end < lines.length && (lines[end] === "" || lines[end].startsWith(" "))) end++;
    const block = start >= 0 ? lines.slice(start + 1, end) : [];
    if (block.length === 0 || !block[0].startsWith("  - ")) return wholeFirstStep(content, action);
    let from = 0;
    for (let i = 1; i <= block.length; i++) {
        if (i < block.length && !block[i].startsWith("  - ")) {
            if (block[i] !== "" && !block[i].startsWith("   ")) return wholeFirstStep(content, action);
            continue;
        }
        let parsed: unknown;
        try {
            parsed = parseYaml(block.slice(from, i).join("\n"), { version: "1.1" });
        } catch {
            return wholeFirstStep(content, action);
        }
        if (!Array.isArray(parsed) || parsed.length !== 1) return wholeFirstStep(content, action);
        if (parsed[0].action === action) return parsed[0] as Step;
        from = i;
    }
    return wholeFirstStep(content, action);
}

function wholeFirstStep(content: string, action: string): Step | undefined {
    return (parseYaml(content, { version: "1.1" }) as { mainSteps: Step[] }).mainSteps.find((s) => s.action === action);
}

/** Patch now: the command per region, and where a zero-day list goes. */
export function renderPatchNow(patchNow: readonly PlannedPatchNow[] | undefined): string[] {
    if (!patchNow || patchNow.length === 0) return [];
    const out = ["", 'Patch now (docs/operations.md, "Zero-day: patch now"): every group, Install; PatchGroup names one group instead'];
    for (const p of patchNow) {
        out.push(`  ${p.region}: ${p.command}`);
        out.push(`    a zero-day list: upload it to ${p.patchListUrl}, add "InstallOverrideList":["<that URL>"] to --parameters`);
        if (p.groupsWithoutList.length > 0)
            out.push(`    with a list, skipped (their install takes none): ${p.groupsWithoutList.join(", ")}`);
    }
    return out;
}

/** The zero-day procedure's commands across the fleet, in the rollout order: development first, production last. */
export function renderFleetPatchNow(
    stacks: readonly { stack: string; environment: string; patchNow?: readonly PlannedPatchNow[] }[],
): string[] {
    const rank = (e: string) => ENVIRONMENTS.indexOf(e as (typeof ENVIRONMENTS)[number]);
    const ordered = stacks.filter((s) => s.patchNow && s.patchNow.length > 0).sort((a, b) => rank(a.environment) - rank(b.environment));
    if (ordered.length === 0) return [];
    const out = ["", 'Patch now, stack by stack in the rollout order (docs/operations.md, "Zero-day: patch now"):'];
    for (const s of ordered) for (const p of s.patchNow!) out.push(`  ${s.stack} (${s.environment}) ${p.region}: ${p.command}`);
    return out;
}

/** Change freezes: each with its next occurrence, and the calendar the stack follows. */
export function renderFreezes(freezes: Plan["freezes"], timezone: string): string[] {
    if (!freezes) return [];
    const out = ["", "Change freezes (docs/freezes.md): the windows are disabled while the calendar is closed"];
    for (const f of freezes.periods) {
        out.push(`  ${f.configKey}  ${f.name}${f.rrule ? ` (repeats: ${f.rrule})` : ""} · ${f.reason}`);
        out.push(
            f.next ? `    next: ${localTime(f.next.start, timezone)} to ${localTime(f.next.end, timezone)}` : "    no occurrence left",
        );
    }
    if (freezes.calendar)
        out.push(`  calendar ${freezes.calendar}: followed too; its events are not known offline, so the starts above do not show them`);
    return out;
}

/** Exemptions: in force with the days left, or ended (left out, to be removed from the stack file). */
export function renderExemptions(exemptions: readonly PlannedExemption[] | undefined): string[] {
    if (!exemptions || exemptions.length === 0) return [];
    const out = ["", "Exemptions (docs/exemptions.md):"];
    for (const e of exemptions) {
        const who = e.groups ? `${e.groups.join(", ")} (baseline ${e.baselines.join(", ")})` : `baseline ${e.baselines.join(", ")}`;
        out.push(`  ${e.configKey}  ${e.patches.join(", ")}  · ${who}`);
        out.push(
            e.inForce
                ? `    in force until ${e.until}: ${e.daysLeft} day${e.daysLeft === 1 ? "" : "s"} left${e.ticket ? ` · ${e.ticket}` : ""}${e.reason ? ` · ${e.reason}` : ""}`
                : `    ended ${e.until}: the baselines no longer reject these patches; remove the entry from the stack file`,
        );
    }
    return out;
}

/** Raised for bad arguments or an unreadable/invalid config: exit code 2. */
export class UsageError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("\n"));
    }
}

export interface PlanOptions {
    stack: string;
    /** Stack file to read; default `Pulumi.<stack>.yaml` in the project directory. */
    configFile?: string;
    from: Date;
    occurrences: number;
    /** Policy-pack config, as `pulumi preview --policy-pack-config` takes it. */
    policyConfig?: PolicyPackConfigInput;
}

export const PROJECT_DIR = PROJECT_ROOT;

/** The rules that compare dates (policies/clock.ts): the plan runs them at its `--from`, unless the config sets `now`. */
const DATE_RULES = ["hybrid-activation-expiry", "scan-install-no-overlap"];

/** The policy config with each date rule's `now` set to the plan's time (a level given as a string is kept). */
export function withEvaluationTime(config: PolicyPackConfigInput | undefined, from: Date): PolicyPackConfigInput {
    const out: PolicyPackConfigInput = { ...(config ?? {}) };
    for (const rule of DATE_RULES) {
        const entry = out[rule];
        if (entry === undefined) out[rule] = { now: from.toISOString() };
        else if (typeof entry === "string") out[rule] = { enforcementLevel: entry, now: from.toISOString() };
        else if (entry && typeof entry === "object" && !Array.isArray(entry) && !("now" in entry))
            out[rule] = { ...entry, now: from.toISOString() };
    }
    return out;
}

/** Evaluates one stack and derives its windows; throws UsageError for bad config. */
export async function planStack(
    opts: PlanOptions,
): Promise<Plan & { allResources: PlannedResource[]; stackValues: Readonly<Record<string, string>>; model?: PatchManagerConfig }> {
    const file = opts.configFile ?? path.join(PROJECT_DIR, `Pulumi.${opts.stack}.yaml`);
    if (!fs.existsSync(file))
        throw new UsageError(
            opts.configFile === undefined
                ? unknownStackLines(opts.stack, PROJECT_DIR, file)
                : [`--config ${displayPath(file)}: no such file (the path is taken from the directory you ran npm in)`],
        );
    let config;
    let evaluation;
    try {
        config = readStackFile(file);
        // The program validates the stack config (its one parse); its problems name the file actually read.
        evaluation = await evaluateProgram({ stack: opts.stack, config, now: opts.from.toISOString() });
    } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(new ConfigError(displayPath(file), e.problems).lines());
        if (e instanceof StackFileError) throw new UsageError([e.message]);
        throw e;
    }
    const { resources, model } = evaluation;
    const preconditions = model ? preconditionsOf(model) : undefined;
    const freezes = model ? freezesOf(model, opts.from) : undefined;
    let violations: Violation[];
    try {
        // The pack sees what a real preview gives it: the inputs after the provider's Check.
        violations = await runPolicies(auditResourcesOf(resources), {
            // Time-bound rules judge the instant the plan is for, as the program did.
            policies: policiesAt(() => opts.from),
            stackName: opts.stack,
            projectName: PROJECT,
            config: withEvaluationTime(opts.policyConfig, opts.from),
        });
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new UsageError([`--policy-pack-config: ${e.message}`]);
        throw e;
    }
    const reports = reportsOf(resources);
    const patchNow = patchNowOf(resources, model);
    return {
        project: PROJECT,
        stack: opts.stack,
        resources: resources.map(({ outputs: _outputs, ...r }) => r),
        windows: withSkips(
            windowsOf(resources, opts.from, opts.occurrences, model ? { groupEstimates: groupEstimatesOf(model.patchGroups) } : {}),
            model,
        ),
        violations: withConfigKeys(violations, resources, config.values),
        ...(preconditions ? { preconditions } : {}),
        ...(model && model.exemptions.length > 0 ? { exemptions: exemptionsOf(model) } : {}),
        ...(freezes ? { freezes } : {}),
        ...(patchNow ? { patchNow } : {}),
        ...(reports ? { reports } : {}),
        allResources: resources,
        stackValues: config.values,
        ...(model ? { model } : {}),
    };
}

/** The plan for a person; `clashes`: this stack's own windows that overlap in one region. */
export function renderPlan(plan: Plan, findings: readonly (WaveOrderFinding | ClashFinding | FreezeGapFinding)[] = []): string {
    const out: string[] = [];
    out.push(`${plan.project} · stack ${plan.stack} · ${plan.resources.length} resources`, "");
    const children = new Map<string | null, Plan["resources"]>();
    const urns = new Set(plan.resources.map((p) => p.urn));
    for (const r of plan.resources) {
        const key = r.parent !== null && urns.has(r.parent) ? r.parent : null;
        const siblings = children.get(key);
        if (siblings === undefined) children.set(key, [r]);
        else siblings.push(r);
    }
    const walk = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const label = r.custom ? `${r.type}  ${r.name}${r.id && r.id !== r.name ? `  (${r.id})` : ""}` : `${r.type}  ${r.name}`;
            out.push(`${"  ".repeat(depth + 1)}${r.custom ? "+" : "▸"} ${label}`);
            walk(r.urn, depth + 1);
        }
    };
    out.push("Resources:");
    walk(null, 0);
    out.push("", "Maintenance windows:");
    for (const w of plan.windows) {
        out.push(
            `  ${w.name}  ${w.schedule}${w.scheduleOffset ? ` +${w.scheduleOffset}d` : ""}  ${w.durationHours} h, cutoff ${w.cutoffHours} h${w.region ? ` · ${w.region}` : ""}`,
        );
        out.push(`    ${w.description}`);
        out.push(`    ${w.operation || "no task"} · ${w.patchGroups.join(", ") || "no patch groups"}`);
        for (const n of w.next) {
            const skip = w.skipped?.find((s) => s.start === n);
            out.push(
                `    next: ${localTime(n, w.timezone)}  (${n.slice(0, 16).replace("T", " ")} UTC)${skip ? `  SKIPPED: freeze "${skip.freeze}"` : ""}`,
            );
        }
        if (w.timeline && w.timeline.tasks.length > 0)
            out.push(...renderTimeline(w.timeline).map((l, i) => `    ${i === 0 ? "" : "  "}${l}`));
    }
    out.push(...renderActivations(plan.resources));
    out.push(...renderPreconditions(plan.preconditions));
    out.push(...renderExemptions(plan.exemptions));
    out.push(...renderFreezes(plan.freezes, plan.windows[0]?.timezone ?? "UTC"));
    out.push(...renderPatchNow(plan.patchNow));
    out.push(...renderReports(plan.reports));
    const waveOrder = findings.filter((f): f is WaveOrderFinding => f.check === "wave-order");
    const clashList = findings.filter((f): f is ClashFinding => f.check === "clash");
    const gaps = findings.filter((f): f is FreezeGapFinding => f.check === "freeze-gap");
    if (waveOrder.length > 0) out.push("", "Wave order (blocking):", ...waveOrder.map((f) => `  [blocking] wave-order: ${f.message}`));
    if (clashList.length > 0) out.push("", ...renderClashes(clashList));
    if (gaps.length > 0) out.push("", "Freeze gaps (advisory):", ...gaps.map((g) => `  [advisory] freeze-gap: ${g.message}`));
    out.push("", ...renderViolations(plan.violations));
    return out.join("\n");
}

/** What the account must provide, as the stack states it (docs/preconditions.md). */
export function renderPreconditions(p: Preconditions | undefined): string[] {
    if (!p) return [];
    const out = ["", "Preconditions (docs/preconditions.md):"];
    for (const e of p.patchSources ?? []) out.push(`  patch sources of ${e.vpcId}${e.region ? ` (${e.region})` : ""}: ${e.patchSource}`);
    if (p.configRecorder)
        out.push(
            `  AWS Config recorder: ${p.configRecorder === "create" ? "created by this stack in each region" : "the account's existing one (must record AWS::SSM::PatchCompliance and AWS::SSM::ManagedInstanceInventory)"}`,
        );
    return out;
}

/** Hybrid activations: which group each admits servers into, how many, until when. */
export function renderActivations(resources: Plan["resources"]): string[] {
    const activations = resources.filter((r) => r.type === TYPES.activation);
    if (activations.length === 0) return [];
    const out = ["", "Hybrid activations (servers outside AWS register with the stack output hybridActivations):"];
    for (const a of activations) {
        const i = a.inputs as Record<string, any>;
        const groupTag = Object.entries((i.tags ?? {}) as Record<string, string>).find(([k]) =>
            (PATCH_GROUP_TAG_KEYS as readonly string[]).includes(k),
        );
        out.push(
            `  ${groupTag ? `${groupTag[0]}=${groupTag[1]}` : a.name}  this code admits ${i.registrationLimit ?? "1 (SSM default)"} servers, code expires ${i.expirationDate ?? "in 24 hours (SSM default)"}, role ${i.iamRole}`,
        );
        out.push(
            "    a cap on the group across renewals: each code admits what registrationLimit leaves after the group's servers registered when it is created; a full group gets no code",
        );
    }
    out.push(`  (offline, no server is registered yet; for real, the group's servers are counted at every deployment)`);
    return out;
}

/** Options of the calendar and fleet views (beside the single-stack PlanOptions). */
export interface CalendarOptions {
    /** Evaluate every Pulumi.<stack>.yaml of the project and check the fleet. */
    all: boolean;
    /** --all: also the example stacks (`# ci: example`), which are left out by default. */
    includeExamples: boolean;
    /** Write the coming windows as an iCalendar file here. */
    ics?: string;
    /** Draw the coming windows as an SVG timeline here. */
    svg?: string;
    /** Days ahead for --ics, the fleet calendar and the rollout check. */
    days: number;
    /** Minimum days between non-production and production installing a patch. */
    soakDays: number;
    /** --all: the directory whose Pulumi.<stack>.yaml files make the fleet; default the project. */
    dir?: string;
}

export interface PlanArgs extends PlanOptions, CalendarOptions {
    json: boolean;
    markdown: boolean;
    /** Write the document (JSON, Markdown or text) to this file instead of stdout. */
    out?: string;
    diffAgainst?: string;
    diffFile?: string;
}

const PLAN = "npm run plan --";
const HELP_HINT = `(${PLAN} --help lists every option, with examples)`;

function planCommand(io: CommandIO) {
    return toolCommand(PLAN, io)
        .description(
            "Runs the real program (index.ts) for a stack under Pulumi's mock runtime: no Pulumi CLI, no credentials, no network.\n" +
                "Prints the resources, each maintenance window's next starts and the policy pack's findings.\n" +
                "Exit code: 0 fine (advisories allowed), 1 a mandatory violation or blocking fleet finding, 2 bad arguments or config.",
        )
        .option("--stack <name>", "the stack to plan: reads Pulumi.<name>.yaml, e.g. --stack dev")
        .option("--config <file>", "read this stack file instead; --stack then only names the stack, e.g. --config my.yaml")
        .option(
            "--json",
            "print one JSON document (every field: docs/plan-json.md) and nothing else; with npm, run `npm run -s plan -- ... --json`",
        )
        .option("--out <file>", "write the document (text, --json or --markdown) to this file instead of stdout, e.g. --out plan.json")
        .option("--from <ISO date>", "compute the coming windows after this instant (default: now), e.g. --from 2026-12-01")
        .option("--occurrences <n>", "next starts listed per window, 1 to 1000, e.g. --occurrences 5", "3")
        .option(
            "--policy-pack-config <file>",
            "policy-pack config as `pulumi preview --policy-pack-config` takes it, e.g. policy-config.json",
        )
        .option("--all", "plan every Pulumi.<stack>.yaml together: calendar, rollout order, clashes, shared patch groups, quota")
        .option("--include-examples", "with --all: also the example stacks (files marked `# ci: example`), left out by default")
        .option("--dir <dir>", "with --all: read the stack files from this directory, e.g. --dir ../other-project")
        .option("--soak-days <n>", "with --all: days a patch runs outside production before production installs it, 0 to 60, e.g. 5", "3")
        .option("--days <n>", "days ahead for --ics, --svg, the calendar and the rollout check, 1 to 366, e.g. --days 120", "90")
        .option("--ics <file>", "write the coming windows as an iCalendar file, e.g. --ics windows.ics")
        .option("--svg <file>", "draw the coming windows per stack and region as an SVG timeline, e.g. --all --svg rollout.svg")
        .option("--diff-against <git ref>", "compare the stack as committed at this ref with the working tree, e.g. origin/main")
        .option("--diff <old plan.json>", "compare with a plan saved by --json, e.g. --diff before.json")
        .option("--markdown", "GitHub Markdown (for a pull-request comment): a diff, or the --all report, each with a Mermaid timeline")
        .option(
            "--project <dir>",
            "evaluate another Pulumi project of this repository with the same JSON contract, e.g. --project org --stack example [--all]",
        )
        .addHelpText(
            "after",
            examples([
                ["the dev stack, for a person", `${PLAN} --stack dev`],
                [
                    "the plan as JSON, nothing else on stdout (-s keeps npm's banner out)",
                    `npm run -s plan -- --stack prod --json > prod.json`,
                ],
                ["the same, written by the plan itself", `${PLAN} --stack prod --json --out prod.json`],
                ["every stack together, with a picture of the rollout", `${PLAN} --all --svg rollout.svg`],
                ["the fleet's windows of the next 120 days in your calendar", `${PLAN} --all --ics fleet.ics --days 120`],
                ["what a change does to prod, as a pull-request comment", `${PLAN} --stack prod --diff-against origin/main --markdown`],
            ]),
        );
}

/** The arguments as options; an exit code instead when help was shown (0) or commander refused them (2). */
export function parsePlanArgs(argv: string[], io: CommandIO = processIO): PlanArgs | { exitCode: number } {
    const parsed = parseCommand<{
        stack?: string;
        config?: string;
        json?: boolean;
        out?: string;
        from?: string;
        occurrences: string;
        policyPackConfig?: string;
        all?: boolean;
        includeExamples?: boolean;
        dir?: string;
        soakDays: string;
        days: string;
        ics?: string;
        svg?: string;
        diffAgainst?: string;
        diff?: string;
        markdown?: boolean;
    }>(planCommand(io), argv);
    if (!parsed.ok) return { exitCode: parsed.code };
    const values = parsed.options;
    const problems: string[] = [];
    const diffing = values.diffAgainst !== undefined || values.diff !== undefined;
    if (values.all && (values.stack || values.config))
        problems.push("--all evaluates every Pulumi.<stack>.yaml; leave out --stack and --config");
    else if (!values.stack && !values.all) problems.push("--stack <name> is required (reads Pulumi.<name>.yaml), or --all for every stack");
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) problems.push(`--days "${values.days}" must be a whole number from 1 to 366`);
    const soakDays = Number(values.soakDays);
    if (!Number.isInteger(soakDays) || soakDays < 0 || soakDays > 60)
        problems.push(`--soak-days "${values.soakDays}" must be a whole number from 0 to 60`);
    if (values.dir !== undefined && !values.all) problems.push("--dir only goes with --all");
    if (values.includeExamples && !values.all)
        problems.push("--include-examples only goes with --all (a single --stack plans any stack file)");
    for (const [flag, file, example] of [
        ["--ics", values.ics, "windows.ics"],
        ["--svg", values.svg, "rollout.svg"],
        ["--out", values.out, "plan.json"],
    ] as const)
        if (file !== undefined && file.trim() === "") problems.push(`${flag} needs a file name, e.g. ${flag} ${example}`);
    const from = values.from ? new Date(values.from) : new Date();
    if (Number.isNaN(from.getTime()))
        problems.push(`--from "${values.from}" is not a date; use ISO-8601, e.g. 2026-12-01 or 2026-12-01T00:00:00Z`);
    const occurrences = Number(values.occurrences);
    if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 1000)
        problems.push(`--occurrences "${values.occurrences}" must be a whole number from 1 to 1000`);
    let policyConfig: PolicyPackConfigInput | undefined;
    const policyConfigFile = values.policyPackConfig;
    if (policyConfigFile) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(userPath(policyConfigFile), "utf8"));
        } catch (e) {
            problems.push(`--policy-pack-config ${policyConfigFile}: not a readable JSON file (${(e as Error).message.split("\n")[0]})`);
        }
    }
    if (values.diffAgainst !== undefined && values.diff !== undefined)
        problems.push("--diff-against <git ref> and --diff <old plan.json> are two ways to name the old side: give one");
    if (diffing && values.all) problems.push("--diff-against and --diff compare one stack: use them with --stack, not --all");
    if (values.markdown && values.json) problems.push("--markdown and --json: choose one output");
    if (values.markdown && !diffing && !values.all)
        problems.push("--markdown renders a diff or the fleet: add --diff-against <git ref>, --diff <old plan.json> or --all");
    if (problems.length > 0) throw new UsageError([...problems, HELP_HINT]);
    return {
        ...(policyConfig ? { policyConfig } : {}),
        stack: values.stack ?? "",
        all: values.all ?? false,
        includeExamples: values.includeExamples ?? false,
        ...(values.ics !== undefined ? { ics: userPath(values.ics) } : {}),
        ...(values.svg !== undefined ? { svg: userPath(values.svg) } : {}),
        ...(values.out !== undefined ? { out: userPath(values.out) } : {}),
        days,
        soakDays,
        ...(values.dir !== undefined ? { dir: userPath(values.dir) } : {}),
        ...(values.config ? { configFile: userPath(values.config) } : {}),
        from,
        occurrences,
        json: values.json ?? false,
        ...(values.diffAgainst !== undefined ? { diffAgainst: values.diffAgainst } : {}),
        ...(values.diff !== undefined ? { diffFile: userPath(values.diff) } : {}),
        markdown: values.markdown ?? false,
    };
}

/** Evaluates every stack file of the project; config problems of all stacks at once (UsageError). */
export async function planFleet(
    opts: Pick<PlanOptions, "from" | "occurrences" | "policyConfig"> &
        Pick<CalendarOptions, "days" | "soakDays" | "dir"> &
        Partial<Pick<CalendarOptions, "includeExamples">>,
) {
    const dir = opts.dir ?? PROJECT_DIR;
    const all = projectStacks(dir);
    // Example stacks share the real stacks' accounts and patch-group names; counted as fleets
    // they would repeat every finding and calendar entry.
    const files = opts.includeExamples ? all : all.filter((s) => !s.example);
    const examples = all.filter((s) => s.example).map((s) => s.stack);
    if (files.length === 0)
        throw new UsageError([
            all.length === 0
                ? `no Pulumi.<stack>.yaml files in ${displayPath(dir)}`
                : `every stack file in ${displayPath(dir)} is an example (${examples.join(", ")}); add --include-examples to plan them together`,
        ]);
    const problems: string[] = [];
    const stacks: { plan: Plan; fleet: FleetStack; file: string }[] = [];
    for (const { stack, file } of files) {
        try {
            const { allResources, model, ...plan } = await planStack({
                stack,
                configFile: file,
                from: opts.from,
                occurrences: opts.occurrences,
                ...(opts.policyConfig ? { policyConfig: opts.policyConfig } : {}),
            });
            const config = readStackFile(file);
            if (!model) throw new Error(`${displayPath(file)}: the program did not report its model`);
            // The regions each patch group is registered in (one registration per region with patch-manager:regions).
            const registrations = new Map<string, string[]>();
            for (const r of allResources.filter((x) => x.type === TYPES.patchGroup)) {
                const name = String(r.inputs.patchGroup);
                const region = resourceRegion(r) ?? config.values["aws:region"];
                if (region === undefined) continue;
                const regions = registrations.get(name) ?? [];
                if (!regions.includes(region)) regions.push(region);
                registrations.set(name, regions);
            }
            stacks.push({ plan, fleet: fleetStack(model, plan.windows, config.values, registrations), file: path.relative(dir, file) });
        } catch (e) {
            if (e instanceof UsageError) problems.push(...e.lines);
            else throw e;
        }
    }
    if (problems.length > 0) throw new UsageError(problems);
    const report = analyzeFleet(
        stacks.map((s) => s.fleet),
        { from: opts.from, days: opts.days, soakDays: opts.soakDays },
    );
    return { stacks, report, examples };
}

function writeIcs(file: string, occurrences: FleetReport["calendar"], stamp: Date): string {
    fs.writeFileSync(file, ics().windowsIcs(occurrences, { stamp }));
    return `Wrote ${occurrences.length} window occurrence${occurrences.length === 1 ? "" : "s"} to ${displayPath(file)}`;
}

function writeSvg(file: string, picture: RolloutPicture): string {
    fs.writeFileSync(file, svg().rolloutSvg(picture));
    return `Drew ${picture.report.calendar.length} window occurrence${picture.report.calendar.length === 1 ? "" : "s"} of ${picture.stacks.length} stack${picture.stacks.length === 1 ? "" : "s"} to ${displayPath(file)}`;
}

/**
 * Where the document goes: stdout, or `--out <file>`. Notes about written files go to stderr
 * whenever stdout carries a document a program reads (--json, --markdown) or nothing (--out).
 */
function emit(opts: PlanArgs, document: string, notes: string[]): void {
    const machine = opts.json || opts.markdown || opts.out !== undefined;
    if (opts.out !== undefined) {
        fs.writeFileSync(opts.out, document);
        notes = [...notes, `Wrote the ${opts.json ? "JSON document" : opts.markdown ? "Markdown" : "plan"} to ${displayPath(opts.out)}`];
        process.stderr.write(notes.map((n) => `${n}\n`).join(""));
        return;
    }
    process.stdout.write(machine || notes.length === 0 ? document : `${document}\n${notes.map((n) => `${n}\n`).join("")}`);
    if (machine && notes.length > 0) process.stderr.write(notes.map((n) => `${n}\n`).join(""));
}

async function mainAll(opts: PlanArgs): Promise<number> {
    const { stacks, report, examples } = await planFleet(opts);
    const picture: RolloutPicture = { report, stacks: stacks.map((s) => s.fleet) };
    const notes = [
        ...(examples.length > 0 && !opts.includeExamples
            ? [
                  `Left out the example stack${examples.length === 1 ? "" : "s"} ${examples.join(", ")} (--include-examples adds ${examples.length === 1 ? "it" : "them"})`,
              ]
            : []),
        ...(opts.ics ? [writeIcs(opts.ics, report.calendar, opts.from)] : []),
        ...(opts.svg ? [writeSvg(opts.svg, picture)] : []),
    ];
    const mandatory = stacks.some((s) => s.plan.violations.some((v) => v.level === "mandatory"));
    let document: string;
    if (opts.json) {
        const doc: FleetPlan = {
            project: PROJECT,
            from: report.from,
            days: report.days,
            soakDays: report.soakDays,
            stacks: stacks.map(({ plan, fleet, file }) => ({
                stack: plan.stack,
                file,
                environment: fleet.environment,
                production: fleet.production,
                ...(fleet.region !== undefined ? { region: fleet.region } : {}),
                ...(fleet.account !== undefined ? { account: fleet.account } : {}),
                windows: plan.windows,
                violations: plan.violations,
                ...(plan.patchNow ? { patchNow: plan.patchNow } : {}),
            })),
            calendar: report.calendar.map((o) => ({ ...o, start: o.start.toISOString(), end: o.end.toISOString() })),
            quota: report.quota,
            findings: report.findings,
        };
        document = `${JSON.stringify(doc, null, 2)}\n`;
    } else if (opts.markdown) {
        document = mermaid().fleetMarkdown(
            picture,
            stacks.map((s) => ({ stack: s.plan.stack, violations: s.plan.violations })),
        );
    } else {
        const policies = renderViolations(stacks.flatMap((s) => s.plan.violations.map((v) => ({ ...v, stack: s.plan.stack }))));
        document = `${renderFleet(
            report,
            stacks.map((s) => s.fleet),
        )}\n${renderFleetPatchNow(stacks.map((s) => ({ stack: s.plan.stack, environment: s.fleet.environment, patchNow: s.plan.patchNow }))).join("\n")}\n\n${policies.join("\n")}\n`;
    }
    emit(opts, document, notes);
    return hasBlockingFindings(report) || mandatory ? 1 : 0;
}

async function mainStack(opts: PlanArgs): Promise<number> {
    const { allResources: _all, stackValues, model, ...plan } = await planStack(opts);
    const single: FleetStack = {
        stack: plan.stack,
        environment: "",
        production: false,
        ...(stackValues["aws:region"] !== undefined ? { region: stackValues["aws:region"] } : {}),
        windows: plan.windows,
        groups: (model?.patchGroups ?? []).map((g) => ({
            name: g.name,
            operatingSystem: g.operatingSystem,
            baseline: g.baseline,
            approvals: [],
        })),
        ...(model && model.freezes.periods.length > 0 ? { freezes: model.freezes.periods } : {}),
        ...(model ? { maxDaysWithoutInstall: model.freezes.maxDaysWithoutInstall } : {}),
    };
    // The same clash and freeze-gap checks as --all, on this stack's own windows.
    const clashes = checkClashes([single], { from: opts.from, days: opts.days });
    // The wave-order check of --all, on this stack alone (examples included): a year of monthly releases.
    const waveOrder = model ? checkWaveOrder([fleetStack(model, plan.windows, stackValues)], { from: opts.from, days: 365 }) : [];
    const findings = [...waveOrder, ...clashes, ...checkFreezeGaps([single], { from: opts.from, days: opts.days })];
    const notes: string[] = [];
    if (opts.ics) notes.push(writeIcs(opts.ics, fleetCalendar([single], opts.from, opts.days), opts.from));
    if (opts.svg) {
        const calendar = fleetCalendar([single], opts.from, opts.days);
        const report: FleetReport = {
            from: opts.from.toISOString(),
            days: opts.days,
            soakDays: opts.soakDays,
            calendar,
            quota: [],
            findings: clashes,
        };
        notes.push(writeSvg(opts.svg, { report, stacks: [single] }));
    }
    if (opts.diffAgainst !== undefined || opts.diffFile !== undefined) {
        const { diff, output } = await diffCli().planDiff(plan, opts);
        const document = opts.json
            ? `${JSON.stringify({ ...diff, findings: clashes }, null, 2)}\n`
            : opts.markdown
              ? `${output}\n${mermaid().stackMarkdownAppendix(single, clashes, opts.from)}`
              : `${output}\n${clashes.length > 0 ? `\n${renderClashes(clashes).join("\n")}\n` : ""}`;
        emit(opts, document, notes);
        return 0;
    }
    const document = opts.json ? `${JSON.stringify(planDocument(plan, findings), null, 2)}\n` : `${renderPlan(plan, findings)}\n`;
    emit(opts, document, notes);
    return plan.violations.some((v) => v.level === "mandatory") || waveOrder.length > 0 ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
    // A zone's offsets as an earlier plan found them, kept at exit with what this one finds.
    useZoneMemo(PROJECT_ROOT);
    if (namesProject(argv)) return projectPlan().mainProject(argv);
    try {
        const opts = parsePlanArgs(argv);
        if ("exitCode" in opts) return opts.exitCode;
        return opts.all ? await mainAll(opts) : await mainStack(opts);
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`${e.lines.join("\n")}\n`);
            return 2;
        }
        const diff = diffCli.loaded();
        if (diff !== undefined && e instanceof diff.DiffInputError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

/** The command: `main`, then exit with its code once stdout has flushed (tools/plan/cli.js, `npm run plan`). */
export function run(argv: string[]): void {
    main(argv).then(
        // process.exit drops what a pipe has not taken yet (beyond 64 KiB): exit once stdout has flushed.
        (code) => process.stdout.write("", () => process.exit(code)),
        (e) => {
            process.stderr.write(`plan failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(3);
        },
    );
}

if (require.main === module) run(process.argv.slice(2));
