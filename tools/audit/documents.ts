// Reading the files the offline audit accepts: a `pulumi stack export` or the plan's `--json`.

import type { AuditResource } from "./engine";
import { TYPES, nameFromUrn, stackNameFromUrn } from "../../policies/util";

export interface AuditDocument {
    format: "stack-export" | "plan";
    resources: AuditResource[];
    stackName?: string;
    projectName?: string;
}

/** The file is not one the audit understands; the message says why. */
export class AuditDocumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AuditDocumentError";
    }
}

function isObject(v: unknown): v is Record<string, any> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `urn:pulumi:<stack>::<project>::...` → the project. */
function projectFromUrn(urn: string | undefined): string | undefined {
    const parts = (urn ?? "").split("::");
    return parts.length >= 4 ? parts[1] : undefined;
}

function toResource(raw: unknown, index: number, where: string, withOutputs: boolean): AuditResource {
    if (!isObject(raw)) {
        throw new AuditDocumentError(`${where}[${index}] is not an object`);
    }
    const { urn, type } = raw;
    if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) {
        throw new AuditDocumentError(`${where}[${index}] has no urn (got ${JSON.stringify(urn)})`);
    }
    if (typeof type !== "string" || type === "") {
        throw new AuditDocumentError(`${where}[${index}] (${urn}) has no type`);
    }
    const resource: AuditResource = {
        urn,
        type,
        name: typeof raw.name === "string" && raw.name !== "" ? raw.name : nameFromUrn(urn),
        custom: raw.custom === true,
        inputs: isObject(raw.inputs) ? raw.inputs : {},
    };
    if (typeof raw.id === "string" && raw.id !== "") resource.id = raw.id;
    if (typeof raw.parent === "string" && raw.parent !== "") resource.parent = raw.parent;
    if (withOutputs && isObject(raw.outputs)) resource.outputs = raw.outputs;
    if (Array.isArray(raw.dependencies)) resource.dependencies = raw.dependencies.filter((d: unknown) => typeof d === "string");
    if (isObject(raw.propertyDependencies)) resource.propertyDependencies = raw.propertyDependencies;
    if (raw.protect === true) resource.protect = true;
    if (raw.deleteBeforeReplace === true) resource.deleteBeforeReplace = true;
    // The state and the plan both name them so; the hybrid rules check the activation code is one.
    if (Array.isArray(raw.additionalSecretOutputs)) {
        resource.additionalSecretOutputs = raw.additionalSecretOutputs.filter((o: unknown) => typeof o === "string");
    }
    if (typeof raw.provider === "string" && raw.provider !== "") resource.provider = raw.provider;
    return resource;
}

/** Recognizes and reads either document; throws AuditDocumentError for anything else. */
export function parseAuditDocument(doc: unknown): AuditDocument {
    if (!isObject(doc)) {
        throw new AuditDocumentError("expected a JSON object: a `pulumi stack export` document or the plan's --json output");
    }
    if (isObject(doc.deployment) || "deployment" in doc) {
        if (doc.version !== undefined && doc.version !== 3) {
            throw new AuditDocumentError(`unsupported stack export version ${JSON.stringify(doc.version)} (expected 3)`);
        }
        if (!isObject(doc.deployment)) {
            throw new AuditDocumentError("the stack export's deployment is not an object");
        }
        const raw = doc.deployment.resources ?? [];
        if (!Array.isArray(raw)) {
            throw new AuditDocumentError("the stack export's deployment.resources is not a list");
        }
        const resources = raw
            // Resources pending deletion (replaced, or left by a failed update) are not part of the stack.
            .filter((r: unknown) => !(isObject(r) && r.delete === true))
            .map((r: unknown, i: number) => toResource(r, i, "deployment.resources", true));
        const anchor = resources.find((r) => r.type === TYPES.stack)?.urn ?? resources[0]?.urn;
        return { format: "stack-export", resources, stackName: stackNameFromUrn(anchor), projectName: projectFromUrn(anchor) };
    }
    if (Array.isArray(doc.resources)) {
        const resources = doc.resources.map((r: unknown, i: number) => toResource(r, i, "resources", false));
        const anchor = resources[0]?.urn;
        return {
            format: "plan",
            resources,
            stackName: typeof doc.stack === "string" ? doc.stack : stackNameFromUrn(anchor),
            projectName: typeof doc.project === "string" ? doc.project : projectFromUrn(anchor),
        };
    }
    throw new AuditDocumentError(
        'unknown document: expected a `pulumi stack export` ({"version":3,"deployment":{"resources":[...]}}) ' +
            'or the plan\'s --json output ({"project","stack","resources":[...]})',
    );
}
