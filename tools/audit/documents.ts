// Reading the files the offline audit accepts: a `pulumi stack export` or the plan's `--json`.
//
// The file may come from any machine and any stack: written by PowerShell (UTF-16 or a UTF-8 byte
// order mark), cut short by a full disk, of a stack that was never deployed, or of another program
// whose resources the pack has no rules for. Each case is recognised here and said so, instead of
// a parse error or an audit that passes because it checked nothing.

import type { AuditResource } from "./engine";
import { TYPES } from "@patch-manager/ssm";
import { nameFromUrn, stackNameFromUrn } from "../../policies/util";

export interface AuditDocument {
    format: "stack-export" | "plan";
    resources: AuditResource[];
    stackName?: string;
    projectName?: string;
    /**
     * Set when the document holds nothing the pack could check (no resources, or only the stack and
     * its providers): the message says so and why. A CI gate must not pass on it unnoticed.
     */
    empty?: string;
}

/** The file is not one the audit understands; the message says why. */
export class AuditDocumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AuditDocumentError";
    }
}

/** How to get a stack export the audit reads, whatever shell wrote the last one. */
export const REEXPORT =
    "re-export it with `pulumi stack export --stack <name> --file state.json` (the CLI writes the file itself, as UTF-8, " +
    "whatever the shell; `> state.json` in Windows PowerShell 5 writes UTF-16)";

function isObject(v: unknown): v is Record<string, any> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

// ------------------------------------------------------------------------------------------------
// Bytes → text
// ------------------------------------------------------------------------------------------------

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** The first byte offset at which `bytes` stop being UTF-8 (WHATWG's decoder says only that they do). */
function firstInvalidUtf8(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
        const b = bytes[i];
        const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
        if (n < 0) return i;
        if (n > 0) {
            try {
                new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + n + 1));
            } catch {
                return i;
            }
        }
        i += n + 1;
    }
    return -1;
}

/**
 * The text of a JSON file as the tools that write one produce it: UTF-8 with or without a byte
 * order mark (PowerShell 7, `Out-File -Encoding utf8`), UTF-16 LE or BE with one (Windows
 * PowerShell 5's `>` and `Out-File`). Anything else is refused with what it looks like and how to
 * write a readable one (`fix`), rather than read as garbage.
 */
export function decodeJsonBytes(bytes: Uint8Array, what: string, fix: string = REEXPORT): string {
    const refuse = (problem: string) =>
        new AuditDocumentError(`${what} ${problem}; the audit reads UTF-8 or UTF-16 with a byte order mark: ${fix}`);
    const starts = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
    if (bytes.length === 0) {
        throw new AuditDocumentError(`${what} is empty (0 bytes): whatever wrote it failed or was interrupted; ${fix}`);
    }
    // UTF-32 first: its little-endian mark begins with UTF-16 LE's.
    if (starts(0xff, 0xfe, 0x00, 0x00) || starts(0x00, 0x00, 0xfe, 0xff)) throw refuse("is UTF-32 (its byte order mark says so)");
    if (starts(0xef, 0xbb, 0xbf)) return utf8(bytes.subarray(3), 3, refuse);
    for (const [mark, label] of [
        [[0xff, 0xfe], "utf-16le"],
        [[0xfe, 0xff], "utf-16be"],
    ] as const) {
        if (!starts(...mark)) continue;
        const name = label === "utf-16le" ? "UTF-16 LE" : "UTF-16 BE";
        if (bytes.length % 2 !== 0) throw refuse(`is ${name} but has an odd number of bytes (${bytes.length}): it was cut short`);
        try {
            return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
        } catch {
            throw refuse(
                `is ${name} (byte order mark ${mark.map(hex).join(" ")}) but holds an unpaired surrogate, which no UTF-16 text has`,
            );
        }
    }
    // JSON starts with an ASCII character: a zero byte beside it is UTF-16 without its mark.
    if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0)
        throw refuse("looks like UTF-16 LE without a byte order mark (every other byte is zero)");
    if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] !== 0)
        throw refuse("looks like UTF-16 BE without a byte order mark (every other byte is zero)");
    return utf8(bytes, 0, refuse);
}

