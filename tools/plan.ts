// Offline plan: `npm run plan -- --stack <name>` (CONTRACTS.md §2).
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError, parseConfig } from "../components/config";
import { describeSchedule, nextStarts } from "../components/schedule";
import { DiffInputError, planDiff } from "./diff/cli";
import { evaluateProgram, PlannedResource, PROJECT, projectValues, readStackFile, StackFileError } from "./mockProgram";

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
}

export interface Violation {
    policy: string;
    level: "advisory" | "mandatory";
    urn: string;
    message: string;
}

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
    return {
        project: PROJECT,
        stack: opts.stack,
        resources: resources.map(({ outputs: _outputs, ...r }) => r),
        windows: windowsOf(resources, opts.from, opts.occurrences),
        violations: [],
        allResources: resources,
    };
}

/** Each maintenance window with the patch groups its targets select and its next starts. */
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
            description: describeSchedule(i.schedule, { timezone, durationHours: i.duration, cutoffHours: i.cutoff, scheduleOffset: offset }),
            next: nextStarts(i.schedule, { timezone, scheduleOffset: offset, from, count: occurrences }).map((d) => d.toISOString()),
        };
    });
}

/** "Sat 2026-11-28 06:00 CET" */
export function localTime(iso: string, timezone: string): string {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-GB", {
            timeZone: timezone,
            weekday: "short",
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "short",
        })
            .formatToParts(new Date(iso))
            .map((p) => [p.type, p.value]),
    );
    return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
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
        out.push(`  ${w.name}  ${w.schedule}${w.scheduleOffset ? ` +${w.scheduleOffset}d` : ""}  ${w.durationHours} h, cutoff ${w.cutoffHours} h`);
        out.push(`    ${w.description}`);
        out.push(`    ${w.operation || "no task"} · ${w.patchGroups.join(", ") || "no patch groups"}`);
        for (const n of w.next) out.push(`    next: ${localTime(n, w.timezone)}  (${n.slice(0, 16).replace("T", " ")} UTC)`);
    }
    out.push("");
    if (plan.violations.length === 0) out.push("Policies: no violations");
    else {
        out.push(`Policies: ${plan.violations.length} violation${plan.violations.length === 1 ? "" : "s"}`);
        for (const v of plan.violations) out.push(`  [${v.level}] ${v.policy}: ${v.message}\n      ${v.urn}`);
    }
    return out.join("\n");
}

const USAGE = [
    `usage: npm run plan -- --stack <name> [--config <file>] [--json] [--from <ISO date>] [--occurrences <n>]`,
    `       npm run plan -- --stack <name> (--diff-against <git ref> | --diff <old plan.json>) [--markdown | --json]`,
].join("\n");

export function parsePlanArgs(argv: string[]): PlanOptions & { json: boolean; diffAgainst?: string; diffFile?: string; markdown: boolean } {
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
    if (!values.stack) problems.push("--stack <name> is required (reads Pulumi.<name>.yaml)");
    const from = values.from ? new Date(values.from) : new Date();
    if (Number.isNaN(from.getTime())) problems.push(`--from "${values.from}" is not a date; use ISO-8601, e.g. 2026-12-01 or 2026-12-01T00:00:00Z`);
    const occurrences = Number(values.occurrences);
    if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 1000) problems.push(`--occurrences "${values.occurrences}" must be a whole number from 1 to 1000`);
    if (values["diff-against"] !== undefined && values.diff !== undefined) problems.push("--diff-against <git ref> and --diff <old plan.json> are two ways to name the old side: give one");
    if (values.markdown && values.json) problems.push("--markdown and --json: choose one output");
    if (values.markdown && values["diff-against"] === undefined && values.diff === undefined) problems.push("--markdown renders a diff: add --diff-against <git ref> or --diff <old plan.json>");
    if (problems.length > 0) throw new UsageError([...problems, USAGE]);
    return {
        stack: values.stack!,
        ...(values.config ? { configFile: path.resolve(values.config) } : {}),
        from,
        occurrences,
        json: values.json ?? false,
        ...(values["diff-against"] !== undefined ? { diffAgainst: values["diff-against"] } : {}),
        ...(values.diff !== undefined ? { diffFile: path.resolve(values.diff) } : {}),
        markdown: values.markdown ?? false,
    };
}

export async function main(argv: string[]): Promise<number> {
    try {
        const opts = parsePlanArgs(argv);
        const { allResources: _all, ...plan } = await planStack(opts);
        if (opts.diffAgainst !== undefined || opts.diffFile !== undefined) {
            process.stdout.write(`${planDiff(plan, opts).output}\n`);
            return 0;
        }
        process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlan(plan)}\n`);
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
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`plan failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(3);
        },
    );
}
