import { strict as assert } from "assert";
import { isProductionCell } from "../../org/config";
import { promotable, replay, Rollout, rollout, UpdateRecord, upstreamOf } from "../../org/rollout";
import { cellsWorkflow } from "../../org/tools/workflow";
import { exampleValues, parseOrg } from "./helpers";

// What Pulumi Deployments does with a chain (sources in docs/many-accounts.md): a webhook in the
// pulumi_deployments format deploys its target with the target's own settings — the branch head
// at that moment, not the upstream update's commit; `update_succeeded` fires on every successful
// update, a drift remediation or a manual `up` included (the webhook carries no cause).
const org = parseOrg(exampleValues());
const chain = rollout(org.cells);
const production = org.cells.filter(isProductionCell).map((c) => c.stack);
const upstream = upstreamOf(chain);

/** Every production update ran a commit that every upstream cell ran successfully from the chain before it. */
function productionOnlyRanTested(history: readonly UpdateRecord[], prod: readonly string[], up: readonly string[]): string[] {
    const bad: string[] = [];
    history.forEach((h, i) => {
        if (!prod.includes(h.stack)) return;
        if (!promotable(history.slice(0, i), up, h.commit)) bad.push(`${h.stack}@${h.commit} (${h.cause})`);
    });
    return bad;
}

/** main's chain: the last non-production cell's success deployed every production cell by webhook. */
function webhookToProduction(r: Rollout): Rollout {
    const last = r.steps.length ? r.steps[r.steps.length - 1].to : r.onPush[0];
    return { onPush: r.onPush, steps: [...r.steps, ...production.map((p) => ({ from: last, to: p }))] };
}

describe("rollout replay: production runs only a commit every upstream cell ran", () => {
    it("has a chain through every non-production cell and no webhook into production", () => {
        assert.deepEqual(new Set(upstream), new Set(org.cells.filter((c) => !isProductionCell(c)).map((c) => c.stack)));
        for (const s of chain.steps) assert.ok(!production.includes(s.to), s.to);
    });

    it("a commit landing mid-chain: the webhook design deploys it to production untested; the release does not", () => {
        // c2 lands after the first two updates of c1's chain: later links deploy the head, c2.
        const events = [{ kind: "push", commit: "c1" } as const];
        const interleave = new Map([[2, "c2"]]);
        const old = replay(webhookToProduction(chain), [], events, { interleave });
        // Positive control: the model reproduces the defect of the webhook design.
        assert.notDeepEqual(productionOnlyRanTested(old, production, upstream), []);
        const now = replay(chain, production, [...events, { kind: "release", commit: "c2" }, { kind: "release", commit: "c1" }], {
            interleave,
        });
        assert.deepEqual(productionOnlyRanTested(now, production, upstream), []);
        // Neither commit ran through every cell: nothing reached production.
        assert.deepEqual(
            now.filter((h) => production.includes(h.stack)),
            [],
        );
    });

    it("a failed upstream cell stops the release; a later good push releases", () => {
        const events = [
            { kind: "fail", stack: upstream[1] },
            { kind: "push", commit: "c1" },
            { kind: "release", commit: "c1" },
            { kind: "push", commit: "c2" },
            { kind: "release", commit: "c2" },
        ] as const;
        const history = replay(chain, production, events);
        const released = history.filter((h) => production.includes(h.stack));
        assert.deepEqual([...new Set(released.map((h) => h.commit))], ["c2"]);
        assert.deepEqual(released.map((h) => h.stack).sort(), [...production].sort());
        assert.deepEqual(productionOnlyRanTested(history, production, upstream), []);
    });

    it("drift remediation and manual updates neither cascade into production nor count as evidence", () => {
        const events = [
            { kind: "push", commit: "c1" },
            { kind: "manual", stack: upstream[0], commit: "hotfix" },
            { kind: "drift-remediation", stack: upstream[upstream.length - 1] },
            { kind: "release", commit: "hotfix" },
        ] as const;
        const old = replay(webhookToProduction(chain), [], events);
        // The webhook design: a remediation of the last link redeploys every production cell.
        assert.ok(old.some((h, i) => production.includes(h.stack) && i > 0 && old[i - 1].cause !== "push"));
        const history = replay(chain, production, events);
        assert.deepEqual(
            history.filter((h) => production.includes(h.stack)),
            [],
        );
        assert.ok(!promotable(history, upstream, "hotfix"));
        assert.ok(promotable(history, upstream, "c1")); // positive control: the chain's commit is promotable
    });

    it("the control plane pins production to the release and lets no remediation feed a webhook", () => {
        assert.ok(org.release, "the example names a release");
        for (const c of org.cells.filter((x) => chain.steps.some((s) => s.from === x.stack)))
            assert.equal(require("../../org/controlPlane").autoRemediate(c, true), false, c.stack);
    });

    it("the CI fallback holds the same gate: one run, one commit, production jobs need every other job", () => {
        const wf = cellsWorkflow(org, { orgStack: "example", roleName: "gh", maxParallel: 5 });
        const jobs = Object.entries(wf.jobs as Record<string, any>);
        const prod = jobs.filter(([, j]) => j.environment === "production");
        const others = jobs.filter(([, j]) => j.environment !== "production").map(([id]) => id);
        assert.ok(prod.length > 0);
        // needs is transitive in GitHub Actions: the first production job waits for the last non-production wave, which waits for the others.
        const needsOf = (id: string): string[] => {
            const j = (wf.jobs as Record<string, any>)[id];
            return (j.needs ?? []).flatMap((n: string) => [n, ...needsOf(n)]);
        };
        for (const [id] of prod) for (const o of others) assert.ok(needsOf(id).includes(o), `${id} needs ${o}`);
        // actions/checkout without `ref` checks out the run's commit (github.sha) in every job; no job overrides it.
        for (const [, j] of jobs) assert.equal(j.steps.find((s: any) => String(s.uses).startsWith("actions/checkout")).with, undefined);
        assert.equal(wf.concurrency["cancel-in-progress"], false);
    });
});

describe("StackSet concurrency: what STRICT and SOFT failure tolerance really allow", () => {
    const { stackSetConcurrency } = require("../../org/rollout") as typeof import("../../org/rollout");
    const prefs = { maxConcurrentPercentage: 25, failureTolerancePercentage: 5 };

    it("runs a template change (STRICT, the StackSet's own mode) at failure tolerance + 1 accounts, not four rounds", () => {
        // 500 accounts: tolerance floor(25) + 1 = 26 at once, 20 rounds; the "four rounds" of 25 % need SOFT.
        assert.deepEqual(stackSetConcurrency(500, prefs, "STRICT_FAILURE_TOLERANCE"), { concurrency: 26, rounds: 20 });
        assert.deepEqual(stackSetConcurrency(500, prefs, "SOFT_FAILURE_TOLERANCE"), { concurrency: 125, rounds: 4 });
        // A small OU: 5 % of 10 rounds down to 0, so one account at a time.
        assert.deepEqual(stackSetConcurrency(10, prefs, "STRICT_FAILURE_TOLERANCE"), { concurrency: 1, rounds: 10 });
        assert.deepEqual(stackSetConcurrency(3, prefs, "SOFT_FAILURE_TOLERANCE"), { concurrency: 1, rounds: 3 });
    });
});
