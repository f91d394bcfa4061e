import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../tools/audit/audit";
import { TYPES } from "@patch-manager/ssm";
import { TARGET_ID, prodStack } from "./resources";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures");
const COMPLIANT = path.join(FIXTURES, "audit-compliant.json");
const VIOLATIONS = path.join(FIXTURES, "audit-violations.json");

const P = "urn:pulumi:prod::patch-manager::patch-manager:index:PatchManager$";
const S = `${P}patch-manager:components:MaintenanceSchedule$`;

/**
 * The violations audit-violations.json was written to contain, and nothing else. Values that only
 * restate AWS's default (the window's missing timezone) are no findings since the pack judges
 * what patching uses (policies/scope.ts).
 */
const EXPECTED = [
    ["mandatory", "window-well-formed", `${S}aws:ssm/maintenanceWindow:MaintenanceWindow::database-window`],
    ["mandatory", "window-target-patch-group-tag", `${S}aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget::database-target`],
    ["mandatory", "task-service-role", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-rate-control", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-patch-document", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::database-task`],
    ["mandatory", "task-reboot-if-needed", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::web-server-task`],
    ["mandatory", "task-production-concurrency", `${S}aws:ssm/maintenanceWindowTask:MaintenanceWindowTask::web-server-task`],
    ["mandatory", "log-bucket-protected", `${P}aws:s3/bucket:Bucket::patch-logs`],
    ["advisory", "patch-group-coverage", `${P}aws:ssm/patchGroup:PatchGroup::database-group`],
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

function tempFile(name: string, content: string | Buffer): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "audit-")), name);
    writeFileSync(file, content);
    return file;
}

describe("tools/audit/audit.ts (npm run policy:audit)", () => {
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
        // The window's hour range is its one problem (no timezone means UTC, AWS's default).
        assert.equal(doc.violations.filter((v: any) => v.policy === "window-well-formed").length, 1);
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
        assert.match(r.stdout, /^Policy pack patch-manager on .*audit-violations\.json \(21 resources\)/);
        assert.match(
            r.stdout,
            /\nMANDATORY task-reboot-if-needed · 1 finding\n {2}A patching task that installs reboots when a patch needs it/,
        );
        assert.match(r.stdout, /\nMANDATORY window-well-formed · 1 finding\n/);
        // Blocking rules come before advisory ones.
        assert.ok(r.stdout.lastIndexOf("\nMANDATORY ") < r.stdout.indexOf("\nADVISORY "));
        // A finding that a config value causes names the key and what it may hold.
        assert.match(
            r.stdout,
            /\nMANDATORY task-production-concurrency · 1 finding\n.*\n {2}Change patch-manager:rateControl\.maxConcurrency: in production at most 25%/,
        );
        assert.match(r.stdout, /installs with RebootOption "NoReboot"/);
        assert.match(r.stdout, /\n8 blocking, 5 advisory\. Blocking \(mandatory\) findings fail/);
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
                    // A target selecting a patch group makes it a patch window, which needs a task.
                    {
                        urn: "urn:pulumi:prod::patch-manager::aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget::t",
                        type: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
                        name: "t",
                        custom: true,
                        id: "5a1d7c2e-3f4b-4c6d-8e9f-0a1b2c3d4e5f",
                        parent: null,
                        inputs: {
                            windowId: "mw-0123456789abcdef0",
                            resourceType: "INSTANCE",
                            targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
                        },
                    },
                ],
                windows: [],
                violations: [],
            }),
        );
        const r = await audit(plan, "--json");
        const found = JSON.parse(r.stdout).violations.map((v: any) => `${v.level} ${v.policy} ${v.urn.replace(/.*::/, "")}`);
        // The window's finding; whether a baseline covers the target's group is patch-group-coverage's (advisory) matter.
        assert.deepEqual(
            found.filter((f: string) => !f.includes("patch-group-coverage")),
            ["advisory window-has-task w"],
        );
        assert.equal(r.code, 0, "advisories only");
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
        const bad = spawnSync(process.execPath, ["-r", "./tests/setup/register.js", "tools/audit/audit.ts", VIOLATIONS, "--json"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.equal(bad.status, 1);
        assert.equal(JSON.parse(bad.stdout).violations.length, 13);
    });
});

