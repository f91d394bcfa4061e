// The published pack, alone: `npm pack` in policies/ (what `pulumi policy publish` uploads), then
// what Pulumi does to enforce it from a policy group: unpack the tarball into an empty directory,
// `npm install` there, and start `node node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine>
// .` in it. Asked to analyze one resource at a time (the resource rules; a lone window would fail
// the stack rules by design) it must report nothing for a compliant maintenance window and the
// schedule rule's findings for a broken one (the rule runs the bundled @patch-manager/ssm
// and its croner). Also checks that the tarball holds compiled JavaScript only, that no relative
// require leaves its package, that an escaping one would fail to load there, and that packing
// left no build output in the checkout. Needs the npm registry (or its cache); runs in .ci/run.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TYPES } from "@patch-manager/ssm";
import { windowInputs } from "../../tests/policies/resources";
import { POLICIES, analyze, connect, startPack, stopPack } from "./analyzerClient";
import type { AuditResource } from "../audit/engine";

const { packAndInstall } = require("./packInstall") as { packAndInstall(work: string): { tarball: string; dir: string } };

/** Every file under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? walk(full, base) : [path.relative(base, full)];
    });
}

/** Relative requires in the .js files of a package (its own node_modules excluded) that resolve outside it. */
function escapingRequires(pkg: string): string[] {
    const found: string[] = [];
    for (const file of walk(pkg).filter((f) => f.endsWith(".js") && !f.split(path.sep).includes("node_modules"))) {
        const text = fs.readFileSync(path.join(pkg, file), "utf8");
        for (const m of text.matchAll(/require\(["'](\.{1,2}\/[^"']*)["']\)/g)) {
            const target = path.resolve(pkg, path.dirname(file), m[1]);
            if (path.relative(pkg, target).startsWith("..")) found.push(`${file}: require("${m[1]}")`);
        }
    }
    return found;
}

function window(name: string, inputs: Record<string, unknown>): AuditResource {
    return { type: TYPES.window, custom: true, name, urn: `urn:pulumi:prod::patch-manager::${TYPES.window}::${name}`, inputs };
}

/** Starts the pack in `packDir` as the analyzer does and returns its findings for each resource, analyzed alone. */
async function findings(packDir: string, resources: AuditResource[]): Promise<{ found: string[][]; startMs: number }> {
    const pack = await startPack(packDir);
    const startMs = pack.ms;
    const client = connect(pack.port);
    try {
        const found: string[][] = [];
        for (const r of resources) found.push(await analyze(client, [r], { stack: false }));
        return { found, startMs };
    } finally {
        client.close();
        stopPack(pack);
    }
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "patch-manager-tarball-"));
    try {
        const { tarball, dir } = packAndInstall(work);

        // postpack removed the build output, so the checkout runs its TypeScript sources again.
        const leftovers = fs
            .readdirSync(POLICIES)
            .filter((f) => f.endsWith(".js") || f === "node_modules")
            .map((f) => `policies/${f}`);
        assert.deepEqual(leftovers, [], "npm pack left build output in the checkout");

        // What the tarball holds, less the bundled package's own dependencies (croner, cronstrue).
        const shipped = execFileSync("tar", ["tzf", path.join(work, tarball)], { encoding: "utf8" })
            .split("\n")
            .filter((f) => f && !f.startsWith("package/node_modules/@patch-manager/ssm/node_modules/"))
            .map((f) => f.replace(/^package\//, ""));
        assert.deepEqual(
            shipped.filter((f) => f.endsWith(".ts") || f === "tsconfig.json"),
            [],
            "the tarball must carry compiled JavaScript, not TypeScript",
        );
        for (const f of ["index.js", "PulumiPolicy.yaml", "node_modules/@patch-manager/ssm/schedule.js"]) {
            assert.ok(shipped.includes(f), `the tarball lacks ${f}`);
        }
        const bundled = path.join(dir, "node_modules", "@patch-manager", "ssm");
        assert.deepEqual([...escapingRequires(dir), ...escapingRequires(bundled)], [], "relative requires that leave their package");

        const good = window("good", windowInputs());
        const bad = window("bad", { ...windowInputs(), schedule: "cron(0 25 ? * THU#1 *)", scheduleTimezone: "Mars/Olympus" });
        const {
            found: [passed, failed],
            startMs,
        } = await findings(dir, [good, bad]);
        assert.deepEqual(passed, [], "a compliant window must pass");
        const policies = failed.map((d) => d.split(" | ").slice(0, 3).join(" | "));
        const expected = `window-well-formed | mandatory | ${bad.urn}`;
        assert.deepEqual(policies, [expected, expected], failed.join("\n"));
        assert.ok(
            failed.some((d) => d.includes("cron(0 25 ? * THU#1 *)")),
            failed.join("\n"),
        );
        assert.ok(
            failed.some((d) => d.includes("Mars/Olympus")),
            failed.join("\n"),
        );

        // A relative import out of the pack fails there: the same pack with one at the top of its entry.
        const escaped = path.join(work, "escaped");
        fs.mkdirSync(escaped);
        for (const f of fs.readdirSync(dir)) {
            if (f === "node_modules") fs.symlinkSync(path.join(dir, f), path.join(escaped, f), "dir");
            else fs.cpSync(path.join(dir, f), path.join(escaped, f), { recursive: true });
        }
        const entry = path.join(escaped, "index.js");
        fs.writeFileSync(entry, `require("../components/aws");\n${fs.readFileSync(entry, "utf8")}`);
        await assert.rejects(findings(escaped, [good]), /Cannot find module '\.\.\/components\/aws'/);

        process.stdout.write(
            `policy pack tarball ${tarball} (${shipped.length} files) installs alone and enforces: ` +
                `compliant window passes, broken window gets ${failed.length} findings; ` +
                `the analyzer listened after ${(startMs / 1000).toFixed(1)} s; ` +
                `a relative import out of the pack fails to load\n`,
        );
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    process.stderr.write(`policy pack tarball check FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
