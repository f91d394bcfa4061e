import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan, ROOT } from "../../helpers";

const FROM = "2026-11-26T00:00:00Z";

/** A stack file `Pulumi.<stack>.yaml` of these lines in a scratch directory: its path. */
function scratchStack(stack: string, lines: readonly string[]): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `plan-${stack}-`)), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, lines.join("\n"));
    return file;
}

describe("offline plan (npm run plan)", function () {
    it("--json for prod matches the contract", async function () {
        const { code, stdout } = await plan("--stack", "prod", "--json", "--from", FROM);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout);
        assert.deepEqual(Object.keys(doc), ["project", "stack", "resources", "windows", "violations", "patchNow", "findings"]);
        // The stack's own windows do not overlap: the monthly waves are staggered a week apart.
        assert.deepEqual(doc.findings, []);
        assert.equal(doc.project, "patch-manager");
        assert.equal(doc.stack, "prod");
        for (const r of doc.resources) {
            assert.deepEqual(
                Object.keys(r).filter(
                    (k) =>
                        !["retainOnDelete", "protect", "deleteBeforeReplace", "additionalSecretOutputs", "provider", "aliasSpecs"].includes(
                            k,
                        ),
                ),
                [
                    "urn",
                    "type",
                    "name",
                    "custom",
                    "id",
                    "parent",
                    "inputs",
                    ...(r.checkedInputs ? ["checkedInputs"] : []),
                    "region",
                    "options",
                ],
            );
            // What a real preview gives the pack: every bridged AWS resource's inputs after Check, with __defaults.
            if (r.custom && r.type.startsWith("aws:")) assert.equal(typeof r.checkedInputs, "object", `${r.urn}: checkedInputs`);
            assert.equal(r.region, "eu-west-1");
            assert.match(r.urn, /^urn:pulumi:prod::patch-manager::/);
            assert.ok(r.parent === null || doc.resources.some((p: any) => p.urn === r.parent), `${r.urn}: parent is a listed resource`);
            if (!r.custom) assert.equal(r.id, null);
        }
        const byType = (t: string) => doc.resources.filter((r: any) => r.type === t);
        for (const w of byType("aws:ssm/maintenanceWindow:MaintenanceWindow")) assert.match(w.id, /^mw-[0-9a-f]{17}$/);
        for (const b of byType("aws:ssm/patchBaseline:PatchBaseline")) assert.match(b.id, /^pb-[0-9a-f]{17}$/);
        for (const t of byType("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
            assert.match(t.inputs.serviceRoleArn, /^arn:aws:iam::123456789012:role\/[\w+=,.@-]+$/);
            assert.ok(
                byType("aws:ssm/maintenanceWindow:MaintenanceWindow").some((w: any) => w.id === t.inputs.windowId),
                "windowId refers to a window's id",
            );
        }
        assert.ok(byType("patch-manager:patching:PatchGroup").every((c: any) => c.custom === false));

        const weekend = doc.windows.find((w: any) => w.schedule === "cron(0 6 ? * SAT,SUN *)");
        assert.deepEqual(
            { ...weekend, urn: undefined, name: undefined, description: undefined, timeline: undefined },
            {
                urn: undefined,
                name: undefined,
                description: undefined,
                timeline: undefined,
                schedule: "cron(0 6 ? * SAT,SUN *)",
                timezone: "Europe/Amsterdam",
                durationHours: 5,
                cutoffHours: 1,
                patchGroups: ["Windows", "RHEL", "Windows2012"],
                operation: "Install",
                // 06:00 CET is 05:00 UTC.
                next: ["2026-11-28T05:00:00.000Z", "2026-11-29T05:00:00.000Z", "2026-12-05T05:00:00.000Z"],
                region: "eu-west-1",
            },
        );
        // The scheduler model's replay of the window: one task per group, in one priority band.
        assert.deepEqual(weekend.timeline.tasks.map((t: any) => t.group).sort(), [...weekend.patchGroups].sort());
        const web = doc.windows.find((w: any) => w.patchGroups.includes("Web Server"));
        // Patch Tuesday + 10 days at 23:00 Amsterdam: 2026-12-08 + 10, 2027-01-12 + 10, 2027-02-09 + 10.
        assert.deepEqual(web.next, ["2026-12-18T22:00:00.000Z", "2027-01-22T22:00:00.000Z", "2027-02-19T22:00:00.000Z"]);
        assert.equal(doc.windows.length, 5);
        assert.ok(Array.isArray(doc.violations));
    });

    it("--occurrences and the dev weekday window", async function () {
        const { stdout } = await plan("--stack", "dev", "--json", "--from", "2026-11-27T00:00:00Z", "--occurrences", "4");
        const [w] = JSON.parse(stdout).windows;
        // Friday 27 Nov, then Monday to Wednesday: 22:00 CET = 21:00 UTC.
        assert.deepEqual(w.next, [
            "2026-11-27T21:00:00.000Z",
            "2026-11-30T21:00:00.000Z",
            "2026-12-01T21:00:00.000Z",
            "2026-12-02T21:00:00.000Z",
        ]);
        assert.equal(w.patchGroups.length, 7);
    });

    it("--json: each resource's region and options as the engine receives them, aliases resolved to URNs", async function () {
        const { code, stdout } = await plan("--stack", "prod", "--json", "--from", FROM);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout);
        const one = (type: string, name: string) => doc.resources.find((r: any) => r.type === type && r.name === name);
        const old = (qualifiedType: string, name: string) => `urn:pulumi:prod::patch-manager::${qualifiedType}::${name}`;
        const group = one("aws:ssm/patchGroup:PatchGroup", "web-server-registration");
        const baseline = doc.resources.find((r: any) => r.id === group.inputs.baselineId);
        assert.ok(group.options.dependsOn.includes(baseline.urn), "an input's resource is a dependency, by URN");
        assert.deepEqual(one("aws:s3/bucket:Bucket", "patch-logs-bucket").options.retainOnDelete, true);
        // The window component: its own former type at the former parent (the stack's root) ...
        const window = one("patch-manager:patching:MaintenanceWindow", "web-server-schedule");
        assert.ok(window.options.aliases.includes(old("patch-manager:patching:MaintenanceSchedule", "web-server-schedule")));
        // (The SDK names the current parent in an alias that does not say one.)
        assert.deepEqual(window.aliasSpecs, [
            { noParent: true },
            { type: "patch-manager:patching:MaintenanceSchedule", parentUrn: old("patch-manager:index:PatchManager", "patch-manager") },
            { noParent: true, type: "patch-manager:patching:MaintenanceSchedule" },
        ]);
        // ... and its children, which set no alias, inherit it.
        const task = doc.resources.find(
            (r: any) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" && r.parent === window.urn,
        );
        assert.equal(task.aliasSpecs, undefined);
        assert.ok(
            task.options.aliases.includes(
                old("patch-manager:patching:MaintenanceSchedule$aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", task.name),
            ),
        );
        assert.equal(one("patch-manager:index:PatchManager", "patch-manager").options.aliases, undefined);
    });

    it("prints windows with their next starts in local time for a person", async function () {
        const { code, stdout } = await plan("--stack", "prod", "--from", FROM);
        assert.equal(code, 0);
        assert.match(stdout, /patch-manager-prod-weekend {2}cron\(0 6 \? \* SAT,SUN \*\) {2}5 h, cutoff 1 h · eu-west-1\n/);
        assert.ok(stdout.includes("next: Sat 2026-11-28 06:00 CET  (2026-11-28 05:00 UTC)"), stdout);
        assert.ok(stdout.includes("next: Fri 2026-12-18 23:00 CET  (2026-12-18 22:00 UTC)"), "Web Server: Patch Tuesday + 10");
        assert.match(
            stdout,
            /▸ patch-manager:patching:MaintenanceWindow {2}web-server-schedule\n {6}\+ aws:ssm\/maintenanceWindow:MaintenanceWindow {2}web-server-schedule-window {2}\(mw-[0-9a-f]{17}\)/,
        );
    });

    it("--config reads another file; mistakes exit 2 with one line per mistake and the file named", async function () {
        const file = scratchStack("broken", [
            "config:",
            "  aws:region: us-east-1",
            "  patch-manager:environment: prod",
            "  patch-manager:timezone: Europe/Amsterdm",
            "  patch-manager:patchGroups:",
            "    - name: Web Server",
            "      operatingSystem: WINDOWS",
            "      schedule: {cron: 'cron(00 23-5 ? * TUE#1 *)', durationHours: 6}",
        ]);
        const { code, stdout, stderr } = await plan("--stack", "broken", "--config", file);
        assert.equal(code, 2);
        assert.equal(stdout, "");
        const lines = stderr.trim().split("\n");
        assert.ok(lines.length >= 3, stderr);
        assert.ok(
            lines.every((l) => l.includes("Pulumi.broken.yaml: patch-manager:")),
            stderr,
        );
        assert.ok(lines.some((l) => l.includes("patch-manager:patchGroups[0].schedule.cron") && l.includes("23-5")));
        assert.ok(!/\n\s+at /.test(stderr), "no stack trace");
    });

    it("bad arguments and a missing stack file exit 2", async function () {
        assert.equal((await plan("--stack", "prod", "--frm", "x")).code, 2);
        assert.equal((await plan()).code, 2);
        assert.equal((await plan("--stack", "prod", "--from", "yesterday")).code, 2);
        assert.equal((await plan("--stack", "prod", "--occurrences", "0")).code, 2);
        const missing = await plan("--stack", "nosuchstack");
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--stack nosuchstack: there is no Pulumi\.nosuchstack\.yaml\.\n/);
        assert.match(missing.stderr, /stacks here: dev, prod, prod-hybrid \(example\), prod-private \(example\)/);
    });

    it("`npm run -s plan -- --json` prints the JSON document alone on stdout; npm's own errors are not hidden", function () {
        this.timeout(120000);
        // A mistyped script name: npm says so (no .npmrc loglevel=silent swallowing it).
        const typo = spawnSync("npm", ["run", "plna", "--", "--stack", "dev"], { cwd: ROOT, encoding: "utf8" });
        assert.notEqual(typo.status, 0);
        assert.match(typo.stderr, /Missing script: "plna"/);
        // prod-private's document is larger than a pipe's 64 KiB buffer: all of it must arrive.
        const r = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "prod-private", "--json", "--from", FROM], {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 16 << 20,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.length > 65536, `${r.stdout.length} bytes`);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.stack, "prod-private");
    });
});

