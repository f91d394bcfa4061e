// `node tools/bench/planDigests.js [--root <checkout>] [--write <file> | --check <file>]`: the
// SHA-256 of the offline plan's JSON (`npm run plan -- ... --json`, a fixed --from) for the
// organisation's example and every shipped stack, of this checkout or another one (--root: e.g.
// main's). A performance change must not change a plan: write the digests before it (or of the
// base checkout), check them after (exit 1 and the plans that differ).
"use strict";
const { spawnSync } = require("child_process");
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");
const { parseArgs } = require("util");
const { shippedStacks } = require("./stacks");

const { values } = parseArgs({ options: { root: { type: "string" }, write: { type: "string" }, check: { type: "string" } } });
const ROOT = path.resolve(values.root ?? path.join(__dirname, "..", ".."));
const stacks = shippedStacks(ROOT);
const plans = [["org/example", ["--project", "org", "--stack", "example"]], ...stacks.map((s) => [s, ["--stack", s]])];
const digests = {};
for (const [name, args] of plans) {
    const r = spawnSync(
        process.execPath,
        [
            require.resolve("ts-node/dist/bin", { paths: [ROOT] }),
            "-P",
            "tsconfig.pulumi.json",
            "tools/plan/plan.ts",
            ...args,
            "--json",
            "--from",
            "2026-12-01T00:00:00Z",
        ],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    if (r.status !== 0 && r.status !== 1) throw new Error(`plan ${args.join(" ")} failed:\n${r.stderr}`);
    digests[name] = createHash("sha256").update(r.stdout).digest("hex");
    process.stdout.write(`${digests[name]}  ${name}\n`);
}
if (values.write) fs.writeFileSync(values.write, `${JSON.stringify(digests, null, 2)}\n`);
if (values.check) {
    const before = JSON.parse(fs.readFileSync(values.check, "utf8"));
    const changed = Object.keys({ ...before, ...digests }).filter((k) => before[k] !== digests[k]);
    process.stdout.write(changed.length === 0 ? "every plan is byte-identical\n" : `changed: ${changed.join(", ")}\n`);
    process.exitCode = changed.length === 0 ? 0 : 1;
}
