// `--ics <file>`: the coming maintenance windows as an iCalendar file, one event
// per window occurrence, for people to import into Outlook or Google Calendar.
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { Occurrence } from ".";
import { localTime } from "../cli/localTime";

/**
 * A UID that stays the same for the same occurrence from run to run, so that
 * re-importing a newer file updates events instead of duplicating them. It names
 * the region: a stack that deploys into several regions has a window of the same
 * name starting at the same instant in each.
 */
export function occurrenceUid(o: Pick<Occurrence, "stack" | "window" | "start" | "region">): string {
    const stamp = o.start
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    return `${stamp}-${o.stack}${o.region !== undefined ? `-${o.region}` : ""}-${o.window}@patch-manager`.replace(/[^A-Za-z0-9@._-]/g, "_");
}

/**
 * The iCalendar text. Times are written in UTC (`...Z`), which every client
 * imports without needing VTIMEZONE definitions; clients show them in the
 * reader's zone, and the description names the window's own zone and local
 * start. DTSTAMP is `stamp` (the plan's reference time) so that the file is
 * reproducible.
 */
export function windowsIcs(occurrences: readonly Occurrence[], opts: { stamp: Date; name?: string }): string {
    const calendar = ical({
        name: opts.name ?? "patch-manager maintenance windows",
        prodId: { company: "patch-manager", product: "plan", language: "EN" },
        method: ICalCalendarMethod.PUBLISH,
    });
    for (const o of occurrences) {
        const groups = o.patchGroups.join(", ") || "no patch groups";
        const hours = (o.end.getTime() - o.start.getTime()) / 3_600_000;
        const skipped = o.skipped !== undefined ? `Skipped (freeze "${o.skipped}"): ` : "";
        calendar.createEvent({
            id: occurrenceUid(o),
            // A start in a change freeze does not run: the window is disabled then.
            ...(o.skipped !== undefined ? { status: ICalEventStatus.CANCELLED } : {}),
            start: o.start,
            end: o.end,
            stamp: opts.stamp,
            summary: `${skipped}Patching ${o.stack}${o.region !== undefined ? ` (${o.region})` : ""}: ${o.operation || "no task"} · ${groups}`,
            description: [
                `Stack: ${o.stack}`,
                ...(o.region !== undefined ? [`Region: ${o.region}`] : []),
                `Maintenance window: ${o.window}`,
                `Operation: ${o.operation || "no task"}`,
                `Patch groups: ${groups}`,
                `Starts ${localTime(o.start, o.timezone)} (${o.timezone}), runs ${hours} hour${hours === 1 ? "" : "s"}`,
                ...(o.description ? [`Schedule: ${o.description}`] : []),
                ...(o.skipped !== undefined ? [`Skipped: the change freeze "${o.skipped}" disables the window then`] : []),
            ].join("\n"),
            categories: [{ name: "Patching" }, { name: o.stack }],
        });
    }
    return calendar.toString();
}
