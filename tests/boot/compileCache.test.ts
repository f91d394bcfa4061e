// The compile cache (boot/compileCache.js): a program compiled once into one file and kept until a
// source changes, and the same program as its TypeScript gives. Pulumi starts the project through
// `boot.js` (Pulumi.yaml `main`), the offline plan through `tools/plan/cli.js`.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as diagnostics_channel from "node:diagnostics_channel";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { evaluateProgram, loadProgram, readStackFile } from "../../tools/mock/mockProgram";
import { programEntry } from "../../tools/mock/programEntry";
import { main as planMain } from "../../tools/plan/plan";
import { projectRootAbove } from "../../tools/cli/projectRoot";
import { ROOT, SHIPPED_STACKS } from "../helpers";

const { load, TIMING } = require("../../boot/compileCache") as {
    load: (where: { root: string; entry: string }) => unknown;
    TIMING: { settledMs: number };
};

interface Load {
    how: "cached" | "built" | "sources";
    entry: string;
    why?: string;
}

/** What each load in `run` told on the cache's channel. */
function loadsDuring<T>(run: () => T): { value: T; loads: Load[] } {
    const loads: Load[] = [];
    const listen = (message: unknown) => void loads.push(message as Load);
    const channel = diagnostics_channel.channel("patch-manager:compile-cache");
    channel.subscribe(listen);
    try {
        return { value: run(), loads };
    } finally {
        channel.unsubscribe(listen);
    }
}

/** A package `name` in the project's node_modules whose index.js is `code`. */
function addPackage(dir: string, name: string, code: string): void {
    fs.mkdirSync(path.join(dir, "node_modules", name), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "node_modules", name, "index.js"), code);
}

/** Sources of a test project, by file name. */
function writeSources(dir: string, files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

/** A project of two modules and one package, with node_modules of its own. */
function project(): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-")));
    fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true } }),
    );
    addPackage(dir, "shout", "module.exports = (s) => s.toUpperCase();\n");
    fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = "first";\n');
    fs.writeFileSync(
        path.join(dir, "main.ts"),
        'import shout = require("shout");\nimport { word } from "./lib";\nexport = function main(): string { return shout(word); };\n',
    );
    return dir;
}

/** The text of the bundle the manifest names for main.ts of `dir`. */
function bundleOf(dir: string): string {
    const cacheDir = path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts");
    const { bundle } = JSON.parse(fs.readFileSync(path.join(cacheDir, "manifest.json"), "utf8")) as { bundle: string };
    return fs.readFileSync(path.join(cacheDir, bundle), "utf8");
}

/** Loads main.ts of `dir` afresh (as a new process would: nothing of it in require's cache). */
function loadMain(dir: string): { value: string; loads: Load[] } {
    for (const key of Object.keys(require.cache)) if (key.startsWith(dir + path.sep)) delete require.cache[key];
    const { value, loads } = loadsDuring(() => load({ root: dir, entry: "main.ts" }) as () => string);
    return { value: value(), loads };
}

