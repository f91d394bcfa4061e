// Behaviours the docs describe, checked on the whole program against AWS's facts: install on join
// (docs/strategies.md) and its refusal in production, and the windows2012-security preset
// (docs/configuration.md) as a stack that uses it creates it.
import { strict as assert } from "assert";
import { AWS_DOCUMENTS } from "@patch-manager/ssm";
import { fact } from "../facts/facts";
import { SERVICES } from "../facts/shapes";
import { evaluate, shippedConfig, withConfig } from "../helpers";
import { projectValues } from "../../tools/mock/mockProgram";

const ASSOCIATION = "aws:ssm/association:Association";

/** dev's patch groups with `onJoin` set on the first one. */
function onJoin(stack: string, value: string) {
    const base = shippedConfig(stack);
    const groups = JSON.parse(projectValues(base)["patchGroups"] as string) as Record<string, unknown>[];
    groups[0] = { ...groups[0], onJoin: value };
    return { base, groups, config: withConfig(base, { patchGroups: groups }) };
}

describe("documented behaviours on the whole program (issue 24)", function () {
    it("onJoin: install in development: one Install association for the group, rebooting as AWS-RunPatchBaseline does by default", async function () {
        const { groups, config } = onJoin("dev", "install");
        const s = await evaluate("dev", config);
        const joins = s.ofType(ASSOCIATION).filter((a) => String(a.inputs.associationName).endsWith("on-join"));
        assert.equal(joins.length, 1, "one on-join association");
        const a = joins[0].inputs as any;
        assert.equal(a.name, AWS_DOCUMENTS["AWS-RunPatchBaseline"].name);
        assert.equal(a.parameters.Operation, "Install");
        // Left out, RebootOption is the document's default (fact run-patch-baseline-reboot-default): an install on join reboots.
        assert.equal(
            a.parameters.RebootOption ?? fact("run-patch-baseline-reboot-default").value,
            fact("run-patch-baseline-reboot-default").value,
        );
        // It targets the group's own instances: the patch group tag (fact patch-group-tag-keys) with the group's name.
        const target = a.targets.find((t: any) => (fact("patch-group-tag-keys").value as string[]).some((k) => t.key === `tag:${k}`));
        assert.ok(target, JSON.stringify(a.targets));
        assert.deepEqual(target.values, [groups[0].name]);
    });

    it("onJoin: install in production is refused when the program runs, naming the key and why", async function () {
        const { config } = onJoin("prod", "install");
        await assert.rejects(evaluate("prod", config), (e: Error) => {
            assert.match(e.message, /patch-manager:patchGroups\[0\]\.onJoin/);
            assert.match(e.message, /rebooting them/);
            return true;
        });
    });

    it("onJoin: scan in production: a Scan association", async function () {
        const { config } = onJoin("prod", "scan");
        const s = await evaluate("prod", config);
        const join = s.ofType(ASSOCIATION).find((a) => String(a.inputs.associationName).endsWith("on-join"))!;
        assert.equal((join.inputs as any).parameters.Operation, "Scan");
    });

    it("the windows2012-security preset a stack uses approves the security and critical updates of Windows Server 2012 and 2012 R2 only", async function () {
        const s = await evaluate("dev");
        const baseline = s
            .ofType("aws:ssm/patchBaseline:PatchBaseline")
            .find((b) => String(b.inputs.name).endsWith("windows2012-security"));
        assert.ok(baseline, "dev's preset baseline");
        const f = fact("windows-2012-security-filters").value as { PRODUCT: string[]; CLASSIFICATION: string[] };
        const keys = SERVICES.ssm.shapes.PatchFilterKey.enum!;
        const rules = (baseline.inputs as any).approvalRules as { patchFilters: { key: string; values: string[] }[] }[];
        assert.ok(rules.length > 0);
        for (const rule of rules) {
            for (const pf of rule.patchFilters) assert.ok(keys.includes(pf.key), `${pf.key} is a PatchFilterKey`);
            const values = (key: string) => rule.patchFilters.find((pf) => pf.key === key)?.values.sort();
            assert.deepEqual(values("PRODUCT"), [...f.PRODUCT].sort(), "only the 2012 products");
            assert.deepEqual(values("CLASSIFICATION"), [...f.CLASSIFICATION].sort(), "security and critical updates");
            assert.equal(values("MSRC_SEVERITY"), undefined, "whatever their rating");
        }
    });
});
