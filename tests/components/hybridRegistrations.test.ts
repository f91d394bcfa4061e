// What `registrationLimit` caps, replayed: SSM counts registrations per activation
// (CreateActivation RegistrationLimit: "the maximum number of managed nodes you want to register"
// with that activation), and every renewal creates a new activation with the full limit. A month of
// hourly `pulumi up --refresh` runs with a server registering whenever a code has room admits
// exactly the bound the plan and the stack output state, which is more than the limit: the plan
// must say "per code", not present it as a total.
import { strict as assert } from "assert";
import { activationRotationHours, registrationsOverTime } from "../../components/hybrid";
import { parseConfig } from "../../config";
import { renderActivations } from "../../tools/plan/plan";
import { projectValues } from "../../tools/mock/mockProgram";
import { evaluate, shippedConfig } from "../helpers";

/** Hourly refreshes for `days`: a time.Rotating replaced once its rotation time passed, each replacement a new activation. */
function replay(hybrid: { registrationLimit: number; expiresInDays: number }, days: number): number {
    const rotation = activationRotationHours(hybrid);
    let base = 0;
    let room = hybrid.registrationLimit;
    let registered = 0;
    for (let hour = 0; hour <= days * 24; hour++) {
        if (hour >= base + rotation) {
            base = hour;
            room = hybrid.registrationLimit; // a new activation: RegistrationLimit counts from zero
        }
        registered += room; // a rogue holder of the code registers as many as it allows
        room = 0;
    }
    return registered;
}

describe("hybrid: what registrationLimit caps (per activation code, renewed with the full limit)", function () {
    it("over 30 days of renewals the servers admitted reach the stated bound, above the limit", function () {
        const model = parseConfig(projectValues(shippedConfig("prod-hybrid")), "prod-hybrid");
        const hybrids = model.patchGroups.flatMap((g) => (g.hybrid ? [g.hybrid] : []));
        assert.ok(hybrids.length > 0);
        for (const h of hybrids) {
            const admitted = replay(h, 30);
            assert.equal(registrationsOverTime(h, 30), admitted, JSON.stringify(h));
            assert.ok(admitted > h.registrationLimit, "renewals admit more than one code's limit");
        }
    });

    it("the plan says the limit is per code and states the 30-day bound of each group", async function () {
        const stack = await evaluate("prod-hybrid");
        const lines = renderActivations(stack.resources as any).join("\n");
        const model = parseConfig(projectValues(shippedConfig("prod-hybrid")), "prod-hybrid");
        for (const g of model.patchGroups.filter((x) => x.hybrid)) {
            assert.match(lines, new RegExp(`${g.name}  up to ${g.hybrid!.registrationLimit} servers per code`));
            assert.match(lines, new RegExp(`up to ${replay(g.hybrid!, 30)} servers within 30 days`));
        }
    });
});
