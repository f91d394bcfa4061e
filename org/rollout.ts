// The order in which a change reaches the cells, as Pulumi Deployments can express it. Deployments
// has no "after all of these succeeded" join; a stack webhook in the `pulumi_deployments` format
// starts one stack's deployment when another's update succeeded. So the non-production cells run
// as a chain (sandbox first, acceptance last), and only the last link's success fans out to the
// production cells: a failure anywhere stops the chain, and production never sees the change.
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
    // Without non-production cells there is nothing to wait for: production deploys on push.
    if (nonProduction.length === 0) return { onPush: production.map((c) => c.stack), steps: [] };
    const steps: RolloutStep[] = [];
    for (let i = 1; i < nonProduction.length; i++) steps.push({ from: nonProduction[i - 1].stack, to: nonProduction[i].stack });
    const last = nonProduction[nonProduction.length - 1].stack;
    for (const p of production) steps.push({ from: last, to: p.stack });
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
