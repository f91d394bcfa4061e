import { strict as assert } from "assert";
import { slug, ssmName, taskLogPrefix } from "../../config/naming";

describe("naming", function () {
    it("slugs patch-group names into name parts", function () {
        assert.equal(slug("Web Server"), "web-server");
        assert.equal(slug("Windows2012"), "windows2012");
        assert.equal(slug("App: Tier/1 @eu"), "app-tier-1-eu");
        assert.equal(slug("Ünïcode Grüppe"), "unicode-gruppe");
    });

    it("SSM names stay within 3–128 characters of [a-zA-Z0-9_.-] and stay unique when cut", function () {
        const long1 = ssmName("patch-manager-prod", "x".repeat(200) + "a");
        const long2 = ssmName("patch-manager-prod", "x".repeat(200) + "b");
        for (const n of [long1, long2, ssmName("a")]) assert.match(n, /^[a-zA-Z0-9_\-.]{3,128}$/);
        assert.notEqual(long1, long2);
    });

    it("task log prefixes tell environment, group and operation apart", function () {
        assert.equal(taskLogPrefix("patching", "production", "Web Server", "Install"), "patching/production/web-server/install");
        assert.equal(taskLogPrefix("logs/ssm/", "test", "RHEL", "Scan"), "logs/ssm/test/rhel/scan");
    });
});
