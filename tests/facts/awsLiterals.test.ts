import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../helpers";
import { awsLiterals } from "./awsLiterals";
import baseline from "./awsLiteralsBaseline.json";

/** Every test source outside tests/facts/ (the fixture's home) and the corpus, with the AWS literals each writes out. */
function literalsInTests(): Map<string, number> {
    const literals = awsLiterals();
    const found = new Map<string, number>();
    const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            const rel = path.relative(ROOT, p).split(path.sep).join("/");
            if (e.isDirectory()) {
                // tests/facts holds the fixture; the corpus is other people's infrastructure as they wrote it (inputs, not assertions).
                if (rel !== "tests/facts" && rel !== "tests/policies/corpus") walk(p);
            } else if (/\.(ts|js)$/.test(e.name)) {
                const text = fs.readFileSync(p, "utf8");
                const n = literals.reduce((sum, l) => sum + (text.match(new RegExp(l.pattern, `${l.pattern.flags}g`)) ?? []).length, 0);
                if (n > 0) found.set(rel, n);
            }
        }
    };
    walk(path.join(ROOT, "tests"));
    return found;
}

describe("AWS literals in tests (detail-types, reboot exit codes, condition keys) come from the facts fixture", () => {
    it("finds the literals the fixture defines", () => {
        const names = awsLiterals().map((l) => l.literal);
        assert.ok(names.length >= 6, names.join(", "));
        assert.ok(names.some((n) => n.startsWith("exit ")));
        assert.ok(names.some((n) => / Notification$/.test(n)));
        assert.ok(names.some((n) => /^aws:Source/.test(n)));
    });

    // The files below predate the fixture; none may add a literal, no other file may hold one.
    // Rewrite a test against tests/facts/facts.ts and lower (or remove) its count here.
    it("no test outside tests/facts/ writes more of them than tests/facts/awsLiteralsBaseline.json allows", () => {
        const allowed = baseline.files as Record<string, number>;
        const over: string[] = [];
        for (const [file, n] of literalsInTests()) {
            if (n > (allowed[file] ?? 0))
                over.push(
                    `${file}: ${n} AWS literal(s), ${allowed[file] ?? 0} allowed: read the value from tests/facts/facts.ts (fact(...))`,
                );
        }
        assert.deepEqual(over, []);
    });
});
