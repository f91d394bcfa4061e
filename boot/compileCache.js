// A program of this repository as one JavaScript file, compiled once and kept until its sources
// change. Pulumi's Node.js runtime compiles a TypeScript program module by module on every
// `pulumi preview` and `up` (ts-node: SWC here, docs/speed.md), and Node then resolves and reads
// every module of the program and of the packages it uses (zod alone is 80 files): about 0.4 s of
// CPU a start before the program runs. esbuild bundles the program's modules with the packages
// they use into one file (the Pulumi packages stay outside: the program must share the runtime's
// one @pulumi/pulumi), kept in node_modules/.cache/patch-manager/ with the content digest of every
// source it holds (and, for a source settled when it was recorded, its stat); the next start
// checks them and loads that one file.
//
// What stays as before:
// - `PATCH_MANAGER_COMPILE_CACHE=off` loads the TypeScript sources through ts-node as Pulumi would.
// - A source that does not compile is loaded from its TypeScript as before, so its error is
//   ts-node's, and so is a missing esbuild (the cache is a speed-up, never a requirement).
// - A project whose cache folder is not its own (node_modules or a folder under it a link, or
//   another user's, or one everyone may write) or cannot be written (a read-only checkout) loads its TypeScript sources
//   through ts-node as before: nothing is written anywhere else, nothing another user wrote runs.
//
// Plain JavaScript on purpose: it runs before anything is compiled.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const v8 = require("v8");
const vm = require("vm");
const { ownCacheFolder, writeDurably } = require("./cacheFolder");

/** The cache's own format; a manifest of another format is rebuilt. */
const FORMAT = 4;
/**
 * A source last changed this long before the manifest recorded it is then known by its stat as
 * well (below). Any later change gives it another ctime on any file system that keeps ctime to 2 s
 * or finer, and ctime is the one time nobody sets: `touch` and `cp -p` set mtime, and every change
 * sets ctime to the clock's now. Tests make it shorter.
 */
const TIMING = { settledMs: 2000 };
/** The Node.js major the bundle is compiled for (esbuild's target): another Node compiles again. */
const NODE = process.versions.node.split(".")[0];
/** The bundles' names (compile): a manifest naming anything else is not read. */
const BUNDLE_NAME = /^bundle-\d+-\d+\.js$/;
/** Packages the program must share with Pulumi's runtime (the SDK holds the engine's connection and the mocks). */
const EXTERNAL = ["@pulumi/*", "@pulumiverse/*"];
/** Each load says on this channel how it got the program: "cached", "built" or "sources" (and why). */
const LOADS = require("diagnostics_channel").channel("patch-manager:compile-cache");
/**
 * Each bundle run says here whether V8's code cache beside it was "used", "none" (none usable),
 * "rejected" by V8 or "skipped" (a bundle with import()).
 */
const CODE = require("diagnostics_channel").channel("patch-manager:code-cache");
/**
 * Code caches to write when the process exits: file → the script whose compiled code it keeps,
 * and for a cache this start used, the one it read (written only if the start compiled more).
 */
const pendingCodeCaches = new Map();
/**
 * Starts in a row that may find a code cache lacking functions they compiled, before it is no
 * longer checked: each check costs V8's serialization of the script (about 10 ms at exit).
 */
const GROWTH_CHECKS = 2;
/** A code cache file: the sha256 of its body, one byte of growth checks left, the body (V8's data). */
const CODE_HEADER = 33;

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
    if (dir === undefined) return fromSources(entry, "no cache folder");
    const cached = freshBundle(root, dir);
    if (cached !== undefined) {
        try {
            const exports = run(cached);
            tell("cached", entry);
            return exports;
        } catch (e) {
            // Pruned by another start after this one read the manifest: compiled again below. Any
            // other failure (the program's own, a package it needs) is the program's error.
            if ((e.code !== "MODULE_NOT_FOUND" && e.code !== "ENOENT") || fs.existsSync(cached)) throw e;
        }
    }
    let esbuild;
    try {
        esbuild = require("esbuild");
    } catch {
        return fromSources(entry, "no esbuild");
    }
    let built;
    try {
        built = compile(esbuild, root, entry, dir);
    } catch {
        // A source that does not compile fails as it always did: ts-node's message, its file and line.
        return fromSources(entry, "compile error");
    }
    const file = write(dir, built);
    if (file === undefined) return fromSources(entry, "cache not writable");
    const exports = run(file);
    tell("built", entry);
    return exports;
}

