import { strict as assert } from "assert";
import { problems } from "../helpers";

const prod = { environment: "production" };
const group = (schedule: Record<string, unknown>) => ({
    ...prod,
    patchGroups: [{ name: "Web Server", operatingSystem: "WINDOWS", schedule: { cron: "cron(0 23 ? * THU#1 *)", ...schedule } }],
});

describe("config: a typo is reported as a typo, a bad value is repeated", function () {
    it("a misspelt nested key: the likely typo, and not also the required key it stands for", function () {
        assert.deepEqual(problems(group({ durationHour: 6 })), [
            'Pulumi.test.yaml: patch-manager:patchGroups[0].schedule: unknown key "durationHour"; did you mean "durationHours"? valid keys are cron, patchTuesday, durationHours, cutoffHours, offsetDays',
        ]);
    });

    it("a required key that is missing without a typo nearby is still reported, after the unknown key", function () {
        assert.deepEqual(
            problems(group({ colour: "blue" })).map((l) => l.replace(/; valid keys are .*/, "")),
            [
                'Pulumi.test.yaml: patch-manager:patchGroups[0].schedule: unknown key "colour"',
                "Pulumi.test.yaml: patch-manager:patchGroups[0].schedule.durationHours: is required: must be a whole number of hours from 1 to 24",
            ],
        );
    });

    it("a misspelt key beside a bad value of its own: both, the typo first", function () {
        const lines = problems(group({ durationHours: 30, cutofHours: 1 }));
        assert.equal(lines.length, 2);
        assert.match(lines[0], /schedule: unknown key "cutofHours"; did you mean "cutoffHours"\?/);
        assert.match(lines[1], /schedule\.durationHours: must be a whole number of hours from 1 to 24, got 30$/);
    });

    it("a misspelt top-level key names the key it meant", function () {
        assert.match(
            problems({ ...prod, timezon: "UTC" })[0],
            /^Pulumi\.test\.yaml: patch-manager:timezon: unknown key; did you mean patch-manager:timezone\? The keys are environment, /,
        );
    });

    it("type and range errors repeat the value given", function () {
        assert.deepEqual(problems({ ...prod, approveAfterDays: 400 }), [
            "Pulumi.test.yaml: patch-manager:approveAfterDays: must be a whole number of days from 0 to 360, got 400",
        ]);
        assert.match(problems(group({ durationHours: "6" }))[0], /durationHours: must be a whole number of hours from 1 to 24, got "6"$/);
        assert.match(problems(group({ durationHours: 2.5 }))[0], /got 2\.5$/);
        assert.match(
            problems({ ...prod, compliance: { dailyScan: "yes" } })[0],
            /compliance\.dailyScan: must be true or false, got "yes"$/,
        );
    });
});
