// Upgrading a shipped stack to the PatchManager component replaces nothing: the engine finds
// every resource of the old state under its URN or an alias, and its inputs are the same.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { matchOldState } from "../../tools/aliases";
import { inputsWithUrnIds } from "../../tools/mockProgram";
import { evaluate, ROOT, Stack } from "../helpers";

const fixture = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures", file), "utf8"));
/** Every custom resource's URN before the component (and a hash of its inputs whose method is not ours to rely on). */
const shipped: Record<string, { urn: string }[]> = fixture("shipped-urns.json");
/** The components of the same stacks, and id-independent input hashes (tools/mockProgram.ts inputsWithUrnIds). */
const preComponent: Record<string, { components: string[]; inputs: Record<string, string> }> = fixture(
    "shipped-components-and-inputs.json",
);
const hash = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

/**
 * The one input change an upgrade makes on purpose: a hybrid activation's rotation gained
 * `triggers` (the inputs that replace the activation), so that a replaced activation never takes
 * an expiry from an old base time. Adding them replaces each rotation, and so its activation,
 * once: a new activation code in the stack outputs, registered servers untouched. Everything
 * else of such a rotation must stay as it was.
 */
const ROTATION = "time:index/rotating:Rotating";
const withoutIntendedChanges = (type: string, inputs: unknown) => {
    if (type !== ROTATION) return inputs;
    const { triggers: _triggers, ...rest } = inputs as Record<string, unknown>;
    return rest;
};

describe("upgrading the shipped stacks to the PatchManager component", function () {
    for (const name of ["dev", "prod", "prod-hybrid", "prod-private"]) {
        describe(name, function () {
            let stack: Stack;
            let matched: Map<string, string>;
            before(async function () {
                stack = await evaluate(name);
                const old = new Set([...shipped[name].map((r) => r.urn), ...preComponent[name].components]);
                matched = matchOldState(stack.resources, old);
            });

            it("the engine finds every custom resource of the old state, each for exactly one current resource", function () {
                const custom = stack.resources.filter((r) => r.custom);
                const claimed = custom.map((r) => matched.get(r.urn)).filter((u): u is string => u !== undefined);
                assert.deepEqual([...claimed].sort(), shipped[name].map((r) => r.urn).sort());
            });

            it("no custom resource is new: each is the old one under its URN or an alias", function () {
                assert.deepEqual(
                    stack.resources.filter((r) => r.custom && !matched.has(r.urn)).map((r) => r.urn),
                    [],
                );
            });

            it("each old resource's inputs are unchanged (ids the mock derives from URNs compared by the resource they name)", function () {
                const inputs = inputsWithUrnIds(stack.resources, (r) => matched.get(r.urn) ?? r.urn);
                // A reference is compared by the old URN of the resource it names, not by a mock id.
                const group = stack.resources.find((r) => r.type === "aws:ssm/patchGroup:PatchGroup")!;
                assert.match(
                    (inputs.get(group.urn) as { baselineId: string }).baselineId,
                    /^<urn:pulumi:[^>]+[:$]patch-manager:patching:PatchBaseline\$aws:ssm\/patchBaseline:PatchBaseline::[^>]+>#id$/,
                );
                for (const r of stack.resources.filter((x) => x.custom)) {
                    const old = matched.get(r.urn)!;
                    assert.equal(
                        hash(withoutIntendedChanges(r.type, inputs.get(r.urn))),
                        preComponent[name].inputs[old],
                        `${r.urn} (was ${old})`,
                    );
                }
                const rotations = stack.ofType(ROTATION);
                assert.equal(rotations.length, name === "prod-hybrid" ? 2 : 0);
                for (const r of rotations) assert.ok(r.inputs.triggers, `${r.urn} restarts with the activation's inputs`);
            });

            it("one tree shape: every resource but the providers sits below a PatchManager per region", function () {
                const managers = stack.resources.filter((r) => r.type === "patch-manager:index:PatchManager");
                const regions = name === "prod-private" ? ["eu-west-1", "eu-central-1"] : ["eu-west-1"];
                assert.deepEqual(
                    managers.map((m) => m.region),
                    regions,
                );
                for (const r of stack.resources) {
                    if (r.type === "pulumi:providers:aws" || managers.includes(r)) {
                        assert.equal(r.parent, null, r.urn);
                        continue;
                    }
                    assert.match(r.urn, /::patch-manager:index:PatchManager\$/, r.urn);
                }
            });
        });
    }

    it("the window component is a MaintenanceWindow, found under its former MaintenanceSchedule type", async function () {
        const dev = await evaluate("dev");
        const window = dev.one("patch-manager:patching:MaintenanceWindow", "development");
        assert.ok(
            window.options.aliases!.includes("urn:pulumi:dev::patch-manager::patch-manager:patching:MaintenanceSchedule::development"),
        );
        assert.equal(dev.ofType("patch-manager:patching:MaintenanceSchedule").length, 0);
    });

    it("without aliases the same program would replace every resource: the check can fail", async function () {
        const dev = await evaluate("dev");
        const stripped = dev.resources.map(({ aliasSpecs: _a, ...r }) => r);
        const old = new Set([...shipped.dev.map((r) => r.urn), ...preComponent.dev.components]);
        assert.equal(matchOldState(stripped, old).size, 0);
    });
});
