import { strict as assert } from "assert";
import { DOMParser, Element } from "@xmldom/xmldom";
import * as fs from "fs";
import * as path from "path";
import { planFleet } from "../../../tools/plan/plan";
import { ROOT } from "../../helpers";
import { analyzeFleet, FleetGroup, FleetStack, FleetWindow } from "../../../tools/fleet";
import { fleetMarkdown, rolloutGantt } from "../../../tools/fleet/rollout/mermaid";
import { rolloutSvg } from "../../../tools/fleet/rollout/svg";
import { releaseDays, rolloutTimeline, windowLabel } from "../../../tools/fleet/rollout/timeline";

const FROM = new Date("2026-12-01T00:00:00Z"); // a Tuesday; Patch Tuesday is 2026-12-08
const win = (name: string, schedule: string, patchGroups: string[], durationHours = 5): FleetWindow => ({
    name,
    schedule,
    timezone: "UTC",
    durationHours,
    patchGroups,
    operation: "Install",
});
const group = (name: string, afterDays: number): FleetGroup => ({
    name,
    operatingSystem: "WINDOWS",
    baseline: "default-windows",
    approvals: [{ kind: "afterDays", days: afterDays }],
});

// Production listed first on purpose: the picture orders lanes by rollout, not by input order.
const prod: FleetStack = {
    stack: "prod",
    environment: "production",
    production: true,
    region: "eu-west-1",
    windows: [
        win("patch-manager-prod-web-server", "cron(0 22 ? * THU#2 *)", ["Web Server"], 6),
        win("patch-manager-prod-application-server", "cron(0 23 ? * THU#2 *)", ["Application Server"], 6),
        win("patch-manager-prod-weekend", "cron(0 5 ? * SAT *)", ["Windows"]),
    ],
    groups: [group("Web Server", 7), group("Application Server", 7), group("Windows", 7)],
};
const dev: FleetStack = {
    stack: "dev",
    environment: "development",
    production: false,
    region: "eu-west-1",
    windows: [win("patch-manager-dev-weekday", "cron(0 21 ? * MON-FRI *)", ["Windows", "Web Server", "Application Server"])],
    groups: [group("Windows", 0), group("Web Server", 0), group("Application Server", 0)],
};
const report = analyzeFleet([prod, dev], { from: FROM, days: 31, soakDays: 3 });
const picture = { report, stacks: [prod, dev] };

function parseSvg(text: string) {
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => level !== "warning" && errors.push(msg) }).parseFromString(text, "image/svg+xml");
    assert.deepEqual(errors, [], "the SVG is well-formed XML");
    const all = (tag: string) => Array.from(doc.getElementsByTagName(tag)) as Element[];
    return {
        doc,
        all,
        byClass: (tag: string, cls: string) => all(tag).filter((e) => (e.getAttribute("class") ?? "").split(" ").includes(cls)),
    };
}