function utf8(bytes: Uint8Array, offset: number, refuse: (problem: string) => Error): string {
    try {
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
        const at = firstInvalidUtf8(bytes);
        const shown = Array.from(bytes.subarray(at, at + 4), hex).join(" ");
        throw refuse(
            `is not UTF-8: the bytes ${shown} at offset ${at + offset} are not valid UTF-8 ` +
                "(a file saved in a legacy code page such as Windows-1252, e.g. by `Out-File -Encoding Default`, looks like this)",
        );
    }
}

/** `line 3, column 14` of a character offset into `text`. */
function lineAndColumn(text: string, offset: number): string {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/**
 * The JSON value of a file's text (`fix`: how to write a good one). A parse error names where it happened, and one at the end of
 * the text (an interrupted `pulumi stack export > file`, a full disk) says that the file is cut short.
 */
export function parseJsonText(text: string, what: string, fix: string = REEXPORT): unknown {
    try {
        return JSON.parse(text);
    } catch (e) {
        const message = (e as Error).message;
        const position = /at position (\d+)/.exec(message)?.[1];
        const offset = position === undefined ? undefined : Number(position);
        const end = text.trimEnd().length;
        if (/Unexpected end of JSON input/.test(message) || (offset !== undefined && offset >= end)) {
            throw new AuditDocumentError(
                `${what} is not valid JSON: it ends at ${lineAndColumn(text, end)} before the JSON does ` +
                    `(a file cut short, e.g. by an interrupted export or a full disk); ${fix}`,
            );
        }
        const where = offset === undefined ? "" : ` (${lineAndColumn(text, offset)})`;
        throw new AuditDocumentError(
            `${what} is not valid JSON: ${message}${where}; expected a \`pulumi stack export\` document or the plan's --json output`,
        );
    }
}

// ------------------------------------------------------------------------------------------------
// JSON → resources
// ------------------------------------------------------------------------------------------------

/** `urn:pulumi:<stack>::<project>::...` → the project. */
function projectFromUrn(urn: string | undefined): string | undefined {
    const parts = (urn ?? "").split("::");
    return parts.length >= 4 ? parts[1] : undefined;
}

const RESOURCE_SHAPE = 'each resource is an object with a "urn" (urn:pulumi:<stack>::<project>::<type>::<name>) and a "type"';

function toResource(raw: unknown, index: number, where: string, withOutputs: boolean): AuditResource {
    if (!isObject(raw)) {
        throw new AuditDocumentError(
            `${where}[${index}] is ${raw === null ? "null" : Array.isArray(raw) ? "a list" : `a ${typeof raw}`}; ${RESOURCE_SHAPE}`,
        );
    }
    const { urn, type } = raw;
    if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) {
        throw new AuditDocumentError(`${where}[${index}] has no urn (got ${JSON.stringify(urn) ?? "nothing"}); ${RESOURCE_SHAPE}`);
    }
    if (typeof type !== "string" || type === "") {
        throw new AuditDocumentError(
            `${where}[${index}] (${urn}) has no type (got ${JSON.stringify(type) ?? "nothing"}); ${RESOURCE_SHAPE}`,
        );
    }
    // A plan may carry the inputs after the provider's Check (auto-names, `__defaults`): that is what
    // a real preview hands the policies. A stack export's inputs are already the checked ones.
    const inputs = isObject(raw.checkedInputs) ? raw.checkedInputs : isObject(raw.inputs) ? raw.inputs : {};
    const resource: AuditResource = {
        urn,
        type,
        name: typeof raw.name === "string" && raw.name !== "" ? raw.name : nameFromUrn(urn),
        custom: raw.custom === true,
        inputs,
    };
    if (typeof raw.id === "string" && raw.id !== "") resource.id = raw.id;
    if (typeof raw.parent === "string" && raw.parent !== "") resource.parent = raw.parent;
    if (withOutputs && isObject(raw.outputs)) resource.outputs = raw.outputs;
    if (Array.isArray(raw.dependencies)) resource.dependencies = raw.dependencies.filter((d: unknown) => typeof d === "string");
    if (isObject(raw.propertyDependencies)) {
        // Property → the URNs it depends on; an entry of another shape relates nothing.
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(raw.propertyDependencies).map(([k, v]) => [k, Array.isArray(v) ? v.filter((d) => typeof d === "string") : []]),
        );
    }
    if (raw.protect === true) resource.protect = true;
    if (raw.deleteBeforeReplace === true) resource.deleteBeforeReplace = true;
    // The state and the plan both name them so; the hybrid rules check the activation code is one.
    if (Array.isArray(raw.additionalSecretOutputs)) {
        resource.additionalSecretOutputs = raw.additionalSecretOutputs.filter((o: unknown) => typeof o === "string");
    }
    if (typeof raw.provider === "string" && raw.provider !== "") resource.provider = raw.provider;
    // Read with `.get`: kept, so stack rules relate it (a task's target, a window), but not analysed.
    if (raw.external === true) resource.external = true;
    return resource;
}

