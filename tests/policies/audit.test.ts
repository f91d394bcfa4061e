import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../tools/audit";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures");
const COMPLIANT = path.join(FIXTURES, "audit-compliant.json");
const VIOLATIONS = path.join(FIXTURES, "audit-violations.json");

const P = "urn:pulumi:prod::patch-manager::patch-manager:index:PatchManager$";
const S = `${P}patch-manager:components:MaintenanceSchedule$`;

/** The violations audit-violations.json was written to contain, and nothing else. */
const EXPECTED = [
    ["mandatory", "window-well-formed", `${S}aws:ssm/maintenanceWindow:MaintenanceWindow::database-window`],
    ["mandatory", "window-target-patch-group-tag", `${S}aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget::database-target`],
    ["mandatory", "task-service-role", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-rate-control", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-patch-document", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-reboot-if-needed", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::web-server-task`],
    ["mandatory", "task-production-concurrency", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::web-server-task`],
    ["mandatory", "log-bucket-protected", `${P}aws:s3/bucket:Bucket::patch-logs`],
    ["mandatory", "patch-group-coverage", `${P}aws:ssm/patchGroup:PatchGroup::database-group`],
    ["advisory", "no-ec2-role-for-ssm", `${P}aws:iam/rolePolicyAttachment:RolePolicyAttachment::instance-core`],
    ["advisory", "baseline-production-approval-delay", `${P}aws:ssm/patchBaseline:PatchBaseline::windows-baseline`],
    ["advisory", "task-output-to-s3", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["advisory", "window-role-trust", `${P}aws:iam/role:Role::window-role`],
].map((x) => x.join(" "));

async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

function tempFile(name: string, content: string): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "audit-")), name);
    writeFileSync(file, content);
    return file;
}

describe("tools/audit.ts (npm run policy:audit)", () => {
    it("passes the compliant stack export with exit 0", async () => {
        const r = await audit(COMPLIANT, "--json");
        assert.equal(r.code, 0);
        assert.deepEqual(JSON.parse(r.stdout), { violations: [] });
        assert.equal(r.stderr, "");
    });

    it("reports exactly the fixture's known violations (policy, level, urn) with exit 1", async () => {
        const r = await audit(VIOLATIONS, "--json");
        assert.equal(r.code, 1);
        const doc = JSON.parse(r.stdout);
        assert.deepEqual(Object.keys(doc), ["violations"]);
        for (const v of doc.violations) {
            // The contract's four fields first; a finding a config value causes adds the key and its range.
            assert.deepEqual(Object.keys(v), ["policy", "level", "urn", "message", ...(v.configKey ? ["configKey", "valid"] : [])]);
        }
        assert.deepEqual(
            doc.violations
                .filter((v: any) => v.configKey)
                .map((v: any) => `${v.policy} ${v.configKey}`)
                .sort(),
            [
                "baseline-production-approval-delay patch-manager:approveAfterDays",
                "task-production-concurrency patch-manager:rateControl.maxConcurrency",
                "task-rate-control patch-manager:rateControl.maxConcurrency",
            ],
        );
        const found = [...new Set(doc.violations.map((v: any) => `${v.level} ${v.policy} ${v.urn}`))].sort();
        assert.deepEqual(found, [...EXPECTED].sort());
        // The window has two problems (hour range, no timezone): both reported under one policy.
        assert.equal(doc.violations.filter((v: any) => v.policy === "window-well-formed").length, 2);
    });

    it("applies --config as pulumi preview --policy-pack-config does", async () => {
        const config = tempFile(
            "config.json",
            JSON.stringify({
                all: "advisory",
                "log-bucket-protected": "mandatory",
                "task-production-concurrency": { maxConcurrencyPercent: 50 },
                "window-role-trust": "disabled",
            }),
        );
        const r = await audit(VIOLATIONS, "--json", "--config", config);
        assert.equal(r.code, 1);
        const got = JSON.parse(r.stdout).violations.map((v: any) => `${v.level} ${v.policy}`);
        assert.ok(got.includes("mandatory log-bucket-protected"));
        assert.ok(!got.some((g: string) => g.includes("task-production-concurrency") || g.includes("window-role-trust")));
        assert.equal(got.filter((g: string) => g.startsWith("mandatory")).length, 1);

        const advisoryOnly = tempFile("advisory.json", JSON.stringify({ all: "advisory" }));
        assert.equal((await audit(VIOLATIONS, "--json", "--config", advisoryOnly)).code, 0);
    });

    it("prints a readable report grouped by policy, with the fix", async () => {
        const r = await audit(VIOLATIONS);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^Policy pack patch-manager on .*audit-violations\.json \(20 resources\)/);
        assert.match(r.stdout, /\nMANDATORY task-reboot-if-needed · 1 finding\n {2}A patching task that installs must reboot/);
        assert.match(r.stdout, /\nMANDATORY window-well-formed · 2 findings\n/);
        // Blocking rules come before advisory ones.
        assert.ok(r.stdout.lastIndexOf("\nMANDATORY ") < r.stdout.indexOf("\nADVISORY "));
        // A finding that a config value causes names the key and what it may hold.
        assert.match(
            r.stdout,
            /\nMANDATORY task-production-concurrency · 1 finding\n.*\n {2}Change patch-manager:rateControl\.maxConcurrency: in production at most 25%/,
        );
        assert.match(r.stdout, /installs with RebootOption "NoReboot"/);
        assert.match(r.stdout, /\n10 blocking, 4 advisory\. Blocking \(mandatory\) findings fail/);
    });

    it("reads the plan's --json output too", async () => {
        const plan = tempFile(
            "plan.json",
            JSON.stringify({
                project: "patch-manager",
                stack: "prod",
                resources: [
                    {
                        urn: "urn:pulumi:prod::patch-manager::aws:ssm/maintenanceWindow:MaintenanceWindow::w",
                        type: "aws:ssm/maintenanceWindow:MaintenanceWindow",
                        name: "w",
                        custom: true,
                        id: "mw-0123456789abcdef0",
                        parent: null,
                        inputs: { name: "w-window", schedule: "cron(0 23 ? * THU#1 *)", scheduleTimezone: "UTC", duration: 3, cutoff: 1 },
                    },
                ],
                windows: [],
                violations: [],
            }),
        );
        const r = await audit(plan, "--json");
        assert.deepEqual(
            JSON.parse(r.stdout).violations.map((v: any) => v.policy),
            ["window-has-task"],
        );
        assert.equal(r.code, 1);
    });

    it("exits 2 with a message for a missing file, bad JSON, an unknown document, a bad config or bad arguments", async () => {
        const cases: Array<[string[], RegExp]> = [
            [[path.join(FIXTURES, "no-such-file.json")], /cannot read file .*no-such-file\.json: no such file/],
            [[tempFile("bad.json", "{not json")], /is not valid JSON/],
            [[tempFile("other.json", JSON.stringify({ hello: "world" }))], /unknown document: expected a `pulumi stack export`/],
            [
                [COMPLIANT, "--config", tempFile("c.json", JSON.stringify({ "no-such-policy": "mandatory" }))],
                /"no-such-policy" is not a policy of this pack/,
            ],
            [[], /name the file to audit/],
            [[COMPLIANT, "--colour"], /^policy:audit: unknown option '--colour'\n/],
            [[COMPLIANT, "--jsn"], /unknown option '--jsn'\n\(Did you mean --json\?\)/],
            [[COMPLIANT, COMPLIANT], /too many arguments/],
        ];
        for (const [args, message] of cases) {
            const r = await audit(...args);
            assert.equal(r.code, 2, args.join(" "));
            assert.match(r.stderr, message);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
            assert.equal(r.stdout, "");
        }
    });

    // One process start: main's code becomes the exit status the same way for every code (the
    // codes themselves and their messages are checked in-process above).
    it("runs as a CLI: main's code is the exit status and --json is alone on stdout", function () {
        this.timeout(60000);
        const bad = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/audit.ts", VIOLATIONS, "--json"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.equal(bad.status, 1);
        assert.equal(JSON.parse(bad.stdout).violations.length, 14);
    });
});