/**
 * Runs a bundle as `require` would (its module in require.cache, a `require` of its own), with
 * V8's code cache beside it (`<bundle>.code`): the bytecode of every function the starts that
 * wrote it compiled, so that this start neither parses the 1.7 MB again nor compiles those
 * functions when first called. A start without a usable one (none yet, or V8 refused it: another
 * V8 or other flags) writes it when the process exits, whole or not at all. The first starts that
 * use one also check, at exit, whether they compiled functions it lacks (another stack's
 * components, another command's code) and write it again with them: the cache covers what the
 * project's starts run, not only what the first start after a build ran. Once GROWTH_CHECKS
 * starts in a row found nothing to add, starts no longer check.
 */
function run(file) {
    const loaded = Module._cache[file];
    if (loaded !== undefined) return loaded.exports;
    // Node's own source maps (--enable-source-maps) apply to what `require` loads only.
    if (process.sourceMapsEnabled) return require(file);
    const source = fs.readFileSync(file, "utf8");
    // A script made from a code cache loses its dynamic import() (Node 20): such a bundle is compiled each time.
    const cacheable = !source.includes("import(");
    // One cache per V8 and its flags (Pulumi's runtime sets one before the program loads): each is
    // refused by the other, so the plan's and `pulumi up`'s starts keep one each.
    const codeFile = `${file}.${v8.cachedDataVersionTag()}.code`;
    const cached = cacheable ? readCodeCache(codeFile) : undefined;
    const cachedData = cached?.body;
    const script = new vm.Script(Module.wrap(source), {
        filename: file,
        ...(cachedData ? { cachedData } : {}),
        // import() in the bundle resolves as in any module (none today; the default would throw).
        ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
    });
    const module = new Module(file, require.main);
    module.filename = file;
    module.paths = Module._nodeModulePaths(path.dirname(file));
    Module._cache[file] = module;
    try {
        script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
    } catch (e) {
        delete Module._cache[file];
        throw e;
    }
    module.loaded = true;
    const how = !cacheable ? "skipped" : cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "used";
    if (CODE.hasSubscribers) CODE.publish({ bundle: file, how });
    if ((how !== "used" && cacheable) || (how === "used" && cached.checksLeft > 0)) {
        if (pendingCodeCaches.size === 0) process.once("exit", writeCodeCaches);
        pendingCodeCaches.set(codeFile, { script, ...(how === "used" ? { used: cached } : {}) });
    }
    return module.exports;
}

/**
 * The code cache's body (V8's data), growth checks left and file identity (device and inode), when
 * its digest (its first 32 bytes) holds; else none.
 */
function readCodeCache(file) {
    let data;
    let stat;
    try {
        const fd = fs.openSync(file, "r");
        try {
            stat = fs.fstatSync(fd);
            data = fs.readFileSync(fd);
        } finally {
            fs.closeSync(fd);
        }
    } catch {
        return undefined;
    }
    const body = data.subarray(CODE_HEADER);
    return data.length > CODE_HEADER && crypto.createHash("sha256").update(body).digest().equals(data.subarray(0, 32))
        ? { body, checksLeft: data[32], dev: stat.dev, ino: stat.ino }
        : undefined;
}

function writeCodeCaches() {
    for (const [file, { script, used }] of pendingCodeCaches) writeCodeCache(script, file, used);
    pendingCodeCaches.clear();
}

/**
 * At exit: the code the run compiled, with its digest, renamed into place (a reader sees it whole
 * or not at all). For a cache the run used (`used`), only when the run compiled more than it held
 * (V8's data is then longer); else its growth checks left, one fewer, in place.
 */
