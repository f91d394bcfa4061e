// Offline plan: `npm run plan -- --stack <name>` (CONTRACTS.md §2).
import { localTime } from "./localTime";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError, parseConfig } from "../components/config";
import { describeSchedule, nextStarts } from "../components/schedule";
import { PolicyConfigError, PolicyPackConfigInput, runPolicies, Violation } from "../policies/engine";
import { windowsIcs } from "./calendar";
import { analyzeFleet, FleetReport, fleetCalendar, fleetStack, FleetStack, hasBlockingFindings, renderFleet, stackFiles } from "./fleet";
import { userPath } from "./userPath";
import { evaluateProgram, MOCK_NOW, PlannedResource, PROJECT, projectValues, readStackFile, StackFileError } from "./mockProgram";
import { DiffInputError, planDiff } from "./diff/cli";
import { mainProject, namesProject, PROJECT_USAGE } from "./org/projectPlan";

export interface PlannedWindow {
    urn: string;
    name: string;
    schedule: string;
    scheduleOffset?: number;
    timezone: string;
    durationHours: number;
    cutoffHours: number;
    patchGroups: string[];
    operation: string;
    description: string;
    next: string[];
    /** The region the window is created in: its `region` output, else the region its ARN names. */
    region?: string;
}

export type { Violation };

export interface Plan {
    project: string;
    stack: string;
    resources: Omit<PlannedResource, "outputs">[];
    windows: PlannedWindow[];
    violations: Violation[];
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

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Evaluates one stack and derives its windows; throws UsageError for bad config. */
export async function planStack(opts: PlanOptions): Promise<Plan & { allResources: PlannedResource[] }> {
    const file = opts.configFile ?? path.join(PROJECT_DIR, `Pulumi.${opts.stack}.yaml`);
    const label = path.relative(process.cwd(), file) || file;
    let config;
    try {
        config = readStackFile(file);
        // Validate here as well as in the program, so that problems name the file actually read.
        parseConfig(projectValues(config), opts.stack, label);
    } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.lines());
        if (e instanceof StackFileError) throw new UsageError([e.message]);
        throw e;
    }
    const { resources } = await evaluateProgram({ stack: opts.stack, config });
    let violations: Violation[];
    try {
        violations = await runPolicies(
            resources.map((r) => ({ ...r, id: r.id ?? undefined, ...(r.custom ? {} : { outputs: undefined }) })),
            { stackName: opts.stack, projectName: PROJECT, ...(opts.policyConfig ? { config: opts.policyConfig } : {}) },
        );
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new UsageError([`--policy-pack-config: ${e.message}`]);
        throw e;
    }
    return {
        project: PROJECT,
        stack: opts.stack,
        resources: resources.map(({ outputs: _outputs, ...r }) => r),
        windows: windowsOf(resources, opts.from, opts.occurrences),
        violations,
        allResources: resources,
    };
}

/** The region a resource is created in: the provider's `region` output, else the region its ARN names. */
export function resourceRegion(r: Pick<PlannedResource, "outputs">): string | undefined {
    const region = r.outputs?.region;
    if (typeof region === "string" && region !== "") return region;
    return /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/.exec(String(r.outputs?.arn ?? ""))?.[1] || undefined;
}

