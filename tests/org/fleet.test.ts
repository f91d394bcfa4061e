import { strict as assert } from "assert";
import type { FleetWindow } from "../../tools/fleet";
import { evaluateProgram } from "../../tools/mock/mockProgram";
import { windowsOf } from "../../tools/plan/windows";
import { cellFleetStack } from "../../org/tools/cells";
import { plan } from "../helpers";
import { exampleValues, parseOrg, withOrg } from "./helpers";

const FROM = "2026-12-01T00:00:00Z";

/** What the fleet checks read of a window. */
function comparable(w: FleetWindow) {
    const { name, schedule, timezone, durationHours, patchGroups, operation, region } = w;
    return { name, schedule, timezone, durationHours, patchGroups, operation, region };
}

describe("org fleet: the fleet checks over the cells' settings", () => {
    it("derives each cell's windows exactly as the program creates them (multi-region cell, scheduled group)", async () => {
        const org = parseOrg(exampleValues());
        for (const cell of [org.cells[1], org.cells[4]]) {
            const { resources } = await evaluateProgram({ stack: cell.stack, config: { values: { ...cell.values }, secretKeys: [] } });
            const planned = windowsOf(resources, new Date(FROM), 1).map(comparable);
            const derived = cellFleetStack(cell).windows.map(comparable);
            const key = (w: { region?: string; name: string }) => `${w.region} ${w.name}`;
            assert.deepEqual(
                derived.sort((a, b) => key(a).localeCompare(key(b))),
                planned.sort((a, b) => key(a).localeCompare(key(b))),
                cell.stack,
            );
        }
    });

    it("runs --all over the example's cells: every cell, account-pinned quota, no findings", async () => {
        const out = await plan("--project", "org", "--stack", "example", "--all", "--json", "--from", FROM);
        assert.equal(out.code, 0, out.stderr);
        const doc = JSON.parse(out.stdout);
        assert.equal(doc.stacks.length, 6);
        const quota = doc.quota.find((q: any) => q.account === "555555555555" && q.region === "eu-central-1");
        assert.equal(quota.windows, 2); // the weekend window and the Web Server wave, in each of its regions
        assert.deepEqual(doc.findings, []);
    });

    it("finds production installing before non-production has soaked, as a blocking finding", async () => {
        const values = exampleValues();
        values.templates.production.approveAfterDays = 0;
        values.templates.standard.approveAfterDays = 14;
        const org = parseOrg(values);
        const { analyzeFleet } = await import("../../tools/fleet");
        const report = analyzeFleet(org.cells.map(cellFleetStack), { from: new Date(FROM), days: 60, soakDays: 3 });
        const rollout = report.findings.filter((f) => f.check === "rollout-order");
        assert.ok(rollout.length > 0);
        assert.ok(rollout.every((f) => f.stack.startsWith("production-")));
    });

    it("finds two cells registering the same patch group in one account and region (blocking)", () => {
        const cells = exampleValues().cells;
        cells.push({ account: "555555555555", environment: "acceptance", regions: ["eu-central-1"], template: "production" });
        const org = parseOrg(withOrg({ cells }));
        const { checkSharedGroups } = require("../../tools/fleet");
        const shared = checkSharedGroups(org.cells.map(cellFleetStack));
        assert.equal(shared.length, 1);
        assert.equal(shared[0].level, "blocking");
        assert.equal(shared[0].account, "555555555555");
        assert.equal(shared[0].region, "eu-central-1");
    });

    it("counts windows per account and region against the quota of 50", () => {
        const groups = Array.from({ length: 26 }, (_, i) => ({
            name: `Wave ${i}`,
            operatingSystem: "WINDOWS",
            schedule: { cron: `cron(0 ${i % 24} ? * SUN *)`, durationHours: 2, cutoffHours: 1 },
        }));
        const cells = [
            { account: "777777777777", environment: "test", regions: ["eu-west-1"], settings: { patchGroups: groups } },
            {
                account: "777777777777",
                environment: "development",
                regions: ["eu-west-1"],
                settings: { patchGroups: groups.map((g) => ({ ...g, name: `Dev ${g.name}` })) },
            },
        ];
        const org = parseOrg(withOrg({ cells }));
        const { checkQuota } = require("../../tools/fleet");
        const [finding] = checkQuota(org.cells.map(cellFleetStack));
        assert.equal(finding.windows, 52);
        assert.equal(finding.account, "777777777777");
        assert.equal(finding.region, "eu-west-1");
    });
});
