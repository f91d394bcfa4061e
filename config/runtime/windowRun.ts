// The maintenance window scheduler, replayed: from a window's tasks (priority, targets, rate
// control, cutoff behaviour, document) and a duration estimate per document, the timeline of one
// window run — which task starts when, what the cutoff cancels, what never starts — and the
// findings a person must see (a group that waits on another group's runbook, an install the cutoff
// starves). Pure: the plan reads the tasks off the registered resources, tests off the shipped stacks.
//
// Facts (RegisterTaskWithMaintenanceWindow, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_RegisterTaskWithMaintenanceWindow.html):
// - Priority: "the lower the number the higher the priority. Tasks in a maintenance window are
//   scheduled in priority order with tasks that have the same priority scheduled in parallel."
//   Modelled: a priority band starts when every task of the band before it has ended.
// - Cutoff (CreateMaintenanceWindow): "The number of hours before the end of the maintenance window
//   that Systems Manager stops scheduling new tasks for execution."
// - CutoffBehavior: CONTINUE_TASK "any tasks that are running continue"; CANCEL_TASK "For
//   Automation, Lambda, Step Functions tasks: ... any task invocations that are already running
//   continue, but no new task invocations are started. For Run Command tasks: ... the system sends
//   a CancelCommand operation ... The status for tasks that are not completed is TIMED_OUT."
// - Rate control: MaxConcurrency targets at a time (a count, or a percentage of the targets).
// Unverified without an account: how long each document takes on a given fleet (the estimates
// below are stated assumptions, overridable), and the group sizes (instancesPerGroup).

import { REBOOT_DOCUMENT_SUFFIXES } from "@patch-manager/ssm";

/** One task of a window, as registered. */
export interface WindowTaskInput {
    /** The task's logical name. */
    readonly name: string;
    /** The patch group its targets select. */
    readonly group: string;
    readonly taskType: "RUN_COMMAND" | "AUTOMATION" | string;
    /** The document (SSM document name). */
    readonly document: string;
    /** AWS-RunPatchBaseline's Operation, when it has one. */
    readonly operation?: string;
    readonly priority: number;
    readonly maxConcurrency: string;
    readonly maxErrors: string;
    readonly cutoffBehavior: "CONTINUE_TASK" | "CANCEL_TASK" | string;
    /** Registered without targets: one invocation, whatever the group's size. */
    readonly targetless?: boolean;
    /** The task's own bound in minutes (the start runbook's TimeoutMinutes): its estimate when given. */
    readonly boundMinutes?: number;
}

/** Minutes one batch of targets takes in a document, with where the number comes from. */
export interface DurationEstimate {
    readonly minutesPerBatch: number;
    readonly source: string;
}

/**
 * Per-document estimates (keys: document name, or `<document>:<Operation>`). Typical durations are
 * assumptions; each names the bound AWS documents where there is one. Override per call.
 */
/** An estimate nobody measured: minutes per batch, and why that many. */
const assumed = (minutesPerBatch: number, why: string): DurationEstimate => ({ minutesPerBatch, source: `assumption: ${why}` });

export const DURATION_ESTIMATES: Readonly<Record<string, DurationEstimate>> = {
    "AWS-RunPatchBaseline:Install": assumed(
        20,
        "a monthly install plus its reboot (the document's own step timeout bounds it; not read offline)",
    ),
    "AWS-RunPatchBaseline:Scan": assumed(5, "a scan reads the repositories and reports compliance"),
    "AWS-RunPatchBaselineWithHooks:Install": assumed(30, "the install plus the pre-install, post-install and on-exit hook documents"),
    "AWS-RunPatchBaselineWithHooks:Scan": assumed(5, "as AWS-RunPatchBaseline's scan"),
    "AWS-CreateImage": assumed(15, "an AMI of the instance's volumes (EBS snapshots), NoReboot"),
    "AWS-PatchInstanceWithRollback": assumed(
        45,
        "a CloudFormation stack with Lambda functions, a snapshot of the root volume, the install, the stack's deletion (the runbook's steps)",
    ),
    "AWSEC2-PatchLoadBalancerInstance": assumed(
        30,
        "deregister and drain (ConnectionDrainTime), the install, register and wait for healthy (the runbook's steps)",
    ),
    "AWS-PatchAsgInstance": assumed(
        40,
        "standby, the install, back in service, through a CloudFormation-deployed Lambda (the runbook's steps)",
    ),
    // The program's reboot documents, by their names' suffix (REBOOT_DOCUMENT_SUFFIXES).
    [REBOOT_DOCUMENT_SUFFIXES.linux]: assumed(10, "the reboot script and the node's boot"),
    [REBOOT_DOCUMENT_SUFFIXES.windows]: assumed(15, "the reboot script and a Windows boot with pending updates"),
    "start-stopped": {
        minutesPerBatch: 20,
        source: "the start runbook's default bound (startStopped.timeoutMinutes): start plus the agent online; a task's own TimeoutMinutes replaces it",
    },
    "stop-started": assumed(2, "StopInstances returns at once"),
};

