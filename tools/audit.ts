// Offline policy audit: `npm run policy:audit -- <file> [--config <policy-config.json>] [--json]`.
//
// Runs the policy pack in policies/ on a `pulumi stack export` document or the plan's --json
// output, with the analyzer's semantics (audit/engine.ts), without the Pulumi CLI.
// Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file or bad arguments.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { AuditDocumentError, parseAuditDocument } from "./audit/documents";
import { PolicyConfigError, PolicyRunError, Violation, policyDescriptions, runPolicies } from "./audit/engine";
import { PACK_NAME } from "../policies/pack";
import { userPath } from "./userPath";

const USAGE = `usage: npm run policy:audit -- <file> [--config <policy-pack-config.json>] [--json]

  <file>           a \`pulumi stack export\` document, or the output of \`npm run plan -- --json\`
  --config <file>  policy-pack config, as given to \`pulumi preview --policy-pack-config\`
  --json           print {"violations":[{policy, level, urn, message}]} and nothing else

Exit code: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file or bad arguments.`;

export interface AuditIO {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

class UsageError extends Error {}

function readJson(path: string, what: string): unknown {
    let text: string;
    try {
        text = readFileSync(userPath(path), "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new UsageError(`cannot read ${what} ${path}${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}`);
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
    }
}

/** Runs the audit with `argv` (without node and the script) and returns the exit code. */
export async function main(
    argv: string[],
    io: AuditIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
): Promise<number> {
    try {
        let parsed;
        try {
            parsed = parseArgs({
                args: argv,
                allowPositionals: true,
                strict: true,
                options: {
                    config: { type: "string" },
                    json: { type: "boolean", default: false },
                    help: { type: "boolean", short: "h", default: false },
                },
            });
        } catch (e) {
            throw new UsageError((e as Error).message);
        }
        if (parsed.values.help) {
            io.stdout(`${USAGE}\n`);
            return 0;
        }
        if (parsed.positionals.length !== 1) {
            throw new UsageError(
                parsed.positionals.length === 0 ? "name the file to audit" : `one file at a time, got ${parsed.positionals.join(", ")}`,
            );
        }
        const file = parsed.positionals[0];
        const config = parsed.values.config === undefined ? undefined : readJson(parsed.values.config, "config file");
        const document = parseAuditDocument(readJson(file, "file"));
        const violations = await runPolicies(document.resources, {
            config: config as Record<string, any> | undefined,
            stackName: document.stackName,
            projectName: document.projectName,
            resourceOptionsRecorded: document.format !== "stack-export",
        });
        if (parsed.values.json) {
            io.stdout(
                `${JSON.stringify({ violations: violations.map(({ policy, level, urn, message }) => ({ policy, level, urn, message })) }, null, 2)}\n`,
            );
        } else {
            io.stdout(report(file, document.resources.length, violations));
        }
        return violations.some((v) => v.level === "mandatory") ? 1 : 0;
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr(`policy:audit: ${e.message}\n\n${USAGE}\n`);
            return 2;
        }
        if (e instanceof AuditDocumentError || e instanceof PolicyConfigError || e instanceof PolicyRunError) {
            io.stderr(`policy:audit: ${e.message}\n`);
            return 2;
        }
        io.stderr(`policy:audit: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
    }
}

/** The summary a person reads: mandatory first, grouped by policy, each policy's fix said once. */
export function report(file: string, resourceCount: number, violations: Violation[]): string {
    const mandatory = violations.filter((v) => v.level === "mandatory");
    const advisory = violations.filter((v) => v.level === "advisory");
    const lines = [`Policy pack ${PACK_NAME} on ${file} (${resourceCount} resources)`];
    if (violations.length === 0) {
        lines.push("", "No violations.");
        return `${lines.join("\n")}\n`;
    }
    const descriptions = policyDescriptions();
    const groups = new Map<string, Violation[]>();
    for (const v of [...mandatory, ...advisory]) {
        const key = `${v.level}\u0000${v.policy}`;
        groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    for (const group of groups.values()) {
        const { level, policy } = group[0];
        lines.push("", `${level.toUpperCase()} ${policy}`);
        const how = descriptions.get(policy);
        if (how) {
            lines.push(`  ${how}`);
        }
        for (const v of group) {
            lines.push(`  - ${v.message}`, `    ${v.urn || "(stack)"}`);
        }
    }
    lines.push(
        "",
        `${mandatory.length} mandatory, ${advisory.length} advisory.` +
            (mandatory.length > 0 ? " Mandatory violations fail `pulumi preview --policy-pack policies`." : ""),
    );
    return `${lines.join("\n")}\n`;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
