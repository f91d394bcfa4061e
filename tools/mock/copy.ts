// A copy of a kept evaluation for each caller (tools/mock/mockProgram.ts evaluateProgram): what
// structuredClone gives, made faster for what an evaluation is made of. structuredClone writes
// every value out and reads it back, the bytes of every string among them (a plan's runbooks are
// tens of kilobytes each): about 17 ms for prod-private's evaluation the first time in a process.
// Strings cannot change, so the copy shares them and copies only the objects and arrays around
// them: about 2 ms. Libraries that copy this way (klona, rfdc) copy an object met twice twice
// and stop at no cycle, where structuredClone keeps one copy of it.

import { types } from "node:util";

/**
 * A deep copy as `structuredClone(value)` makes it: a value made only of plain objects, arrays
 * and primitives is copied here, each object once however often it is met (cycles and shared
 * parts stay so); a value holding anything else (a Date, a Map, a class's instance, a proxy, an
 * array with holes or keys of its own, a function, a symbol) is left whole to structuredClone, so
 * that what it shares with the plain parts stays shared and what it refuses is refused (a getter
 * met before such a part is then read twice).
 */
export function copyOf<T>(value: T): T {
    try {
        return copyValue(value, new Map()) as T;
    } catch (error) {
        if (error === NOT_PLAIN) return structuredClone(value);
        throw error;
    }
}

const OBJECT_TAG = Object.prototype.toString;

/** Thrown (and caught by copyOf) at the first part copyValue does not copy itself. */
const NOT_PLAIN = Symbol("not plain");

function copyValue(value: unknown, copies: Map<object, unknown>): unknown {
    if (typeof value === "function" || typeof value === "symbol") throw NOT_PLAIN;
    if (value === null || typeof value !== "object") return value;
    const known = copies.get(value);
    if (known !== undefined) return known;
    if (types.isProxy(value)) throw NOT_PLAIN;
    if (Array.isArray(value)) {
        if (!isPlainArray(value)) throw NOT_PLAIN;
        const copy: unknown[] = new Array(value.length);
        copies.set(value, copy);
        for (let i = 0; i < value.length; i++) copy[i] = copyValue(value[i], copies);
        return copy;
    }
    const proto = Object.getPrototypeOf(value);
    // An object of Object's prototype may still be exotic (arguments, a Date given another prototype).
    if ((proto !== Object.prototype && proto !== null) || OBJECT_TAG.call(value) !== "[object Object]") throw NOT_PLAIN;
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

/** An array as JSON makes one: Array's prototype, every index there, no keys but its indices. */
function isPlainArray(value: unknown[]): boolean {
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.keys(value).length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!(i in value)) return false;
    return true;
}