/** The steps of a group's run whose estimate a stack's config may state (patchGroups[].durationEstimates); the start has its own bound. */
export const ESTIMATED_STEPS = ["install", "scan", "image", "reboot", "stop"] as const;
export type EstimatedStep = (typeof ESTIMATED_STEPS)[number];

/** The step a task is, for the config's per-group estimates; undefined for the start (its own bound). */
export function estimatedStep(t: Pick<WindowTaskInput, "document" | "operation">): EstimatedStep | undefined {
    if (isInstallTask(t)) return "install";
    if (/^AWS-RunPatchBaseline(WithHooks)?$/.test(t.document)) return "scan";
    if (t.document === "AWS-CreateImage") return "image";
    if (Object.values(REBOOT_DOCUMENT_SUFFIXES).some((suffix) => t.document.endsWith(`-${suffix}`))) return "reboot";
    if (t.document.endsWith("-stop-started")) return "stop";
    return undefined;
}

export interface WindowRunOptions {
    /** Estimates replacing DURATION_ESTIMATES' entries, by the same keys. */
    readonly estimates?: Readonly<Record<string, DurationEstimate>>;
    /**
     * The stack's own estimates by patch group and step (patchGroups[i].durationEstimates), each with
     * the key path it comes from; they replace the per-document ones for that group's tasks.
     */
    readonly groupEstimates?: Readonly<
        Record<string, { readonly keyPath: string; readonly minutes: Partial<Record<EstimatedStep, number>> }>
    >;
    /** Instances per patch group, for counts in MaxConcurrency; default 10 (an assumption). */
    readonly instancesPerGroup?: number;
}

export type TaskOutcome = "completes" | "runs past the cutoff" | "cancelled at the cutoff" | "partly started" | "never starts";

export interface TimelineEntry {
    readonly task: string;
    readonly group: string;
    readonly document: string;
    readonly priority: number;
    /** Minutes after the window opens; absent when it never starts. */
    readonly startMinute?: number;
    /** When it ends (or is cancelled); absent when it never starts. */
    readonly endMinute?: number;
    /** Batches of targets the rate control gives, and how many start before the cutoff stops them. */
    readonly batches: number;
    readonly batchesStarted: number;
    readonly outcome: TaskOutcome;
    /** The estimate used. */
    readonly estimate: DurationEstimate;
}

export interface WindowTimeline {
    /** Minutes from the window's start to its cutoff (no new task after it) and to its end. */
    readonly cutoffMinute: number;
    readonly endMinute: number;
    readonly tasks: readonly TimelineEntry[];
    /** What a person must act on, in words: cross-group waits and starved installs. */
    readonly findings: readonly string[];
}

const INSTALL_RUNBOOKS = ["AWS-PatchInstanceWithRollback", "AWSEC2-PatchLoadBalancerInstance", "AWS-PatchAsgInstance"];

/** Whether the task installs patches (AWS-RunPatchBaseline Install, or a runbook that installs). */
export function isInstallTask(t: Pick<WindowTaskInput, "document" | "operation">): boolean {
    return INSTALL_RUNBOOKS.includes(t.document) || (/^AWS-RunPatchBaseline(WithHooks)?$/.test(t.document) && t.operation === "Install");
}

/** The estimate of a task: by `<document>:<Operation>`, the document, or the program's runbook's suffix. */
export function estimateFor(
    t: Pick<WindowTaskInput, "document" | "operation">,
    estimates: Readonly<Record<string, DurationEstimate>>,
): DurationEstimate {
    const keys = [`${t.document}:${t.operation ?? ""}`, t.document, ...Object.keys(estimates).filter((k) => t.document.endsWith(`-${k}`))];
    for (const k of keys) if (estimates[k]) return estimates[k];
    return { minutesPerBatch: 30, source: `assumption: no estimate for ${t.document}; 30 minutes per batch` };
}

/** How many batches MaxConcurrency splits `instances` targets into. */
export function batchesOf(maxConcurrency: string, instances: number): number {
    const percent = /^(\d+)%$/.exec(maxConcurrency);
    const atOnce = percent ? Math.max(1, Math.floor((instances * Number(percent[1])) / 100)) : Math.max(1, Number(maxConcurrency) || 1);
    return Math.ceil(instances / atOnce);
}

