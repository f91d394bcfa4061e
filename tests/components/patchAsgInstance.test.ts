// AWS-PatchAsgInstance against AWS's advice for it (fact runbook-patch-asg-instance-input): its
// InstanceId must not be "configured to run during a Maintenance Window" — read as: the runbook,
// which patches in standby, is the only patch run of the instance. In every shipped stack an
// `autoScaling: standby` group's instances are installed by that runbook and nothing else (no
// AWS-RunPatchBaseline Install task, no install association, no reboot window on its tag), and the
// config refuses what would add one.
import { strict as assert } from "assert";
import { RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS, STRATEGY_DOCUMENTS, TYPES } from "@patch-manager/ssm";
import { parseConfig } from "../../config";
import { fact } from "../facts/facts";
import { shippedResources } from "../facts/stacks";
import { raw, refused, SHIPPED_STACKS } from "../helpers";

const RUNBOOK = STRATEGY_DOCUMENTS.patchAsgInstance.name;

describe("AWS-PatchAsgInstance: the only patch run of its instances (AWS's runbook reference)", function () {
    it("the reference's advice is what the check reads", function () {
        assert.match(
            fact("runbook-patch-asg-instance-input").quote,
            /Don't specify an instance ID that is configured to run during a Maintenance Window/,
        );
        assert.match(fact("autoscaling-instance-refresh-new-ami").quote, /new Amazon Machine Image \(AMI\)/);
    });

    for (const name of SHIPPED_STACKS)
        it(`${name}: nothing but the runbook installs patches on an autoScaling: standby group`, async function () {
            const resources = await shippedResources(name);
            const targets = resources.filter((r) => r.type === TYPES.windowTarget);
            const groupOf = (t: any) => {
                const ids: string[] = (t.inputs.targets ?? []).flatMap((x: any) => x.values);
                return targets.filter((x) => ids.includes(String(x.id))).flatMap((x) => (x.inputs.targets as any[])[0].values as string[]);
            };
            const tasks = resources.filter((r) => r.type === TYPES.windowTask);
            const asgGroups = new Set(tasks.filter((t) => t.inputs.taskArn === RUNBOOK).flatMap(groupOf));
            for (const g of asgGroups) {
                const others = tasks.filter((t) => t.inputs.taskArn !== RUNBOOK && groupOf(t).includes(g));
                const patching = others.filter((t) => {
                    const params: any[] = (t.inputs.taskInvocationParameters as any)?.runCommandParameters?.parameters ?? [];
                    const install = params.some((p) => p.name === "Operation" && p.values[0] === "Install");
                    return (
                        ([RUN_PATCH_BASELINE, RUN_PATCH_BASELINE_WITH_HOOKS].includes(String(t.inputs.taskArn)) && install) ||
                        /RunShellScript|RunPowerShellScript/.test(String(t.inputs.taskArn))
                    );
                });
                assert.deepEqual(
                    patching.map((t) => t.name),
                    [],
                    `${name} ${g}: other tasks patch or reboot it`,
                );
                const associations = resources.filter(
                    (r) =>
                        r.type === "aws:ssm/association:Association" &&
                        (r.inputs.parameters as any)?.Operation === "Install" &&
                        ((r.inputs.targets as any[]) ?? []).some((t) => (t.values as string[]).includes(g)),
                );
                assert.deepEqual(
                    associations.map((a) => a.name),
                    [],
                    `${name} ${g}: an install association`,
                );
            }
            if (name === "prod-strategies") assert.ok(asgGroups.size > 0, "prod-strategies has an autoScaling: standby group");
        });

    it("refuses an install on join for an autoScaling: standby group, at the key", function () {
        const group = { name: "Workers", operatingSystem: "AMAZON_LINUX_2023", autoScaling: "standby", onJoin: "install" };
        refused({ environment: "development", patchGroups: [group] }, "patch-manager:patchGroups[0].onJoin", "AWS-PatchAsgInstance");
        const ok = parseConfig(raw({ environment: "development", patchGroups: [{ ...group, onJoin: "scan" }] }), "t");
        assert.equal(ok.patchGroups[0].strategies.onJoin, "scan");
    });
});
