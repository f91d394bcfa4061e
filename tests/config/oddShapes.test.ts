// Shapes a review found the typed checks and the component's args had to meet: every one is a
// ConfigError at its key (never a crash), or read exactly as the stack config would read it.
import { strict as assert } from "assert";
import { ConfigError, parseConfig } from "../../config";
import { shown } from "../../config/errors";
import { patchManagerConfig } from "../../components/patchManager";
import { raw, refused } from "../helpers";

const prod = { environment: "production", operation: "Install" };
const group = (extra: Record<string, unknown>) => ({ name: "Web Server", operatingSystem: "WINDOWS", ...extra });

describe("config: odd shapes at the edges of the typed checks", function () {
    it("a daily scan beside a rate(...) window with an offset is refused at the offset, not a crash", function () {
        for (const cron of ["rate(7 days)", "at(2030-01-01T00:00:00)"]) {
            const values = {
                ...prod,
                compliance: { dailyScan: true },
                patchGroups: [group({ schedule: { cron, durationHours: 2, offsetDays: 2 } })],
            };
            assert.throws(() => parseConfig(raw(values), "test"), ConfigError);
            refused(values, "patch-manager:patchGroups[0].schedule.offsetDays", "cron(...)");
        }
    });

    it("a reboot window is checked as SSM checks a window: its cutoff and its offset", function () {
        refused(
            { ...prod, patchGroups: [group({ rebootWindow: { cron: "cron(0 2 ? * SUN *)", durationHours: 2, cutoffHours: 2 } })] },
            "patch-manager:patchGroups[0].rebootWindow.cutoffHours",
            "less than durationHours",
        );
        refused(
            { ...prod, patchGroups: [group({ rebootWindow: { cron: "rate(7 days)", durationHours: 2, offsetDays: 2 } })] },
            "patch-manager:patchGroups[0].rebootWindow.offsetDays",
            "cron(...)",
        );
    });

    it('a "__proto__" map key is refused where it stands (an object would drop it without a word)', function () {
        const hooks = JSON.parse('{"__proto__": {"preInstall": "AWS-RunShellScript"}}');
        refused({ ...prod, safeStops: { hooks } }, "patch-manager:safeStops.hooks.__proto__", "prototype");
        refused({ ...prod, tags: JSON.parse('{"__proto__": "x"}') }, "patch-manager:tags.__proto__", "prototype");
        refused({ ...prod, patchGroups: [group({ name: "__proto__" })] }, "patch-manager:patchGroups[0].name", "__proto__");
    });

    it("a value in a message is shown as written, a bigint too", function () {
        assert.equal(shown(7n), "7n");
        assert.equal(shown(undefined), "(not set)");
    });

    it("component args read as the stack config reads them: text for a number or list, own data only", function () {
        const byText = patchManagerConfig("p", { ...prod, stack: "s", approveAfterDays: "7" as unknown as number });
        assert.equal(byText.approveAfterDays, 7);
        // An inherited property is not the caller's setting (as JSON, or another language, would carry it).
        const logging = Object.create({ kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234" });
        assert.equal(patchManagerConfig("p", { ...prod, stack: "s", logging }).logging.kmsKeyArn, undefined);
    });
});