function writeCodeCache(script, file, used) {
    const temporary = `${file}-${process.pid}-${Date.now()}`;
    try {
        // A folder that cannot be written: not worth making the cache first.
        fs.accessSync(path.dirname(file), fs.constants.W_OK);
        const body = script.createCachedData();
        if (used !== undefined && body.length <= used.body.length) {
            const fd = fs.openSync(file, "r+");
            try {
                // Only the file this start read: another start may have renamed a grown one into place.
                const now = fs.fstatSync(fd);
                if (now.dev === used.dev && now.ino === used.ino) fs.writeSync(fd, Buffer.from([used.checksLeft - 1]), 0, 1, 32);
            } finally {
                fs.closeSync(fd);
            }
            return;
        }
        writeDurably(temporary, Buffer.concat([crypto.createHash("sha256").update(body).digest(), Buffer.from([GROWTH_CHECKS]), body]));
        fs.renameSync(temporary, file);
    } catch {
        // A cache that cannot be written is only slower.
        try {
            fs.rmSync(temporary, { force: true });
        } catch {
            // Nothing more to do at exit.
        }
    }
}

function tell(how, entry, why) {
    if (LOADS.hasSubscribers) LOADS.publish({ how, entry, ...(why ? { why } : {}) });
}

function fromSources(entry, why) {
    const exports = require(entry);
    tell("sources", entry, why);
    return exports;
}

/**
 * node_modules/.cache/patch-manager/<entry> when every folder on that way that exists is a folder
 * of its own (no link: the offline diff links an earlier commit's node_modules entries to this
 * checkout's) owned by this user and not writable by everyone (a cache another user can write
 * would run their code).
 */
function cacheDir(root, entry) {
    return ownCacheFolder(root, path.relative(root, entry).replace(/[^A-Za-z0-9.-]+/g, "_"));
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
    if (manifest.format !== FORMAT || manifest.root !== root || manifest.node !== NODE || !BUNDLE_NAME.test(String(manifest.bundle)))
        return undefined;
    const stats = manifest.stats !== null && typeof manifest.stats === "object" ? manifest.stats : {};
    for (const [input, expected] of manifest.inputs) {
        // A source whose stat is as recorded is as it was then: its digest is not read again.
        const known = Object.hasOwn(stats, input) ? stats[input] : undefined;
        if (known !== undefined && known === statOf(path.join(root, input))) continue;
        if (fingerprint(root, input) !== expected) return undefined;
    }
    // A bundle cut short (a crash before it reached the disk) is compiled again, never run.
    const bundle = path.join(dir, manifest.bundle);
    try {
        if (fs.statSync(bundle).size !== manifest.size) return undefined;
    } catch {
        return undefined;
    }
    return bundle;
}

/**
 * A source's content digest; a package file's (under the project's node_modules, which only an
 * install changes) size and modification time; a folder's (`<folder>/`) digest of its entries'
 * names, so that a file added beside a source (lib.ts beside lib/, which `./lib` then means)
 * compiles again; "missing" when it is gone.
 */
function fingerprint(root, input) {
    const file = path.join(root, input);
    try {
        if (input.endsWith("/")) return digest(fs.readdirSync(file).sort().join("\n"));
        if (input.split(/[\\/]/)[0] === "node_modules") {
            const stat = fs.statSync(file);
            return `${stat.size}:${stat.mtimeMs}`;
        }
        return digest(fs.readFileSync(file));
    } catch {
        return "missing";
    }
}

/**
 * What a source's stat says of its content: size, modification and change times, inode and device
 * (a file put in its place is another inode); undefined when it cannot be read.
 */
function statOf(file) {
    const stat = openedStat(file);
    return stat === undefined ? undefined : signature(stat);
}

/**
 * The file's stat taken through an open descriptor: a network file system that keeps a path's
 * attributes for a while (NFS's attribute cache, a FUSE mount's) asks the server again on open,
 * so a change made on another machine is seen as the content read would see it. Undefined when
 * it cannot be opened.
 */
