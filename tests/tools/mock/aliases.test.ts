// Alias resolution as the engine's step generator does it (collapseAliasToUrn,
// inheritedChildAlias, generateAliases), on hand-made trees.
import { strict as assert } from "assert";
import {
    AliasedResource,
    candidateAliases,
    collapseAlias,
    createUrn,
    inheritedChildAlias,
    matchOldState,
    urnParts,
    urnPartsBySplit,
} from "../../../tools/mock/aliases";
import fc from "fast-check";

const urn = (qualifiedType: string, name: string) => `urn:pulumi:s::p::${qualifiedType}::${name}`;
const STACK = urn("pulumi:pulumi:Stack", "p-s");

describe("alias resolution (tools/mock/aliases.ts)", function () {
    it('property: a URN\'s parts read by position are its parts split at every separator (names holding "::", types holding "$", too few separators)', function () {
        const segment = fc.stringMatching(/^[-a-z:$]{0,8}$/);
        const outcome = (read: () => unknown) => {
            try {
                return read();
            } catch (e) {
                return `throws ${(e as Error).name}`;
            }
        };
        fc.assert(
            fc.property(fc.boolean(), fc.array(segment, { minLength: 0, maxLength: 6 }), (prefixed, segments) => {
                const text = `${prefixed ? "urn:pulumi:" : ""}${segments.join("::")}`;
                assert.deepEqual(
                    outcome(() => urnParts(text)),
                    outcome(() => urnPartsBySplit(text)),
                );
            }),
            { numRuns: 2000 },
        );
    });

    it("a URN holds the parent's type chain, never the root stack's", function () {
        assert.equal(createUrn("s", "p", urn("a:b:C", "c"), "x:y:Z", "z"), urn("a:b:C$x:y:Z", "z"));
        assert.equal(createUrn("s", "p", STACK, "x:y:Z", "z"), urn("x:y:Z", "z"));
    });

    it("a spec's empty fields are the resource's own; noParent and a root-stack parent both mean the root", function () {
        const r: AliasedResource = { urn: urn("a:b:C$x:y:Z", "z"), type: "x:y:Z", name: "z", parent: urn("a:b:C", "c") };
        assert.equal(
            collapseAlias(r, { name: "old" }, () => undefined),
            urn("a:b:C$x:y:Z", "old"),
        );
        assert.equal(
            collapseAlias(r, { noParent: true }, () => undefined),
            urn("x:y:Z", "z"),
        );
        assert.equal(
            collapseAlias(r, { parentUrn: STACK }, () => undefined),
            urn("x:y:Z", "z"),
        );
        // A parent found under an alias stands for its old URN.
        assert.equal(
            collapseAlias(r, { parentUrn: urn("a:b:C", "c") }, () => urn("old:b:D", "d")),
            urn("old:b:D$x:y:Z", "z"),
        );
    });

    it("a child named from its renamed parent is renamed with it", function () {
        assert.equal(inheritedChildAlias("x:y:Z", "new-bucket", "new", urn("a:b:C", "old")), urn("a:b:C$x:y:Z", "old-bucket"));
        assert.equal(inheritedChildAlias("x:y:Z", "bucket", "new", urn("a:b:C", "old")), urn("a:b:C$x:y:Z", "bucket"));
    });

    const tree: AliasedResource[] = [
        { urn: urn("n:i:New", "r"), type: "n:i:New", name: "r", parent: null, aliasSpecs: [{ type: "o:i:Old" }] },
        { urn: urn("n:i:New$n:g:Group", "g"), type: "n:g:Group", name: "g", parent: urn("n:i:New", "r") },
        {
            urn: urn("n:i:New$n:g:Group$x:y:Z", "z"),
            type: "x:y:Z",
            name: "z",
            parent: urn("n:i:New$n:g:Group", "g"),
            aliasSpecs: [{ parentUrn: urn("n:i:New", "r") }],
        },
    ];

    it("candidates multiply in every alias of the parent", function () {
        const c = candidateAliases(tree);
        assert.deepEqual(c.get(tree[0].urn), [urn("o:i:Old", "r")]);
        assert.deepEqual(c.get(tree[1].urn), [urn("o:i:Old$n:g:Group", "g")]);
        assert.ok(c.get(tree[2].urn)!.includes(urn("n:i:New$x:y:Z", "z")));
    });

    it("against an old state, a child inherits only the alias its parent was found under", function () {
        // The group is new; the leaf was a direct child of the old top component.
        const old = new Set([urn("o:i:Old", "r"), urn("o:i:Old$x:y:Z", "z")]);
        const m = matchOldState(tree, old);
        assert.equal(m.get(tree[0].urn), urn("o:i:Old", "r"));
        assert.equal(m.has(tree[1].urn), false, "the group is new");
        assert.equal(m.get(tree[2].urn), urn("o:i:Old$x:y:Z", "z"), "its alias names the top component, which maps to its old URN");
        // Without its own alias the leaf would be new: the group's parent alias is not inherited through a new resource.
        const withoutAlias = tree.map((r, i) => (i === 2 ? { ...r, aliasSpecs: undefined } : r));
        assert.equal(matchOldState(withoutAlias, old).has(tree[2].urn), false);
    });
});
