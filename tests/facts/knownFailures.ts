// One named list of what the facts show the program gets wrong today, each owned by the helper whose
// scope holds the fix. A known failure's test asserts it STILL fails: when the fix lands, the test
// fails with "now passes" and the entry is removed here (the check then runs as an ordinary test).
import { strict as assert } from "assert";

// None today: the reboot tasks' loops (runtime) were fixed; their checks run as ordinary tests.
export const KNOWN_FAILURES: Readonly<Record<string, { readonly owner: string; readonly why: string }>> = {};

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
