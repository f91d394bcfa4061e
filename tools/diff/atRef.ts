// Evaluates a stack as it was at a git ref: `git archive` of the ref into a
// temporary directory (the work tree, index and hooks are untouched), this
// checkout's node_modules linked in, and the ref's program run under mocks in
// a child process.
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
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tmp, "node_modules"), "dir");
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
