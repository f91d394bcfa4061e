// `npm pack` in policies/ (and so `pulumi policy publish`) runs this as the pack's prepack and
// postpack scripts.
//
// prepack: compiles the pack with policies/tsconfig.json into plain JavaScript beside its
// TypeScript sources (policies/*.js, what `main: "index"` resolves to before index.ts) and puts a
// compiled copy of @patch-manager/ssm into policies/node_modules, where `bundleDependencies`
// picks it up (npm does not bundle the workspace symlink hoisted to the root node_modules). The
// analyzer then loads JavaScript and its ts-node registration never type-checks anything.
// postpack: removes both again, so that a checkout runs the TypeScript sources.
//
// Plain JavaScript on purpose: it runs from npm's lifecycle, before anything is compiled.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policies");
const SSM = path.join(ROOT, "packages", "ssm");
const BUNDLED = path.join(PACK, "node_modules", "@patch-manager", "ssm");

/** The .ts modules directly in `dir` (not declarations), by base name. */
const modules = (dir) =>
    fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .map((f) => f.slice(0, -3));

/** Removes what prepack wrote: the pack's .js beside its .ts, and the bundled package. */
function clean() {
    for (const m of modules(PACK)) fs.rmSync(path.join(PACK, `${m}.js`), { force: true });
    fs.rmSync(BUNDLED, { recursive: true, force: true });
    // Only the directories prepack created, and only when nothing else lives there.
    for (const dir of [path.dirname(BUNDLED), path.join(PACK, "node_modules")]) {
        if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    }
}

/** Compiles one TypeScript project; `outDir` omitted emits each .js beside its .ts. */
function tsc(project, outDir) {
    const args = [require.resolve("typescript/bin/tsc"), "-p", project, "--sourceMap", "false"];
    const r = spawnSync(process.execPath, outDir ? [...args, "--outDir", outDir] : args, { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`tsc -p ${path.relative(ROOT, project)} failed (exit ${r.status})`);
}

/** The directory of the installed package `name` as Node resolves it from `from`. */
function installedDir(name, from) {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
        if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (run npm ci)`);
    }
}

function build() {
    clean();
    try {
        // The pack's program reaches @patch-manager/ssm through node_modules, so tsc treats it as
        // a library and emits only the pack's own modules; the package is compiled on its own.
        tsc(PACK);
        tsc(SSM, BUNDLED);
        fs.copyFileSync(path.join(SSM, "package.json"), path.join(BUNDLED, "package.json"));
        // A bundled package must carry its own dependencies: npm installs none for it.
        const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(SSM, "package.json"), "utf8"));
        for (const name of Object.keys(dependencies)) {
            fs.cpSync(installedDir(name, SSM), path.join(BUNDLED, "node_modules", name), { recursive: true });
        }
    } catch (e) {
        clean();
        throw e;
    }
}

const step = process.argv[2];
if (step === "prepack") build();
else if (step === "postpack") clean();
else {
    process.stderr.write("usage: node tools/pack/packBuild.js prepack|postpack\n");
    process.exit(2);
}
