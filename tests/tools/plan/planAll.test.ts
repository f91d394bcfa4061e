import { strict as assert } from "assert";
import * as fs from "fs";
import * as ical from "node-ical";
import * as os from "os";
import * as path from "path";
import { checkRolloutOrder } from "../../../tools/fleet";
import { planFleet } from "../../../tools/plan/plan";
import { plan, ROOT } from "../../helpers";

const FROM = "2026-11-26T00:00:00Z";
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-all-"));

/** A stack file in UTC with a Windows group (and `groups` lines after it). */
function stackFile(dir: string, name: string, lines: string[], groups: string[] = [], region = "eu-west-1"): void {
    fs.writeFileSync(
        path.join(dir, `Pulumi.${name}.yaml`),
        [
            "config:",
            `  aws:region: ${region}`,
            "  patch-manager:timezone: UTC",
            "  patch-manager:patchGroups:",
            "    - {name: Windows, operatingSystem: WINDOWS}",
            ...groups.map((l) => `    ${l}`),
            ...lines.map((l) => `  ${l}`),
        ].join("\n"),
    );
}

/** A folder holding only the shipped dev/prod pair (the project also ships example stacks). */
function shippedPair(): string {
    const dir = tmp();
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    return dir;
}

describe("npm run plan -- --all / --ics", function () {
    it("the shipped fleet (every stack file but the examples) passes with the defaults: exit 0", async function () {
        const { code, stdout, stderr } = await plan("--all", "--json", "--from", FROM);
        assert.equal(code, 0, stdout);
        const doc = JSON.parse(stdout);
        assert.deepEqual(
            doc.stacks.map((s: any) => s.stack),
            ["dev", "prod"],
        );
        assert.match(stderr, /Left out the example stacks prod-hybrid, prod-private, prod-strategies \(--include-examples adds them\)/);
        assert.deepEqual(
            doc.findings.filter((f: any) => f.level === "blocking"),
            [],
        );
        // No stack pins its account, so the groups they share in eu-west-1 are an advisory, not a failure.
        const shared = doc.findings.filter((f: any) => f.check === "shared-patch-group");
        assert.deepEqual(
            shared.map((f: any) => [f.level, f.region, f.account]),
            [["advisory", "eu-west-1", null]],
        );
        assert.ok(shared[0].stacks.includes("dev") && shared[0].stacks.includes("prod"));
    });

    it("the docs' --soak-days 5 example does what its comment says: exit 1 with rollout-order findings, example stacks left out", async function () {
        const readme = fs.readFileSync(path.join(ROOT, "docs", "offline-tools.md"), "utf8");
        const line = readme.split("\n").find((l) => l.startsWith("npm run") && l.includes("--all") && l.includes("--soak-days 5"));
        assert.ok(line, "docs/offline-tools.md has the example");
        const [command, comment] = line.split("#");
        const promised = Number(/exit (\d)/.exec(comment ?? "")?.[1]);
        assert.equal(promised, 1, `the comment says the exit status: ${line}`);
        const args = command.trim().split(/\s+/);
        const dir = tmp();
        const before = process.env.INIT_CWD;
        process.env.INIT_CWD = dir; // --out and --ics land in a scratch directory
        try {
            const r = await plan(...args.slice(args.indexOf("--") + 1), "--from", FROM);
            assert.equal(r.code, promised, r.stderr);
        } finally {
            if (before === undefined) delete process.env.INIT_CWD;
            else process.env.INIT_CWD = before;
        }
        const doc = JSON.parse(fs.readFileSync(path.join(dir, "fleet.json"), "utf8"));
        assert.deepEqual(
            doc.stacks.map((s: any) => s.stack),
            ["dev", "prod"],
        );
        const blocking = doc.findings.filter((f: any) => f.level === "blocking");
        assert.ok(blocking.length > 0 && blocking.every((f: any) => f.check === "rollout-order"));
        assert.ok(fs.existsSync(path.join(dir, "fleet.ics")));
    });

    it("prod-private (two regions): every window names its region, the regions do not clash, --ics UIDs are unique", async function () {
        const dir = tmp();
        // With dev, whose windows come first in the rollout order.
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod-private.yaml"])
            fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
        const file = path.join(tmp(), "private.ics");
        const { code, stdout, stderr } = await plan("--all", "--include-examples", "--json", "--from", FROM, "--dir", dir, "--ics", file);
        assert.equal(code, 0, stderr);
        const doc = JSON.parse(stdout);
        const windows = doc.stacks.find((s: any) => s.stack === "prod-private").windows;
        assert.equal(windows.length, 10);
        assert.deepEqual(windows.map((w: any) => w.region).sort(), [...Array(5).fill("eu-central-1"), ...Array(5).fill("eu-west-1")]);
        assert.deepEqual(
            doc.findings.filter((f: any) => f.check === "clash"),
            [],
        );
        assert.deepEqual([...new Set(doc.calendar.map((o: any) => o.region))].sort(), ["eu-central-1", "eu-west-1"]);
        const events = Object.values(ical.sync.parseFile(file)).filter((c): c is ical.VEvent => c?.type === "VEVENT");
        assert.equal(events.length, doc.calendar.length);
        assert.equal(new Set(events.map((e) => e.uid)).size, events.length, "one UID per region's occurrence");
        const saturday = events.filter((e) => e.start.toISOString() === "2026-11-28T05:00:00.000Z");
        assert.deepEqual(saturday.map((e) => String(e.summary)).sort(), [
            "Patching prod-private (eu-central-1): Install · Windows, RHEL, Windows2012",
            "Patching prod-private (eu-west-1): Install · Windows, RHEL, Windows2012",
        ]);
        assert.ok(saturday.every((e) => String(e.description).includes(`Region: ${String(e.summary).match(/\((.+?)\)/)![1]}`)));

        const text = await plan("--all", "--include-examples", "--from", FROM, "--dir", dir);
        assert.equal(text.code, 0);
        assert.ok(
            text.stdout.includes("Sat 2026-11-28 06:00 CET  (2026-11-28 05:00 UTC)  5 h  prod-private  eu-central-1  Install"),
            text.stdout,
        );
        assert.ok(text.stdout.includes("Sat 2026-11-28 06:00 CET  (2026-11-28 05:00 UTC)  5 h  prod-private  eu-west-1  Install"));
        assert.ok(text.stdout.includes("    patch-manager-prod-private-weekend (eu-central-1): at 06:00 every Saturday and Sunday"));
        assert.ok(!text.stdout.includes("clash"), text.stdout);

        const single = await plan("--stack", "prod-private", "--json", "--from", FROM);
        assert.deepEqual(
            JSON.parse(single.stdout).windows.map((w: any) => w.region),
            windows.map((w: any) => w.region),
            "the single-stack plan carries the region too",
        );
    });

    it("stacks that register the same patch group in one region: blocking in one pinned account, advisory when not pinned", async function () {
        const pin = (account: string) => `aws:allowedAccountIds: ["${account}"]`;
        const dir = tmp();
        stackFile(dir, "dev", ["patch-manager:environment: development", pin("111111111111")]);
        stackFile(dir, "prod", ["patch-manager:environment: production", pin("111111111111")]);
        const blocking = await plan("--all", "--dir", dir, "--from", FROM, "--days", "7");
        assert.equal(blocking.code, 1, blocking.stdout);
        assert.ok(
            blocking.stdout.includes(
                '[blocking] shared-patch-group: dev and prod deploy into account 111111111111, region eu-west-1, and register the same patch group "Windows" (dev, prod): ' +
                    "maintenance-window targets select instances by the Patch Group tag alone, so each stack's windows would patch the others' instances of these groups",
            ),
            blocking.stdout,
        );
        assert.match(
            blocking.stdout,
            /Either deploy the stacks into separate accounts and pin each with aws:allowedAccountIds, or give the groups distinct names\./,
        );
        const json = JSON.parse((await plan("--all", "--dir", dir, "--from", FROM, "--days", "7", "--json")).stdout);
        assert.deepEqual(
            json.findings
                .filter((f: any) => f.check === "shared-patch-group")
                .map((f: any) => [f.level, f.account, f.region, f.stacks, f.patchGroups]),
            [["blocking", "111111111111", "eu-west-1", ["dev", "prod"], [{ name: "Windows", stacks: ["dev", "prod"] }]]],
        );

        const shared = async () =>
            JSON.parse((await plan("--all", "--dir", dir, "--from", FROM, "--days", "7", "--json")).stdout).findings.filter(
                (f: any) => f.check === "shared-patch-group",
            );
        // Unpinned on one side: advisory, exit 0.
        stackFile(dir, "prod", ["patch-manager:environment: production"]);
        const advisory = await plan("--all", "--dir", dir, "--from", FROM, "--days", "7");
        assert.equal(advisory.code, 0, advisory.stdout);
        assert.match(
            advisory.stdout,
            /\[advisory\] shared-patch-group: dev and prod register the same patch group in region eu-west-1: "Windows" \(dev, prod\); aws:allowedAccountIds does not pin the account of prod, so they may share one\./,
        );
        // Different pinned accounts, or different regions: they never meet.
        stackFile(dir, "prod", ["patch-manager:environment: production", pin("222222222222")]);
        assert.deepEqual(await shared(), []);
        stackFile(dir, "prod", ["patch-manager:environment: production", pin("111111111111")], [], "us-east-1");
        assert.deepEqual(await shared(), []);
    });

    it("the shipped dev/prod pair: combined calendar, only the advisory about their unpinned accounts, exit 0", async function () {
        const pair = shippedPair();
        const { code, stdout } = await plan("--all", "--json", "--from", FROM, "--dir", pair);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout);
        assert.deepEqual(Object.keys(doc), ["project", "from", "days", "soakDays", "stacks", "calendar", "quota", "findings"]);
        assert.deepEqual(
            doc.stacks.map((s: any) => [s.stack, s.file, s.environment, s.production, s.region, s.windows.length]),
            [
                ["dev", "Pulumi.dev.yaml", "development", false, "eu-west-1", 1],
                ["prod", "Pulumi.prod.yaml", "production", true, "eu-west-1", 5],
            ],
        );
        assert.deepEqual(
            doc.findings.map((f: any) => [f.check, f.level, f.region, f.account, f.stacks, f.patchGroups.length]),
            [["shared-patch-group", "advisory", "eu-west-1", null, ["dev", "prod"], 7]],
        );
        assert.deepEqual(doc.quota, [{ account: null, region: "eu-west-1", stacks: ["dev", "prod"], windows: 6, limit: 50 }]);
        assert.equal(doc.days, 90);
        assert.equal(doc.soakDays, 3);
        // 64 weekday nights in dev, 26 weekend mornings and 12 monthly waves in prod over 90 days.
        assert.equal(doc.calendar.length, 102);
        assert.deepEqual(
            doc.calendar.find((o: any) => o.window === "patch-manager-prod-weekend"),
            {
                stack: "prod",
                window: "patch-manager-prod-weekend",
                region: "eu-west-1",
                start: "2026-11-28T05:00:00.000Z",
                end: "2026-11-28T10:00:00.000Z",
                timezone: "Europe/Amsterdam",
                patchGroups: ["Windows", "RHEL", "Windows2012"],
                operation: "Install",
                description: "at 06:00 every Saturday and Sunday, Europe/Amsterdam, for 5 hours (no new tasks in the last hour)",
            },
        );

        const file = path.join(tmp(), "fleet.ics");
        const text = await plan("--all", "--from", FROM, "--ics", file, "--dir", pair);
        assert.equal(text.code, 0);
        assert.ok(text.stdout.includes("Wrote 102 window occurrences to "), text.stdout);
        const events = Object.values(ical.sync.parseFile(file)).filter((c): c is ical.VEvent => c?.type === "VEVENT");
        assert.equal(events.length, 102);
        assert.equal(events.filter((e) => String(e.summary).startsWith("Patching dev (eu-west-1):")).length, 64);
        assert.ok(
            text.stdout.includes(
                "Findings: 0 blocking, 1 advisory\n  [advisory] shared-patch-group: dev and prod register the same patch groups in region eu-west-1",
            ),
            text.stdout,
        );
        assert.ok(
            text.stdout.includes("Fri 2026-11-27 23:00 CET  (2026-11-27 22:00 UTC)  6 h  prod  eu-west-1  Install  Database Server"),
            text.stdout,
        );
        assert.ok(text.stdout.includes("account not pinned · eu-west-1: 6 of 50 (dev, prod)"));
    });

    it("the shipped pair's tightest margin: 3 days 1 hour (dev Monday night, prod's Thursday wave)", async function () {
        const from = new Date(FROM);
        const { stacks } = await planFleet({ from, occurrences: 1, days: 90, soakDays: 3, dir: shippedPair() });
        const fleet = stacks.map((s) => s.fleet);
        assert.deepEqual(checkRolloutOrder(fleet, { from, days: 90, soakDays: 3 }), []);
        const strict = checkRolloutOrder(fleet, { from, days: 90, soakDays: 4 });
        assert.deepEqual(
            strict.map((f) => [f.operatingSystem, f.productionWindow, f.example.soakHours, f.releaseDays[0]]),
            [
                ["WINDOWS", "patch-manager-prod-weekend", 80, "2026-11-28"],
                ["WINDOWS", "patch-manager-prod-management-server", 73, "2026-12-09"],
                ["WINDOWS", "patch-manager-prod-application-server", 73, "2026-12-16"],
                ["REDHAT_ENTERPRISE_LINUX", "patch-manager-prod-weekend", 80, "2026-11-28"],
            ],
        );
        // Released Wednesday 9 Dec: approved in dev on Saturday, installed Monday 22:00 CET; in prod on
        // Wednesday 16 Dec, installed by the Management Server wave (Patch Tuesday + 9) Thursday at 23:00 CET.
        assert.deepEqual(strict[1].example, {
            releaseDay: "2026-12-09",
            productionApproved: "2026-12-16T00:00:00.000Z",
            productionStart: "2026-12-17T22:00:00.000Z",
            nonProductionStack: "dev",
            nonProductionApproved: "2026-12-12T00:00:00.000Z",
            nonProductionStart: "2026-12-14T21:00:00.000Z",
            soakHours: 73,
        });
    });

    it("a fleet that patches production first exits 1 and says which window and delay break it", async function () {
        const dir = tmp();
        stackFile(dir, "test", ["patch-manager:environment: test", "patch-manager:approveAfterDays: 10"]);
        stackFile(dir, "live", [
            "patch-manager:environment: production",
            "patch-manager:window: weekday",
            "patch-manager:approveAfterDays: 0",
        ]);
        const { code, stdout } = await plan("--all", "--dir", dir, "--from", FROM, "--days", "7");
        assert.equal(code, 1, stdout);
        assert.match(
            stdout,
            /\[blocking\] rollout-order: live patches WINDOWS before non-production has had it for 3 days: a WINDOWS patch released on 2026-11-26 is approved in live on 2026-11-26 \(baseline "default-windows", approveAfterDays 0\) and installed by window "patch-manager-live-weekday" \(Windows\) at 2026-11-26 22:00 UTC, 11 days before it first reaches non-production: test window "patch-manager-test-weekday" \(Windows, baseline "default-windows", approveAfterDays 10\) at 2026-12-07 22:00 UTC/,
        );
        const json = await plan("--all", "--dir", dir, "--from", FROM, "--days", "7", "--json");
        assert.equal(json.code, 1);
        const [f] = JSON.parse(json.stdout).findings;
        assert.deepEqual(
            [f.check, f.level, f.stack, f.productionWindow, f.releaseDays.length],
            ["rollout-order", "blocking", "live", "patch-manager-live-weekday", 7],
        );
    });

    it("advisory findings (overlapping waves) do not fail the run", async function () {
        const dir = tmp();
        stackFile(dir, "dev", ["patch-manager:environment: development"]);
        // Prod's database wave starts at 02:00 the day after the first Thursday, inside the web wave.
        stackFile(
            dir,
            "prod",
            ["patch-manager:environment: production"],
            [
                "- name: Web Server",
                "  operatingSystem: WINDOWS",
                "  schedule: {cron: 'cron(0 23 ? * THU#1 *)', durationHours: 6}",
                "- name: Database Server",
                "  operatingSystem: WINDOWS",
                "  schedule: {cron: 'cron(0 2 ? * THU#1 *)', offsetDays: 1, durationHours: 4}",
                "- name: Application Server",
                "  operatingSystem: WINDOWS",
                "  schedule: {patchTuesday: {daysAfter: 2, at: '23:00'}, durationHours: 6}",
            ],
        );
        const { code, stdout, stderr } = await plan("--all", "--dir", dir, "--from", "2027-01-01T00:00:00Z", "--days", "60", "--json");
        assert.equal(code, 0, stderr);
        const doc = JSON.parse(stdout);
        const clashes = doc.findings.filter((f: any) => f.check === "clash");
        assert.deepEqual(
            clashes.map((f: any) => f.overlaps),
            [["2027-01-07T23:00:00.000Z", "2027-02-04T23:00:00.000Z"]],
        );
        // patchTuesday {daysAfter: 2}: Patch Tuesday is 12 January 2027, so Thursday the 14th.
        const app = doc.stacks[1].windows.find((w: any) => w.patchGroups.includes("Application Server"));
        assert.deepEqual([app.schedule, app.scheduleOffset, app.next[0]], ["cron(0 23 ? * TUE#2 *)", 2, "2027-01-14T23:00:00.000Z"]);
        assert.deepEqual(
            clashes.map((f: any) => [f.stack, f.level, f.windows]),
            [["prod", "advisory", ["patch-manager-prod-web-server", "patch-manager-prod-database-server"]]],
        );
    });

    it("config mistakes in any stack exit 2 naming the file; --all refuses --stack", async function () {
        const dir = tmp();
        stackFile(dir, "ok", ["patch-manager:environment: development"]);
        stackFile(dir, "bad", ["patch-manager:environment: staging"]);
        const r = await plan("--all", "--dir", dir);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /Pulumi\.bad\.yaml: patch-manager:environment: "staging" is not valid/);
        assert.equal((await plan("--all", "--stack", "prod")).code, 2);
        assert.equal((await plan("--stack", "prod", "--dir", dir)).code, 2);
        assert.equal((await plan("--all", "--days", "0")).code, 2);
        assert.equal((await plan("--all", "--dir", tmp())).code, 2, "no stack files");
        const examplesOnly = tmp();
        fs.copyFileSync(path.join(ROOT, "Pulumi.prod-hybrid.yaml"), path.join(examplesOnly, "Pulumi.prod-hybrid.yaml"));
        const onlyExamples = await plan("--all", "--dir", examplesOnly);
        assert.equal(onlyExamples.code, 2);
        assert.match(onlyExamples.stderr, /every stack file in .* is an example \(prod-hybrid\); add --include-examples/);
        assert.equal((await plan("--stack", "dev", "--include-examples")).code, 2, "--include-examples only goes with --all");
    });

    it("--ics writes the stack's coming windows; node-ical reads them back", async function () {
        const file = path.join(tmp(), "prod.ics");
        const { code, stdout, stderr } = await plan("--stack", "prod", "--json", "--from", FROM, "--ics", file, "--days", "14");
        assert.equal(code, 0);
        assert.doesNotThrow(() => JSON.parse(stdout), "stdout stays one JSON document");
        assert.match(stderr, /Wrote 6 window occurrences to /);
        const events = Object.values(ical.sync.parseFile(file)).filter((c): c is ical.VEvent => c?.type === "VEVENT");
        assert.deepEqual(events.map((e) => [e.start.toISOString(), (e.end!.getTime() - e.start.getTime()) / 3_600_000]).sort(), [
            // November's Application and Database Server waves: Patch Tuesday (10 Nov) + 16 and + 17 days.
            ["2026-11-26T22:00:00.000Z", 6],
            ["2026-11-27T22:00:00.000Z", 6],
            ["2026-11-28T05:00:00.000Z", 5],
            ["2026-11-29T05:00:00.000Z", 5],
            ["2026-12-05T05:00:00.000Z", 5],
            ["2026-12-06T05:00:00.000Z", 5],
        ]);
        const mgmt = events.find((e) => e.start.toISOString() === "2026-11-26T22:00:00.000Z")!;
        assert.equal(String(mgmt.summary), "Patching prod (eu-west-1): Install · Application Server");
        assert.match(
            String(mgmt.description),
            /Maintenance window: patch-manager-prod-application-server\nOperation: Install\nPatch groups: Application Server/,
        );
    });
});