/** Each maintenance window with the patch groups its targets select, its region and its next starts. */
export function windowsOf(resources: PlannedResource[], from: Date, occurrences: number): PlannedWindow[] {
    const byType = (t: string) => resources.filter((r) => r.type === t);
    const targets = byType("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
    const tasks = byType("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
    return byType("aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => {
        const i = w.inputs as Record<string, any>;
        const groups = targets
            .filter((t) => t.inputs.windowId === w.id)
            .flatMap((t) => (t.inputs.targets as { key: string; values: string[] }[]).flatMap((x) => x.values));
        const operations = [
            ...new Set(
                tasks
                    .filter((t) => t.inputs.windowId === w.id)
                    .flatMap((t) => (t.inputs as any).taskInvocationParameters?.runCommandParameters?.parameters ?? [])
                    .filter((p: { name: string }) => p.name === "Operation")
                    .flatMap((p: { values: string[] }) => p.values),
            ),
        ];
        const timezone = i.scheduleTimezone ?? "UTC";
        const offset = i.scheduleOffset as number | undefined;
        const region = resourceRegion(w);
        return {
            urn: w.urn,
            name: i.name,
            schedule: i.schedule,
            ...(offset !== undefined ? { scheduleOffset: offset } : {}),
            timezone,
            durationHours: i.duration,
            cutoffHours: i.cutoff,
            patchGroups: groups,
            operation: operations.join(", "),
            description: describeSchedule(i.schedule, {
                timezone,
                durationHours: i.duration,
                cutoffHours: i.cutoff,
                scheduleOffset: offset,
            }),
            next: nextStarts(i.schedule, { timezone, scheduleOffset: offset, from, count: occurrences }).map((d) => d.toISOString()),
            ...(region !== undefined ? { region } : {}),
        };
    });
}

export function renderPlan(plan: Plan): string {
    const out: string[] = [];
    out.push(`${plan.project} · stack ${plan.stack} · ${plan.resources.length} resources`, "");
    const children = new Map<string | null, Plan["resources"]>();
    for (const r of plan.resources) {
        const key = plan.resources.some((p) => p.urn === r.parent) ? r.parent : null;
        children.set(key, [...(children.get(key) ?? []), r]);
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
        for (const n of w.next) out.push(`    next: ${localTime(n, w.timezone)}  (${n.slice(0, 16).replace("T", " ")} UTC)`);
    }
    out.push(...renderActivations(plan.resources));
    out.push("");
    if (plan.violations.length === 0) out.push("Policies: no violations");
    else {
        out.push(`Policies: ${plan.violations.length} violation${plan.violations.length === 1 ? "" : "s"}`);
        for (const v of plan.violations) out.push(`  [${v.level}] ${v.policy}: ${v.message}\n      ${v.urn}`);
    }
    return out.join("\n");
}

/** Hybrid activations (issue 7): which group each admits servers into, how many, until when. */
export function renderActivations(resources: Plan["resources"]): string[] {
    const activations = resources.filter((r) => r.type === "aws:ssm/activation:Activation");
    if (activations.length === 0) return [];
    const out = ["", "Hybrid activations (servers outside AWS register with the stack output hybridActivations):"];
    for (const a of activations) {
        const i = a.inputs as Record<string, any>;
        const groupTag = Object.entries((i.tags ?? {}) as Record<string, string>).find(([k]) => k === "Patch Group" || k === "PatchGroup");
        out.push(
            `  ${groupTag ? `${groupTag[0]}=${groupTag[1]}` : a.name}  up to ${i.registrationLimit ?? "1 (SSM default)"} servers, code expires ${i.expirationDate ?? "in 24 hours (SSM default)"}, role ${i.iamRole}`,
        );
    }
    out.push(`  (offline, every rotation starts at ${MOCK_NOW}; for real, when the activation is created or renewed)`);
    return out;
}

const USAGE = [
    `usage: npm run plan -- --stack <name> [--config <file>] [--json] [--from <ISO date>] [--occurrences <n>] [--ics <file>] [--days <n>] [--policy-pack-config <file>]`,
    `       npm run plan -- --stack <name> (--diff-against <git ref> | --diff <old plan.json>) [--markdown | --json]`,
    `       npm run plan -- --all [--json] [--from <ISO date>] [--occurrences <n>] [--ics <file>] [--days <n>] [--soak-days <n>] [--dir <dir>]`,
    PROJECT_USAGE,
].join("\n");

/** Options of the calendar and fleet views (beside the single-stack PlanOptions). */
export interface CalendarOptions {
    /** Evaluate every Pulumi.<stack>.yaml of the project and check the fleet. */
    all: boolean;
    /** Write the coming windows as an iCalendar file here. */
    ics?: string;
    /** Days ahead for --ics, the fleet calendar and the rollout check. */
    days: number;
    /** Minimum days between non-production and production installing a patch. */
    soakDays: number;
    /** --all: the directory whose Pulumi.<stack>.yaml files make the fleet; default the project. */
    dir?: string;
}

export function parsePlanArgs(
    argv: string[],
): PlanOptions & CalendarOptions & { json: boolean; diffAgainst?: string; diffFile?: string; markdown: boolean } {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                json: { type: "boolean", default: false },
                from: { type: "string" },
                occurrences: { type: "string", default: "3" },
                "policy-pack-config": { type: "string" },
                all: { type: "boolean", default: false },
                ics: { type: "string" },
                days: { type: "string", default: "90" },
                "soak-days": { type: "string", default: "3" },
                dir: { type: "string" },
                "diff-against": { type: "string" },
                diff: { type: "string" },
                markdown: { type: "boolean", default: false },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (e) {
        throw new UsageError([(e as Error).message, USAGE]);
    }
    const problems: string[] = [];
    if (values.all && (values.stack || values.config))
        problems.push("--all evaluates every Pulumi.<stack>.yaml; leave out --stack and --config");
    else if (!values.stack && !values.all) problems.push("--stack <name> is required (reads Pulumi.<name>.yaml), or --all for every stack");
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) problems.push(`--days "${values.days}" must be a whole number from 1 to 366`);
    const soakDays = Number(values["soak-days"]);
    if (!Number.isInteger(soakDays) || soakDays < 0 || soakDays > 60)
        problems.push(`--soak-days "${values["soak-days"]}" must be a whole number from 0 to 60`);
    if (values.dir !== undefined && !values.all) problems.push("--dir only goes with --all");
    if (values.ics !== undefined && values.ics.trim() === "") problems.push("--ics needs a file name, e.g. --ics windows.ics");
    const from = values.from ? new Date(values.from) : new Date();
    if (Number.isNaN(from.getTime()))
        problems.push(`--from "${values.from}" is not a date; use ISO-8601, e.g. 2026-12-01 or 2026-12-01T00:00:00Z`);
    const occurrences = Number(values.occurrences);
    if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 1000)
        problems.push(`--occurrences "${values.occurrences}" must be a whole number from 1 to 1000`);
    let policyConfig: PolicyPackConfigInput | undefined;
    const policyConfigFile = values["policy-pack-config"];
    if (policyConfigFile) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(userPath(policyConfigFile), "utf8"));
        } catch (e) {
            problems.push(`--policy-pack-config ${policyConfigFile}: not a readable JSON file (${(e as Error).message.split("\n")[0]})`);
        }
    }
    if (values["diff-against"] !== undefined && values.diff !== undefined)
        problems.push("--diff-against <git ref> and --diff <old plan.json> are two ways to name the old side: give one");
    if (values.markdown && values.json) problems.push("--markdown and --json: choose one output");
    if (values.markdown && values["diff-against"] === undefined && values.diff === undefined)
        problems.push("--markdown renders a diff: add --diff-against <git ref> or --diff <old plan.json>");
    if (problems.length > 0) throw new UsageError([...problems, USAGE]);
    return {
        ...(policyConfig ? { policyConfig } : {}),
        stack: values.stack ?? "",
        all: values.all ?? false,
        ...(values.ics !== undefined ? { ics: userPath(values.ics) } : {}),
        days,
        soakDays,
        ...(values.dir !== undefined ? { dir: userPath(values.dir) } : {}),
        ...(values.config ? { configFile: userPath(values.config) } : {}),
        from,
        occurrences,
        json: values.json ?? false,
        ...(values["diff-against"] !== undefined ? { diffAgainst: values["diff-against"] } : {}),
        ...(values.diff !== undefined ? { diffFile: userPath(values.diff) } : {}),
        markdown: values.markdown ?? false,
    };
}

