import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan, ROOT } from "../../helpers";

const FROM = "2026-11-26T00:00:00Z";

/** Pulumi.prod.yaml with the Web Server wave moved one day later: Patch Tuesday + 11 instead of + 10. */
function editedProd(dir: string): string {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    assert.ok(text.includes("daysAfter: 10\n"));
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, text.replace("daysAfter: 10\n", "daysAfter: 11\n"));
    return file;
}

describe("offline plan diff (npm run plan -- --diff / --diff-against)", function () {
    let tmp: string;
    let prodPlan: string;
    before(async function () {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
        const { code, stdout } = await plan("--stack", "prod", "--json", "--from", FROM);
        assert.equal(code, 0);
        prodPlan = path.join(tmp, "prod.json");
        fs.writeFileSync(prodPlan, stdout);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("--diff against the same plan says no changes, in one line", async function () {
        const { code, stdout } = await plan("--stack", "prod", "--diff", prodPlan, "--from", FROM);
        assert.equal(code, 0);
        assert.equal(stdout, `stack prod: no changes (${prodPlan} → working tree)\n`);
    });

    it("a schedule edit shows as an in-place update and in words with its next start", async function () {
        const { code, stdout } = await plan("--stack", "prod", "--config", editedProd(tmp), "--diff", prodPlan, "--from", FROM);
        assert.equal(code, 0);
        const lines = stdout.trim().split("\n");
        assert.equal(lines[1], "Resources: 1 to update, 75 unchanged");
        assert.match(lines[2], /^ {2}~ {2}aws:ssm\/maintenanceWindow:MaintenanceWindow {2}web-server-schedule-window$/);
        assert.equal(lines[3], "       scheduleOffset: 3 → 4");
        assert.ok(
            lines.includes(
                "  Web Server window: at 23:00, 3 days after the third Tuesday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour) → at 23:00, 4 days after the third Tuesday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour), next start Sat 2026-12-19 23:00 CET",
            ),
            stdout,
        );
    });

    it("--json is one document; --markdown is a comment body", async function () {
        const json = await plan("--stack", "prod", "--config", editedProd(tmp), "--diff", prodPlan, "--from", FROM, "--json");
        const doc = JSON.parse(json.stdout);
        assert.deepEqual(doc.summary, { add: 0, remove: 0, replace: 0, update: 1, unchanged: 75 });
        assert.equal(doc.schedules[0].new.next, "2026-12-19T22:00:00.000Z");
        const md = await plan("--stack", "prod", "--config", editedProd(tmp), "--diff", prodPlan, "--from", FROM, "--markdown");
        assert.match(md.stdout, /^### Stack `prod`: 1 to update, 75 unchanged\n/);
        assert.match(
            md.stdout,
            /\| update \| `web-server-schedule-window` \| `aws:ssm\/maintenanceWindow:MaintenanceWindow` \| `scheduleOffset`: 3 → 4 \|/,
        );
    });

    it("refuses a file that is not a plan, an unknown ref, and conflicting options (exit 2)", async function () {
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(bad, "{}");
        const r1 = await plan("--stack", "prod", "--diff", bad);
        assert.equal(r1.code, 2);
        assert.match(r1.stderr, /not a plan; write one with `npm run -s plan -- --stack <name> --json > plan.json`/);
        const r2 = await plan("--stack", "prod", "--diff-against", "no-such-ref-xyz");
        assert.equal(r2.code, 2);
        assert.match(r2.stderr, /--diff-against "no-such-ref-xyz": not a commit in this repository/);
        const r3 = await plan("--stack", "prod", "--diff-against", "HEAD", "--diff", bad);
        assert.equal(r3.code, 2);
        assert.match(r3.stderr, /give one/);
        const r5 = await plan("--stack", "dev", "--diff", prodPlan);
        assert.equal(r5.code, 2);
        assert.match(
            r5.stderr,
            /the file holds the plan of project "patch-manager", stack "prod", not of project "patch-manager", stack "dev"; diff it with --stack prod/,
        );
        const other = path.join(tmp, "other-project.json");
        fs.writeFileSync(other, JSON.stringify({ ...JSON.parse(fs.readFileSync(prodPlan, "utf8")), project: "billing" }));
        const r6 = await plan("--stack", "prod", "--diff", other);
        assert.equal(r6.code, 2);
        assert.match(r6.stderr, /holds the plan of project "billing", stack "prod"/);
        const r4 = await plan("--stack", "prod", "--markdown");
        assert.equal(r4.code, 2);
        assert.match(r4.stderr, /--markdown renders a diff/);
    });

    it("--diff-against HEAD evaluates the committed program", async function () {
        this.timeout(120_000);
        // The committed program against the working tree unedited, then against the edited stack file:
        // the edit adds exactly one update and one schedule change to whatever uncommitted edits the
        // working tree already has (none in CI), so the test holds on any tree.
        const against = async (...args: string[]) => {
            const { code, stdout, stderr } = await plan("--stack", "prod", ...args, "--diff-against", "HEAD", "--from", FROM, "--json");
            assert.equal(code, 0, stderr);
            return JSON.parse(stdout);
        };
        const base = await against();
        const doc = await against("--config", editedProd(tmp));
        assert.match(doc.from, /^HEAD \([0-9a-f]{12}\)$/);
        assert.deepEqual(doc.summary, { ...base.summary, update: base.summary.update + 1, unchanged: base.summary.unchanged - 1 });
        const added = doc.schedules.filter((s: { label: string }) => !base.schedules.some((b: { label: string }) => b.label === s.label));
        assert.deepEqual(
            added.map((s: { label: string }) => s.label),
            ["Web Server window"],
        );
    });
});
