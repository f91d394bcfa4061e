// The rollout timeline as a Mermaid gantt, so that a pull-request comment or a Markdown page
// shows it rendered: a section per stack and region in rollout order, clashes as `crit` bars,
// and per release day the soak from the first install outside production to production's.
import type { Violation } from "../../audit/engine";
import type { ClashFinding, FleetStack } from "..";
import { CALENDAR_TEXT_DAYS, fleetCalendar } from "..";
import { findingCounts } from "../../audit/findings";
import { RolloutPicture, rolloutTimeline, soakText } from "./timeline";

/** Mermaid's task syntax gives `:` `;` `#` meaning; keep names to plain words. */
const plain = (s: string) => s.replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();
const at = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
const hours = (a: Date, b: Date) => Math.max(1, Math.round((b.getTime() - a.getTime()) / 3_600_000));

/** The gantt lines (without the Markdown fence) of the first `days` days of the picture. */
export function rolloutGantt(picture: RolloutPicture, days: number = Math.min(picture.report.days, CALENDAR_TEXT_DAYS)): string[] {
    const t = rolloutTimeline(picture, days);
    const out = [
        // Compact: the occurrences of one window share a row instead of one row each.
        '%%{init: {"gantt": {"displayMode": "compact"}}}%%',
        "gantt",
        `    title Rollout from ${t.from.toISOString().slice(0, 10)}, ${days} days (UTC), soak ${t.soakDays} d`,
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %d %b",
    ];
    for (const lane of t.lanes) {
        out.push(`    section ${lane.order}. ${plain(`${lane.stack}${lane.region ? ` ${lane.region}` : ""}`)}`);
        for (const b of lane.bars)
            out.push(
                // A start a freeze skips as a `done` (greyed) bar, named so.
                `    ${plain(b.label)}${b.clash ? " CLASH" : ""}${b.skipped !== undefined ? ` SKIPPED ${plain(b.skipped)}` : ""} :${b.clash ? "crit, " : b.skipped !== undefined ? "done, " : ""}${at(b.start)}, ${hours(b.start, b.end)}h`,
            );
    }
    const shown = t.releases.filter((r) => r.day < t.until);
    if (shown.length > 0) {
        out.push(`    section soak (${plain(shown[0].operatingSystem)})`);
        for (const r of shown) {
            const day = r.day.toISOString().slice(0, 10);
            out.push(`    release ${day} :milestone, ${at(r.day)}, 0d`);
            const first = r.reaches.find((x) => !x.production);
            const prod = r.reaches.find((x) => x.production);
            if (first && prod && r.soakHours !== null && prod.start > first.start)
                out.push(
                    `    ${plain(`${first.stack} to ${prod.stack} ${soakText(r.soakHours)}${r.short ? ` under ${t.soakDays} d` : ""}`)} :${r.short ? "crit" : "active"}, ${at(first.start)}, ${at(prod.start)}`,
                );
        }
    }
    return out;
}

const fence = (lines: string[]) => ["```mermaid", ...lines, "```"];

/** `--all --markdown`: the fleet's findings, its policy results and the gantt, for a pull request or a wiki page. */
export function fleetMarkdown(picture: RolloutPicture, policies: readonly { stack: string; violations: readonly Violation[] }[]): string {
    const { report, stacks } = picture;
    const blocking = report.findings.filter((f) => f.level === "blocking");
    const advisory = report.findings.filter((f) => f.level === "advisory");
    const violations = policies.flatMap((p) => p.violations.map((v) => ({ ...v, stack: p.stack })));
    const out = [
        `### Fleet plan: ${stacks.map((s) => `\`${s.stack}\``).join(", ")}`,
        "",
        `From ${report.from.slice(0, 10)}, ${report.days} days, soak ${report.soakDays} days. ` +
            `Findings: ${blocking.length} blocking, ${advisory.length} advisory. Policies: ${violations.length === 0 ? "no violations" : findingCounts(violations.map((v) => v.level))}.`,
        "",
        ...fence(rolloutGantt(picture)),
        "",
    ];
    if (report.findings.length > 0) {
        out.push("| level | check | finding |", "| --- | --- | --- |");
        for (const f of [...blocking, ...advisory]) out.push(`| ${f.level} | ${f.check} | ${f.message.replace(/\|/g, "\\|")} |`);
        out.push("");
    }
    if (violations.length > 0) {
        out.push("| stack | level | policy | finding |", "| --- | --- | --- | --- |");
        for (const v of violations) out.push(`| ${v.stack} | ${v.level} | ${v.policy} | ${v.message.replace(/\|/g, "\\|")} |`);
        out.push("");
    }
    return `${out.join("\n")}`;
}

/** Appended to a single stack's diff in Markdown: its coming windows as a gantt, and its clashes. */
export function stackMarkdownAppendix(stack: FleetStack, clashes: readonly ClashFinding[], from: Date): string {
    const days = CALENDAR_TEXT_DAYS;
    const picture: RolloutPicture = {
        report: { from: from.toISOString(), days, soakDays: 0, calendar: fleetCalendar([stack], from, days), quota: [], findings: clashes },
        stacks: [stack],
    };
    const out = ["", `#### Coming windows of \`${stack.stack}\` (working tree)`, "", ...fence(rolloutGantt(picture)), ""];
    if (clashes.length > 0) out.push(`**Clashes** (advisory):`, "", ...clashes.map((c) => `- ${c.message}`), "");
    return out.join("\n");
}
