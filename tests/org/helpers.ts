import { strict as assert } from "assert";
import * as path from "path";
import YAML from "yaml";
import { OrgConfig, OrgConfigError, parseOrgConfig } from "../../org/config";
import { onlyAt, ROOT } from "../helpers";

export const EXAMPLE_FILE = path.join(ROOT, "org", "Pulumi.example.yaml");

/** The example organisation's `patch-manager-org:` values, as YAML gives them. */
export function exampleValues(): Record<string, any> {
    const doc = YAML.parse(require("fs").readFileSync(EXAMPLE_FILE, "utf8"));
    return Object.fromEntries(
        Object.entries(doc.config as Record<string, unknown>)
            .filter(([k]) => k.startsWith("patch-manager-org:"))
            .map(([k, v]) => [k.slice("patch-manager-org:".length), v]),
    );
}

/** The example with some keys replaced (undefined removes one). */
export function withOrg(changes: Record<string, unknown>): Record<string, unknown> {
    const values: Record<string, unknown> = { ...exampleValues() };
    for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) delete values[k];
        else values[k] = v;
    }
    // Cells added by a test are in the first OU unless the test says where (patch-manager-org:accounts).
    if (
        Array.isArray(values.cells) &&
        !("accounts" in changes) &&
        typeof values.accounts === "object" &&
        Array.isArray(values.organizationalUnits)
    ) {
        const accounts = { ...(values.accounts as Record<string, unknown>) };
        for (const c of values.cells as { account?: unknown }[])
            if (typeof c?.account === "string" && /^\d{12}$/.test(c.account) && !(c.account in accounts))
                accounts[c.account] = { organizationalUnit: values.organizationalUnits[0] };
        values.accounts = accounts;
    }
    return values;
}

export function encode(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function parseOrg(values: Record<string, unknown>): OrgConfig {
    return parseOrgConfig(encode(values), "Pulumi.test.yaml");
}

/** The problem lines for these values (fails when they are accepted). */
export function orgProblems(values: Record<string, unknown>): string[] {
    try {
        parseOrg(values);
    } catch (e) {
        assert.ok(e instanceof OrgConfigError, `expected an OrgConfigError, got ${String(e)}`);
        return e.lines();
    }
    assert.fail("expected the org config to be refused");
}

/** Asserts exactly the problems at `path`, each fragment found in one of them. */
export function orgRefused(values: Record<string, unknown>, path: string, ...fragments: string[]): void {
    onlyAt(orgProblems(values), "Pulumi.test.yaml", path, ...fragments);
}
