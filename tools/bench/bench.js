// `npm run bench [-- --runs <n>]`: start-up and evaluation cost of the program, each figure
// from fresh processes (tools/bench/measure.js), the median of --runs (default 3)
// except ts-node's type-checking default, which is measured once (it is slow).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");

const ROOT = path.resolve(__dirname, "..", "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, json: { type: "boolean", default: false } } });
const RUNS = Math.max(1, Number(values.runs) || 3);

function measure(setup, what, runs = RUNS) {
    const results = [];
    for (let i = 0; i < runs; i++) {
        const r = spawnSync(process.execPath, [path.join(__dirname, "measure.js"), setup, what], {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        if (r.status !== 0) throw new Error(`${setup} ${what} failed:\n${r.stderr}`);
        results.push(JSON.parse(r.stdout.trim().split("\n").pop()));
    }
    results.sort((a, b) => a.ms - b.ms);
    return results[Math.floor(results.length / 2)];
}

const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f))
    .filter(Boolean)
    .map((m) => m[1])
    .sort();
const log = (s) => values.json || process.stdout.write(`${s}\n`);
const sec = (ms) => `${(ms / 1000).toFixed(1)} s`;

const load = () =>
    os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
log(
    `patch-manager bench · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0].model.trim()} · median of ${RUNS} fresh processes (type-checking: 1)`,
);
// Other work on the machine inflates every figure; the load average says how much there was.
log(`load average at start: ${load()}`);
log("");
log("Program evaluation per stack (process start → program evaluated under mocks; peak RSS):");
const rows = [];
for (const stack of stacks) {
    const runtime = measure("runtime", `stack:${stack}`);
    const typecheck = measure("typecheck", `stack:${stack}`, 1);
    const floor = measure("floor", `resources:${runtime.resources}`);
    const floorAws = measure("floor", `resources+aws:${runtime.resources}`);
    rows.push({ stack, runtime, typecheck, floor, floorAws });
    log(
        `  ${stack.padEnd(6)} ${String(runtime.resources).padStart(4)} resources | runtime setup ${sec(runtime.ms)} (load ${sec(runtime.loadMs)}, evaluate ${sec(runtime.evalMs)}), ${runtime.maxRssMB} MB` +
            ` | ts-node type-checking ${sec(typecheck.ms)}, ${typecheck.maxRssMB} MB (${(typecheck.ms / runtime.ms).toFixed(1)}× slower)` +
            ` | floor ${sec(floor.ms)} (evaluate ${sec(floor.evalMs)}), ${floor.maxRssMB} MB → ours ${(runtime.ms / floor.ms).toFixed(2)}× the floor`,
    );
    log(
        `  ${"".padEnd(6)} floor + loading @pulumi/aws: ${sec(floorAws.ms)}, ${floorAws.maxRssMB} MB → ours ${(runtime.ms / floorAws.ms).toFixed(2)}× that;` +
            ` program logic and our modules: ${sec(runtime.ms - floorAws.ms)}`,
    );
}
log("");
log("Synthetic fleets (prod config, N patch groups each with its own window; runtime setup):");
const fleets = [10, 50, 200].map((n) => ({ groups: n, ...measure("runtime", `fleet:${n}`) }));
for (const f of fleets)
    log(
        `  ${String(f.groups).padStart(3)} groups: ${String(f.resources).padStart(5)} resources, ${sec(f.ms)} (evaluate ${sec(f.evalMs)}), ${f.maxRssMB} MB`,
    );
const [a, , c] = fleets;
const perGroupResources = (c.resources - a.resources) / (c.groups - a.groups);
const perGroupMs = (c.evalMs - a.evalMs) / (c.groups - a.groups);
const mid = fleets[1];
const predicted = a.evalMs + perGroupMs * (mid.groups - a.groups);
log(
    `  growth: ${perGroupResources} resources and ${perGroupMs.toFixed(0)} ms of evaluation per added group (${(perGroupMs / perGroupResources).toFixed(1)} ms per resource);` +
        ` linear if 50 groups sit on the 10→200 line: predicted ${sec(predicted)}, measured ${sec(mid.evalMs)}`,
);
log("");
log("Organisation (org/ control plane, the example widened to N cells; 1,000 cells measured once):");
const orgs = [10, 100, 1000].map((n) => ({ cells: n, ...measure("runtime", `org:${n}`, n >= 1000 ? 1 : RUNS) }));
for (const o of orgs)
    log(
        `  ${String(o.cells).padStart(4)} cells: ${String(o.resources).padStart(5)} resources | validate ${sec(o.parseMs)} | control plane ${sec(o.evalMs)} | fleet check ${sec(o.fleetMs)} (${o.occurrences} window starts) | ${o.maxRssMB} MB`,
    );
const [o10, o100, o1000] = orgs;
const perCell = (k) => ((o1000[k] - o10[k]) / (o1000.cells - o10.cells)).toFixed(1);
const line = (k) =>
    `predicted ${sec(o10[k] + ((o1000[k] - o10[k]) * (o100.cells - o10.cells)) / (o1000.cells - o10.cells))}, measured ${sec(o100[k])}`;
log(`  per added cell: control plane ${perCell("evalMs")} ms, fleet check ${perCell("fleetMs")} ms, validation ${perCell("parseMs")} ms`);
log(`  linear if 100 cells sit on the 10→1000 line: control plane ${line("evalMs")}; fleet check ${line("fleetMs")}`);
log(`load average at end: ${load()}`);
if (values.json) process.stdout.write(`${JSON.stringify({ runs: RUNS, stacks: rows, fleets, orgs }, null, 2)}\n`);
