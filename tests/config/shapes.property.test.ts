// Any value of any shape at any key of a stack file gets a model or a refusal at its key path,
// never a crash: the shipped stacks mutated at random, through the path the plan and the program take.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import YAML from "yaml";
import { ConfigError, parseStackConfig } from "../../config";
import { readStackFile } from "../../tools/mockProgram";
import { displayPath } from "../../tools/userPath";
import { plan, ROOT, SHIPPED_STACKS } from "../helpers";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const shipped = SHIPPED_STACKS.map((stack) => ({
    stack,
    config: (YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, Json> }).config,
}));

/** Every path into a config tree (each key, each list item, at any depth). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
    const here = at.length > 0 ? [at] : [];
    if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => paths(x, [...at, i]))];
    if (v !== null && typeof v === "object") return [...here, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
    return here;
}

const oddString = fc.oneof(
    fc.constantFrom("", " ", "true", "null", "~", "0", "-1", "1e400", "NaN", "[1", "{a: 1}", "cron(", "secure", "ünïcødé", "a".repeat(600)),
    fc.string({ maxLength: 12 }),
);
const value: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
    v: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant(null),
        fc.boolean(),
        fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
        oddString,
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(
            fc.oneof(
                fc.constantFrom("name", "operatingSystem", "schedule", "durationHours", "cron", "secure"),
                fc.string({ maxLength: 6 }),
            ),
            tie("v"),
            {
                maxKeys: 3,
            },
        ),
    ),
})).v;

/** One edit of a config tree: a new value, a deletion, a duplicate, or an extra nested key. */
const mutation = fc.record({
    kind: fc.constantFrom("replace", "delete", "duplicate", "nest", "newKey"),
    pick: fc.nat(),
    value,
    key: fc.oneof(
        fc.constantFrom("patch-manager:durationHour", "aws:regoin", "patch-manger:window", "aws:allowedAccountIds", "schedule"),
        fc.string({ maxLength: 8 }),
    ),
});

function mutate(config: Record<string, Json>, edits: readonly { kind: string; pick: number; value: Json; key: string }[]) {
    const doc = structuredClone(config) as Record<string, Json>;
    for (const edit of edits) {
        const all = paths(doc);
        const at = all[edit.pick % all.length];
        const parent = at.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], doc) as
            Record<string | number, Json> | Json[];
        const last = at[at.length - 1];
        switch (edit.kind) {
            case "replace":
                (parent as Record<string | number, Json>)[last] = edit.value;
                break;
            case "delete":
                if (Array.isArray(parent)) parent.splice(Number(last), 1);
                else delete parent[last];
                break;
            case "duplicate":
                if (Array.isArray(parent)) parent.splice(Number(last), 0, structuredClone(parent[Number(last)]));
                else (parent as Record<string, Json>)[`${String(last)}`] = structuredClone(parent[last]);
                break;
            case "nest":
                (parent as Record<string | number, Json>)[last] = { [edit.key]: parent[last as never] };
                break;
            case "newKey":
                if (Array.isArray(parent) || typeof parent !== "object") doc[edit.key] = edit.value;
                else (parent as Record<string, Json>)[edit.key] = edit.value;
                break;
        }
    }
    return doc;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shapes-"));
let n = 0;
/** The mutated config written as a stack file, as a user would leave it. */
function write(config: Record<string, Json>): string {
    const file = path.join(dir, `Pulumi.m${n++}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    return file;
}

/**
 * Every refusal line names the file and a key path: in patch-manager: or aws:, or in the
 * namespace of a key the stack file holds (a misspelt or unknown one).
 */
function assertKeyPathRefusal(lines: readonly string[], file: string, keys: readonly string[]) {
    assert.ok(lines.length > 0);
    const namespaces = new Set(["patch-manager", "aws", ...keys.map((k) => k.split(":")[0])]);
    for (const line of lines) {
        assert.ok(line.startsWith(`${file}: `), line);
        const rest = line.slice(file.length + 2);
        assert.ok(
            [...namespaces].some((ns) => rest.startsWith(`${ns}:`)),
            line,
        );
    }
}

const input = fc.record({ base: fc.nat({ max: shipped.length - 1 }), edits: fc.array(mutation, { minLength: 1, maxLength: 4 }) });

describe("config: any value of any shape at any key gets a plan or a key-path refusal", function () {
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("readStackFile → parseStackConfig: a model or a ConfigError, never another exception (300 mutated stacks)", function () {
        fc.assert(
            fc.property(input, ({ base, edits }) => {
                const file = write(mutate(shipped[base].config, edits));
                try {
                    parseStackConfig(readStackFile(file).values, "m", file);
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    assertKeyPathRefusal(e.lines(), file, Object.keys(readStackFile(file).values));
                }
            }),
            { numRuns: 300 },
        );
    });

    it("the whole offline plan: exit 0 or 1 with a plan, or exit 2 with key-path lines, never 3 (10 mutated stacks)", async function () {
        await fc.assert(
            fc.asyncProperty(input, async ({ base, edits }) => {
                const file = write(mutate(shipped[base].config, edits));
                // A crash would reject here (the CLI turns it into exit 3).
                const { code, stdout, stderr } = await plan("--stack", "m", "--config", file, "--json");
                assert.ok(code === 0 || code === 1 || code === 2, `exit ${code}: ${stderr}`);
                // The CLI prints the file as the user would type it: relative to where npm ran, when shorter.
                if (code === 2) assertKeyPathRefusal(stderr.trim().split("\n"), displayPath(file), Object.keys(readStackFile(file).values));
                else assert.ok(JSON.parse(stdout).resources.length > 0);
            }),
            { numRuns: 10 },
        );
    });
});
