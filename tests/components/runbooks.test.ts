// components/runbooks.ts: an Automation document's YAML, and the document it was written from
// (`writtenAutomationDocument`, which the offline plan reads instead of parsing the YAML again):
// the same value as reading the YAML, under YAML 1.1 and 1.2, for every shipped runbook and for
// documents of any shape.
import { strict as assert } from "assert";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { automationContent, writtenAutomationDocument } from "../../components/runbooks";
import { shippedRunbooks } from "../facts/stacks";

/** What `content` reads as under YAML 1.1, which it is written in (and, `both`, under 1.2 the same: tests/facts/ssmDocuments.test.ts). */
function readBack(content: string, both = false): unknown {
    const read = parseYaml(content, { version: "1.1" });
    if (both) assert.deepEqual(parseYaml(content), read);
    return read;
}

describe("components/runbooks: the document a runbook's YAML was written from", () => {
    it("every shipped runbook: the written document is what its YAML reads as", async () => {
        for (const { stack, r } of await shippedRunbooks()) {
            // Written again here: the stack's evaluation may be another test's, in another order.
            const content = automationContent(readBack(String(r.inputs.content), true) as object);
            assert.equal(content, r.inputs.content, `${stack} ${r.name}: written the same again`);
            assert.deepEqual(writtenAutomationDocument(content), readBack(content, true), `${stack} ${r.name}`);
        }
    });

    it("property: any document of strings, numbers, booleans, nulls, lists and maps reads back as written", () => {
        // Strings that YAML 1.1 reads as something else unquoted, and characters that need quoting.
        const word = fc.oneof(
            fc.constantFrom(
                "yes",
                "no",
                "on",
                "off",
                "y",
                "1:30",
                "0o17",
                "~",
                "null",
                "- x",
                "a: b",
                "#c",
                "'q'",
                '"d"',
                "{{ X }}",
                "",
                " ",
            ),
            fc.string({ unit: fc.constantFrom("a", " ", ":", "-", "#", "\n", "'", '"', "{", "}", "\\", "é", "\t", "0", ".") }),
        );
        const leaf = fc.oneof(word, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
        const { doc } = fc.letrec((tie) => ({
            value: fc.oneof({ depthSize: "small" }, leaf, tie("list"), tie("map")),
            list: fc.array(tie("value"), { maxLength: 4 }),
            map: fc.dictionary(word, tie("value"), { maxKeys: 4 }),
            doc: fc.dictionary(word, tie("value"), { minKeys: 1, maxKeys: 5 }),
        }));
        fc.assert(
            fc.property(doc, (d) => {
                const content = automationContent(d as object);
                // -0 is written as 0 in JSON and as -0 in YAML: compared as numbers.
                assert.deepEqual(
                    JSON.parse(JSON.stringify(writtenAutomationDocument(content))),
                    JSON.parse(JSON.stringify(readBack(content))),
                );
            }),
        );
    });

    it("a document changed after it was written reads back as written, and an unknown text is no document", () => {
        const d = { description: "first", mainSteps: [{ action: "aws:sleep", inputs: { Duration: "PT1S" } }] };
        const content = automationContent(d);
        d.description = "changed";
        d.mainSteps[0].inputs.Duration = "PT2S";
        assert.deepEqual(writtenAutomationDocument(content), readBack(content));
        assert.equal(writtenAutomationDocument(`${content}# another program's\n`), undefined);
        // A value JSON cannot hold: the text is yaml's, and the document is read from it instead.
        const big = automationContent({ description: "big", count: 10n });
        assert.equal(big, "description: big\ncount: 10\n");
        assert.equal(writtenAutomationDocument(big), undefined);
    });
});
