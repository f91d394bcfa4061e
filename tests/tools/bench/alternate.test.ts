// tools/bench/alternate.js: refuses a call it cannot run before it measures anything (it starts
// three processes per round; the rounds themselves are for BENCHMARKS.md, not for the suite).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "../../helpers";

const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, "tools", "bench", "alternate.js"), ...args], { cwd: ROOT, encoding: "utf8" });

describe("tools/bench/alternate.js", () => {
    it("names what it needs when the base checkout is missing or not one, --runs is not a count or a stack is not one, and measures nothing", () => {
        for (const args of [
            [],
            ["--base", path.join(ROOT, "docs")],
            ["--base", ROOT, "--runs", "0"],
            ["--base", ROOT, "--runs", "x"],
            ["--base", ROOT, "--runs", "1.5"],
        ]) {
            const r = run(...args);
            assert.equal(r.status, 2, args.join(" "));
            assert.match(
                r.stderr,
                /^usage: node tools\/bench\/alternate\.js --base <checkout with tools\/bench\/measure\.js> \[--runs <n ≥ 1>\]/,
            );
            assert.equal(r.stdout, "");
        }
        const nope = run("--base", ROOT, "--runs", "1", "nope");
        assert.equal(nope.status, 2);
        assert.match(nope.stderr, /^not a stack of both checkouts: nope \(this one has dev, prod, /);
        const bogus = run("--base", ROOT, "--bogus");
        assert.equal(bogus.status, 2);
        assert.match(bogus.stderr, /^Unknown option '--bogus'.*\nusage: /s);
        assert.doesNotMatch(bogus.stderr, /\n\s+at /, "no stack trace");
    });
});
