// EventBridge's pattern matching, as its user guide describes it (fact eventbridge-pattern-semantics):
// every field of the pattern must be in the event; a list matches when the event's value (or one of
// the event's list values) equals one of its values or meets one of its content filters; objects
// match field by field. Content filters handled: prefix, suffix, anything-but, exists, numeric,
// equals-ignore-case. No npm library does this offline (EventBridge's own TestEventPattern is an
// API call; aws/event-ruler is Java), so this is small and tested against AWS's sample events.

type Json = unknown;

function leafMatches(rule: Json, value: Json): boolean {
    if (rule === null || typeof rule !== "object") return rule === value;
    const r = rule as Record<string, any>;
    if ("prefix" in r) return typeof value === "string" && value.startsWith(r.prefix);
    if ("suffix" in r) return typeof value === "string" && value.endsWith(r.suffix);
    if ("equals-ignore-case" in r)
        return typeof value === "string" && value.toLowerCase() === String(r["equals-ignore-case"]).toLowerCase();
    if ("anything-but" in r) {
        const but = r["anything-but"];
        if (but !== null && typeof but === "object" && !Array.isArray(but)) return !leafMatches(but, value);
        return value !== undefined && ![but].flat().includes(value);
    }
    if ("numeric" in r) {
        if (typeof value !== "number") return false;
        const ops: any[] = r.numeric;
        for (let i = 0; i < ops.length; i += 2) {
            const [op, n] = [ops[i], ops[i + 1]];
            const ok = { "<": value < n, "<=": value <= n, "=": value === n, ">": value > n, ">=": value >= n }[op as "<"];
            if (!ok) return false;
        }
        return true;
    }
    throw new Error(`eventPattern: unsupported content filter ${JSON.stringify(rule)}`);
}

/** Does `event` match `pattern`? */
export function matches(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
    for (const [key, rule] of Object.entries(pattern)) {
        const value = event[key];
        if (Array.isArray(rule)) {
            const exists = rule.find((x) => x !== null && typeof x === "object" && "exists" in (x as object)) as
                { exists: boolean } | undefined;
            if (exists) {
                if (exists.exists !== (value !== undefined)) return false;
                continue;
            }
            if (value === undefined) return false;
            const values = Array.isArray(value) ? value : [value];
            if (!values.some((v) => rule.some((x) => leafMatches(x, v)))) return false;
        } else if (rule !== null && typeof rule === "object") {
            if (value === null || typeof value !== "object") return false;
            if (!matches(rule as Record<string, Json>, value as Record<string, Json>)) return false;
        } else {
            throw new Error(`eventPattern: ${key} must be a list or an object, got ${JSON.stringify(rule)}`);
        }
    }
    return true;
}
