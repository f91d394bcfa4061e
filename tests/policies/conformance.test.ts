// The offline engine against the real thing: starts policies/index.ts as `pulumi preview
// --policy-pack policies` would (a gRPC analyzer server), sends it the fixture's resources the
// way the CLI does (Analyze with inputs per resource, AnalyzeStack with outputs), and checks that
// runPolicies reports the same violations. The server prefixes each message with the policy's
// description; the offline engine keeps the rule's message alone.

import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAuditDocument } from "../../policies/documents";
import {
    AuditResource,
    PolicyPackConfigInput,
    deserialize,
    effectiveLevel,
    policyDescriptions,
    resolveConfig,
    runPolicies,
} from "../../policies/engine";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policies/pack";

const grpc = require("@grpc/grpc-js");
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const ROOT = path.resolve(__dirname, "../..");
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

function startPack(): Promise<{ child: ChildProcess; port: number }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: path.join(ROOT, "policies"),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve({ child, port: Number(m[1]) });
        });
        child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
    });
}

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))));
}

function options(r: AuditResource): any {
    const o = new analyzerpb.AnalyzerResourceOptions();
    if (r.parent) o.setParent(r.parent);
    if (r.deleteBeforeReplace !== undefined) {
        o.setDeletebeforereplace(r.deleteBeforeReplace);
        o.setDeletebeforereplacedefined(true);
    }
    return o;
}

function diagnostics(response: any, fallbackUrn: string): string[] {
    return response
        .getDiagnosticsList()
        .map((d: any) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()], d.getUrn() || fallbackUrn, d.getMessage()].join(" | "));
}

describe("conformance with @pulumi/policy's analyzer server", function () {
    this.timeout(60000);
    let pack: { child: ChildProcess; port: number } | undefined;
    let client: any;

    before(async () => {
        pack = await startPack();
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (pack?.child.pid !== undefined && pack.child.exitCode === null) {
            pack.child.removeAllListeners("exit");
            process.kill(pack.child.pid);
        }
    });

    it("serves the pack with every policy and its default level", async () => {
        const info: any = await call(client, "getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), "patch-manager");
        const served = info.getPoliciesList().map((p: any) => `${p.getName()}:${LEVELS[p.getEnforcementlevel()]}`);
        assert.deepEqual(
            served,
            policies.map((p) => `${p.name}:${p.enforcementLevel}`),
        );
    });

    async function analyzeWithServer(resources: AuditResource[]): Promise<string[]> {
        const real: string[] = [];
        for (const r of resources) {
            const req = new analyzerpb.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(Struct.fromJavaScript(deserialize(r.inputs)));
            req.setOptions(options(r));
            real.push(...diagnostics(await call(client, "analyze", req), r.urn));
        }
        const stackReq = new analyzerpb.AnalyzeStackRequest();
        stackReq.setResourcesList(
            resources.map((r) => {
                const a = new analyzerpb.AnalyzerResource();
                a.setType(r.type);
                a.setUrn(r.urn);
                a.setName(r.name);
                const outputs = r.outputs && Object.keys(r.outputs).length > 0 ? r.outputs : r.inputs;
                a.setProperties(Struct.fromJavaScript(deserialize(outputs)));
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
        real.push(...diagnostics(await call(client, "analyzeStack", stackReq), ""));
        return real;
    }

    async function offline(resources: AuditResource[], config?: PolicyPackConfigInput): Promise<string[]> {
        const descriptions = policyDescriptions();
        return (await runPolicies(resources, { config })).map((v) =>
            [v.policy, v.level, v.urn, `${descriptions.get(v.policy)}\n${v.message}`].join(" | "),
        );
    }

    const load = (fixture: string) =>
        parseAuditDocument(JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures", fixture), "utf8"))).resources;

    for (const [fixture, count] of [
        ["audit-violations.json", 14],
        ["audit-compliant.json", 0],
    ] as const) {
        it(`reports what runPolicies reports for ${fixture}`, async () => {
            const resources = load(fixture);
            const real = await analyzeWithServer(resources);
            assert.deepEqual([...(await offline(resources))].sort(), [...real].sort());
            assert.equal(real.length, count);
        });
    }

    it("agrees under a policy-pack config (sent resolved, as the CLI sends it)", async () => {
        const config: PolicyPackConfigInput = {
            all: "mandatory",
            "window-role-trust": "disabled",
            "task-production-concurrency": { maxConcurrencyPercent: 60 },
            "task-reboot-if-needed": { enforcementLevel: "advisory", noRebootWindows: ["patch-manager-prod-web-server"] },
        };
        const resolved = resolveConfig(config, policies);
        const request = new analyzerpb.ConfigureAnalyzerRequest();
        for (const p of policies) {
            const pc = new analyzerpb.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(effectiveLevel(p, resolved, PACK_ENFORCEMENT_LEVEL)));
            pc.setProperties(Struct.fromJavaScript(resolved.get(p.name)?.properties ?? {}));
            request.getPolicyconfigMap().set(p.name, pc);
        }
        await call(client, "configure", request);
        const resources = load("audit-violations.json");
        const real = await analyzeWithServer(resources);
        const mine = await offline(resources, config);
        assert.deepEqual([...mine].sort(), [...real].sort());
        assert.equal(real.length, 11); // 14 less: the trust finding (disabled), the 50% task (under 60%), NoReboot (excepted window)
        assert.ok(real.every((d) => d.split(" | ")[1] === "mandatory"));
    });
});
