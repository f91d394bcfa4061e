// One named list of what the facts show the program gets wrong today, each owned by the helper whose
// scope holds the fix. A known failure's test asserts it STILL fails: when the fix lands, the test
// fails with "now passes" and the entry is removed here (the check then runs as an ordinary test).
import { strict as assert } from "assert";

export const KNOWN_FAILURES = {
    "reboot-task-loops-linux": {
        owner: "runtime (components/strategies.ts rebootTask)",
        why: "the Linux reboot task is `exit 194` alone: the agent reruns the script after the reboot (fact agent-reboot-reruns-script), it exits 194 again and reboots again",
    },
    "reboot-task-loops-windows": {
        owner: "runtime (components/strategies.ts rebootTask)",
        why: "the Windows reboot task is `exit 3010` alone: rerun after the reboot, it requests another one",
    },
} as const;

export type KnownFailure = keyof typeof KNOWN_FAILURES;

/** Runs a check that is known to fail today; passes while it fails, fails once it passes. */
export async function stillFails(name: KnownFailure, check: () => void | Promise<void>): Promise<void> {
    let passed = false;
    try {
        await check();
        passed = true;
    } catch {
        // still wrong, as listed
    }
    assert.ok(
        !passed,
        `known failure "${name}" now passes (${KNOWN_FAILURES[name].owner} fixed it): remove it from tests/facts/knownFailures.ts`,
    );
}
