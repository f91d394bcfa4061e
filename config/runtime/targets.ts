// Target resolution, replayed: which nodes each way of targeting a window task reaches, and the
// checks a group that starts stopped instances must pass. Pure; tests hold it against every shipped
// stack and the facts in tests/facts/awsFacts.json.
//
// Facts:
// - Run Command delivers to a node's SSM Agent: "Undeliverable: The command can't be delivered to the
//   managed node. The node might not exist or it might not be responding. Undeliverable invocations
//   don't count against the parent command's max-errors limit" (SSM user guide, "Understanding command
//   statuses"). A stopped instance's agent does not answer: the install skips it, and max-errors
//   never sees it.
// - Window targets are managed nodes or tags "applied to managed nodes"
//   (RegisterTargetWithMaintenanceWindow): a hybrid node (mi-) carries its activation's tags, an
//   instance that an Auto Scaling group manages is a managed node like any other while it runs.
// - Automation, Lambda and Step Functions tasks may be registered without targets ("Registering
//   maintenance window tasks without targets"); a runbook that asks EC2 (DescribeInstances by tag)
//   finds instances in every state, stopped ones included.
// - aws:executeScript: "Each aws:executeScript action can run up to a maximum duration of 600
//   seconds (10 minutes)": a start step that waits longer needs several steps.

/** The kinds of node a patch group's tag may be on when its window opens. */
export type NodeKind =
    "online EC2 instance" | "stopped EC2 instance" | "online hybrid node" | "offline hybrid node" | "Auto Scaling instance";

export const NODE_KINDS: readonly NodeKind[] = [
    "online EC2 instance",
    "stopped EC2 instance",
    "online hybrid node",
    "offline hybrid node",
    "Auto Scaling instance",
];

/** How a task reaches its nodes. */
export type TargetMethod =
    /** A window target of managed nodes by tag (resourceType INSTANCE), for Run Command or Automation. */
    | "window target (managed nodes by tag)"
    /** A targetless Automation task whose runbook asks EC2 for the tag's instances. */
    | "runbook asks EC2 by tag";

/** Whether `method` reaches a node of `kind` (gets an invocation that can run on it). */
export function reaches(method: TargetMethod, kind: NodeKind): boolean {
    if (method === "window target (managed nodes by tag)")
        // Only an agent that answers runs a command; a stopped instance or an offline server is undeliverable.
        return kind === "online EC2 instance" || kind === "online hybrid node" || kind === "Auto Scaling instance";
    // EC2's DescribeInstances lists instances in every state; it knows nothing of hybrid nodes.
    return kind === "online EC2 instance" || kind === "stopped EC2 instance" || kind === "Auto Scaling instance";
}

/** A window task as this model reads it. */
export interface TargetedTask {
    readonly name: string;
    readonly group: string;
    readonly step: "start" | "install" | "stop" | "other";
    readonly priority: number;
    readonly method: TargetMethod;
    /** The start step's bound in minutes (its TimeoutMinutes), for the start step. */
    readonly timeoutMinutes?: number;
}

/** The nodes of `group` that each of its install tasks leaves unpatched (not reached, even after a start step). */
export function unreachedByInstall(tasks: readonly TargetedTask[], group: string): NodeKind[] {
    const own = tasks.filter((t) => t.group === group);
    const installs = own.filter((t) => t.step === "install");
    // A node a start step of an earlier priority band brings online is online when the install resolves its targets.
    const started = (kind: NodeKind) =>
        kind === "stopped EC2 instance" &&
        own.some((s) => s.step === "start" && reaches(s.method, kind) && installs.every((i) => s.priority < i.priority));
    return NODE_KINDS.filter((kind) => kind !== "offline hybrid node" && installs.some((i) => !reaches(i.method, kind) && !started(kind)));
}

/**
 * What keeps a group that starts stopped instances from patching them: a start step that cannot
 * reach a stopped instance, one not in an earlier priority band than the install (the install's
 * targets resolve while the instance is still stopped), a stop step not after the install, or a
 * start bound too short for the instance to run and its agent to come online.
 */
export function startStoppedProblems(tasks: readonly TargetedTask[], group: string, minimumMinutes: number): string[] {
    const own = tasks.filter((t) => t.group === group);
    const starts = own.filter((t) => t.step === "start");
    const stops = own.filter((t) => t.step === "stop");
    const installs = own.filter((t) => t.step === "install");
    const out: string[] = [];
    if (starts.length === 0) out.push(`${group}: no start step`);
    for (const s of starts) {
        if (!reaches(s.method, "stopped EC2 instance"))
            out.push(`${group}: ${s.name} targets through a ${s.method}, which never reaches a stopped instance`);
        for (const i of installs)
            if (s.priority >= i.priority)
                out.push(`${group}: ${s.name} (priority ${s.priority}) does not end before ${i.name} (priority ${i.priority}) starts`);
        if ((s.timeoutMinutes ?? 0) < minimumMinutes)
            out.push(
                `${group}: ${s.name} waits ${s.timeoutMinutes ?? 0} minutes, less than the ${minimumMinutes} a start and the agent take`,
            );
    }
    for (const s of stops) {
        if (!reaches(s.method, "online EC2 instance")) out.push(`${group}: ${s.name} cannot reach the instances it must stop`);
        for (const i of installs)
            if (s.priority <= i.priority) out.push(`${group}: ${s.name} (priority ${s.priority}) may stop instances before ${i.name} ends`);
    }
    return out;
}
