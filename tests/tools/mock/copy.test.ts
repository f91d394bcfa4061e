// copyOf is structuredClone made faster for an evaluation's plain objects and arrays: compared with
// structuredClone on drawn values of every kind it meets (and those it leaves to structuredClone),
// on an object met twice and a cycle, and on a shipped stack's evaluation.
import * as assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { copyOf } from "../../../tools/mock/copy";
import { evaluateProgram } from "../../../tools/mock/mockProgram";
import { shippedConfig } from "../../helpers";

const values = fc.anything({
    key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "0", "length")),
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withBigInt: true,
    withBoxedValues: true,
    maxDepth: 4,
});

describe("tools/mock/copy copyOf", () => {
    it("copies any value as structuredClone does, sharing no object with it", () => {
        fc.assert(
            fc.property(values, (v) => {
                const copy = copyOf(v);
                assert.ok(isDeepStrictEqual(copy, structuredClone(v)), "the same as structuredClone's");
                assert.ok(v === null || typeof v !== "object" || copy !== v, "a new object");
                if (v !== null && typeof v === "object") assert.ok(isDeepStrictEqual(copyOf(copy), copy));
            }),
        );
    });

    it("keeps an object met twice as one copy, and a cycle as a cycle", () => {
        const shared: { n: number; self?: unknown } = { n: 1 };
        shared.self = shared;
        const value = { a: shared, list: [shared, { b: shared }], date: new Date(0) };
        const copy = copyOf(value);
        assert.notEqual(copy.a, shared);
        assert.equal(copy.list[0], copy.a);
        assert.equal((copy.list[1] as { b: unknown }).b, copy.a);
        assert.equal(copy.a.self, copy.a);
        assert.ok(copy.date instanceof Date && copy.date !== value.date);
        copy.a.n = 2;
        assert.equal(shared.n, 1);
    });

    it("an array with a hole and a key of its own, an object shared with a Map, arguments, a Date of another prototype, a proxy: as structuredClone has them", () => {
        const holey: unknown[] & { extra?: string } = [];
        holey[1] = "b";
        holey.extra = "x"; // as many keys as its length, one index missing
        const holeyCopy = copyOf({ holey }).holey;
        assert.equal(0 in holeyCopy, false);
        assert.equal(holeyCopy.extra, "x");
        assert.ok(isDeepStrictEqual(holeyCopy, structuredClone(holey)));

        const shared = { n: 1 };
        const copy = copyOf({ plain: shared, map: new Map([["k", shared]]) });
        assert.equal(copy.map.get("k"), copy.plain, "one copy of what the plain part and the Map share");
        assert.notEqual(copy.plain, shared);

        const args = (function (..._: number[]) {
            // eslint-disable-next-line prefer-rest-params -- the arguments object is what is tested
            return arguments;
        })(1, 2);
        assert.throws(() => structuredClone({ args }), { name: "DataCloneError" });
        assert.throws(() => copyOf({ args }), { name: "DataCloneError" });
        const date = Object.setPrototypeOf(new Date(0), Object.prototype);
        assert.ok(isDeepStrictEqual(copyOf({ date }), structuredClone({ date })));

        const proxied = { p: new Proxy({ a: 1 }, {}) };
        assert.throws(() => structuredClone(proxied), { name: "DataCloneError" });
        assert.throws(() => copyOf(proxied), { name: "DataCloneError" });
    });

    it("refuses what structuredClone refuses: a function, a symbol", () => {
        for (const bad of [{ f: () => 1 }, [Symbol("s")], () => 1]) {
            assert.throws(() => structuredClone(bad), { name: "DataCloneError" });
            assert.throws(() => copyOf(bad), { name: "DataCloneError" });
        }
    });

    it("a shipped stack's evaluation: the same copy as structuredClone's", async function () {
        const evaluation = await evaluateProgram({ stack: "prod-private", config: shippedConfig("prod-private") });
        assert.ok(isDeepStrictEqual(copyOf(evaluation), structuredClone(evaluation)));
        // Plain throughout: copied without structuredClone (whose copy of it is the slow one).
        const original = globalThis.structuredClone;
        let cloned = 0;
        globalThis.structuredClone = (v, o) => (cloned++, original(v, o));
        try {
            copyOf(evaluation);
        } finally {
            globalThis.structuredClone = original;
        }
        assert.equal(cloned, 0);
    });
});
