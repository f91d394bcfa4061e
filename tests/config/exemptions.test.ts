// patch-manager:exemptions: patches rejected in the baselines of the named groups or baselines
// until a date (00:00 in the stack's zone), left out from then on; every problem at its key path.
import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { problems, raw, refused } from "../helpers";

// The SSM API model (botocore ssm/2014-11-06/service-2.json, read with botocore 1.43.11):
// "PatchIdList": {"type": "list", "member": {"shape": "PatchId"}, "max": 50, "min": 0}
// "PatchId": {"type": "string", "max": 100, "min": 1}
// "PatchAction": {"type": "string", "enum": ["ALLOW_AS_DEPENDENCY", "BLOCK"]}
const PATCH_ID_LIST_MAX = 50;
const PATCH_ID_MAX = 100;

const groups = [
    { name: "App", operatingSystem: "AMAZON_LINUX_2023", baseline: "al2023" },
    { name: "Web", operatingSystem: "WINDOWS" },
];
const baselines = [{ name: "al2023", operatingSystem: "AMAZON_LINUX_2023", rejectedPatches: ["telnet*"] }];
const base = { environment: "development", timezone: "Europe/Amsterdam", patchGroups: groups, baselines };
const exemption = { patches: ["openssl-3.2.2*"], groups: ["App"], reason: "breaks TLS", ticket: "CHG-1", until: "2027-03-01" };

/** Amsterdam is UTC+1 in winter (CET): 2027-03-01 00:00 there is 2027-02-28 23:00 UTC. */
const justBefore = new Date("2027-02-28T22:59:59Z");
const atEnd = new Date("2027-02-28T23:00:00Z");

const at = (now: Date, values: Record<string, unknown> = {}) =>
    parseConfig(raw({ ...base, exemptions: [exemption], ...values }), "test", "Pulumi.test.yaml", { now });
const baseline = (m: ReturnType<typeof parseConfig>, name: string) => m.baselines.find((b) => b.name === name)!;

describe("exemptions", function () {
    it("rejects the patches in the baseline of the named group until 00:00 of until in the stack's zone, then leaves them out", function () {
        const before = at(justBefore);
        assert.deepEqual(baseline(before, "al2023").rejectedPatches, ["telnet*", "openssl-3.2.2*"]);
        assert.deepEqual(before.exemptions[0].inForce, true);
        assert.equal(before.exemptions[0].daysLeft, 1);
        const after = at(atEnd);
        assert.deepEqual(baseline(after, "al2023").rejectedPatches, ["telnet*"]);
        assert.equal(after.exemptions[0].inForce, false);
        // The Windows group's baseline is untouched either way.
        assert.deepEqual(baseline(before, "default-windows").rejectedPatches, []);
    });

    it("names baselines directly, the generated ones too, and applies the action it asks for", function () {
        const m = at(justBefore, {
            exemptions: [{ patches: ["KB5034441"], baselines: ["default-windows"], until: "2027-03-01", action: "ALLOW_AS_DEPENDENCY" }],
        });
        const windows = baseline(m, "default-windows");
        assert.deepEqual(windows.rejectedPatches, ["KB5034441"]);
        assert.equal(windows.rejectedPatchesAction, "ALLOW_AS_DEPENDENCY");
        assert.deepEqual(windows.exemptions, [{ index: 0, endsAt: atEnd.toISOString() }]);
    });

    it("refuses a group or baseline that does not exist, at its path", function () {
        refused(
            { ...base, exemptions: [{ ...exemption, groups: ["Ap"] }] },
            "patch-manager:exemptions[0].groups[0]",
            '"Ap" is not a patch group',
            '"App"',
        );
        refused(
            { ...base, exemptions: [{ ...exemption, groups: undefined, baselines: ["nope"] }] },
            "patch-manager:exemptions[0].baselines[0]",
            '"nope" is not a baseline',
        );
    });

    it("refuses groups and baselines together, and neither", function () {
        refused({ ...base, exemptions: [{ ...exemption, baselines: ["al2023"] }] }, "patch-manager:exemptions[0]", "exactly one");
        refused({ ...base, exemptions: [{ ...exemption, groups: undefined }] }, "patch-manager:exemptions[0]", "exactly one");
    });

    it("requires reason and ticket in production only", function () {
        const lines = problems({
            ...base,
            environment: "production",
            exemptions: [{ ...exemption, reason: undefined, ticket: undefined }],
        });
        assert.deepEqual(
            lines.map((l) => l.split(": ")[1]),
            ["patch-manager:exemptions[0].reason", "patch-manager:exemptions[0].ticket"],
        );
        assert.doesNotThrow(() => at(justBefore, { exemptions: [{ ...exemption, reason: undefined, ticket: undefined }] }));
    });

    it("refuses a bad date, an empty patch list, an unknown action and a patch id longer than the API allows", function () {
        refused({ ...base, exemptions: [{ ...exemption, until: "2027-02-30" }] }, "patch-manager:exemptions[0].until", "not a date");
        refused({ ...base, exemptions: [{ ...exemption, patches: [] }] }, "patch-manager:exemptions[0].patches", "at least one patch");
        refused(
            { ...base, exemptions: [{ ...exemption, action: "DENY" }] },
            "patch-manager:exemptions[0].action",
            "ALLOW_AS_DEPENDENCY",
            "BLOCK",
        );
        refused(
            { ...base, exemptions: [{ ...exemption, patches: ["x".repeat(PATCH_ID_MAX + 1)] }] },
            "patch-manager:exemptions[0].patches[0]",
        );
        refused({ ...base, exemptions: [{ ...exemption, groupz: ["App"] }] }, "patch-manager:exemptions[0]", 'did you mean "groups"');
    });

    it("counts the baseline's own rejections and every exemption against SSM's 50, in force or not", function () {
        const many = Array.from({ length: PATCH_ID_LIST_MAX }, (_, i) => `pkg-${i}`);
        // 50 + telnet* = 51, although the exemption has ended at the instant checked.
        const lines = problems({ ...base, exemptions: [{ ...exemption, patches: many, until: "2020-01-01" }] });
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(lines[0], /exemptions\[0\]\.patches: baseline "al2023" would reject 51 patches/);
        assert.doesNotThrow(() => at(justBefore, { exemptions: [{ ...exemption, patches: many.slice(1) }] }));
    });

    it("refuses two actions for one baseline: SSM has one rejectedPatchesAction per baseline", function () {
        refused(
            {
                ...base,
                baselines: [{ ...baselines[0], rejectedPatchesAction: "BLOCK" }],
                exemptions: [{ ...exemption, action: "ALLOW_AS_DEPENDENCY" }],
            },
            "patch-manager:exemptions[0].action",
            "one rejectedPatchesAction",
        );
    });
});
