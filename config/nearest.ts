// The name a misspelt one most likely meant, for "did you mean" hints.

/** The candidate a name most likely misspells: at most two edits, and under half the name. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
    // Loaded on the first misspelling: a config without one does not load it.
    const { distance } = require("fastest-levenshtein") as typeof import("fastest-levenshtein");
    const lower = name.toLowerCase();
    const best = candidates.map((c) => ({ c, d: distance(lower, c.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
    return best && best.d <= 2 && best.d < name.length / 2 ? best.c : undefined;
}
