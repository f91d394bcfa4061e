// `npm run plan -- --project <dir> --stack <name> [--json] [--all]`: another Pulumi project of
// this repository (the organisation's control plane in org/) evaluated under the same mocks, with
// the plan's JSON document (docs/plan-json.md); `--all` runs the fleet checks over the organisation's cells.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import YAML from "yaml";
import { ConfigError } from "../../config";
import { OrgConfig, ORG_PROJECT, parseOrgConfig } from "../config";
import { PolicyConfigError, PolicyPackConfigInput, runPolicies } from "../../tools/audit/engine";
import { analyzeFleet, FleetReport, FleetStack, hasBlockingFindings, renderFleet } from "../../tools/fleet";
import { ActionableViolation, withConfigKeys } from "../../tools/audit/findings";
import {
    auditResourcesOf,
    evaluateProgram,
    PlannedResource,
    readStackFile,
    StackConfig,
    StackFileError,
} from "../../tools/mock/mockProgram";
import { planDocument } from "../../tools/plan/planJson";
import { userPath } from "../../tools/cli/userPath";
import { cellFleetStack } from "./cells";
import { PROJECT_ROOT } from "../../tools/cli/projectRoot";

const ROOT = PROJECT_ROOT;

export const PROJECT_USAGE =
    "       npm run plan -- --project <dir> --stack <name> [--config <file>] [--json] [--all [--from <ISO date>] [--days <n>] [--soak-days <n>]]";

/** Bad arguments or config: exit code 2, one line per problem. */
export class ProjectUsageError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("\n"));
    }
}

/** A project of the repository: its directory, name and entry module. */
export interface Project {
    readonly dir: string;
    readonly name: string;
    readonly main: string;
}

/** Reads `<dir>/Pulumi.yaml`; the directory is taken from the caller's directory, else the repository root. */
export function readProject(dir: string): Project {
    const candidates = [userPath(dir), path.resolve(ROOT, dir)];
    const found = candidates.find((d) => fs.existsSync(path.join(d, "Pulumi.yaml")));
    if (!found) throw new ProjectUsageError([`--project ${dir}: no Pulumi.yaml there (looked in ${candidates.join(" and ")})`]);
    let doc: { name?: unknown; main?: unknown };
    try {
        doc = YAML.parse(fs.readFileSync(path.join(found, "Pulumi.yaml"), "utf8")) ?? {};
    } catch (e) {
        throw new ProjectUsageError([`${path.join(found, "Pulumi.yaml")}: not valid YAML: ${(e as Error).message.split("\n")[0]}`]);
    }
    if (typeof doc.name !== "string" || doc.name === "")
        throw new ProjectUsageError([`${path.join(found, "Pulumi.yaml")}: name is required`]);
    return { dir: found, name: doc.name, main: path.join(found, typeof doc.main === "string" ? doc.main : "index") };
}

/**
 * Each project's own config check, run before evaluation so that problems name the file read and
 * come out as one line each (exit 2) rather than as a failed evaluation.
 */
const VALIDATORS: Record<string, (values: Record<string, string>, file: string) => unknown> = {
    [ORG_PROJECT]: (values, file) => parseOrgConfig(namespaced(values, ORG_PROJECT), file),
};

function namespaced(values: Record<string, string>, project: string): Record<string, string> {
    const prefix = `${project}:`;
    return Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

export interface ProjectPlanOptions {
    readonly project: Project;
    readonly stack: string;
    readonly configFile?: string;
    readonly policyConfig?: PolicyPackConfigInput;
}

export interface ProjectPlan {
    project: string;
    stack: string;
    resources: Omit<PlannedResource, "outputs">[];
    windows: never[];
    violations: ActionableViolation[];
}

function readConfig(opts: ProjectPlanOptions): { config: StackConfig; file: string; validated: unknown } {
    const file = opts.configFile ?? path.join(opts.project.dir, `Pulumi.${opts.stack}.yaml`);
    const label = path.relative(process.cwd(), file) || file;
    try {
        const config = readStackFile(file, opts.project.name);
        const validated = VALIDATORS[opts.project.name]?.(config.values, label);
        return { config, file: label, validated };
    } catch (e) {
        if (e instanceof ConfigError) throw new ProjectUsageError(e.lines());
        if (e instanceof StackFileError) throw new ProjectUsageError([e.message]);
        throw e;
    }
}

/** Evaluates one stack of the project under mocks; `--json` prints it as the plan's document (docs/plan-json.md). */
export async function planProject(opts: ProjectPlanOptions): Promise<ProjectPlan> {
    const { config } = readConfig(opts);
    const mod = require(opts.project.main);
    const program = () => (mod instanceof Function ? mod() : mod);
    const { resources } = await evaluateProgram({ stack: opts.stack, config, program, project: opts.project.name });
    let violations;
    try {
        violations = await runPolicies(auditResourcesOf(resources), {
            stackName: opts.stack,
            projectName: opts.project.name,
            ...(opts.policyConfig ? { config: opts.policyConfig } : {}),
        });
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new ProjectUsageError([`--policy-pack-config: ${e.message}`]);
        throw e;
    }
    return {
        project: opts.project.name,
        stack: opts.stack,
        resources: resources.map(({ outputs: _outputs, ...r }) => r),
        windows: [],
        // Another project's findings name the resource property, as the audit does (docs/plan-json.md: violations[].property).
        violations: withConfigKeys(violations, resources, {}, opts.project.name),
    };
}

/** The organisation's cells as fleet stacks, from the validated org config (no evaluation). */
export function orgFleet(org: OrgConfig): FleetStack[] {
    return org.cells.map(cellFleetStack);
}

/** `--all` for the control plane: the fleet checks over every cell's settings. */
export function planOrgFleet(opts: ProjectPlanOptions & { from: Date; days: number; soakDays: number }): {
    stacks: FleetStack[];
    report: FleetReport;
} {
    if (opts.project.name !== ORG_PROJECT)
        throw new ProjectUsageError([`--all with --project: only the organisation's project (${ORG_PROJECT}) describes a fleet of cells`]);
    const { validated } = readConfig(opts);
    const stacks = orgFleet(validated as OrgConfig);
    return { stacks, report: analyzeFleet(stacks, { from: opts.from, days: opts.days, soakDays: opts.soakDays }) };
}

function renderProjectPlan(plan: ProjectPlan): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [
        `${plan.project} · stack ${plan.stack} · ${plan.resources.length} resources`,
        "",
        "Resources by type:",
        ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `  ${String(n).padStart(4)}  ${t}`),
        "",
        plan.violations.length === 0
            ? "Policies: no violations"
            : `Policies:\n${plan.violations.map((v) => `  [${v.level}] ${v.policy}: ${v.message}`).join("\n")}`,
    ].join("\n");
}

