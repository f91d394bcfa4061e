import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as audit } from "../../../tools/audit/audit";
import { nearestStack } from "../../../tools/cli/stacks";
import { yamlErrorLines } from "../../../tools/cli/yamlExcerpt";
import { displayPath } from "../../../tools/cli/userPath";
import YAML from "yaml";
import { plan } from "../../helpers";

const FROM = "2026-12-01T00:00:00Z";
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));

async function auditRun(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await audit(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

/** Runs `fn` as if npm had been started in `dir` (npm leaves the caller's directory in INIT_CWD). */
async function fromDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
        return await fn();
    } finally {
        if (before === undefined) delete process.env.INIT_CWD;
        else process.env.INIT_CWD = before;
    }
}

describe("the CLI: help, suggestions, paths (npm run plan / policy:audit)", function () {
    it("--help and -h print every option with a description and examples, exit 0, for both tools", async function () {
        for (const flag of ["--help", "-h"]) {
            const r = await plan(flag);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^Usage: npm run plan -- \[options\]/);
            for (const option of [
                "--stack <name>",
                "--config <file>",
                "--json",
                "--out <file>",
                "--from <ISO date>",
                "--occurrences <n>",
                "--policy-pack-config <file>",
                "--all",
                "--include-examples",
                "--dir <dir>",
                "--soak-days <n>",
                "--days <n>",
                "--ics <file>",
                "--svg <file>",
                "--diff-against <git ref>",
                "--diff <old plan.json>",
                "--markdown",
            ])
                assert.match(r.stdout, new RegExp(`\\n  ${option.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +\\S`), option);
            // Every option that takes a value shows one.
            const optionBlock = r.stdout.slice(r.stdout.indexOf("Options:"), r.stdout.indexOf("Examples:"));
            for (const entry of optionBlock.split(/\n(?= {2}-)/).filter((e) => /^ {2}--[a-z-]+ </.test(e)))
                assert.match(entry.replace(/\s+/g, " "), /e\.g\./, entry);
            assert.match(r.stdout, /\nExamples:\n/);
            assert.match(r.stdout, /npm run -s plan -- --stack prod --json > prod\.json/);
            const a = await auditRun(flag);
            assert.equal(a.code, 0, a.stderr);
            assert.match(a.stdout, /^Usage: npm run policy:audit -- \[options\] \[file\]/);
            for (const option of ["--config <file>", "--json", "--out <file>"]) assert.ok(a.stdout.includes(`  ${option}`), option);
            assert.match(a.stdout, /\nExamples:\n/);
        }
    });

    it("an unknown option gets a suggestion and exit 2; nothing on stdout", async function () {
        const r = await plan("--stack", "dev", "--jsn");
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.match(
            r.stderr,
            /unknown option '--jsn'\n\(Did you mean --json\?\)\n\(npm run plan -- --help lists every option, with examples\)/,
        );
        const soak = await plan("--all", "--soak-day", "5");
        assert.equal(soak.code, 2);
        assert.match(soak.stderr, /Did you mean --soak-days\?/);
        const extra = await plan("--stack", "dev", "prod");
        assert.equal(extra.code, 2);
        assert.match(extra.stderr, /too many arguments/);
        const bad = await plan("--stack", "dev", "--days", "0");
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--days "0" must be a whole number from 1 to 366\n\(npm run plan -- --help/);
    });

    it("--stack with no stack file lists the stacks there are and suggests the nearest", async function () {
        const r = await plan("--stack", "production");
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^--stack production: there is no Pulumi\.production\.yaml\. Did you mean --stack prod\?\n/);
        assert.match(r.stderr, /stacks here: dev, prod, prod-hybrid \(example\), prod-private \(example\)/);
        assert.doesNotMatch(r.stderr, /ENOENT/);
        const stacks = ["dev", "prod", "prod-hybrid", "prod-private"];
        assert.equal(nearestStack("production", stacks), "prod");
        assert.equal(nearestStack("prd", stacks), "prod");
        assert.equal(nearestStack("deve", stacks), "dev");
        assert.equal(nearestStack("prod-privat", stacks), "prod-private");
        assert.equal(nearestStack("staging", stacks), undefined);
        const config = await fromDir(tmp(), () => plan("--stack", "x", "--config", "nope/Pulumi.x.yaml"));
        assert.equal(config.code, 2);
        assert.match(config.stderr, /^--config nope\/Pulumi\.x\.yaml: no such file/);
    });

    it("a YAML syntax error shows the bad lines with their numbers and a caret, not just the first line", async function () {
        const dir = tmp();
        const file = path.join(dir, "Pulumi.broken.yaml");
        fs.writeFileSync(
            file,
            [
                "config:",
                "  aws:region: eu-west-1",
                "  patch-manager:environment: production",
                "  patch-manager:rateControl:",
                '    maxConcurrency: "10%"',
                '   maxErrors: "5%"',
            ].join("\n"),
        );
        const r = await fromDir(dir, () => plan("--stack", "broken", "--config", "Pulumi.broken.yaml"));
        assert.equal(r.code, 2);
        const lines = r.stderr.split("\n");
        assert.match(lines[0], /^Pulumi\.broken\.yaml:6:\d+: not valid YAML \([A-Z_]+\): /);
        assert.ok(lines.includes('  5 |     maxConcurrency: "10%"'), r.stderr);
        assert.ok(lines.includes('  6 |    maxErrors: "5%"'), r.stderr);
        assert.ok(
            lines.some((l) => /^ {2} {1} \| *\^+$/.test(l)),
            r.stderr,
        );
        // The excerpt comes from the library's own position, for any error it reports.
        let error: unknown;
        try {
            YAML.parse("a: [1, 2\nb: 3\n");
        } catch (e) {
            error = e;
        }
        const excerpt = yamlErrorLines("x.yaml", "a: [1, 2\nb: 3\n", error);
        assert.match(excerpt[0], /^x\.yaml:\d+:\d+: not valid YAML/);
        assert.ok(excerpt.some((l) => l.includes("| a: [1, 2")));
    });

    it("paths in messages are relative to where the user ran npm (INIT_CWD)", async function () {
        const dir = tmp();
        const sub = path.join(dir, "stacks");
        fs.mkdirSync(sub);
        fs.writeFileSync(path.join(sub, "Pulumi.bad.yaml"), "config:\n  patch-manager:environment: staging\n");
        const r = await fromDir(dir, () => plan("--stack", "bad", "--config", "stacks/Pulumi.bad.yaml"));
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^stacks\/Pulumi\.bad\.yaml: patch-manager:environment: "staging" is not valid/);
        const a = await fromDir(dir, () => auditRun("nothing.json"));
        assert.match(a.stderr, /^policy:audit: cannot read file nothing\.json: no such file/);
        await fromDir(dir, async () => {
            assert.equal(displayPath(path.join(dir, "a", "b.json")), path.join("a", "b.json"));
            assert.equal(displayPath("/"), "/", "an absolute path where it is shorter");
        });
    });

    it("--out writes the document to a file and keeps stdout empty; the file is the same document", async function () {
        const dir = tmp();
        const r = await fromDir(dir, () => plan("--stack", "dev", "--json", "--from", FROM, "--out", "dev.json"));
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^Wrote the JSON document to dev\.json\n$/);
        const doc = JSON.parse(fs.readFileSync(path.join(dir, "dev.json"), "utf8"));
        assert.equal(doc.stack, "dev");
        assert.ok(doc.resources.length > 10);
        const a = await fromDir(dir, () => auditRun("dev.json", "--json", "--out", "audit.json"));
        assert.equal(a.code, 0, a.stderr);
        assert.equal(a.stdout, "");
        assert.match(a.stderr, /Wrote the JSON document to audit\.json/);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "audit.json"), "utf8")), { violations: [] });
        assert.equal((await plan("--stack", "dev", "--out", " ")).code, 2);
    });
});
