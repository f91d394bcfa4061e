import { strict as assert } from "assert";
import { RESOURCE_TYPES } from "../../config";
import { evaluate } from "../helpers";

describe("component resource types", function () {
    it("every component the shipped stacks register has its type token in RESOURCE_TYPES, and every token there is registered", async function () {
        const registered = new Set<string>();
        for (const stack of ["prod-private", "prod-hybrid"]) {
            for (const r of (await evaluate(stack)).resources) if (!r.custom) registered.add(r.type);
        }
        const listed = new Set<string>(Object.values(RESOURCE_TYPES));
        assert.deepEqual([...registered].filter((t) => !listed.has(t)).sort(), []);
        assert.deepEqual([...listed].filter((t) => !registered.has(t)).sort(), []);
    });

    it("each token is patch-manager:<module>:<the key it is listed under>", function () {
        for (const [name, type] of Object.entries(RESOURCE_TYPES)) assert.match(type, new RegExp(`^patch-manager:[a-z]+:${name}$`));
    });
});