/** The CLI for `--project`: same exit codes as the plan (0 fine, 1 blocking/mandatory, 2 usage or config). */
export async function mainProject(argv: string[]): Promise<number> {
    try {
        let values;
        try {
            ({ values } = parseArgs({
                args: argv,
                options: {
                    project: { type: "string" },
                    stack: { type: "string" },
                    config: { type: "string" },
                    json: { type: "boolean", default: false },
                    all: { type: "boolean", default: false },
                    from: { type: "string" },
                    days: { type: "string", default: "90" },
                    "soak-days": { type: "string", default: "3" },
                    "policy-pack-config": { type: "string" },
                },
                strict: true,
                allowPositionals: false,
            }));
        } catch (e) {
            throw new ProjectUsageError([(e as Error).message, PROJECT_USAGE]);
        }
        const problems: string[] = [];
        if (!values.project) problems.push("--project needs a directory, e.g. --project org");
        if (!values.stack) problems.push("--stack <name> is required with --project (reads <dir>/Pulumi.<name>.yaml)");
        const from = values.from ? new Date(values.from) : new Date();
        if (Number.isNaN(from.getTime())) problems.push(`--from "${values.from}" is not a date; use ISO-8601, e.g. 2026-12-01`);
        const days = Number(values.days);
        if (!Number.isInteger(days) || days < 1 || days > 366)
            problems.push(`--days "${values.days}" must be a whole number from 1 to 366`);
        const soakDays = Number(values["soak-days"]);
        if (!Number.isInteger(soakDays) || soakDays < 0 || soakDays > 60)
            problems.push(`--soak-days "${values["soak-days"]}" must be a whole number from 0 to 60`);
        let policyConfig: PolicyPackConfigInput | undefined;
        if (values["policy-pack-config"]) {
            try {
                policyConfig = JSON.parse(fs.readFileSync(userPath(values["policy-pack-config"]), "utf8"));
            } catch (e) {
                problems.push(
                    `--policy-pack-config ${values["policy-pack-config"]}: not a readable JSON file (${(e as Error).message.split("\n")[0]})`,
                );
            }
        }
        if (problems.length > 0) throw new ProjectUsageError([...problems, PROJECT_USAGE]);
        const opts: ProjectPlanOptions = {
            project: readProject(values.project!),
            stack: values.stack!,
            ...(values.config ? { configFile: userPath(values.config) } : {}),
            ...(policyConfig ? { policyConfig } : {}),
        };
        if (values.all) {
            const { stacks, report } = planOrgFleet({ ...opts, from, days, soakDays });
            if (values.json) {
                const doc = {
                    project: opts.project.name,
                    stack: opts.stack,
                    from: report.from,
                    days: report.days,
                    soakDays: report.soakDays,
                    stacks: stacks.map((s) => ({
                        stack: s.stack,
                        environment: s.environment,
                        production: s.production,
                        region: s.region,
                        account: s.account,
                        windows: s.windows,
                    })),
                    calendar: report.calendar.map((o) => ({ ...o, start: o.start.toISOString(), end: o.end.toISOString() })),
                    quota: report.quota,
                    findings: report.findings,
                };
                process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
            } else process.stdout.write(`${renderFleet(report, stacks)}\n`);
            return hasBlockingFindings(report) ? 1 : 0;
        }
        const plan = await planProject(opts);
        // No windows, so no clashes: the same document as a stack of this project, with empty findings.
        process.stdout.write(values.json ? `${JSON.stringify(planDocument(plan, []), null, 2)}\n` : `${renderProjectPlan(plan)}\n`);
        return plan.violations.some((v) => v.level === "mandatory") ? 1 : 0;
    } catch (e) {
        if (e instanceof ProjectUsageError) {
            process.stderr.write(`${e.lines.join("\n")}\n`);
            return 2;
        }
        throw e;
    }
}