describe("boot: the compile cache", function () {
    const dirs: string[] = [];
    const fresh = () => {
        const dir = project();
        dirs.push(dir);
        return dir;
    };
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("compiles on the first start, loads the kept file on the next, compiles again when a source changes", function () {
        const dir = fresh();
        const first = loadMain(dir);
        assert.equal(first.value, "FIRST");
        assert.deepEqual(
            first.loads.map((l) => l.how),
            ["built"],
        );
        const cacheDir = path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts");
        const manifest = JSON.parse(fs.readFileSync(path.join(cacheDir, "manifest.json"), "utf8")) as {
            inputs: [string, string][];
            root: string;
        };
        assert.equal(manifest.root, dir);
        // Every module the bundle holds is an input, the package's file among them, and the cache's own code.
        assert.deepEqual(
            manifest.inputs.map(([f]) => f).filter((f) => /\.(ts|js)$/.test(f)),
            [
                path.relative(dir, path.join(ROOT, "boot", "compileCache.js")),
                "lib.ts",
                "main.ts",
                path.join("node_modules", "shout", "index.js"),
            ].sort(),
        );

        const second = loadMain(dir);
        assert.equal(second.value, "FIRST");
        assert.deepEqual(
            second.loads.map((l) => l.how),
            ["cached"],
        );

        fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = "second";\n');
        const third = loadMain(dir);
        assert.equal(third.value, "SECOND", "a changed source is compiled again, never served stale");
        assert.deepEqual(
            third.loads.map((l) => l.how),
            ["built"],
        );
    });

    describe("sources known by their stat", function () {
        const settledMs = TIMING.settledMs;
        afterEach(() => (TIMING.settledMs = settledMs));
        const manifestOf = (dir: string) =>
            JSON.parse(fs.readFileSync(path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts", "manifest.json"), "utf8")) as {
                stats: Record<string, string>;
            };
        /** The sources `run` read, by path under `dir`. */
        const readsDuring = <T>(dir: string, run: () => T): { value: T; read: string[] } => {
            const read: string[] = [];
            // The module object itself (what boot/compileCache.js reads with), not this file's import of it.
            const nodeFs = require("fs") as typeof fs;
            const readFileSync = nodeFs.readFileSync;
            nodeFs.readFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
                if (typeof file === "string" && file.startsWith(dir + path.sep)) read.push(path.relative(dir, file));
                return (readFileSync as (...args: unknown[]) => unknown)(file, ...rest);
            }) as typeof fs.readFileSync;
            try {
                return { value: run(), read };
            } finally {
                nodeFs.readFileSync = readFileSync;
            }
        };

        it("a source changed just before the build is read at every start; a settled one is not read while its stat holds", function () {
            const dir = fresh();
            loadMain(dir);
            // Written a moment ago: within the 2 s in which a later change could keep its ctime.
            const own = (stats: Record<string, string>) => Object.keys(stats).filter((f) => !f.startsWith(".."));
            assert.deepEqual(own(manifestOf(dir).stats), []);
            assert.ok(readsDuring(dir, () => loadMain(dir)).read.includes("lib.ts"));

            TIMING.settledMs = 0;
            fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = "third";\n');
            assert.equal(loadMain(dir).value, "THIRD");
            assert.deepEqual(
                Object.keys(manifestOf(dir).stats).sort(),
                ["lib.ts", "main.ts", "tsconfig.json", path.relative(dir, path.join(ROOT, "boot", "compileCache.js"))].sort(),
            );
            const again = readsDuring(dir, () => loadMain(dir));
            assert.equal(again.value.value, "THIRD");
            assert.deepEqual(
                again.value.loads.map((l) => l.how),
                ["cached"],
            );
            assert.deepEqual(
                again.read.filter((f) => f.endsWith(".ts")),
                [],
                "no source read while its stat is as recorded",
            );
        });

        it("a source's stat is taken through an open descriptor, which an NFS or FUSE mount answers afresh (a path's stat may be its attribute cache's)", function () {
            TIMING.settledMs = 0;
            const dir = fresh();
            loadMain(dir);
            const nodeFs = require("fs") as { -readonly [K in keyof typeof fs]: (typeof fs)[K] };
            const { statSync, openSync, fstatSync } = nodeFs;
            const byPath: string[] = [];
            const opened = new Map<number, string>();
            const byDescriptor: string[] = [];
            nodeFs.statSync = ((file: fs.PathLike, ...rest: unknown[]) => {
                if (typeof file === "string" && file.endsWith(".ts") && file.startsWith(dir)) byPath.push(path.relative(dir, file));
                return (statSync as (...args: unknown[]) => unknown)(file, ...rest);
            }) as typeof fs.statSync;
            nodeFs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
                const fd = (openSync as (...args: unknown[]) => number)(file, ...rest);
                if (typeof file === "string") opened.set(fd, file);
                return fd;
            }) as typeof fs.openSync;
            nodeFs.fstatSync = ((fd: number, ...rest: unknown[]) => {
                const file = opened.get(fd);
                if (file !== undefined && file.startsWith(dir)) byDescriptor.push(path.relative(dir, file));
                return (fstatSync as (...args: unknown[]) => unknown)(fd, ...rest);
            }) as typeof fs.fstatSync;
            try {
                assert.deepEqual(
                    loadMain(dir).loads.map((l) => l.how),
                    ["cached"],
                );
            } finally {
                Object.assign(nodeFs, { statSync, openSync, fstatSync });
            }
            assert.deepEqual(byPath, []);
            assert.deepEqual(byDescriptor.filter((f) => f.endsWith(".ts")).sort(), ["lib.ts", "main.ts"]);
        });

        it("a close that fails (EIO on a network mount) is not a failed start", function () {
            TIMING.settledMs = 0;
            const dir = fresh();
            loadMain(dir);
            const nodeFs = require("fs") as { -readonly [K in keyof typeof fs]: (typeof fs)[K] };
            const { closeSync } = nodeFs;
            let failed = 0;
            nodeFs.closeSync = ((fd: number) => {
                closeSync(fd);
                failed++;
                throw Object.assign(new Error("EIO: i/o error, close"), { code: "EIO" });
            }) as typeof fs.closeSync;
            try {
                const again = loadMain(dir);
                assert.equal(again.value, "FIRST");
                assert.deepEqual(
                    again.loads.map((l) => l.how),
                    ["cached"],
                );
            } finally {
                nodeFs.closeSync = closeSync;
            }
            assert.ok(failed >= 2, `closes that failed: ${failed}`);
        });

        it("a change that keeps size and modification time (touch -r, cp -p, a file renamed over it) still compiles again", function () {
            TIMING.settledMs = 0;
            const dir = fresh();
            const lib = path.join(dir, "lib.ts");
            const { mtime } = fs.statSync(lib);
            loadMain(dir);
            // The same size, its modification time put back: only ctime tells.
            fs.writeFileSync(lib, 'export const word: string = "FIRST";\n'.replace("FIRST", "fIRST"));
            fs.utimesSync(lib, mtime, mtime);
            const changed = loadMain(dir);
            assert.equal(changed.value, "FIRST");
            assert.deepEqual(
                changed.loads.map((l) => l.how),
                ["built"],
            );

            // Another file of the same size and time put in its place: another inode.
            const other = path.join(dir, "other.ts");
            fs.writeFileSync(other, 'export const word: string = "zzzzz";\n');
            fs.utimesSync(other, mtime, mtime);
            fs.renameSync(other, lib);
            const replaced = loadMain(dir);
            assert.equal(replaced.value, "ZZZZZ");
            assert.deepEqual(
                replaced.loads.map((l) => l.how),
                ["built"],
            );
        });
    });

    it("every module that imports a package gets one namespace object for it, as ESM gives (esbuild's helper copies it per module)", function () {
        const dir = fresh();
        addPackage(
            dir,
            "words",
            'Object.defineProperty(exports, "__esModule", { value: true });\nexports.first = "first";\nexports.count = 0;\n',
        );
        writeSources(dir, {
            "lib.ts":
                'import * as words from "words";\nexport const seen = words;\nexport const word: string = words.first;\nexport function fail(): string {\n    throw new Error("from lib");\n}\n',
            "main.ts":
                'import * as words from "words";\nimport * as again from "words";\nimport { fail, seen, word } from "./lib";\n' +
                "export = function main(): string {\n" +
                "    let stack = String((() => { try { return fail(); } catch (e) { return (e as Error).stack; } })());\n" +
                "    return [seen === words, again === words, word, Object.keys(words).sort().join(), stack].join();\n};\n",
        });
        const { value, loads } = loadMain(dir);
        assert.deepEqual(
            loads.map((l) => l.how),
            ["built"],
        );
        assert.match(value, /^true,true,first,count,first,/);
        // Made on the helper's own line: the lines after it still map to their sources.
        assert.match(value, new RegExp(`${path.join(dir, "lib.ts").replace(/[.]/g, "\\.")}:5`));
    });

    it("the bundle is ASCII (one character past it makes V8 hold the whole source as two-byte text), and means the same", function () {
        const dir = fresh();
        addPackage(dir, "dash", '// a package\'s comment — kept by esbuild\nmodule.exports = { dash: "—" };\n');
        writeSources(dir, {
            "lib.ts":
                'export const word: string = "naïve — 😀";\n' +
                // esbuild keeps a comment inside an object, as written.
                "export const kept = {\n    // A comment with a dash — and an ellipsis … and 20–250.\n    a: 1,\n};\n" +
                'export const pattern = new RegExp("[–—]+", "u");\n',
            "main.ts":
                'import { dash } from "dash";\nimport { kept, pattern, word } from "./lib";\n' +
                "/** Naïve: every café. */\n" +
                "export = function main(): string { return JSON.stringify([word, pattern.test(dash), `${word}…`, kept.a]); };\n",
        });
        const { value } = loadMain(dir);
        assert.deepEqual(JSON.parse(value), ["naïve — 😀", true, "naïve — 😀…", 1]);
        const code = bundleOf(dir);
        assert.match(code, /a comment with a dash/i, "the comments are in the bundle");
        assert.equal(/[\u0080-\uffff]/.test(code), false, "no character past ASCII in the bundle");
        const again = loadMain(dir);
        assert.equal(again.value, value, "the kept bundle gives the same");
        assert.deepEqual(
            again.loads.map((l) => l.how),
            ["cached"],
        );
    });

    it("a bundle an escape might change (a tagged template's raw text, a regular expression) stays as esbuild wrote it", function () {
        const dir = fresh();
        writeSources(dir, {
            "lib.ts": "export const kept = {\n    // A dash — in a comment.\n    a: 1,\n};\nexport const raw = String.raw`é\\u00e9`;\n",
            "other.ts": "export const kept = {\n    // A dash — in a comment.\n    a: 1,\n};\nexport const pattern = /[–—]+/u;\n",
            "main.ts": 'import { kept, raw } from "./lib";\nexport = function main(): string { return raw + kept.a; };\n',
        });
        assert.equal(loadMain(dir).value, "é\\u00e91");
        assert.match(bundleOf(dir), /A dash — in a comment/);
        writeSources(dir, {
            "main.ts":
                'import { kept, pattern } from "./other";\nexport = function main(): string { return `${pattern.test("a—b")} ${kept.a}`; };\n',
        });
        assert.equal(loadMain(dir).value, "true 1");
        assert.match(bundleOf(dir), /A dash — in a comment/);
    });

    it("a module importing a package after exports were added to it sees them (a namespace is made again when its exports change)", function () {
        const dir = fresh();
        addPackage(dir, "reg", "exports.register = (k) => { exports[k] = k.toUpperCase(); };\n");
        writeSources(dir, {
            "lib.ts": 'import * as reg from "reg";\nreg.register("late");\nexport const word: string = "first";\n',
            "other.ts": 'import * as reg from "reg";\nexport const late = (): unknown => (reg as Record<string, unknown>).late;\n',
            "main.ts":
                'import { word } from "./lib";\nimport { late } from "./other";\nexport = function main(): string { return `${word} ${String(late())}`; };\n',
        });
        assert.equal(loadMain(dir).value, "first LATE");
    });

    it("a changed package file (an install) compiles again", function () {
        const dir = fresh();
        loadMain(dir);
        const file = path.join(dir, "node_modules", "shout", "index.js");
        fs.writeFileSync(file, "module.exports = (s) => `${s.toUpperCase()}!`;\n");
        const after = loadMain(dir);
        assert.equal(after.value, "FIRST!");
        assert.equal(after.loads[0].how, "built");
    });

    it("a project moved elsewhere compiles again (the bundle names its sources' paths)", function () {
        const dir = fresh();
        loadMain(dir);
        const moved = `${dir}-moved`;
        fs.renameSync(dir, moved);
        dirs.push(moved);
        const after = loadMain(moved);
        assert.equal(after.value, "FIRST");
        assert.equal(after.loads[0].how, "built");
    });

    it("what esbuild resolved by, not only what it read: a file added beside a folder, a package's main, a config it extends", function () {
        // `./lib` means lib/index.ts until lib.ts is added beside the folder (attacker review #1).
        const dir = fresh();
        fs.mkdirSync(path.join(dir, "lib"));
        fs.renameSync(path.join(dir, "lib.ts"), path.join(dir, "lib", "index.ts"));
        assert.equal(loadMain(dir).value, "FIRST");
        fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = "beside";\n');
        assert.deepEqual(loadMain(dir), { value: "BESIDE", loads: [{ how: "built", entry: path.join(dir, "main.ts") }] });

        // A workspace package (a folder of ours, linked from node_modules) whose package.json names another main.
        const ws = fresh();
        fs.mkdirSync(path.join(ws, "packages", "words"), { recursive: true });
        fs.writeFileSync(path.join(ws, "packages", "words", "package.json"), JSON.stringify({ name: "words", main: "a" }));
        fs.writeFileSync(path.join(ws, "packages", "words", "a.ts"), 'export const word = "a";\n');
        fs.writeFileSync(path.join(ws, "packages", "words", "b.ts"), 'export const word = "b";\n');
        fs.symlinkSync(path.join(ws, "packages", "words"), path.join(ws, "node_modules", "words"), "dir");
        fs.writeFileSync(path.join(ws, "lib.ts"), 'export { word } from "words";\n');
        assert.equal(loadMain(ws).value, "A");
        fs.writeFileSync(path.join(ws, "packages", "words", "package.json"), JSON.stringify({ name: "words", main: "b" }));
        assert.equal(loadMain(ws).value, "B");

        // tsconfig.pulumi.json (what Pulumi compiles with) extends a config whose options change the output.
        const cfg = fresh();
        fs.writeFileSync(path.join(cfg, "tsconfig.pulumi.json"), '{\n  // Pulumi\'s\n  "extends": "./tsconfig.json",\n}\n');
        fs.writeFileSync(
            path.join(cfg, "lib.ts"),
            "class C { x!: number; }\nexport const word: string = String(Object.keys(new C()).length);\n",
        );
        const config = (useDefine: boolean) =>
            fs.writeFileSync(
                path.join(cfg, "tsconfig.json"),
                JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", useDefineForClassFields: useDefine } }),
            );
        config(true);
        const defined = loadMain(cfg).value;
        config(false);
        const assigned = loadMain(cfg).value;
        assert.notEqual(defined, assigned, "the extended config's option reaches the output");
    });

    it("a checkout inside a folder named node_modules: its sources are still checked by content", function () {
        const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-parent-")));
        dirs.push(parent);
        const dir = path.join(parent, "node_modules", "proj");
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        fs.renameSync(fresh(), dir);
        loadMain(dir);
        // The same size and modification time, another content.
        const lib = path.join(dir, "lib.ts");
        const stat = fs.statSync(lib);
        fs.writeFileSync(lib, fs.readFileSync(lib, "utf8").replace("first", "other"));
        fs.utimesSync(lib, stat.atime, stat.mtime);
        assert.equal(loadMain(dir).value, "OTHER");
    });

    it("a cache folder that is a link or everyone's to write, or a manifest naming another file, is not used", function () {
        const dir = fresh();
        const elsewhere = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-elsewhere-")));
        dirs.push(elsewhere);
        fs.symlinkSync(elsewhere, path.join(dir, "node_modules", ".cache"), "dir");
        assert.equal(loadMain(dir).loads[0].how, "sources");
        assert.deepEqual(fs.readdirSync(elsewhere), [], "nothing written through the link");

        const named = fresh();
        loadMain(named);
        const cacheDir = path.join(named, "node_modules", ".cache", "patch-manager", "main.ts");
        const file = path.join(cacheDir, "manifest.json");
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { bundle: string };
        fs.writeFileSync(path.join(named, "evil.js"), "module.exports = () => 'EVIL';\n");
        fs.writeFileSync(file, JSON.stringify({ ...manifest, bundle: "../../../../evil.js" }));
        assert.deepEqual(loadMain(named), { value: "FIRST", loads: [{ how: "built", entry: path.join(named, "main.ts") }] });

        // A cache folder everyone may write into: what another user put there would run here.
        const open = fresh();
        loadMain(open);
        fs.chmodSync(path.join(open, "node_modules", ".cache", "patch-manager"), 0o777);
        assert.deepEqual(loadMain(open).loads, [{ how: "sources", entry: path.join(open, "main.ts"), why: "no cache folder" }]);
    });

    it("a bundle another start removed after this one read the manifest: compiled again, not a failed start", function () {
        const dir = fresh();
        loadMain(dir);
        const cacheDir = path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts");
        const { bundle } = JSON.parse(fs.readFileSync(path.join(cacheDir, "manifest.json"), "utf8")) as { bundle: string };
        // The other start's prune, between this start's manifest check and its read of the bundle.
        let pruned = false;
        // The fs module itself (an `import *` is a copy of its properties), as compileCache.js reads the bundle.
        const nodeFs = require("fs") as { readFileSync: unknown };
        const original = nodeFs.readFileSync;
        nodeFs.readFileSync = function (this: unknown, file: fs.PathOrFileDescriptor, ...rest: unknown[]) {
            if (!pruned && typeof file === "string" && file.endsWith(bundle)) {
                pruned = true;
                fs.rmSync(file);
            }
            return (original as (...a: unknown[]) => unknown).call(this, file, ...rest);
        };
        let loaded;
        try {
            loaded = loadMain(dir);
        } finally {
            nodeFs.readFileSync = original;
        }
        assert.ok(pruned);
        assert.deepEqual(loaded, { value: "FIRST", loads: [{ how: "built", entry: path.join(dir, "main.ts") }] });
    });

    it("a bundle compiled under another Node.js major compiles again (esbuild's target is the major)", function () {
        const dir = fresh();
        loadMain(dir);
        const file = path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts", "manifest.json");
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { node: string };
        assert.equal(manifest.node, process.versions.node.split(".")[0]);
        fs.writeFileSync(file, JSON.stringify({ ...manifest, node: "18" }));
        assert.equal(loadMain(dir).loads[0].how, "built");
    });

    it("node_modules that is a link (an earlier commit's tree) or a cache that cannot be written: the sources through ts-node, nothing written", function () {
        const linked = fresh();
        const real = path.join(linked, "real_modules");
        fs.renameSync(path.join(linked, "node_modules"), real);
        fs.symlinkSync(real, path.join(linked, "node_modules"));
        const viaLink = loadMain(linked);
        assert.equal(viaLink.value, "FIRST");
        assert.deepEqual(viaLink.loads[0], { how: "sources", entry: path.join(linked, "main.ts"), why: "no cache folder" });
        assert.ok(!fs.existsSync(path.join(real, ".cache")), "nothing written through the link");

        const blocked = fresh();
        // A file where the cache's folder would go: the cache cannot be written.
        fs.writeFileSync(path.join(blocked, "node_modules", ".cache"), "");
        const unwritable = loadMain(blocked);
        assert.equal(unwritable.value, "FIRST");
        assert.deepEqual(unwritable.loads[0], { how: "sources", entry: path.join(blocked, "main.ts"), why: "no cache folder" });
    });

    it("a source that does not compile fails as ts-node fails it; PATCH_MANAGER_COMPILE_CACHE=off loads the sources", function () {
        const dir = fresh();
        fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = "broken;\n');
        const { loads } = loadsDuring(() => assert.throws(() => loadMain(dir), /lib\.ts/));
        assert.deepEqual(loads, [], "no load succeeded");
        assert.ok(!fs.existsSync(path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts", "manifest.json")));

        const ok = fresh();
        const before = process.env.PATCH_MANAGER_COMPILE_CACHE;
        process.env.PATCH_MANAGER_COMPILE_CACHE = "off";
        try {
            const off = loadMain(ok);
            assert.equal(off.value, "FIRST");
            assert.deepEqual(off.loads, [{ how: "sources", entry: path.join(ok, "main.ts"), why: "off" }]);
        } finally {
            if (before === undefined) delete process.env.PATCH_MANAGER_COMPILE_CACHE;
            else process.env.PATCH_MANAGER_COMPILE_CACHE = before;
        }
    });

    describe("V8's code cache beside the bundle", function () {
        const CACHE_JS = path.join(ROOT, "boot", "compileCache.js");
        /** A new process (with `flags` for node) that loads main.ts and exits: its main's value and what the code cache channel told. */
        const start = (dir: string, flags: string[] = []): { value: string; code: string[] } => {
            const script = [
                'const code = []; require("diagnostics_channel").channel("patch-manager:code-cache").subscribe((m) => code.push(m.how));',
                `const main = require(${JSON.stringify(CACHE_JS)}).load({ root: ${JSON.stringify(dir)}, entry: "main.ts" });`,
                "Promise.resolve(main()).then((value) => console.log(JSON.stringify({ value, code })));",
            ].join("\n");
            const child = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
            assert.equal(child.status, 0, child.stderr);
            return JSON.parse(child.stdout) as { value: string; code: string[] };
        };
        /** The bundle's code caches (one per V8 and its flags). */
        const codeFilesOf = (dir: string): string[] => {
            const cacheDir = path.join(dir, "node_modules", ".cache", "patch-manager", "main.ts");
            const { bundle } = JSON.parse(fs.readFileSync(path.join(cacheDir, "manifest.json"), "utf8")) as { bundle: string };
            return fs
                .readdirSync(cacheDir)
                .filter((f) => f.startsWith(`${bundle}.`) && f.endsWith(".code"))
                .map((f) => path.join(cacheDir, f));
        };
        const codeFileOf = (dir: string): string => {
            const files = codeFilesOf(dir);
            assert.equal(files.length, 1, String(files));
            return files[0];
        };
        /** A code cache file: sha256 of the body, growth checks left (one byte), the body (V8's data). */
        const digestHolds = (file: string): boolean => {
            const data = fs.readFileSync(file);
            return require("crypto").createHash("sha256").update(data.subarray(33)).digest().equals(data.subarray(0, 32));
        };
        const checksLeft = (file: string): number => fs.readFileSync(file)[32];
        const body = (file: string): Buffer => fs.readFileSync(file).subarray(33);

        it("the first start writes it when it exits; the next starts use it, and two that add nothing to it end its checks", function () {
            const dir = fresh();
            assert.deepEqual(start(dir), { value: "FIRST", code: ["none"] });
            const file = codeFileOf(dir);
            assert.ok(digestHolds(file));
            assert.equal(checksLeft(file), 2);
            const written = body(file);
            assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
            assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
            // The same work compiles nothing new: V8's data as it was, its checks used up.
            assert.ok(body(file).equals(written));
            assert.equal(checksLeft(file), 0);
            assert.ok(digestHolds(file));
            const settled = fs.statSync(file).mtimeMs;
            assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
            assert.equal(fs.statSync(file).mtimeMs, settled, "a start after the checks leaves the file as it is");
        });

        it("a start that compiles functions the cache lacks (another stack's, another command's) writes it again with them", function () {
            const dir = fresh();
            // Three large functions, one of which each start calls: V8 compiles a function when it is first called.
            const fn = (name: string) =>
                `export function ${name}(n: number): string {\n` +
                Array.from({ length: 40 }, (_, i) => `    n = (n * ${i + 3} + ${name.length}) % 1000003;\n`).join("") +
                `    return "${name}" + n;\n}\n`;
            fs.writeFileSync(path.join(dir, "lib.ts"), ["a", "b", "c"].map(fn).join(""));
            fs.writeFileSync(
                path.join(dir, "main.ts"),
                'import * as lib from "./lib";\nexport = function main(): string { const which = process.env.WHICH as "a" | "b" | "c"; return lib[which](1).slice(0, 1).toUpperCase(); };\n',
            );
            const run = (which: string) => {
                const before = process.env.WHICH;
                process.env.WHICH = which;
                try {
                    return start(dir).value;
                } finally {
                    if (before === undefined) delete process.env.WHICH;
                    else process.env.WHICH = before;
                }
            };
            assert.equal(run("a"), "A");
            const file = codeFileOf(dir);
            const first = body(file).length;
            assert.equal(run("b"), "B");
            assert.ok(body(file).length > first, "b's code added");
            assert.equal(checksLeft(file), 2, "checks start again after it grew");
            assert.ok(digestHolds(file));
            const second = body(file).length;
            assert.equal(run("a"), "A");
            assert.equal(run("b"), "B");
            assert.equal(body(file).length, second);
            assert.equal(checksLeft(file), 0);
            // Checks used up: c's code is compiled at every start and not kept (the cost of checking is gone too).
            assert.equal(run("c"), "C");
            assert.equal(body(file).length, second);
        });

        it("a start whose cache another start replaced meanwhile leaves the new file's checks alone", async function () {
            const dir = fresh();
            start(dir);
            const file = codeFileOf(dir);
            const go = path.join(dir, "go");
            // A start that uses the cache, then waits for `go` before it exits (and counts its checks down).
            const script = [
                'const code = []; require("diagnostics_channel").channel("patch-manager:code-cache").subscribe((m) => code.push(m.how));',
                `require(${JSON.stringify(CACHE_JS)}).load({ root: ${JSON.stringify(dir)}, entry: "main.ts" })();`,
                "console.log(code.join());",
                `const wait = setInterval(() => { if (require("fs").existsSync(${JSON.stringify(go)})) clearInterval(wait); }, 20);`,
            ].join("\n");
            const child = require("child_process").spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
            const told = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(String(d).trim())));
            assert.equal(told, "used");
            // Another start's grown cache renamed into place: the same body here, its own count.
            const replaced = fs.readFileSync(file);
            replaced[32] = 7;
            fs.writeFileSync(`${file}.new`, replaced);
            fs.renameSync(`${file}.new`, file);
            fs.writeFileSync(go, "");
            await new Promise((resolve) => child.once("exit", resolve));
            assert.equal(fs.readFileSync(file)[32], 7);
            assert.ok(digestHolds(file));
        });

        it("one whose digest fails (a byte changed, cut short) is not given to V8, and is written again", function () {
            for (const spoil of [
                (data: Buffer) => Buffer.concat([data.subarray(0, 100), Buffer.from([data[100] ^ 1]), data.subarray(101)]),
                (data: Buffer) => data.subarray(0, data.length >> 1),
                () => Buffer.alloc(0),
            ]) {
                const dir = fresh();
                start(dir);
                const file = codeFileOf(dir);
                fs.writeFileSync(file, spoil(fs.readFileSync(file)));
                assert.deepEqual(start(dir), { value: "FIRST", code: ["none"] });
                assert.ok(digestHolds(file));
                assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
            }
        });

        it("one V8 refuses (another script's code) runs the bundle from its source, and is written again", function () {
            const dir = fresh();
            start(dir);
            const file = codeFileOf(dir);
            const other = new (require("vm").Script)("1 + 1").createCachedData() as Buffer;
            fs.writeFileSync(file, Buffer.concat([require("crypto").createHash("sha256").update(other).digest(), Buffer.from([2]), other]));
            assert.deepEqual(start(dir), { value: "FIRST", code: ["rejected"] });
            assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
        });

        it("one per V8 flags (Pulumi's runtime sets one): each start keeps its own, neither refuses the other's", function () {
            const dir = fresh();
            assert.deepEqual(start(dir), { value: "FIRST", code: ["none"] });
            assert.deepEqual(start(dir, ["--allow-natives-syntax"]), { value: "FIRST", code: ["none"] });
            assert.equal(codeFilesOf(dir).length, 2);
            assert.deepEqual(start(dir), { value: "FIRST", code: ["used"] });
            assert.deepEqual(start(dir, ["--allow-natives-syntax"]), { value: "FIRST", code: ["used"] });
        });

        it("a bundle with import() (which a script made from a code cache loses) is compiled each time, and its import() works", function () {
            const dir = fresh();
            // A computed specifier: esbuild leaves the import() in the bundle.
            fs.writeFileSync(
                path.join(dir, "main.ts"),
                'const name: string = "shout";\nexport = async function main(): Promise<string> { return (await import(name)).default("first"); };\n',
            );
            assert.deepEqual(start(dir), { value: "FIRST", code: ["skipped"] });
            assert.deepEqual(start(dir), { value: "FIRST", code: ["skipped"] });
            assert.deepEqual(codeFilesOf(dir), []);
        });

        it("under --enable-source-maps the bundle is required as it is (Node maps its stack traces), without a code cache", function () {
            const dir = fresh();
            assert.deepEqual(start(dir, ["--enable-source-maps"]), { value: "FIRST", code: [] });
            assert.deepEqual(codeFilesOf(dir), []);
        });

        it("a bundle run once per process: a second load is the same module, as require's would be", function () {
            const dir = fresh();
            loadMain(dir);
            const first = load({ root: dir, entry: "main.ts" });
            assert.equal(load({ root: dir, entry: "main.ts" }), first);
        });
    });
});

