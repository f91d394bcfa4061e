// actionMatches: an IAM action pattern against an action, compiled once per pattern, compared with
// IAM's matching written out on drawn patterns and actions, each asked twice.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { actionMatches } from "../../policies/util";

describe("policies/util actionMatches", () => {
    /** IAM's matching, written out: `*` any run of characters, `?` one, the rest itself, any case. */
    const matches = (pattern: string, action: string): boolean => {
        const go = (p: number, a: number): boolean => {
            if (p === pattern.length) return a === action.length;
            if (pattern[p] === "*") return go(p + 1, a) || (a < action.length && go(p, a + 1));
            if (a === action.length) return false;
            return (pattern[p] === "?" || pattern[p].toLowerCase() === action[a].toLowerCase()) && go(p + 1, a + 1);
        };
        return go(0, 0);
    };
    const text = fc.stringMatching(/^[a-zA-Z:*?.+$()[\]\\^|{}-]{0,8}$/);

    it("matches as IAM does, every pattern asked again and again (each compiled once)", () => {
        fc.assert(
            fc.property(fc.array(fc.tuple(text, fc.stringMatching(/^[a-zA-Z:.+$()[\]\\^|{}-]{0,8}$/)), { maxLength: 20 }), (pairs) => {
                for (const [pattern, action] of [...pairs, ...pairs])
                    assert.equal(actionMatches(pattern, action), matches(pattern, action), `${pattern} ${action}`);
            }),
        );
        assert.equal(actionMatches("ssm:Send*", "SSM:SendCommand"), true);
        assert.equal(actionMatches(undefined, "ssm:SendCommand"), false);
    });
});
