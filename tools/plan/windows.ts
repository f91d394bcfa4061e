// The windows a plan shows, read off the resources the program registered (the windows windowPlan
// laid out; for a git ref's program or another project, the only record there is).
import { describeSchedule, nextStarts, TYPES } from "@patch-manager/ssm";
import { windowRun, WindowRunOptions, WindowTaskInput } from "../../config/runtime/windowRun";
import type { PlannedResource } from "../mock/mockProgram";
import type { PlannedWindow } from "./planJson";

/** The region a resource is created in: the provider's `region` output, else the region its ARN names. */
export function resourceRegion(r: Pick<PlannedResource, "outputs">): string | undefined {
    const region = r.outputs?.region;
    if (typeof region === "string" && region !== "") return region;
    return /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/.exec(String(r.outputs?.arn ?? ""))?.[1] || undefined;
}

/** Each maintenance window with the patch groups its targets select, its region and its next starts. */
export function windowsOf(
    resources: PlannedResource[],
    from: Date,
    occurrences: number,
    opts: Pick<WindowRunOptions, "groupEstimates"> = {},
): PlannedWindow[] {
    const byType = (t: string) => resources.filter((r) => r.type === t);
    const targets = byType(TYPES.windowTarget);
    const tasks = byType(TYPES.windowTask);
    return byType(TYPES.window).map((w) => {
        const i = w.inputs as Record<string, any>;
        const groups = targets
            .filter((t) => t.inputs.windowId === w.id)
            .flatMap((t) => (t.inputs.targets as { key: string; values: string[] }[]).flatMap((x) => x.values));
        const operations = [
            ...new Set(
                tasks
                    .filter((t) => t.inputs.windowId === w.id)
                    .flatMap((t) => (t.inputs as any).taskInvocationParameters?.runCommandParameters?.parameters ?? [])
                    .filter((p: { name: string }) => p.name === "Operation")
                    .flatMap((p: { values: string[] }) => p.values),
            ),
        ];
        const timezone = i.scheduleTimezone ?? "UTC";
        const offset = i.scheduleOffset as number | undefined;
        const region = resourceRegion(w);
        const timeline = windowRun(
            { durationHours: i.duration, cutoffHours: i.cutoff },
            tasks.filter((t) => t.inputs.windowId === w.id).map((t) => windowTaskInput(t, targets)),
            opts,
        );
        return {
            urn: w.urn,
            name: i.name,
            schedule: i.schedule,
            ...(offset !== undefined ? { scheduleOffset: offset } : {}),
            timezone,
            durationHours: i.duration,
            cutoffHours: i.cutoff,
            patchGroups: groups,
            operation: operations.join(", "),
            description: describeSchedule(i.schedule, {
                timezone,
                durationHours: i.duration,
                cutoffHours: i.cutoff,
                scheduleOffset: offset,
            }),
            next: nextStarts(i.schedule, { timezone, scheduleOffset: offset, from, count: occurrences }).map((d) => d.toISOString()),
            ...(region !== undefined ? { region } : {}),
            timeline,
        };
    });
}

/** A registered window task as the scheduler model reads it: its group from its window target's tag values. */
export function windowTaskInput(t: PlannedResource, targets: readonly PlannedResource[]): WindowTaskInput {
    const i = t.inputs as Record<string, any>;
    const targetIds: string[] = (i.targets ?? []).flatMap((x: { values: string[] }) => x.values);
    const groups = targets
        .filter((x) => targetIds.includes(String(x.id)))
        .flatMap((x) => (x.inputs.targets as { values: string[] }[]).flatMap((v) => v.values));
    const operation = (i.taskInvocationParameters?.runCommandParameters?.parameters ?? []).find(
        (p: { name: string }) => p.name === "Operation",
    )?.values?.[0];
    // A targetless runbook (start/stop stopped instances) names its group and its bound as parameters.
    const automation: { name: string; values: string[] }[] = i.taskInvocationParameters?.automationParameters?.parameters ?? [];
    const parameter = (name: string) => automation.find((p) => p.name === name)?.values?.[0];
    const bound = parameter("TimeoutMinutes");
    return {
        name: t.name,
        group: groups.join(", ") || parameter("PatchGroup") || "(no target)",
        ...(targetIds.length === 0 ? { targetless: true } : {}),
        ...(bound !== undefined ? { boundMinutes: Number(bound) } : {}),
        taskType: String(i.taskType),
        document: String(i.taskArn),
        ...(operation !== undefined ? { operation } : {}),
        priority: Number(i.priority ?? 0),
        maxConcurrency: String(i.maxConcurrency ?? "1"),
        maxErrors: String(i.maxErrors ?? "1"),
        cutoffBehavior: String(i.cutoffBehavior ?? "CONTINUE_TASK"),
    };
}

/** The stack's own duration estimates by patch group (patchGroups[i].durationEstimates), for windowRun. */
export function groupEstimatesOf(groups: readonly { name: string; durationEstimates: Partial<Record<string, number>> }[]) {
    return Object.fromEntries(
        groups.flatMap((g, i) =>
            Object.keys(g.durationEstimates).length > 0
                ? [[g.name, { keyPath: `patch-manager:patchGroups[${i}].durationEstimates`, minutes: g.durationEstimates }]]
                : [],
        ),
    );
}
