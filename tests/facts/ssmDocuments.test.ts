import { strict as assert } from "assert";
import { AWS_DOCUMENTS, DocumentParameter, STRATEGY_DOCUMENTS } from "@patch-manager/ssm";
import { SHIPPED_STACKS } from "../helpers";
import { shippedResources } from "./stacks";
import { fact } from "./facts";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import { parse as parseYaml } from "yaml";
import { Call, callProblems, Parameters } from "./documentCalls";

/** Every document call the stack registers: window tasks (Run Command and Automation), associations, EventBridge automation targets. */
function documentCalls(resources: PlannedResource[]): Call[] {
    const calls: Call[] = [];
    const list = (p?: { name: string; values: string[] }[]) => Object.fromEntries((p ?? []).map((x) => [x.name, x.values]));
    for (const r of resources) {
        const i = r.inputs as any;
        if (r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask") {
            const t = i.taskInvocationParameters ?? {};
            calls.push({
                where: r.name,
                document: String(i.taskArn),
                parameters: list(t.runCommandParameters?.parameters ?? t.automationParameters?.parameters),
            });
        } else if (r.type === "aws:ssm/association:Association") {
            calls.push({
                where: r.name,
                document: String(i.name),
                parameters: Object.fromEntries(Object.entries(i.parameters ?? {}).map(([k, v]) => [k, [String(v)]])),
            });
        } else if (r.type === "aws:cloudwatch/eventTarget:EventTarget" && /:automation-definition\//.test(String(i.arn))) {
            calls.push({
                where: r.name,
                document: String(i.arn).replace(/^.*:automation-definition\/([^:]+)(:.*)?$/, "$1"),
                // An input transformer's template with each placeholder as a value its path can hold (a change freeze's <state>: CLOSED).
                parameters: JSON.parse(
                    i.input ?? (i.inputTransformer ? String(i.inputTransformer.inputTemplate).replace(/<state>/g, '"CLOSED"') : "{}"),
                ),
            });
        }
    }
    return calls;
}

/** The parameters of a document the stack creates itself (its content is in the plan). */
function ownDocuments(resources: PlannedResource[]): Map<string, Record<string, DocumentParameter>> {
    const own = new Map<string, Record<string, DocumentParameter>>();
    // A Change Calendar (documentFormat TEXT) holds iCalendar events, no parameters.
    for (const r of resources.filter((x) => x.type === "aws:ssm/document:Document" && x.inputs.documentFormat !== "TEXT")) {
        const content = parseYaml(String(r.inputs.content));
        const parameters = Object.fromEntries(
            Object.entries((content.parameters ?? {}) as Record<string, any>).map(([k, p]) => [
                k,
                { type: p.type, required: p.default === undefined, allowedValues: p.allowedValues, allowedPattern: p.allowedPattern },
            ]),
        );
        const name = String(r.checkedInputs?.name ?? r.inputs.name ?? r.id);
        own.set(name, parameters);
        if (r.id) own.set(r.id, parameters);
    }
    return own;
}

