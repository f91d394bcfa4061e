// `npm run bench [-- --runs <n>] [-- --only program|org|pack] [-- --base <checkout>] [-- --quick]`: start-up and evaluation cost of
// the program, each figure from fresh processes (tools/bench/measure.js), the median of --runs
// (default 3) except ts-node's type-checking default, which is measured once (it is slow): every
// shipped stack's evaluation and whole offline plan, and the organisation's control plane at 10,
// 100 and 1,000 cells, each against the bare floor (the same resources registered by a program
// with no logic, tools/bench/floorProgram.ts), in turns with it; then the policy pack's start-up,
// from the checkout and from its tarball (tools/bench/packStart.js).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");
const { shippedStacks } = require("./stacks");

const ROOT = path.resolve(__dirname, "..", "..");
const { values } = parseArgs({
    options: {
        runs: { type: "string", default: "3" },
        json: { type: "boolean", default: false },
        // "program", "org" or "pack": one part of the figures only.
        only: { type: "string" },
        // Only the offline plan against the offline diff (a quick figure after a change to the diff).
        "diff-only": { type: "boolean", default: false },
        // Another checkout (with its own node_modules), e.g. a worktree of main: measured in the same
        // turns (ours, base, floor, ...) with its own measure.js, for a before/after in one run.
        base: { type: "string" },
        // Only the ratios to the floor: no ts-node type-checking figure, no synthetic fleets, no diff timings.
        quick: { type: "boolean", default: false },
    },
});
const { packStarts } = require("./packStart");
const RUNS = Math.max(1, Number(values.runs) || 3);

const BASE = values.base === undefined ? undefined : path.resolve(values.base);

/** One fresh process of measure.js (this checkout's, or `root`'s): its JSON line. */
function measureOnce(setup, what, ...flags) {
    return measureAt(ROOT, setup, what, ...flags);
}

