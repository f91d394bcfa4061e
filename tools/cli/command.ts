// Parsing, help and "did you mean" for the offline tools come from commander: one place that
// knows every option, its argument and its description, so `--help` cannot fall behind the
// parser. The tools run in-process in tests, so nothing here calls process.exit.
import { Command, CommanderError } from "commander";

export interface CommandIO {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export const processIO: CommandIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

/** A finished parse: either the options, or the exit code of help (0) or a bad argument (2). */
export type Parsed<T> = { ok: true; options: T; args: string[] } | { ok: false; code: number };

/**
 * A command for one of the offline tools: `-h`/`--help` exit 0, an unknown option or a missing
 * argument exits 2 (the tools' exit code for bad arguments, docs/offline-tools.md) with
 * commander's suggestion and a pointer to the help. `prefix` starts every error line, as the
 * tool's own errors do.
 */
export function toolCommand(name: string, io: CommandIO, prefix = ""): Command {
    return new Command()
        .name(name)
        .exitOverride()
        .configureOutput({
            writeOut: io.stdout,
            writeErr: io.stderr,
            outputError: (str, write) => write(`${prefix}${str.replace(/^error: /, "")}`),
        })
        .showHelpAfterError(`(${name} --help lists every option, with examples)`)
        .helpOption("-h, --help", "show this help and exit");
}

/** Parses `argv` (without node and the script); help and commander's own errors become an exit code. */
export function parseCommand<T>(command: Command, argv: string[]): Parsed<T> {
    try {
        command.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) {
            return { ok: false, code: e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.exitCode === 0 ? 0 : 2 };
        }
        throw e;
    }
    return { ok: true, options: command.opts<T & Record<string, unknown>>(), args: command.args };
}

/** The examples section of a tool's help: each a comment line and the command. */
export function examples(list: readonly (readonly [string, string])[]): string {
    return `\nExamples:\n${list.map(([what, cmd]) => `  # ${what}\n  ${cmd}`).join("\n")}\n`;
}

/** Whether the plan's arguments name another project (the plan hands those to org/tools/projectPlan's mainProject). */
export function namesProject(argv: readonly string[]): boolean {
    return argv.some((a) => a === "--project" || a.startsWith("--project="));
}