describe("boot: the project's programs as Pulumi starts them", function () {
    it("Pulumi starts boot.js and org/boot.js (each Pulumi.yaml's main), which load index.ts and org/index.ts", function () {
        assert.equal(programEntry(ROOT), path.join(ROOT, "boot.js"));
        assert.equal(programEntry(path.join(ROOT, "org")), path.join(ROOT, "org", "boot.js"));
        assert.match(fs.readFileSync(path.join(ROOT, "boot.js"), "utf8"), /entry: "index\.ts"/);
        assert.match(fs.readFileSync(path.join(ROOT, "org", "boot.js"), "utf8"), /entry: "org\/index\.ts"/);
    });

    it("every shipped stack: the compiled program registers exactly what index.ts registers", async function () {
        const compiled = require(path.join(ROOT, "boot.js")) as (observer?: unknown) => unknown;
        const source = loadProgram();
        for (const stack of SHIPPED_STACKS) {
            const config = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
            const now = "2026-12-01T00:00:00Z";
            const fromBundle = await evaluateProgram({ stack, config, now, program: (o) => compiled(o) });
            const fromSource = await evaluateProgram({ stack, config, now, program: source });
            assert.deepStrictEqual(fromBundle.resources, fromSource.resources, stack);
            assert.deepStrictEqual(fromBundle.outputs, fromSource.outputs, stack);
        }
    });

    it("the example organisation: the compiled control plane registers exactly what org/index.ts registers", async function () {
        const project = "patch-manager-org";
        const config = readStackFile(path.join(ROOT, "org", "Pulumi.example.yaml"), project);
        const compiled = require(path.join(ROOT, "org", "boot.js")) as () => unknown;
        const source = require("../../org/index") as () => unknown;
        const fromBundle = await evaluateProgram({ project, stack: "example", config, program: () => compiled() });
        const fromSource = await evaluateProgram({ project, stack: "example", config, program: () => source() });
        assert.ok(fromBundle.resources.length > 10);
        assert.deepStrictEqual(fromBundle.resources, fromSource.resources);
    });

    it("a ConfigError of the compiled program is a ConfigError to the tools that load config from source", async function () {
        const compiled = require(path.join(ROOT, "boot.js")) as (observer?: unknown) => unknown;
        const config = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"));
        const bad = { ...config, values: { ...config.values, "patch-manager:operation": "Reboot" } };
        await assert.rejects(
            evaluateProgram({ stack: "dev", config: bad, program: (o) => compiled(o) }),
            (e: unknown) => e instanceof ConfigError && /patch-manager:operation/.test(e.message),
        );
    });

    it("tools compiled under node_modules/.cache find the checkout's root, whatever its package is named", function () {
        assert.equal(projectRootAbove(path.join(ROOT, "node_modules", ".cache", "patch-manager", "tools_plan_plan.ts")), ROOT);
        assert.equal(projectRootAbove(path.join(ROOT, "tools", "plan")), ROOT);
        assert.equal(projectRootAbove(path.join(ROOT, "org", "tools")), ROOT, "org/ holds a Pulumi.yaml but no package.json");
        const renamed = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "renamed-")));
        try {
            fs.writeFileSync(path.join(renamed, "Pulumi.yaml"), "name: my-patching\n");
            fs.writeFileSync(path.join(renamed, "package.json"), JSON.stringify({ name: "my-patching" }));
            assert.equal(projectRootAbove(path.join(renamed, "node_modules", ".cache", "patch-manager", "x")), renamed);
        } finally {
            fs.rmSync(renamed, { recursive: true, force: true });
        }
    });

    it("a stack trace from the compiled file names the TypeScript source (its linked source map)", function () {
        const dir = project();
        try {
            fs.writeFileSync(path.join(dir, "lib.ts"), 'export const word: string = (() => { throw new Error("from lib"); })();\n');
            const { loads, value: error } = loadsDuring(() => {
                try {
                    load({ root: dir, entry: "main.ts" });
                } catch (e) {
                    return e as Error;
                }
                return undefined;
            });
            assert.deepEqual(
                loads.map((l) => l.how),
                [],
            );
            assert.match(String(error?.stack), new RegExp(`${path.join(dir, "lib.ts").replace(/[.]/g, "\\.")}:1`));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("npm run plan's entry plans from the compiled plan, as the plan's module does", async function () {
        const args = ["--stack", "dev", "--json", "--from", "2026-12-01T00:00:00Z"];
        const cli = spawnSync(process.execPath, [path.join(ROOT, "tools", "plan", "cli.js"), ...args], {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 64 << 20,
        });
        assert.equal(cli.status, 0, cli.stderr);
        // The plan's module from source, in this process.
        let stdout = "";
        const write = process.stdout.write;
        process.stdout.write = ((chunk: string | Uint8Array) => {
            stdout += String(chunk);
            return true;
        }) as typeof process.stdout.write;
        let code: number;
        try {
            code = await planMain(args);
        } finally {
            process.stdout.write = write;
        }
        assert.equal(code, 0);
        assert.equal(cli.stdout, stdout);
    });
});
