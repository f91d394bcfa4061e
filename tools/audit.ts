// Offline policy audit: `npm run policy:audit -- <file> [--config <policy-config.json>] [--json]`.
//
// Runs the policy pack in policies/ on a `pulumi stack export` document or the plan's --json
// output, with the analyzer's semantics (audit/engine.ts), without the Pulumi CLI.
// Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file or bad arguments.

import { readFileSync, writeFileSync } from "node:fs";
import { AuditDocumentError, parseAuditDocument } from "./audit/documents";
import { PolicyConfigError, PolicyRunError, policyDescriptions, runPolicies } from "./audit/engine";
import { PACK_NAME } from "../policies/pack";
import { examples, parseCommand, toolCommand } from "./cli/command";
import { ActionableViolation, findingCounts, withConfigKeys } from "./findings";
import { displayPath, userPath } from "./userPath";

const AUDIT = "npm run policy:audit --";

function auditCommand(io: AuditIO) {
    return toolCommand(AUDIT, io, "policy:audit: ")
        .description(
            "Runs the policy pack in policies/ on a `pulumi stack export` document or the plan's --json output, without the Pulumi CLI.\n" +
                "Exit code: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file or bad arguments.",
        )
        .argument("[file]", "a `pulumi stack export` document, or the output of `npm run -s plan -- --stack <name> --json`")
        .option(
            "--config <file>",
            "policy-pack config, as `pulumi preview --policy-pack-config` takes it, e.g. --config policy-config.json",
        )
        .option("--json", 'print {"violations":[{policy, level, urn, message}]} and nothing else; with npm use `npm run -s policy:audit`')
        .option("--out <file>", "write the report (text or --json) to this file instead of stdout, e.g. --out audit.json")
        .addHelpText(
            "after",
            examples([
                ["a saved plan", `npm run plan -- --stack prod --json --out plan.json && ${AUDIT} plan.json`],
                ["a real stack's state", `pulumi stack export --stack prod > state.json && ${AUDIT} state.json`],
                ["with the pack's thresholds changed, as JSON", `npm run -s policy:audit -- state.json --config policy-config.json --json`],
            ]),
        );
}

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
        const parsed = parseCommand<{ config?: string; json?: boolean; out?: string }>(auditCommand(io), argv);
        if (!parsed.ok) return parsed.code;
        const options = parsed.options;
        if (parsed.args.length !== 1) throw new UsageError("name the file to audit");
        if (options.out !== undefined && options.out.trim() === "") throw new UsageError("--out needs a file name, e.g. --out audit.json");
        const file = parsed.args[0];
        const config = options.config === undefined ? undefined : readJson(options.config, "config file");
        const document = parseAuditDocument(readJson(file, "file"));
        const violations = await runPolicies(document.resources, {
            config: config as Record<string, any> | undefined,
            stackName: document.stackName,
            projectName: document.projectName,
            resourceOptionsRecorded: document.format !== "stack-export",
        });
        // A stack export holds no stack config: keys are named at the stack level (rateControl, not patchGroups[i]).
        const actionable = withConfigKeys(
            violations,
            document.resources.map((r) => ({ ...r, id: r.id ?? null })),
        );
        const output = options.json
            ? `${JSON.stringify(
                  {
                      violations: actionable.map(({ policy, level, urn, message, configKey, valid }) => ({
                          policy,
                          level,
                          urn,
                          message,
                          ...(configKey !== undefined ? { configKey, valid } : {}),
                      })),
                  },
                  null,
                  2,
              )}\n`
            : report(displayPath(userPath(file)), document.resources.length, actionable);
        if (options.out !== undefined) {
            writeFileSync(userPath(options.out), output);
            io.stderr(`Wrote the ${options.json ? "JSON document" : "report"} to ${displayPath(userPath(options.out))}\n`);
        } else io.stdout(output);
        return violations.some((v) => v.level === "mandatory") ? 1 : 0;
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr(`policy:audit: ${e.message}\n(${AUDIT} --help lists every option, with examples)\n`);
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

/**
 * The summary a person reads: blocking (mandatory) rules first, one heading per rule with its
 * count, the rule's fix and the config key that sets the value, then each finding.
 */
export function report(file: string, resourceCount: number, violations: ActionableViolation[]): string {
    const mandatory = violations.filter((v) => v.level === "mandatory");
    const advisory = violations.filter((v) => v.level === "advisory");
    const lines = [`Policy pack ${PACK_NAME} on ${file} (${resourceCount} resources)`];
    if (violations.length === 0) {
        lines.push("", "No violations.");
        return `${lines.join("\n")}\n`;
    }
    const descriptions = policyDescriptions();
    const groups = new Map<string, ActionableViolation[]>();
    for (const v of [...mandatory, ...advisory]) {
        const key = `${v.level}\u0000${v.policy}`;
        groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    for (const group of groups.values()) {
        const { level, policy } = group[0];
        lines.push("", `${level.toUpperCase()} ${policy} · ${group.length} finding${group.length === 1 ? "" : "s"}`);
        const how = descriptions.get(policy);
        if (how) {
            lines.push(`  ${how}`);
        }
        const keys = [...new Set(group.map((v) => v.configKey).filter((k): k is string => k !== undefined))];
        if (keys.length > 0) lines.push(`  Change ${keys.join(", ")}: ${group.find((v) => v.valid)!.valid}.`);
        for (const v of group) {
            lines.push(`  - ${v.message}`, `    ${v.urn || "(stack)"}`);
        }
    }
    lines.push(
        "",
        `${findingCounts(violations.map((v) => v.level))}.` +
            (mandatory.length > 0 ? " Blocking (mandatory) findings fail `pulumi preview --policy-pack policies`." : ""),
    );
    return `${lines.join("\n")}\n`;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
