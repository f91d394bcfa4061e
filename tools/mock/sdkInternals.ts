// The offline runtime's reaches into @pulumi/pulumi beyond its public API, each in one place,
// with a test that fails loudly when the SDK changes underneath (tests/sdkInternals.test.ts).
import * as pulumi from "@pulumi/pulumi";

/** The SDK modules the mock runtime requires by path. */
export const SDK_MODULES = {
    debuggable: "@pulumi/pulumi/runtime/debuggable",
    rpc: "@pulumi/pulumi/runtime/rpc",
    settings: "@pulumi/pulumi/runtime/settings",
    resourceProto: "@pulumi/pulumi/proto/resource_pb.js",
} as const;

/** The SDK's (de)serialisation of resource properties over the monitor protocol. */
export function sdkRpc(): { deserializeProperties: (s: unknown) => any; serializeProperties: (label: string, v: unknown) => Promise<any> } {
    return require(SDK_MODULES.rpc);
}

/** The resource monitor's protocol messages, and google-protobuf's Struct as the SDK itself resolves it (it may be nested under @pulumi/pulumi). */
export function sdkProtos(): { resproto: any; structproto: any } {
    return {
        resproto: require(SDK_MODULES.resourceProto),
        structproto: require(
            require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [require.resolve("@pulumi/pulumi")] }),
        ),
    };
}

/**
 * google-protobuf's Struct as the SDK resolves it, and its own `fromJavaScript` (plainStructs
 * puts another in its place during an evaluation).
 */
const STRUCT: { Struct: any; fromJavaScript: (values: unknown) => any } = (() => {
    const { Struct } = sdkProtos().structproto;
    return { Struct, fromJavaScript: Struct.fromJavaScript };
})();

/**
 * A google-protobuf Struct of `values` that is built only when something reads it as protobuf.
 * Under the offline runtime, every Struct the SDK makes (a registration's properties, an
 * invoke's arguments) and every one the monitor answers with is read back with `toJavaScript`
 * (runtime/rpc `deserializeProperties`): building one walks every value into protobuf messages
 * and reading it walks them out again. This one keeps a copy of the values as that round trip
 * gives them (a fresh copy, each object's keys in the Struct's sorted order) and hands it to the
 * first `toJavaScript`. Any other read (`toJavaScript` again, `getFieldsMap`, through which
 * `toObject`, `serializeBinary` and the other generated accessors go) builds the real Struct from
 * `values` and answers from it: the caller must not change `values` after the call (the SDK and
 * the monitor make them for the call). Values that are not plain JSON (undefined, an object of
 * another prototype or of none, a key "__proto__", nesting deeper than MAX_DEPTH) get a real
 * Struct at once, with its conversions, errors and quirks. Not supported: reads of the message's
 * backing array (`toArray`, `cloneMessage`, `jspb.Message.clone`, `copyInto`, `equals`, of this
 * struct or of a message holding it), which see an empty Struct; nothing in the SDK or the
 * project makes them (tests/sdkInternals.test.ts checks both, and holds the rest to
 * google-protobuf's answers).
 */
export function plainStruct(values: unknown): any {
    // google-protobuf reads an object's keys with for...in, which also lists any key a package
    // added to Object.prototype: then only its own Struct answers as it would.
    for (const _inherited in {}) return realStruct(values);
    const copy = plainJson(values, 0);
    if (copy === NOT_PLAIN || copy === null || typeof copy !== "object" || Array.isArray(copy)) return realStruct(values);
    const struct = new STRUCT.Struct();
    let real: any;
    let handed: any = copy;
    struct.getFieldsMap = (noLazyCreate?: boolean) => (real ??= realStruct(values)).getFieldsMap(noLazyCreate);
    struct.toJavaScript = () => {
        if (real !== undefined || handed === undefined) return (real ??= realStruct(values)).toJavaScript();
        const first = handed;
        handed = undefined;
        return first;
    };
    return struct;
}

/** google-protobuf's own Struct of `values`, every Struct nested in it real too (its Values call the swapped function). */
function realStruct(values: unknown): any {
    const swapped = STRUCT.Struct.fromJavaScript;
    STRUCT.Struct.fromJavaScript = STRUCT.fromJavaScript;
    try {
        return STRUCT.fromJavaScript(values);
    } finally {
        STRUCT.Struct.fromJavaScript = swapped;
    }
}

/**
 * Runs an evaluation with google-protobuf's `Struct.fromJavaScript` giving plain structs
 * (plainStruct), for the SDK's requests and the stock mock monitor's answers alike; the
 * library's own again once no evaluation is under way. An evaluation that never settles leaves it
 * in place for the rest of the process, as it leaves the skipped traces (skipSdkTraces): only a
 * read of a message's backing array would notice.
 */
