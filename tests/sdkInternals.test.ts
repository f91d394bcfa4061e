// Each reach into @pulumi/pulumi beyond its public API lives in one module; this test fails
// loudly when the SDK changes underneath (a renamed module or member would otherwise go quiet:
// every setting secret, or the offline runtime slower or wrong).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_MODULE, isSecretConfig } from "../components/sdkInternals";

const SDK_VERSION = (require("@pulumi/pulumi/package.json") as { version: string }).version;

describe(`SDK internals the code relies on (@pulumi/pulumi ${SDK_VERSION})`, function () {
    it(`the program: ${CONFIG_MODULE} tells the secret keys apart`, function () {
        assert.equal(typeof require(CONFIG_MODULE).isConfigSecret, "function", `${CONFIG_MODULE}.isConfigSecret is gone`);
        pulumi.runtime.setAllConfig({ "aws:profile": "ops", "aws:secretKey": "s3cr3t" }, ["aws:secretKey"]);
        assert.equal(isSecretConfig("aws:secretKey"), true);
        assert.equal(isSecretConfig("aws:profile"), false);
    });
});
