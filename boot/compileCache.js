// A program of this repository as one JavaScript file, compiled once and kept until its sources
// change. Pulumi's Node.js runtime compiles a TypeScript program module by module on every
// `pulumi preview` and `up` (ts-node: SWC here, docs/speed.md), and Node then resolves and reads
// every module of the program and of the packages it uses (zod alone is 80 files): about 0.4 s of
// CPU a start before the program runs. esbuild bundles the program's modules with the packages
// they use into one file (the Pulumi packages stay outside: the program must share the runtime's
// one @pulumi/pulumi), kept in node_modules/.cache/patch-manager/ with the content digest of every
// source it holds; the next start checks the digests and loads that one file.
//
// What stays as before:
// - `PATCH_MANAGER_COMPILE_CACHE=off` loads the TypeScript sources through ts-node as Pulumi would.
// - A source that does not compile is loaded from its TypeScript as before, so its error is
//   ts-node's, and so is a missing esbuild (the cache is a speed-up, never a requirement).
// - A project whose node_modules is not a directory of its own (a link: the offline diff's tree
//   of an earlier commit) or whose cache cannot be written (a read-only checkout) is compiled in
//   memory each start: nothing is written outside node_modules.
//
// Plain JavaScript on purpose: it runs before anything is compiled.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

/** The cache's own format; a manifest of another format is rebuilt. */
const FORMAT = 1;
/** The Node.js major the bundle is compiled for (esbuild's target): another Node compiles again. */
const NODE = process.versions.node.split(".")[0];
/** Packages the program must share with Pulumi's runtime (the SDK holds the engine's connection and the mocks). */
const EXTERNAL = ["@pulumi/*", "@pulumiverse/*"];
/** Each load says on this channel how it got the program: "cached", "built", "memory" or "sources". */
const LOADS = require("diagnostics_channel").channel("patch-manager:compile-cache");

/**
 * The exports of `entry` (a TypeScript module under `root`, the directory holding node_modules):
 * from the compiled file when its sources are unchanged, else compiled now.
 * @param {{ root: string, entry: string }} where
 * @returns {unknown}
 */
function load(where) {
    const root = path.resolve(where.root);
    const entry = path.resolve(root, where.entry);
    if (process.env.PATCH_MANAGER_COMPILE_CACHE === "off") return fromSources(entry, "off");
    const dir = cacheDir(root, entry);
    const cached = dir === undefined ? undefined : freshBundle(root, dir);
    // (A bundle another start pruned after this one read the manifest is compiled again below.)
    if (cached !== undefined && fs.existsSync(cached)) {
        const exports = require(cached);
        tell("cached", entry);
        return exports;
    }
    let esbuild;
    try {
        esbuild = require("esbuild");
    } catch {
        return fromSources(entry, "no esbuild");
    }
    let built;
    try {
        built = compile(esbuild, root, entry, dir ?? root);
    } catch {
        // A source that does not compile fails as it always did: ts-node's message, its file and line.
        return fromSources(entry, "compile error");
    }
    if (dir !== undefined) {
        const file = write(dir, built);
        if (file !== undefined) {
            const exports = require(file);
            tell("built", entry);
            return exports;
        }
    }
    const exports = fromMemory(root, entry, built.code);
    tell("memory", entry);
    return exports;
}

function tell(how, entry, why) {
    if (LOADS.hasSubscribers) LOADS.publish({ how, entry, ...(why ? { why } : {}) });
}

function fromSources(entry, why) {
    const exports = require(entry);
    tell("sources", entry, why);
    return exports;
}

/** node_modules/.cache/patch-manager/<entry> when node_modules is the project's own directory. */
function cacheDir(root, entry) {
    const modules = path.join(root, "node_modules");
    let stat;
    try {
        stat = fs.lstatSync(modules);
    } catch {
        return undefined;
    }
    if (!stat.isDirectory()) return undefined;
    const name = path.relative(root, entry).replace(/[^A-Za-z0-9.-]+/g, "_");
    return path.join(modules, ".cache", "patch-manager", name);
}

