import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { cellsWorkflow, cellStackFile, mainWorkflow, renderWorkflow, waves } from "../../org/tools/workflow";
import { lintWorkflow } from "../../tools/ci/workflowLint";
import { parseConfig } from "../../config";
import { ROOT } from "../helpers";
import { exampleValues, parseOrg } from "./helpers";

const OPTS = { orgStack: "example", roleName: "patch-manager-github-actions", maxParallel: 20 };
const SHIPPED = path.join(ROOT, "org", "workflows", "deploy-cells.example.yml");

describe("org workflow: the cells' rollout on GitHub Actions (self-managed backend)", () => {
    const org = parseOrg(exampleValues());

    it("passes the workflow schema and expression checks", () => {
        assert.deepEqual(lintWorkflow("deploy-cells.yml", renderWorkflow(org, OPTS)), []);
    });

    it("runs one matrix entry per cell, non-production waves first, production after them behind approval", () => {
        const wf = cellsWorkflow(org, OPTS);
        const ids = Object.keys(wf.jobs);
        assert.deepEqual(ids, ["nonproduction-1", "production-1"]);
        const entries = ids.flatMap((id) => wf.jobs[id].strategy.matrix.include.map((e: { stack: string }) => e.stack));
        assert.deepEqual(entries.sort(), org.cells.map((c) => c.stack).sort());
        assert.deepEqual(wf.jobs["production-1"].needs, ["nonproduction-1"]);
        assert.equal(wf.jobs["production-1"].environment, "production");
        for (const e of wf.jobs["production-1"].strategy.matrix.include) assert.equal(e.environment, "production");
        for (const e of wf.jobs["nonproduction-1"].strategy.matrix.include) assert.notEqual(e.environment, "production");
    });

    it("assumes a role in each cell's own account by OIDC, one hour at most, and ups with the pack", () => {
        const job = cellsWorkflow(org, OPTS).jobs["nonproduction-1"];
        assert.equal(job.permissions["id-token"], "write");
        const creds = job.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
        assert.equal(creds.with["role-to-assume"], "arn:aws:iam::${{ matrix.account }}:role/patch-manager-github-actions");
        assert.equal(creds.with["role-duration-seconds"], 3600);
        assert.equal(creds.with["aws-region"], "${{ matrix.region }}");
        const up = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(up.with.policyPacks, "policies");
        assert.equal(up.with["stack-name"], "${{ matrix.stack }}");
    });

    it("deals an account's cells into successive waves: never two of one account at once", () => {
        const values = exampleValues();
        values.cells.push({ account: "111111111111", environment: "test", regions: ["eu-central-1"], template: "standard" });
        values.cells.push({ account: "111111111111", environment: "development", regions: ["eu-central-1"], template: "standard" });
        const busy = parseOrg(values);
        const nonProduction = waves(busy.cells.filter((c) => c.environment !== "production"));
        assert.equal(nonProduction.length, 3);
        for (const wave of nonProduction) assert.equal(new Set(wave.map((c) => c.account)).size, wave.length);
        const wf = cellsWorkflow(busy, OPTS);
        assert.deepEqual(wf.jobs["nonproduction-2"].needs, ["nonproduction-1"]);
        assert.deepEqual(wf.jobs["nonproduction-3"].needs, ["nonproduction-2"]);
        assert.deepEqual(wf.jobs["production-1"].needs, ["nonproduction-3"]);
        assert.deepEqual(lintWorkflow("busy.yml", renderWorkflow(busy, OPTS)), []);
    });

    it("writes each cell's stack file with the settings the org config validated", () => {
        const cell = org.cells[1];
        const file = YAML.parse(cellStackFile(cell)).config as Record<string, unknown>;
        const asCli = Object.fromEntries(
            Object.entries(file)
                .filter(([k]) => k.startsWith("patch-manager:"))
                .map(([k, v]) => [k.slice("patch-manager:".length), typeof v === "string" ? v : JSON.stringify(v)]),
        );
        assert.deepEqual(parseConfig(asCli, cell.stack), cell.model);
        assert.equal(file["aws:region"], "eu-west-1");
    });

    it("ships the example's workflow as generated (--check fails on a stale copy)", () => {
        const err = process.stderr.write;
        process.stderr.write = (() => true) as typeof err;
        try {
            assert.equal(mainWorkflow(["--stack", "example", "--check", SHIPPED]), 0);
            const stale = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "wf-")), "stale.yml");
            fs.writeFileSync(stale, fs.readFileSync(SHIPPED, "utf8").replace("max-parallel: 20", "max-parallel: 5"));
            assert.equal(mainWorkflow(["--stack", "example", "--check", stale]), 1);
        } finally {
            process.stderr.write = err;
        }
    });
});
