// A stack file as the Pulumi CLI hands it to a program: every value a string, `secure:` values
// as opaque placeholders (the offline tools cannot decrypt them).
import * as fs from "fs";
import YAML from "yaml";
import { PROJECT } from "../../config/project";
import { UNDECRYPTED_SECRET } from "../../config/decode";
import { yamlErrorLines } from "../cli/yamlExcerpt";
import { displayPath } from "../cli/userPath";

/** A stack file's config as the Pulumi CLI hands it to a program: every value a string. */
export interface StackConfig {
    /** Full keys ("patch-manager:environment", "aws:region") to values. */
    values: Record<string, string>;
    /** Keys whose values are `secure:` (cannot be decrypted offline; passed as opaque placeholders). */
    secretKeys: string[];
}

export class StackFileError extends Error {}

/** Reads `Pulumi.<stack>.yaml` (or any file of that format). */
/**
 * The YAML document of a stack file's text. A process reads the same few files many times (the
 * plan, `--all`, the tests), so documents are kept by their text: the same text gives the same
 * document, which is only read here, never changed.
 */
function parsedYaml(text: string): unknown {
    const known = PARSED.get(text);
    if (known !== undefined) return known.doc;
    const doc: unknown = YAML.parse(text);
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value as string);
    PARSED.set(text, { doc });
    return doc;
}
const PARSED = new Map<string, { doc: unknown }>();
const PARSED_MAX = 64;

export function readStackFile(file: string, project: string = PROJECT): StackConfig {
    const label = displayPath(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new StackFileError(`${label}: cannot read the stack file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let doc: unknown;
    try {
        doc = parsedYaml(text);
    } catch (e) {
        throw new StackFileError(yamlErrorLines(label, text, e).join("\n"));
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${label}: "config" must be a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(config as Record<string, unknown>)) {
        // As in the CLI, a key without a namespace belongs to the project.
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        if (isSecure(value)) {
            secretKeys.push(key);
            values[key] = UNDECRYPTED_SECRET;
        } else {
            const { value: plain, secret } = withoutSecureValues(value);
            if (secret) secretKeys.push(key);
            values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        }
    }
    return { values, secretKeys };
}

/** `secure:` values inside a list or map (`pulumi config set --secret --path`), replaced by the placeholder. */
function withoutSecureValues(v: unknown): { value: unknown; secret: boolean } {
    if (isSecure(v)) return { value: UNDECRYPTED_SECRET, secret: true };
    if (Array.isArray(v)) {
        const items = v.map(withoutSecureValues);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof v === "object" && v !== null) {
        const entries = Object.entries(v).map(([k, x]) => [k, withoutSecureValues(x)] as const);
        return { value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])), secret: entries.some(([, x]) => x.secret) };
    }
    return { value: v, secret: false };
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** The `patch-manager:` keys without their namespace, as the program's parseConfig takes them. */
export function projectValues(config: StackConfig): Record<string, string> {
    const prefix = `${PROJECT}:`;
    return Object.fromEntries(
        Object.entries(config.values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}
