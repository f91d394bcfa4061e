// The organisation's cells as the fleet checks see them: each cell's windows and patch-group
// registrations derived from its validated settings, the way the program lays them out (one
// environment window for the groups without a schedule, one window per scheduled group, in every
// region of the cell: windowPlan), without evaluating 1,000 programs under mocks.
import { windowOperation, windowPlan } from "../../config/windowPlan";
import { describeSchedule } from "@patch-manager/ssm";
import type { PatchManagerConfig } from "../../config";
import type { Cell } from "../../org/config";
import { FleetStack, FleetWindow, fleetStack } from "../fleet";

/** The maintenance windows the program creates for one model (its window layout), in one region. */
export function modelWindows(model: PatchManagerConfig, region: string | undefined): FleetWindow[] {
    return windowPlan(model).map((w) => ({
        name: w.name,
        schedule: w.schedule.cron,
        ...(w.schedule.offsetDays !== undefined ? { scheduleOffset: w.schedule.offsetDays } : {}),
        timezone: w.timezone,
        durationHours: w.schedule.durationHours,
        patchGroups: w.groups.map((g) => g.name),
        operation: windowOperation(w),
        description: describeSchedule(w.schedule.cron, {
            timezone: w.timezone,
            durationHours: w.schedule.durationHours,
            cutoffHours: w.schedule.cutoffHours,
            ...(w.schedule.offsetDays !== undefined ? { scheduleOffset: w.schedule.offsetDays } : {}),
        }),
        ...(region !== undefined ? { region } : {}),
    }));
}

/** One cell as a fleet stack: its windows in each of its regions, its groups registered in each. */
export function cellFleetStack(cell: Cell): FleetStack {
    const windows = cell.regions.flatMap((r) => modelWindows(cell.model, r));
    const registrations = new Map(cell.model.patchGroups.map((g) => [g.name, [...cell.regions]] as const));
    return fleetStack(cell.model, windows, cell.values, registrations);
}
