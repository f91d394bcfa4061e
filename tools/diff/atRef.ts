// Evaluates a stack as it was at a git ref: `git archive` of the ref into a
// temporary directory (the work tree, index and hooks are untouched), this
// checkout's installed packages linked in (its workspace packages taken from
// the ref), and the ref's program run under mocks in a child process.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DiffablePlan } from "./planDiff";

export class RefError extends Error {}

const ROOT = path.resolve(__dirname, "..", "..");

function git(args: string[], cwd: string, input?: Buffer) {
    return spawnSync("git", args, { cwd, input, maxBuffer: 256 * 1024 * 1024 });
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
    /** Milliseconds before the child evaluation is stopped. */
    timeoutMs?: number;
}

export function planAtRef(opts: RefPlanOptions): DiffablePlan & { commit: string } {
    const commit = resolveRef(opts.ref);
    // The project may live in a subdirectory of the repository.
    const prefix = git(["rev-parse", "--show-prefix"], ROOT).stdout.toString().trim();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patch-manager-ref-"));
    try {
        const archive = git(["archive", "--format=tar", commit, ...(prefix ? [prefix] : [])], ROOT);
        if (archive.status !== 0) throw new RefError(`git archive ${opts.ref} failed: ${archive.stderr.toString().trim()}`);
        const untar = spawnSync(
            "tar",
            ["-x", "-C", tmp, ...(prefix ? [`--strip-components=${prefix.split("/").filter(Boolean).length}`] : [])],
            {
                input: archive.stdout,
            },
        );
        if (untar.status !== 0) throw new RefError(`extracting ${opts.ref} failed: ${untar.stderr.toString().trim()}`);
        linkNodeModules(path.join(ROOT, "node_modules"), tmp);
        const child = spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                path.join(__dirname, "evalAt.ts"),
                "--dir",
                tmp,
                "--stack",
                opts.stack,
                "--from",
                opts.from.toISOString(),
                "--occurrences",
                String(opts.occurrences),
            ],
            {
                cwd: ROOT,
                timeout: opts.timeoutMs ?? 120_000,
                maxBuffer: 256 * 1024 * 1024,
                env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            },
        );
        if (child.status !== 0) {
            const why = child.error ? child.error.message : child.stderr.toString().trim();
            throw new RefError(`evaluating stack ${opts.stack} at ${opts.ref} (${commit.slice(0, 12)}) failed:\n${why}`);
        }
        return { ...(JSON.parse(child.stdout.toString()) as DiffablePlan), commit };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
