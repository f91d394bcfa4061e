// Offline policy audit: `npm run policy:audit -- <file> [--config <policy-config.json>] [--json]`.
//
// Runs the policy pack in policies/ on a `pulumi stack export` document or the plan's --json
// output, with the analyzer's semantics (audit/engine.ts), without the Pulumi CLI.
// Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file, an empty one
// (nothing was checked: a CI gate must not pass on a broken export step) or bad arguments.

import { readFileSync, writeFileSync } from "node:fs";
import { AuditDocument, AuditDocumentError, NotChecked, decodeJsonBytes, notChecked, parseAuditDocument, parseJsonText } from "./documents";
import { PolicyConfigError, PolicyRunError, policyDescriptions, runPolicies } from "./engine";
import { PACK_NAME } from "../../policies/pack";
import { examples, parseCommand, toolCommand } from "../cli/command";
import { ActionableViolation, findingCounts, propertyChangeLine, propertyChanges, withConfigKeys } from "./findings";
import { displayPath, userPath } from "../cli/userPath";

const AUDIT = "npm run policy:audit --";

function auditCommand(io: AuditIO) {
    return toolCommand(AUDIT, io, "policy:audit: ")
        .description(
            "Runs the policy pack in policies/ on a `pulumi stack export` document or the plan's --json output, without the Pulumi CLI.\n" +
                "Reads UTF-8 (with or without a byte order mark) and UTF-16 with a byte order mark, as PowerShell writes them.\n" +
                "Resources it cannot judge (read with .get, or patching types the pack has no rules for, such as aws-native:ssm:*) are listed as not checked.\n" +
                "Exit code: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable file, bad arguments, or a document " +
                "with no resources (nothing was checked: an export step that wrote an empty or wrong stack must not pass; see --allow-empty).",
        )
        .argument("[file]", "a `pulumi stack export` document, or the output of `npm run -s plan -- --stack <name> --json`")
        .option(
            "--config <file>",
            "policy-pack config, as `pulumi preview --policy-pack-config` takes it, e.g. --config policy-config.json",
        )
        .option(
            "--json",
            'print {"violations":[{policy, level, urn, message}], "notChecked":[{urn, type, kind, reason}]} and nothing else ' +
                "(notChecked only when some resource was not judged); with npm use `npm run -s policy:audit`",
        )
        .option(
            "--allow-empty",
            'a document with no resources exits 0 with "no resources: nothing was checked" instead of 2 (a stack expected to be empty)',
        )
        .option("--out <file>", "write the report (text or --json) to this file instead of stdout, e.g. --out audit.json")
        .addHelpText(
            "after",
            examples([
                ["a saved plan", `npm run plan -- --stack prod --json --out plan.json && ${AUDIT} plan.json`],
                [
                    "a real stack's state (--file writes UTF-8 whatever the shell)",
                    `pulumi stack export --stack prod --file state.json && ${AUDIT} state.json`,
                ],
                ["a stack that may hold nothing yet, in CI", `${AUDIT} state.json --allow-empty`],
                ["with the pack's thresholds changed, as JSON", `npm run -s policy:audit -- state.json --config policy-config.json --json`],
            ]),
        );
}

