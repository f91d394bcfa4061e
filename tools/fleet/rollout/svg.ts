// The rollout timeline as one self-contained SVG file (no scripts, fonts or stylesheets to
// fetch): a lane per stack and region in rollout order, a row per window, a bar per occurrence,
// clashes in red, and per monthly release day the path of a patch from its first install
// outside production to production's, labelled with the soak between them.
import { localTime } from "../../cli/localTime";
import { Bar, Lane, RolloutPicture, rolloutTimeline, soakText, Timeline } from "./timeline";

export type { RolloutPicture } from "./timeline";

const DAY_MS = 24 * 60 * 60 * 1000;
const WIDTH = 1200;
const LEFT = 250;
const RIGHT = 20;
const TOP = 70;
const ROW = 18;
const LANE_GAP = 14;
const LANE_HEAD = 18;
const COLOURS = {
    nonProduction: "#3b7dd8",
    production: "#e08a1e",
    clash: "#d62728",
    soak: "#2ca02c",
    short: "#d62728",
    grid: "#d9d9d9",
    skipped: "#bdbdbd",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Layout {
    x: (d: Date) => number;
    laneTop: Map<Lane, number>;
    height: number;
}

function layout(t: Timeline): Layout {
    const span = t.until.getTime() - t.from.getTime();
    const x = (d: Date) => LEFT + ((d.getTime() - t.from.getTime()) / span) * (WIDTH - LEFT - RIGHT);
    const laneTop = new Map<Lane, number>();
    let y = TOP;
    for (const lane of t.lanes) {
        laneTop.set(lane, y);
        y += LANE_HEAD + lane.windows.length * ROW + LANE_GAP;
    }
    return { x, laneTop, height: y + 60 };
}

function axis(t: Timeline, l: Layout): string[] {
    const out: string[] = [];
    const first = new Date(Date.UTC(t.from.getUTCFullYear(), t.from.getUTCMonth(), t.from.getUTCDate()));
    const days = Math.ceil((t.until.getTime() - first.getTime()) / DAY_MS);
    const weekly = days > 21;
    for (let i = 0; i <= days; i++) {
        const d = new Date(first.getTime() + i * DAY_MS);
        if (d < t.from || d > t.until || l.x(d) > WIDTH - RIGHT - 20) continue;
        const monday = d.getUTCDay() === 1;
        if (weekly && !monday) continue;
        const x = l.x(d).toFixed(1);
        out.push(
            `<line class="tick" x1="${x}" y1="${TOP - 8}" x2="${x}" y2="${l.height - 60}" stroke="${COLOURS.grid}" stroke-width="1"/>`,
        );
        out.push(
            `<text x="${x}" y="${TOP - 12}" font-size="10" text-anchor="middle" fill="#555">${DAY_NAMES[d.getUTCDay()]} ${String(d.getUTCDate()).padStart(2, "0")} ${MONTHS[d.getUTCMonth()]}</text>`,
        );
    }
    return out;
}

function bar(b: Bar, lane: Lane, y: number, l: Layout): string {
    const x = l.x(b.start);
    const w = Math.max(2, l.x(b.end) - x);
    // A start a change freeze skips is drawn grey: the window is disabled then.
    const fill = b.skipped !== undefined ? COLOURS.skipped : lane.production ? COLOURS.production : COLOURS.nonProduction;
    const stroke = b.clash ? ` stroke="${COLOURS.clash}" stroke-width="2"` : "";
    const title =
        `${lane.stack}${lane.region ? ` · ${lane.region}` : ""} · ${b.window} · ${localTime(b.start, b.timezone)} (${minute(b.start)}) for ` +
        `${Math.round((b.end.getTime() - b.start.getTime()) / 3_600_000)} h · ${b.operation || "no task"} · ${b.patchGroups.join(", ")}` +
        (b.clash ? " · CLASH: overlaps another window of this stack and region" : "") +
        (b.skipped !== undefined ? ` · SKIPPED: change freeze "${b.skipped}"` : "");
    return (
        `<rect class="occurrence${b.clash ? " clash" : ""}${b.skipped !== undefined ? " skipped" : ""}" data-stack="${esc(lane.stack)}" data-region="${esc(lane.region ?? "")}" ` +
        `data-window="${esc(b.window)}" data-start="${b.start.toISOString()}" data-end="${b.end.toISOString()}" ` +
        `x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" rx="2" fill="${b.clash ? COLOURS.clash : fill}"${stroke}>` +
        `<title>${esc(title)}</title></rect>`
    );
}

function lanes(t: Timeline, l: Layout): string[] {
    const out: string[] = [];
    for (const lane of t.lanes) {
        const top = l.laneTop.get(lane)!;
        const name = `${lane.order}. ${lane.stack}${lane.region ? ` · ${lane.region}` : ""}${lane.environment ? ` · ${lane.environment}` : ""}`;
        out.push(
            `<g class="lane" data-order="${lane.order}" data-stack="${esc(lane.stack)}" data-region="${esc(lane.region ?? "")}" data-production="${lane.production}">`,
            `<rect x="0" y="${top}" width="${WIDTH}" height="${LANE_HEAD + lane.windows.length * ROW}" fill="${lane.production ? "#fdf3e6" : "#eef4fc"}"/>`,
            `<text x="8" y="${top + 13}" font-size="12" font-weight="bold">${esc(name)}</text>`,
        );
        lane.windows.forEach((w, i) => {
            const y = top + LANE_HEAD + i * ROW;
            const label = lane.bars.find((b) => b.window === w)?.label ?? w;
            out.push(`<text x="20" y="${y + 13}" font-size="11">${esc(label)}</text>`);
            for (const b of lane.bars.filter((x) => x.window === w)) out.push(bar(b, lane, y, l));
        });
        // One word beside each overlap, on the first clashing row, so the red bars read without the legend.
        const labelled = new Set<number>();
        for (const b of lane.bars.filter((x) => x.clash)) {
            if (labelled.has(b.start.getTime())) continue;
            labelled.add(b.start.getTime());
            const y = top + LANE_HEAD + lane.windows.indexOf(b.window) * ROW;
            out.push(
                `<text class="clash-label" x="${(l.x(b.end) + 6).toFixed(1)}" y="${y + 13}" font-size="10" font-weight="bold" fill="${COLOURS.clash}">clash</text>`,
            );
        }
        out.push("</g>");
    }
    return out;
}

/** Release days: a dashed line, and the patch's path through the lanes with the soak. */
function releases(t: Timeline, l: Layout): string[] {
    const out: string[] = [];
    for (const r of t.releases) {
        const x = l.x(r.day).toFixed(1);
        out.push(
            `<g class="release" data-day="${r.day.toISOString().slice(0, 10)}" data-soak-hours="${r.soakHours ?? ""}" data-short="${r.short}">`,
            `<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${l.height - 60}" stroke="#777" stroke-dasharray="4 3"/>`,
            `<text x="${x}" y="${l.height - 46}" font-size="10" text-anchor="middle" fill="#555">release ${r.day.toISOString().slice(5, 10)}</text>`,
        );
        const points: string[] = [];
        for (const reach of r.reaches.filter((x) => x.start < t.until)) {
            const lane = t.lanes.find((ln) => ln.stack === reach.stack && ln.region === reach.region);
            if (!lane) continue;
            const row = lane.windows.indexOf(reach.window);
            const px = l.x(reach.start);
            const py = l.laneTop.get(lane)! + LANE_HEAD + Math.max(0, row) * ROW + ROW / 2;
            points.push(`${px.toFixed(1)},${py.toFixed(1)}`);
            out.push(
                `<circle class="first-install" data-stack="${esc(reach.stack)}" cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="4" fill="#fff" stroke="#222" stroke-width="1.5">` +
                    `<title>${esc(`${r.operatingSystem} patch released ${r.day.toISOString().slice(0, 10)}: first installed in ${reach.stack} by ${reach.window} at ${minute(reach.start)}`)}</title></circle>`,
            );
        }
        if (points.length > 1) {
            out.splice(
                out.length - points.length,
                0,
                `<polyline points="${points.join(" ")}" fill="none" stroke="${r.short ? COLOURS.short : COLOURS.soak}" stroke-width="1.5" stroke-dasharray="2 2"/>`,
            );
        }
        const prod = r.reaches.find((x) => x.production);
        if (prod && prod.start < t.until && r.soakHours !== null) {
            const lane = t.lanes.find((ln) => ln.stack === prod.stack && ln.region === prod.region);
            if (lane) {
                const y = l.laneTop.get(lane)! + LANE_HEAD + Math.max(0, lane.windows.indexOf(prod.window)) * ROW;
                out.push(
                    `<text class="soak" x="${(l.x(prod.start) + 6).toFixed(1)}" y="${y - 2}" font-size="10" font-weight="bold" fill="${r.short ? COLOURS.short : COLOURS.soak}">soak ${soakText(r.soakHours)}${r.short ? ` &lt; ${t.soakDays} d` : ""}</text>`,
                );
            }
        }
        out.push("</g>");
    }
    return out;
}

function legend(t: Timeline, l: Layout): string[] {
    const y = l.height - 28;
    const os = t.releases[0]?.operatingSystem;
    const items: [string, string][] = [
        [COLOURS.nonProduction, "non-production window"],
        [COLOURS.production, "production window"],
        [COLOURS.clash, "clash: overlaps another window of the stack in its region"],
        // Only where a freeze skips a start: pictures without freezes keep their legend.
        ...(t.lanes.some((lane) => lane.bars.some((b) => b.skipped !== undefined))
            ? ([[COLOURS.skipped, "skipped: in a change freeze (patch-manager:freezes)"]] as [string, string][])
            : []),
    ];
    const out = items.map(
        ([colour, text], i) =>
            `<rect x="${8 + i * 240}" y="${y - 9}" width="12" height="10" fill="${colour}"/><text x="${24 + i * 240}" y="${y}" font-size="11">${esc(text)}</text>`,
    );
    if (os)
        out.push(
            `<text x="8" y="${y + 18}" font-size="11">○ first install of a ${esc(os)} patch released on the month's second Tuesday; the dashed path runs in rollout order, labelled with the soak before production (at least ${t.soakDays} d).</text>`,
        );
    return out;
}

/** The picture as SVG text. */
export function rolloutSvg(picture: RolloutPicture): string {
    const t = rolloutTimeline(picture);
    const l = layout(t);
    const clashes = picture.report.findings.filter((f) => f.check === "clash").length;
    const title =
        `Rollout: ${t.lanes.length} lane${t.lanes.length === 1 ? "" : "s"} (stack · region) from ${t.from.toISOString().slice(0, 10)}, ` +
        `${picture.report.days} days, soak ${t.soakDays} d${clashes > 0 ? `, ${clashes} clash${clashes === 1 ? "" : "es"}` : ""} · times in UTC`;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${l.height}" viewBox="0 0 ${WIDTH} ${l.height}" font-family="Helvetica, Arial, sans-serif">`,
        `<title>${esc(title)}</title>`,
        `<rect width="${WIDTH}" height="${l.height}" fill="#fff"/>`,
        `<text x="8" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
        ...axis(t, l),
        ...lanes(t, l),
        ...releases(t, l),
        ...legend(t, l),
        "</svg>",
        "",
    ].join("\n");
}
