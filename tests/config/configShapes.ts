// Stack files of any shape, for the property tests of tests/config/: the shipped stacks' config
// trees, and edits that put any value at any key (replace, delete, duplicate, nest, add a key).
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import YAML from "yaml";
import { ROOT, SHIPPED_STACKS } from "../helpers";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const shipped = SHIPPED_STACKS.map((stack) => ({
    stack,
    config: (YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, Json> }).config,
}));

/** Every path into a config tree (each key, each list item, at any depth). */
export function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
    const here = at.length > 0 ? [at] : [];
    if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => paths(x, [...at, i]))];
    if (v !== null && typeof v === "object") return [...here, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
    return here;
}

export const oddString = fc.oneof(
    fc.constantFrom("", " ", "true", "null", "~", "0", "-1", "1e400", "NaN", "[1", "{a: 1}", "cron(", "secure", "ünïcødé", "a".repeat(600)),
    fc.string({ maxLength: 12 }),
);

/** Whether a string, read as the config decoder reads list, map and number keys (JSON), holds a null. */
function decodesToNull(text: string): boolean {
    const holdsNull = (v: unknown): boolean =>
        v === null || (typeof v === "object" && Object.values(v as Record<string, unknown>).some(holdsNull));
    try {
        return holdsNull(JSON.parse(text));
    } catch {
        return false;
    }
}

/** The values, edits and mutated stacks; without `nulls`, no value, key or decoded string is or holds null. */
function shapes({ nulls }: { nulls: boolean }) {
    // A string that names null or undefined would put those words into a message as the user's own text.
    const plain = (s: string) => nulls || (!/null|undefined/i.test(s) && !decodesToNull(s));
    const value: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
        v: fc.oneof(
            { depthSize: "small", withCrossShrink: true },
            ...(nulls ? [fc.constant(null)] : []),
            fc.boolean(),
            fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
            oddString.filter(plain),
            fc.array(tie("v"), { maxLength: 3 }),
            fc.dictionary(
                fc.oneof(
                    fc.constantFrom("name", "operatingSystem", "schedule", "durationHours", "cron", "secure"),
                    fc.string({ maxLength: 6 }).filter(plain),
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
            fc.string({ maxLength: 8 }).filter(plain),
        ),
    });

    /** A shipped stack and one to four edits of it. */
    const mutatedStack = fc.record({
        base: fc.nat({ max: shipped.length - 1 }),
        edits: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    });
    return { value, mutation, mutatedStack };
}

/** Any value at any key, null included. */
export const { value, mutation, mutatedStack } = shapes({ nulls: true });
/** The same without null anywhere: a `null` in a message then comes from the code, not the stack file. */
export const nullFree = shapes({ nulls: false });

export function mutate(config: Record<string, Json>, edits: readonly { kind: string; pick: number; value: Json; key: string }[]) {
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
