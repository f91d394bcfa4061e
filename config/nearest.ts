// The name a misspelt one most likely meant, for "did you mean" hints.
import { distance } from "fastest-levenshtein";

/** The candidate a name most likely misspells: at most two edits, and under half the name. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
    const lower = name.toLowerCase();
    const best = candidates.map((c) => ({ c, d: distance(lower, c.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
    return best && best.d <= 2 && best.d < name.length / 2 ? best.c : undefined;
}
