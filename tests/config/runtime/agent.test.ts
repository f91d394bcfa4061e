// The SSM Agent replayed against every reboot script the program ships: the Linux scripts run for
// real in bash (stubbed commands on PATH, the node's files under a scratch root), twice or more
// across simulated reboots; the Windows scripts against the same model read off their text.
// Facts (config/runtime/agent.ts, tests/facts: agent-reboot-exit-code-*): the reboot exit codes make the agent reboot the
// node and "restart the script after the reboot" (SSM user guide, "Handling reboots when running
// commands"; amazon-ssm-agent agent/framework/runpluginutil/runpluginutil.go).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OPERATING_SYSTEMS } from "@patch-manager/ssm";
import { REBOOT_EXECUTION_ID, rebootTask, WINDOW_EXECUTION_ID } from "../../../components/strategies";
import { rebootScriptProblems, replayCommand } from "../../../config/runtime/agent";
import { fact } from "../../facts/facts";
import { SERVICES } from "../../facts/shapes";
import { evaluate, parameters, shippedConfig, T, withConfig } from "../../helpers";

/** How the node answers "is a reboot pending?": RHEL-family and Amazon Linux, Ubuntu/Debian, SUSE. */
type Distribution = "needs-restarting" | "dnf" | "reboot-required" | "zypper";

