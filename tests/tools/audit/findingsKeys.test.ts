// The config key of a finding comes from the property its rule names (policies/util.ts `report`),
// never from the message's wording: the pack's real rules run on this program's stacks, changed so
// that each rule that can point at a config key finds something, and then every message is
// reworded (any text, another finding's message, a message naming other keys) without a key,
// a property or a valid value changing.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { AuditResource, Violation, runPolicies } from "../../../tools/audit/engine";
import { ActionableViolation, withConfigKeys } from "../../../tools/audit/findings";
import { auditResourcesOf } from "../../../tools/mock/mockProgram";
import { evaluate, shippedConfig, withConfig } from "../../helpers";

interface Scenario {
    violations: Violation[];
    resources: AuditResource[];
    values: Record<string, string>;
}

const P = "patch-manager:";
const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
const ACTIVATION = "aws:ssm/activation:Activation";
const DAY_MS = 86_400_000;
/** The time the date rules run at in these scenarios (their policy config `now`). */
const AUDIT_NOW = "2026-12-01T00:00:00Z";

/** One stack evaluated with `changes` to its config, its audit resources edited by `edit`, and the pack's findings. */
async function scenario(
    stack: string,
    changes: (groups: any[]) => Record<string, unknown>,
    edit: (resources: AuditResource[]) => void = () => {},
    policyConfig?: Record<string, unknown>,
): Promise<Scenario> {
    const base = shippedConfig(stack);
    const config = withConfig(base, changes(JSON.parse(base.values[`${P}patchGroups`])));
    const resources = auditResourcesOf((await evaluate(stack, config)).resources);
    edit(resources);
    const violations = await runPolicies(resources, { stackName: stack, projectName: "patch-manager", config: policyConfig as any });
    return { violations, resources, values: config.values };
}

const byName = (resources: AuditResource[], type: string, fragment: string) => {
    const found = resources.filter((r) => r.type === type && r.name.includes(fragment));
    assert.equal(found.length, 1, `one ${type} named like ${fragment}`);
    return found[0];
};

/** The keys each mapped rule's findings get, `resource-name-fragment configKey`, sorted. */
const keysOf = (out: ActionableViolation[], policy: string) =>
    out
        .filter((v) => v.policy === policy)
        .map((v) => `${v.urn.slice(v.urn.lastIndexOf("::") + 2)} ${v.configKey}`)
        .sort();

