// The organisation's cells as the fleet checks see them: each cell's windows and patch-group
// registrations derived from its validated settings, the way the program lays them out (one
// environment window for the groups without a schedule, one window per scheduled group, in every
// region of the cell: windowPlan), without evaluating 1,000 programs under mocks.
import { windowOperation, windowPlan, windowSummary } from "../../config/windowPlan";
import { describeSchedule } from "@patch-manager/ssm";
import type { PatchManagerConfig } from "../../config";
import type { Cell } from "../config";
import { FleetStack, FleetWindow, fleetStack } from "../../tools/fleet";

/** The maintenance windows the program creates for one model (its window layout), in one region. */
export function modelWindows(model: PatchManagerConfig, region: string | undefined): FleetWindow[] {
    return windowPlan(model).map((w) => {
        const { cutoffHours, ...summary } = windowSummary(w);
        return {
            ...summary,
            operation: windowOperation(w),
            description: describeSchedule(summary.schedule, { ...summary, cutoffHours }),
            ...(region !== undefined ? { region } : {}),
        };
    });
}

/** One cell as a fleet stack: its windows in each of its regions, its groups registered in each. */
export function cellFleetStack(cell: Cell): FleetStack {
    const windows = cell.regions.flatMap((r) => modelWindows(cell.model, r));
    const registrations = new Map(cell.model.patchGroups.map((g) => [g.name, [...cell.regions]] as const));
    return fleetStack(cell.model, windows, cell.values, registrations);
}
