import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planAtRef } from "../../../tools/diff/atRef";
import { diffPlans } from "../../../tools/diff/planDiff";
import { programEntry, loadProgramAt } from "../../../tools/mock/programEntry";
import { ROOT, T } from "../../helpers";

const FROM = new Date("2026-11-26T00:00:00Z");

function git(cwd: string, ...args: string[]): string {
    const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
        cwd,
    });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString();
}

describe("plan --diff-against evaluates the ref's own program", function () {
    let repo: string;
    before(function () {
        // A repository of its own: this project's tracked files as they are now (commit 1),
        // then a change to a component's code, not to any stack file (commit 2).
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "diff-at-ref-"));
        const files = git(ROOT, "ls-files", "-z").split("\0").filter(Boolean);
        for (const f of files) {
            if (!fs.existsSync(path.join(ROOT, f))) continue;
            fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, f), path.join(repo, f));
        }
        git(repo, "init", "-q");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "as the working tree");
        const component = files.find(
            (f) =>
                f.endsWith(".ts") &&
                !f.startsWith("tests/") &&
                fs.readFileSync(path.join(repo, f), "utf8").includes("allowUnassociatedTargets: false"),
        );
        assert.ok(component, "the component that creates maintenance windows");
        const file = path.join(repo, component);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("allowUnassociatedTargets: false", "allowUnassociatedTargets: true"));
        git(repo, "commit", "-q", "-am", "windows allow unassociated targets");
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("a code change between two refs shows as the change it makes, with each ref's code", async function () {
        const common = { stack: "prod", from: FROM, occurrences: 1, projectDir: repo };
        const before = await planAtRef({ ...common, ref: "HEAD~1" });
        const after = await planAtRef({ ...common, ref: "HEAD" });
        assert.notEqual(before.commit, after.commit);
        const diff = diffPlans(before, after, { from: "HEAD~1", to: "HEAD" });
        const windows = after.resources.filter((r) => r.type === T.window);
        assert.ok(windows.length > 0);
        assert.deepEqual(diff.resources.map((r) => [r.action, r.urn]).sort(), windows.map((w) => ["update", w.urn]).sort());
        for (const r of diff.resources)
            assert.deepEqual(r.changes, [{ path: "allowUnassociatedTargets", old: false, new: true, replaces: false }]);
        assert.equal(diff.summary.unchanged, after.resources.length - windows.length);
    });

    it("a stack the ref does not have is all new", async function () {
        const r = await planAtRef({ stack: "no-such-stack", from: FROM, occurrences: 1, projectDir: repo, ref: "HEAD" });
        assert.deepEqual([r.resources, r.windows, r.missing], [[], [], true]);
    });
});

describe("the program's entry point, as Pulumi's Node.js runtime finds it", function () {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-entry-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (f: string, text: string) => fs.writeFileSync(path.join(dir, f), text);

    it("Pulumi.yaml main, then package.json exports, then main, then the directory", function () {
        write("Pulumi.yaml", "name: x\nruntime: nodejs\n");
        assert.equal(programEntry(dir), `${dir}${path.sep}`);
        write("package.json", JSON.stringify({ main: "lib/main.js" }));
        assert.equal(programEntry(dir), path.join(dir, "lib/main.js"));
        write("package.json", JSON.stringify({ main: "lib/main.js", exports: { ".": { require: "lib/cjs.js" } } }));
        assert.equal(programEntry(dir), path.join(dir, "lib/cjs.js"));
        write("Pulumi.yaml", "name: x\nruntime: nodejs\nmain: src/\n");
        assert.equal(programEntry(dir), path.join(dir, "src"));
        write("package.json", JSON.stringify({ type: "module" }));
        write("Pulumi.yaml", "name: x\n");
        assert.throws(() => programEntry(dir), /an ES module program \("type": "module"\) cannot be evaluated offline/);
    });

    it("calls an exported function, uses any other export as the outputs, and does not look into `default`", function () {
        write("package.json", JSON.stringify({ main: "fn.js" }));
        write("fn.js", "module.exports = () => ({ called: true });");
        assert.deepEqual(loadProgramAt(dir)(), { called: true });
        write("package.json", JSON.stringify({ main: "obj.js" }));
        write("obj.js", "exports.default = () => ({ called: true }); exports.other = 1;");
        assert.deepEqual(Object.keys(loadProgramAt(dir)() as object).sort(), ["default", "other"]);
    });
});
