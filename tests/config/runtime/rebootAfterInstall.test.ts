// Reboot after install: every install run of a NoReboot group is followed by its reboot window
// within patch-manager:rebootWithinHours (AWS-RunPatchBaseline, RebootOption NoReboot: the node is
// non-compliant, InstalledPendingReboot, "until it reboots and is scanned again").
import { strict as assert } from "assert";
import { ConfigError, parseConfig } from "../../../config";
import { projectValues } from "../../../tools/mock/mockProgram";
import { shippedConfig, withConfig } from "../../helpers";

const base = shippedConfig("prod-strategies");
const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
const problems = (values: Record<string, unknown>) => {
    try {
        parseConfig(projectValues(withConfig(base, values)), "prod-strategies");
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
        throw e;
    }
};

describe("config/runtime/rebootAfterInstall: patch-manager:rebootWithinHours", function () {
    it("the example's former reboot window (Sunday 02:00 after Saturday and Sunday installs) leaves Sunday's installs pending for six days", function () {
        const former = groups.map((g, i) =>
            i === 0 ? { ...g, rebootWindow: { cron: "cron(0 2 ? * SUN *)", durationHours: 3, cutoffHours: 1 } } : g,
        );
        const found = problems({ patchGroups: former });
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^patch-manager:patchGroups\[0\]\.rebootWindow\.cron: .*Database Server.* only \d+ hours later/);
        assert.ok(Number(/only (\d+) hours/.exec(found[0])![1]) > 24 * 6, "six days and more");
        // A user who accepts a week states it.
        assert.deepEqual(problems({ patchGroups: former, rebootWithinHours: 168 }), []);
    });

    it("the shipped example reboots within the default bound; the key takes 1 to 168 hours", function () {
        assert.deepEqual(problems({}), []);
        assert.match(problems({ rebootWithinHours: 0 }).join("\n"), /^patch-manager:rebootWithinHours: /m);
        assert.match(problems({ rebootWithinHours: 200 }).join("\n"), /^patch-manager:rebootWithinHours: /m);
        // The example closes its install windows at 11:00 and reboots at 12:00: one hour.
        assert.deepEqual(problems({ rebootWithinHours: 1 }), []);
    });
});
