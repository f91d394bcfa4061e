// Which stacks a project directory holds, and the nearest one to a name that is not among them.
import * as fs from "fs";
import { distance } from "fastest-levenshtein";
import { EXAMPLE_MARKER } from "../ci/ciStacks";
import { stackFiles } from "../fleet";
import { displayPath } from "./userPath";

export interface StackFile {
    stack: string;
    file: string;
    /** Marked `# ci: example`: a stack to learn from, not a fleet to patch. */
    example: boolean;
}

/** Every `Pulumi.<stack>.yaml` of `dir`, sorted by name, each marked example or not. */
export function projectStacks(dir: string): StackFile[] {
    return stackFiles(dir).map((s) => ({ ...s, example: EXAMPLE_MARKER.test(fs.readFileSync(s.file, "utf8")) }));
}

/**
 * The stack a mistyped name most likely meant: one the name starts (or is started by), else
 * the closest by edit distance when at most half the name differs (`production` → `prod`).
 */
export function nearestStack(name: string, stacks: readonly string[]): string | undefined {
    const lower = name.toLowerCase();
    const prefixed = stacks.filter((s) => lower.startsWith(s.toLowerCase()) || s.toLowerCase().startsWith(lower));
    if (prefixed.length > 0) return [...prefixed].sort((a, b) => distance(lower, a) - distance(lower, b))[0];
    const scored = stacks.map((s) => ({ s, d: distance(lower, s.toLowerCase()) })).sort((a, b) => a.d - b.d);
    return scored.length > 0 && scored[0].d <= Math.ceil(Math.max(name.length, scored[0].s.length) / 2) ? scored[0].s : undefined;
}

/** What to say when `--stack <name>` has no stack file: the stacks there are, and the nearest. */
export function unknownStackLines(name: string, dir: string, file: string): string[] {
    const stacks = projectStacks(dir);
    if (stacks.length === 0) return [`${displayPath(file)}: no such stack file, and ${displayPath(dir)} has no Pulumi.<stack>.yaml at all`];
    const nearest = nearestStack(
        name,
        stacks.map((s) => s.stack),
    );
    const listed = stacks.map((s) => `${s.stack}${s.example ? " (example)" : ""}`).join(", ");
    return [
        `--stack ${name}: there is no ${displayPath(file)}.${nearest ? ` Did you mean --stack ${nearest}?` : ""}`,
        `  stacks ${displayPath(dir) === "." ? "here" : `in ${displayPath(dir)}`}: ${listed} (or --config <file> for a stack file elsewhere)`,
    ];
}
