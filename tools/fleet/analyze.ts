// The whole fleet report: every check over every stack.
import { QUOTAS } from "@patch-manager/ssm";
import { fleetCalendar } from "./calendar";
import { checkClashes, checkQuota, checkSharedGroups, quotaUsage } from "./clashes";
import { checkRolloutOrder } from "./rolloutOrder";
import { checkWaveOrder } from "./waveOrder";
import { checkFreezeGaps } from "./freezeGaps";
import { FleetOptions, FleetReport, FleetStack } from "./types";

export function analyzeFleet(stacks: readonly FleetStack[], opts: FleetOptions): FleetReport {
    const limit = opts.windowsPerRegion ?? QUOTAS.windowsPerRegion;
    return {
        from: opts.from.toISOString(),
        days: opts.days,
        soakDays: opts.soakDays,
        calendar: fleetCalendar(stacks, opts.from, opts.days),
        quota: quotaUsage(stacks, limit),
        findings: [
            ...checkRolloutOrder(stacks, opts),
            ...checkWaveOrder(stacks, opts),
            ...checkSharedGroups(stacks),
            ...checkClashes(stacks, opts),
            ...checkQuota(stacks, limit),
            ...checkFreezeGaps(stacks, opts),
        ],
    };
}

export function hasBlockingFindings(report: FleetReport): boolean {
    return report.findings.some((f) => f.level === "blocking");
}
