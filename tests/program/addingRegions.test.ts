// A stack deployed with one region that starts listing `regions`: what the engine would do with the
// deployed region, with and without keepSingleRegionNames, and what the explicit providers of the
// other regions carry over from the stack's `aws:` settings.
import { strict as assert } from "assert";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { diffResources } from "../../tools/diff/planDiff";
import { StackConfig } from "../../tools/mock/mockProgram";
import { evaluate, shippedConfig, withConfig, stackRefusal } from "../helpers";
import { collisions } from "./lifetime/edits";

const PROVIDER = "pulumi:providers:aws";
const plan = (resources: any[]) => ({ stack: "dev", resources, windows: [] });

async function addRegion(kept: boolean) {
    const base = shippedConfig("dev");
    const changes = { regions: ["eu-west-1", "eu-north-1"], ...(kept ? { keepSingleRegionNames: true } : {}) };
    const before = (await evaluate("dev", base)).resources;
    const after = (await evaluate("dev", withConfig(base, changes))).resources;
    return { before, after, changes: diffResources(plan(before), plan(after)) };
}

describe("program: adding regions to a deployed single-region stack", function () {
    it("without keepSingleRegionNames, every deployed resource is re-created and the patch-group registrations collide", async function () {
        const r = await addRegion(false);
        const deployed = r.before.filter((x) => x.custom);
        const removed = new Set(r.changes.filter((c) => c.action === "remove").map((c) => c.urn));
        assert.ok(
            deployed.every((x) => removed.has(x.urn)),
            "each deployed resource is deleted under its old URN",
        );
        assert.ok(
            collisions({ ...r }).some((c) => c.includes("aws:ssm/patchGroup:PatchGroup")),
            collisions({ ...r }).join("\n"),
        );
    });

    it("with it, the deployed region keeps every URN, its default provider and its inputs; only the new region is added", async function () {
        const r = await addRegion(true);
        assert.deepEqual(
            r.changes.filter((c) => c.action !== "add"),
            [],
        );
        const home = r.after.filter((x) => x.custom && x.type !== PROVIDER && x.region === "eu-west-1");
        assert.equal(home.length, r.before.filter((x) => x.custom).length);
        assert.ok(home.every((x) => x.provider === undefined, "the default provider"));
        const added = r.after.filter((x) => r.changes.some((c) => c.urn === x.urn) && x.custom && x.type !== PROVIDER);
        assert.ok(added.length > 0 && added.every((x) => x.region === "eu-north-1" && x.provider?.includes(`${PROVIDER}::eu-north-1`)));
    });

    it("with it, the stack outputs stay where a single-region stack had them, beside each region's", async function () {
        const base = shippedConfig("prod-hybrid");
        const before = (await evaluate("prod-hybrid", base)).outputs;
        const after = (
            await evaluate("prod-hybrid", withConfig(base, { regions: ["eu-west-1", "eu-north-1"], keepSingleRegionNames: true }))
        ).outputs;
        const { regions, ...top } = after;
        assert.deepEqual(top, before);
        assert.deepEqual(Object.keys(regions).sort(), ["eu-north-1", "eu-west-1"]);
        assert.deepEqual(regions["eu-west-1"], before);
    });

    it("with centralLogBucket, the kept region must be the first (the one whose bucket every region writes to)", function () {
        const dev = shippedConfig("dev").values;
        const lines = stackRefusal({
            ...dev,
            "patch-manager:keepSingleRegionNames": "true",
            "patch-manager:centralLogBucket": "true",
            "patch-manager:regions": '["eu-north-1","eu-west-1"]',
        });
        assert.match(
            lines.join("\n"),
            /keepSingleRegionNames: with patch-manager:centralLogBucket the first region holds the one log bucket: list the stack's aws:region "eu-west-1" first/,
        );
        assert.deepEqual(
            stackRefusal({
                ...dev,
                "patch-manager:keepSingleRegionNames": "true",
                "patch-manager:centralLogBucket": "true",
                "patch-manager:regions": '["eu-west-1","eu-north-1"]',
            }),
            [],
        );
    });

    it("the diff calls a move to another provider a replacement, and compares provider resources by their own inputs only", async function () {
        const r = await addRegion(false);
        const base = r.before.find((x) => x.type === "aws:ssm/patchBaseline:PatchBaseline")!;
        // The same URN through the new region's provider: as if an alias had carried it over.
        const moved = r.after.find((x) => x.type === base.type && x.region === "eu-west-1" && x.name.endsWith(base.name))!;
        const [change] = diffResources(plan([base]), plan([{ ...moved, urn: base.urn, inputs: base.inputs }]));
        assert.equal(change.action, "replace");
        assert.deepEqual(change.changes, [
            { path: "provider", old: "default provider (eu-west-1)", new: "provider eu-west-1 (eu-west-1)", replaces: true },
        ]);
        // A saved plan from before plans recorded regions is not compared by provider.
        const provider = r.after.find((x) => x.type === PROVIDER)!;
        assert.deepEqual(diffResources(plan([provider]), plan([{ ...provider, region: "us-east-1" }])), []);
        const { region: _r, ...older } = base;
        assert.deepEqual(diffResources(plan([older]), plan([{ ...moved, urn: base.urn, inputs: base.inputs }])), []);
    });

    it("refuses keepSingleRegionNames without regions, or when regions leaves out aws:region", function () {
        const dev = shippedConfig("dev").values;
        assert.match(
            stackRefusal({ ...dev, "patch-manager:keepSingleRegionNames": "true" }).join("\n"),
            /patch-manager:keepSingleRegionNames: applies only with patch-manager:regions/,
        );
        assert.match(
            stackRefusal({
                ...dev,
                "patch-manager:keepSingleRegionNames": "true",
                "patch-manager:regions": '["eu-north-1","us-east-1"]',
            }).join("\n"),
            /patch-manager:keepSingleRegionNames: keeps the names of the stack's aws:region "eu-west-1", which patch-manager:regions does not list/,
        );
        const { "aws:region": _r, ...noRegion } = dev;
        assert.match(
            stackRefusal({ ...noRegion, "patch-manager:keepSingleRegionNames": "true", "patch-manager:regions": '["eu-west-1"]' }).join(
                "\n",
            ),
            /patch-manager:keepSingleRegionNames: needs aws:region/,
        );
        assert.match(
            stackRefusal({ ...dev, "patch-manager:keepSingleRegionNames": "yes" }).join("\n"),
            /keepSingleRegionNames: must be true or false/,
        );
    });
});

