import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { rootPulumiStackTypeName } from "@pulumi/pulumi/runtime/stack";
import { TYPES } from "@patch-manager/ssm";

describe("@patch-manager/ssm TYPES", () => {
    it("each token is the one the AWS provider's resource class registers under", () => {
        for (const [name, token] of Object.entries(TYPES)) {
            if (name === "stack") continue;
            // aws:<module>/<resource>:<Class> is the class aws.<module>.<Class>.
            const m = /^aws:(\w+)\/\w+:(\w+)$/.exec(token);
            assert.ok(m, `${name}: ${token} is not shaped like a provider token`);
            const cls = (aws as unknown as Record<string, Record<string, { __pulumiType?: string }> | undefined>)[m[1]]?.[m[2]];
            assert.equal(cls?.__pulumiType, token, `TYPES.${name}`);
        }
    });

    it("the stack's token is the engine's root type", () => {
        assert.equal(TYPES.stack, rootPulumiStackTypeName);
    });

    it("names each token once", () => {
        const tokens = Object.values(TYPES);
        assert.equal(new Set(tokens).size, tokens.length);
    });
});
