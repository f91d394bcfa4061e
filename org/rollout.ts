// The order in which a change reaches the cells, as Pulumi Deployments can express it. Deployments
// has no "after all of these succeeded" join; a stack webhook in the `pulumi_deployments` format
// starts one stack's deployment when another's update succeeded — with the target's own settings,
// so at the branch's head then, whatever commit the upstream update ran, and after any successful
// update, a drift remediation or a manual `up` included. So webhooks chain only the non-production
// cells (sandbox first, acceptance last); production is never a webhook's target: it deploys the
// released commit (`release.commit`, pinned in its sourceContext), which `promotable` below accepts
// only when every non-production cell ran exactly that commit successfully from the chain.
import { ENVIRONMENTS } from "../config/environment";
import type { Cell } from "./config";
import { isProductionCell } from "./config";

export interface RolloutStep {
    /** The stack whose successful update triggers `to`. */
    readonly from: string;
    readonly to: string;
}

export interface Rollout {
    /** The stacks a push to the branch deploys directly (Deployments' push-to-deploy). */
    readonly onPush: readonly string[];
    /** Webhooks: each `to` deploys after `from` updated successfully. */
    readonly steps: readonly RolloutStep[];
}

/** Stable order: environment (sandbox first), then account and stack name. */
function order(a: Pick<Cell, "environment" | "account" | "stack">, b: Pick<Cell, "environment" | "account" | "stack">): number {
    return (
        ENVIRONMENTS.indexOf(a.environment) - ENVIRONMENTS.indexOf(b.environment) ||
        a.account.localeCompare(b.account) ||
        a.stack.localeCompare(b.stack)
    );
}

export function rollout(cells: readonly Pick<Cell, "environment" | "account" | "stack">[]): Rollout {
    const nonProduction = cells.filter((c) => !isProductionCell(c)).sort(order);
    const production = cells.filter(isProductionCell).sort(order);
    void production;
    if (nonProduction.length === 0) return { onPush: [], steps: [] };
    const steps: RolloutStep[] = [];
    for (let i = 1; i < nonProduction.length; i++) steps.push({ from: nonProduction[i - 1].stack, to: nonProduction[i].stack });
    return { onPush: [nonProduction[0].stack], steps };
}

/** The stacks that must have succeeded before `stack` deploys (transitively), in order. */
export function predecessors(r: Rollout, stack: string): string[] {
    const out: string[] = [];
    let current = stack;
    for (;;) {
        const step = r.steps.find((s) => s.to === current);
        if (!step) return out.reverse();
        out.push(step.from);
        current = step.from;
    }
}

// ---- The replay model: what Pulumi Deployments does with the chain, step by step ----

/** What starts an update of a stack. */
export type UpdateCause = "push" | "webhook" | "drift-remediation" | "manual" | "release";

export interface UpdateRecord {
    readonly stack: string;
    readonly commit: string;
    readonly cause: UpdateCause;
    readonly succeeded: boolean;
}

/** Things that happen, in order: a push to the branch, a cell that fails its next update (once), a drift remediation, a manual `up`, a release. */
export type RolloutEvent =
    | { readonly kind: "push"; readonly commit: string }
    | { readonly kind: "fail"; readonly stack: string }
    | { readonly kind: "drift-remediation"; readonly stack: string }
    | { readonly kind: "manual"; readonly stack: string; readonly commit?: string }
    | { readonly kind: "release"; readonly commit: string };

/**
 * Replays events against the chain: a push deploys onPush at the new head; each success fires the
 * webhooks from that stack, whose targets deploy at the branch head *at that moment* (a webhook
 * names no commit); a webhook fires on every successful update whatever started it. `release`
 * deploys the production cells at the released commit, when `promotable` accepts it. Each event
 * runs to completion before the next (a push mid-chain is modelled by placing it between links:
 * `interleave` lets a push land after the n-th deployment of the previous one).
 */
