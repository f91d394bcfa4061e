// A refusal quotes what the stack file holds and says what is valid: it never shows the code's own
// placeholders for a missing or odd value ("undefined", "[object Object]", or a "null" the file
// does not hold), whatever shape the values take. The examples pin the cross-key messages that
// interpolate another key's value (a group's operatingSystem, a baseline's name, a VPC id).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import YAML from "yaml";
import { ConfigError, ConfigProblem, parseStackConfig } from "../../config";
import { readStackFile } from "../../tools/mock/mockProgram";
import { Json, mutate, mutatedStack, nullFree, shipped, value } from "./configShapes";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messages-"));
let n = 0;

/** The problems the config check reports for a stack file with this config ([] when it is accepted). */
function problemsOf(config: Record<string, Json>): readonly ConfigProblem[] {
    const file = path.join(dir, `Pulumi.m${n++}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    try {
        parseStackConfig(readStackFile(file).values, "m", file);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems;
    }
}

/** The messages that show one of the placeholders, with their key paths. */
function showing(problems: readonly ConfigProblem[], placeholder: RegExp): string[] {
    return problems.filter((p) => placeholder.test(p.message)).map((p) => `${p.path}: ${p.message}`);
}

const CODE_PLACEHOLDERS = /undefined|\[object Object\]/;
const NULL = /\bnull\b/;

/** An edit at a key the cross-key rules read, `*` standing for one entry of the list above it. */
const TARGETS: readonly (readonly string[])[] = [
    ["patch-manager:patchGroups", "*", "name"],
    ["patch-manager:patchGroups", "*", "operatingSystem"],
    ["patch-manager:patchGroups", "*", "baseline"],
    ["patch-manager:patchGroups", "*", "operation"],
    ["patch-manager:patchGroups", "*", "schedule", "durationHours"],
    ["patch-manager:baselines", "*", "name"],
    ["patch-manager:baselines", "*", "operatingSystem"],
    ["patch-manager:privateEndpoints", "*", "vpcId"],
    ["patch-manager:privateEndpoints", "*", "region"],
    ["patch-manager:privateEndpoints", "*", "patchSource"],
    ["patch-manager:regions", "*"],
    ["patch-manager:safeStops", "hooks"],
    ["patch-manager:operation"],
    ["patch-manager:approveAfterDays"],
];

type TargetedEdit = { target: number; pick: number; remove: boolean; value: Json };

/** The shipped stack `base` with each edit applied where its target exists (a missing list or key: no edit). */
function edited(base: number, edits: readonly TargetedEdit[]): Record<string, Json> {
    const doc = structuredClone(shipped[base].config) as Record<string, Json>;
    for (const edit of edits) {
        const pattern = TARGETS[edit.target % TARGETS.length];
        let parent: Json = doc;
        let key: string | number | undefined;
        for (const part of pattern) {
            if (key !== undefined) parent = (parent as Record<string | number, Json>)[key];
            if (parent === null || typeof parent !== "object") break;
            key = part === "*" ? (Array.isArray(parent) && parent.length > 0 ? edit.pick % parent.length : undefined) : part;
            if (key === undefined) break;
        }
        if (key === undefined || parent === null || typeof parent !== "object") continue;
        if (edit.remove && Array.isArray(parent)) parent.splice(Number(key), 1);
        else if (edit.remove) delete (parent as Record<string, Json>)[key];
        else (parent as Record<string | number, Json>)[key] = edit.value;
    }
    return doc;
}

const at = (stack: string) => {
    const i = shipped.findIndex((s) => s.stack === stack);
    assert.ok(i >= 0, `no shipped stack ${stack}`);
    return i;
};
const target = (...pattern: string[]) => TARGETS.findIndex((t) => t.join("/") === pattern.join("/"));
const remove = (pick: number, ...pattern: string[]): TargetedEdit => ({ target: target(...pattern), pick, remove: true, value: 0 });
const set = (pick: number, v: Json, ...pattern: string[]): TargetedEdit => ({ target: target(...pattern), pick, remove: false, value: v });

/**
 * The messages that quote another key's value, each with a shape that reaches it: a
 * group without an operatingSystem (or with a map there) that names a baseline, a baseline
 * without a name, groups without a name or OS beside an s3-only VPC or a daily scan, two VPCs
 * without an id, a hooked group without a name, an install-only strategy with a map as operation.
 */
const CROSS_KEY_EXAMPLES: [{ base: number; edits: TargetedEdit[] }][] = [
    [{ base: at("prod"), edits: [remove(2, "patch-manager:patchGroups", "*", "operatingSystem")] }],
    [{ base: at("prod"), edits: [set(2, { a: 1 }, "patch-manager:patchGroups", "*", "operatingSystem")] }],
    [
        {
            base: at("prod"),
            edits: [
                set(0, "nope", "patch-manager:patchGroups", "*", "baseline"),
                remove(0, "patch-manager:patchGroups", "*", "operatingSystem"),
            ],
        },
    ],
    [
        {
            base: at("prod"),
            edits: [remove(0, "patch-manager:baselines", "*", "name"), set(0, "nope", "patch-manager:patchGroups", "*", "baseline")],
        },
    ],
    [
        {
            base: at("prod-private"),
            edits: [
                set(0, "s3-only", "patch-manager:privateEndpoints", "*", "patchSource"),
                remove(0, "patch-manager:patchGroups", "*", "operatingSystem"),
                remove(1, "patch-manager:patchGroups", "*", "name"),
            ],
        },
    ],
    [
        {
            base: at("prod-private"),
            edits: [
                set(1, "eu-west-1", "patch-manager:privateEndpoints", "*", "region"),
                remove(0, "patch-manager:privateEndpoints", "*", "vpcId"),
                remove(1, "patch-manager:privateEndpoints", "*", "vpcId"),
            ],
        },
    ],
    [{ base: at("prod-private"), edits: [remove(4, "patch-manager:patchGroups", "*", "name")] }],
    [
        {
            base: at("prod-private"),
            edits: [
                set(3, 24, "patch-manager:patchGroups", "*", "schedule", "durationHours"),
                remove(3, "patch-manager:patchGroups", "*", "name"),
            ],
        },
    ],
    [{ base: at("prod-strategies"), edits: [set(0, { a: 1 }, "patch-manager:patchGroups", "*", "operation")] }],
    [{ base: at("prod-strategies"), edits: [set(0, ["Scan"], "patch-manager:operation")] }],
];

const targetedEdit = (values: fc.Arbitrary<Json>) =>
    fc.record({
        target: fc.nat({ max: TARGETS.length - 1 }),
        pick: fc.nat(),
        remove: fc.boolean(),
        value: fc.oneof(values, fc.constantFrom<Json>("s3-only", "windows2012-security", "Scan", "MACOS", "eu-west-1", 24)),
    });
const targeted = (values: fc.Arbitrary<Json>) =>
    fc.record({ base: fc.nat({ max: shipped.length - 1 }), edits: fc.array(targetedEdit(values), { minLength: 1, maxLength: 4 }) });

describe("config: refusals never show undefined, [object Object] or a null the stack file does not hold", function () {
    this.timeout(240_000);
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the cross-key messages, for values missing or of another shape where the rules read them (300 stacks)", function () {
        fc.assert(
            fc.property(targeted(value), ({ base, edits }) => {
                assert.deepEqual(showing(problemsOf(edited(base, edits)), CODE_PLACEHOLDERS), []);
            }),
            { numRuns: 300, examples: CROSS_KEY_EXAMPLES },
        );
    });

    it("any value of any shape at any key (300 mutated stacks)", function () {
        fc.assert(
            fc.property(mutatedStack, ({ base, edits }) => {
                assert.deepEqual(showing(problemsOf(mutate(shipped[base].config, edits)), CODE_PLACEHOLDERS), []);
            }),
            { numRuns: 300 },
        );
    });

    it("with no null anywhere in the stack file, no message says null (300 mutated stacks)", function () {
        // A number too large for a double reads as Infinity, which JSON.stringify spells null.
        const huge: [{ base: number; edits: TargetedEdit[] }] = [
            { base: at("prod"), edits: [set(0, "1e400", "patch-manager:approveAfterDays")] },
        ];
        fc.assert(
            fc.property(nullFree.mutatedStack, ({ base, edits }) => {
                assert.deepEqual(showing(problemsOf(mutate(shipped[base].config, edits)), NULL), []);
            }),
            { numRuns: 300 },
        );
        fc.assert(
            fc.property(targeted(nullFree.value), ({ base, edits }) => {
                assert.deepEqual(showing(problemsOf(edited(base, edits)), NULL), []);
            }),
            { numRuns: 100, examples: [huge] },
        );
    });
});
