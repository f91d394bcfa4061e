// The facts fixture (tests/facts/awsFacts.json): what AWS does, with the source each value was read
// from. Tests take AWS's values from here, never from the program's own constants.
import fixture from "./awsFacts.json";

export interface Fact {
    id: string;
    value: unknown;
    source: string;
    quote: string;
    checked: "retrieved" | "secondary";
    /** For a secondary fact: why the primary text could not be read, and what settles it. */
    secondaryBecause?: string;
    /** AWS's sample event, for EventBridge facts. */
    sample?: Record<string, unknown>;
}

export const FACTS: readonly Fact[] = fixture.facts as Fact[];

/** One fact by id; a missing id is a test failure naming the id. */
export function fact(id: string): Fact {
    const f = FACTS.find((x) => x.id === id);
    if (!f) throw new Error(`tests/facts/awsFacts.json has no fact "${id}"`);
    return f;
}

/** A deep copy of a fact's sample event with some fields replaced (`detail` merged). */
export function sampleEvent(id: string, changes: { detail?: Record<string, unknown>; [k: string]: unknown } = {}): Record<string, any> {
    const sample = fact(id).sample;
    if (!sample) throw new Error(`fact "${id}" has no sample event`);
    const copy = JSON.parse(JSON.stringify(sample));
    const { detail, ...rest } = changes;
    return { ...copy, ...rest, detail: { ...copy.detail, ...(detail ?? {}) } };
}
