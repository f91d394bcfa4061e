// Without Pulumi Cloud (S3 state, passphrase secrets) there are no Deployments; the same org
// config then drives a GitHub Actions workflow: one matrix job per cell, OIDC into each cell's
// account, production after every non-production cell.
//
// `npm run org:workflow -- --stack <org stack> [--out <file> | --check <file>]`
// `npm run org:cell-config -- --stack <org stack> --cell <cell stack>`: the cell's Pulumi.<cell>.yaml.
//
// GitHub's `concurrency` keeps one running and one pending job per group and cancels any further
// pending one, so it cannot queue the cells of a busy account. Instead the cells are dealt into
// waves, each wave holding at most one cell per account, and each wave waits for the one before:
// one deployment per account at a time, with no cell ever dropped.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import YAML from "yaml";
import { ConfigError } from "../../config";
import { Cell, isProductionCell, OrgConfig, ORG_PROJECT, parseOrgConfig } from "../config";
import { readStackFile, StackFileError } from "../../tools/mock/mockProgram";
import { userPath } from "../../tools/cli/userPath";

export interface WorkflowOptions {
    /** The org stack whose config the workflow comes from (named in the header and the config step). */
    readonly orgStack: string;
    /** The IAM role, in every account, that trusts GitHub's OIDC provider for this repository. */
    readonly roleName: string;
    /** How many cells run at once within one wave (all accounts differ within a wave). */
    readonly maxParallel: number;
}

/** Cells dealt into waves: the n-th cell of each account goes into wave n. */
export function waves(cells: readonly Cell[]): Cell[][] {
    const perAccount = new Map<string, Cell[]>();
    for (const c of cells) {
        const list = perAccount.get(c.account);
        if (list === undefined) perAccount.set(c.account, [c]);
        else list.push(c);
    }
    const out: Cell[][] = [];
    for (const list of perAccount.values()) list.forEach((c, i) => (out[i] ??= []).push(c));
    return out;
}

function matrixEntry(c: Cell) {
    return { stack: c.stack, account: c.account, region: c.regions[0], environment: c.environment };
}

function upJob(org: OrgConfig, opts: WorkflowOptions, wave: Cell[], needs: string[], production: boolean) {
    return {
        name: `Up \${{ matrix.stack }} (\${{ matrix.environment }})`,
        ...(needs.length > 0 ? { needs } : {}),
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 60,
        permissions: { contents: "read", "id-token": "write" },
        strategy: { "fail-fast": true, "max-parallel": opts.maxParallel, matrix: { include: wave.map(matrixEntry) } },
        // Required reviewers on the `production` environment make production wait for approval.
        ...(production ? { environment: "production" } : {}),
        env: {
            PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
            PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        },
        steps: [
            { uses: "actions/checkout@v4" },
            { uses: "actions/setup-node@v4", with: { "node-version": 20, cache: "npm" } },
            { run: "npm ci" },
            {
                uses: "aws-actions/configure-aws-credentials@v4",
                with: {
                    "role-to-assume": `arn:aws:iam::\${{ matrix.account }}:role/${opts.roleName}`,
                    "role-session-name": "patch-manager-${{ github.run_id }}",
                    "role-duration-seconds": org.sessionDurationSeconds,
                    "aws-region": "${{ matrix.region }}",
                },
            },
            {
                name: "Write the cell's stack file from the org config",
                run: `npm run -s org:cell-config -- --stack ${opts.orgStack} --cell "\${{ matrix.stack }}" > "Pulumi.\${{ matrix.stack }}.yaml"`,
            },
            {
                name: "pulumi up --policy-pack policies",
                uses: "pulumi/actions@v6",
                with: {
                    command: "up",
                    "stack-name": "${{ matrix.stack }}",
                    "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                    diff: true,
                    upsert: true,
                    refresh: true,
                    policyPacks: "policies",
                },
            },
        ],
    };
}

