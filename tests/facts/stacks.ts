// The shipped stacks' registered resources, evaluated one at a time (the mock runtime is one per
// process) and once per process (evaluateProgram caches each stack's evaluation).
import { evaluate, SHIPPED_STACKS } from "../helpers";
import type { PlannedResource } from "../../tools/mock/mockProgram";

let queue: Promise<unknown> = Promise.resolve();

/** One shipped stack's resources. */
export function shippedResources(stack: string): Promise<PlannedResource[]> {
    const next = queue.then(() => evaluate(stack).then((s) => s.resources));
    queue = next.catch(() => undefined);
    return next;
}

/** Every shipped stack's resources of one type, with the stack each belongs to. */
export async function shippedOfType(type: string): Promise<{ stack: string; r: PlannedResource }[]> {
    const out: { stack: string; r: PlannedResource }[] = [];
    for (const stack of SHIPPED_STACKS) for (const r of await shippedResources(stack)) if (r.type === type) out.push({ stack, r });
    return out;
}

/** Every shipped stack's Automation documents (the program's own runbooks), at least `atLeast` of them. */
export async function shippedRunbooks(atLeast = 6): Promise<{ stack: string; r: PlannedResource }[]> {
    const runbooks = (await shippedOfType("aws:ssm/document:Document")).filter(({ r }) => r.inputs.documentType === "Automation");
    if (runbooks.length < atLeast)
        throw new Error(`the shipped stacks hold ${runbooks.length} Automation documents, expected ${atLeast} or more`);
    return runbooks;
}
