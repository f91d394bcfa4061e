// The corpus figures for policies/README.md: per entry, the pack's mandatory and advisory findings
// and how many of the mandatory ones the entry's verdicts call true or false.
// `npx ts-node -T -P tsconfig.pulumi.json tests/policies/corpus/report.ts [--raw]`; --raw gives the
// pack the program's inputs instead of the provider's checked inputs (what the offline engine did before).
import * as fs from "fs";
import * as path from "path";
import { runPolicies } from "../../../tools/audit/engine";
import { auditResourcesOf, evaluateProgram } from "../../../tools/mock/mockProgram";
import type { CorpusEntry } from "./types";

async function main(): Promise<void> {
    const raw = process.argv.includes("--raw");
    const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !["types.ts", "show.ts", "report.ts"].includes(f));
    const totals = { mandatory: 0, advisory: 0, truePositive: 0, falsePositive: 0 };
    console.log("| entry | mandatory | advisory | mandatory true | mandatory false |\n| --- | --- | --- | --- | --- |");
    for (const file of files.sort()) {
        const entry = (require(path.join(__dirname, file)) as { entry: CorpusEntry }).entry;
        const { resources } = await evaluateProgram({
            stack: "corpus",
            project: "corpus",
            config: { values: { "aws:region": "us-east-1" }, secretKeys: [] },
            program: entry.program,
        });
        const audited = raw ? resources.map((r) => ({ ...r, id: r.id ?? undefined })) : auditResourcesOf(resources);
        const found = await runPolicies(audited, { stackName: "corpus", projectName: "corpus" });
        const mandatory = found.filter((v) => v.level === "mandatory");
        const expected = entry.expected.filter((e) => e.level === "mandatory").map((e) => `${e.policy} ${e.resource}`);
        const truePositive = mandatory.filter((v) => {
            const k = `${v.policy} ${v.urn.slice(v.urn.lastIndexOf("::") + 2)}`;
            const i = expected.indexOf(k);
            if (i >= 0) expected.splice(i, 1);
            return i >= 0;
        }).length;
        const row = {
            mandatory: mandatory.length,
            advisory: found.length - mandatory.length,
            truePositive,
            falsePositive: mandatory.length - truePositive,
        };
        for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += row[k];
        console.log(`| ${file.replace(/\.ts$/, "")} | ${row.mandatory} | ${row.advisory} | ${row.truePositive} | ${row.falsePositive} |`);
    }
    console.log(
        `| **all ${files.length}** | ${totals.mandatory} | ${totals.advisory} | ${totals.truePositive} | ${totals.falsePositive} |`,
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
