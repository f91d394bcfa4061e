import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint, Linter } from "eslint";
import tseslint from "typescript-eslint";
import { ROOT } from "../../helpers";

const rule = require("../../../tools/ci/eslint/noImportOutsidePackage.js");

/** The rule's findings for `code` as the file `file` (relative to the repository) would have it. */
function lint(file: string, code: string): string[] {
    const config: Linter.Config[] = [
        {
            files: ["**/*.ts"],
            languageOptions: { parser: tseslint.parser as Linter.Parser },
            plugins: { local: { rules: { "no-import-outside-package": rule } } },
            rules: { "local/no-import-outside-package": "error" },
        },
    ];
    return new Linter({ configType: "flat" })
        .verify(code, config, { filename: path.join(ROOT, file) })
        .map((m) => `${m.line}: ${m.message}`);
}

describe("lint rule: no relative import out of a package", () => {
    it("flags every form of relative import that leaves the pack's folder", () => {
        const found = lint(
            "policies/example.ts",
            [
                'import { QUOTAS } from "../components/aws";',
                'export { BASELINE_LIMITS } from "../packages/ssm/aws";',
                'export * from "../tools/audit/engine";',
                'import fs = require("../x");',
                'const a = require("../../elsewhere");',
                'const b = import("../y");',
                'const c = require.resolve("..");',
            ].join("\n"),
        );
        assert.deepEqual(
            found.map((f) => f.split(":")[0]),
            ["1", "2", "3", "4", "5", "6", "7"],
            found.join("\n"),
        );
        assert.match(found[0], /"\.\.\/components\/aws" leaves the package policies/);
    });

    it("allows imports inside the package and by package name", () => {
        const code = [
            'import { checkSchedule } from "@patch-manager/ssm";',
            'import { TYPES } from "./util";',
            'import { x } from "./sub/../util";',
            'import * as fs from "fs";',
        ].join("\n");
        assert.deepEqual(lint("policies/example.ts", code), []);
        assert.deepEqual(lint("packages/ssm/example.ts", 'export * from "./schedule";'), []);
        assert.equal(lint("packages/ssm/example.ts", 'export * from "../../components/x";').length, 1);
    });

    it("is on for the pack and the workspace packages in eslint.config.mjs", async () => {
        const eslint = new ESLint({ cwd: ROOT });
        for (const file of ["policies/windows.ts", "packages/ssm/schedule.ts"]) {
            const config = await eslint.calculateConfigForFile(path.join(ROOT, file));
            assert.deepEqual(config.rules?.["local/no-import-outside-package"], [2], file);
        }
    });
});