/** prodStack() as a `pulumi stack export` of `project`, with `edit` applied to its resources. */
function exportOf(project: string, edit: (resources: any[]) => void = () => undefined): string {
    const resources = prodStack().map((e) => {
        const { id, arn: _arn, ...inputs } = e.props as Record<string, unknown>;
        const urn = `urn:pulumi:prod::${project}::${e.type}::${e.name}`;
        return e.type === TYPES.stack
            ? { urn, type: e.type, custom: false, outputs: {} }
            : { urn, type: e.type, custom: true, id, inputs, outputs: e.props };
    });
    edit(resources);
    return JSON.stringify({ version: 3, deployment: { manifest: { version: "v3.248.0" }, resources } });
}

const byName = (resources: any[], name: string) => resources.find((r) => r.urn.endsWith(`::${name}`));

describe("tools/audit/audit.ts on any export (issue #23 §4)", () => {
    it("reads exports PowerShell writes (UTF-16 LE/BE, UTF-8 with a byte order mark) as the UTF-8 file", async () => {
        const text = readFileSync(VIOLATIONS, "utf8");
        const expected = await audit(VIOLATIONS, "--json");
        const be = Buffer.from(text, "utf16le");
        for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
        const files: Array<[string, Buffer]> = [
            ["utf16le.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
            ["utf16be.json", Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
            ["utf8bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")])],
        ];
        for (const [name, bytes] of files) {
            const r = await audit(tempFile(name, bytes), "--json");
            assert.equal(r.code, 1, name);
            assert.equal(r.stdout, expected.stdout, name);
        }
        // A policy-pack config written by PowerShell too.
        const config = tempFile("config.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"all": "advisory"}', "utf16le")]));
        assert.equal((await audit(VIOLATIONS, "--json", "--config", config)).code, 0);
    });

    it("refuses an undecodable or cut-short file with exit 2, naming the problem and how to re-export", async () => {
        const text = readFileSync(COMPLIANT, "utf8");
        const cases: Array<[Buffer, RegExp]> = [
            // "pröd" saved in Windows-1252: F6 alone is not UTF-8.
            [
                Buffer.from(text.replace('"prod"', '"pr\u00f6d"'), "latin1"),
                /is not UTF-8: the bytes 0xF6 0x64 0x22 .* at offset \d+ .*Windows-1252/,
            ],
            [Buffer.from(text, "utf16le"), /looks like UTF-16 LE without a byte order mark/],
            [
                Buffer.from(text.slice(0, 2000), "utf8"),
                /is not valid JSON: it ends at line \d+, column \d+ before the JSON does \(a file cut short/,
            ],
        ];
        for (const [bytes, message] of cases) {
            const r = await audit(tempFile("state.json", bytes));
            assert.equal(r.code, 2);
            assert.match(r.stderr, message);
            assert.match(r.stderr, /pulumi stack export --stack <name> --file state\.json/);
            assert.equal(r.stdout, "");
        }
    });

    it("refuses a policy-pack config that is not UTF-8 or UTF-16, saying how to save one", async () => {
        const config = tempFile("policy-config.json", Buffer.from('{"all": "advisory", "x": "\u00e9"}', "latin1"));
        const r = await audit(COMPLIANT, "--config", config);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /^policy:audit: config file .*policy-config\.json is not UTF-8: the bytes 0xE9 0x22 0x7D at offset 26 .*Set-Content -Encoding utf8/,
        );
    });

    it("an export with no resources (or no resources list) exits 2: nothing was checked; --allow-empty makes it pass, saying so", async () => {
        const empty = tempFile("empty.json", JSON.stringify({ version: 3, deployment: { manifest: {}, resources: [] } }));
        const noList = tempFile("nolist.json", JSON.stringify({ version: 3, deployment: { manifest: {} } }));
        for (const [file, why] of [
            [empty, /The stack was never deployed or has been destroyed/],
            [noList, /deployment has no resources list/],
        ] as const) {
            for (const json of [[], ["--json"]]) {
                const r = await audit(file, ...json);
                assert.equal(r.code, 2);
                assert.equal(r.stdout, "");
                assert.match(r.stderr, /^policy:audit: file .*\.json: no resources: nothing was checked\. /);
                assert.match(r.stderr, why);
                assert.match(r.stderr, /pass --allow-empty where an empty stack is expected/);
            }
        }
        const text = await audit(empty, "--allow-empty");
        assert.equal(text.code, 0);
        assert.match(text.stdout, /\(0 resources\)\n\nno resources: nothing was checked\. /);
        const json = await audit(noList, "--allow-empty", "--json");
        assert.equal(json.code, 0);
        assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ["violations", "nothingChecked"]);
        const help = await audit("--help");
        assert.match(help.stdout, /--allow-empty/);
        assert.match(
            help.stdout.replace(/\s+/g, " "),
            /2 unreadable file, bad arguments, or a document with no resources \(nothing was checked/,
        );
    });

    it("a task whose targets are not a list, or that targets a window target read with .get, is audited: no crash, the .get resource read, not analysed", async () => {
        const file = tempFile(
            "state.json",
            exportOf("patch-manager", (resources) => {
                const target = byName(resources, "web-server-target");
                // `aws.ssm.MaintenanceWindowTarget.get(...)`: the state holds its id and outputs, no inputs.
                Object.assign(target, { external: true, inputs: {} });
                const task = byName(resources, "web-server-task");
                task.inputs.maxConcurrency = "100%";
                task.outputs = { ...task.outputs, maxConcurrency: "100%" };
                const odd = structuredClone(task);
                odd.urn = odd.urn.replace("web-server-task", "odd-task");
                odd.id = "odd";
                odd.inputs.targets = { key: "WindowTargetIds", values: TARGET_ID };
                odd.outputs.targets = "WindowTargetIds";
                resources.push(odd);
            }),
        );
        const r = await audit(file, "--json");
        assert.equal(r.stderr, "");
        assert.equal(r.code, 1);
        const doc = JSON.parse(r.stdout);
        assert.deepEqual(
            doc.violations
                .filter((v: any) => v.policy === "task-production-concurrency")
                .map((v: any) => [v.urn.replace(/.*::/, ""), v.configKey]),
            [
                ["web-server-task", "patch-manager:rateControl.maxConcurrency"],
                ["odd-task", "patch-manager:rateControl.maxConcurrency"],
            ],
        );
        // Resource rules skip what the program only reads (its inputs are empty, not wrong).
        assert.ok(!doc.violations.some((v: any) => v.urn.endsWith("::web-server-target")));
        assert.deepEqual(doc.notChecked, [
            {
                urn: "urn:pulumi:prod::patch-manager::aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget::web-server-target",
                type: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
                kind: "external",
                reason: "read with .get (external: true): resource rules do not analyse it, as in `pulumi preview`; stack rules still see it",
            },
        ]);
        const text = await audit(file);
        assert.match(text.stdout, /^Policy pack patch-manager on .* \(13 resources, 1 of them read, not analysed\)\n/);
        assert.match(
            text.stdout,
            /\nREAD, NOT ANALYSED · 1 resource read with \.get \(external: true\).*\n {2}- urn:pulumi:prod::patch-manager::aws:ssm\/maintenanceWindowTarget:MaintenanceWindowTarget::web-server-target\n/,
        );
    });

    it("lists patching resources of types the pack does not know as not checked, in the text and as notChecked in --json", async () => {
        const file = tempFile(
            "state.json",
            exportOf("patch-manager", (resources) =>
                resources.push(
                    {
                        urn: "urn:pulumi:prod::patch-manager::aws-native:ssm:MaintenanceWindow::native-window",
                        type: "aws-native:ssm:MaintenanceWindow",
                        custom: true,
                        inputs: { schedule: "cron(0 23-5 ? * * *)" },
                    },
                    {
                        urn: "urn:pulumi:prod::patch-manager::aws-native:iam:Role::native-role",
                        type: "aws-native:iam:Role",
                        custom: true,
                        inputs: {},
                    },
                ),
            ),
        );
        const r = await audit(file, "--json");
        assert.equal(r.code, 0, "what the pack cannot see does not fail the gate; it is listed");
        const doc = JSON.parse(r.stdout);
        assert.deepEqual(Object.keys(doc), ["violations", "notChecked"]);
        assert.deepEqual(doc.violations, []);
        assert.deepEqual(
            doc.notChecked.map((n: any) => [n.type, n.kind]),
            [
                ["aws-native:ssm:MaintenanceWindow", "unknown-type"],
                ["aws-native:iam:Role", "unknown-type"],
            ],
        );
        const text = await audit(file);
        assert.match(
            text.stdout,
            /\n\nNo violations among the resources the pack judged\.\n\nNOT CHECKED · 2 resources that look like patching, of types the pack has no rules for\n {2}- aws-native:ssm:MaintenanceWindow: an AWS Cloud Control \(aws-native\) resource/,
        );
    });

    it("names the resource property to change on another project's stack, never a patch-manager: key", async () => {
        const file = tempFile(
            "state.json",
            exportOf("billing-app", (resources) => {
                const task = byName(resources, "web-server-task");
                for (const props of [task.inputs, task.outputs]) {
                    props.maxConcurrency = "100%";
                    props.taskInvocationParameters.runCommandParameters.parameters[1].values = ["NoReboot"];
                }
            }),
        );
        const r = await audit(file, "--json");
        assert.equal(r.code, 1);
        const found = JSON.parse(r.stdout).violations.map((v: any) => [v.policy, v.property, v.configKey, Object.keys(v).slice(4)]);
        assert.deepEqual(found.sort(), [
            ["task-production-concurrency", "maxConcurrency", undefined, ["property", "valid"]],
            [
                "task-reboot-if-needed",
                "taskInvocationParameters.runCommandParameters.parameters.RebootOption",
                undefined,
                ["property", "valid"],
            ],
        ]);
        assert.doesNotMatch(r.stdout, /patch-manager:/);
        const text = await audit(file);
        assert.match(text.stdout, /\n {2}Change maxConcurrency on web-server-task: in production at most 25%/);
        assert.match(
            text.stdout,
            /\n {2}Change taskInvocationParameters\.runCommandParameters\.parameters\.RebootOption on web-server-task: "RebootIfNeeded"/,
        );
        assert.doesNotMatch(text.stdout, /patch-manager:/);
    });

    it("a plan's checkedInputs are what the rules see, as in a real preview", async () => {
        const plan = tempFile(
            "plan.json",
            JSON.stringify({
                project: "patch-manager",
                stack: "dev",
                resources: [
                    {
                        urn: "urn:pulumi:dev::patch-manager::aws:ssm/maintenanceWindow:MaintenanceWindow::w",
                        type: "aws:ssm/maintenanceWindow:MaintenanceWindow",
                        name: "w",
                        custom: true,
                        id: "mw-0123456789abcdef0",
                        inputs: { schedule: "cron(0 23 ? * THU#1 *)", scheduleTimezone: "UTC", duration: 3, cutoff: 1 },
                        // The provider's Check auto-names the window.
                        checkedInputs: {
                            name: "w-4f1c2a9",
                            schedule: "cron(0 23 ? * THU#1 *)",
                            scheduleTimezone: "UTC",
                            duration: 3,
                            cutoff: 1,
                            __defaults: ["name"],
                        },
                    },
                    {
                        urn: "urn:pulumi:dev::patch-manager::aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget::t",
                        type: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
                        name: "t",
                        custom: true,
                        inputs: { windowId: "mw-0123456789abcdef0", targets: [{ key: "tag:Patch Group", values: ["Web Server"] }] },
                        checkedInputs: {
                            windowId: "mw-0123456789abcdef0",
                            resourceType: "INSTANCE",
                            targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
                        },
                    },
                ],
            }),
        );
        const r = await audit(plan, "--json");
        assert.deepEqual(
            JSON.parse(r.stdout)
                .violations.filter((v: any) => v.policy === "window-has-task")
                .map((v: any) => v.message),
            ['window "w-4f1c2a9" (w) has no task; register one or remove the window.'],
        );
    });
});
