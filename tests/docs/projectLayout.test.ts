// docs/project-layout.md names every source file of the project by its path, and nothing that
// is gone: a file added without a line there, or moved without updating it, fails here.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./markdown";

/** The folders whose files the page describes, and the program's entry. */
const SOURCE_ROOTS = ["index.ts", "boot.js", "boot", "components", "config", "packages/ssm", "policies", "plugin", "tools", "org"];
const SOURCE = /\.(ts|js|mjs|py|json)$/;
/** Package manifests and compiler settings are described by their folder, not one by one. */
const NOT_LISTED = /(^|\/)(package(-lock)?\.json|tsconfig(\.\w+)?\.json)$/;

function sourceFiles(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        const abs = path.join(ROOT, rel);
        if (fs.statSync(abs).isFile()) {
            if (SOURCE.test(rel) && !NOT_LISTED.test(rel)) out.push(rel);
            return;
        }
        for (const entry of fs.readdirSync(abs)) {
            if (entry === "node_modules" || entry.startsWith(".") || entry === "bin") continue;
            walk(path.posix.join(rel, entry));
        }
    };
    SOURCE_ROOTS.forEach(walk);
    return out.sort();
}

/** The paths the page writes in backticks. */
function listedPaths(): Set<string> {
    const text = fs.readFileSync(path.join(ROOT, "docs", "project-layout.md"), "utf8");
    return new Set([...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]));
}

describe("docs/project-layout.md", () => {
    const listed = listedPaths();
    it("names every source file by its path", () => {
        assert.deepEqual(
            sourceFiles().filter((f) => !listed.has(f)),
            [],
        );
    });
    it("names no file or folder that does not exist", () => {
        const paths = [...listed].filter(
            (p) => /^[\w.-]+\//.test(p) && SOURCE_ROOTS.some((r) => p === r || p.startsWith(`${r.replace(/\/$/, "")}/`)),
        );
        assert.deepEqual(
            paths.filter((p) => !fs.existsSync(path.join(ROOT, p))),
            [],
        );
    });
    it("no test file imports another: mocha would register the imported file's tests again in that worker", () => {
        const tests = (fs.readdirSync(path.join(ROOT, "tests"), { recursive: true }) as string[])
            .map((f) => path.posix.join("tests", f.split(path.sep).join("/")))
            .filter((f) => f.endsWith(".test.ts"));
        assert.ok(tests.length > 50);
        assert.deepEqual(
            tests.filter((f) => /from\s+"[^"]+\.test"/.test(fs.readFileSync(path.join(ROOT, f), "utf8"))),
            [],
        );
    });
});
