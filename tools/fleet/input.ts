// The fleet's input: each stack as the checks see it, from the validated model and the plan's windows.
import * as fs from "fs";
import * as path from "path";
import type { ApprovalRule, PatchManagerConfig } from "../../config";
import { Approval, FleetStack, FleetWindow } from "./types";

/** The approval timing of each rule, as the baseline's OS and rule settings make it. */
export function approvalsOf(rules: readonly ApprovalRule[]): Approval[] {
    return rules.map((r): Approval =>
        r.approveUntilDate !== undefined
            ? { kind: "untilDate", date: r.approveUntilDate }
            : r.approveAfterDays !== undefined
              ? { kind: "afterDays", days: r.approveAfterDays }
              : { kind: "onRelease" },
    );
}

/** The account a stack deploys to, when the stack file pins one with `aws:allowedAccountIds`. */
export function accountOf(values: Readonly<Record<string, string>>): string | undefined {
    const raw = values["aws:allowedAccountIds"];
    if (raw === undefined) return undefined;
    let ids: unknown;
    try {
        ids = JSON.parse(raw);
    } catch {
        ids = raw.split(",").map((s) => s.trim());
    }
    return Array.isArray(ids) && ids.length === 1 ? String(ids[0]) : undefined;
}

/**
 * A stack as the fleet checks see it. `registrations`: the regions each patch group is
 * registered in (from the plan's aws.ssm.PatchGroup resources); a group not in it is
 * registered in the stack's region.
 */
export function fleetStack(
    model: PatchManagerConfig,
    windows: readonly FleetWindow[],
    values: Readonly<Record<string, string>>,
    registrations?: ReadonlyMap<string, readonly string[]>,
): FleetStack {
    const account = accountOf(values);
    const region = values["aws:region"];
    return {
        stack: model.stack,
        environment: model.environment,
        production: model.production,
        ...(region !== undefined ? { region } : {}),
        ...(account !== undefined ? { account } : {}),
        windows: windows.map((w) => ({
            name: w.name,
            schedule: w.schedule,
            ...(w.scheduleOffset !== undefined ? { scheduleOffset: w.scheduleOffset } : {}),
            timezone: w.timezone,
            durationHours: w.durationHours,
            patchGroups: [...w.patchGroups],
            operation: w.operation,
            ...(w.description !== undefined ? { description: w.description } : {}),
            ...(w.region !== undefined ? { region: w.region } : {}),
        })),
        ...(model.freezes.periods.length > 0 ? { freezes: model.freezes.periods } : {}),
        maxDaysWithoutInstall: model.freezes.maxDaysWithoutInstall,
        groups: model.patchGroups.map((g) => ({
            name: g.name,
            operatingSystem: g.operatingSystem,
            baseline: g.baseline,
            approvals: approvalsOf(model.baselines.find((b) => b.name === g.baseline)?.approvalRules ?? []),
            ...(registrations?.has(g.name) ? { regions: [...registrations.get(g.name)!] } : {}),
        })),
    };
}

/** The stacks of a project directory: every `Pulumi.<stack>.yaml` (or .yml), sorted by name. */
export function stackFiles(dir: string): { stack: string; file: string }[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ stack: m[1], file: path.join(dir, m[0]) }))
        .sort((a, b) => a.stack.localeCompare(b.stack));
}
