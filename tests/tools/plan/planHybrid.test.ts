// The offline plan on the hybrid example stack: the activations are in it, code-free.
import { strict as assert } from "assert";
import { renderPlan } from "../../../tools/plan/plan";
import { plan } from "../../helpers";

describe("offline plan of Pulumi.prod-hybrid.yaml", function () {
    let doc: any;
    it("--json lists each activation with its inputs and secret code output, and never the code itself", async function () {
        const { code, stdout } = await plan("--stack", "prod-hybrid", "--json", "--from", "2026-11-26T00:00:00Z");
        assert.equal(code, 0);
        doc = JSON.parse(stdout);
        const activations = doc.resources.filter((r: any) => r.type === "aws:ssm/activation:Activation");
        // One activation per renewal period and settings (components/hybrid.ts): the period that --from falls in.
        assert.deepEqual(activations.map((a: any) => a.name.replace(/-[0-9a-f]{8}$/, "")).sort(), [
            "rhel-hybrid-activation-2026112600",
            "web-server-hybrid-activation-2026112600",
        ]);
        const role = doc.resources.find((r: any) => r.name === "hybrid-nodes-role");
        for (const a of activations) {
            assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "ActivationId pattern of the API model");
            assert.equal(a.inputs.iamRole, role.id);
            assert.deepEqual(a.additionalSecretOutputs, ["activationCode"]);
            assert.equal(
                a.parent,
                doc.resources.find((r: any) => r.type === "patch-manager:hybrid:HybridActivation" && a.name.startsWith(r.name)).urn,
            );
        }
        assert.ok(!stdout.includes('activationCode":'), "the plan shows inputs only: no code");
        assert.equal(doc.windows.length, 5, "hybrid servers are patched in the same windows");
    });

    it("renews by the plan's time, not the machine's: each --from plans the activation of its own renewal period", async function () {
        const expiries = async (from: string) => {
            const { stdout } = await plan("--stack", "prod-hybrid", "--json", "--from", from);
            const d = JSON.parse(stdout);
            assert.deepEqual(
                d.violations.filter((v: any) => v.policy === "hybrid-activation-expiry"),
                [],
                `${from}: a code is never past SSM's 30-day limit nor expired`,
            );
            return d.resources
                .filter((r: any) => r.type === "aws:ssm/activation:Activation")
                .map((r: any) => Date.parse(r.inputs.expirationDate))
                .sort();
        };
        const [early, late] = [await expiries("2026-11-26T00:00:00Z"), await expiries("2027-01-28T00:00:00Z")];
        // RHEL renews every 12 hours and Web Server every 84: 63 days (a whole number of both periods) later, each code expires 63 days later.
        assert.deepEqual(
            late.map((t: number, i: number) => t - early[i]),
            [63 * 86_400_000, 63 * 86_400_000],
        );
    });

    it("the summary for a person lists the activations; a stack without any, no such section", async function () {
        const text = renderPlan(doc);
        assert.match(text, /\+ aws:ssm\/activation:Activation {2}web-server-hybrid-activation-2026112600-[0-9a-f]{8} {2}\([0-9a-f-]{36}\)/);
        assert.match(
            text,
            /Hybrid activations \(servers outside AWS register with the stack output hybridActivations\):\n {2}Patch Group=RHEL {2}this code admits 10 servers, code expires 2026-11-27T00:00:00Z, role hybrid-nodes-role-[0-9a-f]{7}\n {4}a cap on the group across renewals: [^\n]+\n {2}Patch Group=Web Server {2}this code admits 25 servers, code expires 2026-12-03T00:00:00Z/,
        );
        const withoutActivations = {
            ...doc,
            resources: doc.resources.filter(
                (r: any) => r.type !== "aws:ssm/activation:Activation" && r.type !== "time:index/rotating:Rotating",
            ),
        };
        assert.ok(!renderPlan(withoutActivations).includes("Hybrid activations"));
    });
});
