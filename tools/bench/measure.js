// One measurement in a fresh process (`npm run bench` starts one per figure):
//   node tools/bench/measure.js <setup> <what> [--dump <file>]
// setup: "runtime"   - ts-node registered as `pulumi preview` does with this Pulumi.yaml
//                      (its `tsconfig` option; transpile-only when that config sets noCheck)
//        "typecheck" - as Pulumi does without the option: tsconfig.json, ts-node's default type-checking
//        "floor"     - no program of ours: the bare SDK registering resources
// what:  stack:<name> | fleet:<groups> | org:<cells>            (runtime, typecheck: our program evaluated)
//        plan:<name>                                            (runtime: the whole `npm run plan -- --json`)
//        resources:<count> | resources+aws:<count>              (floor: as many plain resources)
//        replay:<file> | replay+traces:<file>                   (floor: a --dump's resources, see below)
// --dump <file> (runtime): also writes the evaluated resources (type, name, parent, inputs, options)
// for `floor replay:<file>`, which registers exactly those resources with the bare SDK: the
// packages' own resource classes, the same inputs and options, under @pulumi/pulumi's stock mocks
// (setMocks, a mock that echoes the inputs), no code of ours. `replay:` skips the SDK's two stack
// traces as our mock runtime does (tools/mock/mockProgram.ts skipSdkTraces), `replay+traces:` keeps them.
// Prints one JSON line: ms from process start to the evaluated program (loadMs of it until the
// program's modules are loaded and compiled, evalMs running it under mocks), peak RSS, resource count.
// Plain JavaScript on purpose: the setup under test must be the only TypeScript registration.
"use strict";
const fs = require("fs");
const path = require("path");
const { performance } = require("perf_hooks");

const ROOT = path.resolve(__dirname, "..", "..");
const [setup, what, ...flags] = process.argv.slice(2);
const dumpFile = flags[0] === "--dump" ? flags[1] : undefined;

function runtimeTsconfig() {
    const yaml = require("yaml");
    const project = yaml.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    return project.runtime?.options?.tsconfig ?? "tsconfig.json";
}

/** ts-node registered the way @pulumi/pulumi's cmd/run does (run.js: project, transpileOnly from noCheck). */
function registerLikePulumi(tsconfig) {
    const ts = require("typescript");
    const file = path.join(ROOT, tsconfig);
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT, undefined, file);
    require("ts-node").register({ project: file, transpileOnly: parsed.options.noCheck, compilerOptions: {} });
}