describe("program: the providers of `regions` carry the stack's aws settings", function () {
    it("profile, assumed role, allowed accounts and default tags reach every region's provider; the credentials as secrets", async function () {
        const base = shippedConfig("prod-private");
        const config: StackConfig = {
            values: {
                ...base.values,
                "aws:profile": "patching",
                "aws:allowedAccountIds": '["123456789012"]',
                "aws:assumeRoles": '[{"roleArn":"arn:aws:iam::123456789012:role/deployer"}]',
                "aws:defaultTags": '{"tags":{"Owner":"platform"}}',
                "aws:secretKey": "not-a-real-secret",
                "aws:skipCredentialsValidation": "true",
            },
            secretKeys: [...(base.secretKeys ?? []), "aws:secretKey", "aws:assumeRoles"],
        };
        const providers = (await evaluate("prod-private", config)).ofType(PROVIDER);
        assert.deepEqual(providers.map((p) => p.name).sort(), ["eu-central-1", "eu-west-1"]);
        for (const p of providers) {
            assert.equal(p.inputs.region, p.name);
            assert.equal(p.inputs.profile, "patching");
            assert.deepEqual(JSON.parse(String(p.inputs.allowedAccountIds)), ["123456789012"]);
            // A setting the stack file holds as a secret stays one (an assumed role's external id).
            const roles = p.inputs.assumeRoles as any;
            assert.equal(roles[specialSigKey], specialSecretSig);
            assert.deepEqual(JSON.parse(roles.value), [{ roleArn: "arn:aws:iam::123456789012:role/deployer" }]);
            assert.deepEqual(JSON.parse(String(p.inputs.defaultTags)), { tags: { Owner: "platform" } });
            assert.equal(p.inputs.skipCredentialsValidation, "true");
            // Sent to the engine as a secret (the signature the SDK wraps secret values in).
            assert.deepEqual(p.inputs.secretKey, { [specialSigKey]: specialSecretSig, value: "not-a-real-secret" });
        }
    });

    it("a stack with only aws:region gives its providers only the region (the shipped URNs' inputs unchanged)", async function () {
        for (const p of (await evaluate("prod-private")).ofType(PROVIDER))
            assert.deepEqual(
                Object.keys(p.inputs).filter((k) => k !== "skipCredentialsValidation" && k !== "skipRegionValidation" && k !== "version"),
                ["region"],
            );
    });
});
