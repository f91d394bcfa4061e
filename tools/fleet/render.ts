// The fleet report for a person.
import { localTime } from "../cli/localTime";
import { windowRegion } from "./calendar";
import { duration, isoMinute } from "./rolloutOrder";
import { DAY_MS, FleetReport, FleetStack } from "./types";

/** The text view shows this many days of the calendar; --ics and --json carry all of them. */
export const CALENDAR_TEXT_DAYS = 28;

export function renderFleet(report: FleetReport, stacks: readonly FleetStack[]): string {
    const out: string[] = [];
    out.push(
        `Fleet: ${stacks.length} stack${stacks.length === 1 ? "" : "s"} · from ${report.from.slice(0, 10)} · ${report.days} days · soak ${report.soakDays} day${report.soakDays === 1 ? "" : "s"}`,
        "",
    );
    for (const s of stacks) {
        out.push(
            `  ${s.stack}  ${s.environment}${s.production ? " (production)" : ""} · ${s.region ?? "aws:region not set"}${s.account ? ` · account ${s.account}` : ""} · ${s.windows.length} window${s.windows.length === 1 ? "" : "s"}`,
        );
        // Name each window's region where the stack has windows outside its own (patch-manager:regions).
        const showRegion = s.windows.some((w) => windowRegion(s, w) !== s.region);
        for (const w of s.windows)
            out.push(
                `    ${w.name}${showRegion ? ` (${windowRegion(s, w) ?? "aws:region not set"})` : ""}: ${w.description ?? w.schedule} · ${w.operation || "no task"} · ${w.patchGroups.join(", ") || "no patch groups"}`,
            );
    }
    const shownUntil = new Date(Date.parse(report.from) + Math.min(report.days, CALENDAR_TEXT_DAYS) * DAY_MS);
    const shown = report.calendar.filter((o) => o.start < shownUntil);
    out.push(
        "",
        `Calendar, next ${Math.min(report.days, CALENDAR_TEXT_DAYS)} days (${report.calendar.length} windows in ${report.days} days; --ics writes them all):`,
    );
    for (const o of shown) {
        out.push(
            `  ${localTime(o.start, o.timezone)}  (${isoMinute(o.start)})  ${duration(o.end.getTime() - o.start.getTime())}  ${o.stack}  ${o.region ?? "aws:region not set"}  ${o.operation || "no task"}  ${o.patchGroups.join(", ")}${o.skipped !== undefined ? `  SKIPPED: freeze "${o.skipped}"` : ""}`,
        );
    }
    out.push("", "Quota (maintenance windows per account and region):");
    for (const q of report.quota) {
        out.push(
            `  ${q.account ? `account ${q.account}` : "account not pinned"} · ${q.region ?? "aws:region not set"}: ${q.windows} of ${q.limit} (${q.stacks.join(", ")})`,
        );
    }
    const blocking = report.findings.filter((f) => f.level === "blocking");
    const advisory = report.findings.filter((f) => f.level === "advisory");
    out.push("");
    if (report.findings.length === 0) {
        out.push(
            `Findings: none. Production installs every patch at least ${report.soakDays} days after non-production; no patch group shared between stacks in one region; no overlapping windows; quota fine.`,
        );
    } else {
        out.push(`Findings: ${blocking.length} blocking, ${advisory.length} advisory`);
        for (const f of [...blocking, ...advisory]) out.push(`  [${f.level}] ${f.check}: ${f.message}`);
    }
    return out.join("\n");
}
