import * as diagnostics_channel from "node:diagnostics_channel";
import { crossCheck } from "./crossChecks";
import { baselineFields } from "./baselines";
import { patchGroupFields } from "./patchGroups";
import { decodeValue, UNDECRYPTED_SECRET, valueAt } from "./decode";
import { ConfigError, ConfigProblem, keyPath } from "./errors";
import * as z from "zod";
import { CONFIG_KEYS, ConfigKey, ConfigValues, configSchema, isConfigKey, KEYS, keyNamesAt, REQUIRED_KEYS, validKeysAt } from "./keys";
import { nearest } from "./nearest";
import { buildModel, PatchManagerConfig } from "./model";

/**
 * Each parse is told on this channel (node:diagnostics_channel; nothing is sent without a
 * subscriber): a benchmark or a test can count parses without replacing the export.
 */
export const PARSES = diagnostics_channel.channel("patch-manager:config:parse");

/**
 * Validates raw stack config (the `patch-manager:` keys without namespace,
 * values as the Pulumi CLI passes them: strings, lists and maps JSON-encoded)
 * into the typed model. Reports every problem at once; throws ConfigError.
 */
export function parseConfig(
    raw: Readonly<Record<string, string | undefined>>,
    stack: string,
    file = `Pulumi.${stack}.yaml`,
    opts: ParseOptions = {},
): PatchManagerConfig {
    if (PARSES.hasSubscribers) PARSES.publish({ stack, file });
    const entries: Entry[] = [];
    for (const [key, text] of Object.entries(raw)) {
        if (text === undefined) continue;
        entries.push(isConfigKey(key) ? { key, ...decodeValue(key, text) } : { key, value: text });
    }
    // The clock is read here, at the edge, once: the model (exemptions in force) and every rule take this instant.
    return parseEntries(entries, stack, file, opts.now ?? new Date());
}

/** What the parse reads besides the values: the clock (a test passes a fixed one). */
export interface ParseOptions {
    /** "From now on" for the rules about schedules that never start again, and the instant exemptions are judged at; default the machine's clock, read here once. */
    readonly now?: Date;
}

/** One key as read: its value, or the problem that kept it from being read. */
type Entry = { readonly key: string } & ({ readonly value: unknown } | { readonly problem: ConfigProblem });

