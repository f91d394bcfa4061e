import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { findingCounts, renderViolations, withConfigKeys } from "../../../tools/audit/findings";
import { plan, ROOT } from "../../helpers";

const FROM = "2026-12-01T00:00:00Z";
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-findings-"));

/** prod's stack file with `edit` applied to its config map. */
function editedProd(edit: (config: Record<string, any>) => void): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    edit(doc.config);
    const file = path.join(tmp(), "Pulumi.prod.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

describe("findings people can act on", function () {
    it("groups one rule's findings on one line, blocking first, and names the config key and its range", async function () {
        const file = editedProd((c) => (c["patch-manager:rateControl"] = { maxConcurrency: "50%", maxErrors: "5%" }));
        const text = await plan("--stack", "prod", "--config", file, "--from", FROM);
        assert.equal(text.code, 1);
        const section = text.stdout.slice(text.stdout.indexOf("\nPolicies: "));
        const lines = section.trim().split("\n");
        assert.equal(lines[0], "Policies: 7 blocking, 0 advisory");
        assert.equal(lines.filter((l) => l.includes("task-production-concurrency")).length, 1, section);
        assert.match(lines[1], /^ {2}\[mandatory\] task-production-concurrency · 7 findings on .* and 4 more: task "/);
        assert.match(lines[2], /^ {6}change patch-manager:rateControl\.maxConcurrency: in production at most 25%/);

        const json = JSON.parse((await plan("--stack", "prod", "--config", file, "--from", FROM, "--json")).stdout);
        const ceiling = json.violations.filter((v: any) => v.policy === "task-production-concurrency");
        assert.equal(ceiling.length, 7, "the JSON keeps one entry per finding");
        assert.ok(ceiling.every((v: any) => v.configKey === "patch-manager:rateControl.maxConcurrency" && /25%/.test(v.valid)));
        for (const v of ceiling) assert.deepEqual(Object.keys(v).slice(0, 4), ["policy", "level", "urn", "message"]);
    });

    it("a group's own rateControl is named as patchGroups[i].rateControl", async function () {
        const file = editedProd((c) => (c["patch-manager:patchGroups"][4].rateControl = { maxConcurrency: "60%", maxErrors: "1" }));
        const json = JSON.parse((await plan("--stack", "prod", "--config", file, "--from", FROM, "--json")).stdout);
        const ceiling = json.violations.filter((v: any) => v.policy === "task-production-concurrency");
        assert.deepEqual(
            ceiling.map((v: any) => v.configKey),
            ["patch-manager:patchGroups[4].rateControl.maxConcurrency"],
        );
        assert.match(ceiling[0].urn, /web-server/);
    });

    it("a hybrid activation's finding names its group's hybrid key", async function () {
        const cfg = path.join(tmp(), "policy-config.json");
        fs.writeFileSync(cfg, JSON.stringify({ "hybrid-activation-registration-limit": { maxRegistrationLimit: 20 } }));
        const r = await plan("--stack", "prod-hybrid", "--from", FROM, "--json", "--policy-pack-config", cfg);
        const limit = JSON.parse(r.stdout).violations.filter((v: any) => v.policy === "hybrid-activation-registration-limit");
        // Web Server (patchGroups[4]) admits 25 servers; RHEL's 10 is within the ceiling.
        assert.deepEqual(
            limit.map((v: any) => v.configKey),
            ["patch-manager:patchGroups[4].hybrid.registrationLimit"],
        );
        assert.match(limit[0].valid, /maxRegistrationLimit/);
    });

    it("mandatory before advisory, counted as blocking and advisory, resources listed or counted", function () {
        const v = (policy: string, level: "mandatory" | "advisory", name: string) => ({
            policy,
            level,
            urn: `urn:pulumi:s::p::aws:x/y:Y::${name}`,
            message: `${name} is wrong`,
        });
        const lines = renderViolations([
            v("b-rule", "advisory", "one"),
            v("a-rule", "mandatory", "two"),
            v("b-rule", "advisory", "three"),
            v("c-rule", "advisory", "four"),
        ]);
        assert.deepEqual(lines, [
            "Policies: 1 blocking, 3 advisory",
            "  [mandatory] a-rule · 1 finding on two: two is wrong",
            "  [advisory] b-rule · 2 findings on one, three: one is wrong",
            "  [advisory] c-rule · 1 finding on four: four is wrong",
        ]);
        assert.deepEqual(renderViolations([]), ["Policies: no violations"]);
        const many = renderViolations(["a", "b", "c", "d", "e", "f"].map((n) => v("r", "mandatory", n)));
        assert.match(many[1], /on a, b, c and 3 more: /);
        assert.equal(findingCounts(["mandatory", "advisory", "advisory"]), "1 blocking, 2 advisory");
        // Violations whose policy has no config behind it carry no key.
        assert.deepEqual(withConfigKeys([v("window-has-task", "mandatory", "w")], []), [v("window-has-task", "mandatory", "w")]);
    });

    /** A task-rate-control finding as the rule states it (policies/tasks.ts), urn to be filled in. */
    const rateControl = {
        policy: "task-rate-control",
        level: "mandatory" as const,
        message: "maxErrors is not valid",
        property: "maxErrors",
        valid: "a count from 0",
    };

    it("a task whose targets are not a list, or whose window target was read with .get (no inputs), still gets its config key", function () {
        const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
        const TARGET = "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget";
        const urn = (type: string, name: string) => `urn:pulumi:prod::patch-manager::${type}::${name}`;
        const shapes: unknown[] = [
            { key: "WindowTargetIds", values: ["t-1"] },
            "WindowTargetIds",
            null,
            [{ key: "WindowTargetIds", values: "t-1" }],
            [{ key: "WindowTargetIds", values: [{ toString: null }] }],
            [null, 3, "x"],
        ];
        const resources = [
            // `MaintenanceWindowTarget.get(...)`: an id, and inputs missing altogether.
            { urn: urn(TARGET, "read"), type: TARGET, name: "read", id: "t-1" } as any,
            {
                urn: urn(TARGET, "odd"),
                type: TARGET,
                name: "odd",
                id: "t-2",
                inputs: { targets: { key: "tag:Patch Group", values: "Web" } },
            },
            ...shapes.map((targets, i) => ({ urn: urn(TASK, `task-${i}`), type: TASK, name: `task-${i}`, id: null, inputs: { targets } })),
            { urn: urn(TASK, "no-inputs"), type: TASK, name: "no-inputs", id: null, inputs: "not an object" as any },
        ];
        const violations = resources.filter((r) => r.type === TASK).map((r) => ({ ...rateControl, urn: r.urn }));
        // The stack file's patchGroups holding non-objects must not matter either.
        const keyed = withConfigKeys(violations, resources, { "patch-manager:patchGroups": '[null, {"name": "Web", "rateControl": {}}]' });
        assert.deepEqual(
            keyed.map((v) => v.configKey),
            violations.map(() => "patch-manager:rateControl.maxErrors"),
        );
    });

    it("on another project's resources names the property to change, never a patch-manager: key", function () {
        const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
        const BASELINE = "aws:ssm/patchBaseline:PatchBaseline";
        const r = (type: string, name: string) => ({ urn: `urn:pulumi:prod::billing::${type}::${name}`, type, name, id: null, inputs: {} });
        const resources = [r(TASK, "a"), r(TASK, "b"), r(BASELINE, "linux")];
        // As the rules state them: the property and what they accept there (the window rule names none).
        const v = (policy: string, urn: string, property?: string) => ({
            policy,
            level: "mandatory" as const,
            urn,
            message: "wrong",
            ...(property !== undefined ? { property, valid: `what ${policy} accepts` } : {}),
        });
        const violations = [
            v("task-production-concurrency", resources[0].urn, "maxConcurrency"),
            v("task-production-concurrency", resources[1].urn, "maxConcurrency"),
            v("task-reboot-if-needed", resources[0].urn, "taskInvocationParameters.runCommandParameters.parameters.RebootOption"),
            v("baseline-production-approval-delay", resources[2].urn, "approvalRules[1].approveAfterDays"),
            v("window-has-task", resources[0].urn),
        ];
        const keyed = withConfigKeys(violations, resources, {}, "billing");
        assert.deepEqual(
            keyed.map((k) => [k.policy, k.property, k.configKey]),
            [
                ["task-production-concurrency", "maxConcurrency", undefined],
                ["task-production-concurrency", "maxConcurrency", undefined],
                ["task-reboot-if-needed", "taskInvocationParameters.runCommandParameters.parameters.RebootOption", undefined],
                ["baseline-production-approval-delay", "approvalRules[1].approveAfterDays", undefined],
                ["window-has-task", undefined, undefined],
            ],
        );
        assert.equal(keyed[0].valid, "what task-production-concurrency accepts");
        // This project's documents get the config key instead, and no property; where no key sets it, neither.
        const own = withConfigKeys(violations, resources);
        assert.deepEqual(
            own.map((k) => [k.configKey, k.property]),
            [
                ["patch-manager:rateControl.maxConcurrency", undefined],
                ["patch-manager:rateControl.maxConcurrency", undefined],
                [undefined, undefined],
                ["patch-manager:approveAfterDays", undefined],
                [undefined, undefined],
            ],
        );
        assert.deepEqual(own[2], { policy: "task-reboot-if-needed", level: "mandatory", urn: resources[0].urn, message: "wrong" });
        const lines = renderViolations(keyed);
        assert.deepEqual(lines.slice(1, 3), [
            "  [mandatory] task-production-concurrency · 2 findings on a, b: wrong",
            "      change maxConcurrency on a, b: what task-production-concurrency accepts",
        ]);
        assert.ok(
            lines.includes("      change approvalRules[1].approveAfterDays on linux: what baseline-production-approval-delay accepts"),
        );
        assert.ok(!lines.some((l) => l.includes("patch-manager:")));
    });

    it("the plan reports clashes between a stack's own windows in one region, as --all does; the README's example has none", async function () {
        // Web Server moved onto Application Server's night (Patch Tuesday + 16).
        const clash = editedProd((c) => (c["patch-manager:patchGroups"][4].schedule.patchTuesday.daysAfter = 16));
        const text = await plan("--stack", "prod", "--config", clash, "--from", FROM);
        assert.equal(text.code, 0, "a clash is advisory");
        assert.match(
            text.stdout,
            /\nClashes: 1 pair of this stack's windows overlap in one region \(advisory\)\n {2}\[advisory\] clash: prod \(eu-west-1\): windows "patch-manager-prod-web-server" \(Web Server\) and "patch-manager-prod-application-server"/,
        );
        const json = JSON.parse((await plan("--stack", "prod", "--config", clash, "--from", FROM, "--json")).stdout);
        assert.deepEqual(
            json.findings.map((f: any) => [f.check, f.level, f.windows]),
            [["clash", "advisory", ["patch-manager-prod-web-server", "patch-manager-prod-application-server"]]],
        );
        // The diff of that change says so too.
        const before = path.join(tmp(), "before.json");
        assert.equal((await plan("--stack", "prod", "--json", "--from", FROM, "--out", before)).code, 0);
        const diff = await plan("--stack", "prod", "--config", clash, "--diff", before, "--from", FROM);
        assert.equal(diff.code, 0, diff.stderr);
        assert.match(diff.stdout, /schedule: "cron\(0 23 \? \* TUE#3 \*\)" → "cron\(0 23 \? \* TUE#4 \*\)"[\s\S]*\nClashes: 1 pair/);
        const md = await plan("--stack", "prod", "--config", clash, "--diff", before, "--from", FROM, "--markdown");
        assert.match(md.stdout, /```mermaid\n[\s\S]*web-server CLASH :crit, 2026-12-24 22:00, 6h/);
        assert.match(md.stdout, /\*\*Clashes\*\* \(advisory\)/);

        // The README's `pulumi config set ... patchGroups[4].schedule.cron` example moves the wave without a clash.
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const days = /patchGroups\[4\]\.schedule\.patchTuesday\.daysAfter' (\d+)/.exec(readme)?.[1];
        assert.ok(days, "the README has the example");
        const moved = editedProd((c) => (c["patch-manager:patchGroups"][4].schedule.patchTuesday.daysAfter = Number(days)));
        const ok = JSON.parse((await plan("--stack", "prod", "--config", moved, "--from", FROM, "--json")).stdout);
        assert.deepEqual(ok.findings, []);
        const web = ok.windows.find((w: any) => w.patchGroups.includes("Web Server"));
        assert.notDeepEqual([web.schedule, web.scheduleOffset], ["cron(0 23 ? * TUE#3 *)", 3]);
    });
});
