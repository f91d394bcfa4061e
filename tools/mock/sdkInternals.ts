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
 * The properties of the monitor's answer to a registration or a read, as the SDK reads them: a
 * google-protobuf Struct, of which the SDK calls only `toJavaScript` (runtime/rpc
 * `deserializeProperties`). A real Struct is built from the values and read back into new ones,
 * two walks of every value the SDK then walks again; this one hands the SDK the same values
 * as that round trip gives (a fresh copy, each object's keys in the Struct's sorted order) in
 * one walk. Values that are not plain JSON (undefined, an object of another prototype, a sparse
 * array) go through a real Struct as before, with its conversions and its errors. tests/sdkInternals.test.ts holds both to google-protobuf's answers
 * and that a registration still resolves its outputs through `toJavaScript`.
 */
export function answerStruct(structproto: any, values: Record<string, unknown>): any {
    const copy = plainJson(values);
    if (copy === NOT_PLAIN) return structproto.Struct.fromJavaScript(values);
    const struct = new structproto.Struct();
    let first = true;
    // The first read gets the copy made here; any later one a copy of its own, as a real Struct gives.
    struct.toJavaScript = () => {
        if (!first) return plainJson(values);
        first = false;
        return copy;
    };
    return struct;
}

const NOT_PLAIN: unique symbol = Symbol("not plain JSON");

/** A deep copy of JSON data with each object's keys sorted as a Struct's map gives them, or NOT_PLAIN. */
function plainJson(value: unknown): any {
    if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
    if (typeof value !== "object") return NOT_PLAIN;
    if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
        const out = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
            if (!(i in value)) return NOT_PLAIN;
            const v = plainJson(value[i]);
            if (v === NOT_PLAIN) return NOT_PLAIN;
            out[i] = v;
        }
        return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
    const keys = Object.keys(value).sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        const v = plainJson((value as Record<string, unknown>)[key]);
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
    if (untracedDepth++ === 0) {
        if (debuggable && typeof promise === "function") debuggable.debuggablePromise = <P>(p: Promise<P>) => p;
        if (typeof callsites === "function") resource.callsites = () => [];
    }
    return evaluate().finally(() => {
        if (--untracedDepth > 0) return;
        if (debuggable && typeof promise === "function") debuggable.debuggablePromise = promise;
        if (typeof callsites === "function") resource.callsites = callsites;
    });
}

/** Evaluations under way (the SDK's members are put back when none is), and those members as the SDK has them. */
let untracedDepth = 0;
export const SDK_TRACES = ((): { debuggable?: { debuggablePromise?: unknown }; promise?: unknown; callsites?: unknown } => {
    const callsites = (pulumi.Resource as unknown as { callsites?: unknown }).callsites;
    try {
        const debuggable = require(SDK_MODULES.debuggable);
        return { debuggable, promise: debuggable.debuggablePromise, callsites };
    } catch {
        return { callsites };
    }
})();
