// Wave order: each Patch Tuesday release reaches a stack's monthly waves in the order their
// schedules intend (tools/fleet/waveOrder.ts), over every shipped stack.
import { strict as assert } from "assert";
import { parseConfig } from "../../../config";
import { windowOperation, windowPlan, windowSummary } from "../../../config/windowPlan";
import { checkWaveOrder, fleetStack, patchTuesday } from "../../../tools/fleet";
import { projectValues, StackConfig } from "../../../tools/mock/mockProgram";
import { SHIPPED_STACKS, shippedConfig, withConfig } from "../../helpers";

const FROM = new Date("2026-01-01T00:00:00Z");

function stackOf(name: string, config: StackConfig) {
    const model = parseConfig(projectValues(config), name);
    const windows = windowPlan(model).map((w) => ({ ...windowSummary(w), operation: windowOperation(w) }));
    return fleetStack(model, windows, config.values);
}

describe("tools/fleet/waveOrder", function () {
    it("patchTuesday: the second Tuesday of the month (Microsoft's release days of 2026)", function () {
        // Microsoft Security Update Guide release notes: 2026-01-13, 2026-02-10, 2026-03-10, 2026-12-08.
        assert.deepEqual(
            [0, 1, 2, 11].map((m) => patchTuesday(2026, m).toISOString().slice(0, 10)),
            ["2026-01-13", "2026-02-10", "2026-03-10", "2026-12-08"],
        );
    });

    it("the waves of the first Tuesday and Thursdays with 7 days' approval get most releases out of order (issue 22)", function () {
        // The layout the shipped production stacks had: Management TUE#1, Web THU#1, Application THU#2, Database THU#3.
        const base = shippedConfig("prod");
        const groups = (JSON.parse(base.values["patch-manager:patchGroups"]) as any[]).map((g) => {
            const cron = { "Management Server": "TUE#1", "Web Server": "THU#1", "Application Server": "THU#2", "Database Server": "THU#3" }[
                g.name as string
            ];
            return cron
                ? {
                      name: g.name,
                      operatingSystem: g.operatingSystem,
                      schedule: { cron: `cron(0 23 ? * ${cron} *)`, durationHours: 6, cutoffHours: 1 },
                  }
                : g;
        });
        const findings = checkWaveOrder([stackOf("prod", withConfig(base, { patchGroups: groups, approveAfterDays: 7 }))], {
            from: FROM,
            days: 365,
        });
        const days = findings.flatMap((f) => f.releaseDays);
        assert.ok(days.length >= 6, `${days.length} of 12 releases out of order: ${findings.map((f) => f.message).join("\n")}`);
        assert.deepEqual(findings[0].intendedOrder, ["Management Server", "Web Server", "Application Server", "Database Server"]);
        assert.match(findings[0].message, /Database Server/);
    });

    for (const name of SHIPPED_STACKS)
        it(`${name}: every release of the coming year reaches the waves in their intended order`, function () {
            const findings = checkWaveOrder([stackOf(name, shippedConfig(name))], { from: FROM, days: 365 });
            assert.deepEqual(
                findings.map((f) => f.message),
                [],
            );
        });
});
