// Docs that cannot drift: every offline command in README.md, docs/ and the pack's README runs
// here, in-process (the plan's evaluations are cached per stack, so repeats are cheap), and
// exits as the text around it says. Files a command writes go to a temp dir; a later command
// that reads one finds it there, as it would in the reader's shell.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import { execFileSync } from "child_process";
import * as path from "path";
import { main as audit } from "../../tools/audit/audit";
import { plan } from "../helpers";
import { CodeBlock, ROOT, codeBlocks, docFiles } from "./markdown";
import { DocCommand, INPUT_OPTIONS, OUTPUT_OPTIONS, SkippedCommand, blockCommands, promisedExit, shellWords } from "./commands";

/** A JSON block right after prose naming `x.json` (a config to write) is that file's content. */
function namedFiles(block: CodeBlock): { name: string; content: string } | undefined {
    if (block.lang !== "json") return undefined;
    const m = /`([\w.-]+\.json)`[^`]*$/.exec(block.before);
    return m ? { name: m[1], content: block.lines.join("\n") } : undefined;
}

/**
 * A ref a reader's clone has (`origin/main`) may be missing in a checkout without that remote,
 * such as a worktree in CI: the diff then runs against HEAD, which exercises the same path.
 */
function knownRef(ref: string): string {
    try {
        execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: ROOT, stdio: "ignore" });
        return ref;
    } catch {
        return "HEAD";
    }
}

/** The time the docs' plan commands count next starts from. */
const DOCS_FROM = "2026-12-01T00:00:00Z";

/** Runs one tool with stdout/stderr captured; a thrown error is the exit status 3 the CLI gives. */
async function run(cmd: DocCommand, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
    let code: number;
    try {
        if (cmd.tool === "plan") {
            const r = await plan(...args);
            stdout += r.stdout;
            stderr += r.stderr;
            code = r.code;
        } else code = await audit(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    } catch (e) {
        stderr += `failed: ${e instanceof Error ? e.message : String(e)}\n`;
        code = 3;
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
    return { code, stdout, stderr };
}

describe("docs: the commands they show", function () {
    const blocks = docFiles().flatMap((f) => codeBlocks(f));
    const found = blocks.map((b) => ({ block: b, ...blockCommands(b) }));
    const commands = found.flatMap((f) => f.commands);
    const skipped: SkippedCommand[] = found.flatMap((f) => f.skipped);

    let dir: string;
    /** Files written so far, by the name the docs use. */
    const written = new Map<string, string>();
    let initCwd: string | undefined;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-commands-"));
        initCwd = process.env.INIT_CWD;
        // The reader runs npm in the project's root, and npm leaves that directory in INIT_CWD.
        process.env.INIT_CWD = ROOT;
    });
    after(() => {
        if (initCwd === undefined) delete process.env.INIT_CWD;
        else process.env.INIT_CWD = initCwd;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("finds the first commands a newcomer runs, and only skips what cannot run offline", () => {
        const texts = commands.map((c) => `${c.tool} ${c.args.join(" ")}`);
        assert.ok(texts.includes("plan --stack dev"), texts.join("\n"));
        assert.ok(texts.includes("plan --help"), texts.join("\n"));
        assert.ok(
            texts.some((t) => t.startsWith("policy:audit ")),
            texts.join("\n"),
        );
        for (const s of skipped) assert.ok(s.reason.length > 0);
    });

    for (const cmd of commands) {
        it(`${cmd.file}:${cmd.line}: ${cmd.text} (exits ${cmd.exit})`, async function () {
            for (const b of blocks.filter((b) => b.file === cmd.file && b.line < cmd.line)) {
                const f = namedFiles(b);
                if (f && !written.has(f.name)) {
                    written.set(f.name, path.join(dir, f.name));
                    fs.writeFileSync(path.join(dir, f.name), f.content);
                }
            }
            const args = cmd.args.map((a, i) => {
                const option = cmd.args[i - 1];
                if (OUTPUT_OPTIONS.includes(option)) {
                    const to = path.join(dir, path.basename(a));
                    written.set(a, to);
                    return to;
                }
                if (option === "--diff-against") return knownRef(a);
                const reads =
                    INPUT_OPTIONS.includes(option) ||
                    (cmd.tool === "policy:audit" && !a.startsWith("-") && !INPUT_OPTIONS.includes(option));
                return reads && written.has(a) ? written.get(a)! : a;
            });
            // The windows' next starts count from --from: a fixed time, so no run depends on today's date.
            if (cmd.tool === "plan" && !args.includes("--from") && !args.includes("--help")) args.push("--from", DOCS_FROM);
            const { code, stdout, stderr } = await run(cmd, args);
            if (cmd.stdoutTo !== undefined) {
                written.set(cmd.stdoutTo, path.join(dir, path.basename(cmd.stdoutTo)));
                fs.writeFileSync(written.get(cmd.stdoutTo)!, stdout);
            }
            assert.equal(
                code,
                cmd.exit,
                `${cmd.file}:${cmd.line}: \`${cmd.text}\` exited ${code}, the docs say ${cmd.exit}\n${stderr}${stdout.slice(-2000)}`,
            );
        });
    }
});

describe("docs: reading commands out of the text", () => {
    const block = (lines: string[], before = ""): CodeBlock => ({ file: "x.md", line: 1, lang: "sh", lines, before });

    it("splits words, quotes and the comment", () => {
        assert.deepEqual(shellWords(`npm run plan -- --config 'a b.yaml' # exits 2`), {
            words: ["npm", "run", "plan", "--", "--config", "a b.yaml"],
            comment: "exits 2",
        });
    });

    it("takes the exit status from the line's comment, else from the sentence before the block", () => {
        assert.equal(promisedExit("exit 1: rollout-order findings"), 1);
        assert.equal(promisedExit("This exits 1 with blocking findings"), 1);
        assert.equal(promisedExit("Both exit `1` on a mandatory violation"), 1);
        assert.equal(promisedExit("the coming 90 days"), undefined);
        const { commands } = blockCommands(
            block(["npm run plan -- --stack dev", "npm run plan -- --stack prod # exits 2"], "This exits 1."),
        );
        assert.deepEqual(
            commands.map((c) => c.exit),
            [1, 2],
        );
    });

    it("captures `> file`, runs `npm ci && ...` chains, skips pipes, placeholders and the Pulumi CLI", () => {
        const { commands, skipped } = blockCommands(
            block([
                "npm ci && npm run plan -- --stack dev",
                "npm run -s plan -- --stack prod --json > plan.json",
                "npm run -s plan -- --stack prod --json | jq .windows",
                "npm run plan -- --stack <name>",
                "npm run policy:audit -- state.json [--json]",
                "pulumi stack export > state.json && npm run policy:audit -- state.json",
                "pulumi up --stack dev",
            ]),
        );
        assert.deepEqual(
            commands.map((c) => [c.tool, c.args, c.stdoutTo]),
            [
                ["plan", ["--stack", "dev"], undefined],
                ["plan", ["--stack", "prod", "--json"], "plan.json"],
            ],
        );
        assert.deepEqual(
            skipped.map((s) => s.reason),
            [
                "piped into another program",
                "a placeholder for the reader to fill in",
                "a placeholder for the reader to fill in",
                "needs `pulumi stack`, which does not run offline",
            ],
        );
    });
});