function parseEntries(entries: readonly Entry[], stack: string, file: string, now: Date): PatchManagerConfig {
    // Problems are listed key by key, in the order the stack file has the keys.
    const problemsOfEachKey: ConfigProblem[][] = [];
    const problemsOf = new Map<ConfigKey, ConfigProblem[]>();
    const decoded: Partial<Record<ConfigKey, unknown>> = {};
    const refused = new Set<ConfigKey>();

    for (const entry of entries) {
        const { key } = entry;
        const keyProblems: ConfigProblem[] = [];
        problemsOfEachKey.push(keyProblems);
        if (!isConfigKey(key)) {
            const meant = nearest(key, CONFIG_KEYS);
            keyProblems.push({
                path: keyPath(key),
                message: `unknown key${meant ? `; did you mean ${keyPath(meant)}? The` : "; the"} keys are ${CONFIG_KEYS.join(", ")}`,
            });
            continue;
        }
        if ("problem" in entry) {
            keyProblems.push(entry.problem);
            refused.add(key);
        } else {
            decoded[key] = entry.value;
            problemsOf.set(key, keyProblems);
        }
    }

    // A map key `__proto__` (JSON makes it an own key) is lost by any object the value becomes:
    // refused where it stands rather than dropped without a word.
    for (const [key, value] of Object.entries(decoded) as [ConfigKey, unknown][]) {
        for (const path of protoKeyPaths(value, [])) {
            problemsOf.get(key)?.push({
                path: keyPath(key, path),
                message: '"__proto__" cannot be a key here: a JavaScript object takes it as its prototype and the entry would be lost',
            });
            refused.add(key);
        }
    }
    // Each key through its own schema: the keys that parse are typed for the rules across keys.
    const typed: Record<string, unknown> = {};
    const issues: Issue[] = [];
    for (const key of Object.keys(decoded) as ConfigKey[]) {
        const result = KEYS[key].safeParse(decoded[key], { jitless: true });
        if (result.success) typed[key] = result.data;
        else {
            refused.add(key);
            issues.push(...result.error.issues.map((i) => ({ ...i, path: [key, ...i.path] })));
        }
    }
    const values = typed as Partial<ConfigValues>;
    const misplacedSecrets: PropertyKey[][] = [];
    for (const issue of typosFirst(issues, decoded)) {
        const [key, ...path] = issue.path;
        if (!isConfigKey(key)) continue;
        if (valueAt(decoded[key], path) === UNDECRYPTED_SECRET) {
            if (!STRING_CHECKS.has(issue.code)) misplacedSecrets.push(issue.path);
            continue;
        }
        const message = issue.code === "unrecognized_keys" ? unknownKeysMessage(issue.keys, key, path) : issue.message;
        problemsOf.get(key)?.push({ path: keyPath(key, path), message });
    }
    const problems = problemsOfEachKey.flat();
    for (const key of REQUIRED_KEYS) {
        if (decoded[key] === undefined && !problems.some((p) => p.path === keyPath(key))) {
            problems.push({ path: keyPath(key), message: `is required: ${validValues(key)}` });
        }
    }
    // The model of what parsed (a refused key at its default), which the rules across keys read
    // where no refused key matters, and which is the stack's model when nothing was refused.
    const model = buildModel({ ...values, environment: values.environment ?? "development" }, stack, now);
    problems.push(
        ...crossCheck({
            values,
            refused,
            model,
            now,
            baselines: elements(values.baselines, decoded.baselines, baselineFields),
            patchGroups: elements(values.patchGroups, decoded.patchGroups, patchGroupFields),
            names: {
                baselines: elements(
                    values.baselines?.map((b) => b.name),
                    names(decoded.baselines),
                    baselineFields.shape.name,
                ),
                patchGroups: elements(
                    values.patchGroups?.map((g) => g.name),
                    names(decoded.patchGroups),
                    patchGroupFields.shape.name,
                ),
            },
        }),
    );
    if (problems.length > 0) throw new ConfigError(file, problems);
    if (refused.size === 0) return model;

    // Only `secure:` values the offline plan cannot decrypt were refused; a `secure:` environment
    // is unreadable, and the offline plan then shows a development stack.
    const unchecked = withSecretsUnchecked(decoded, misplacedSecrets, file);
    return buildModel({ ...unchecked, environment: unchecked.environment ?? "development" }, stack, now);
}

/** The `name` of each entry of a list as written (an entry that is no map has none). */
function names(raw: unknown): unknown[] | undefined {
    return Array.isArray(raw)
        ? raw.map((e) => (typeof e === "object" && e !== null && Object.hasOwn(e, "name") ? Reflect.get(e, "name") : undefined))
        : undefined;
}

/** Where a decoded value holds an own `__proto__` key. */
function protoKeyPaths(value: unknown, path: PropertyKey[]): PropertyKey[][] {
    if (typeof value !== "object" || value === null) return [];
    const own = Object.hasOwn(value, "__proto__") ? [path.concat("__proto__")] : [];
    return own.concat(...Object.entries(value).map(([k, v]) => protoKeyPaths(v, [...path, Array.isArray(value) ? Number(k) : k])));
}

/** A list's entries as their schema types them, each that parses at its index, also when the list as a whole was refused. */
function elements<T>(parsed: readonly T[] | undefined, raw: unknown, schema: z.ZodType<T>): (T | undefined)[] {
    if (parsed !== undefined) return [...parsed];
    if (!Array.isArray(raw)) return [];
    return raw.map((entry) => {
        const result = schema.safeParse(entry, { jitless: true });
        return result.success ? result.data : undefined;
    });
}

type Issue = z.core.$ZodIssue;

/** What a required key may hold, from its schema: its choices, else its description. */
function validValues(key: ConfigKey): string {
    const choices: unknown = z.toJSONSchema(KEYS[key], { io: "input", unrepresentable: "any" }).enum;
    return Array.isArray(choices)
        ? `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`
        : (KEYS[key].description ?? "see docs/configuration.md");
}

