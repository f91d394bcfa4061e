import * as diagnostics_channel from "node:diagnostics_channel";
// The Pulumi CLI passes every config value as a string: lists and maps JSON-encoded, booleans as
// "true"/"false", numbers as their digits. This turns each back into the value the YAML held.
import { ConfigProblem, keyPath } from "./errors";
import * as z from "zod";
import { ConfigKey, KEYS } from "./keys";

type Encoding = "text" | "json" | "number" | "boolean";

/**
 * How the CLI encodes each key's value, read off the key's schema (its JSON Schema type on the
 * input side): strings as they are, booleans and numbers as their text, lists and maps as JSON.
 */
export function encodingOf(schema: z.ZodType): Encoding {
    // Told by the schema's own kind where that is the JSON Schema's type (a list, a map or a record
    // is JSON whatever it holds; patchGroups' schema is much of the config's; a pipe is what it
    // takes in), unless its metadata, which the JSON Schema takes on, gives it another type:
    // without converting it (about 1 ms for a stack that sets the keys made as pipes).
    const def = schema._zod.def;
    const meta = z.globalRegistry.get(schema);
    // Metadata with a `type` (even undefined) or an `id` (a $ref to $defs) changes what the JSON
    // Schema says; the registry hands on a parent's type, not its id (`.meta({ id }).min(1)`).
    // A $ref has no type, which reads as JSON: a list's, a map's or a record's id changes nothing
    // (the settings a pipe takes in have ids, for the generated types).
    if (meta === undefined || !("type" in meta)) {
        if (def.type === "object" || def.type === "array" || def.type === "record") return "json";
    }
    if ((meta === undefined || !("type" in meta)) && !hasId(schema)) {
        if (def.type === "string") return "text";
        if (def.type === "boolean") return "boolean";
        if (def.type === "number") return "number";
        const entries = def.type === "enum" ? Object.values((def as z.core.$ZodEnumDef).entries) : [];
        if (entries.length > 0 && entries.every((v) => typeof v === "string")) return "text";
        // A pipe's input side is what it takes in, or what a transform first in it hands on (zod's pipe processor).
        if (def.type === "pipe") {
            const pipe = def as z.core.$ZodPipeDef;
            return encodingOf((pipe.in._zod.traits.has("$ZodTransform") ? pipe.out : pipe.in) as z.ZodType);
        }
    }
    return encodingThroughJsonSchema(schema);
}

/** Whether the schema or one it was made from (`_zod.parent`) has an id in its metadata. */
function hasId(schema: z.ZodType): boolean {
    for (let s: z.core.$ZodType | undefined = schema; s !== undefined; s = s._zod.parent) {
        const meta = z.globalRegistry.get(s);
        if (meta !== undefined && "id" in meta) return true;
    }
    return false;
}

/** `encodingOf` from the schema's JSON Schema type (the input side), for any schema. */
export function encodingThroughJsonSchema(schema: z.ZodType): Encoding {
    const type: unknown = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }).type;
    if (type === "string") return "text";
    if (type === "boolean") return "boolean";
    if (type === "integer" || type === "number") return "number";
    return "json";
}

/** Each key's encoding, read off its schema when the key is first decoded (a stack sets a few of the keys). */
const ENCODINGS = new Map<ConfigKey, Encoding>();
function encoding(key: ConfigKey): Encoding {
    let known = ENCODINGS.get(key);
    if (known === undefined) {
        known = encodingOf(KEYS[key]);
        ENCODINGS.set(key, known);
    }
    return known;
}

/** Each value decoded is told on this channel (as PARSES in config/parse.ts). */
export const DECODES = diagnostics_channel.channel("patch-manager:config:decode");

/** The value of `key` as the stack file wrote it, or the problem that keeps it from being read. */
export function decodeValue(key: ConfigKey, text: string): { value: unknown } | { problem: ConfigProblem } {
    if (DECODES.hasSubscribers) DECODES.publish({ key });
    const kind = encoding(key);
    switch (kind) {
        case "text":
            return { value: text };
        case "boolean":
            if (text !== "true" && text !== "false") {
                return { problem: { path: keyPath(key), message: `must be true or false, got ${JSON.stringify(text)}` } };
            }
            return { value: text === "true" };
        case "json":
        case "number":
            try {
                return { value: JSON.parse(text) };
            } catch {
                return {
                    problem: {
                        path: keyPath(key),
                        message: `must be ${kind === "number" ? "a number" : "a YAML list or map"}, got ${JSON.stringify(text)}`,
                    },
                };
            }
    }
}

/**
 * What the offline plan passes for a `secure:` value it cannot decrypt. Such a value is not
 * checked (the real `pulumi up` gets the plaintext and checks it); the Pulumi CLI never passes it.
 */
export const UNDECRYPTED_SECRET = "[secret: not decrypted offline]";

/** The part of a decoded value at a schema issue's path. */
export function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let v = value;
    for (const p of path) v = typeof v === "object" && v !== null ? Reflect.get(v, p) : undefined;
    return v;
}
