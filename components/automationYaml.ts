import { Document } from "yaml";

// The YAML of an Automation document as `yaml`'s stringify writes it with components/runbooks.ts
// `automationContent`'s options (YAML 1.1, no aliases, no line folding), for the documents the
// program writes: maps, lists, numbers, booleans, nulls and strings, multi-line scripts among
// them. Written here because `yaml` builds a node tree for every value first, which took 10-60
// ms of every plan's few runbooks; anything outside what this writes the same (a key that needs
// quoting, control characters, a string a block cannot hold as it is, -0, undefined) is left to
// `yaml` whole: `undefined` is returned. tests/components/automationYaml.test.ts compares the two
// on every shipped runbook and on documents of any shape.

/** The YAML 1.1 schema's default tags' patterns, from `yaml` itself: a plain scalar matching one would read as another type. */
let otherTypes: RegExp[] | undefined;
/** The same patterns as one alternation (`oneOf`), or undefined. */
let anotherType: RegExp | undefined;
function readsAsAnotherType(text: string): boolean {
    if (otherTypes === undefined) {
        otherTypes = new Document(undefined, { version: "1.1" }).schema.tags
            .filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test instanceof RegExp)
            .map((t) => t.test as RegExp);
        anotherType = oneOf(otherTypes);
    }
    // One search instead of fourteen for every string a runbook holds.
    return anotherType !== undefined ? anotherType.test(text) : otherTypes.some((re) => re.test(text));
}

/**
 * One pattern that matches a string exactly when one of `patterns` does: `(?:A)|(?:B)|...`, each
 * alternative the pattern as it is (its own anchors), which V8 runs as one anchored search when
 * every alternative starts with `^`. Undefined for patterns with flags (a `g` or `y` keeps state)
 * or a back-reference (the groups are numbered anew): those are tried one by one.
 */
export function oneOf(patterns: readonly RegExp[]): RegExp | undefined {
    if (patterns.length === 0 || patterns.some((re) => re.flags !== "" || /\\(?:[1-9]|k<)/.test(re.source))) return undefined;
    try {
        return new RegExp(patterns.map((re) => `(?:${re.source})`).join("|"));
    } catch {
        return undefined; // e.g. two patterns naming the same group
    }
}

/** What `yaml` (stringifyString's plainString) refuses to write plain; from its own pattern. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Characters `yaml` always writes double-quoted with escapes (stringifyString). */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** A document marker at a line's start: `yaml` indents or quotes around it. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** Thrown inside the writer for a value it does not write as `yaml` would; caught by automationYaml. */
class NotWritten extends Error {}

/** A single-line string as `yaml` writes it: plain when it reads back as this string, else quoted. */
function line(s: string): string {
    // An empty string would read as null plain: quoted, as `yaml` quotes it.
    if (s === "") return '""';
    // `<<` is the merge key's value to `yaml`, whatever its place.
    if (CONTROL.test(s) || DOCUMENT_MARKER.test(s) || s === "<<") throw new NotWritten();
    if (!NOT_PLAIN.test(s) && !readsAsAnotherType(s)) return s;
    // quotedString: single quotes for a string with double quotes only, else double quotes (JSON's escapes, none special here).
    return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/** A multi-line string as a literal block (`|-`, or `|` for one final newline) whose lines start at `indent`. */
function block(s: string, indent: string): string {
    if (CONTROL.test(s) || DOCUMENT_MARKER.test(s) || /^[\n\t ]/.test(s)) throw new NotWritten();
    const body = s.replace(/[\n\t ]+$/, "");
    const end = s.slice(body.length);
    if (end !== "" && end !== "\n") throw new NotWritten();
    return `|${end === "" ? "-" : ""}\n${indent}${body.replace(/\n+/g, (m) => m + indent)}`;
}

/** A scalar after `key: ` or `- `, its block's lines (if it is one) at `indent`. */
function scalar(v: unknown, indent: string): string {
    if (v === null) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
        if (!Number.isFinite(v) || Object.is(v, -0)) throw new NotWritten();
        return JSON.stringify(v);
    }
    if (typeof v === "string") return v.includes("\n") ? block(v, indent) : line(v);
    throw new NotWritten();
}

/** What `yaml` would write otherwise: a value with its own toJSON (`yaml` writes what it returns) or iterator (a sequence). */
function special(v: object): boolean {
    return typeof (v as { toJSON?: unknown }).toJSON === "function" || Symbol.iterator in v;
}

function isMap(v: unknown): v is Record<string, unknown> {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    if (special(v)) throw new NotWritten();
    return true;
}

/** A plain array: another prototype, its own toJSON or iterator, and `yaml` writes something else. */
function isList(v: unknown): v is unknown[] {
    if (!Array.isArray(v)) return false;
    if (
        Object.getPrototypeOf(v) !== Array.prototype ||
        Object.prototype.hasOwnProperty.call(v, "toJSON") ||
        Object.prototype.hasOwnProperty.call(v, Symbol.iterator)
    )
        throw new NotWritten();
    return true;
}

/** A key as `yaml` writes it implicitly: only keys that are plain as they are. */
function key(k: string): string {
    if (k === "" || k === "<<" || k.length > 1000 || k.includes("\n") || CONTROL.test(k) || DOCUMENT_MARKER.test(k)) throw new NotWritten();
    if (NOT_PLAIN.test(k) || readsAsAnotherType(k)) throw new NotWritten();
    return k;
}

/** What follows `key:` (or `-`): ` value`, ` []`/` {}`, or the collection on the next lines at `indent`. */
function after(v: unknown, indent: string, dash: boolean): string {
    if (isList(v)) {
        if (v.length === 0) return " []";
        // A list in a list starts on the dash's line; in a map, on the next line.
        return dash ? ` ${list(v, indent, true)}` : `\n${list(v, indent, false)}`;
    }
    if (isMap(v)) {
        if (Object.keys(v).length === 0) return " {}";
        return dash ? ` ${map(v, indent, true)}` : `\n${map(v, indent, false)}`;
    }
    return ` ${scalar(v, indent)}`;
}

function map(m: Record<string, unknown>, indent: string, inline: boolean): string {
    return Object.entries(m)
        .map(([k, v], i) => {
            if (v === undefined) throw new NotWritten();
            return `${i === 0 && inline ? "" : indent}${key(k)}:${after(v, `${indent}  `, false)}`;
        })
        .join("\n");
}

function list(l: readonly unknown[], indent: string, inline: boolean): string {
    const out: string[] = [];
    for (let i = 0; i < l.length; i++) {
        if (!(i in l) || l[i] === undefined) throw new NotWritten();
        out.push(`${i === 0 && inline ? "" : indent}-${after(l[i], `${indent}  `, true)}`);
    }
    return out.join("\n");
}

/** The document's YAML as `yaml` would write it, or undefined when `yaml` is to write it. */
export function automationYaml(document: object): string | undefined {
    try {
        if (!isMap(document) || Object.keys(document).length === 0) return undefined;
        return `${map(document, "", false)}\n`;
    } catch (e) {
        if (e instanceof NotWritten) return undefined;
        throw e;
    }
}
