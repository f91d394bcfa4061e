// Each reach into @pulumi/pulumi beyond its public API lives in one module; this test fails
// loudly when the SDK changes underneath (a renamed module or member would otherwise go quiet:
// every setting secret, or the offline runtime slower or wrong).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_MODULE, isSecretConfig } from "../components/sdkInternals";
import { SDK_MODULES, SDK_TRACES, sdkProtos, sdkRpc } from "../tools/mock/sdkInternals";

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
});