export function plainStructs<T>(evaluate: () => Promise<T>): Promise<T> {
    return during(
        STRUCTS,
        () => {
            STRUCT.Struct.fromJavaScript = plainStruct;
            return () => {
                STRUCT.Struct.fromJavaScript = STRUCT.fromJavaScript;
            };
        },
        evaluate,
    );
}

const STRUCTS: Swapped = { depth: 0 };

/** How many evaluations a replacement is in place for, and how to put back what it replaced. */
interface Swapped {
    depth: number;
    restore?: () => void;
}

/**
 * Runs `evaluate` with `install`'s replacements in place: nested runs share them, and the last to
 * end puts back what was there, also when `evaluate` throws before it returns a promise.
 */
function during<T>(swapped: Swapped, install: () => () => void, evaluate: () => Promise<T>): Promise<T> {
    if (swapped.depth === 0) swapped.restore = install();
    swapped.depth++;
    let pending: Promise<T>;
    try {
        pending = evaluate();
    } catch (e) {
        pending = Promise.reject(e);
    }
    return pending.finally(() => {
        if (--swapped.depth === 0) swapped.restore?.();
    });
}

const NOT_PLAIN: unique symbol = Symbol("not plain JSON");

/** Deeper values are left to google-protobuf, whose own recursion decides (a RangeError at some depth). */
const MAX_DEPTH = 500;

/** A deep copy of JSON data with each object's keys sorted as a Struct's map gives them, or NOT_PLAIN. */
function plainJson(value: unknown, depth: number): any {
    if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
    if (typeof value !== "object" || depth > MAX_DEPTH) return NOT_PLAIN;
    if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
        const out = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
            // A hole reads as undefined, which is not plain.
            const v = plainJson(value[i], depth + 1);
            if (v === NOT_PLAIN) return NOT_PLAIN;
            out[i] = v;
        }
        return out;
    }
    // An object of no prototype goes through google-protobuf's type checks by its keys ("length",
    // "splice", "call"), which may call methods it lacks.
    if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
    const keys = Object.keys(value).sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        // google-protobuf's map keeps its entries in a plain object, where this key sets the
        // prototype instead (the entry is lost, and later keys may be read through it).
        if (key === "__proto__") return NOT_PLAIN;
        const v = plainJson((value as Record<string, unknown>)[key], depth + 1);
        if (v === NOT_PLAIN) return NOT_PLAIN;
        out[key] = v;
    }
    return out;
}

/** The mock runtime's monitor, whose methods the offline runtime replaces to record what the engine would. */
export function sdkMonitor(): any {
    return (pulumi.runtime as any).getMonitor();
}

/** Waits until every registration the program started has reached the monitor. */
export function waitForRPCs(): Promise<void> {
    return require(SDK_MODULES.settings).waitForRPCs();
}

/**
 * The SDK takes a stack trace for every promise it makes (`debuggablePromise`, kept only for the
 * leak report at exit) and every resource it registers (`Resource.callsites`, with an unlimited
 * depth, for the source position the engine shows). Capturing and formatting those traces is most
 * of an evaluation's CPU, and the mock runtime reads neither: during an evaluation the promise is
 * used as it is and a registration carries no source position; afterwards both are the SDK's own
 * again (for whatever else runs in the process). Where the SDK no longer has these members, or
 * no longer lets the module be required, nothing changes but speed. Errors the program throws
 * keep their traces.
 */
export function skipSdkTraces<T>(evaluate: () => Promise<T>): Promise<T> {
    const { debuggable, promise, callsites } = SDK_TRACES;
    const resource = pulumi.Resource as unknown as { callsites?: unknown };
    return during(
        UNTRACED,
        () => {
            if (debuggable && typeof promise === "function") debuggable.debuggablePromise = <P>(p: Promise<P>) => p;
            if (typeof callsites === "function") resource.callsites = () => [];
            return () => {
                if (debuggable && typeof promise === "function") debuggable.debuggablePromise = promise;
                if (typeof callsites === "function") resource.callsites = callsites;
            };
        },
        evaluate,
    );
}

/** Evaluations under way (the SDK's members are put back when none is), and those members as the SDK has them. */
const UNTRACED: Swapped = { depth: 0 };
export const SDK_TRACES = ((): { debuggable?: { debuggablePromise?: unknown }; promise?: unknown; callsites?: unknown } => {
    const callsites = (pulumi.Resource as unknown as { callsites?: unknown }).callsites;
    try {
        const debuggable = require(SDK_MODULES.debuggable);
        return { debuggable, promise: debuggable.debuggablePromise, callsites };
    } catch {
        return { callsites };
    }
})();
