// materialize reads policy props off the object @pulumi/policy's unknownCheckingProxy wraps: the
// same copy as reading every value through the proxy (what a rule would get key by key), checked
// against that reading on drawn values, sentinels and the proxy's own keys included.
import * as assert from "node:assert/strict";
import { isProxy } from "node:util/types";
import fc from "fast-check";
import { UNKNOWN, isUnknown, materialize } from "../../policies/util";

const { unknownCheckingProxy, unknownStringValue, unknownArrayValue, unknownObjectValue, unknownNumberValue } =
    require("@pulumi/policy/proxy") as {
        unknownCheckingProxy<T>(value: T): T;
        unknownStringValue: string;
        unknownArrayValue: string;
        unknownObjectValue: string;
        unknownNumberValue: string;
    };

/** The copy by reading through the proxy, key by key, an UnknownValueError read as UNKNOWN. */
function throughProxy(value: unknown): unknown {
    if (isUnknown(value)) return UNKNOWN;
    if (value === null || typeof value !== "object") return value;
    const read = (c: any, k: string | number) => {
        try {
            return c[k];
        } catch (e) {
            if (e instanceof Error && e.constructor.name === "UnknownValueError") return UNKNOWN;
            throw e;
        }
    };
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(throughProxy(read(value, i)));
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = throughProxy(read(value, k));
    return out;
}

const leaf = fc.oneof(
    fc.constantFrom(unknownStringValue, unknownArrayValue, unknownObjectValue, unknownNumberValue, null, true, ""),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }),
);
// The proxy answers these two keys itself at every depth.
const key = fc.oneof(fc.constantFrom("__isSpecialProxy", "__getSpecialProxyTarget", "name", "tags", "id"), fc.string());
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    ),
}));

describe("policies/util materialize", () => {
    it("copies proxied props exactly as reading them through the proxy does", () => {
        fc.assert(
            fc.property(value, (v) => {
                assert.deepStrictEqual(
                    materialize(unknownCheckingProxy(structuredClone(v))),
                    throughProxy(unknownCheckingProxy(structuredClone(v))),
                );
                assert.deepStrictEqual(materialize(structuredClone(v)), throughProxy(structuredClone(v)));
            }),
        );
    });

    it("reads a proxy inside proxied props, a function and an object behind a frozen property through the proxy too", () => {
        const frozen = Object.defineProperty({}, "held", {
            value: { __isSpecialProxy: "mine", deep: { __getSpecialProxyTarget: 1 } },
            enumerable: true,
            writable: false,
            configurable: false,
        });
        const inner = unknownCheckingProxy({ a: unknownStringValue, __isSpecialProxy: "own", b: [1, { c: 2 }] });
        const props = unknownCheckingProxy({ frozen, inner, list: [inner, frozen], n: 1 });
        assert.deepStrictEqual(materialize(props), throughProxy(props));
        const f = () => 1;
        const withFunction = materialize(unknownCheckingProxy({ f, nested: { f } }));
        const expected = throughProxy(unknownCheckingProxy({ f, nested: { f } })) as any;
        for (const [got, want] of [
            [withFunction.f, expected.f],
            [withFunction.nested.f, expected.nested.f],
        ]) {
            // Each read through the proxy wraps the function anew: the same kind of value, not the same object.
            assert.equal(typeof got, "function");
            assert.equal(isProxy(got), isProxy(want));
            assert.equal(got(), want());
        }
    });
});