describe("rollout pictures (--svg, --markdown)", function () {
    it("release days are the second Tuesday of each month", function () {
        assert.deepEqual(
            releaseDays(FROM, new Date("2027-03-01T00:00:00Z")).map((d) => d.toISOString().slice(0, 10)),
            ["2026-12-08", "2027-01-12", "2027-02-09"],
        );
        assert.equal(windowLabel("prod", "patch-manager-prod-web-server"), "web-server");
        assert.equal(windowLabel("prod", "custom-name"), "custom-name");
    });

    it("the SVG is self-contained XML with a lane per stack in rollout order and a bar per window occurrence", function () {
        const svg = rolloutSvg(picture);
        assert.doesNotMatch(svg, /<script|<style|href=|@import|url\(/, "nothing to fetch or run");
        const { doc, all, byClass } = parseSvg(svg);
        assert.equal(doc.documentElement!.tagName, "svg");
        assert.equal(doc.documentElement!.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
        const lanes = all("g").filter((g) => g.getAttribute("class") === "lane");
        assert.deepEqual(
            lanes.map((g) => [g.getAttribute("data-order"), g.getAttribute("data-stack"), g.getAttribute("data-production")]),
            [
                ["1", "dev", "false"],
                ["2", "prod", "true"],
            ],
        );
        const bars = byClass("rect", "occurrence");
        assert.equal(bars.length, report.calendar.length);
        // Every occurrence of the calendar is drawn, at its own start, and later starts sit further right.
        assert.deepEqual(
            bars.map((b) => `${b.getAttribute("data-window")}@${b.getAttribute("data-start")}`).sort(),
            report.calendar.map((o) => `${o.window}@${o.start.toISOString()}`).sort(),
        );
        const devBars = bars.filter((b) => b.getAttribute("data-stack") === "dev");
        assert.equal(devBars.length, 23, "23 weekday nights in December 2026");
        const xs = devBars.map((b) => Number(b.getAttribute("x")));
        assert.deepEqual(
            xs,
            [...xs].sort((a, b) => a - b),
        );
        assert.ok(xs[0] < xs[xs.length - 1]);
        for (const b of bars) assert.ok(b.getElementsByTagName("title").length === 1, "each bar says what it is on hover");
    });

    it("marks both windows of a clash, and only them", function () {
        const { byClass } = parseSvg(rolloutSvg(picture));
        const clashing = byClass("rect", "clash");
        assert.deepEqual([...new Set(clashing.map((b) => b.getAttribute("data-window")))].sort(), [
            "patch-manager-prod-application-server",
            "patch-manager-prod-web-server",
        ]);
        assert.deepEqual(
            clashing.map((b) => b.getAttribute("data-start")),
            ["2026-12-10T22:00:00.000Z", "2026-12-10T23:00:00.000Z"],
        );
        assert.equal(byClass("text", "clash-label").length, 2, "one label per overlapping start");
        assert.match(byClass("rect", "clash")[0].getElementsByTagName("title")[0].textContent!, /CLASH/);
    });

    it("shows the soak: a patch's first install outside production, then production's", function () {
        const t = rolloutTimeline(picture);
        assert.equal(t.releases.length, 1);
        const [release] = t.releases;
        // Released Tue 2026-12-08: dev (no delay) installs that night; prod approves on the 15th
        // and its first Windows window after that is Saturday the 19th.
        assert.deepEqual(
            release.reaches.map((r) => [r.stack, r.window, r.start.toISOString()]),
            [
                ["dev", "patch-manager-dev-weekday", "2026-12-08T21:00:00.000Z"],
                ["prod", "patch-manager-prod-weekend", "2026-12-19T05:00:00.000Z"],
            ],
        );
        assert.equal(release.soakHours, 10 * 24 + 8);
        assert.equal(release.short, false);
        const { byClass, all } = parseSvg(rolloutSvg(picture));
        const g = all("g").find((x) => x.getAttribute("class") === "release")!;
        assert.equal(g.getAttribute("data-day"), "2026-12-08");
        assert.equal(g.getAttribute("data-soak-hours"), "248");
        assert.deepEqual(
            byClass("circle", "first-install").map((c) => c.getAttribute("data-stack")),
            ["dev", "prod"],
        );
        assert.equal(byClass("text", "soak")[0].textContent, "soak 10 d 8 h");
    });

    it("a soak shorter than --soak-days is marked", function () {
        const strict = analyzeFleet([prod, dev], { from: FROM, days: 31, soakDays: 14 });
        const t = rolloutTimeline({ report: strict, stacks: [prod, dev] });
        assert.equal(t.releases[0].short, true);
        assert.match(rolloutSvg({ report: strict, stacks: [prod, dev] }), /soak 10 d 8 h &lt; 14 d/);
    });

    it("the Mermaid gantt has a section per lane in rollout order, clashes as crit, the release and the soak", function () {
        const gantt = rolloutGantt(picture);
        assert.equal(gantt[1], "gantt");
        const sections = gantt.filter((l) => l.trim().startsWith("section "));
        assert.deepEqual(
            sections.map((l) => l.trim()),
            ["section 1. dev eu-west-1", "section 2. prod eu-west-1", "section soak (WINDOWS)"],
        );
        const crit = gantt.filter((l) => l.includes(":crit,"));
        assert.deepEqual(
            crit.map((l) => l.trim()),
            ["web-server CLASH :crit, 2026-12-10 22:00, 6h", "application-server CLASH :crit, 2026-12-10 23:00, 6h"],
        );
        assert.ok(gantt.includes("    release 2026-12-08 :milestone, 2026-12-08 00:00, 0d"));
        assert.ok(gantt.includes("    dev to prod 10 d 8 h :active, 2026-12-08 21:00, 2026-12-19 05:00"));
        // Mermaid task names cannot hold ":", ";" or "#".
        for (const l of gantt.filter((x) => / :/.test(x))) assert.doesNotMatch(l.trim().split(" :")[0], /[:;#]/, l);
        const md = fleetMarkdown(picture, [{ stack: "prod", violations: [] }]);
        assert.match(md, /```mermaid\n%%\{init: \{"gantt": \{"displayMode": "compact"\}\}\}%%\ngantt\n/);
        assert.match(md, /\| advisory \| clash \| prod \(eu-west-1\): windows "patch-manager-prod-web-server"/);
    });

    it("docs/rollout.svg is the shipped fleet's picture as the README's command draws it", async function () {
        const { stacks, report } = await planFleet({ from: FROM, occurrences: 1, days: 62, soakDays: 3 });
        const drawn = rolloutSvg({ report, stacks: stacks.map((s) => s.fleet) });
        assert.ok(
            fs.readFileSync(path.join(ROOT, "docs", "rollout.svg"), "utf8") === drawn,
            "docs/rollout.svg is out of date: npm run plan -- --all --from 2026-12-01 --days 62 --svg docs/rollout.svg",
        );
        const { all } = parseSvg(drawn);
        assert.deepEqual(
            all("g")
                .filter((g) => g.getAttribute("class") === "lane")
                .map((g) => g.getAttribute("data-stack")),
            ["dev", "prod"],
        );
    });
});
