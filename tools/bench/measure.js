// One measurement in a fresh process (`npm run bench` starts one per figure):
//   node tools/bench/measure.js <setup> <what>
// setup: "runtime"   - ts-node registered as `pulumi preview` does with this Pulumi.yaml
//                      (its `tsconfig` option; transpile-only when that config sets noCheck)
//        "typecheck" - as Pulumi does without the option: tsconfig.json, ts-node's default type-checking
//        "floor"     - no program: as many plain resources as <what> says, bare @pulumi/pulumi
// what:  stack:<name> | fleet:<groups> | resources:<count> | resources+aws:<count> | org:<cells>
// Prints one JSON line: ms from process start to the evaluated program (loadMs of it until the
// program's modules are loaded and compiled, evalMs running it under mocks), peak RSS, resource count.
// Plain JavaScript on purpose: the setup under test must be the only TypeScript registration.
"use strict";
const fs = require("fs");
const path = require("path");
const { performance } = require("perf_hooks");

const ROOT = path.resolve(__dirname, "..", "..");
const [setup, what] = process.argv.slice(2);

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
    else if (setup === "floor")
        require("ts-node").register({ project: path.join(ROOT, "tsconfig.json"), transpileOnly: true, compilerOptions: {} });
    else throw new Error(`unknown setup ${setup}`);

    const { evaluateProgram, readStackFile } = require(path.join(ROOT, "tools", "mockProgram"));
    const [kind, arg] = what.split(":");
    let stack = "bench";
    let config = { values: {}, secretKeys: [] };
    let program;
    if (kind === "stack") {
        stack = arg;
        config = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
        // No program given: evaluateProgram loads the project's own, as Pulumi's runtime does.
    } else if (kind === "fleet") {
        stack = "prod";
        config = fleetConfig(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")), Number(arg));
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
    } else if (kind === "org") {
        return measureOrg(Number(arg), evaluateProgram);
    } else throw new Error(`unknown target ${what}`);

    const loadedMs = performance.now();
    const { resources } = await evaluateProgram({ stack, config, program });
    const ms = performance.now();
    process.stdout.write(
        `${JSON.stringify({ setup, what, ms: Math.round(ms), loadMs: Math.round(loadedMs), evalMs: Math.round(ms - loadedMs), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), resources: resources.length })}\n`,
    );
}

/**
 * The example organisation widened to `count` cells (one account each, the five environments in
 * turn, the two regions in turn): validation (every cell through the program's parser), the control
 * plane under mocks, and the fleet checks over the cells, each timed on its own.
 */
async function measureOrg(count, evaluateProgram) {
    const yaml = require("yaml");
    const { parseOrgConfig } = require(path.join(ROOT, "org", "config"));
    const { deployControlPlane } = require(path.join(ROOT, "org", "controlPlane"));
    const { orgFleet } = require(path.join(ROOT, "tools", "org", "projectPlan"));
    const { analyzeFleet } = require(path.join(ROOT, "tools", "fleet"));
    const doc = yaml.parse(fs.readFileSync(path.join(ROOT, "org", "Pulumi.example.yaml"), "utf8")).config;
    const environments = ["sandbox", "development", "test", "acceptance", "production"];
    const cells = Array.from({ length: count }, (_, i) => ({
        account: String(100000000000 + i),
        environment: environments[i % 5],
        regions: [i % 2 === 0 ? "eu-west-1" : "eu-central-1"],
        template: i % 5 >= 3 ? "production" : "standard",
    }));
    const raw = {};
    for (const [k, v] of Object.entries(doc))
        if (k.startsWith("patch-manager-org:")) raw[k.slice(18)] = typeof v === "string" ? v : JSON.stringify(v);
    raw.cells = JSON.stringify(cells);
    const loadedMs = performance.now();
    const org = parseOrgConfig(raw, "bench");
    const parsedMs = performance.now();
    const { resources } = await evaluateProgram({
        stack: "bench",
        config: { values: {}, secretKeys: [] },
        program: () => deployControlPlane(org),
        project: "patch-manager-org",
    });
    const evaluatedMs = performance.now();
    const report = analyzeFleet(orgFleet(org), { from: new Date("2026-12-01T00:00:00Z"), days: 90, soakDays: 3 });
    const fleetMs = performance.now();
    process.stdout.write(
        `${JSON.stringify({
            setup: "runtime",
            what: `org:${count}`,
            ms: Math.round(fleetMs),
            loadMs: Math.round(loadedMs),
            parseMs: Math.round(parsedMs - loadedMs),
            evalMs: Math.round(evaluatedMs - parsedMs),
            fleetMs: Math.round(fleetMs - evaluatedMs),
            findings: report.findings.length,
            occurrences: report.calendar.length,
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
