import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { CELL_PROJECT } from "../../org/config";
import { exampleValues, parseOrg, withOrg } from "./helpers";

// parseOrgConfig parses each distinct set of cell settings once and gives the other cells with the
// same settings that model under their own stack name. That holds only while the model names its
// stack and derives nothing else from it: these tests fail when either stops being true.

/** A cell's patch-manager settings as the program's parser takes them (keys without the namespace). */
function settingsOf(values: Readonly<Record<string, string>>): Record<string, string> {
    const prefix = `${CELL_PROJECT}:`;
    return Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

/** The example with more cells on each template, so that several cells share their settings. */
function widened(): Record<string, unknown> {
    const environments = ["sandbox", "development", "test", "acceptance", "production"];
    const extra = Array.from({ length: 10 }, (_, i) => ({
        account: String(700000000000 + i),
        environment: environments[i % 5],
        regions: [i % 2 === 0 ? "eu-west-1" : "eu-central-1"],
        template: i % 5 >= 3 ? "production" : "standard",
    }));
    return withOrg({ cells: [...(exampleValues().cells as unknown[]), ...extra] });
}

describe("org config: each distinct cell setting parsed once", () => {
    it("the program's model of a stack differs from another stack's with the same settings in its name alone", () => {
        const org = parseOrg(widened());
        const settings = settingsOf(org.cells[0].values);
        const a = parseConfig(settings, "stack-a", "Pulumi.test.yaml");
        const b = parseConfig(settings, "stack-b", "Pulumi.test.yaml");
        assert.equal(a.stack, "stack-a");
        assert.deepStrictEqual({ ...b, stack: "stack-a" }, a);
    });

    it("gives every cell the model a parse of its own settings under its own stack gives", () => {
        const org = parseOrg(widened());
        const shared = new Map<string, number>();
        for (const cell of org.cells) {
            const settings = settingsOf(cell.values);
            // The account's boundary is the one per-account setting; the rest is what cells share.
            const { permissionsBoundaryArn: _boundary, ...rest } = settings;
            const key = JSON.stringify(rest);
            shared.set(key, (shared.get(key) ?? 0) + 1);
            assert.deepStrictEqual(cell.model, parseConfig(settings, cell.stack, "Pulumi.test.yaml"), cell.stack);
            assert.equal(cell.model.stack, cell.stack);
        }
        // Cells did share settings, so models were given from an earlier cell's parse.
        assert.ok([...shared.values()].some((n) => n > 1));
    });
});
