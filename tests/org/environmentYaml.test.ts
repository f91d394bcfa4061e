import { strict as assert } from "assert";
import fc from "fast-check";
import YAML from "yaml";
import { REGIONS } from "../../org/config";
import { accountEnvironmentRenderer, accountEnvironmentYaml, cellEnvironmentRenderer, cellEnvironmentYaml } from "../../org/controlPlane";
import { exampleValues, parseOrg, withOrg } from "./helpers";

// The control plane renders each distinct set of cell settings once and writes the rest of a cell's
// ESC environment around it, and renders the account environments and the cells' own keys once for
// any account (cellEnvironmentRenderer, accountEnvironmentRenderer). These tests hold both to the
// text a whole rendering gives, so that the environments, and the plan, stay exactly as they were.

/** Settings values YAML writes in many ways: long and multi-line strings, quotes, numbers, nesting. */
const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ maxLength: 200 }),
    fc.constantFrom("", " leading space", "a: b", "#not a comment", "- dash", "'quoted'", "x\ny\n", "yes", "0x1F", "1e3", -0, 0),
);
const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,12}$/);
/** Any account id, the one that stands for every account among them. */
const account = fc.oneof(fc.stringMatching(/^\d{12}$/), fc.constant("000000000000"));
/** Regions as parseOrgConfig gives them, and strings YAML may quote or fold (one with the stand-in account in it). */
const region = fc.oneof(fc.constantFrom(...REGIONS), fc.string({ maxLength: 100 }), fc.constant("x-000000000000"));

describe("org control plane: each cell's ESC environment", () => {
    it("is the whole rendering's text for every cell of the example, widened so that cells share their settings", () => {
        const extra = Array.from({ length: 8 }, (_, i) => ({
            account: String(800000000000 + i),
            environment: i % 2 === 0 ? "production" : "development",
            regions: i % 3 === 0 ? ["eu-west-1", "eu-central-1"] : ["eu-central-1"],
            template: i % 2 === 0 ? "production" : "standard",
        }));
        const org = parseOrg(withOrg({ cells: [...(exampleValues().cells as unknown[]), ...extra] }));
        const render = cellEnvironmentRenderer();
        for (const cell of org.cells) {
            const yaml = render(cell);
            assert.equal(yaml, cellEnvironmentYaml(cell), cell.stack);
            assert.deepStrictEqual(YAML.parse(yaml).values.pulumiConfig, cell.pulumiConfig, cell.stack);
        }
    });

    it("is the whole rendering's text for any settings, also for a second cell with the same settings", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, minLength: 1, maxLength: 6 }),
                region,
                fc.array(account, { minLength: 2, maxLength: 3 }),
                (settings, region, accounts) => {
                    const pulumiSettings = Object.fromEntries(settings.map(([k, v]) => [`patch-manager:${k}`, v]));
                    const cells = accounts.map((account) => ({
                        account,
                        pulumiConfig: { "aws:region": region, "aws:allowedAccountIds": [account], ...pulumiSettings },
                    }));
                    const render = cellEnvironmentRenderer();
                    for (const cell of cells) assert.equal(render(cell), cellEnvironmentYaml(cell));
                },
            ),
        );
    });

    it("is the whole rendering's text for settings naming each cell's account: in its boundary's ARN, and in any other place", () => {
        /** Where a setting may name the account: the boundary's account field, and places YAML may write otherwise. */
        const naming = fc.constantFrom(
            (a: string) => `arn:aws:iam::${a}:policy/patch-manager-boundary`,
            (a: string) => `arn:aws:iam::${a}:role/0000${a}`,
            (a: string) => `arn:aws:s3:::${a}:x`,
            (a: string) => `arn:aws:iam::${a}${a}:x`,
            (a: string) => `0o${a}`,
            (a: string) => `${a}e1`,
            (a: string) => a,
            (a: string) => `arn:aws:iam::${a}:policy/${"x ".repeat(60)}`,
            (a: string) => `0000${a}`,
        );
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 4 }),
                fc.array(fc.tuple(key, naming), { minLength: 1, maxLength: 3 }),
                region,
                fc.array(account, { minLength: 2, maxLength: 3 }),
                (settings, named, region, accounts) => {
                    const render = cellEnvironmentRenderer();
                    for (const account of accounts) {
                        const own = Object.fromEntries(named.map(([k, name]) => [`patch-manager:${k}Own`, name(account)]));
                        const pulumiConfig = {
                            "aws:region": region,
                            "aws:allowedAccountIds": [account],
                            ...Object.fromEntries(settings.map(([k, v]) => [`patch-manager:${k}`, v])),
                            ...own,
                        };
                        const cell = { account, pulumiConfig };
                        assert.equal(render(cell), cellEnvironmentYaml(cell));
                    }
                },
            ),
        );
    });

    it("of each account is the whole rendering's text for any account, role name and session", () => {
        fc.assert(
            fc.property(
                fc.oneof(fc.stringMatching(/^[\w+=,.@-]{1,64}$/), fc.constant("role-000000000000")),
                fc.integer({ min: 900, max: 3600 }),
                fc.array(account, { minLength: 1, maxLength: 3 }),
                (deployRoleName, sessionDurationSeconds, accounts) => {
                    const org = { deployRoleName, sessionDurationSeconds };
                    const render = accountEnvironmentRenderer(org);
                    for (const a of accounts) assert.equal(render(a), accountEnvironmentYaml(org, a));
                },
            ),
        );
    });

    it("tells -0 from 0, which JSON does not", () => {
        const render = cellEnvironmentRenderer();
        const cell = (v: number) => ({ account: "111111111111", pulumiConfig: { "aws:region": "eu-west-1", "patch-manager:x": v } });
        assert.equal(render(cell(0)), cellEnvironmentYaml(cell(0)));
        assert.equal(render(cell(-0)), cellEnvironmentYaml(cell(-0)));
        assert.notEqual(render(cell(-0)), render(cell(0)));
    });
});