function openedStat(file) {
    let fd;
    try {
        fd = fs.openSync(file, "r");
        return fs.fstatSync(fd, { bigint: true });
    } catch {
        return undefined;
    } finally {
        try {
            if (fd !== undefined) fs.closeSync(fd);
        } catch {
            // A close that fails (EIO on a network mount) loses nothing read: the stat stands.
        }
    }
}

function signature(stat) {
    return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}:${stat.dev}`;
}

/**
 * The fingerprint of each input and, for a source last changed at least TIMING.settledMs before
 * now, its stat taken before its content was read: a change after that stat gives another one.
 */
function fingerprints(root, inputs) {
    const settled = BigInt(Date.now() - TIMING.settledMs) * 1_000_000n;
    const stats = {};
    const list = inputs.map((input) => {
        const file = path.join(root, input);
        if (!input.endsWith("/") && input.split(/[\\/]/)[0] !== "node_modules") {
            // Missing: its fingerprint says so.
            const stat = openedStat(file);
            if (stat !== undefined && stat.ctimeNs < settled) stats[input] = signature(stat);
        }
        return [input, fingerprint(root, input)];
    });
    return { inputs: list, stats };
}

function digest(data) {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * A TypeScript config and those it extends by path (a package's config is the lock's): each is
 * an input. JSON with comments and trailing commas, as TypeScript reads it; unreadable: itself only.
 */
function tsconfigChain(root, file) {
    const chain = [];
    for (let at = file; at !== undefined && !chain.includes(at) && fs.existsSync(at);) {
        chain.push(at);
        let config;
        try {
            const text = fs
                .readFileSync(at, "utf8")
                .replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, string) => string ?? "")
                .replace(/,(\s*[}\]])/g, "$1");
            config = JSON.parse(text);
        } catch {
            break;
        }
        const base = typeof config.extends === "string" && config.extends.startsWith(".") ? config.extends : undefined;
        at = base === undefined ? undefined : path.resolve(path.dirname(at), base.endsWith(".json") ? base : `${base}.json`);
    }
    return chain.map((f) => path.relative(root, f));
}

/**
 * The bundle of `entry` (code and source map) and the inputs it was made of: every
 * module esbuild read, the TypeScript configs it compiled them with and the installed packages' lock.
 */
function compile(esbuild, root, entry, outDir) {
    const bundle = `bundle-${process.pid}-${Date.now()}.js`;
    // What Pulumi compiles the program with (Pulumi.yaml's runtime option `tsconfig`), else tsconfig.json.
    const tsconfig = path.join(root, fs.existsSync(path.join(root, "tsconfig.pulumi.json")) ? "tsconfig.pulumi.json" : "tsconfig.json");
    const result = esbuild.buildSync({
        absWorkingDir: root,
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${NODE}`,
        external: EXTERNAL,
        tsconfig,
        outfile: path.join(outDir, bundle),
        sourcemap: "linked",
        metafile: true,
        write: false,
        logLevel: "silent",
    });
    const inputs = new Set(Object.keys(result.metafile.inputs).map((f) => path.relative(root, path.resolve(root, f))));
    // Beside every source: its folder's entries (a file added changes what an import means) and
    // the folder's package.json (a workspace package's main); then the configs and the lock.
    for (const source of [...inputs].filter((f) => f.split(/[\\/]/)[0] !== "node_modules")) {
        const folder = path.dirname(source);
        inputs.add(`${folder}/`);
        if (fs.existsSync(path.join(root, folder, "package.json"))) inputs.add(path.join(folder, "package.json"));
    }
    for (const extra of [
        // This file: how a bundle is made (its options, what stays outside) is an input of every bundle.
        path.relative(root, __filename),
        ...tsconfigChain(root, tsconfig),
        path.join("node_modules", ".package-lock.json"),
        path.join("node_modules", "esbuild", "package.json"),
    ]) {
        if (fs.existsSync(path.join(root, extra))) inputs.add(extra);
    }
    const code = asciiOnly(esbuild, oneNamespacePerPackage(result.outputFiles.find((f) => f.path.endsWith(".js")).text));
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
            size: Buffer.byteLength(code),
            ...fingerprints(root, [...inputs].sort()),
        },
    };
}