describe("offline plan with the policy pack", function () {
    const file = scratchStack("fast", [
        "config:",
        "  aws:region: us-east-1",
        "  patch-manager:environment: production",
        "  patch-manager:rateControl:",
        '    maxConcurrency: "50%"',
        '    maxErrors: "5%"',
    ]);

    it("fills violations and exits 1 on a mandatory one", async function () {
        const { code, stdout } = await plan("--stack", "fast", "--config", file, "--json", "--from", FROM);
        assert.equal(code, 1);
        const { violations } = JSON.parse(stdout);
        const ceiling = violations.filter((v: any) => v.policy === "task-production-concurrency");
        assert.equal(ceiling.length, 7, "one per task");
        assert.ok(
            ceiling.every((v: any) => v.level === "mandatory" && v.message.includes("50%")),
            JSON.stringify(ceiling[0]),
        );
    });

    it("takes the pack's config, as pulumi preview --policy-pack-config does", async function () {
        const cfg = path.join(path.dirname(file), "policy-config.json");
        fs.writeFileSync(cfg, JSON.stringify({ "task-production-concurrency": { maxConcurrencyPercent: 50 } }));
        const { code, stdout } = await plan("--stack", "fast", "--config", file, "--from", FROM, "--policy-pack-config", cfg);
        assert.equal(code, 0, stdout);
        assert.match(stdout, /Policies: no violations/);
        fs.writeFileSync(cfg, JSON.stringify({ "no-such-policy": "mandatory" }));
        assert.equal((await plan("--stack", "fast", "--config", file, "--policy-pack-config", cfg)).code, 2);
    });
});

describe("offline plan with secrets and relative paths", function () {
    it("a secure: value (top-level or nested) is not decrypted, not checked, and does not stop the plan", async function () {
        const file = scratchStack("sec", [
            "config:",
            "  aws:region: us-east-1",
            "  patch-manager:environment: development",
            "  patch-manager:maintenanceWindowRoleArn:",
            "    secure: v1:abc:def",
            "  patch-manager:logging:",
            "    kmsKeyArn:",
            "      secure: v1:ghi:jkl",
        ]);
        const { code, stderr } = await plan("--stack", "sec", "--config", file, "--json", "--from", FROM);
        assert.notEqual(code, 2, stderr);
    });

    it("--config is read relative to the directory npm was run from (INIT_CWD)", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cwd-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.mine.yaml"));
        const before = process.env.INIT_CWD;
        process.env.INIT_CWD = dir;
        try {
            const { code, stdout } = await plan("--stack", "mine", "--config", "Pulumi.mine.yaml", "--json", "--from", FROM);
            assert.equal(code, 0);
            assert.equal(JSON.parse(stdout).stack, "mine");
        } finally {
            if (before === undefined) delete process.env.INIT_CWD;
            else process.env.INIT_CWD = before;
        }
    });
});