/** Resources that are the stack itself or its providers: a document of only these checks nothing. */
const isScaffolding = (r: AuditResource) => r.type === TYPES.stack || r.type.startsWith("pulumi:providers:");

/** Why the document holds nothing to check, or undefined when it holds something. */
function emptyReason(resources: AuditResource[], why: string): string | undefined {
    if (resources.some((r) => !isScaffolding(r))) return undefined;
    const held = resources.length === 0 ? "" : ` (it holds only ${resources.map((r) => r.type).join(", ")})`;
    return `no resources: nothing was checked${held}. ${why}`;
}

/** Recognizes and reads either document; throws AuditDocumentError for anything else. */
export function parseAuditDocument(doc: unknown): AuditDocument {
    if (!isObject(doc)) {
        throw new AuditDocumentError(
            `expected a JSON object, got ${doc === null ? "null" : Array.isArray(doc) ? "a list" : `a ${typeof doc}`}: ` +
                'a `pulumi stack export` document ({"version":3,"deployment":{"resources":[...]}}) or the plan\'s --json output',
        );
    }
    if (isObject(doc.deployment) || "deployment" in doc) {
        if (doc.version !== undefined && doc.version !== 3) {
            throw new AuditDocumentError(
                `unsupported stack export version ${JSON.stringify(doc.version)}: the audit reads version 3, what \`pulumi stack export\` writes`,
            );
        }
        if (!isObject(doc.deployment)) {
            throw new AuditDocumentError(
                `the stack export's deployment is ${JSON.stringify(doc.deployment)}, not an object ({"manifest":...,"resources":[...]})`,
            );
        }
        // `pulumi stack export` leaves `resources` out when the stack has none.
        const missing = doc.deployment.resources === undefined || doc.deployment.resources === null;
        const raw = missing ? [] : doc.deployment.resources;
        if (!Array.isArray(raw)) {
            throw new AuditDocumentError(
                `the stack export's deployment.resources is ${JSON.stringify(raw).slice(0, 60)}, not a list of resources`,
            );
        }
        const resources = raw
            // Resources pending deletion (replaced, or left by a failed update) are not part of the stack.
            .filter((r: unknown) => !(isObject(r) && r.delete === true))
            .map((r: unknown, i: number) => toResource(r, i, "deployment.resources", true));
        const anchor = resources.find((r) => r.type === TYPES.stack)?.urn ?? resources[0]?.urn;
        const empty = missing
            ? "no resources: nothing was checked. The stack export's deployment has no resources list: the stack was never " +
              "deployed or has been destroyed, or the file is not a whole export."
            : emptyReason(resources, "The stack was never deployed or has been destroyed, or the export step wrote another stack.");
        return {
            format: "stack-export",
            resources,
            stackName: stackNameFromUrn(anchor),
            projectName: projectFromUrn(anchor),
            ...(empty !== undefined ? { empty } : {}),
        };
    }
    if (Array.isArray(doc.resources)) {
        const resources = doc.resources.map((r: unknown, i: number) => toResource(r, i, "resources", false));
        const anchor = resources[0]?.urn;
        const empty = emptyReason(resources, "The plan registered no resources.");
        return {
            format: "plan",
            resources,
            stackName: typeof doc.stack === "string" ? doc.stack : stackNameFromUrn(anchor),
            projectName: typeof doc.project === "string" ? doc.project : projectFromUrn(anchor),
            ...(empty !== undefined ? { empty } : {}),
        };
    }
    throw new AuditDocumentError(
        'unknown document: expected a `pulumi stack export` ({"version":3,"deployment":{"resources":[...]}}) ' +
            'or the plan\'s --json output ({"project","stack","resources":[...]})' +
            (Object.keys(doc).length > 0
                ? `; this one has ${Object.keys(doc)
                      .slice(0, 5)
                      .map((k) => JSON.stringify(k))
                      .join(", ")}`
                : ""),
    );
}

