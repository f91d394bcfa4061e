// `npm run bench [-- --runs <n>] [-- --only program|pack]`: start-up and evaluation cost of the
// program, each figure from fresh processes (tools/bench/measure.js), the median of --runs
// (default 3) except ts-node's type-checking default, which is measured once (it is slow); then
// the policy pack's start-up, from the checkout and from its tarball (tools/bench/packStart.js).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");

const ROOT = path.resolve(__dirname, "..", "..");
const { values } = parseArgs({
    options: {
        runs: { type: "string", default: "3" },
        json: { type: "boolean", default: false },
        // "program", "org" or "pack": one part of the figures only.
        only: { type: "string" },
        // Only the offline plan against the offline diff (a quick figure after a change to the diff).
        "diff-only": { type: "boolean", default: false },
    },
});
const { packStarts } = require("./packStart");
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
/** `npm run plan -- <args>` as a user runs it (ts-node with the runtime tsconfig), wall time of the median run. */
function timePlan(args) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        const r = spawnSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "-P", "tsconfig.pulumi.json", "tools/plan/plan.ts", ...args],
            { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        if (r.status !== 0 && r.status !== 1) throw new Error(`plan ${args.join(" ")} failed:\n${r.stderr}`);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const diffRows = [];
if (stacks.includes("prod") && (values.only === undefined || values.only === "program")) {
    log("");
    log("Offline plan against offline diff (npm run plan, wall time, stack prod):");
    const planMs = timePlan(["--stack", "prod", "--json"]);
    const fileMs = (() => {
        const file = path.join(os.tmpdir(), `bench-plan-${process.pid}.json`);
        const r = spawnSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "-P", "tsconfig.pulumi.json", "tools/plan/plan.ts", "--stack", "prod", "--json"],
            {
                cwd: ROOT,
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
            },
        );
        fs.writeFileSync(file, r.stdout);
        try {
            return timePlan(["--stack", "prod", "--diff", file, "--json"]);
        } finally {
            fs.rmSync(file, { force: true });
        }
    })();
    const refMs = timePlan(["--stack", "prod", "--diff-against", "HEAD", "--json"]);
    diffRows.push({ planMs, diffFileMs: fileMs, diffAgainstMs: refMs });
    log(
        `  plan ${sec(planMs)} | --diff <plan.json> ${sec(fileMs)} | --diff-against HEAD ${sec(refMs)} (${(refMs / planMs).toFixed(2)}× the plan)`,
    );
}
if (values["diff-only"]) {
    log(`load average at end: ${load()}`);
    if (values.json) process.stdout.write(`${JSON.stringify({ runs: RUNS, diff: diffRows }, null, 2)}\n`);
    process.exit(0);
}
log("");
const rows = [];
const fleets = [];
if (values.only === undefined || values.only === "program") programFigures();

function programFigures() {
    log("Program evaluation per stack (process start → program evaluated under mocks; peak RSS):");
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
    // Up to the 49 own windows a region holds beside the environment's (SSM's quota of 50).
    fleets.push(...[5, 25, 49].map((n) => ({ groups: n, ...measure("runtime", `fleet:${n}`) })));
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
            ` linear if ${mid.groups} groups sit on the ${a.groups}→${c.groups} line: predicted ${sec(predicted)}, measured ${sec(mid.evalMs)}`,
    );
}

async function packFigures() {
    log("");
    log("Policy pack start-up (process start → analyzer listening, started as the Pulumi CLI starts a pack):");
    const p = await packStarts(RUNS);
    const ratio = (a, b) => `${(a / b).toFixed(2)}× its floor`;
    log(
        `  checkout (TypeScript, type-checked on start): ${sec(p.checkout)} against ${sec(p.checkoutFloor)} for an empty TypeScript pack → ${ratio(p.checkout, p.checkoutFloor)}`,
    );
    log(
        `  tarball (compiled JavaScript):               ${sec(p.tarball)} against ${sec(p.tarballFloor)} for an empty JavaScript pack → ${ratio(p.tarball, p.tarballFloor)}`,
    );
    log(`  the tarball starts ${(p.checkout / p.tarball).toFixed(1)}× faster than the checkout`);
    return p;
}

function orgFigures() {
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
    log(
        `  per added cell: control plane ${perCell("evalMs")} ms, fleet check ${perCell("fleetMs")} ms, validation ${perCell("parseMs")} ms`,
    );
    log(`  linear if 100 cells sit on the 10→1000 line: control plane ${line("evalMs")}; fleet check ${line("fleetMs")}`);
    return orgs;
}

const orgs = values.only === undefined || values.only === "org" ? orgFigures() : [];
(values.only === undefined || values.only === "pack" ? packFigures() : Promise.resolve(undefined)).then(
    (pack) => {
        log(`load average at end: ${load()}`);
        if (values.json)
            process.stdout.write(`${JSON.stringify({ runs: RUNS, diff: diffRows, stacks: rows, fleets, orgs, pack }, null, 2)}\n`);
    },
    (e) => {
        process.stderr.write(`${e.stack || e}\n`);
        process.exit(1);
    },
);
