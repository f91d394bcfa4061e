import * as assert from "node:assert/strict";
import { baselineApprovesPatches, baselineProductionApprovalDelay } from "../../policies/baselines";
import { TYPES } from "@patch-manager/ssm";
import { runResourcePolicy } from "./harness";
import { baselineInputs } from "./resources";

const BASELINE = TYPES.patchBaseline;
const opts = { name: "windows-baseline" };
const who = `patch baseline "patch-manager-prod-windows" (windows-baseline)`;

describe("policies/baselines", () => {
    describe("baseline-approves-patches", () => {
        it("passes a baseline with an approval rule, and one with only approved patches", async () => {
            assert.deepEqual((await runResourcePolicy(baselineApprovesPatches, BASELINE, baselineInputs(), opts)).messages, []);
            const explicit = { ...baselineInputs(), approvalRules: [], approvedPatches: ["KB5034439"] };
            assert.deepEqual((await runResourcePolicy(baselineApprovesPatches, BASELINE, explicit, opts)).messages, []);
        });

        it("reports a baseline that approves nothing", async () => {
            const empty = { ...baselineInputs(), approvalRules: [], approvedPatches: [] };
            assert.deepEqual((await runResourcePolicy(baselineApprovesPatches, BASELINE, empty, opts)).messages, [
                `${who} has no approval rules and no approved patches, so it approves nothing; add an approval rule.`,
            ]);
        });

        it("reports rules with both, neither, or out-of-range approval settings", async () => {
            const b = baselineInputs();
            const rule = b.approvalRules[0];
            b.approvalRules = [
                { ...rule, approveUntilDate: "2026-01-31" },
                { ...rule, approveAfterDays: undefined },
                { ...rule, approveAfterDays: 400 },
                { ...rule, approveAfterDays: undefined, approveUntilDate: "2026-02-30" },
            ];
            delete b.approvalRules[1].approveAfterDays;
            delete b.approvalRules[3].approveAfterDays;
            const { messages } = await runResourcePolicy(baselineApprovesPatches, BASELINE, b, opts);
            assert.deepEqual(messages, [
                `${who}, approvalRules[0] sets both approveAfterDays 7 and approveUntilDate "2026-01-31"; keep one.`,
                `${who}, approvalRules[1] sets neither approveAfterDays nor approveUntilDate; SSM requires one of them for WINDOWS.`,
                `${who}, approvalRules[2]: approveAfterDays 400 must be a whole number from 0 to 360.`,
                `${who}, approvalRules[3]: approveUntilDate "2026-02-30" must be a date written YYYY-MM-DD.`,
            ]);
        });
    });

    describe("baseline-production-approval-delay", () => {
        it("passes 7 days in production, and anything outside production", async () => {
            assert.deepEqual((await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, baselineInputs(), opts)).messages, []);
            const dev: Record<string, any> = { ...baselineInputs(), tags: { Environment: "development" } };
            dev.approvalRules[0].approveAfterDays = 0;
            assert.deepEqual((await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, dev, opts)).messages, []);
        });

        it("reports a production rule that waits less than the minimum, with the configured minimum", async () => {
            const b = baselineInputs();
            b.approvalRules[0].approveAfterDays = 3;
            assert.deepEqual((await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, b, opts)).messages, [
                `${who} (production: tag Environment=production), approvalRules[0] approves patches after 3 days; production waits at least 7 (config minApproveAfterDays).`,
            ]);
            const stricter = await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, baselineInputs(), {
                ...opts,
                config: { minApproveAfterDays: 14 },
            });
            assert.match(stricter.messages[0] ?? "", /after 7 days; production waits at least 14/);
        });

        it("judges production from the stack tags when the baseline has no environment tag", async () => {
            const b: Record<string, any> = { ...baselineInputs(), tags: {} };
            b.approvalRules[0].approveAfterDays = 1;
            const staging = { ...opts, stack: "payments" };
            assert.deepEqual((await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, b, staging)).messages, []);
            const { messages } = await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, b, {
                ...staging,
                stackTags: { environment: "Production" },
            });
            assert.match(messages[0] ?? "", /\(production: stack tag Environment=Production\)/);
        });

        it("recognises production by other tag keys, a stack name, or the pack's config; another environment's tag wins over the name", async () => {
            const b: Record<string, any> = { ...baselineInputs(), tags: {} };
            b.approvalRules[0].approveAfterDays = 1;
            const run = async (tags: Record<string, string>, stack: string, config: Record<string, unknown> = {}) =>
                (await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, { ...b, tags }, { ...opts, stack, config }))
                    .messages[0] ?? "";
            assert.match(await run({ stage: "prod" }, "payments"), /\(production: tag Stage=prod\)/);
            assert.match(await run({ Env: "PRD" }, "payments"), /\(production: tag Env=PRD\)/);
            for (const stack of ["prod", "prod-eu", "payments-prd", "acme.production"]) {
                assert.match(await run({}, stack), new RegExp(`\\(production: stack name "${stack.replace(".", "\\.")}"\\)`), stack);
            }
            for (const stack of ["product-catalog", "preprod-x", "dev"]) assert.equal(await run({}, stack), "", stack);
            assert.equal(await run({ Environment: "staging" }, "prod"), "", "the tag names the environment");
            assert.match(await run({}, "payments", { production: true }), /\(production: the pack's config: production\)/);
            assert.match(await run({ Environment: "production-eu" }, "payments"), /\(production: tag Environment=production-eu\)/);
            assert.match(await run({ Stage: "blue" }, "prod"), /\(production: stack name "prod"\)/, "a colour is no environment");
            for (const env of ["pre-prod", "non-prod", "staging"]) assert.equal(await run({ Environment: env }, "prod"), "", env);
            assert.equal(await run({}, "pre-prod"), "", "a pre-production stack");
            assert.equal(await run({}, "prod", { productionStackPattern: "" }), "", "the name pattern switched off");
        });

        it("Ubuntu: no hold or approveAfterDays 0 passes; a hold SSM ignores (approveAfterDays > 0, approveUntilDate) is reported", async () => {
            const ubuntu: Record<string, any> = { ...baselineInputs(), name: "ubuntu", operatingSystem: "UBUNTU" };
            ubuntu.approvalRules = [
                { approveAfterDays: 0, patchFilters: [{ key: "PRIORITY", values: ["Required"] }] },
                { patchFilters: [{ key: "PRIORITY", values: ["Important"] }] },
            ];
            assert.deepEqual((await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, ubuntu, opts)).messages, []);
            ubuntu.approvalRules = [
                { approveAfterDays: 7, patchFilters: [{ key: "PRIORITY", values: ["Required"] }] },
                { approveUntilDate: "2026-01-31", patchFilters: [{ key: "PRIORITY", values: ["Important"] }] },
            ];
            const { messages } = await runResourcePolicy(baselineProductionApprovalDelay, BASELINE, ubuntu, opts);
            const who = `patch baseline "ubuntu" (windows-baseline) (production: tag Environment=production)`;
            const stagger =
                "patches are approved as soon as the repositories have them: stagger the rollout with the groups' windows instead.";
            assert.deepEqual(messages, [
                `${who}, approvalRules[0] sets approveAfterDays 7, which SSM ignores for UBUNTU; ${stagger}`,
                `${who}, approvalRules[1] sets approveUntilDate "2026-01-31", which SSM ignores for UBUNTU; ${stagger}`,
            ]);
        });
    });
});
