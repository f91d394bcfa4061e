// The plan reads a patch-now runbook's first aws:runCommand step off its YAML (tools/plan/plan.ts
// firstStep), parsing only the steps up to it: the same step as parsing the whole document, for
// every Automation document of every shipped stack and for drawn documents as
// components/runbooks.ts automationContent writes them (multi-line strings, text that looks like
// a step or a top-level key, steps without the action).
import { strict as assert } from "assert";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { automationContent } from "../../../components/runbooks";
import { firstStep } from "../../../tools/plan/plan";
import { SHIPPED_STACKS } from "../../helpers";
import { shippedResources } from "../../facts/stacks";

/** The definition: the whole document parsed in YAML 1.1 (as automationContent writes it), its first step with the action. */
const whole = (content: string, action: string) =>
    (parseYaml(content, { version: "1.1" }) as { mainSteps: { action: string }[] }).mainSteps.find((s) => s.action === action);

describe("tools/plan firstStep", () => {
    it("finds every shipped Automation document's first step of each of its actions as its whole parse does", async () => {
        let documents = 0;
        for (const stack of SHIPPED_STACKS) {
            for (const r of await shippedResources(stack)) {
                if (r.type !== "aws:ssm/document:Document" || r.inputs.documentFormat !== "YAML") continue;
                const content = String(r.inputs.content);
                const steps = (parseYaml(content) as { mainSteps: { action: string }[] }).mainSteps;
                for (const action of new Set(steps.map((s) => s.action))) {
                    assert.deepEqual(
                        firstStep(content, action),
                        steps.find((s) => s.action === action),
                        `${stack} ${r.name} ${action}`,
                    );
                }
                documents++;
            }
        }
        assert.ok(documents >= SHIPPED_STACKS.length, `${documents} YAML documents`);
    });

    it("finds the same step as the whole parse, the step written, in any document automationContent writes", () => {
        const text = fc.oneof(
            fc.string(),
            fc.constantFrom(
                "mainSteps:",
                "  - name: x",
                "\n  - action: aws:runCommand\n",
                "a\nmainSteps:\n  - b",
                "yes",
                "1:30",
                "0o17",
                "0x1F",
                "- x",
                "   ",
            ),
            fc
                .array(fc.constantFrom("mainSteps:", "  - ", "action: aws:runCommand", "\n", " ", "x", "#"), { maxLength: 8 })
                .map((p) => p.join("")),
        );
        const value = fc.oneof(
            text,
            fc.integer(),
            fc.boolean(),
            fc.array(text, { maxLength: 3 }),
            fc.dictionary(text, text, { maxKeys: 3 }),
        );
        const step = fc.record(
            {
                name: text,
                action: fc.constantFrom("aws:runCommand", "aws:branch", "aws:executeScript"),
                description: text,
                inputs: fc.dictionary(fc.oneof(text, fc.constant("OutputS3BucketName")), value, { maxKeys: 4 }),
            },
            { requiredKeys: ["action"] },
        );
        const document = fc.record({
            schemaVersion: fc.constant("0.3"),
            description: text,
            parameters: fc.dictionary(text, fc.record({ type: fc.constant("String"), description: text }), { maxKeys: 2 }),
            mainSteps: fc.array(step, { maxLength: 5 }),
            outputs: fc.option(fc.array(text, { maxLength: 2 }), { nil: undefined }),
        });
        fc.assert(
            fc.property(document, (d) => {
                const content = automationContent(d);
                const found = firstStep(content, "aws:runCommand");
                assert.deepEqual(found, whole(content, "aws:runCommand"));
                // And it is the step the document was written with (YAML 1.1 reads 0o17 back as the string).
                const written = d.mainSteps.find((st) => st.action === "aws:runCommand");
                assert.deepEqual(found, written === undefined ? undefined : JSON.parse(JSON.stringify(written)));
            }),
            { numRuns: 300 },
        );
    });
});