// ------------------------------------------------------------------------------------------------
// What the pack cannot judge
// ------------------------------------------------------------------------------------------------

/** A resource the audit kept but no rule judged, and why: a reader must not take silence for compliance. */
export interface NotChecked {
    urn: string;
    type: string;
    /** `external`: read with `.get`; `unknown-type`: a patching resource of a type the pack has no rules for. */
    kind: "external" | "unknown-type";
    reason: string;
}

const PACK_DIALECT = "the pack's rules match the aws provider's type tokens (aws:ssm/maintenanceWindowTask:..., aws:iam/role:Role)";
const KNOWN_TYPES = new Set<string>(Object.values(TYPES));

/** Why a resource of this type looks like patching the pack cannot see, or undefined when it does not. */
function unknownPatchingType(r: AuditResource): string | undefined {
    const { type } = r;
    if (KNOWN_TYPES.has(type)) return undefined;
    if (/^aws-native:(ssm|ssmquicksetup|iam):/i.test(type)) {
        return `an AWS Cloud Control (aws-native) resource: ${PACK_DIALECT}, so no rule sees it`;
    }
    if (/^AWS::(SSM|SSMQuickSetup|IAM)::/i.test(type)) {
        return `a CloudFormation resource type: ${PACK_DIALECT}, so no rule sees it`;
    }
    if (/^aws:ssmquicksetup\//.test(type)) {
        return "a Quick Setup configuration (e.g. a patch policy): it makes its own windows, baselines and roles outside the stack, and the pack has no rule for it";
    }
    if (/^aws:ssm\/[^:]*(patch|maintenancewindow)/i.test(type)) {
        return "an SSM patching type the pack has no rule for";
    }
    if (/^aws:cloudformation\/stack(Set)?:|^aws-native:cloudformation:Stack(Set)?$/.test(type)) {
        const body = r.inputs.templateBody;
        if (typeof body === "string" && !/AWS::(SSM|IAM)::/.test(body)) return undefined;
        return typeof body === "string"
            ? "a CloudFormation stack whose template declares SSM or IAM resources: the pack does not read templates"
            : "a CloudFormation stack whose template is not in the document (templateUrl): any SSM or IAM resources in it are not checked";
    }
    return undefined;
}

/**
 * The resources the audit kept but could not judge: those read with `.get` (resource rules skip
 * them, as `pulumi preview` does; stack rules still relate them) and patching resources of types
 * the pack has no rules for.
 */
export function notChecked(resources: readonly AuditResource[]): NotChecked[] {
    const out: NotChecked[] = [];
    for (const r of resources) {
        if (r.external === true) {
            out.push({
                urn: r.urn,
                type: r.type,
                kind: "external",
                reason: "read with .get (external: true): resource rules do not analyse it, as in `pulumi preview`; stack rules still see it",
            });
            continue;
        }
        const reason = unknownPatchingType(r);
        if (reason !== undefined) out.push({ urn: r.urn, type: r.type, kind: "unknown-type", reason });
    }
    return out;
}
