// Each reach into @pulumi/pulumi beyond its public API lives in one module; this test fails
// loudly when the SDK changes underneath (a renamed module or member would otherwise go quiet:
// every setting secret, or the offline runtime slower or wrong).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { CONFIG_MODULE, isSecretConfig } from "../components/sdkInternals";
import { evaluateProgram } from "../tools/mock/mockProgram";
import { SDK_MODULES, SDK_TRACES, plainStruct, plainStructs, sdkProtos, sdkRpc } from "../tools/mock/sdkInternals";

/** google-protobuf's own Struct.fromJavaScript, as this file loads (no evaluation under way). */
const ORIGINAL_FROM_JAVASCRIPT: (values: unknown) => any = sdkProtos().structproto.Struct.fromJavaScript;

const SDK_VERSION = (require("@pulumi/pulumi/package.json") as { version: string }).version;

describe(`SDK internals the code relies on (@pulumi/pulumi ${SDK_VERSION})`, function () {
    it(`the program: ${CONFIG_MODULE} tells the secret keys apart`, function () {
        assert.equal(typeof require(CONFIG_MODULE).isConfigSecret, "function", `${CONFIG_MODULE}.isConfigSecret is gone`);
        pulumi.runtime.setAllConfig({ "aws:profile": "ops", "aws:secretKey": "s3cr3t" }, ["aws:secretKey"]);
        assert.equal(isSecretConfig("aws:secretKey"), true);
        assert.equal(isSecretConfig("aws:profile"), false);
    });

    it("the offline runtime: every SDK module it requires by path loads, with the members it uses", function () {
        const members: Record<keyof typeof SDK_MODULES, string[]> = {
            debuggable: ["debuggablePromise"],
            rpc: ["serializeProperties", "deserializeProperties"],
            settings: ["waitForRPCs"],
            resourceProto: ["RegisterResourceResponse", "ReadResourceResponse"],
        };
        for (const [name, path] of Object.entries(SDK_MODULES)) {
            const mod = require(path);
            for (const member of members[name as keyof typeof SDK_MODULES])
                assert.equal(typeof mod[member], "function", `${path}: ${member} is gone`);
        }
        assert.equal(typeof sdkRpc().serializeProperties, "function");
        assert.equal(typeof sdkProtos().structproto.Struct.fromJavaScript, "function", "google-protobuf's Struct as the SDK resolves it");
    });

    it("the offline runtime: the trace hooks it swaps out during an evaluation exist (else evaluations slow down several times)", function () {
        assert.equal(typeof SDK_TRACES.promise, "function", "runtime/debuggable.debuggablePromise");
        assert.equal(typeof SDK_TRACES.callsites, "function", "Resource.callsites");
    });

    it("the offline runtime: the SDK reads the Structs of an evaluation through toJavaScript, so plainStruct builds none", async function () {
        // Were the SDK to read them another way, the outputs would still be right (plainStruct
        // builds the real Struct then) but every Struct would be built: this counts them.
        const { structproto } = sdkProtos();
        const proto = structproto.Struct.prototype;
        const own = proto.getFieldsMap;
        let built = 0;
        proto.getFieldsMap = function (this: unknown, ...args: unknown[]) {
            built++;
            return own.apply(this, args);
        };
        try {
            const r = await evaluateProgram({
                stack: "answer",
                config: { values: { "aws:region": "eu-west-1" }, secretKeys: [] },
                program: () => {
                    const region = aws.getRegionOutput().region;
                    const w = new aws.ssm.MaintenanceWindow("w", {
                        name: region.apply((r) => `w-${r}`),
                        schedule: "cron(0 6 ? * SAT *)",
                        duration: 2,
                        cutoff: 1,
                        tags: { Team: "ops", Env: "test" },
                    });
                    // Neither is an input: each comes from the monitor's answer alone.
                    return { enabled: w.enabled, region: w.region, name: w.name };
                },
            });
            assert.deepEqual(r.outputs, { enabled: true, region: "eu-west-1", name: "w-eu-west-1" });
            assert.deepEqual(r.resources.find((x) => x.type === "aws:ssm/maintenanceWindow:MaintenanceWindow")?.inputs.tags, {
                Env: "test",
                Team: "ops",
            });
        } finally {
            proto.getFieldsMap = own;
        }
        assert.equal(built, 0, "Structs built during the evaluation");
    });
});

