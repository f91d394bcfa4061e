import { PROJECT } from "./project";

/** One problem with the config: where, and what is valid instead. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

/** What marks a ConfigError of any copy of this module. */
const CONFIG_ERROR = Symbol.for("patch-manager.ConfigError");

/** Thrown before any resource is registered; Pulumi prints a RunError's message without a stack trace. */
export class ConfigError extends Error {
    readonly __pulumiRunError = true;
    readonly hideStack = true;
    constructor(
        readonly file: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${file}:\n` +
                problems.map((p) => `  ${file}: ${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
    /**
     * The program runs from its compiled bundle (boot.js) while the offline tools load the config
     * modules from source, so a ConfigError the program throws is another copy of this class: a
     * ConfigError is one whatever copy made it, a subclass still only its own instances.
     */
    static [Symbol.hasInstance](value: unknown): boolean {
        if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
        return (
            this === ConfigError && typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[CONFIG_ERROR] === true
        );
    }
    readonly [CONFIG_ERROR] = true;
    /** One line per problem: "<file>: <key path>: <what is wrong and what is valid>". */
    lines(): string[] {
        return this.problems.map((p) => `${this.file}: ${p.path}: ${p.message}`);
    }
}

/**
 * A value of the stack file as a message quotes it: as JSON (a string in quotes, a map as a map),
 * a number JSON cannot hold (1e400 reads as Infinity) as JavaScript writes it, and a value that is
 * not there as "(not set)": never `undefined`, `[object Object]`, or a `null` the file does not hold.
 */
export function shown(value: unknown): string {
    if (value === undefined) return "(not set)";
    if (typeof value === "bigint") return `${value}n`;
    try {
        const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
        return typeof value === "number" && !Number.isFinite(value) ? String(value) : (json ?? Object.prototype.toString.call(value));
    } catch {
        return Object.prototype.toString.call(value);
    }
}

/** A key path as users write it in the stack file: `patch-manager:patchGroups[2].schedule.cron`. */
export function keyPath(key: string, path: ReadonlyArray<PropertyKey> = []): string {
    let out = `${PROJECT}:${key}`;
    for (const part of path) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    return out;
}
