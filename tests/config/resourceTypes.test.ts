import { strict as assert } from "assert";
import { RESOURCE_TYPES } from "../../config";

describe("component resource types", function () {
    it("each token is patch-manager:<module>:<the component class it is listed under>, and no two are the same", function () {
        for (const [name, type] of Object.entries(RESOURCE_TYPES)) assert.match(type, new RegExp(`^patch-manager:[a-z]+:${name}$`));
        assert.equal(new Set(Object.values(RESOURCE_TYPES)).size, Object.keys(RESOURCE_TYPES).length);
    });
});
