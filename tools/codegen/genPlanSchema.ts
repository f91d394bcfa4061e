// Writes docs/plan.schema.json, the JSON Schema of the plan's `--json` documents, from their
// TypeScript types (tools/plan/planJson.ts): `npm run gen:plan-schema`. With --check (part of
// `npm run lint`, which CI runs) it compares the committed file with what it generates, so a change
// to the plan's shape fails until the schema follows: a build check beside eslint and prettier, not
// a test in every `npm test` (reading the types takes seconds of TypeScript). The schema comes
// from ts-json-schema-generator, which reads the types the code builds the documents with, doc
// comments as descriptions (docs/libraries.md says why this generator).
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { createGenerator } from "ts-json-schema-generator";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
export const PLAN_SCHEMA_FILE = path.join(ROOT, "docs", "plan.schema.json");

/** The plan documents' schema: `PlanDocument` (one stack) or `FleetPlan` (`--all`), every field's presence stated. */
export function planSchema(): Record<string, unknown> {
    const entry = path.join(ROOT, "tools", "plan", "planJson.ts");
    const schema = createGenerator({
        path: entry,
        tsProgram: planTypesProgram(entry),
        type: "PlanJson",
        // tsc checks these types (npm run typecheck); the generator only reads them.
        skipTypeCheck: true,
        // A field the types do not declare is not part of the contract: the tests' plans fail on one.
        additionalProperties: false,
    }).createSchema("PlanJson");
    return {
        $schema: schema.$schema,
        title: "patch-manager offline plan (npm run plan -- --json)",
        description:
            "The document `npm run -s plan -- --stack <name> --json` prints (definitions/PlanDocument), or with --all (definitions/FleetPlan). Fields are explained in docs/plan-json.md.",
        ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
    };
}

/**
 * The TypeScript program the generator reads the plan's types from: the project's compiler options,
 * rooted at the plan's types only, without the ambient type packages (`types`: node, mocha) and the
 * DOM library the whole project loads. The plan's types use neither, and reading them is most of
 * the generator's time (about 600 files and 6.7 MB of declarations with them, half without).
 */
function planTypesProgram(entry: string): ts.Program {
    const config = ts.getParsedCommandLineOfConfigFile(
        path.join(ROOT, "tsconfig.json"),
        {},
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (d) => {
                throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
            },
        },
    );
    if (!config) throw new Error("tsconfig.json could not be read");
    return ts.createProgram([entry], { ...config.options, noEmit: true, types: [], lib: ["lib.es2022.d.ts"] });
}

/** The schema as the committed file holds it (formatted as `npm run lint` wants it). */
export async function planSchemaText(): Promise<string> {
    const text = JSON.stringify(planSchema(), null, 2);
    const options = (await prettier.resolveConfig(PLAN_SCHEMA_FILE)) ?? {};
    return prettier.format(text, { ...options, filepath: PLAN_SCHEMA_FILE });
}

if (require.main === module) {
    // --check (in `npm run lint`): fail when the committed file is not what this writes.
    const check = process.argv.includes("--check");
    planSchemaText().then(
        (text) => {
            const file = path.relative(process.cwd(), PLAN_SCHEMA_FILE);
            if (check) {
                if (fs.readFileSync(PLAN_SCHEMA_FILE, "utf8") === text) return;
                process.stderr.write(`${file} is out of date: run \`npm run gen:plan-schema\`\n`);
                process.exit(1);
            }
            fs.writeFileSync(PLAN_SCHEMA_FILE, text);
            process.stderr.write(`Wrote ${file}\n`);
        },
        (e) => {
            process.stderr.write(`gen:plan-schema failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(1);
        },
    );
}
