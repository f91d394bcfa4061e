// Runs an Automation document (schemaVersion 0.3) the way SSM Automation does, for the actions the
// program's own runbooks use, against a fake account (./account.ts). Each rule below is one of
// the Automation facts in tests/facts/awsFacts.json (ids `automation-*`): parameters and their
// `{{ }}` references, steps in order, `onFailure` (default Abort), `isCritical`, `nextStep` and
// `isEnd`, aws:executeAwsApi (Service namespace + Api + the API's parameters, Outputs by JSONPath
// Selector), aws:executeScript (the handler called with InputPayload, its return value the Payload
// output), aws:branch (Choices in order, then Default). Anything else is refused by name.
import { fact } from "../facts";
import { runPythonHandler } from "./python";
import type { FakeAccount } from "./account";

type Json = any;

export interface StepRun {
    name: string;
    action: string;
    status: "Success" | "Failed";
    error?: string;
    outputs: Record<string, unknown>;
}
export interface AutomationRun {
    status: "Success" | "Failed";
    steps: StepRun[];
}

/** StartAutomationExecution's Parameters: each a list of strings (botocore AutomationParameterMap). */
export type AutomationParameters = Record<string, string[]>;

function resolveParameters(doc: Json, given: AutomationParameters): Record<string, unknown> {
    const declared: Record<string, Json> = doc.parameters ?? {};
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(given))
        if (!(name in declared)) throw new Error(`InvalidAutomationExecutionParametersException: parameter ${name} is not in the document`);
    for (const [name, p] of Object.entries(declared)) {
        const values = given[name];
        if (values === undefined) {
            if (p.default === undefined) throw new Error(`InvalidAutomationExecutionParametersException: parameter ${name} is required`);
            out[name] = p.default;
            continue;
        }
        const value = p.type === "StringList" ? values : values.length === 1 ? values[0] : undefined;
        if (value === undefined)
            throw new Error(`InvalidAutomationExecutionParametersException: ${name} is a ${p.type}, given ${JSON.stringify(values)}`);
        for (const v of [value].flat() as string[]) {
            if (p.allowedValues && !p.allowedValues.includes(v))
                throw new Error(`InvalidAutomationExecutionParametersException: ${name}=${v} is not one of ${p.allowedValues}`);
            if (p.allowedPattern && !new RegExp(p.allowedPattern).test(v))
                throw new Error(`InvalidAutomationExecutionParametersException: ${name}=${v} does not match ${p.allowedPattern}`);
        }
        out[name] = value;
    }
    return out;
}

const REFERENCE = /\{\{\s*([\w.:]+)\s*\}\}/g;

/** `{{ Name }}` / `{{ step.Output }}`: a string that is only the reference takes the value as it is (a list stays a list). */
function substitute(value: Json, vars: Record<string, unknown>): Json {
    if (typeof value === "string") {
        const lookup = (name: string) => {
            if (!(name in vars))
                throw new Error(`the document refers to {{ ${name} }}, which is neither a parameter nor an earlier step's output`);
            return vars[name];
        };
        const whole = /^\{\{\s*([\w.:]+)\s*\}\}$/.exec(value);
        if (whole) return lookup(whole[1]);
        return value.replace(REFERENCE, (_, name) => String(lookup(name)));
    }
    if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
    return value;
}

/** A JSONPath Selector of the forms Automation documents use: `$.A.B[0].C`. */
function select(answer: Json, selector: string): unknown {
    if (!selector.startsWith("$")) throw new Error(`Selector ${selector} is not JSONPath`);
    let v = answer;
    for (const part of selector.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [])
        v = v?.[part.startsWith(".") ? part.slice(1) : Number(part.slice(1, -1))];
    return v;
}

const PYTHON_RUNTIMES = /^python3\.\d+$/;

