// A YAML syntax error as a person can act on it: the problem, then the lines around it with
// their numbers and a caret under the spot. The `yaml` library's own message carries only one
// or two lines of context and no line numbers.
import { YAMLError } from "yaml";

/** Lines of context shown before the bad line. */
const BEFORE = 3;

/** `<label>: not valid YAML (<code>) at line L, column C: <problem>` and the excerpt. */
export function yamlErrorLines(label: string, text: string, error: unknown): string[] {
    if (!(error instanceof YAMLError) || !error.linePos) {
        return [`${label}: not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`];
    }
    const [start, end] = error.linePos;
    // The library's message is "<problem> at line L, column C:" and its own short excerpt.
    const problem = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const lines = text.split(/\r?\n/);
    const last = Math.min(lines.length, Math.max(start.line, end?.line ?? start.line));
    const first = Math.max(1, start.line - BEFORE);
    const width = String(last).length;
    const out = [`${label}:${start.line}:${start.col}: not valid YAML (${error.code}): ${problem}`, ""];
    for (let n = first; n <= last; n++) {
        out.push(`  ${String(n).padStart(width)} | ${lines[n - 1] ?? ""}`);
        if (n === start.line) {
            const span = end && end.line === start.line ? Math.max(1, end.col - start.col) : 1;
            out.push(`  ${" ".repeat(width)} | ${" ".repeat(start.col - 1)}${"^".repeat(span)}`);
        }
    }
    return out;
}
