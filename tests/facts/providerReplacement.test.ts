// Replacement collisions judged by the provider's source, not by the pack's own table: each
// `provider-replacement-*` fact (tests/facts/awsFacts.json) quotes terraform-provider-aws's schema
// for a type (its ForceNew attributes, whether it has an Update) and the id its Create sets (the
// resource's identity). The table the plan diff reads (tools/diff/forceNew.json), the pack's natural
// keys (policies/replacement.ts) and the shipped stacks are held to those facts.
import { strict as assert } from "assert";
import table from "../../tools/diff/forceNew.json";
import { AUTO_NAMED_KEY, NATURAL_KEYS } from "../../policies/replacement";
import { FACTS } from "./facts";
import { shippedOfType } from "./stacks";

interface ProviderReplacement {
    type: string;
    /** Top-level ForceNew attributes, as Pulumi names them (the bridge camel-cases Terraform's). */
    forceNew: string[];
    /** false: the resource has no Update, so that any change replaces it. */
    update: boolean;
    /** The attributes the id Create sets is made of; empty: a generated id. */
    resourceId: string[];
}

const REPLACEMENTS = FACTS.filter((f) => f.id.startsWith("provider-replacement-")).map((f) => ({
    id: f.id,
    ...(f.value as ProviderReplacement),
}));
/** Attributes that are the key by another name: a prefix is the generated alternative to the name; another event bus is another key. */
const ALSO_KEY = new Set(["namePrefix", "bucketPrefix", "eventBusName"]);
const sorted = (xs: readonly string[]) => [...xs].sort();

describe("replacement collisions against the provider's source (facts provider-replacement-*)", function () {
    it("cites the types whose collisions the pack judges", function () {
        assert.ok(REPLACEMENTS.length >= 8);
        for (const r of REPLACEMENTS) assert.ok(NATURAL_KEYS[r.type], `${r.id}: ${r.type} is a natural key of policies/replacement.ts`);
    });

    it("tools/diff/forceNew.json has each type's ForceNew attributes and Update as the source does", function () {
        const resources = table.resources as Record<string, string[]>;
        for (const r of REPLACEMENTS) {
            const topLevel = (resources[r.type] ?? []).filter((p) => !p.includes("."));
            assert.deepEqual(sorted(topLevel), sorted(r.forceNew), `${r.type}: ForceNew (${r.id})`);
            assert.equal(table.noUpdate.includes(r.type), !r.update, `${r.type}: ${r.update ? "has" : "has no"} Update (${r.id})`);
        }
    });

    it("each natural key is the resource's identity in the provider (the id its Create sets)", function () {
        for (const r of REPLACEMENTS) {
            const key = NATURAL_KEYS[r.type].inputs;
            // A generated id (an attachment): the key is what the AWS call names, every input of it ForceNew.
            const identity = r.resourceId.length > 0 ? r.resourceId : r.forceNew;
            for (const k of key)
                assert.ok(identity.includes(k), `${r.type}: key input ${k} is part of its identity ${JSON.stringify(identity)} (${r.id})`);
            for (const k of identity.filter((x) => !ALSO_KEY.has(x) && r.resourceId.length > 0))
                assert.ok(
                    key.includes(k) || NATURAL_KEYS[r.type].replacedKeepingKeyBy.includes(k),
                    `${r.type}: ${k} names the resource (${r.id})`,
                );
        }
    });

    it("what replaces a resource while its key stays is the source's ForceNew attributes outside the key", function () {
        for (const r of REPLACEMENTS) {
            const key = NATURAL_KEYS[r.type];
            const outside = r.forceNew.filter((p) => !key.inputs.includes(p) && !ALSO_KEY.has(p));
            assert.deepEqual(sorted(key.replacedKeepingKeyBy), sorted(outside), `${r.type} (${r.id})`);
        }
    });

    it("every shipped resource of these types whose identity is a name it fixes is replaced delete-first (or auto-named)", async function () {
        let judged = 0;
        for (const r of REPLACEMENTS) {
            // Replaced while its identity stays: a collision needs a ForceNew attribute outside the identity, or no Update at all.
            const replacedKeepingIdentity = !r.update || r.forceNew.some((p) => !r.resourceId.includes(p) && !ALSO_KEY.has(p));
            if (r.resourceId.length === 0 || !replacedKeepingIdentity) continue;
            for (const { stack, r: res } of await shippedOfType(r.type)) {
                judged += 1;
                const auto = AUTO_NAMED_KEY[r.type];
                const fixed = auto === undefined || res.inputs[auto] !== undefined;
                if (fixed)
                    assert.ok(
                        res.deleteBeforeReplace,
                        `${stack}: ${res.name} (${r.type}) is replaced while ${r.resourceId.join("+")} stays: it needs deleteBeforeReplace`,
                    );
            }
        }
        assert.ok(judged > 0, "some shipped resource was judged");
    });
});
