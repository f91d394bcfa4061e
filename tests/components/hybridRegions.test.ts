// Hybrid activations are regional: with `regions`, each region gets its own, named and parented there.
import { strict as assert } from "assert";
import { evaluate, shippedConfig, withConfig } from "../helpers";

describe("hybrid fleet across regions", function () {
    it("one activation per hybrid group and region, each under its region and provider", async function () {
        const base = shippedConfig("prod-private");
        const groups = JSON.parse(base.values["patch-manager:patchGroups"]);
        groups[0].hybrid = { registrationLimit: 5 };
        const s = await evaluate("prod-private", withConfig(base, { patchGroups: groups }));
        const regions: string[] = JSON.parse(base.values["patch-manager:regions"]);
        assert.ok(regions.length >= 2, "the example stack deploys into several regions");
        const activations = s.ofType("aws:ssm/activation:Activation");
        assert.equal(activations.length, regions.length);
        assert.equal(new Set(activations.map((a) => a.urn)).size, regions.length, "distinct URNs");
        for (const region of regions) {
            const a = activations.find((x) => x.name.startsWith(`${region}-`));
            assert.ok(a, `an activation named for ${region}`);
            assert.equal(a!.outputs.region ?? region, region);
            assert.ok(a!.provider, `${a!.urn} uses the region's explicit provider`);
        }
        const roles = s.ofType("aws:iam/role:Role").filter((r) => r.name.includes("hybrid-nodes"));
        assert.equal(roles.length, regions.length);
        for (const r of roles) {
            const trust = JSON.parse(r.inputs.assumeRolePolicy as string);
            const region = regions.find((x) => r.name.startsWith(`${x}-`))!;
            assert.match(JSON.stringify(trust), new RegExp(`arn:aws:ssm:${region}:123456789012:\\*`));
        }
    });
});