describe("plainStruct: the values a real Struct's round trip gives", function () {
    const { structproto } = sdkProtos();
    /** What google-protobuf gives back for `values`, or its error's message. */
    const roundTrip = (values: unknown) => {
        try {
            return { value: structproto.Struct.fromJavaScript(values).toJavaScript() };
        } catch (e) {
            return { error: (e as Error).message };
        }
    };
    const answer = (values: unknown) => {
        try {
            return { value: plainStruct(values).toJavaScript() };
        } catch (e) {
            return { error: (e as Error).message };
        }
    };
    /** Deep equality that also tells key order, -0 from 0 and an own "__proto__" key apart. */
    const same = (a: unknown, b: unknown): boolean => {
        if (Object.is(a, b)) return true;
        if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
        if (Array.isArray(a) !== Array.isArray(b)) return false;
        // An object whose "__proto__" key was assigned has that value as its prototype, in both.
        const [pa, pb] = [Object.getPrototypeOf(a), Object.getPrototypeOf(b)];
        if (pa !== pb && (pa === Object.prototype || pb === Object.prototype || !same(pa, pb))) return false;
        const ka = Reflect.ownKeys(a);
        const kb = Reflect.ownKeys(b);
        return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as any)[k], (b as any)[k]));
    };
    const agrees = (values: unknown) => {
        const want = roundTrip(values);
        const got = answer(values);
        assert.ok(
            "error" in want ? got.error === want.error : "value" in got && same(got.value, want.value),
            `${JSON.stringify(got)} !== ${JSON.stringify(want)}`,
        );
    };

    it("gives JSON data back as the round trip does: a copy, each object's keys in the Struct's order", function () {
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (values) => agrees(values)),
            { numRuns: 500 },
        );
        // Keys of every kind of string, integer-like ones among them.
        fc.assert(
            fc.property(
                fc.dictionary(fc.oneof(fc.string({ unit: "binary" }), fc.nat().map(String), fc.constant("__proto__")), fc.integer()),
                (v) => agrees(v),
            ),
            { numRuns: 500 },
        );
    });

    it("takes a real Struct's conversions and errors for values that are not plain JSON", function () {
        class Point {
            x = 1;
        }
        const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
        const others: unknown[] = [undefined, NaN, Infinity, -Infinity, -0, new Date(0), new Point(), sparse, () => 1, Symbol("s"), 1n];
        for (const other of others) {
            agrees({ a: other });
            agrees({ nested: { list: ["x", other] } });
        }
        agrees(Object.create(null, { k: { value: "v", enumerable: true } }));
        // Not an object at the top; an object with inherited keys; one of no prototype that looks
        // like an array to google-protobuf's type check; nesting deeper than google-protobuf goes.
        for (const top of [[1, "x"], "xy", 3, null]) agrees(top);
        agrees({ o: Object.create({ inherited: 1 }) });
        agrees({ o: Object.assign(Object.create(null), { length: 0, splice: 1, propertyIsEnumerable: 2 }) });
        let deep: unknown = 1;
        for (let i = 0; i < 5000; i++) deep = { d: deep };
        agrees({ deep });
        // A key some package added to Object.prototype, which google-protobuf's for...in lists.
        Object.defineProperty(Object.prototype, "polluted", { value: "yes", enumerable: true, configurable: true });
        try {
            agrees({ a: { b: 1 } });
            assert.equal(answer({ a: { b: 1 } }).error, roundTrip({ a: { b: 1 } }).error);
        } finally {
            delete (Object.prototype as Record<string, unknown>).polluted;
        }
        // An own "__proto__" key (JSON.parse makes one), which google-protobuf's map loses.
        agrees(JSON.parse('{"a":{"__proto__":null}}'));
        agrees(JSON.parse('{"a":[{"__proto__":{"value":1},"value":2,"key":3}],"__proto__":[1]}'));
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.anything({ withNullPrototype: true, withObjectString: true })), (v) => agrees(v)),
            { numRuns: 300 },
        );
    });

    it("gives each read its own copy, as a real Struct does", function () {
        const values = { a: { b: [1, { c: "d" }] } };
        const struct = plainStruct(values);
        const first = struct.toJavaScript();
        first.a.b.push("changed by the first reader");
        const second = struct.toJavaScript();
        assert.deepEqual(second, values);
        assert.notEqual(second.a, values.a);
        assert.deepEqual(struct.toJavaScript(), values);
        assert.notEqual(struct.toJavaScript(), second);
    });

    it("answers toObject and serializeBinary as the real Struct does, and reads back what is set through its map", async function () {
        const check = (values: Record<string, unknown>) => {
            const real = ORIGINAL_FROM_JAVASCRIPT(values);
            assert.deepEqual(plainStruct(values).toObject(), real.toObject());
            assert.deepEqual([...plainStruct(values).serializeBinary()], [...real.serializeBinary()]);
            assert.ok(plainStruct(values) instanceof structproto.Struct);
        };
        fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), check), { numRuns: 200 });
        // The same during an evaluation, when the Structs nested in a real one are made by plainStruct.
        await plainStructs(async () => fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), check), { numRuns: 100 }));
        const struct = plainStruct({ a: 1 });
        struct.getFieldsMap().set("b", structproto.Value.fromJavaScript("two"));
        assert.deepEqual(struct.toJavaScript(), { a: 1, b: "two" });
        assert.deepEqual(structproto.Struct.deserializeBinary(struct.serializeBinary()).toJavaScript(), { a: 1, b: "two" });
    });

    it("builds the real Structs it falls back to real all the way down, also during an evaluation", async function () {
        const jspb = require(require.resolve("google-protobuf", { paths: [require.resolve("@pulumi/pulumi")] }));
        const values = { when: new Date(0), nested: { list: [{ a: 1 }], b: "c" } };
        const expected = ORIGINAL_FROM_JAVASCRIPT(values);
        await plainStructs(async () => {
            const struct = plainStruct(values);
            // A Struct's array is what cloneMessage and equals read: an empty one would show here.
            assert.deepEqual(jspb.Message.clone(struct).toJavaScript(), { nested: { b: "c", list: [{ a: 1 }] }, when: {} });
            assert.ok(jspb.Message.equals(struct, expected));
        });
    });

    it("is not read through a message's backing array anywhere in the SDK or the project (such reads see an empty Struct)", function () {
        const arrayReads = /\b(cloneMessage|clone|copyInto|equals|toArray)\(/;
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        const root = path.join(__dirname, "..");
        const sdkFiles = listFiles(
            sdk,
            (f) => f.endsWith(".js") && !/(^|[\\/])(proto|vendor|node_modules)[\\/]/.test(path.relative(sdk, f)),
        );
        // The project's files that handle protobuf messages themselves.
        const ownFiles = ["components", "config", "tools", "policies", "packages", "org", "boot"]
            .flatMap((d) => listFiles(path.join(root, d), (f) => /\.(ts|js)$/.test(f) && !f.includes(`${path.sep}node_modules${path.sep}`)))
            .concat(path.join(root, "index.ts"))
            .filter((f) => /google-protobuf|_pb["']/.test(fs.readFileSync(f, "utf8")));
        for (const reader of ["rpc", "resource", "invoke", "mocks"])
            assert.ok(sdkFiles.includes(path.join(sdk, "runtime", `${reader}.js`)), `runtime/${reader}.js read`);
        assert.deepEqual(
            ownFiles.map((f) => path.relative(root, f)),
            ["tools/mock/sdkInternals.ts", "tools/pack/analyzerClient.ts"],
        );
        const readers = [...sdkFiles, ...ownFiles].filter((f) => arrayReads.test(fs.readFileSync(f, "utf8")));
        assert.deepEqual(readers, []);
    });

    it("stands in for Struct.fromJavaScript during an evaluation only, nested ones included", async function () {
        const own = structproto.Struct.fromJavaScript;
        assert.equal(own, ORIGINAL_FROM_JAVASCRIPT, "google-protobuf's own before any evaluation");
        assert.notEqual(own, plainStruct);
        const seen: unknown[] = [];
        await plainStructs(async () => {
            seen.push(structproto.Struct.fromJavaScript);
            await plainStructs(async () => seen.push(structproto.Struct.fromJavaScript));
            seen.push(structproto.Struct.fromJavaScript);
        });
        assert.deepEqual(seen, [plainStruct, plainStruct, plainStruct]);
        assert.equal(structproto.Struct.fromJavaScript, own);
        await assert.rejects(
            plainStructs(async () => {
                throw new Error("failed");
            }),
            /failed/,
        );
        assert.equal(structproto.Struct.fromJavaScript, own, "put back after a failed evaluation too");
        await assert.rejects(
            plainStructs((): Promise<void> => {
                throw new Error("failed before it returned a promise");
            }),
            /before it returned/,
        );
        assert.equal(structproto.Struct.fromJavaScript, own, "and after one that threw at once");
    });
});

/** Every file below `dir` that `keep` keeps. */
function listFiles(dir: string, keep: (file: string) => boolean): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
        .filter(keep);
}