export interface AuditIO {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

class UsageError extends Error {}

/** How to write a policy-pack config the audit reads. */
const CONFIG_FIX =
    "save it as UTF-8 (in PowerShell: `Set-Content -Encoding utf8 policy-config.json`), as `pulumi preview --policy-pack-config` reads it";

function readJson(path: string, what: string, fix?: string): unknown {
    let bytes: Buffer;
    try {
        bytes = readFileSync(userPath(path));
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
            code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a directory, name a JSON file" : code ? ` (${code})` : "";
        throw new UsageError(`cannot read ${what} ${path}${why}`);
    }
    return parseJsonText(decodeJsonBytes(bytes, `${what} ${path}`, fix), `${what} ${path}`, fix);
}

/** The --json document: the contract's violations, then what was not judged, when anything was not. */
function jsonReport(violations: ActionableViolation[], unjudged: NotChecked[], empty?: string): string {
    const doc = {
        violations: violations.map(({ policy, level, urn, message, configKey, property, valid }) => ({
            policy,
            level,
            urn,
            message,
            ...(configKey !== undefined ? { configKey, valid } : property !== undefined ? { property, valid } : {}),
        })),
        ...(unjudged.length > 0 ? { notChecked: unjudged } : {}),
        ...(empty !== undefined ? { nothingChecked: empty } : {}),
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Runs the audit with `argv` (without node and the script) and returns the exit code. */
export async function main(
    argv: string[],
    io: AuditIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
): Promise<number> {
    try {
        const parsed = parseCommand<{ config?: string; json?: boolean; out?: string; allowEmpty?: boolean }>(auditCommand(io), argv);
        if (!parsed.ok) return parsed.code;
        const options = parsed.options;
        if (parsed.args.length !== 1) throw new UsageError("name the file to audit");
        if (options.out !== undefined && options.out.trim() === "") throw new UsageError("--out needs a file name, e.g. --out audit.json");
        const file = parsed.args[0];
        const config = options.config === undefined ? undefined : readJson(options.config, "config file", CONFIG_FIX);
        const document: AuditDocument = parseAuditDocument(readJson(file, "file"));
        if (document.empty !== undefined && !options.allowEmpty) {
            throw new AuditDocumentError(
                `file ${file}: ${document.empty} Audit the export of a deployed stack, or a plan ` +
                    "(`npm run -s plan -- --stack <name> --json --out plan.json`); pass --allow-empty where an empty stack is expected.",
            );
        }
        const violations =
            document.empty !== undefined
                ? []
                : await runPolicies(document.resources, {
                      config: config as Record<string, any> | undefined,
                      stackName: document.stackName,
                      projectName: document.projectName,
                      resourceOptionsRecorded: document.format !== "stack-export",
                  });
        // A stack export holds no stack config: keys are named at the stack level (rateControl, not patchGroups[i]).
        // Another project's document has no `patch-manager:` keys at all: its findings name the resource's property.
        const actionable = withConfigKeys(
            violations,
            document.resources.map((r) => ({ ...r, id: r.id ?? null })),
            {},
            document.projectName,
        );
        const unjudged = notChecked(document.resources);
        const output = options.json
            ? jsonReport(actionable, unjudged, document.empty)
            : report(displayPath(userPath(file)), document.resources.length, actionable, unjudged, document.empty);
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
        if (e instanceof PolicyRunError) {
            // A rule that throws on a shape it did not expect is the pack's bug, not the file's.
            io.stderr(
                `policy:audit: ${e.message}\n` +
                    `(a bug in the pack: the rule ${e.policy} failed on a shape it did not expect; please report it with that resource. ` +
                    `To audit the rest meanwhile, disable the rule with --config and {"${e.policy}": "disabled"}.)\n`,
            );
            return 2;
        }
        if (e instanceof AuditDocumentError || e instanceof PolicyConfigError) {
            io.stderr(`policy:audit: ${e.message}\n`);
            return 2;
        }
        io.stderr(`policy:audit: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
    }
}

/**
 * The summary a person reads: blocking (mandatory) rules first, one heading per rule with its
 * count, the rule's fix and the config key (or, in another project's document, the property) that
 * sets the value, then each finding; last, what the pack could not judge.
 */
export function report(
    file: string,
    resourceCount: number,
    violations: ActionableViolation[],
    unjudged: readonly NotChecked[] = [],
    empty?: string,
): string {
    const mandatory = violations.filter((v) => v.level === "mandatory");
    const advisory = violations.filter((v) => v.level === "advisory");
    const external = unjudged.filter((n) => n.kind === "external");
    const lines = [
        `Policy pack ${PACK_NAME} on ${file} (${resourceCount} resources` +
            (external.length > 0 ? `, ${external.length} of them read, not analysed` : "") +
            ")",
    ];
    if (empty !== undefined) {
        lines.push("", empty);
        return `${lines.join("\n")}\n`;
    }
    if (violations.length === 0) {
        lines.push("", unjudged.length > 0 ? "No violations among the resources the pack judged." : "No violations.");
        lines.push(...notCheckedLines(unjudged));
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
        if (keys.length > 0) lines.push(`  Change ${keys.join(", ")}: ${group.find((v) => v.configKey !== undefined)!.valid}.`);
        for (const change of propertyChanges(group)) lines.push(`  ${propertyChangeLine(change, "Change")}.`);
        for (const v of group) {
            lines.push(`  - ${v.message}`, `    ${v.urn || "(stack)"}`);
        }
    }
    lines.push(...notCheckedLines(unjudged));
    lines.push(
        "",
        `${findingCounts(violations.map((v) => v.level))}.` +
            (mandatory.length > 0 ? " Blocking (mandatory) findings fail `pulumi preview --policy-pack policies`." : ""),
    );
    return `${lines.join("\n")}\n`;
}

/** The resources no rule judged: types the pack does not know, then those read with `.get`. */
function notCheckedLines(unjudged: readonly NotChecked[]): string[] {
    const lines: string[] = [];
    const unknown = unjudged.filter((n) => n.kind === "unknown-type");
    const external = unjudged.filter((n) => n.kind === "external");
    if (unknown.length > 0) {
        lines.push(
            "",
            `NOT CHECKED · ${unknown.length} resource${unknown.length === 1 ? "" : "s"} that look like patching, of types the pack has no rules for`,
        );
        for (const n of unknown) lines.push(`  - ${n.type}: ${n.reason}`, `    ${n.urn}`);
    }
    if (external.length > 0) {
        lines.push(
            "",
            `READ, NOT ANALYSED · ${external.length} resource${external.length === 1 ? "" : "s"} read with .get (external: true): ` +
                "resource rules skip them, as `pulumi preview` does; stack rules still see them",
        );
        for (const n of external) lines.push(`  - ${n.urn}`);
    }
    return lines;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