describe("findings carry their config key from the rule's property, not its message", function () {
    this.timeout(120000);
    const scenarios: Scenario[] = [];

    before(async () => {
        // The stack's rate control above the production ceiling, a task's maxErrors that SSM refuses,
        // baselines whose approval holds are short three ways.
        scenarios.push(
            await scenario(
                "prod",
                (groups) => {
                    groups[1].baseline = "rhel";
                    return {
                        rateControl: { maxConcurrency: "50%", maxErrors: "5%" },
                        approveAfterDays: 2,
                        patchGroups: groups,
                        baselines: [
                            ...JSON.parse(shippedConfig("prod").values[`${P}baselines`]),
                            {
                                name: "rhel",
                                operatingSystem: "REDHAT_ENTERPRISE_LINUX",
                                approvalRules: [
                                    { patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }], approveAfterDays: 7 },
                                    { patchFilters: [{ key: "CLASSIFICATION", values: ["Bugfix"] }], approveAfterDays: 1 },
                                ],
                            },
                        ],
                    };
                },
                (resources) => (byName(resources, TASK, "production-rhel").inputs.maxErrors = "lots"),
            ),
        );
        // A group's own rate control; a hybrid activation over the configured limit and, edited, 90 days valid.
        scenarios.push(
            await scenario(
                "prod-hybrid",
                (groups) => {
                    groups[4].rateControl = { maxConcurrency: "60%", maxErrors: "1" };
                    return { patchGroups: groups };
                },
                (resources) => {
                    byName(resources, TASK, "web-server").inputs.maxErrors = "-1";
                    const rhel = byName(resources, ACTIVATION, "rhel");
                    // 90 days after the rule's `now`: past SSM's 30-day limit whatever the machine's clock says.
                    rhel.inputs.expirationDate = new Date(Date.parse(AUDIT_NOW) + 90 * DAY_MS).toISOString();
                },
                {
                    "hybrid-activation-registration-limit": { maxRegistrationLimit: 20 },
                    "hybrid-activation-expiry": { now: AUDIT_NOW },
                },
            ),
        );
    });

    it("each rule that can point at a config key points at the key that sets the value", () => {
        const [prod, hybrid] = scenarios.map((s) => withConfigKeys(s.violations, s.resources, s.values));
        const ceiling = keysOf(prod, "task-production-concurrency");
        assert.equal(ceiling.length, 7);
        assert.ok(
            ceiling.every((k) => k.endsWith(` ${P}rateControl.maxConcurrency`)),
            ceiling.join("\n"),
        );
        assert.deepEqual(keysOf(hybrid, "task-production-concurrency"), [
            `web-server-schedule-web-server-task ${P}patchGroups[4].rateControl.maxConcurrency`,
        ]);
        assert.deepEqual(keysOf(prod, "task-rate-control"), [`production-rhel-task ${P}rateControl.maxErrors`]);
        assert.deepEqual(keysOf(hybrid, "task-rate-control"), [
            `web-server-schedule-web-server-task ${P}patchGroups[4].rateControl.maxErrors`,
        ]);
        assert.deepEqual(keysOf(prod, "baseline-production-approval-delay"), [
            // The generated Windows baseline's three rules take the stack's delay.
            `baseline-default-windows-baseline ${P}approveAfterDays`,
            `baseline-default-windows-baseline ${P}approveAfterDays`,
            `baseline-default-windows-baseline ${P}approveAfterDays`,
            // The stack file's baseline that writes its rules out: the rule at the finding's index.
            `baseline-rhel-baseline ${P}baselines[1].approvalRules[1].approveAfterDays`,
            // A preset writes none: its own delay.
            `baseline-windows2012-security-baseline ${P}baselines[0].approveAfterDays`,
        ]);
        // An activation's name ends with its renewal period and a digest of its settings (components/hybrid.ts).
        assert.deepEqual(
            keysOf(hybrid, "hybrid-activation-registration-limit").map((k) => k.replace(/-\d{10}-[0-9a-f]{8} /, " ")),
            [`web-server-hybrid-activation ${P}patchGroups[4].hybrid.registrationLimit`],
        );
        const expiry = hybrid.filter((v) => v.policy === "hybrid-activation-expiry");
        assert.deepEqual(
            expiry.map((v) => [v.configKey, v.valid]),
            [[`${P}patchGroups[1].hybrid.expiresInDays`, "a whole number of days from 1 to 30"]],
        );
        // Where the key holds the same quantity as the property, the valid values are the rule's own, with its thresholds.
        assert.ok(
            prod.filter((v) => v.policy === "task-production-concurrency").every((v) => v.valid!.startsWith("in production at most 25%")),
        );
    });

    it("another project's document gets the same findings' properties instead, as the rules name them", () => {
        const [prod] = scenarios;
        const other = withConfigKeys(prod.violations, prod.resources, {}, "billing");
        const properties = new Set(other.filter((v) => v.property !== undefined).map((v) => `${v.policy} ${v.property}`));
        for (const expected of [
            "task-production-concurrency maxConcurrency",
            "task-rate-control maxErrors",
            "baseline-production-approval-delay approvalRules[0].approveAfterDays",
            "baseline-production-approval-delay approvalRules[1].approveAfterDays",
            "baseline-production-approval-delay approvalRules[2].approveAfterDays",
        ]) {
            assert.ok(properties.has(expected), `${expected} in ${[...properties].join(", ")}`);
        }
        assert.ok(other.every((v) => v.configKey === undefined));
    });

    it("property: rewording every message changes no key, property or valid value", () => {
        const misleading = "maxErrors maxConcurrency approvalRules[7].approveAfterDays registrationLimit expirationDate rateControl";
        for (const { violations, resources, values } of scenarios) {
            const keyed = (vs: Violation[], project?: string) =>
                withConfigKeys(vs, resources, project === undefined ? values : {}, project).map(({ message: _m, ...rest }) => rest);
            const expected = [keyed(violations), keyed(violations, "billing")];
            fc.assert(
                fc.property(
                    fc.array(
                        fc.oneof(
                            fc.string(),
                            fc.constant(misleading),
                            fc.nat().map((i) => violations[i % violations.length].message),
                        ),
                        { minLength: violations.length, maxLength: violations.length },
                    ),
                    (messages) => {
                        const reworded = violations.map((v, i) => ({ ...v, message: messages[i] }));
                        assert.deepEqual([keyed(reworded), keyed(reworded, "billing")], expected);
                    },
                ),
                { numRuns: 50 },
            );
        }
    });
});
