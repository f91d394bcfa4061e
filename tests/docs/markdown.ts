// The project's Markdown as the doc tests read it: which files are docs, their fenced code
// blocks with the prose just before each, and their relative links.
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** README.md, docs/*.md and the policy pack's README, relative to the project root. */
export function docFiles(): string[] {
    const docs = fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`);
    return ["README.md", ...docs, "policies/README.md"];
}

export interface CodeBlock {
    file: string;
    /** 1-based line of the opening fence. */
    line: number;
    lang: string;
    lines: string[];
    /** The paragraph of prose right before the block (what it promises about the commands). */
    before: string;
}

export function codeBlocks(file: string, text = fs.readFileSync(path.join(ROOT, file), "utf8")): CodeBlock[] {
    const lines = text.split("\n");
    const blocks: CodeBlock[] = [];
    let prose: string[] = [];
    let ended = false;
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[i]);
        if (!open) {
            // The last paragraph before the block: a blank line ends it, the next prose line starts another.
            if (lines[i].trim() === "") ended = true;
            else {
                if (ended) prose = [];
                ended = false;
                prose.push(lines[i].trim());
            }
            continue;
        }
        const [, indent, fence, lang] = open;
        const body: string[] = [];
        let j = i + 1;
        while (j < lines.length && !lines[j].trimStart().startsWith(fence)) body.push(lines[j++].slice(indent.length));
        blocks.push({ file, line: i + 1, lang, lines: body, before: prose.join(" ") });
        prose = [];
        ended = false;
        i = j;
    }
    return blocks;
}

/** Markdown links and images outside code: `[text](target)`, with the line they are on. */
export function links(file: string): { line: number; target: string }[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const out: { line: number; target: string }[] = [];
    let fenced = false;
    text.split("\n").forEach((l, i) => {
        if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
        if (fenced) return;
        const prose = l.replace(/`[^`]*`/g, "");
        for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line: i + 1, target: m[1] });
    });
    return out;
}
