// Each policy rule is documented once, in policies/README.md, with the stack config that fixes
// it; the README and docs/ link there instead of keeping tables of their own that drift.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policies/pack";
import { ROOT, docFiles } from "./markdown";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Table rows whose first cell is a rule name: `| \`task-service-role\` | ... |`. */
function ruleRows(text: string): { name: string; cells: string[] }[] {
    return text
        .split("\n")
        .map((l) => /^\|\s*`([a-z0-9-]+)`\s*\|(.*)\|\s*$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ name: m[1], cells: m[2].split("|").map((c) => c.trim()) }));
}

const names = policies.map((p) => p.name);

describe("docs: policy rules", () => {
    const rows = ruleRows(read("policies/README.md"));

    it("policies/README.md has exactly one row per registered rule", () => {
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
        assert.deepEqual(
            names.filter((n) => counts.get(n) !== 1).map((n) => `${n}: ${counts.get(n) ?? 0} rows`),
            [],
        );
        assert.deepEqual(
            rows.map((r) => r.name).filter((n) => !names.includes(n)),
            [],
            "rows for rules the pack does not register",
        );
    });

    it("each row says the default level the rule has, and which stack config fixes it", () => {
        for (const p of policies) {
            const row = rows.find((r) => r.name === p.name)!;
            assert.ok(
                row.cells.includes(String(p.enforcementLevel)),
                `${p.name}: level ${p.enforcementLevel} not in ${row.cells.join(" | ")}`,
            );
            assert.notEqual(row.cells[row.cells.length - 1], "", `${p.name}: no stack config column`);
        }
    });

    for (const file of docFiles().filter((f) => f !== "policies/README.md")) {
        it(`${file} links to the rules instead of re-documenting them`, () => {
            const text = read(file);
            const headings = text.split("\n").filter((l) => /^#+ /.test(l) && names.some((n) => l.includes(n)));
            assert.deepEqual(
                [
                    ...ruleRows(text)
                        .map((r) => r.name)
                        .filter((n) => names.includes(n)),
                    ...headings,
                ],
                [],
            );
        });
    }
});
