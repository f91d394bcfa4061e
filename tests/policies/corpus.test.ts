// The pack on other people's infrastructure (tests/policies/corpus/): each definition, translated
// faithfully to Pulumi resources, runs under the mock runtime, the pack sees the provider's checked
// inputs as in a real preview, and it must report exactly the findings the entry expects: no false
// positive, no true positive lost. Stacks unrelated to patching get nothing at all.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runPolicies, Violation } from "../../tools/audit/engine";
import { auditResourcesOf, evaluateProgram } from "../../tools/mock/mockProgram";
import { policies } from "../../policies/pack";
import type { CorpusEntry } from "./corpus/types";

const DIR = path.join(__dirname, "corpus");
const FILES = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".ts") && !["types.ts", "show.ts", "report.ts"].includes(f))
    .sort();

/** The corpus entry's findings as the pack reports them on checked inputs. */
export async function corpusFindings(entry: CorpusEntry, stack = "corpus"): Promise<Violation[]> {
    const { resources } = await evaluateProgram({
        stack,
        project: "corpus",
        config: { values: { "aws:region": "us-east-1" }, secretKeys: [] },
        program: entry.program,
    });
    return runPolicies(auditResourcesOf(resources), { stackName: stack, projectName: "corpus" });
}

const key = (policy: string, level: string, resource: string) => `${level} ${policy} on ${resource}`;
const resourceOf = (urn: string) =>
    urn.includes("::pulumi:pulumi:Stack::") || urn === "" ? "stack" : urn.slice(urn.lastIndexOf("::") + 2);

describe("the pack on other people's code (tests/policies/corpus)", function () {
    this.timeout(120000);
    const entries = FILES.map((f) => [f, (require(path.join(DIR, f)) as { entry: CorpusEntry }).entry] as const);

    it("holds at least ten public definitions, each naming its source at a commit, with a reason for every verdict", () => {
        assert.ok(entries.length >= 10, `${entries.length} entries`);
        const policyNames = new Set(policies.map((p) => p.name));
        for (const [file, e] of entries) {
            for (const field of ["repository", "path", "commit", "url", "translation"] as const) {
                assert.ok(e.source[field].length > 0, `${file}: source.${field}`);
            }
            for (const f of [...e.expected, ...e.rejected]) {
                assert.ok(policyNames.has(f.policy), `${file}: ${f.policy} is no rule of the pack`);
                assert.ok(f.reason.length >= 40, `${file}: the verdict on ${f.policy} ${f.resource} says why`);
            }
        }
        assert.ok(entries.filter(([, e]) => e.unrelated).length >= 2, "at least two stacks unrelated to patching");
    });

    /** Each entry's findings, as its own test found them (the mock runtime evaluates one program at a time). */
    const seen = new Map<string, Violation[]>();

    for (const [file, entry] of entries) {
        it(`${file}: ${entry.unrelated ? "nothing at all (unrelated to patching)" : "exactly the expected findings"}`, async () => {
            const found = await corpusFindings(entry);
            seen.set(file, found);
            const actual = found.map((v) => key(v.policy, v.level, resourceOf(v.urn))).sort();
            const expected = entry.expected.map((f) => key(f.policy, f.level, f.resource)).sort();
            assert.deepEqual(actual, entry.unrelated ? [] : expected, found.map((v) => `${v.policy}: ${v.message}`).join("\n"));
            for (const r of entry.rejected) {
                // Terraform modules reuse a name across resource types (a bucket and its configurations): a verdict on
                // one does not speak for the other, which the exact comparison above already covers.
                if (entry.expected.some((x) => x.policy === r.policy && x.resource === r.resource)) continue;
                assert.ok(
                    !found.some((v) => v.policy === r.policy && resourceOf(v.urn) === r.resource && v.level === "mandatory"),
                    `${file}: ${r.policy} on ${r.resource} was judged ${r.verdict}`,
                );
            }
        });
    }

    it("in all: the true positives the issue names are among the findings", () => {
        assert.equal(seen.size, entries.length, "every entry ran");
        const rules = new Set([...seen.values()].flat().map((v) => v.policy));
        // Still findings (issue #23) and the ones the pack missed before, each found in someone's real code.
        for (const rule of [
            "hybrid-activation-code-secret",
            "association-scans-without-reboot",
            "patching-documents-only",
            "default-baseline-approves-updates",
            "replacement-deletes-first",
            "task-patch-document",
            "task-notification-role",
        ]) {
            assert.ok(rules.has(rule), `the corpus exercises ${rule}`);
        }
    });
});
