// Validates an API request against botocore's input shapes (tests/facts/awsShapes.json): every
// required member, no unknown member, the types, enums, patterns and min/max ranges (lengths of
// strings, lists and maps; values of numbers). botocore's own ParamValidator checks required, type
// and min; the services check the rest, so a value the model forbids fails here before AWS sees it.
import extracts from "./awsShapes.json";

interface Shape {
    type: string;
    required?: string[];
    enum?: string[];
    pattern?: string;
    min?: number;
    max?: number;
    members?: Record<string, string>;
    member?: string;
    key?: string;
    value?: string;
}
interface Service {
    apiVersion: string;
    operations: Record<string, string>;
    shapes: Record<string, Shape>;
}

export const SERVICES = extracts.services as unknown as Record<string, Service>;

/** A pattern as JavaScript reads it; the models write ECMA-262 patterns, not implicitly anchored (Smithy `@pattern`). */
function regex(pattern: string): RegExp {
    try {
        return new RegExp(pattern, "u");
    } catch {
        return new RegExp(pattern);
    }
}

/** The problems of `value` as the input of `service`'s `operation`, each named by its member path. */
export function validateRequest(service: string, operation: string, value: unknown): string[] {
    const svc = SERVICES[service];
    if (!svc) return [`${service}: no extracted model (add it to tools/codegen/genAwsShapes.py)`];
    const input = svc.operations[operation];
    if (!input) return [`${service}.${operation}: not extracted (add it to tools/codegen/genAwsShapes.py)`];
    const problems: string[] = [];
    validate(svc, input, value, operation, problems);
    return problems;
}

/** The problems of `value` read as `service`'s shape `shapeName`. */
export function validateShape(service: string, shapeName: string, value: unknown, path = shapeName): string[] {
    const problems: string[] = [];
    validate(SERVICES[service], shapeName, value, path, problems);
    return problems;
}

function range(shape: Shape, n: number, what: string, path: string, out: string[]) {
    if (shape.min !== undefined && n < shape.min) out.push(`${path}: ${what} ${n} is below the minimum ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) out.push(`${path}: ${what} ${n} is above the maximum ${shape.max}`);
}

function validate(svc: Service, name: string, value: unknown, path: string, out: string[]): void {
    const shape = svc.shapes[name];
    if (!shape) {
        out.push(`${path}: shape ${name} is not in the extracts`);
        return;
    }
    switch (shape.type) {
        case "structure": {
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                out.push(`${path}: expected a structure (${name}), got ${JSON.stringify(value)}`);
                return;
            }
            const v = value as Record<string, unknown>;
            for (const r of shape.required ?? []) if (v[r] === undefined) out.push(`${path}.${r}: required by ${name}`);
            for (const [k, child] of Object.entries(v)) {
                if (child === undefined) continue;
                const m = shape.members?.[k];
                if (!m) out.push(`${path}.${k}: ${name} has no member ${k} (members: ${Object.keys(shape.members ?? {}).join(", ")})`);
                else validate(svc, m, child, `${path}.${k}`, out);
            }
            return;
        }
        case "list":
            if (!Array.isArray(value)) {
                out.push(`${path}: expected a list (${name}), got ${JSON.stringify(value)}`);
                return;
            }
            range(shape, value.length, "list length", path, out);
            value.forEach((item, i) => validate(svc, shape.member!, item, `${path}[${i}]`, out));
            return;
        case "map":
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                out.push(`${path}: expected a map (${name}), got ${JSON.stringify(value)}`);
                return;
            }
            range(shape, Object.keys(value).length, "map size", path, out);
            for (const [k, child] of Object.entries(value)) {
                validate(svc, shape.key!, k, `${path} key ${JSON.stringify(k)}`, out);
                validate(svc, shape.value!, child, `${path}[${JSON.stringify(k)}]`, out);
            }
            return;
        case "string":
            if (typeof value !== "string") {
                out.push(`${path}: expected a string (${name}), got ${JSON.stringify(value)}`);
                return;
            }
            // Lengths count characters as the services do (UTF-16 code units would overcount astral ones).
            range(shape, [...value].length, "length", path, out);
            if (shape.enum && !shape.enum.includes(value))
                out.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(", ")}`);
            if (shape.pattern && !regex(shape.pattern).test(value))
                out.push(`${path}: ${JSON.stringify(value.slice(0, 80))} does not match ${name}'s pattern ${shape.pattern}`);
            return;
        case "integer":
        case "long":
            if (!Number.isInteger(value)) {
                out.push(`${path}: expected an integer (${name}), got ${JSON.stringify(value)}`);
                return;
            }
            range(shape, value as number, "value", path, out);
            return;
        case "double":
        case "float":
            if (typeof value !== "number") out.push(`${path}: expected a number (${name}), got ${JSON.stringify(value)}`);
            else range(shape, value, "value", path, out);
            return;
        case "boolean":
            if (typeof value !== "boolean") out.push(`${path}: expected a boolean (${name}), got ${JSON.stringify(value)}`);
            return;
        case "timestamp":
            if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
                out.push(`${path}: expected a timestamp (${name}), got ${JSON.stringify(value)}`);
            return;
        case "blob":
            if (typeof value !== "string") out.push(`${path}: expected a blob (${name}) as a string, got ${typeof value}`);
            return;
        default:
            out.push(`${path}: shape type ${shape.type} of ${name} is not validated`);
    }
}
