// Evaluates a stack as it was at a git ref: `git archive` of the ref into a
// temporary directory (the work tree, index and hooks are untouched), this
// checkout's installed packages linked in (its workspace packages taken from
// the ref), and the ref's program — loaded as Pulumi
// loads it — run under the same mock runtime in this process. The ref's own
// modules live at other paths than the working tree's, so they are separate
// module instances; @pulumi/pulumi and the other packages resolve through the
// link to the very modules this process already loaded (one runtime, already
// compiled), and the ref's modules are dropped from the require cache after.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateProgram, readStackFile } from "../mock/mockProgram";
import { windowsOf } from "../plan/windows";
import { loadProgramAt } from "../mock/programEntry";
import type { DiffablePlan } from "./planDiff";
import { PROJECT_ROOT } from "../cli/projectRoot";
import { copyOf } from "../mock/copy";

export class RefError extends Error {}

const ROOT = PROJECT_ROOT;

function git(args: string[], cwd: string) {
    return spawnSync("git", args, { cwd, maxBuffer: 256 * 1024 * 1024 });
}

/** The commit a ref names, or RefError with git's words. */
export function resolveRef(ref: string, cwd = ROOT): string {
    const r = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
    if (r.status !== 0)
        throw new RefError(
            `--diff-against "${ref}": not a commit in this repository (try a branch, tag or sha, e.g. origin/main or HEAD~1)`,
        );
    return r.stdout.toString().trim();
}

/**
 * Gives `dir` (a ref's tree) a node_modules of links to the installed packages in `installed`,
 * except the workspace links (npm links a workspace package to its folder, e.g. `@patch-manager/ssm`
 * to packages/ssm): those point at the same folder in `dir` when the ref has it, so the ref's
 * program runs with the ref's shared code, not this checkout's.
 */
export function linkNodeModules(installed: string, dir: string): void {
    const project = path.dirname(installed);
    const link = (from: string, to: string) => {
        fs.mkdirSync(to, { recursive: true });
        for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
            // Not this checkout's compiled programs (boot/compileCache.js): the ref's tree compiles its own.
            if (to === path.join(dir, "node_modules") && entry.name === ".cache") continue;
            const source = path.join(from, entry.name);
            const target = path.join(to, entry.name);
            if (entry.name.startsWith("@") && entry.isDirectory()) link(source, target);
            else if (entry.isSymbolicLink()) {
                const real = fs.realpathSync(source);
                const inProject = path.relative(project, real);
                const atRef = path.join(dir, inProject);
                const own = !inProject.startsWith("..") && !inProject.split(path.sep).includes("node_modules");
                fs.symlinkSync(own && fs.existsSync(atRef) ? atRef : real, target, "dir");
            } else fs.symlinkSync(source, target, entry.isDirectory() ? "dir" : "file");
        }
    };
    link(installed, path.join(dir, "node_modules"));
}

export interface RefPlanOptions {
    ref: string;
    stack: string;
    from: Date;
    occurrences: number;
    /** The project directory inside a git work tree; default this checkout. */
    projectDir?: string;
    /** The node_modules the ref's program resolves its packages from; default this checkout's. */
    nodeModules?: string;
}

/** Extracts the project as it is at `commit` into `into`. */
function extract(projectDir: string, commit: string, ref: string, into: string): void {
    // The project may live in a subdirectory of the repository.
    const prefix = git(["rev-parse", "--show-prefix"], projectDir).stdout.toString().trim();
    const archive = git(["archive", "--format=tar", commit, ...(prefix ? [prefix] : [])], projectDir);
    if (archive.status !== 0) throw new RefError(`git archive ${ref} failed: ${archive.stderr.toString().trim()}`);
    const strip = prefix ? [`--strip-components=${prefix.split("/").filter(Boolean).length}`] : [];
    const untar = spawnSync("tar", ["-x", "-C", into, ...strip], { input: archive.stdout });
    if (untar.status !== 0) throw new RefError(`extracting ${ref} failed: ${untar.stderr.toString().trim()}`);
}

type RefPlan = DiffablePlan & { commit: string; missing?: boolean };

/** Plans by commit: a commit's files never change, so one process (the tests, a diff and its --markdown) evaluates each once. */
const refPlans = new Map<string, Promise<RefPlan>>();

export async function planAtRef(opts: RefPlanOptions): Promise<RefPlan> {
    const projectDir = opts.projectDir ?? ROOT;
    const commit = resolveRef(opts.ref, projectDir);
    const key = JSON.stringify([
        fs.realpathSync(projectDir),
        commit,
        opts.stack,
        opts.from.toISOString(),
        opts.occurrences,
        opts.nodeModules ?? null,
    ]);
    let pending = refPlans.get(key);
    if (!pending) {
        pending = planAtCommit(opts, projectDir, commit);
        refPlans.set(key, pending);
        pending.catch(() => refPlans.delete(key));
    }
    return copyOf(await pending);
}

async function planAtCommit(opts: RefPlanOptions, projectDir: string, commit: string): Promise<RefPlan> {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "patch-manager-ref-")));
    try {
        extract(projectDir, commit, opts.ref, tmp);
        const file = path.join(tmp, `Pulumi.${opts.stack}.yaml`);
        // A stack the ref does not know yet: everything in the working tree is new.
        if (!fs.existsSync(file)) return { stack: opts.stack, resources: [], windows: [], missing: true, commit };
        linkNodeModules(opts.nodeModules ?? path.join(ROOT, "node_modules"), tmp);
        let program: () => unknown;
        try {
            program = loadProgramAt(tmp);
        } catch (e) {
            throw new RefError(`loading the program of ${opts.ref} (${commit.slice(0, 12)}) failed: ${(e as Error).message}`);
        }
        let resources;
        try {
            ({ resources } = await evaluateProgram({ stack: opts.stack, config: readStackFile(file), program }));
        } catch (e) {
            throw new RefError(`evaluating stack ${opts.stack} at ${opts.ref} (${commit.slice(0, 12)}) failed:\n${(e as Error).message}`);
        }
        const windows = windowsOf(resources, opts.from, opts.occurrences);
        return { stack: opts.stack, resources: resources.map(({ outputs: _o, ...r }) => r), windows, commit };
    } finally {
        for (const key of Object.keys(require.cache)) if (key.startsWith(tmp + path.sep)) delete require.cache[key];
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
