// `node tools/bench/alternate.js --base <checkout> [--runs 9] [stack...]`: the whole offline plan
// of each stack in another checkout (a worktree with its own `npm ci`), in this one and the floor
// (the same resources registered with no logic: measure.js `floor replay:`), one after the other
// for `--runs` rounds, so that the machine's load falls on the three alike; prints the medians
// and each median ÷ the floor's. Wall and CPU (user + system) milliseconds of each process. Before
// a stack's rounds, each checkout's plan gets a code cache made by that stack's plan (codeCacheFor).
// Plain JavaScript, as measure.js: nothing of ours is loaded in this process.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");

const ROOT = path.resolve(__dirname, "..", "..");
const { shippedStacks } = require("./stacks");

const USAGE = "usage: node tools/bench/alternate.js --base <checkout with tools/bench/measure.js> [--runs <n ≥ 1>] [stack...]";
function refuse(why) {
    process.stderr.write(`${why ? `${why}\n` : ""}${USAGE}\n`);
    process.exit(2);
}
let parsed;
try {
    parsed = parseArgs({ options: { base: { type: "string" }, runs: { type: "string", default: "9" } }, allowPositionals: true });
} catch (e) {
    refuse(e.message);
}
const { values, positionals } = parsed;
const runs = Number(values.runs);
if (
    values.base === undefined ||
    !fs.existsSync(path.join(values.base, "tools", "bench", "measure.js")) ||
    !Number.isInteger(runs) ||
    runs < 1
)
    refuse();
const base = path.resolve(values.base);
const stacks = positionals.length > 0 ? positionals : shippedStacks(ROOT);
const unknown = stacks.filter((s) => !shippedStacks(ROOT).includes(s) || !shippedStacks(base).includes(s));
if (unknown.length > 0) refuse(`not a stack of both checkouts: ${unknown.join(", ")} (this one has ${shippedStacks(ROOT).join(", ")})`);

/**
 * Each checkout's plan with a code cache made by this stack's plan: V8's code cache beside the
 * plan's bundle (boot/compileCache.js) holds the functions of the starts that wrote it, so a cache
 * one checkout's earlier starts made for another stack or command would make its plans slower
 * than the other's for no reason of code (about 80 ms for prod-private after a dev plan wrote it).
 * The caches are removed and one plan of the stack, not measured, writes them again.
 */
function codeCacheFor(checkout, stack) {
    const folder = path.join(checkout, "node_modules", ".cache", "patch-manager", "tools_plan_plan.ts");
    if (fs.existsSync(folder))
        for (const f of fs.readdirSync(folder)) if (f.endsWith(".code")) fs.rmSync(path.join(folder, f), { force: true });
    measure(checkout, "runtime", `plan:${stack}`);
}

/** One measure.js figure in a fresh process in `checkout`: { ms, cpuMs }. */
function measure(checkout, ...args) {
    const out = execFileSync(process.execPath, [path.join(checkout, "tools", "bench", "measure.js"), ...args], {
        cwd: checkout,
        encoding: "utf8",
        maxBuffer: 64 << 20,
    });
    return JSON.parse(out.trim().split("\n").pop());
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

process.stdout.write(
    `alternate · ${runs} rounds · base ${path.relative(ROOT, base) || base} · load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}\n`,
);
for (const stack of stacks) {
    // The floor registers what this checkout's evaluation registers.
    const dump = path.join(os.tmpdir(), `patch-manager-alternate-${process.pid}-${stack}.json`);
    measure(ROOT, "runtime", `stack:${stack}`, "--dump", dump);
    codeCacheFor(base, stack);
    codeCacheFor(ROOT, stack);
    const figures = { base: [], now: [], floor: [] };
    try {
        for (let i = 0; i < runs; i++) {
            figures.base.push(measure(base, "runtime", `plan:${stack}`));
            figures.now.push(measure(ROOT, "runtime", `plan:${stack}`));
            figures.floor.push(measure(ROOT, "floor", `replay:${dump}`));
        }
    } finally {
        fs.rmSync(dump, { force: true });
    }
    const wall = (k) => median(figures[k].map((f) => f.ms));
    const cpu = (k) => median(figures[k].map((f) => f.cpuMs));
    const shown = (k) =>
        `wall ${wall(k)} ms (${(wall(k) / wall("floor")).toFixed(2)}×), CPU ${cpu(k)} ms (${(cpu(k) / cpu("floor")).toFixed(2)}×)`;
    process.stdout.write(
        `${stack.padEnd(16)} base: ${shown("base")} | now: ${shown("now")} | floor: wall ${wall("floor")} ms, CPU ${cpu("floor")} ms\n`,
    );
}
