// A document call (a window task's, an association's, an EventBridge target's) checked against the
// document's declared parameters, as SSM checks it: shared by the tests that collect such calls.
import type { DocumentParameter } from "@patch-manager/ssm";
import { fact } from "./facts";

export type Parameters = Record<string, readonly string[]>;
export interface Call {
    where: string;
    document: string;
    parameters: Parameters;
}

/** A window substitutes the target's instance id for {{RESOURCE_ID}} before the document sees it. */
// AWS writes its example with EXAMPLE in place of the last hex digits; a real id is lowercase hex.
const SAMPLE_INSTANCE_ID = (fact("ssm-resource-id-pseudo-parameter").value as string).replace("EXAMPLE", "0000000");
/** And the window execution's id (fact window-pseudo-parameters), as AWS's sample window execution event carries one. */
const SAMPLE_WINDOW_EXECUTION_ID = String((fact("event-window-execution").sample as any).detail["window-execution-id"]);
export const substituted = (v: string) =>
    v.replace(/\{\{\s*RESOURCE_ID\s*\}\}/g, SAMPLE_INSTANCE_ID).replace(/\{\{\s*WINDOW_EXECUTION_ID\s*\}\}/g, SAMPLE_WINDOW_EXECUTION_ID);

/** The problems of one call against the document's declared parameters. */
export function callProblems(call: Call, declared: Record<string, DocumentParameter>): string[] {
    const problems: string[] = [];
    for (const [name, values] of Object.entries(call.parameters)) {
        const p = declared[name];
        if (!p) {
            problems.push(`${call.where}: ${call.document} declares no parameter ${name} (it has ${Object.keys(declared).join(", ")})`);
            continue;
        }
        if (p.type !== "StringList" && p.type !== "MapList" && values.length !== 1)
            problems.push(`${call.where}: ${call.document} ${name} is a ${p.type}: one value, not ${values.length}`);
        for (const raw of values) {
            const v = substituted(raw);
            if (p.allowedValues && !p.allowedValues.includes(v))
                problems.push(`${call.where}: ${name}=${v} is not one of ${p.allowedValues.join(", ")}`);
            if (p.allowedPattern && !new RegExp(p.allowedPattern).test(v))
                problems.push(`${call.where}: ${name}=${v} does not match ${call.document}'s allowedPattern ${p.allowedPattern}`);
            if (p.type === "Boolean" && v !== "true" && v !== "false") problems.push(`${call.where}: ${name}=${v} is not a Boolean`);
        }
    }
    for (const [name, p] of Object.entries(declared))
        if (p.required && call.parameters[name] === undefined) problems.push(`${call.where}: ${call.document} requires ${name}`);
    return problems;
}
