import { strict as assert } from "assert";
import { REGIONS, TRUST_POLICY_MAX_CHARS } from "../../org/config";
import { exampleValues, orgProblems, orgRefused, parseOrg, withOrg } from "./helpers";

const accounts = () => exampleValues().accounts as Record<string, any>;
const cells = () => exampleValues().cells as Record<string, any>[];

describe("org config: accounts the StackSet reaches, and what their roles may trust", () => {
    it("accepts the example: every cell's account declared in one of the OUs", () => {
        const org = parseOrg(exampleValues());
        for (const c of org.cells) assert.ok(org.organizationalUnits.includes(org.accounts[c.account].organizationalUnit), c.stack);
        assert.equal(org.managementAccountId, "999999999999");
    });

    it("refuses a cell in the management account, where StackSets never deploy, at the cell's account", () => {
        const all = cells();
        all[0] = { ...all[0], account: "999999999999" };
        orgRefused(
            withOrg({ cells: all, accounts: { ...accounts(), "999999999999": undefined } }),
            "patch-manager-org:cells[0].account",
            "management account",
        );
    });

    it("refuses a cell whose account is not declared, naming the key to add", () => {
        const all = cells();
        all[2] = { ...all[2], account: "123412341234" };
        orgRefused(
            withOrg({ cells: all, accounts: accounts() }),
            "patch-manager-org:cells[2].account",
            'accounts."123412341234".organizationalUnit',
        );
    });

    it("refuses an account in an OU the StackSet does not target", () => {
        orgRefused(
            withOrg({ accounts: { ...accounts(), "333333333333": { organizationalUnit: "ou-ab12-elsewhere1" } } }),
            "patch-manager-org:accounts.333333333333.organizationalUnit",
            "never reaches this account",
        );
    });

    it("refuses an existing provider that lacks an audience the roles trust, with the command that adds it", () => {
        orgRefused(
            withOrg({
                accounts: {
                    ...accounts(),
                    "555555555555": {
                        organizationalUnit: "ou-ab12-prodload01",
                        existingPulumiOidcProvider: { clientIds: ["example-org"] },
                    },
                },
            }),
            "patch-manager-org:accounts.555555555555.existingPulumiOidcProvider.clientIds",
            '"aws:example-org"',
            "add-client-id-to-open-id-connect-provider",
        );
    });

    it("refuses an organisation name with capitals: audiences and subjects are compared case-sensitively", () => {
        orgRefused(withOrg({ organization: "Example-Org" }), "patch-manager-org:organization", "lowercase", '"example-org"');
    });

    it("refuses an account whose cells' subjects exceed IAM's trust policy limit, at the account", () => {
        const environments = ["sandbox", "development", "test", "acceptance"];
        const many = Array.from({ length: 30 }, (_, i) => ({
            account: "222222222222",
            environment: environments[i % 4],
            regions: [REGIONS[Math.floor(i / 4)]],
            template: "standard",
        }));
        orgRefused(
            withOrg({ cells: [...cells().filter((c) => c.account !== "222222222222"), ...many] }),
            "patch-manager-org:accounts.222222222222",
            String(TRUST_POLICY_MAX_CHARS),
        );
    });

    it("with githubActions, refuses non-production cells in an account that holds production", () => {
        const all = cells();
        all.push({ account: "555555555555", environment: "test", regions: ["eu-west-1"], template: "standard", stack: "test-in-prod" });
        orgRefused(
            withOrg({ cells: all, githubActions: {} }),
            `patch-manager-org:cells[${all.length - 1}].environment`,
            'GitHub environment "production"',
        );
        // Positive control: without githubActions the same cells are accepted.
        assert.doesNotThrow(() => parseOrg(withOrg({ cells: all })));
    });

    it("requires a release with production cells, and refuses a short commit id", () => {
        orgRefused(withOrg({ release: undefined }), "patch-manager-org:release", "never the branch head");
        orgRefused(withOrg({ release: { commit: "2a5af6b" } }), "patch-manager-org:release.commit", "40-character");
        assert.doesNotThrow(() => parseOrg(withOrg({ release: undefined, cells: cells().filter((c) => c.environment !== "production") })));
    });

    it("refuses a cell that sets the boundary itself: the control plane sets the account's", () => {
        const all = cells();
        all[1] = { ...all[1], settings: { permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/other" } };
        const lines = orgProblems(withOrg({ cells: all }));
        assert.ok(
            lines.some((l) => l.includes("cells[1].settings.permissionsBoundaryArn") && l.includes("set by the cell")),
            lines.join("\n"),
        );
    });
});