/** The workflow, as a YAML document. */
export function cellsWorkflow(org: OrgConfig, opts: WorkflowOptions): Record<string, any> {
    const nonProduction = waves(org.cells.filter((c) => !isProductionCell(c)));
    const production = waves(org.cells.filter(isProductionCell));
    const jobs: Record<string, unknown> = {};
    let previous: string[] = [];
    nonProduction.forEach((wave, i) => {
        const id = `nonproduction-${i + 1}`;
        jobs[id] = upJob(org, opts, wave, previous, false);
        previous = [id];
    });
    production.forEach((wave, i) => {
        const id = `production-${i + 1}`;
        jobs[id] = upJob(org, opts, wave, previous, true);
        previous = [id];
    });
    return {
        name: "Deploy cells",
        on: { push: { branches: [org.branch] }, workflow_dispatch: {} },
        permissions: { contents: "read" },
        // A newer push waits for the running rollout instead of cancelling an `up` half-way.
        concurrency: { group: "patch-manager-cells", "cancel-in-progress": false },
        jobs,
    };
}

export function renderWorkflow(org: OrgConfig, opts: WorkflowOptions): string {
    return [
        `# Generated by \`npm run org:workflow -- --stack ${opts.orgStack}\` from org/Pulumi.${opts.orgStack}.yaml: do not edit;`,
        "# regenerate after changing the cells. Each wave holds at most one cell per account; production",
        "# waves wait for every non-production wave.",
        YAML.stringify(cellsWorkflow(org, opts), { lineWidth: 0 }),
    ].join("\n");
}

/** The cell's stack file: its settings as `Pulumi.<cell>.yaml` holds them. */
export function cellStackFile(cell: Cell): string {
    return YAML.stringify({ config: cell.pulumiConfig });
}

const ORG_DIR = path.resolve(__dirname, "..");

export function readOrg(stack: string): OrgConfig {
    const file = path.join(ORG_DIR, `Pulumi.${stack}.yaml`);
    const values = readStackFile(file, ORG_PROJECT).values;
    const prefix = `${ORG_PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    return parseOrgConfig(raw, path.relative(process.cwd(), file) || file);
}

export function mainWorkflow(argv: string[], cellConfig = false): number {
    try {
        const { values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                cell: { type: "string" },
                out: { type: "string" },
                check: { type: "string" },
                "role-name": { type: "string" },
                "max-parallel": { type: "string", default: "20" },
            },
            strict: true,
        });
        if (!values.stack) throw new StackFileError("--stack <org stack> is required (reads org/Pulumi.<stack>.yaml)");
        const org = readOrg(values.stack);
        if (cellConfig) {
            const cell = org.cells.find((c) => c.stack === values.cell);
            if (!cell)
                throw new StackFileError(
                    `--cell "${values.cell ?? ""}" is not a cell of ${values.stack}; the cells are ${org.cells.map((c) => c.stack).join(", ")}`,
                );
            process.stdout.write(cellStackFile(cell));
            return 0;
        }
        const maxParallel = Number(values["max-parallel"]);
        if (!Number.isInteger(maxParallel) || maxParallel < 1)
            throw new StackFileError(`--max-parallel "${values["max-parallel"]}" must be a whole number of at least 1`);
        const text = renderWorkflow(org, {
            orgStack: values.stack,
            roleName: values["role-name"] ?? org.githubActions?.roleName ?? "patch-manager-github-actions",
            maxParallel,
        });
        if (values.check) {
            const current = fs.existsSync(userPath(values.check)) ? fs.readFileSync(userPath(values.check), "utf8") : "";
            if (current !== text) {
                process.stderr.write(
                    `${values.check} is not what org/Pulumi.${values.stack}.yaml generates; run npm run org:workflow -- --stack ${values.stack} --out ${values.check}\n`,
                );
                return 1;
            }
            return 0;
        }
        if (values.out) fs.writeFileSync(userPath(values.out), text);
        else process.stdout.write(text);
        return 0;
    } catch (e) {
        if (e instanceof ConfigError) process.stderr.write(`${e.lines().join("\n")}\n`);
        else if (e instanceof StackFileError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
            process.stderr.write(`${(e as Error).message}\n`);
        else throw e;
        return 2;
    }
}

if (require.main === module) {
    const code = mainWorkflow(process.argv.slice(2), process.argv.includes("--cell"));
    process.stdout.write("", () => process.exit(code));
}
