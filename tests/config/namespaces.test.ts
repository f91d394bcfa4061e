import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../config";
import { AWS_CONFIG_KEYS, AWS_REGIONS, namespaceProblems } from "../../config/namespaces";
import { evaluateProgram } from "../../tools/mock/mockProgram";
import { shippedConfig } from "../helpers";

const dev = () => ({ ...shippedConfig("dev").values });

/** The lines a whole stack's config is refused with, or [] when it is accepted. */
function refusal(all: Record<string, string>, env?: Record<string, string>): string[] {
    try {
        parseStackConfig(all, "t", "Pulumi.t.yaml", "patch-manager", env ? { env } : {});
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.lines();
    }
}

describe("config: the stack file's other namespaces", function () {
    it("takes its lists from the provider package itself", function () {
        for (const key of ["region", "allowedAccountIds", "profile", "defaultTags", "skipRegionValidation"])
            assert.ok(AWS_CONFIG_KEYS.includes(key), key);
        for (const region of ["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1"]) assert.ok(AWS_REGIONS.includes(region), region);
        assert.ok(!AWS_REGIONS.includes("eu-west-9"));
    });

    it("accepts every shipped stack", function () {
        for (const stack of ["dev", "prod", "prod-hybrid", "prod-private"])
            assert.deepEqual(refusal(shippedConfig(stack).values), [], stack);
    });

    it("names a misspelt aws key, with the key it most likely meant", function () {
        const { "aws:region": region, ...rest } = dev();
        const lines = refusal({ ...rest, "aws:regoin": region });
        assert.match(
            lines[0],
            /^Pulumi\.t\.yaml: aws:regoin: unknown key of the aws provider; did you mean aws:region\? The keys are accessKey, /,
        );
        // Without aws:region the provider would not start: that is said as well, once.
        assert.equal(lines.filter((l) => l.startsWith("Pulumi.t.yaml: aws:region: is required")).length, 1);
    });

    it("refuses a region the provider does not know, and suggests the nearest", function () {
        const lines = refusal({ ...dev(), "aws:region": "eu-west-9" });
        assert.equal(lines.length, 1);
        assert.match(lines[0], /aws:region: "eu-west-9" is not an AWS region \(did you mean eu-west-1\?\); the regions are af-south-1, /);
        // The provider's own escape hatch for a region newer than its list.
        assert.deepEqual(refusal({ ...dev(), "aws:region": "eu-west-9", "aws:skipRegionValidation": "true" }), []);
    });

    it("checks each region of patch-manager:regions against the same list", function () {
        const lines = refusal({ ...dev(), "patch-manager:regions": JSON.stringify(["eu-west-1", "eu-wset-2"]) });
        assert.deepEqual(
            lines.map((l) => l.split(" is not")[0]),
            ['Pulumi.t.yaml: patch-manager:regions[1]: "eu-wset-2"'],
        );
    });

    it("needs aws:region, unless patch-manager:regions lists them or the environment gives the provider one", function () {
        const { "aws:region": _region, ...noRegion } = dev();
        assert.deepEqual(refusal(noRegion), [
            "Pulumi.t.yaml: aws:region: is required: the region this stack deploys to, e.g. eu-west-1 (the aws provider does not start without one; or list several under patch-manager:regions)",
        ]);
        assert.deepEqual(refusal({ ...noRegion, "patch-manager:regions": '["eu-west-1","eu-central-1"]' }), []);
        // `pulumi up` runs where the provider also reads AWS_REGION, AWS_DEFAULT_REGION or a profile's region.
        assert.deepEqual(refusal(noRegion, { AWS_REGION: "eu-west-1" }), []);
        assert.deepEqual(refusal(noRegion, { AWS_PROFILE: "patching" }), []);
        assert.equal(refusal(noRegion, { HOME: "/root" }).length, 1);
    });

    it("refuses account ids that are not 12-digit strings, each at its index", function () {
        const lines = refusal({ ...dev(), "aws:allowedAccountIds": JSON.stringify([123456789012, "123456789012", "12345"]) });
        assert.deepEqual(
            lines.map((l) => l.replace(/: must be .*, got /, " → ")),
            ["Pulumi.t.yaml: aws:allowedAccountIds[0] → 123456789012", 'Pulumi.t.yaml: aws:allowedAccountIds[2] → "12345"'],
        );
        assert.match(
            refusal({ ...dev(), "aws:forbiddenAccountIds": "123456789012" })[0],
            /aws:forbiddenAccountIds: must be a list of 12-digit AWS account ids/,
        );
    });

    it("points a misspelt project namespace at the key it meant, and refuses namespaces nothing reads", function () {
        const lines = refusal({ ...dev(), "patch-manger:window": "weekend", "awz:region": "eu-west-1", "acme:owner": "ops" });
        assert.deepEqual(lines, [
            'Pulumi.t.yaml: patch-manger:window: unknown namespace "patch-manger"; did you mean patch-manager:window?',
            'Pulumi.t.yaml: awz:region: unknown namespace "awz"; did you mean aws:region?',
            'Pulumi.t.yaml: acme:owner: unknown namespace "acme": nothing in this program reads it; the namespaces are patch-manager: and the providers\' aws:, time:, pulumi:',
        ]);
        assert.deepEqual(namespaceProblems({ "pulumi:tags": "{}", "time:x": "1", "aws:region": "eu-west-1" }), []);
    });

    it("reports the project's problems and the other namespaces' in one refusal", function () {
        const lines = refusal({ ...dev(), "patch-manager:window": "weekly", "aws:region": "mars-1" });
        assert.deepEqual(
            lines.map((l) => l.split(":").slice(1, 3).join(":").trim()),
            ["patch-manager:window", "aws:region"],
        );
    });

    it("the program refuses the same way under pulumi up", async function () {
        const config = shippedConfig("dev");
        await assert.rejects(
            evaluateProgram({
                stack: "t",
                config: { ...config, values: { ...config.values, "aws:region": "eu-west-9", "patch-manger:window": "weekend" } },
            }),
            (e: Error) =>
                /aws:region: "eu-west-9" is not an AWS region/.test(e.message) && /did you mean patch-manager:window\?/.test(e.message),
        );
    });

    it("the program reads the namespace of the project it runs as, as `pulumi new` names it", async function () {
        const renamed = Object.fromEntries(Object.entries(dev()).map(([k, v]) => [k.replace(/^patch-manager:/, "my-patching:"), v]));
        const { resources } = await evaluateProgram({
            stack: "t",
            project: "my-patching",
            config: { values: { ...renamed, "my-patching:timezone": "Asia/Tokyo" }, secretKeys: [] },
        });
        const windows = resources.filter((r) => r.type === "aws:ssm/maintenanceWindow:MaintenanceWindow");
        assert.ok(windows.length > 0);
        assert.ok(windows.every((w) => w.inputs.scheduleTimezone === "Asia/Tokyo"));
        // The old namespace under the new project is read by nothing: refused, not ignored.
        await assert.rejects(
            evaluateProgram({
                stack: "t",
                project: "my-patching",
                config: { values: { ...renamed, "patch-manager:window": "weekend" }, secretKeys: [] },
            }),
            /patch-manager:window: unknown namespace "patch-manager"/,
        );
    });
});
