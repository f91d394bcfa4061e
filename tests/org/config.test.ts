import { strict as assert } from "assert";
import { cellStackName, REGIONS } from "../../org/config";
import { exampleValues, orgProblems, orgRefused, parseOrg, withOrg } from "./helpers";

const cells = () => exampleValues().cells as Record<string, any>[];
/** The example's cells with cell `i` changed. */
function cellsWith(i: number, change: Record<string, unknown>): Record<string, any>[] {
    const all = cells();
    all[i] = { ...all[i], ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete all[i][k];
    return all;
}

/** Asserts that changing cell `i` is refused at `patch-manager-org:cells[i]<at>` only. */
function cellRefused(i: number, change: Record<string, unknown>, at: string, ...fragments: string[]): void {
    orgRefused(withOrg({ cells: cellsWith(i, change) }), `patch-manager-org:cells[${i}]${at}`, ...fragments);
}

describe("org config: cells", () => {
    it("accepts the example: six cells, four or more accounts, two regions, three or more environments", () => {
        const org = parseOrg(exampleValues());
        assert.equal(org.cells.length, 6);
        assert.ok(new Set(org.cells.map((c) => c.account)).size >= 4);
        assert.deepEqual([...new Set(org.cells.flatMap((c) => c.regions))].sort(), ["eu-central-1", "eu-west-1"]);
        assert.ok(new Set(org.cells.map((c) => c.environment)).size >= 3);
        assert.equal(org.branch, "main");
        assert.equal(org.sessionDurationSeconds, 3600);
    });

    it("merges template and cell settings, the cell winning, and parses them with the program's parser", () => {
        const org = parseOrg(exampleValues());
        const berlin = org.cells.find((c) => c.account === "666666666666")!;
        assert.equal(berlin.model.timezone, "Europe/Berlin"); // the cell's own setting
        assert.equal(berlin.model.windowKind, "weekend"); // from the production template
        assert.equal(berlin.model.environment, "production"); // from the cell
        const sandbox = org.cells.find((c) => c.environment === "sandbox")!;
        assert.equal(sandbox.model.operation, "Scan");
        assert.equal(sandbox.values["patch-manager:operation"], "Scan");
        assert.equal(sandbox.values["aws:region"], "eu-west-1");
        assert.equal(sandbox.values["aws:allowedAccountIds"], '["111111111111"]');
    });

    it("gives a multi-region cell patch-manager:regions, a single-region cell only aws:region", () => {
        const org = parseOrg(exampleValues());
        const two = org.cells.find((c) => c.account === "222222222222")!;
        assert.deepEqual(two.model.operations.regions, ["eu-west-1", "eu-central-1"]);
        assert.deepEqual(two.pulumiConfig["patch-manager:regions"], ["eu-west-1", "eu-central-1"]);
        const one = org.cells.find((c) => c.account === "333333333333")!;
        assert.equal(one.model.operations.regions, undefined);
        assert.equal(one.values["aws:region"], "eu-central-1");
    });

    it("names each cell's stack environment-account-first region", () => {
        assert.equal(
            cellStackName({ environment: "test", account: "333333333333", regions: ["eu-central-1", "eu-west-1"] }),
            "test-333333333333-eu-central-1",
        );
        assert.deepEqual(
            parseOrg(exampleValues()).cells.map((c) => c.stack),
            [
                "sandbox-111111111111-eu-west-1",
                "development-222222222222-eu-west-1",
                "test-333333333333-eu-central-1",
                "acceptance-444444444444-eu-west-1",
                "production-555555555555-eu-west-1",
                "production-666666666666-eu-central-1",
            ],
        );
    });

    it("refuses an account id that is not 12 digits, and one YAML read as a number", () => {
        cellRefused(0, { account: "12345" }, ".account", "12-digit");
        cellRefused(1, { account: 222222222222 }, ".account", "in quotes");
    });

    it("refuses a cell listed twice (same account, environment and a shared region)", () => {
        const all = cells();
        all.push({ account: "222222222222", environment: "development", regions: ["eu-central-1"], template: "standard" });
        orgRefused(withOrg({ cells: all }), "patch-manager-org:cells[6]", "listed twice", "cells[1]", "eu-central-1");
    });

    it("refuses two cells that would get the same stack name, pointing at the stack key", () => {
        const all = cells();
        all.push({
            account: "111111111111",
            environment: "development",
            regions: ["eu-west-1"],
            template: "standard",
            stack: "test-333333333333-eu-central-1",
        });
        orgRefused(withOrg({ cells: all }), "patch-manager-org:cells[6].stack", 'stack name "test-333333333333-eu-central-1"', "cells[2]");
    });

    it("refuses a region that does not exist, with the nearest one", () => {
        cellRefused(2, { regions: ["eu-centrl-1"] }, ".regions[0]", "not an AWS region", 'did you mean "eu-central-1"');
    });

    it("takes its regions from the AWS provider's list, commercial partition only", () => {
        assert.ok(REGIONS.includes("eu-west-1") && REGIONS.includes("ap-southeast-5"));
        assert.ok(!REGIONS.includes("cn-north-1") && !REGIONS.includes("us-gov-west-1"));
        cellRefused(2, { regions: ["us-gov-west-1"] }, ".regions[0]", "commercial partition");
    });

    it("refuses a region listed twice in one cell", () => {
        cellRefused(1, { regions: ["eu-west-1", "eu-west-1"] }, ".regions[1]", "already regions[0]");
    });

    it("refuses an environment outside the five", () => {
        cellRefused(0, { environment: "staging" }, ".environment", '"sandbox", "development", "test", "acceptance", "production"');
    });

    it("refuses unknown keys with the nearest valid one: top level, cell, settings", () => {
        orgRefused(withOrg({ organisation: "x" }), "patch-manager-org:organisation", 'did you mean "organization"');
        cellRefused(0, { region: ["eu-west-1"] }, "", 'unknown key "region"', 'did you mean "regions"');
        cellRefused(0, { settings: { timezon: "UTC" } }, ".settings.timezon", 'did you mean "timezone"');
    });

    it("refuses a template that does not exist, naming the templates", () => {
        cellRefused(0, { template: "standrd" }, ".template", 'did you mean "standard"', '"standard", "production"');
    });

    it("refuses environment or regions inside settings: the cell sets them", () => {
        cellRefused(0, { settings: { environment: "production" } }, ".settings.environment", "set by the cell");
    });

    it("refuses a cell whose merged settings the program refuses, at the cell's key path", () => {
        cellRefused(3, { settings: { window: "weekly" } }, ".settings.window", '"weekday"');
        orgRefused(
            withOrg({
                cells: cellsWith(0, {
                    settings: {
                        patchGroups: [
                            { name: "Web", operatingSystem: "WINDOWS", schedule: { cron: "cron(00 23-5 ? * THU#1 *)", durationHours: 6 } },
                        ],
                    },
                }),
            }),
            "patch-manager-org:cells[0].settings.patchGroups[0].schedule.cron",
        );
    });

    it("names the template when a template's setting is bad, for each cell using it", () => {
        const values = exampleValues();
        values.templates.production.timezone = "Europe/Amsteram";
        const lines = orgProblems(values);
        // cells[5] sets its own timezone: only the cells that take the template's are refused.
        assert.deepEqual(
            lines.map((l) => l.split(": ")[1]),
            [
                "patch-manager-org:templates.production.timezone (template of cells[3])",
                "patch-manager-org:templates.production.timezone (template of cells[4])",
            ],
        );
        assert.match(lines[0], /"Europe\/Amsteram" is not an IANA timezone/);
    });

    it("requires organization, repository, OUs and cells, and reports every problem at once", () => {
        const lines = orgProblems({ cells: [{ account: "1", environment: "prod", regions: [] }] });
        const paths = lines.map((l) => l.split(": ")[1]);
        for (const p of [
            "patch-manager-org:organization",
            "patch-manager-org:repository",
            "patch-manager-org:organizationalUnits",
            "patch-manager-org:cells[0].account",
            "patch-manager-org:cells[0].environment",
            "patch-manager-org:cells[0].regions",
        ])
            assert.ok(paths.includes(p), `${p} in:\n${lines.join("\n")}`);
    });

    it("reports a bad cell's problems without hiding the other cells' (settings, templates)", () => {
        const values = exampleValues();
        values.cells[0].account = "12345";
        values.cells[3].settings = { window: "weekly" };
        values.templates.production.timezone = "Europe/Amsteram";
        const paths = orgProblems(values).map((l) => l.split(": ")[1]);
        assert.deepEqual(paths, [
            "patch-manager-org:cells[0].account",
            "patch-manager-org:cells[3].settings.window",
            "patch-manager-org:templates.production.timezone (template of cells[3])",
            "patch-manager-org:templates.production.timezone (template of cells[4])",
        ]);
    });

    it("refuses OU ids that are not OU or root ids, and a session longer than the role's hour", () => {
        orgRefused(withOrg({ organizationalUnits: ["sandbox"] }), "patch-manager-org:organizationalUnits[0]", "ou-xxxx-xxxxxxxx");
        orgRefused(withOrg({ sessionDurationSeconds: 7200 }), "patch-manager-org:sessionDurationSeconds", "at most 3600");
    });
});

describe("org config: githubActions (self-managed backends)", () => {
    it("is off by default; {} asks for the workflow's role under its default name, which the workflow then assumes", () => {
        assert.equal(parseOrg(exampleValues()).githubActions, undefined);
        assert.deepEqual(parseOrg(withOrg({ githubActions: {} })).githubActions, { roleName: "patch-manager-github-actions" });
        assert.deepEqual(parseOrg(withOrg({ githubActions: { roleName: "gh-patching" } })).githubActions, { roleName: "gh-patching" });
    });

    it("refuses a bad role name or an unknown key at its key path", () => {
        orgRefused(
            withOrg({ githubActions: { roleName: "no spaces allowed" } }),
            "patch-manager-org:githubActions.roleName",
            "IAM role name",
        );
        orgRefused(withOrg({ githubActions: { role: "x" } }), "patch-manager-org:githubActions", 'unknown key "role"');
    });
});