describe("SSM document snapshots (packages/ssm/documents.ts): every document call matches the published parameters", () => {
    it("every snapshot names its source, and a parameter with a default is never required", () => {
        for (const d of Object.values(AWS_DOCUMENTS)) {
            assert.ok(d.source.length > 40, `${d.name}: no source`);
            for (const [n, p] of Object.entries(d.parameters as Record<string, DocumentParameter>))
                assert.ok(!(p.required && p.default !== undefined), `${d.name}.${n}`);
        }
    });

    it("STRATEGY_DOCUMENTS names the documents the snapshots hold, with their parameters", () => {
        for (const d of Object.values(STRATEGY_DOCUMENTS)) {
            const snapshot = (AWS_DOCUMENTS as Record<string, { parameters: object }>)[d.name];
            assert.ok(snapshot, `${d.name} has no snapshot`);
            assert.deepEqual([...d.parameters].sort(), Object.keys(snapshot.parameters).sort());
        }
    });

    it("the load-balancer runbook runs as AutomationAssumeRole (its content's assumeRole), not runCommandAssumeRole", () => {
        const f = fact("runbook-load-balancer-assume-role");
        const lb = AWS_DOCUMENTS["AWSEC2-PatchLoadBalancerInstance"];
        assert.equal(lb.assumeRoleParameter, f.value);
        assert.ok((STRATEGY_DOCUMENTS.patchLoadBalancerInstance.parameters as readonly string[]).includes(f.value as string));
    });

    it("every Automation document reads the same under YAML 1.1 and 1.2, and one with an inline aws:executeScript is in a format AWS runs inline scripts in", async () => {
        const allowed = fact("automation-execute-script-inline-yaml").value as { inlineScriptIn: string[] };
        let scripts = 0;
        for (const stack of SHIPPED_STACKS)
            for (const r of (await shippedResources(stack)).filter(
                (x) => x.type === "aws:ssm/document:Document" && x.inputs.documentType === "Automation",
            )) {
                const steps = (parseYaml(String(r.inputs.content)).mainSteps ?? []) as { action: string; inputs: { Script?: string } }[];
                // The same document under YAML 1.1 and 1.2 (SSM's parser version is not documented).
                assert.deepEqual(
                    parseYaml(String(r.inputs.content), { version: "1.1" }),
                    parseYaml(String(r.inputs.content)),
                    `${stack} ${r.name}`,
                );
                if (!steps.some((st) => st.action === "aws:executeScript" && st.inputs.Script !== undefined)) continue;
                scripts++;
                assert.ok(
                    allowed.inlineScriptIn.includes(String(r.inputs.documentFormat)),
                    `${stack} ${r.name}: ${r.inputs.documentFormat}`,
                );
            }
        assert.ok(scripts >= 3, `the alarm stop, the freezes and the start/stop runbooks carry scripts (found ${scripts})`);
    });

    it("AWS-RunPatchBaseline's RebootOption defaults to RebootIfNeeded, as the user guide says", () => {
        assert.equal(
            AWS_DOCUMENTS["AWS-RunPatchBaseline"].parameters.RebootOption.default,
            fact("run-patch-baseline-reboot-default").value,
        );
    });

    it("the checker rejects an undeclared parameter, a missing required one and a value outside allowedValues", () => {
        const declared = AWS_DOCUMENTS["AWS-RunPatchBaseline"].parameters as Record<string, DocumentParameter>;
        const call = (parameters: Parameters) => callProblems({ where: "t", document: "AWS-RunPatchBaseline", parameters }, declared);
        assert.deepEqual(call({ Operation: ["Install"], RebootOption: ["NoReboot"] }), []);
        assert.match(call({ Operation: ["Install"], Reboot: ["NoReboot"] }).join(), /declares no parameter Reboot/);
        assert.match(call({ RebootOption: ["NoReboot"] }).join(), /requires Operation/);
        assert.match(call({ Operation: ["Patch"] }).join(), /not one of Scan, Install/);
        assert.match(call({ Operation: ["Scan"], BaselineOverride: ["ftp://x/y"] }).join(), /allowedPattern/);
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: every task, association and automation target passes parameters its document declares`, async () => {
            const resources = await shippedResources(stack);
            const own = ownDocuments(resources);
            const calls = documentCalls(resources);
            assert.ok(calls.length > 0, `${stack}: no document calls`);
            const problems: string[] = [];
            for (const call of calls) {
                const aws = (AWS_DOCUMENTS as Record<string, { parameters: Record<string, DocumentParameter> }>)[call.document];
                const declared = aws?.parameters ?? own.get(call.document) ?? own.get(call.document.replace(/^arn:.*:document\//, ""));
                if (!declared)
                    problems.push(`${call.where}: ${call.document} is neither a snapshotted AWS document nor one the stack creates`);
                else problems.push(...callProblems(call, declared));
            }
            assert.deepEqual(problems, []);
        });
    }
});