/** `--all`: what the fleet view prints as JSON. */
export interface FleetPlan extends Omit<FleetReport, "calendar"> {
    project: string;
    stacks: (Omit<Plan, "project" | "resources"> & Omit<FleetStack, "windows" | "groups" | "stack"> & { file: string })[];
    calendar: (Omit<FleetReport["calendar"][number], "start" | "end"> & { start: string; end: string })[];
}

/** Evaluates every stack file of the project; config problems of all stacks at once (UsageError). */
export async function planFleet(
    opts: Pick<PlanOptions, "from" | "occurrences" | "policyConfig"> & Pick<CalendarOptions, "days" | "soakDays" | "dir">,
) {
    const dir = opts.dir ?? PROJECT_DIR;
    const files = stackFiles(dir);
    if (files.length === 0) throw new UsageError([`no Pulumi.<stack>.yaml files in ${dir}`]);
    const problems: string[] = [];
    const stacks: { plan: Plan; fleet: FleetStack; file: string }[] = [];
    for (const { stack, file } of files) {
        try {
            const { allResources, ...plan } = await planStack({
                stack,
                configFile: file,
                from: opts.from,
                occurrences: opts.occurrences,
                ...(opts.policyConfig ? { policyConfig: opts.policyConfig } : {}),
            });
            const config = readStackFile(file);
            const model = parseConfig(projectValues(config), stack, file);
            // The regions each patch group is registered in (one registration per region with patch-manager:regions).
            const registrations = new Map<string, string[]>();
            for (const r of allResources.filter((x) => x.type === "aws:ssm/patchGroup:PatchGroup")) {
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
    return { stacks, report };
}

function writeIcs(file: string, occurrences: FleetReport["calendar"], stamp: Date): string {
    fs.writeFileSync(file, windowsIcs(occurrences, { stamp }));
    return `Wrote ${occurrences.length} window occurrence${occurrences.length === 1 ? "" : "s"} to ${path.relative(process.cwd(), file) || file}`;
}

async function mainAll(opts: ReturnType<typeof parsePlanArgs>): Promise<number> {
    const { stacks, report } = await planFleet(opts);
    const note = opts.ics ? writeIcs(opts.ics, report.calendar, opts.from) : undefined;
    const mandatory = stacks.some((s) => s.plan.violations.some((v) => v.level === "mandatory"));
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
            })),
            calendar: report.calendar.map((o) => ({ ...o, start: o.start.toISOString(), end: o.end.toISOString() })),
            quota: report.quota,
            findings: report.findings,
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        if (note) process.stderr.write(`${note}\n`);
    } else {
        const violations = stacks.flatMap((s) => s.plan.violations.map((v) => `  ${s.plan.stack}: [${v.level}] ${v.policy}: ${v.message}`));
        process.stdout.write(
            `${renderFleet(
                report,
                stacks.map((s) => s.fleet),
            )}\n\n${violations.length === 0 ? "Policies: no violations" : `Policies:\n${violations.join("\n")}`}\n${note ? `\n${note}\n` : ""}`,
        );
    }
    return hasBlockingFindings(report) || mandatory ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
    if (namesProject(argv)) return mainProject(argv);
    try {
        const opts = parsePlanArgs(argv);
        if (opts.all) return await mainAll(opts);
        const { allResources: _all, ...plan } = await planStack(opts);
        if (opts.diffAgainst !== undefined || opts.diffFile !== undefined) {
            process.stdout.write(`${planDiff(plan, opts).output}\n`);
            return 0;
        }
        const note = opts.ics
            ? writeIcs(
                  opts.ics,
                  fleetCalendar(
                      [{ stack: plan.stack, environment: "", production: false, windows: plan.windows, groups: [] }],
                      opts.from,
                      opts.days,
                  ),
                  opts.from,
              )
            : undefined;
        process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlan(plan)}\n${note ? `\n${note}\n` : ""}`);
        if (note && opts.json) process.stderr.write(`${note}\n`);
        return plan.violations.some((v) => v.level === "mandatory") ? 1 : 0;
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`${e.lines.join("\n")}\n`);
            return 2;
        }
        if (e instanceof DiffInputError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // process.exit drops what a pipe has not taken yet (beyond 64 KiB): exit once stdout has flushed.
        (code) => process.stdout.write("", () => process.exit(code)),
        (e) => {
            process.stderr.write(`plan failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(3);
        },
    );
}