/**
 * The bundle with every character past ASCII written as a `\\u` escape, when that leaves the
 * program as it was. esbuild escapes them in strings and names but keeps the comments it keeps
 * as written (and a tagged template's raw text, which an escape would change): one such character
 * (a dash in a comment) makes V8 hold the whole 1.7 MB source as two-byte text, decoded from
 * UTF-8 at every start. Whether the program is the same is esbuild's to say: both minified (no
 * comments) must be the same text; else the bundle stays as esbuild wrote it. esbuild prints a
 * comment it keeps on lines of its own, so no code moves on its line (the source map holds). A
 * comment inside a function is part of that function's source text, which changes with it:
 * nothing the program or the plan runs reads function text (Pulumi's closure serialization would).
 */
function asciiOnly(esbuild, code) {
    if (!PAST_ASCII.test(code)) return code;
    const escaped = code.replace(new RegExp(PAST_ASCII, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const program = (text) =>
        esbuild.transformSync(text, { minify: true, legalComments: "none", charset: "ascii", logLevel: "silent" }).code;
    try {
        return program(escaped) === program(code) ? escaped : code;
    } catch {
        return code;
    }
}

const PAST_ASCII = /[\u0080-\uffff]/;

/** esbuild's helper that gives an importing module the exports of a package outside the bundle. */
const TO_ESM = "var __toESM = (mod, isNodeMode, target) => (";

/**
 * The bundle with one namespace object per package outside it (and per esbuild's node mode), as
 * ESM gives every importer the same one. esbuild makes each importing module its own copy
 * (`__toESM`: an object with a getter for every export): the program's 20 imports of @pulumi/aws
 * (276 exports) and 24 of @pulumi/pulumi made about 8,000 getters at every start, a few ms and
 * 3 MB. The copy is made once per package and kept, on the helper's own line (the source map's
 * lines stay where they are), and made again for a module that has more or fewer exports than
 * when it was made (exports added later, a module still loading in a cycle): an importer sees the
 * exports there are when it imports, as with esbuild's helper. A bundle without the helper as
 * esbuild writes it is left as it is.
 */
function oneNamespacePerPackage(code) {
    const at = code.indexOf(TO_ESM);
    if (at < 0 || code.indexOf(TO_ESM, at + 1) >= 0) return code;
    const once =
        "var __toESMCopies = new WeakMap(), __toESM = (mod, isNodeMode) => { " +
        'if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESMEach(mod, isNodeMode); ' +
        "let copies = __toESMCopies.get(mod); if (copies === undefined) __toESMCopies.set(mod, (copies = [])); " +
        "const mode = isNodeMode ? 1 : 0, keys = Object.getOwnPropertyNames(mod).length, kept = copies[mode]; " +
        "if (kept !== undefined && kept.keys === keys) return kept.copy; " +
        "const copy = __toESMEach(mod, isNodeMode); copies[mode] = { keys, copy }; return copy; }, " +
        "__toESMEach = (mod, isNodeMode, target) => (";
    return code.slice(0, at) + once + code.slice(at + TO_ESM.length);
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
        writeDurably(path.join(dir, built.bundle), built.code);
        const temporary = path.join(dir, `manifest-${process.pid}-${Date.now()}.json`);
        fs.writeFileSync(temporary, JSON.stringify(built.manifest));
        fs.renameSync(temporary, path.join(dir, "manifest.json"));
    } catch {
        return undefined;
    }
    // Bundles of earlier builds, once no start can be between writing one and loading it.
    const settled = Date.now() - 10 * 60_000;
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

module.exports = { load, LOADS, CODE, TIMING };
