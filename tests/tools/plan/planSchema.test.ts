// The plan's JSON is a contract: docs/plan.schema.json is generated from the types the plan builds
// its documents with, every shipped stack's plan (single and --all) validates against it, and the
// schema states as required every field the contract promises.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { PLAN_SCHEMA_FILE } from "../../../tools/codegen/genPlanSchema";
import { plan, ROOT, SHIPPED_STACKS } from "../../helpers";
import { expectedPlanExit } from "../../authz/knownGaps";
import { PROJECT } from "../../../config/project";

const FROM = "2026-12-01T00:00:00Z";
const committed = JSON.parse(fs.readFileSync(PLAN_SCHEMA_FILE, "utf8"));

/** The committed schema's validator for one of its definitions (`PlanDocument`, `FleetPlan`) or the whole: compiled once each. */
function validator(definition?: string): ValidateFunction {
    let v = validators.get(definition);
    if (!v) {
        if (!ajv) {
            ajv = new Ajv({ allErrors: true, strict: true });
            addFormats(ajv);
            ajv.addSchema(committed, "plan");
        }
        v = ajv.getSchema(definition ? `plan#/definitions/${definition}` : "plan");
        assert.ok(v, `docs/plan.schema.json has no definition ${definition}`);
        validators.set(definition, v);
    }
    return v;
}
let ajv: Ajv | undefined;
const validators = new Map<string | undefined, ValidateFunction>();

function assertValid(v: ValidateFunction, doc: unknown, what: string): void {
    const ok = v(doc);
    assert.ok(ok, `${what} does not match docs/plan.schema.json:\n${JSON.stringify(v.errors?.slice(0, 5), null, 2)}`);
}

/** The `required` list of a definition, or of a property path inside one (`PlanDocument`, `FleetPlan.stacks[]`). */
function required(pathText: string): string[] {
    let node: any = committed.definitions[pathText.split(".")[0]];
    for (const part of pathText.split(".").slice(1)) {
        const name = part.replace(/\[\]$/, "");
        node = node.properties[name];
        if (part.endsWith("[]")) node = node.items;
        if (node.$ref) node = committed.definitions[node.$ref.replace("#/definitions/", "")];
    }
    if (node.$ref) node = committed.definitions[node.$ref.replace("#/definitions/", "")];
    return node.required ?? [];
}