/** The key an unknown one most likely misspells, among the keys of its map. */
function meantKey(unknown: string, key: PropertyKey, path: readonly PropertyKey[]): string | undefined {
    const names = isConfigKey(key) ? keyNamesAt(key, path) : undefined;
    return names ? nearest(unknown, names) : undefined;
}

function unknownKeysMessage(keys: readonly string[], key: ConfigKey, path: readonly PropertyKey[]): string {
    const hints = keys.map((k) => ({ k, meant: meantKey(k, key, path) }));
    const named = hints.map(({ k, meant }) => `"${k}"${meant ? ` (did you mean "${meant}"?)` : ""}`).join(", ");
    if (hints.length === 1 && hints[0].meant)
        return `unknown key "${keys[0]}"; did you mean "${hints[0].meant}"? ${validKeysAt(key, path)}`;
    return `unknown key${keys.length === 1 ? "" : "s"} ${named}; ${validKeysAt(key, path)}`;
}

/**
 * A misspelt key (`durationHour`) makes the key it meant missing as well: the typo is what the
 * user has to fix, so it comes first and the missing key it stands for is not reported.
 */
function typosFirst(issues: readonly Issue[], decoded: Partial<Record<ConfigKey, unknown>>): Issue[] {
    const missingMeant = new Set<string>();
    for (const issue of issues) {
        if (issue.code !== "unrecognized_keys") continue;
        const [key, ...path] = issue.path;
        for (const k of issue.keys) {
            const meant = meantKey(k, key, path);
            if (meant !== undefined) missingMeant.add(JSON.stringify([...issue.path, meant]));
        }
    }
    const folded = issues.filter(
        (i) => !(missingMeant.has(JSON.stringify(i.path)) && valueAt(decoded[i.path[0] as ConfigKey], i.path.slice(1)) === undefined),
    );
    return [...folded.filter((i) => i.code === "unrecognized_keys"), ...folded.filter((i) => i.code !== "unrecognized_keys")];
}

/** Issues of a string that fails a check (pattern, length, rule), as opposed to a value of the wrong type. */
const STRING_CHECKS = new Set<string>(["invalid_format", "too_small", "too_big", "custom"]);

/**
 * The values of a stack whose only problems were `secure:` values the offline plan cannot decrypt:
 * validated without them, then each put back where it was, so the plan shows the resources that
 * use it (a given role ARN, a KMS key) rather than the ones its absence would create. A secret
 * where no string belongs (a flag, a choice, a map) stays out, and its default applies.
 */
function withSecretsUnchecked(decoded: Partial<Record<ConfigKey, unknown>>, misplaced: readonly PropertyKey[][], file: string) {
    const secrets: PropertyKey[][] = [];
    const same = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length === b.length && a.every((p, i) => p === b[i]);
    const strip = (v: unknown, path: PropertyKey[]): unknown => {
        if (v === UNDECRYPTED_SECRET) {
            if (!misplaced.some((m) => same(m, path))) secrets.push(path);
            return undefined;
        }
        if (Array.isArray(v)) return v.map((x, i) => strip(x, [...path, i])).filter((x, i) => v[i] !== UNDECRYPTED_SECRET);
        if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x, [...path, k])]));
        return v;
    };
    const parsed = configSchema.safeParse(strip(decoded, []));
    if (!parsed.success) {
        throw new ConfigError(
            file,
            parsed.error.issues.map((i) => ({
                path: isConfigKey(i.path[0]) ? keyPath(i.path[0], i.path.slice(1)) : String(i.path[0]),
                message: "is a secure: value the offline plan cannot decrypt, and this key needs it; check this stack with pulumi preview",
            })),
        );
    }
    for (const path of secrets) {
        let target: unknown = parsed.data;
        for (const [i, part] of path.entries()) {
            if (typeof target !== "object" || target === null) break;
            if (i === path.length - 1) {
                if (Array.isArray(target) && typeof part === "number") target.splice(part, 0, UNDECRYPTED_SECRET);
                else Reflect.set(target, part, UNDECRYPTED_SECRET);
            } else target = Reflect.get(target, part);
        }
    }
    return parsed.data;
}