/** One window run: its tasks' timeline under the scheduler's rules and the estimates. */
export function windowRun(
    window: { readonly durationHours: number; readonly cutoffHours: number },
    tasks: readonly WindowTaskInput[],
    opts: WindowRunOptions = {},
): WindowTimeline {
    const estimates = { ...DURATION_ESTIMATES, ...(opts.estimates ?? {}) };
    const instances = opts.instancesPerGroup ?? 10;
    const endMinute = window.durationHours * 60;
    const cutoffMinute = endMinute - window.cutoffHours * 60;
    const priorities = [...new Set(tasks.map((t) => t.priority))].sort((a, b) => a - b);
    const entries: TimelineEntry[] = [];
    let bandStart = 0;
    for (const p of priorities) {
        let bandEnd = bandStart;
        for (const t of tasks.filter((x) => x.priority === p)) {
            const step = estimatedStep(t);
            const own = opts.groupEstimates?.[t.group];
            const stated = step !== undefined ? own?.minutes[step] : undefined;
            const estimate: DurationEstimate =
                t.boundMinutes !== undefined
                    ? { minutesPerBatch: t.boundMinutes, source: "the task's own bound (TimeoutMinutes), the longest it waits" }
                    : stated !== undefined
                      ? { minutesPerBatch: stated, source: `config: ${own!.keyPath}.${step}` }
                      : estimateFor(t, estimates);
            const batches = t.targetless ? 1 : batchesOf(t.maxConcurrency, instances);
            const base = { task: t.name, group: t.group, document: t.document, priority: p, batches, estimate };
            if (bandStart >= cutoffMinute) {
                entries.push({ ...base, batchesStarted: 0, outcome: "never starts" });
                continue;
            }
            const fullEnd = bandStart + batches * estimate.minutesPerBatch;
            let entry: TimelineEntry;
            if (fullEnd <= cutoffMinute || t.cutoffBehavior !== "CANCEL_TASK")
                entry = {
                    ...base,
                    startMinute: bandStart,
                    endMinute: fullEnd,
                    batchesStarted: batches,
                    outcome: fullEnd <= cutoffMinute ? "completes" : "runs past the cutoff",
                };
            else if (t.taskType === "RUN_COMMAND")
                // The cutoff's CancelCommand stops the command (AWS does not guarantee the process stops).
                entry = {
                    ...base,
                    startMinute: bandStart,
                    endMinute: cutoffMinute,
                    batchesStarted: Math.ceil((cutoffMinute - bandStart) / estimate.minutesPerBatch),
                    outcome: "cancelled at the cutoff",
                };
            else {
                // Automation: running invocations continue, no new ones start.
                const started = Math.ceil((cutoffMinute - bandStart) / estimate.minutesPerBatch);
                entry = {
                    ...base,
                    startMinute: bandStart,
                    endMinute: bandStart + started * estimate.minutesPerBatch,
                    batchesStarted: started,
                    outcome: "partly started",
                };
            }
            entries.push(entry);
            bandEnd = Math.max(bandEnd, entry.endMinute ?? bandEnd);
        }
        bandStart = bandEnd;
    }
    return { cutoffMinute, endMinute, tasks: entries, findings: timelineFindings(tasks, entries) };
}

function timelineFindings(tasks: readonly WindowTaskInput[], entries: readonly TimelineEntry[]): string[] {
    const out: string[] = [];
    for (const group of [...new Set(tasks.map((t) => t.group))]) {
        const own = tasks.filter((t) => t.group === group);
        // Tasks of other groups in an earlier band than one of this group's: the group waits for them.
        const blockers = tasks.filter((t) => t.group !== group && own.some((o) => t.priority < o.priority));
        if (blockers.length > 0)
            out.push(
                `${group} waits for other groups' tasks: ${[...new Set(blockers.map((b) => `${b.group} (${b.document}, priority ${b.priority})`))].join(", ")} ` +
                    `run in an earlier priority band than ${own
                        .filter((o) => blockers.some((b) => b.priority < o.priority))
                        .map((o) => `its ${o.document} (priority ${o.priority})`)
                        .join(", ")}; give the group a window of its own`,
            );
        for (const e of entries.filter((x) => x.group === group && x.outcome !== "completes" && x.outcome !== "runs past the cutoff")) {
            const t = own.find((o) => o.name === e.task)!;
            if (isInstallTask(t) || /stop/i.test(e.document))
                out.push(
                    `${group}: ${e.document} ${e.outcome === "never starts" ? "never starts (the cutoff comes first)" : `${e.outcome} (${e.batchesStarted} of ${e.batches} batches)`}` +
                        (isInstallTask(t) ? "; its instances stay unpatched" : "; the instances it started stay running"),
                );
        }
    }
    return out;
}

/** The timeline in words, one line per task, for the plan. */
export function renderTimeline(t: WindowTimeline): string[] {
    const hm = (m: number) => `+${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
    const lines = t.tasks.map(
        (e) =>
            `${e.startMinute !== undefined ? `${hm(e.startMinute)}–${hm(e.endMinute!)}` : "—"}  p${e.priority} ${e.group}: ${e.document} · ${e.outcome}${e.batches > 1 ? ` · ${e.batchesStarted}/${e.batches} batches` : ""}` +
            (e.estimate.source.startsWith("config: ") ? ` · ${e.estimate.minutesPerBatch} min/batch (${e.estimate.source})` : ""),
    );
    return [`timeline (estimates; cutoff at ${hm(t.cutoffMinute)}, end ${hm(t.endMinute)}):`, ...lines, ...t.findings.map((f) => `! ${f}`)];
}
