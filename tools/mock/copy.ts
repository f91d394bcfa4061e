// A copy of a kept evaluation for each caller (tools/mock/mockProgram.ts evaluateProgram): what
// structuredClone gives, made faster for what an evaluation is made of. structuredClone writes
// every value out and reads it back, the bytes of every string among them (a plan's runbooks are
// tens of kilobytes each): about 17 ms for prod-private's evaluation the first time in a process.
// Strings cannot change, so the copy shares them and copies only the objects and arrays around
// them: about 2 ms. Libraries that copy this way (klona, rfdc) copy an object met twice twice
// and stop at no cycle, where structuredClone keeps one copy of it.

/**
 * A deep copy as `structuredClone(value)` makes it: plain objects and arrays are copied here, each
 * object once however often it is met (cycles and shared parts stay so), anything else (a Date,
 * a Map, a class's instance, an array with holes or keys of its own) by structuredClone itself,
 * which also refuses what it refuses (a function, a symbol).
 */
export function copyOf<T>(value: T): T {
    return copyValue(value, new Map()) as T;
}

function copyValue(value: unknown, copies: Map<object, unknown>): unknown {
    if (typeof value === "function" || typeof value === "symbol") return structuredClone(value); // throws, as structuredClone does
    if (value === null || typeof value !== "object") return value;
    const known = copies.get(value);
    if (known !== undefined) return known;
    if (isPlainArray(value)) {
        const copy: unknown[] = new Array(value.length);
        copies.set(value, copy);
        for (let i = 0; i < value.length; i++) copy[i] = copyValue(value[i], copies);
        return copy;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
        const copy = structuredClone(value);
        copies.set(value, copy);
        return copy;
    }
    const copy: Record<string, unknown> = {};
    copies.set(value, copy);
    for (const key of Object.keys(value)) {
        const v = copyValue((value as Record<string, unknown>)[key], copies);
        // `__proto__` as a key of its own stays one (an assignment would set the copy's prototype).
        if (key === "__proto__") Object.defineProperty(copy, key, { value: v, enumerable: true, writable: true, configurable: true });
        else copy[key] = v;
    }
    return copy;
}

/** An array as JSON makes one: no holes, no keys but its indices. */
function isPlainArray(value: object): value is unknown[] {
    return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && Object.keys(value).length === value.length;
}
