import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { linkNodeModules } from "../../../tools/diff/atRef";
import { ROOT } from "../../helpers";

describe("a ref's tree gets this checkout's installed packages (tools/diff/atRef)", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "patch-manager-atref-test-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const real = (p: string) => fs.realpathSync(path.join(dir, "node_modules", p));

    it("links workspace packages to the ref's own folder, everything else to the installed one", () => {
        fs.mkdirSync(path.join(dir, "packages", "ssm"), { recursive: true });
        fs.writeFileSync(path.join(dir, "packages", "ssm", "index.ts"), "export const AT_REF = true;\n");
        linkNodeModules(path.join(ROOT, "node_modules"), dir);
        assert.equal(real("@patch-manager/ssm"), path.join(dir, "packages", "ssm"));
        assert.equal(require.resolve("@patch-manager/ssm", { paths: [dir] }), path.join(dir, "packages", "ssm", "index.ts"));
        assert.equal(real("croner"), fs.realpathSync(path.join(ROOT, "node_modules", "croner")));
        assert.equal(real("@pulumi/pulumi"), fs.realpathSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi")));
    });

    it("a ref from before a workspace package existed gets this checkout's copy of it", () => {
        linkNodeModules(path.join(ROOT, "node_modules"), dir);
        assert.equal(real("@patch-manager/ssm"), path.join(ROOT, "packages", "ssm"));
    });
});
