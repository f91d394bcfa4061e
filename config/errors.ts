import { PROJECT } from "./project";

/** One problem with the config: where, and what is valid instead. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

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
    /** One line per problem: "<file>: <key path>: <what is wrong and what is valid>". */
    lines(): string[] {
        return this.problems.map((p) => `${this.file}: ${p.path}: ${p.message}`);
    }
}

/** A key path as users write it in the stack file: `patch-manager:patchGroups[2].schedule.cron`. */
export function keyPath(key: string, path: ReadonlyArray<PropertyKey> = []): string {
    let out = `${PROJECT}:${key}`;
    for (const part of path) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    return out;
}
