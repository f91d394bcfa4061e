// Exemptions end to end on the example stack prod-strategies (App Server: openssl-3.2.2*, until
// 2027-03-01 in Europe/Amsterdam, the baseline also written as BaselineOverride): the program at
// the plan's --from, the pack's two rules with the key that fixes them, the plan's JSON and text.
import { strict as assert } from "assert";
import * as path from "path";
import { EXEMPTION_TAG_PREFIX, TYPES } from "@patch-manager/ssm";
import { exemptionPolicies } from "../../../policies/baselines";
import { planStack, renderExemptions } from "../../../tools/plan/plan";
import { runResourcePolicy } from "../../policies/harness";
import { baselineInputs } from "../../policies/resources";
import { ROOT } from "../../helpers";

const FILE = path.join(ROOT, "Pulumi.prod-strategies.yaml");
const PATCH = "openssl-3.2.2*";
/** 2027-03-01 00:00 in Amsterdam (CET, UTC+1). */
const END = "2027-02-28T23:00:00.000Z";

async function planAt(from: string) {
    return planStack({ stack: "prod-strategies", configFile: FILE, from: new Date(from), occurrences: 1 });
}

const baselineOf = (p: Awaited<ReturnType<typeof planAt>>) =>
    p.resources.find((r) => r.type === TYPES.patchBaseline && String(r.inputs.name).endsWith("central-al2023"))!;
const overrideOf = (p: Awaited<ReturnType<typeof planAt>>) =>
    p.allResources.find((r) => String(r.inputs.key ?? "").includes("central-al2023") && typeof r.inputs.content === "string")!;

describe("plan: exemptions", function () {
    it("in force: the baseline and its BaselineOverride file reject the patch; 9 days before the end the pack reminds, naming the key", async function () {
        const p = await planAt("2027-02-20T00:00:00Z");
        assert.ok((baselineOf(p).inputs.rejectedPatches as string[]).includes(PATCH));
        assert.equal((baselineOf(p).inputs.tags as Record<string, string>)[`${EXEMPTION_TAG_PREFIX}0`], END);
        const override = JSON.parse(String(overrideOf(p).inputs.content)) as { RejectedPatches: string[] }[];
        assert.ok(override[0].RejectedPatches.includes(PATCH), "the override file carries the exemption");
        const reminders = p.violations.filter((v) => v.policy === "exemption-expiring");
        assert.equal(reminders.length, 1);
        assert.equal(reminders[0].level, "advisory");
        assert.equal(reminders[0].configKey, "patch-manager:exemptions[0].until");
        assert.deepEqual(
            p.exemptions?.map((e) => [e.configKey, e.inForce, e.daysLeft]),
            [["patch-manager:exemptions[0]", true, 9]],
        );
        assert.match(renderExemptions(p.exemptions).join("\n"), /in force until 2027-03-01: 9 days left · CHG-20417/);
    });

    it("from the end on: left out of the baseline and the override file, shown as ended, no finding", async function () {
        const p = await planAt(END);
        assert.ok(!(baselineOf(p).inputs.rejectedPatches as string[]).includes(PATCH));
        assert.ok(!String(overrideOf(p).inputs.content).includes(PATCH));
        assert.equal(p.violations.filter((v) => v.policy.startsWith("exemption-")).length, 0);
        assert.equal(p.exemptions?.[0].inForce, false);
        assert.match(renderExemptions(p.exemptions).join("\n"), /ended 2027-03-01/);
    });
});

describe("policies: exemption-expired / exemption-expiring", function () {
    const [expired, expiring] = exemptionPolicies(() => new Date("2027-03-10T00:00:00Z"));
    const tagged = (endsAt: string) => ({ ...baselineInputs(), tags: { ...baselineInputs().tags, [`${EXEMPTION_TAG_PREFIX}3`]: endsAt } });

    it("flags a baseline still rejecting an exemption past its end (a stack not deployed since), naming the exemption", async function () {
        const { messages } = await runResourcePolicy(expired, TYPES.patchBaseline, tagged("2027-03-01T00:00:00.000Z"));
        assert.equal(messages.length, 1);
        assert.match(messages[0], /patch-manager:exemptions\[3\], which ended 2027-03-01/);
        assert.equal(expired.enforcementLevel, "mandatory");
        assert.deepEqual((await runResourcePolicy(expiring, TYPES.patchBaseline, tagged("2027-03-01T00:00:00.000Z"))).messages, []);
    });

    it("reminds within 14 days of the end, and not before", async function () {
        assert.equal((await runResourcePolicy(expiring, TYPES.patchBaseline, tagged("2027-03-24T00:00:00.000Z"))).messages.length, 1);
        assert.equal((await runResourcePolicy(expiring, TYPES.patchBaseline, tagged("2027-03-24T00:00:01.000Z"))).messages.length, 0);
        assert.equal(expiring.enforcementLevel, "advisory");
        assert.deepEqual((await runResourcePolicy(expired, TYPES.patchBaseline, tagged("2027-03-24T00:00:00.000Z"))).messages, []);
    });
});
