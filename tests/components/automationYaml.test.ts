// components/automationYaml.ts against `yaml` itself: the same text with automationContent's
// options for every shipped runbook (each written by it, not left to `yaml`), and for documents
// of any shape whenever it writes one; what it leaves to `yaml` is only what it cannot write the same.
import { strict as assert } from "assert";
import fc from "fast-check";
import { inspect } from "util";
import { Document, parse as parseYaml, stringify } from "yaml";
import { automationYaml, oneOf } from "../../components/automationYaml";
import { AUTOMATION_YAML } from "../../components/runbooks";
import { shippedRunbooks } from "../facts/stacks";

const yamlOf = (d: unknown) => stringify(d, AUTOMATION_YAML);

describe("components/automationYaml: an Automation document's YAML as `yaml` writes it", () => {
    it("every shipped runbook: written here, the same text as `yaml`'s", async () => {
        for (const { stack, r } of await shippedRunbooks()) {
            const document = parseYaml(String(r.inputs.content), { version: "1.1" }) as object;
            assert.equal(automationYaml(document), yamlOf(document), `${stack} ${r.name}`);
            assert.equal(automationYaml(document), r.inputs.content, `${stack} ${r.name}`);
        }
    });

    it("property: yaml's patterns of the other scalar types, as one alternation, match exactly the strings one of them matches", () => {
        const patterns = new Document(undefined, { version: "1.1" }).schema.tags
            .filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test instanceof RegExp)
            .map((t) => t.test as RegExp);
        const one = oneOf(patterns);
        assert.ok(one, "yaml's patterns combine");
        // Strings near each type: numbers in every base, sexagesimals, dates and times, booleans, nulls, specials.
        const text = fc.string({ unit: fc.constantFrom(..."0123456789+-._:eExXbBoTtZzNnYyuUlLsSfFaAiI ~<\t".split("")), maxLength: 24 });
        const near = fc.oneof(
            text,
            fc.constantFrom(
                "2026-12-03",
                "2026-12-03T10:00:00Z",
                "2026-1-3 1:2:3.5 +01:00",
                "190:20:30",
                "1_000",
                "0b1_0",
                ".NaN",
                "-.Inf",
                "NULL",
                "<<",
            ),
        );
        fc.assert(
            fc.property(near, (s) =>
                assert.equal(
                    one.test(s),
                    patterns.some((re) => re.test(s)),
                    JSON.stringify(s),
                ),
            ),
            { numRuns: 3000 },
        );
        // Patterns it does not combine: flags (a g keeps state between tests), back-references, none.
        assert.equal(oneOf([/^a$/, /^b$/g]), undefined);
        assert.equal(oneOf([/^(a)\1$/, /^b$/]), undefined);
        // Two patterns naming one group: refused where the engine refuses the alternation (Node 20),
        // else one pattern that still matches what either does.
        const named = oneOf([/^(?<x>a)$/, /^(?<x>b)$/]);
        if (named !== undefined)
            assert.deepEqual(
                ["a", "b", "c"].map((t) => named.test(t)),
                [true, true, false],
            );
        assert.equal(oneOf([]), undefined);
        assert.ok(oneOf([/^a|b$/, /^c$/])!.test("xb"), "each pattern keeps its own anchors");
    });

    it("property: any document it writes is the same text as `yaml`'s, and it writes many of them", () => {
        // Strings YAML 1.1 reads as something else unquoted, quotes, markers, scripts with blank and indented lines.
        const word = fc.oneof(
            fc.constantFrom("yes", "No", "ON", "y", "~", "null", "1:30", "0o17", "017", "0x1F", "1e3", ".inf", "<<", "2026-12-03", "x"),
            fc.constantFrom("- x", "a: b", "a #c", "#c", "'q'", '"d"', `it's "x"`, "{{ X }}", "[a]", "*a", "&a", "!t", "%p", "@a", "`b`"),
            fc.constantFrom(
                "---",
                "--- x",
                "...",
                "a\n---\nb",
                "a\n",
                "a\n\n",
                "\na",
                " a",
                "a ",
                "a\n  b\nc",
                "x\n\n  y\n",
                "a\tb",
                "\u0007",
            ),
            fc.string({ unit: fc.constantFrom("a", "b", " ", ":", "-", "#", "\n", "'", '"', "{", "\\", "é", "\t", "0", ".", "?") }),
            fc.string({ unit: fc.constantFrom("a", "Z", "_", "/", ".", "1", "-"), minLength: 1 }),
        );
        // Keys mostly as runbooks have them, sometimes one that needs quoting (left to `yaml`).
        const key = fc.oneof(
            { arbitrary: fc.string({ unit: fc.constantFrom("a", "Z", "_", "1", "-", "."), minLength: 1, maxLength: 8 }), weight: 8 },
            { arbitrary: word, weight: 1 },
        );
        const leaf = fc.oneof(
            { arbitrary: word, weight: 6 },
            { arbitrary: fc.integer(), weight: 1 },
            { arbitrary: fc.double({ noNaN: true }), weight: 1 },
            { arbitrary: fc.boolean(), weight: 1 },
            { arbitrary: fc.constant(null), weight: 1 },
        );
        const { doc } = fc.letrec((tie) => ({
            value: fc.oneof({ depthSize: "small" }, leaf, tie("list"), tie("map")),
            list: fc.array(tie("value"), { maxLength: 4 }),
            map: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
            doc: fc.dictionary(key, tie("value"), { minKeys: 1, maxKeys: 5 }),
        }));
        let written = 0;
        let runs = 0;
        fc.assert(
            fc.property(doc, (d) => {
                runs++;
                const text = automationYaml(d);
                if (text === undefined) return;
                written++;
                assert.equal(text, yamlOf(d));
            }),
            { numRuns: 400 },
        );
        // Most generated documents hold some value it leaves to `yaml` (the generator looks for those).
        assert.ok(written > runs / 10, `written ${written} of ${runs}`);
    });

    it("leaves to `yaml` what it cannot write the same: undefined values, holes, -0, infinities, a class's object, toJSON, iterables, control characters", () => {
        for (const d of [
            { a: undefined },
            { a: [1, undefined] },
            // eslint-disable-next-line no-sparse-arrays -- a hole is the case
            { a: [1, , 2] },
            { a: -0 },
            { a: Infinity },
            { a: new Date(0) },
            { a: "bell \u0007" },
            { "": 1 },
            { "a: b": 1 },
            // What `yaml` writes otherwise: what toJSON returns, an iterable as a sequence, a list of another prototype as a map.
            { k: Object.defineProperty({ a: 1 }, "toJSON", { value: () => "x" }) },
            { k: Object.assign([1], { toJSON: () => "x" }) },
            {
                k: {
                    a: 5,
                    *[Symbol.iterator]() {
                        yield 5;
                    },
                },
            },
            { k: Object.setPrototypeOf([1], null) },
            { k: 10n },
            { a: "x\n  " },
        ])
            assert.equal(automationYaml(d), undefined, inspect(d));
        assert.equal(automationYaml([]), undefined);
        assert.equal(automationYaml({}), undefined);
    });
});