describe("the plan's JSON schema (docs/plan.schema.json)", function () {
    this.timeout(240_000);

    it("is checked against what `npm run gen:plan-schema` writes from the plan's types, in `npm run lint` (CI runs it)", function () {
        // The comparison reads the plan's types with TypeScript (seconds): `npm run -s check:plan-schema`,
        // part of `npm run lint`, which .ci/run runs before the tests.
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(pkg.scripts.lint, /npm run -s check:plan-schema/);
        assert.match(pkg.scripts["check:plan-schema"], /tools\/codegen\/genPlanSchema\.ts --check$/);
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm run lint$/m);
    });

    it("requires every field the contract promises (docs/plan-json.md), and only states optional what may be absent", function () {
        const has = (where: string, fields: string[]) =>
            assert.deepEqual(
                fields.filter((f) => !required(where).includes(f)),
                [],
                `${where}: these fields must be required`,
            );
        has("PlanDocument", ["project", "stack", "resources", "windows", "violations", "findings"]);
        has("PlanDocument.resources[]", ["urn", "type", "name", "custom", "id", "parent", "inputs", "region", "options"]);
        has("PlanDocument.windows[]", ["urn", "schedule", "timezone", "durationHours", "cutoffHours", "patchGroups", "operation", "next"]);
        has("PlanDocument.violations[]", ["policy", "level", "urn", "message"]);
        has("FleetPlan", ["project", "from", "days", "soakDays", "stacks", "calendar", "quota", "findings"]);
        has("FleetPlan.stacks[]", ["stack", "file", "environment", "production", "windows", "violations"]);
        for (const optional of ["configKey", "valid", "property"])
            assert.ok(!required("PlanDocument.violations[]").includes(optional), `violations[].${optional} is present only with a hint`);
        assert.ok(!required("PlanDocument").includes("preconditions"), "preconditions is absent when the stack needs none");
    });

    it("refuses a plan that lacks a required field or carries one the schema does not know", async function () {
        const { stdout } = await plan("--stack", "dev", "--json", "--from", FROM);
        const doc = JSON.parse(stdout);
        const v = validator("PlanDocument");
        assertValid(v, doc, "dev's plan");
        const { windows: _windows, ...noWindows } = doc;
        assert.equal(v(noWindows), false, "a plan without windows");
        assert.equal(v({ ...doc, extra: 1 }), false, "a field the schema does not know");
        const resource = { ...doc.resources[0] };
        delete resource.region;
        assert.equal(v({ ...doc, resources: [resource] }), false, "a resource without region");
        assert.equal(v({ ...doc, windows: [{ ...doc.windows[0], next: ["next Tuesday"] }] }), false, "a start that is not an instant");
    });

    for (const stack of SHIPPED_STACKS)
        it(`validates the plan of ${stack} (npm run -s plan -- --stack ${stack} --json)`, async function () {
            const { code, stdout } = await plan("--stack", stack, "--json", "--from", FROM);
            assert.equal(code, expectedPlanExit(PROJECT, stack), "exit 1 only for today's known findings (tests/authz/knownGaps.ts)");
            const doc = JSON.parse(stdout);
            assertValid(validator("PlanDocument"), doc, `the plan of ${stack}`);
            assertValid(validator(), doc, `the plan of ${stack}`);
            // A resource through an explicit provider names it; one through the default provider has none.
            assert.ok(doc.resources.every((r: { provider?: unknown }) => r.provider === undefined || typeof r.provider === "string"));
        });

    it("validates --all and --all --include-examples (rollout-order and shared-patch-group findings)", async function () {
        const plain = await plan("--all", "--json", "--from", FROM);
        const withExamples = await plan("--all", "--include-examples", "--json", "--from", FROM);
        for (const [what, run] of [
            ["--all", plain],
            ["--all --include-examples", withExamples],
        ] as const) {
            const doc = JSON.parse(run.stdout);
            assertValid(validator("FleetPlan"), doc, what);
            assertValid(validator(), doc, what);
        }
        // Between them, the fleet documents carry every kind of finding but clashes (which the single stacks' schema covers).
        const checks = new Set([plain, withExamples].flatMap((r) => JSON.parse(r.stdout).findings.map((f: { check: string }) => f.check)));
        assert.ok(checks.has("rollout-order") && checks.has("shared-patch-group"), [...checks].join(", "));
    });

    it("validates another project's plan (--project org), the same document", async function () {
        const { code, stdout } = await plan("--project", "org", "--stack", "example", "--json");
        assert.equal(
            code,
            expectedPlanExit("patch-manager-org", "example"),
            "exit 1 only for today's known findings (tests/authz/knownGaps.ts)",
        );
        assertValid(validator("PlanDocument"), JSON.parse(stdout), "the plan of org/Pulumi.example.yaml");
    });

    it("docs/plan-json.md names every field of the schema, and its examples are valid plans of both kinds", function () {
        const page = fs.readFileSync(path.join(ROOT, "docs", "plan-json.md"), "utf8");
        const names = new Set<string>();
        const walk = (node: unknown): void => {
            if (!node || typeof node !== "object") return;
            const n = node as Record<string, unknown>;
            if (n.properties && typeof n.properties === "object")
                for (const [k, v] of Object.entries(n.properties)) {
                    names.add(k);
                    walk(v);
                }
            for (const v of Object.values(n)) if (typeof v === "object") walk(v);
        };
        walk(committed.definitions);
        assert.deepEqual(
            [...names].filter((n) => !page.includes(`\`${n}\``)),
            [],
            "fields docs/plan-json.md does not mention (as `name`)",
        );
        const examples = [...page.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]));
        assert.equal(examples.length, 2, "docs/plan-json.md has an example of each document");
        assertValid(validator("PlanDocument"), examples[0], "the single-stack example in docs/plan-json.md");
        assertValid(validator("FleetPlan"), examples[1], "the fleet example in docs/plan-json.md");
    });
});
