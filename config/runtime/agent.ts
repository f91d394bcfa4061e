// What the SSM Agent does with a Run Command script's exit code, as a replayable model: the reboot
// exit codes make it reboot the node and run the same script again from its first line.
//
// Sources:
// - SSM user guide, "Handling reboots when running commands"
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-reboot.html):
//   "For Windows managed nodes, you specify exit 3010 in your script. For Linux and macOS managed
//   nodes, you specify exit 194. The exit code instructs SSM Agent to reboot the managed node, and
//   then restart the script after the reboot completed." and "make the scripts idempotent".
// - amazon-ssm-agent (github.com/aws/amazon-ssm-agent @1c217c89): agent/appconfig/constants_unix.go
//   `RebootExitCode = 194`, constants_windows.go `RebootExitCode = 3010`;
//   agent/plugins/pluginutil/pluginutil_unix.go GetStatus: RebootExitCode -> ResultStatusSuccessAndReboot;
//   agent/framework/runpluginutil/runpluginutil.go: a plugin in SuccessAndReboot "just experienced
//   reboot, reset to InProgress" and runs again; agent/framework/processor/processor.go: "document
//   %v requested reboot, need to resume" (rebooter.RequestPendingReboot).
import { AGENT_REBOOT_EXIT_CODES } from "@patch-manager/ssm";

export type AgentPlatform = keyof typeof AGENT_REBOOT_EXIT_CODES;

/** One run of the script as the agent saw it. */
export interface ScriptRun {
    /** The script's exit code. */
    readonly exitCode: number;
    /** Whether the agent rebooted the node after this run (the reboot exit code). */
    readonly rebooted: boolean;
}

/** How a command ended on one node: the agent's terminal status, or no end within `maxRuns`. */
export interface CommandReplay {
    readonly status: "Success" | "Failed" | "NoTermination";
    readonly runs: readonly ScriptRun[];
    /** How many times the agent rebooted the node. */
    readonly reboots: number;
}

/**
 * Replays one command on one node: `run` executes the script once (the node's state lives with the
 * caller and survives `reboot`), and the agent reboots and reruns it while it exits with the
 * platform's reboot code. `maxRuns` bounds the replay: a script that still asks for a reboot then
 * reboots the node until the window's cutoff cancels it.
 */
export function replayCommand(platform: AgentPlatform, run: (attempt: number) => number, reboot: () => void, maxRuns = 5): CommandReplay {
    const runs: ScriptRun[] = [];
    for (let attempt = 0; attempt < maxRuns; attempt++) {
        const exitCode = run(attempt);
        const rebooted = exitCode === AGENT_REBOOT_EXIT_CODES[platform];
        runs.push({ exitCode, rebooted });
        if (!rebooted) return { status: exitCode === 0 ? "Success" : "Failed", runs, reboots: runs.filter((r) => r.rebooted).length };
        reboot();
    }
    return { status: "NoTermination", runs, reboots: runs.length };
}

/** The reboot request's guards a script must pass through, in this order, before its reboot exit code. */
export interface RebootGuards {
    /** Exits 0 when this window execution's marker exists (the rerun after the reboot). */
    readonly markerCheck: RegExp;
    /** Exits 0 when no reboot is pending. */
    readonly pendingCheck: RegExp;
    /** Writes the marker. */
    readonly markerWrite: RegExp;
}

export const REBOOT_GUARDS: Record<AgentPlatform, RebootGuards> = {
    linux: {
        markerCheck: /^if \[ -e "\$marker" \]; then .*exit 0; fi$/,
        pendingCheck: /^if \[ "\$pending" = no \]; then .*exit 0; fi$/,
        markerWrite: /> "\$marker"/,
    },
    // A registry value per execution under HKLM (components/strategies.ts REBOOT_MARKERS), named $id.
    windows: {
        markerCheck: /^if \(Get-ItemProperty -Path \$markers -Name \$id -ErrorAction SilentlyContinue\) \{.*exit 0 \}$/,
        pendingCheck: /^if \(-not \$pending\) \{.*exit 0 \}$/,
        markerWrite: /^New-ItemProperty -Path \$markers -Name \$id /,
    },
};

/**
 * The agent model read off a script's text, for platforms this machine cannot run (PowerShell):
 * the reboot exit code may come only last, after a check that exits 0 on this window execution's
 * marker, a check that exits 0 when no reboot is pending, and the marker's write; the marker is
 * named by `executionId` (the window execution). Each problem in words; none: the rerun after the
 * reboot exits 0, so the command terminates after at most one reboot per window execution.
 */
export function rebootScriptProblems(platform: AgentPlatform, lines: readonly string[], executionId: string): string[] {
    const code = AGENT_REBOOT_EXIT_CODES[platform];
    const guards = REBOOT_GUARDS[platform];
    const exits = lines.flatMap((l, i) => (new RegExp(`\\bexit ${code}\\b`).test(l) ? [i] : []));
    if (exits.length === 0) return [];
    const problems: string[] = [];
    if (exits.length > 1 || exits[0] !== lines.length - 1)
        problems.push(`exit ${code} must be the script's last line, and its only reboot request`);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l.trim()));
    const markerCheck = at(guards.markerCheck);
    const pendingCheck = at(guards.pendingCheck);
    const markerWrite = at(guards.markerWrite);
    if (markerCheck < 0)
        problems.push(
            "no check that exits 0 when this window execution already rebooted the node (the agent reruns the script after the reboot)",
        );
    if (pendingCheck < 0) problems.push("no check that exits 0 when no reboot is pending");
    if (markerWrite < 0) problems.push("the marker is never written before the reboot");
    if (
        markerCheck >= 0 &&
        pendingCheck >= 0 &&
        markerWrite >= 0 &&
        !(markerCheck < pendingCheck && pendingCheck < markerWrite && markerWrite < exits[0])
    )
        problems.push("the marker check, the pending check and the marker's write must come in that order before the reboot");
    if (!lines.some((l) => /^\$?(marker|id)\s*=/.test(l.trim()) && l.includes(executionId)))
        problems.push(`the marker is not named by the window execution (${executionId})`);
    return problems;
}
