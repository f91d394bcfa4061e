// The offline commands the docs show, as a reader would type them: found in fenced shell
// blocks, split into the tool and its arguments, with the exit status the text promises.
import { CodeBlock } from "./markdown";

export type Tool = "plan" | "policy:audit";

export interface DocCommand {
    file: string;
    line: number;
    text: string;
    tool: Tool;
    args: string[];
    /** `> file`: the reader's shell writes stdout there. */
    stdoutTo?: string;
    /** The exit status the comment on the line, or the prose before the block, promises; 0 otherwise. */
    exit: number;
}

export interface SkippedCommand {
    file: string;
    line: number;
    text: string;
    reason: string;
}

const SHELL_LANGS = ["", "sh", "bash", "shell", "console"];
const OFFLINE = /\bnpm\s+run\s+(?:-s\s+)?(plan|policy:audit)\b/;

/** Splits a shell line into words (quotes respected) and the comment after an unquoted `#`. */
export function shellWords(line: string): { words: string[]; comment: string } {
    const words: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else word += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            word ??= "";
        } else if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else if (c === "#" && word === undefined) {
            return { words, comment: line.slice(i + 1).trim() };
        } else word = (word ?? "") + c;
    }
    if (word !== undefined) words.push(word);
    return { words, comment: "" };
}

/** "exits 1", "exit 1:", "exit `1`" in a comment or sentence. */
export function promisedExit(text: string): number | undefined {
    const m = /\bexits?\s*`?(\d)`?(?![\d%])/.exec(text);
    return m ? Number(m[1]) : undefined;
}

/**
 * The offline commands of one block. A line is joined with its `\` continuations; `&&` chains
 * are run part by part when every part is `npm ci` or an offline tool; anything else the reader
 * needs (the Pulumi CLI, a pipe into another program, a placeholder to fill in) is skipped with
 * the reason.
 */
export function blockCommands(block: CodeBlock): { commands: DocCommand[]; skipped: SkippedCommand[] } {
    const commands: DocCommand[] = [];
    const skipped: SkippedCommand[] = [];
    if (!SHELL_LANGS.includes(block.lang)) return { commands, skipped };
    const blockExit = promisedExit(block.before);
    for (let i = 0; i < block.lines.length; i++) {
        const line0 = i;
        let text = block.lines[i].replace(/^\s*\$\s+/, "");
        while (/\\\s*$/.test(text) && i + 1 < block.lines.length) text = `${text.replace(/\\\s*$/, " ")}${block.lines[++i].trim()}`;
        const at = { file: block.file, line: block.line + 1 + line0, text: text.trim() };
        const { words, comment } = shellWords(text);
        if (!OFFLINE.test(words.join(" "))) continue;
        const skip = (reason: string) => skipped.push({ ...at, reason });
        if (words.some((w) => /<[^>]+>/.test(w) || w.startsWith("[") || w.endsWith("]") || w.includes("..."))) {
            skip("a placeholder for the reader to fill in");
            continue;
        }
        if (words.includes("|")) {
            skip("piped into another program");
            continue;
        }
        const parts: string[][] = [[]];
        for (const w of words)
            if (w === "&&") parts.push([]);
            else parts[parts.length - 1].push(w);
        const runnable = parts.filter((p) => !(p[0] === "npm" && p[1] === "ci"));
        const foreign = runnable.find((p) => !OFFLINE.test(p.join(" ")));
        if (foreign) {
            skip(`needs \`${foreign.slice(0, 2).join(" ")}\`, which does not run offline`);
            continue;
        }
        for (const part of runnable) {
            const m = /^npm run (?:-s )?(plan|policy:audit)(?: --)?$/.exec(
                part.slice(0, part.indexOf("--") >= 0 ? part.indexOf("--") + 1 : 3).join(" "),
            );
            if (!m) {
                skip("an npm invocation the test does not understand");
                continue;
            }
            const rest = part.indexOf("--") >= 0 ? part.slice(part.indexOf("--") + 1) : [];
            const args: string[] = [];
            let stdoutTo: string | undefined;
            for (let k = 0; k < rest.length; k++) {
                if (rest[k] === ">") stdoutTo = rest[++k];
                else if (/^>\S/.test(rest[k])) stdoutTo = rest[k].slice(1);
                else if (/^2>/.test(rest[k])) k += rest[k] === "2>" ? 1 : 0;
                else args.push(rest[k]);
            }
            commands.push({
                ...at,
                tool: m[1] as Tool,
                args,
                ...(stdoutTo !== undefined ? { stdoutTo } : {}),
                exit: promisedExit(comment) ?? blockExit ?? 0,
            });
        }
    }
    return { commands, skipped };
}

/** Options whose value is a file the command writes; the test sends them to a temp dir. */
export const OUTPUT_OPTIONS = ["--out", "--ics", "--svg"];
/** Options whose value is a file the command reads; a file written by an earlier command is found there. */
export const INPUT_OPTIONS = ["--config", "--policy-pack-config", "--diff"];
