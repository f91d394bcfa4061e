// patch-manager:patchGroups[].hybrid: defaults and refusals with their key paths.
import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { projectValues } from "../../tools/mock/mockProgram";
import { problems, raw, shippedConfig } from "../helpers";

/** Exactly one problem, at `path`, containing each fragment. */
function refused(groups: unknown[], path: string, ...fragments: string[]): void {
    const lines = problems({ environment: "production", patchGroups: groups });
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.ok(lines[0].startsWith(`Pulumi.test.yaml: ${path}: `), lines[0]);
    for (const f of fragments) assert.ok(lines[0].includes(f), `"${lines[0]}" should contain "${f}"`);
}

const groups = (hybrid: unknown) => [
    { name: "Windows", operatingSystem: "WINDOWS" },
    { name: "RHEL", operatingSystem: "REDHAT_ENTERPRISE_LINUX" },
    { name: "Web Server", operatingSystem: "WINDOWS", hybrid },
];

describe("config: patchGroups[].hybrid", function () {
    it("is off by default, and on with the limit given and codes valid 1 day (SSM's 24 hours) unless set", function () {
        const config = parseConfig(raw({ environment: "production", patchGroups: groups({ registrationLimit: 5 }) }), "test");
        assert.equal(config.patchGroups[0].hybrid, undefined);
        assert.deepEqual(config.patchGroups[2].hybrid, { registrationLimit: 5, expiresInDays: 1 });
        const week = parseConfig(
            raw({ environment: "production", patchGroups: groups({ registrationLimit: 1000, expiresInDays: 30 }) }),
            "test",
        );
        assert.deepEqual(week.patchGroups[2].hybrid, { registrationLimit: 1000, expiresInDays: 30 });
    });

    it("the example stack turns it on for Web Server (25, 7 days) and RHEL (10, default)", function () {
        const config = parseConfig(projectValues(shippedConfig("prod-hybrid")), "prod-hybrid");
        const hybrid = Object.fromEntries(config.patchGroups.filter((g) => g.hybrid).map((g) => [g.name, g.hybrid]));
        assert.deepEqual(hybrid, {
            "Web Server": { registrationLimit: 25, expiresInDays: 7 },
            RHEL: { registrationLimit: 10, expiresInDays: 1 },
        });
    });

    it("refuses a registration limit below 1 or above the API's 1000, or not whole", function () {
        const path = "patch-manager:patchGroups[2].hybrid.registrationLimit";
        refused(groups({ registrationLimit: 0 }), path, "must be a whole number of servers from 1 to 1000");
        refused(groups({ registrationLimit: 1001 }), path, "from 1 to 1000");
        refused(groups({ registrationLimit: 2.5 }), path, "whole number");
        refused(groups({ registrationLimit: "10" }), path, "whole number");
    });

    it("requires the registration limit: there is no limit a user would choose without thinking", function () {
        refused(groups({ expiresInDays: 3 }), "patch-manager:patchGroups[2].hybrid.registrationLimit", "from 1 to 1000");
    });

    it("refuses an expiry beyond SSM's 30 days, below 1 day, or not whole", function () {
        const path = "patch-manager:patchGroups[2].hybrid.expiresInDays";
        refused(groups({ registrationLimit: 5, expiresInDays: 31 }), path, "must be a whole number of days from 1 to 30");
        refused(groups({ registrationLimit: 5, expiresInDays: 0 }), path, "from 1 to 30");
        refused(groups({ registrationLimit: 5, expiresInDays: 0.5 }), path, "whole number");
    });

    it("refuses unknown keys and a non-object, naming the valid keys", function () {
        refused(
            groups({ registrationLimit: 5, expiresInHours: 12 }),
            "patch-manager:patchGroups[2].hybrid",
            '"expiresInHours"',
            "valid keys are registrationLimit, expiresInDays",
        );
        refused(groups(true), "patch-manager:patchGroups[2].hybrid", "must be a map {registrationLimit, expiresInDays?}");
    });
});