function measureAt(root, setup, what, ...flags) {
    const r = spawnSync(process.execPath, [path.join(root, "tools", "bench", "measure.js"), setup, what, ...flags], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`${setup} ${what} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(setup, what, runs = RUNS) {
    const results = Array.from({ length: runs }, () => measureOnce(setup, what));
    results.sort((a, b) => a.ms - b.ms);
    return results[Math.floor(results.length / 2)];
}

/**
 * Ours against the bare floor, in turns (ours, floor, ours, floor, ...) so that a change in the
 * machine's load falls on both: `runs` fresh processes of each. The first run of ours writes the
 * resources the floor then registers (measure.js --dump). Returns every run and, per figure
 * (total ms, evaluation ms, CPU ms, peak RSS), the median of each side, the ratio of the medians
 * and the range of the ratios of the runs taken side by side.
 */
function againstFloor(whats, runs = RUNS) {
    const dump = path.join(os.tmpdir(), `bench-floor-${process.pid}.json`);
    try {
        const ours = Object.fromEntries(whats.map((w) => [w, []]));
        const base = Object.fromEntries(whats.map((w) => [w, []]));
        const floor = [];
        for (let i = 0; i < runs; i++) {
            whats.forEach((w, j) => {
                ours[w].push(measureOnce("runtime", w, ...(i === 0 && j === 0 ? ["--dump", dump] : [])));
                if (BASE) base[w].push(measureAt(BASE, "runtime", w));
            });
            floor.push(measureOnce("floor", `replay:${dump}`));
        }
        const compare = (runsOfOurs) =>
            Object.fromEntries(
                ["ms", "evalMs", "cpuMs", "maxRssMB"].map((k) => {
                    const pairs = runsOfOurs.map((o, i) => o[k] / floor[i][k]);
                    return [k, { ours: median(runsOfOurs.map((o) => o[k])), floor: median(floor.map((f) => f[k])), ratios: pairs }];
                }),
            );
        return {
            floor,
            ours,
            vs: Object.fromEntries(whats.map((w) => [w, compare(ours[w])])),
            ...(BASE ? { base, baseVs: Object.fromEntries(whats.map((w) => [w, compare(base[w])])) } : {}),
        };
    } finally {
        fs.rmSync(dump, { force: true });
    }
}

/** "1.23× (1.10–1.31)": the ratio of the medians and the range over the runs taken side by side. */
function ratio(c) {
    const lo = Math.min(...c.ratios);
    const hi = Math.max(...c.ratios);
    return `${(c.ours / c.floor).toFixed(2)}× (${lo.toFixed(2)}–${hi.toFixed(2)})`;
}

const stacks = shippedStacks(ROOT);
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
if (stacks.includes("prod") && !values.quick && (values.only === undefined || values.only === "program")) {
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
    log("Program per stack, against the bare floor (the same resources, inputs and options registered by a program with no");
    log("logic under the SDK's stock mocks, tools/bench/floorProgram.ts); ours and the floor in turns, medians of the runs,");
    log("ratios as median ÷ median (range over the runs side by side). evaluate: process start → program evaluated under our");
    log("mock runtime; plan: the whole `npm run plan -- --stack <name> --json` in one process:");
    for (const stack of stacks) {
        const { floor, ours, vs, base, baseVs } = againstFloor([`stack:${stack}`, `plan:${stack}`]);
        const runtime = ours[`stack:${stack}`].sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
        const typecheck = values.quick ? undefined : measure("typecheck", `stack:${stack}`, 1);
        const evaluation = vs[`stack:${stack}`];
        const plan = vs[`plan:${stack}`];
        rows.push({ stack, runtime, typecheck, floor, ours, vs, ...(BASE ? { base, baseVs } : {}) });
        log(
            `  ${stack.padEnd(15)} ${String(runtime.resources).padStart(4)} resources | evaluate ${sec(evaluation.ms.ours)} (load ${sec(runtime.loadMs)}, evaluate ${sec(runtime.evalMs)}), ${evaluation.maxRssMB.ours} MB` +
                ` | plan ${sec(plan.ms.ours)}, ${plan.maxRssMB.ours} MB | floor ${sec(evaluation.ms.floor)} (evaluate ${sec(evaluation.evalMs.floor)}), ${evaluation.maxRssMB.floor} MB`,
        );
        log(
            `  ${"".padEnd(15)} ÷ floor: evaluate ${ratio(evaluation.ms)}, CPU ${ratio(evaluation.cpuMs)}, RSS ${ratio(evaluation.maxRssMB)}` +
                ` | plan ${ratio(plan.ms)}, CPU ${ratio(plan.cpuMs)}, RSS ${ratio(plan.maxRssMB)}` +
                (typecheck
                    ? ` | ts-node type-checking ${sec(typecheck.ms)}, ${typecheck.maxRssMB} MB (${(typecheck.ms / runtime.ms).toFixed(1)}× the evaluation)`
                    : ""),
        );
        if (BASE) logBase(baseVs[`stack:${stack}`], baseVs[`plan:${stack}`]);
    }
    if (values.quick) return;
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

/** The base checkout's ratios to the same floor runs (--base). */
function logBase(evaluation, plan) {
    const parts = [`evaluate ${ratio(evaluation.ms)}, CPU ${ratio(evaluation.cpuMs)}`];
    if (plan) parts.push(`plan ${ratio(plan.ms)}, CPU ${ratio(plan.cpuMs)}`);
    log(`  ${"".padEnd(15)} base ${path.relative(ROOT, BASE) || BASE} ÷ the same floor: ${parts.join(" | ")}`);
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
    log("Organisation (org/ control plane, the example widened to N cells), against the bare floor as above; evaluate is");
    log("process start → the control plane's program (org/index.ts: validation and every resource) evaluated under our mock runtime;");
    log("validation on its own and the fleet check run after it in the same process:");
    const orgs = [10, 100, 1000].map((n) => {
        const { floor, ours, vs, baseVs } = againstFloor([`org:${n}`]);
        const runs = ours[`org:${n}`];
        return {
            cells: n,
            ...(BASE ? { baseVs: baseVs[`org:${n}`] } : {}),
            ...runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)],
            runs,
            floor,
            vs: vs[`org:${n}`],
            ...Object.fromEntries(["parseMs", "fleetMs", "evalMs"].map((k) => [k, median(runs.map((r) => r[k]))])),
        };
    });
    for (const o of orgs) {
        log(
            `  ${String(o.cells).padStart(4)} cells: ${String(o.resources).padStart(5)} resources | evaluate ${sec(o.vs.ms.ours)} (of it evaluating ${sec(o.vs.evalMs.ours)}), ${o.vs.maxRssMB.ours} MB` +
                ` | floor ${sec(o.vs.ms.floor)} (evaluating ${sec(o.vs.evalMs.floor)}), ${o.vs.maxRssMB.floor} MB | validate ${sec(o.parseMs)} | fleet check ${sec(o.fleetMs)} (${o.occurrences} window starts)`,
        );
        log(
            `  ${"".padEnd(11)} ÷ floor: total ${ratio(o.vs.ms)}, evaluating ${ratio(o.vs.evalMs)}, CPU ${ratio(o.vs.cpuMs)}, RSS ${ratio(o.vs.maxRssMB)}`,
        );
        if (o.baseVs)
            log(
                `  ${"".padEnd(11)} base ÷ the same floor: total ${ratio(o.baseVs.ms)}, evaluating ${ratio(o.baseVs.evalMs)}, CPU ${ratio(o.baseVs.cpuMs)}`,
            );
    }
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