async function main() {
    if (setup === "runtime") registerLikePulumi(runtimeTsconfig());
    else if (setup === "typecheck") registerLikePulumi("tsconfig.json");
    // Pulumi's runtime registers ts-node for every program of a project whose runtime options do
    // not say `typescript: false`, JavaScript ones too: the floor pays it as well.
    else if (setup === "floor") registerLikePulumi(runtimeTsconfig());
    else throw new Error(`unknown setup ${setup}`);

    const [kind, arg] = splitTarget(what);
    if (kind === "replay" || kind === "replay+traces") return replay(arg, kind === "replay+traces");
    if (kind === "plan") return measurePlan(arg);
    // The mock runtime and the program compiled into one file, as the offline plan runs them (boot/compileCache.js).
    const { evaluateProgram, readStackFile, loadProgram } = compiled("tools/mock/mockProgram.ts");
    let stack = "bench";
    let project;
    let config = { values: {}, secretKeys: [] };
    let program;
    if (kind === "stack") {
        stack = arg;
        config = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
        // The project's own program, loaded as Pulumi's runtime loads it (before the clock for evaluation starts).
        program = loadProgram();
    } else if (kind === "fleet") {
        stack = "prod";
        config = fleetConfig(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")), Number(arg));
        program = loadProgram();
    } else if (kind === "org") {
        project = "patch-manager-org";
        config = orgConfig(readStackFile(path.join(ROOT, "org", "Pulumi.example.yaml"), project), Number(arg));
        // org/Pulumi.yaml's main: the control plane compiled by boot/compileCache.js, as Pulumi starts it.
        const org = require(path.join(ROOT, "org", "boot.js"));
        program = () => org();
    } else if (kind === "resources" || kind === "resources+aws") {
        const pulumi = require("@pulumi/pulumi");
        // "+aws": the floor plus loading @pulumi/aws, which every real program pays.
        if (kind === "resources+aws") require("@pulumi/aws");
        const count = Number(arg);
        program = () => {
            for (let i = 0; i < count; i++)
                new pulumi.CustomResource("aws:ssm/maintenanceWindow:MaintenanceWindow", `r${i}`, {
                    name: `r${i}`,
                    schedule: "cron(0 6 ? * SAT *)",
                });
            return {};
        };
    } else throw new Error(`unknown target ${what}`);

    const loadedMs = performance.now();
    const loadCpuMs = cpuSince();
    const { resources } = await evaluateProgram({ stack, config, program, ...(project ? { project } : {}) });
    const ms = performance.now();
    // CPU and peak memory of the evaluation, before anything after it (the fleet check) adds to them.
    const cpuMs = cpuSince();
    const result = { ...timings(loadedMs, loadCpuMs, ms, cpuMs), resources: resources.length };
    if (kind === "org") Object.assign(result, orgFleetCheck(config));
    if (dumpFile) writeDump(dumpFile, { project: project ?? "patch-manager", stack, resources });
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * The whole offline plan of a stack as `npm run plan -- --stack <name> --json` makes it (evaluation,
 * policies, windows, the JSON document), run in this process through the plan's own entry point;
 * the document is kept from stdout and only its size reported.
 */
async function measurePlan(stack) {
    // As `npm run plan` loads it (tools/plan/cli.js): the plan compiled with everything it loads, the program among them.
    const { main: plan } = compiled("tools/plan/plan.ts");
    const loadedMs = performance.now();
    const loadCpuMs = cpuSince();
    const write = process.stdout.write;
    let document = "";
    process.stdout.write = (chunk) => {
        document += chunk;
        return true;
    };
    let code;
    try {
        code = await plan(["--stack", stack, "--json", "--from", "2026-12-01T00:00:00Z"]);
    } finally {
        process.stdout.write = write;
    }
    const ms = performance.now();
    const cpuMs = cpuSince();
    if (code !== 0 && code !== 1) throw new Error(`plan --stack ${stack} exited ${code}`);
    const result = { ...timings(loadedMs, loadCpuMs, ms, cpuMs), resources: JSON.parse(document).resources.length, bytes: document.length };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** A module of this checkout as its command loads it: compiled into one file (boot/compileCache.js), else from source. */
function compiled(entry) {
    const cache = path.join(ROOT, "boot", "compileCache.js");
    return fs.existsSync(cache) ? require(cache).load({ root: ROOT, entry }) : require(path.join(ROOT, entry));
}

/** One measurement's figures: wall time to load and to evaluate, CPU, and the process's peak memory so far. */
function timings(loadedMs, loadCpuMs, ms, cpuMs) {
    return {
        setup,
        what,
        ms: Math.round(ms),
        loadMs: Math.round(loadedMs),
        evalMs: Math.round(ms - loadedMs),
        cpuMs,
        evalCpuMs: cpuMs - loadCpuMs,
        maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
}

/** CPU time (user + system) of this process so far, ms: on a shared machine it varies less than wall time. */
function cpuSince() {
    const { user, system } = process.cpuUsage();
    return Math.round((user + system) / 1000);
}

/** "kind:arg", the argument possibly a path with colons of its own. */
function splitTarget(target) {
    const i = target.indexOf(":");
    return i < 0 ? [target, ""] : [target.slice(0, i), target.slice(i + 1)];
}

/**
 * The example organisation widened to `count` cells (one account each, declared in one of the
 * example's OUs, the five environments in turn, the two regions in turn, production-like ones on
 * the production template): the stack config the control plane's program reads.
 */
function orgConfig(config, count) {
    const environments = ["sandbox", "development", "test", "acceptance", "production"];
    const cells = Array.from({ length: count }, (_, i) => ({
        account: String(100000000000 + i),
        environment: environments[i % 5],
        regions: [i % 2 === 0 ? "eu-west-1" : "eu-central-1"],
        template: i % 5 >= 3 ? "production" : "standard",
    }));
    // Every account is declared with an OU of the example's (the StackSet reaches accounts through their OU),
    // production-like ones in the production OU as the example's are.
    const units = JSON.parse(config.values["patch-manager-org:organizationalUnits"]);
    const accounts = Object.fromEntries(
        cells.map((c) => [c.account, { organizationalUnit: units[c.template === "production" ? units.length - 1 : 1 % units.length] }]),
    );
    return {
        ...config,
        values: {
            ...config.values,
            "patch-manager-org:cells": JSON.stringify(cells),
            "patch-manager-org:accounts": JSON.stringify(accounts),
        },
    };
}

/**
 * After the control plane's evaluation, in the same process: validating the org config on its own
 * (every cell's merged settings through the program's parser, as `npm run plan -- --project org`
 * does before evaluating) and the fleet checks over every cell, each timed.
 */
function orgFleetCheck(config) {
    const { parseOrgConfig, ORG_PROJECT } = require(path.join(ROOT, "org", "config"));
    const { orgFleet } = require(path.join(ROOT, "org", "tools", "projectPlan"));
    const { analyzeFleet } = require(path.join(ROOT, "tools", "fleet"));
    const prefix = `${ORG_PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(config.values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const start = performance.now();
    const org = parseOrgConfig(raw, "bench");
    const parsed = performance.now();
    const report = analyzeFleet(orgFleet(org), { from: new Date("2026-12-01T00:00:00Z"), days: 90, soakDays: 3 });
    const checked = performance.now();
    return {
        parseMs: Math.round(parsed - start),
        fleetMs: Math.round(checked - parsed),
        findings: report.findings.length,
        occurrences: report.calendar.length,
    };
}

/** What `floor replay:` needs of each resource, in registration order (a parent before its children). */
function writeDump(file, { project, stack, resources }) {
    const kept = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        ...(r.external ? { external: true, id: r.id } : {}),
        parent: r.parent,
        inputs: r.inputs,
        options: r.options,
        ...(r.provider ? { provider: r.provider } : {}),
        ...(r.aliasSpecs ? { aliasSpecs: r.aliasSpecs } : {}),
    }));
    fs.writeFileSync(file, JSON.stringify({ project, stack, resources: kept }));
}

/**
 * The floor for one evaluation: the same resources registered by a program with no logic
 * (tools/bench/floorProgram.ts, TypeScript as a program of this project is) with the bare SDK.
 * Reading the dump is not counted (its time is subtracted; its memory is in the peak, so the
 * floor's RSS is a little high).
 */
async function replay(file, traces) {
    const readStart = performance.now();
    const readStartCpu = cpuSince();
    const { project, stack, resources } = JSON.parse(fs.readFileSync(file, "utf8"));
    const readMs = performance.now() - readStart;
    const readCpuMs = cpuSince() - readStartCpu;
    const floor = require(path.join(__dirname, "floorProgram"));
    const packages = floor.loadPackages(resources);
    const loadedMs = performance.now();
    const loadCpuMs = cpuSince();
    await floor.register(project, stack, resources, packages, traces);
    const ms = performance.now() - readMs;
    const cpuMs = cpuSince() - readCpuMs;
    process.stdout.write(
        `${JSON.stringify({
            setup,
            what,
            ms: Math.round(ms),
            loadMs: Math.round(loadedMs - readMs),
            evalMs: Math.round(ms - (loadedMs - readMs)),
            readMs: Math.round(readMs),
            cpuMs,
            evalCpuMs: cpuMs + readCpuMs - loadCpuMs,
            maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
            resources: resources.length,
        })}\n`,
    );
}

/**
 * The prod stack with `groups` patch groups, each with its own monthly window (the program itself
 * is unchanged). The config refuses more than 49 of them (SSM's 50 windows per account and region,
 * the environment's window included), so the largest fleet the bench measures is 49 groups.
 */
function fleetConfig(config, groups) {
    const key = "patch-manager:patchGroups";
    const template = JSON.parse(config.values[key]).find((g) => g.schedule !== undefined);
    const patchGroups = Array.from({ length: groups }, (_, i) => ({
        ...template,
        name: `Fleet ${String(i).padStart(3, "0")}`,
        schedule: { ...template.schedule, cron: `cron(0 23 ? * THU#${1 + (i % 4)} *)` },
    }));
    return { ...config, values: { ...config.values, [key]: JSON.stringify(patchGroups) } };
}

main().catch((e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
