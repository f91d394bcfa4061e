// Speaks the Pulumi analyzer protocol to a running policy pack, as the CLI does during a preview:
// the pack prints its gRPC port on stdout; the CLI sends Analyze with each resource's inputs and
// AnalyzeStack with every resource's outputs, parents and property dependencies.

import type { ChildProcess } from "node:child_process";
import type { AuditResource } from "../audit/engine";
import { deserialize, withoutInternalKeys } from "../audit/engine";

const grpc = require("@grpc/grpc-js");
export const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
export const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

/** The protocol's EnforcementLevel enum, by number. */
export const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

export interface RunningPack {
    child: ChildProcess;
    port: number;
    /** Milliseconds from spawning it until it announced its port. */
    ms: number;
    /** What it wrote to stderr so far. */
    stderr(): string;
}

const packInstall = require("./packInstall") as {
    POLICIES: string;
    startListening(args: string[], cwd: string): Promise<RunningPack>;
    startPack(dir: string, runPolicyPack?: string): Promise<RunningPack>;
};
export const { POLICIES, startListening, startPack } = packInstall;

/** Stops a pack started by startPack (its exit is then expected, not an error). */
export function stopPack(pack: RunningPack | undefined): void {
    if (pack?.child.pid !== undefined && pack.child.exitCode === null) {
        pack.child.removeAllListeners("exit");
        process.kill(pack.child.pid);
    }
}

export function connect(port: number): any {
    return new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))));
}

/** The pack's name and its policies as `name:level`. */
export async function analyzerInfo(client: any): Promise<{ name: string; policies: string[] }> {
    const info: any = await call(client, "getAnalyzerInfo", new Empty());
    return { name: info.getName(), policies: info.getPoliciesList().map((p: any) => `${p.getName()}:${LEVELS[p.getEnforcementlevel()]}`) };
}

function options(r: AuditResource): any {
    const o = new analyzerpb.AnalyzerResourceOptions();
    if (r.parent) o.setParent(r.parent);
    if (r.deleteBeforeReplace !== undefined) {
        o.setDeletebeforereplace(r.deleteBeforeReplace);
        o.setDeletebeforereplacedefined(true);
    }
    // The engine sends the goal's options: protect and the outputs it stores encrypted among them.
    if (r.protect) o.setProtect(true);
    if (r.additionalSecretOutputs?.length) o.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
    return o;
}

function diagnostics(response: any, fallbackUrn: string): string[] {
    return response
        .getDiagnosticsList()
        .map((d: any) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()], d.getUrn() || fallbackUrn, d.getMessage()].join(" | "));
}

/**
 * Every diagnostic the pack reports for `resources`, as `policy | level | urn | message`: Analyze
 * per resource with its inputs, then (unless `stack` is false) AnalyzeStack with outputs (inputs
 * when it has none).
 */
export async function analyze(client: any, resources: AuditResource[], { stack = true } = {}): Promise<string[]> {
    const found: string[] = [];
    // As the engine: reads (`.get`) reach neither Analyze nor AnalyzeStack (step_generator.go, GenerateReadSteps),
    // and props go without top-level internal keys (analyzer_plugin.go, SkipInternalKeys).
    const managed = resources.filter((r) => r.external !== true);
    // The engine analyses resources as their steps run, many at once; the answers are kept in resource order.
    const answers = await Promise.all(
        managed.map((r) => {
            const req = new analyzerpb.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(Struct.fromJavaScript(withoutInternalKeys(deserialize(r.inputs))));
            req.setOptions(options(r));
            return call(client, "analyze", req).then((response) => diagnostics(response, r.urn));
        }),
    );
    found.push(...answers.flat());
    if (!stack) return found;
    const stackReq = new analyzerpb.AnalyzeStackRequest();
    stackReq.setResourcesList(
        managed.map((r) => {
            const a = new analyzerpb.AnalyzerResource();
            a.setType(r.type);
            a.setUrn(r.urn);
            a.setName(r.name);
            const outputs = r.outputs && Object.keys(r.outputs).length > 0 ? r.outputs : r.inputs;
            // A bridged resource's outputs hold its `id` (the Terraform state's id attribute); the mock's do not.
            const props = withoutInternalKeys(deserialize(outputs));
            a.setProperties(Struct.fromJavaScript(props.id === undefined && r.id ? { ...props, id: r.id } : props));
            a.setOptions(options(r));
            if (r.parent) a.setParent(r.parent);
            a.setDependenciesList(r.dependencies ?? []);
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const deps = new analyzerpb.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                a.getPropertydependenciesMap().set(key, deps);
            }
            return a;
        }),
    );
    found.push(...diagnostics(await call(client, "analyzeStack", stackReq), ""));
    return found;
}
