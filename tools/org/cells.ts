// The organisation's cells as the fleet checks see them: each cell's windows and patch-group
// registrations derived from its validated settings, the way the program lays them out (one
// environment window for the groups without a schedule, one window per scheduled group, in every
// region of the cell), without evaluating 1,000 programs under mocks.
import { ssmName } from "../../config/naming";
import { describeSchedule } from "@patch-manager/ssm";
import type { PatchManagerConfig, WindowSchedule } from "../../config";
import type { Cell } from "../../org/config";
import { FleetStack, FleetWindow, fleetStack } from "../fleet";

/** The maintenance windows the program creates for one model, in one region. */
export function modelWindows(model: PatchManagerConfig, region: string | undefined): FleetWindow[] {
    const namePrefix = `patch-manager-${model.stack}`;
    const window = (windowName: string, s: WindowSchedule, groups: PatchManagerConfig["patchGroups"]): FleetWindow => ({
        name: ssmName(namePrefix, windowName),
        schedule: s.cron,
        ...(s.offsetDays !== undefined ? { scheduleOffset: s.offsetDays } : {}),
        timezone: model.timezone,
        durationHours: s.durationHours,
        patchGroups: groups.map((g) => g.name),
        operation: [...new Set(groups.map((g) => g.operation))].join(", "),
        description: describeSchedule(s.cron, {
            timezone: model.timezone,
            durationHours: s.durationHours,
            cutoffHours: s.cutoffHours,
            ...(s.offsetDays !== undefined ? { scheduleOffset: s.offsetDays } : {}),
        }),
        ...(region !== undefined ? { region } : {}),
    });
    const out: FleetWindow[] = [];
    const inEnvironmentWindow = model.patchGroups.filter((g) => g.schedule === undefined);
    if (inEnvironmentWindow.length > 0) out.push(window(model.window, model.environmentSchedule, inEnvironmentWindow));
    for (const g of model.patchGroups) if (g.schedule) out.push(window(g.slug, g.schedule, [g]));
    return out;
}

/** One cell as a fleet stack: its windows in each of its regions, its groups registered in each. */
export function cellFleetStack(cell: Cell): FleetStack {
    const windows = cell.regions.flatMap((r) => modelWindows(cell.model, r));
    const registrations = new Map(cell.model.patchGroups.map((g) => [g.name, [...cell.regions]] as const));
    return fleetStack(cell.model, windows, cell.values, registrations);
}
