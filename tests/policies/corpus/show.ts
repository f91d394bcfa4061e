// Prints what the pack reports on one corpus entry: `npx ts-node -T tests/policies/corpus/show.ts <file.ts>`.
import * as path from "path";
import { runPolicies } from "../../../tools/audit/engine";
import { evaluateProgram } from "../../../tools/mock/mockProgram";
import type { CorpusEntry } from "./types";

async function main(): Promise<void> {
    const file = path.resolve(process.argv[2]);
    const entry = (require(file) as { entry: CorpusEntry }).entry;
    const { resources } = await evaluateProgram({
        stack: "corpus",
        project: "corpus",
        config: { values: { "aws:region": "us-east-1" }, secretKeys: [] },
        program: entry.program,
    });
    const violations = await runPolicies(
        resources.map((r) => ({ ...r, id: r.id ?? undefined })),
        { stackName: "corpus", projectName: "corpus" },
    );
    for (const r of resources) console.log(`resource ${r.type} ${r.name}`);
    for (const v of violations) console.log(`${v.level} ${v.policy} ${v.urn.split("::").pop()}: ${v.message}`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