export function replay(
    r: Rollout,
    production: readonly string[],
    events: readonly RolloutEvent[],
    opts: { readonly interleave?: ReadonlyMap<number, string> } = {},
): UpdateRecord[] {
    const history: UpdateRecord[] = [];
    let head = "";
    const failing = new Set<string>();
    const queue: { stack: string; cause: UpdateCause; commit?: string }[] = [];
    const run = () => {
        while (queue.length > 0) {
            const next = queue.shift()!;
            const landed = opts.interleave?.get(history.length);
            if (landed !== undefined) head = landed;
            const commit = next.commit ?? head;
            // A cell marked to fail fails its next update, once.
            const succeeded = !failing.delete(next.stack);
            history.push({ stack: next.stack, commit, cause: next.cause, succeeded });
            if (succeeded) for (const s of r.steps.filter((x) => x.from === next.stack)) queue.push({ stack: s.to, cause: "webhook" });
        }
    };
    for (const e of events) {
        switch (e.kind) {
            case "push":
                head = e.commit;
                for (const s of r.onPush) queue.push({ stack: s, cause: "push" });
                break;
            case "fail":
                failing.add(e.stack);
                break;
            case "drift-remediation":
                queue.push({ stack: e.stack, cause: "drift-remediation" });
                break;
            case "manual":
                queue.push({ stack: e.stack, cause: "manual", ...(e.commit ? { commit: e.commit } : {}) });
                break;
            case "release":
                if (promotable(history, upstreamOf(r), e.commit))
                    for (const p of production) queue.push({ stack: p, cause: "release", commit: e.commit });
                break;
        }
        run();
    }
    return history;
}

/** Every stack production waits for: all the chain's stacks. */
export function upstreamOf(r: Rollout): string[] {
    return [...new Set([...r.onPush, ...r.steps.flatMap((s) => [s.from, s.to])])];
}

/**
 * The gate: a commit may go to production only when every upstream stack's latest chain update
 * (a push or a webhook: remediation and manual updates are not evidence) ran exactly this commit and
 * succeeded. The CI fallback's workflow holds the same gate by construction: one run checks out one
 * commit for every job, and production jobs `need` every non-production job.
 */
export function promotable(history: readonly UpdateRecord[], upstream: readonly string[], commit: string): boolean {
    return upstream.every((stack) => {
        const chain = history.filter((h) => h.stack === stack && (h.cause === "push" || h.cause === "webhook"));
        const last = chain[chain.length - 1];
        return last !== undefined && last.succeeded && last.commit === commit;
    });
}

// ---- StackSet operations: how many accounts at a time ----

/**
 * Accounts a StackSet operation acts on at once, for `accounts` target accounts, from the
 * CloudFormation API model (botocore cloudformation 2010-05-15, StackSetOperationPreferences):
 * MaxConcurrentPercentage and FailureTolerancePercentage "round down to the next whole number",
 * the former to one at least; STRICT_FAILURE_TOLERANCE (the default, and what the StackSet's own
 * operations run: its operationPreferences take no mode) starts at "the lower of either the value
 * of the MaxConcurrentCount, or the value of FailureToleranceCount +1"; SOFT_FAILURE_TOLERANCE runs
 * at MaxConcurrentCount "regardless of the number of failures".
 */
export function stackSetConcurrency(
    accounts: number,
    prefs: { readonly maxConcurrentPercentage: number; readonly failureTolerancePercentage: number },
    mode: "STRICT_FAILURE_TOLERANCE" | "SOFT_FAILURE_TOLERANCE",
): { readonly concurrency: number; readonly rounds: number } {
    const max = Math.max(1, Math.floor((accounts * prefs.maxConcurrentPercentage) / 100));
    const tolerance = Math.floor((accounts * prefs.failureTolerancePercentage) / 100);
    const concurrency = mode === "STRICT_FAILURE_TOLERANCE" ? Math.min(max, tolerance + 1) : max;
    return { concurrency, rounds: accounts === 0 ? 0 : Math.ceil(accounts / concurrency) };
}