/**
 * The manifest's bundle if every input it lists is as it was: our sources by content digest, the
 * packages' files (which only an install changes) by size and modification time, and the
 * project's root (the bundle names its sources' absolute paths) and the Node.js major it targets.
 */
function freshBundle(root, dir) {
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    } catch {
        return undefined;
    }
    if (manifest.format !== FORMAT || manifest.root !== root || manifest.node !== NODE || typeof manifest.bundle !== "string")
        return undefined;
    for (const [file, expected] of manifest.inputs) {
        if (fingerprint(path.join(root, file)) !== expected) return undefined;
    }
    return path.join(dir, manifest.bundle);
}

/** A source's content digest; a package file's size and modification time; "missing" when it is gone. */
function fingerprint(file) {
    try {
        if (file.split(path.sep).includes("node_modules")) {
            const stat = fs.statSync(file);
            return `${stat.size}:${stat.mtimeMs}`;
        }
        return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    } catch {
        return "missing";
    }
}

/**
 * The bundle of `entry` in memory (code and source map) and the inputs it was made of: every
 * module esbuild read, the TypeScript configs it compiled them with and the installed packages' lock.
 */
function compile(esbuild, root, entry, outDir) {
    const bundle = `bundle-${process.pid}-${Date.now()}.js`;
    const result = esbuild.buildSync({
        absWorkingDir: root,
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${NODE}`,
        external: EXTERNAL,
        tsconfig: path.join(root, "tsconfig.json"),
        outfile: path.join(outDir, bundle),
        sourcemap: "linked",
        metafile: true,
        write: false,
        logLevel: "silent",
    });
    const inputs = new Set(Object.keys(result.metafile.inputs).map((f) => path.relative(root, path.resolve(root, f))));
    for (const extra of [
        "tsconfig.json",
        path.join("node_modules", ".package-lock.json"),
        path.join("node_modules", "esbuild", "package.json"),
    ]) {
        if (fs.existsSync(path.join(root, extra))) inputs.add(extra);
    }
    const code = result.outputFiles.find((f) => f.path.endsWith(".js")).text;
    const map = result.outputFiles.find((f) => f.path.endsWith(".map")).text;
    return {
        bundle,
        code,
        map,
        manifest: {
            format: FORMAT,
            root,
            node: NODE,
            esbuild: esbuild.version,
            bundle,
            inputs: [...inputs].sort().map((f) => [f, fingerprint(path.join(root, f))]),
        },
    };
}

/**
 * Writes the bundle, its map and then the manifest (renamed into place, so a reader sees the old
 * one or the new one whole), and removes older bundles. The bundle's path, or undefined when the
 * cache cannot be written.
 */
function write(dir, built) {
    try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${built.bundle}.map`), built.map);
        fs.writeFileSync(path.join(dir, built.bundle), built.code);
        const temporary = path.join(dir, `manifest-${process.pid}-${Date.now()}.json`);
        fs.writeFileSync(temporary, JSON.stringify(built.manifest));
        fs.renameSync(temporary, path.join(dir, "manifest.json"));
    } catch {
        return undefined;
    }
    // Bundles of earlier builds, once no start can be between writing one and loading it.
    const settled = Date.now() - 60_000;
    for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        try {
            if (/^(bundle|manifest)-/.test(name) && !name.startsWith(built.bundle) && fs.statSync(file).mtimeMs < settled)
                fs.rmSync(file, { force: true });
        } catch {
            // Removed by another start meanwhile.
        }
    }
    return path.join(dir, built.bundle);
}

/** The bundle run as a module placed at the project's root, where its packages resolve from. */
function fromMemory(root, entry, code) {
    const filename = path.join(root, `.${path.relative(root, entry).replace(/[^A-Za-z0-9.-]+/g, "_")}.compiled.js`);
    const compiled = new Module(filename, module);
    compiled.filename = filename;
    compiled.paths = Module._nodeModulePaths(root);
    compiled._compile(code, filename);
    return compiled.exports;
}

module.exports = { load, LOADS };