/** A node: a scratch root for its files, stub commands, and whether a reboot is pending. */
class Node {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "agent-node-"));
    readonly bin = path.join(this.root, "stub-bin");
    constructor(
        readonly distribution: Distribution,
        /** Whether a reboot clears what is pending (false: the node still reports a pending reboot afterwards). */
        readonly rebootClears = true,
    ) {
        fs.mkdirSync(this.bin);
        fs.mkdirSync(path.join(this.root, "var", "run"), { recursive: true });
        const stub = (name: string, pendingExit: number) =>
            fs.writeFileSync(
                path.join(this.bin, name),
                `#!/bin/bash\nif [ -e "${this.flag("pending")}" ]; then exit ${pendingExit}; fi\nexit 0\n`,
                { mode: 0o755 },
            );
        // needs-restarting -r: "1 if a reboot is required" (yum-utils/dnf-plugins-core man page);
        // zypper needs-rebooting: exit 102 ZYPPER_EXIT_INF_REBOOT_NEEDED (zypper man page).
        if (distribution === "needs-restarting") stub("needs-restarting", 1);
        // Amazon Linux 2023 / minimal RHEL without dnf-utils: no standalone command, dnf's plugin
        // (`dnf needs-restarting -r`, the same exit status).
        if (distribution === "dnf") stub("dnf", 1);
        if (distribution === "zypper") stub("zypper", 102);
    }
    private flag(name: string) {
        return path.join(this.root, name);
    }
    setPending(on: boolean) {
        // Ubuntu and Debian: update-notifier's /var/run/reboot-required flag file.
        const files = [this.flag("pending"), path.join(this.root, "var", "run", "reboot-required")];
        for (const f of files) {
            if (on) fs.writeFileSync(f, "");
            else fs.rmSync(f, { force: true });
        }
        if (this.distribution !== "reboot-required") fs.rmSync(files[1], { force: true });
    }
    reboot() {
        if (this.rebootClears) this.setPending(false);
    }
    /** Runs the script as the agent does for one window execution: the node's absolute paths under the scratch root. */
    run(lines: readonly string[], executionId: string): number {
        const script = lines
            .join("\n")
            .split(WINDOW_EXECUTION_ID)
            .join(executionId)
            .replace(/(^|[\s"'=])\/var\//g, `$1${this.root}/var/`);
        const file = path.join(this.root, "_script.sh");
        fs.writeFileSync(file, script);
        const r = spawnSync("bash", [file], { env: { PATH: `${this.bin}:/usr/bin:/bin` }, encoding: "utf8" });
        return r.status ?? -1;
    }
    /** One window execution's command on this node, replayed by the agent model. */
    command(lines: readonly string[], executionId: string) {
        return replayCommand(
            "linux",
            () => this.run(lines, executionId),
            () => this.reboot(),
        );
    }
    remove() {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

const EXECUTION = "11111111-2222-3333-4444-555555555555";
const NEXT_EXECUTION = "66666666-7777-8888-9999-000000000000";

describe("config/runtime/agent: every reboot script the program ships, replayed", function () {
    /** Each shipped reboot script, by where it comes from, as its document runs it on the node's platform. */
    const scripts: { from: string; platform: "linux" | "windows"; commands: string[] }[] = [];
    /** The reboot documents' one parameter, as each declares it. */
    const declared: { from: string; parameters: Record<string, { type: string; allowedPattern?: string }> }[] = [];
    /** The plugins a Command document's steps run on (fact command-document-plugins): PowerShell's on Windows too, the shell's on Linux only. */
    const plugins = fact("command-document-plugins").value as { schemaVersion: string; plugins: Record<string, { platforms: string[] }> };
    before(async function () {
        // Through the real program: the example stack's reboot window (Windows), and the same stack
        // with a Linux group's reboot window.
        const base = shippedConfig("prod-strategies");
        const groups = JSON.parse(base.values["patch-manager:patchGroups"]) as any[];
        const linux = groups.map((g) =>
            g.name === "App Server" ? { ...g, snapshot: undefined, rebootWindow: groups[0].rebootWindow } : g,
        );
        const linuxGroupsOnly = linux.map((g) => (g.name === "App Server" ? g : { ...g, rebootWindow: undefined }));
        for (const [from, config] of [
            ["Pulumi.prod-strategies.yaml", base],
            ["Pulumi.prod-strategies.yaml, App Server with a reboot window", withConfig(base, { patchGroups: linuxGroupsOnly })],
        ] as const) {
            const stack = await evaluate("prod-strategies", config);
            const documents = stack.ofType("aws:ssm/document:Document").filter((d) => d.inputs.documentType === "Command");
            for (const t of stack.ofType(T.task).filter((x) => x.inputs.taskType === "RUN_COMMAND")) {
                const doc = documents.find((d) => d.inputs.name === t.inputs.taskArn);
                if (!doc) continue;
                // SSM fills each {{ parameter }} of the content with the task's value; the window has put the execution id in that.
                const content = JSON.parse(String(doc.inputs.content));
                const values = parameters(t);
                const fill = (line: string) =>
                    line.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, p: string) => (values[p] ?? [`<no ${p}>`]).join(","));
                declared.push({ from: `${from}: ${doc.name}`, parameters: content.parameters });
                // A schema 2.2 Command document of plugins the facts name (their inputs are checked in tests/components/strategies.test.ts).
                assert.equal(content.schemaVersion, plugins.schemaVersion, doc.name);
                for (const step of content.mainSteps) assert.ok(plugins.plugins[step.action], `${doc.name}: ${step.action}`);
                for (const step of content.mainSteps)
                    scripts.push({
                        from: `${from}: ${t.name}`,
                        platform: plugins.plugins[step.action].platforms.includes("Windows") ? "windows" : "linux",
                        commands: (step.inputs.runCommand as string[]).map(fill),
                    });
            }
        }
        // And every operating system's, as rebootTask writes it, filled in as the task fills it.
        for (const o of OPERATING_SYSTEMS) {
            const r = rebootTask(o);
            scripts.push({
                from: `rebootTask(${o})`,
                platform: r.platform,
                commands: r.commands.map((l) => l.split(REBOOT_EXECUTION_ID).join(WINDOW_EXECUTION_ID)),
            });
        }
    });
    /** Each distinct script once (the replay runs bash; the same text behaves the same). */
    const distinct = (platform: "linux" | "windows") => {
        const seen = new Map<string, (typeof scripts)[number]>();
        for (const s of scripts.filter((x) => x.platform === platform))
            if (!seen.has(s.commands.join("\n"))) seen.set(s.commands.join("\n"), s);
        return [...seen.values()];
    };

    it("the program ships both a Linux and a Windows reboot script, each in its own document", function () {
        const shipped = scripts.filter((s) => !s.from.startsWith("rebootTask"));
        assert.deepEqual([...new Set(shipped.map((s) => s.platform))].sort(), ["linux", "windows"]);
        // The Linux group's (App Server) runs the shell plugin, the Windows group's (Database Server) PowerShell's.
        for (const s of shipped) assert.equal(s.platform, /app-server/.test(s.from) ? "linux" : "windows", s.from);
    });

    for (const distribution of ["needs-restarting", "dnf", "reboot-required", "zypper"] as const) {
        it(`Linux (${distribution}): one reboot when one is pending, none when not, and the rerun exits 0`, function () {
            const linux = distinct("linux");
            assert.ok(linux.length > 0);
            for (const s of linux) {
                for (const rebootClears of [true, false]) {
                    const node = new Node(distribution, rebootClears);
                    try {
                        node.setPending(true);
                        const first = node.command(s.commands, EXECUTION);
                        assert.equal(first.status, "Success", `${s.from}: ${JSON.stringify(first.runs)} (reboot clears: ${rebootClears})`);
                        assert.equal(first.reboots, 1, `${s.from}: exactly one reboot per window execution`);
                        assert.equal(first.runs.length, 2, `${s.from}: the agent reran the script once after the reboot`);
                        // The same execution again (the agent resumes it once more): no second reboot.
                        assert.equal(node.command(s.commands, EXECUTION).reboots, 0, s.from);
                        // The next window execution reboots again only if something is pending.
                        node.setPending(true);
                        assert.equal(node.command(s.commands, NEXT_EXECUTION).reboots, 1, `${s.from}: the next window reboots again`);
                        node.setPending(false);
                        const idle = node.command(s.commands, "00000000-0000-0000-0000-000000000000");
                        assert.deepEqual([idle.status, idle.reboots], ["Success", 0], `${s.from}: nothing pending, no reboot`);
                    } finally {
                        node.remove();
                    }
                }
            }
        });
    }

    // The task passes {{WINDOW_EXECUTION_ID}} as the whole value of the document's parameter (the
    // substitution fact window-pseudo-parameters documents); the parameter admits an execution id only,
    // so the marker's name holds nothing else and no value a task passes reaches the shell.
    it("the reboot documents' one parameter admits a window execution id only (the API model's pattern), no shell", function () {
        const idPattern = SERVICES.ssm.shapes.MaintenanceWindowExecutionId.pattern!;
        const sample = String((fact("event-window-execution").sample as any).detail["window-execution-id"]);
        assert.equal(declared.length, 2, "a Linux and a Windows reboot document");
        for (const d of declared) {
            const [only, ...more] = Object.entries(d.parameters);
            assert.deepEqual(more, [], `${d.from}: one parameter`);
            assert.equal(only[1].type, "String", d.from);
            assert.equal(only[1].allowedPattern, idPattern, d.from);
            const accepts = (v: string) => new RegExp(only[1].allowedPattern!).test(v);
            assert.ok(accepts(sample), `${d.from}: AWS's sample window execution id`);
            for (const bad of [WINDOW_EXECUTION_ID, `${sample}"; reboot; "`, `${sample}\nreboot`, "$(reboot)", ""])
                assert.ok(!accepts(bad), `${d.from}: refuses ${JSON.stringify(bad)}`);
        }
    });

    it("the model catches the bare reboot request: a lone Linux reboot exit code reboots until the replay gives up", function () {
        const node = new Node("needs-restarting");
        try {
            node.setPending(true);
            assert.equal(node.command([`exit ${fact("agent-reboot-exit-code-linux").value}`], EXECUTION).status, "NoTermination");
        } finally {
            node.remove();
        }
    });

    it("Windows scripts (no PowerShell here): the same guards before the reboot exit code, read off the text", function () {
        const windows = scripts.filter((s) => s.platform === "windows");
        assert.ok(windows.length > 0);
        for (const s of windows) assert.deepEqual(rebootScriptProblems("windows", s.commands, WINDOW_EXECUTION_ID), [], s.from);
        // The same reading of the Linux scripts agrees with their replay.
        for (const s of scripts.filter((x) => x.platform === "linux"))
            assert.deepEqual(rebootScriptProblems("linux", s.commands, WINDOW_EXECUTION_ID), [], s.from);
        const bare = `exit ${fact("agent-reboot-exit-code-windows").value}`;
        assert.ok(rebootScriptProblems("windows", [bare], WINDOW_EXECUTION_ID).length > 0, "a bare reboot request is refused");
    });
});
