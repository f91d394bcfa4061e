// The Pulumi CLI passes every config value as a string: lists and maps JSON-encoded, booleans as
// "true"/"false", numbers as their digits. This turns each back into the value the YAML held.
import { ConfigProblem, keyPath } from "./errors";
import { ConfigKey } from "./keys";

type Encoding = "text" | "json" | "number" | "boolean";

/** How the CLI encodes each key's value. */
const ENCODING: Record<ConfigKey, Encoding> = {
    environment: "text",
    window: "text",
    timezone: "text",
    operation: "text",
    rateControl: "json",
    approveAfterDays: "number",
    patchGroupTagKey: "text",
    patchGroups: "json",
    baselines: "json",
    maintenanceWindowRoleArn: "text",
    cutoffBehavior: "text",
    logging: "json",
    tags: "json",
    alerts: "json",
    compliance: "json",
    deniedApplications: "json",
    safeStops: "json",
    privateEndpoints: "json",
    regions: "json",
    centralLogBucket: "boolean",
    keepSingleRegionNames: "boolean",
};

/** The value of `key` as the stack file wrote it, or the problem that keeps it from being read. */
export function decodeValue(key: ConfigKey, text: string): { value: unknown } | { problem: ConfigProblem } {
    switch (ENCODING[key]) {
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
                        message: `must be ${ENCODING[key] === "number" ? "a number" : "a YAML list or map"}, got ${JSON.stringify(text)}`,
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