async function runStep(step: Json, inputs: Json, account: FakeAccount): Promise<Record<string, unknown>> {
    switch (step.action) {
        case "aws:executeAwsApi": {
            const { Service, Api, ...request } = inputs;
            const answer = account.call(Service, Api, request) as Json;
            return Object.fromEntries((step.outputs ?? []).map((o: Json) => [o.Name, select(answer, o.Selector)]));
        }
        case "aws:executeScript": {
            if (!PYTHON_RUNTIMES.test(inputs.Runtime))
                throw new Error(`${step.name}: runtime ${inputs.Runtime} is not a Python runtime this interpreter runs`);
            const began = account.clock;
            const payload = await runPythonHandler(inputs.Script, inputs.Handler, inputs.InputPayload ?? {}, account);
            // The step's timeoutSeconds, and at most the action's own limit, on the fake account's clock.
            const limit = Math.min(step.timeoutSeconds ?? Infinity, fact("automation-execute-script-max-duration").value as number);
            if (account.clock - began > limit)
                throw new Error(`${step.name}: timed out after ${limit}s (the script ran ${account.clock - began}s)`);
            const answer = { [(fact("automation-execute-script-handler").value as { output: string }).output]: payload };
            // Named outputs select from the Payload ($.Payload.<key>), as aws:executeAwsApi's select from the answer.
            return { ...answer, ...Object.fromEntries((step.outputs ?? []).map((o: Json) => [o.Name, select(answer, o.Selector)])) };
        }
        case "aws:branch":
            return {};
    }
    throw new Error(`${step.name}: action ${step.action} is not modelled by tests/facts/automation/runbook.ts`);
}

const CHOICE_OPERATORS: Record<string, (a: unknown, b: unknown) => boolean> = {
    StringEquals: (a, b) => a === b,
    BooleanEquals: (a, b) => a === b,
    NumericEquals: (a, b) => Number(a) === Number(b),
    Contains: (a, b) => (Array.isArray(a) ? a.includes(b) : String(a).includes(String(b))),
};

function branch(step: Json, vars: Record<string, unknown>): string | undefined {
    for (const choice of step.inputs.Choices) {
        const [op, expected] = Object.entries(choice).find(([k]) => k in CHOICE_OPERATORS) ?? [];
        if (!op) throw new Error(`${step.name}: a choice without a modelled operator`);
        if (CHOICE_OPERATORS[op](substitute(choice.Variable, vars), expected)) return choice.NextStep;
    }
    return step.inputs.Default;
}

/** Runs `doc` with `parameters` (as StartAutomationExecution takes them) against `account`. */
export async function runAutomation(doc: Json, parameters: AutomationParameters, account: FakeAccount): Promise<AutomationRun> {
    if (doc.schemaVersion !== "0.3") throw new Error(`schemaVersion ${doc.schemaVersion}: Automation documents are 0.3`);
    const vars: Record<string, unknown> = { ...resolveParameters(doc, parameters), "automation:EXECUTION_ID": "exec-0001" };
    if (doc.assumeRole !== undefined) substitute(doc.assumeRole, vars);
    const steps: Json[] = doc.mainSteps;
    const runs: StepRun[] = [];
    let failed = false;
    let i = 0;
    while (i < steps.length) {
        const step = steps[i];
        let next: string | undefined = step.nextStep;
        try {
            const outputs = await runStep(step, substitute(step.inputs ?? {}, vars), account);
            for (const [k, v] of Object.entries(outputs)) vars[`${step.name}.${k}`] = v;
            runs.push({ name: step.name, action: step.action, status: "Success", outputs });
            if (step.action === "aws:branch") next = branch(step, vars);
        } catch (e) {
            runs.push({
                name: step.name,
                action: step.action,
                status: "Failed",
                error: e instanceof Error ? e.message : String(e),
                outputs: {},
            });
            const onFailure: string = step.onFailure ?? (fact("automation-on-failure").value as { default: string }).default;
            const critical =
                step.isCritical ??
                (fact("automation-is-critical").value as Record<string, boolean>)[
                    onFailure === "Continue" ? "defaultWithContinue" : "default"
                ];
            if (critical) failed = true;
            if (onFailure === "Abort") return { status: "Failed", steps: runs };
            if (onFailure.startsWith("step:")) next = onFailure.slice(5);
            else next = undefined;
        }
        if (step.isEnd) break;
        if (next !== undefined) {
            i = steps.findIndex((s) => s.name === next);
            if (i < 0) throw new Error(`${step.name}: next step ${next} is not in the document`);
        } else i += 1;
    }
    return { status: failed ? "Failed" : "Success", steps: runs };
}

/**
 * An EventBridge target's input transformer applied to an event: each `<name>` of the template
 * replaced by the JSON value at its input path (a string placeholder outside quotes becomes a JSON
 * string: the user guide's `{"InstanceId":[<instance>]}`).
 */
export function transformInput(transformer: { inputPaths: Record<string, string>; inputTemplate: string }, event: Json): Json {
    const text = transformer.inputTemplate.replace(/<([\w-]+)>/g, (_, name) => {
        const path = transformer.inputPaths[name];
        if (path === undefined) throw new Error(`the template's <${name}> has no input path`);
        return JSON.stringify(select(event, path));
    });
    return JSON.parse(text);
}
