// Hybrid fleet: the pure derivations, then the real program under mocks on the example
// stack Pulumi.prod-hybrid.yaml and on variations of it.
import { strict as assert } from "assert";
import { fact } from "../facts/facts";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { activationExpiry, activationRotationHours, activationTags, hybridTrustPolicy } from "../../components/hybrid";
import { evaluateProgram, loadProgram, MOCK_ACCOUNT, MOCK_NOW, PlannedResource, StackConfig } from "../../tools/mock/mockProgram";
import { replacingInputs } from "../../tools/diff/planDiff";
import { Stack, shippedConfig, T, withConfig } from "../helpers";

const ACTIVATION = "aws:ssm/activation:Activation";
const DAY = 86_400_000;

/** Evaluates index.ts and keeps its outputs as the program returned them, before resolution. */
async function evaluateKeepingOutputs(stack: string, config: StackConfig): Promise<{ stack: Stack; raw: any }> {
    const program = loadProgram();
    let raw: any;
    const evaluation = await evaluateProgram({
        stack,
        config,
        program: (observer) => {
            raw = program(observer);
            return raw;
        },
    });
    return { stack: new Stack(evaluation), raw };
}

describe("hybrid fleet", function () {
    describe("derivations", function () {
        it("the service role trusts SSM only, for this account and this region, as the user guide's hybrid role does", function () {
            const trust = hybridTrustPolicy("aws-us-gov", "us-gov-west-1", "210987654321") as any;
            // tests/facts: trust-ssm-hybrid-condition-keys (SSM user guide, "Create an IAM service role for a hybrid environment").
            const documented = fact("trust-ssm-hybrid-condition-keys").value as {
                StringEquals: string[];
                ArnEquals: Record<string, string>;
            };
            const [[arnKey, arnPattern]] = Object.entries(documented.ArnEquals);
            assert.deepEqual(trust.Statement, [
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { [documented.StringEquals[0]]: "210987654321" },
                        ArnEquals: {
                            [arnKey]: arnPattern
                                .replace("arn:aws:", "arn:aws-us-gov:")
                                .replace("<region>", "us-gov-west-1")
                                .replace("<account>", "210987654321"),
                        },
                    },
                },
            ]);
        });

        it("renews halfway through a code's life: 12 hours for the 24-hour default, 15 days for 30", function () {
            assert.equal(activationRotationHours({ expiresInDays: 1 }), 12);
            assert.equal(activationRotationHours({ expiresInDays: 7 }), 84);
            assert.equal(activationRotationHours({ expiresInDays: 30 }), 360);
        });

        it("expiry = base + expiresInDays, RFC 3339 without milliseconds", function () {
            assert.equal(activationExpiry("2026-03-28T23:30:00Z", 1), "2026-03-29T23:30:00Z");
            // 30 days is SSM's most, counted on AWS's clock: an hour short of it, so a deploying clock ahead of AWS's never asks for more.
            assert.equal(activationExpiry("2026-02-20T10:00:00.123Z", 30), "2026-03-22T09:00:00Z");
            assert.equal(activationExpiry("2026-02-20T10:00:00Z", 29), "2026-03-21T10:00:00Z");
            assert.equal(activationExpiry("2026-05-01T08:00:00+02:00", 7), "2026-05-08T06:00:00Z");
            assert.throws(() => activationExpiry("soon", 1), /not an RFC 3339 time/);
        });

        it("property: the expiry is never more than 30 days after the base, and still valid when the rotation elapses", function () {
            fc.assert(
                fc.property(
                    fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }),
                    fc.integer({ min: 1, max: 30 }),
                    (base, days) => {
                        const expiry = Date.parse(activationExpiry(base.toISOString(), days));
                        const rotation = base.getTime() + activationRotationHours({ expiresInDays: days }) * 3_600_000;
                        return expiry - base.getTime() < 30 * DAY && expiry > rotation && expiry - rotation >= 12 * 3_600_000 - 1000;
                    },
                ),
            );
        });

        it("the patch-group tag is added last: a stack tag of the same key cannot move servers to another group", function () {
            assert.deepEqual(activationTags({ Environment: "production", "Patch Group": "Other" }, "Patch Group", "Web Server"), {
                Environment: "production",
                "Patch Group": "Web Server",
            });
        });
    });

    describe("program on Pulumi.prod-hybrid.yaml", function () {
        let hybrid: Stack;
        let raw: any;
        before(async function () {
            ({ stack: hybrid, raw } = await evaluateKeepingOutputs("prod-hybrid", shippedConfig("prod-hybrid")));
        });

        const activationOf = (s: Stack, group: string): PlannedResource => {
            const found = s.ofType(ACTIVATION).filter((a) => (a.inputs.tags as Record<string, string>)["Patch Group"] === group);
            assert.equal(found.length, 1, `one activation for ${group}`);
            return found[0];
        };

        it("its hybrid components' types are the ones RESOURCE_TYPES lists", function () {
            assert.deepEqual(hybrid.unlistedComponentTypes(), []);
        });

        it("one activation per hybrid group, tagged with the patch group and the environment, with the configured limit", function () {
            assert.equal(hybrid.ofType(ACTIVATION).length, 2);
            const web = activationOf(hybrid, "Web Server").inputs as any;
            assert.deepEqual(web.tags, {
                ManagedBy: "patch-manager",
                Environment: "production",
                Stack: "prod-hybrid",
                "Patch Group": "Web Server",
            });
            assert.equal(web.registrationLimit, 25);
            const rhel = activationOf(hybrid, "RHEL").inputs as any;
            assert.equal(rhel.registrationLimit, 10);
            assert.equal(rhel.tags.Environment, "production");
        });

        it("the activations use the hybrid service role by name, not the EC2 instance role", function () {
            const role = hybrid.one(T.role, "hybrid-nodes-role");
            const instanceRole = hybrid.one(T.role, "patched-instance-role");
            for (const group of ["Web Server", "RHEL"]) {
                const iamRole = activationOf(hybrid, group).inputs.iamRole;
                assert.equal(iamRole, role.id, group);
                assert.notEqual(iamRole, instanceRole.id);
                assert.doesNotMatch(String(iamRole), /^arn:/);
            }
            assert.equal(hybrid.ofType(T.role).filter((r) => r.name === "hybrid-nodes-role").length, 1, "one role per stack");
        });

        it("the service role: SSM only in this account and region, SSM core, log prefix write; no instance profile", function () {
            const role = hybrid.one(T.role, "hybrid-nodes-role");
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
            assert.deepEqual(trust, hybridTrustPolicy("aws", "eu-west-1", MOCK_ACCOUNT));
            const attached = hybrid
                .ofType(T.attachment)
                .filter((a) => a.inputs.role === role.id)
                .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached, ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
            const inline = hybrid.ofType(T.rolePolicy).filter((p) => p.inputs.role === role.id && p.name.endsWith("-logs"));
            assert.equal(inline.length, 1);
            const bucket = hybrid.ofType(T.bucket)[0].id;
            const statements = JSON.parse(String(inline[0].inputs.policy)).Statement;
            assert.deepEqual(statements[0].Action, ["s3:PutObject"]);
            assert.equal(statements[0].Resource, `arn:aws:s3:::${bucket}/patching/*`);
            assert.ok(!hybrid.ofType(T.profile).some((p) => p.inputs.role === role.id), "registered servers need no instance profile");
        });

        it("the expiry derives from the renewal period: periods of expiresInDays / 2 from the epoch, expiring expiresInDays after the period's start", function () {
            const HOUR = 3_600_000;
            for (const [group, hours, days] of [
                ["Web Server", 84, 7],
                ["RHEL", 12, 1],
            ] as const) {
                const start = Math.floor(Date.parse(MOCK_NOW) / (hours * HOUR)) * hours * HOUR;
                const a = activationOf(hybrid, group);
                assert.equal(Date.parse(String(a.inputs.expirationDate)), start + days * 24 * HOUR, group);
                assert.ok(Date.parse(String(a.inputs.expirationDate)) - Date.parse(MOCK_NOW) >= hours * HOUR, "at least one period left");
                assert.match(
                    a.name,
                    new RegExp(`-activation-${new Date(start).toISOString().slice(0, 13).replace(/[-T]/g, "")}-[0-9a-f]{8}$`),
                );
                assert.equal(
                    Date.parse(hybrid.outputs.hybridActivations[group].renewsAfter),
                    start + hours * HOUR,
                    `${group}: the next period renews it`,
                );
            }
        });

        it("every input that replaces an activation is in its name (a new activation, counting afresh), but the role's name", async function () {
            // The provider replaces an activation on any input change (fact provider-replacement: no Update).
            assert.deepEqual(
                replacingInputs(ACTIVATION)
                    .filter((i) => !["expirationDate", "iamRole", "name", "region", "tagsAll"].includes(i))
                    .sort(),
                ["description", "registrationLimit", "tags"],
            );
            const renamed = await evaluateKeepingOutputs(
                "prod-hybrid",
                withConfig(shippedConfig("prod-hybrid"), { tags: { CostCenter: "patching" } }),
            );
            for (const group of ["RHEL", "Web Server"])
                assert.notEqual(activationOf(renamed.stack, group).name, activationOf(hybrid, group).name, `${group}: tags`);
            // The role's name changes only with its URN, which the same naming gives the activation's.
            const role = hybrid.ofType(T.role).find((r) => r.name.endsWith("hybrid-nodes-role"))!;
            assert.ok(!["name", "namePrefix", "path"].some((k) => k in role.inputs), "the role is auto-named from its URN");
        });

        it("the activation code is stored encrypted (additionalSecretOutputs)", function () {
            for (const a of hybrid.ofType(ACTIVATION)) assert.deepEqual(a.additionalSecretOutputs, ["activationCode"], a.name);
        });

        it("stack outputs: id and code per group are secret before they resolve, and resolve to the activation's", async function () {
            const outputs = raw.hybridActivations;
            assert.deepEqual(Object.keys(outputs).sort(), ["RHEL", "Web Server"]);
            for (const group of ["RHEL", "Web Server"]) {
                assert.equal(await pulumi.isSecret(outputs[group].activationId), true, `${group} activationId`);
                assert.equal(await pulumi.isSecret(outputs[group].activationCode), true, `${group} activationCode`);
                assert.equal(await pulumi.isSecret(outputs[group].region), false, "the region is no secret");
            }
            const resolved = hybrid.outputs.hybridActivations["Web Server"];
            const activation = activationOf(hybrid, "Web Server");
            assert.equal(resolved.activationId, activation.id);
            assert.equal(resolved.activationCode, activation.outputs.activationCode);
            assert.equal(resolved.region, "eu-west-1");
            assert.equal(resolved.registrationLimit, 25);
            assert.equal(resolved.tags["Patch Group"], "Web Server");
        });

        it("servers registered with an activation are reached by their group's window target (managed nodes mi-…)", function () {
            // Registered servers are managed nodes (mi-...) carrying the activation's tags. A window target
            // of resourceType INSTANCE (the API's only other type is RESOURCE_GROUP) selects by "tags that
            // have been applied to managed nodes", EC2 instances and mi- nodes alike:
            // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_RegisterTargetWithMaintenanceWindow.html
            for (const group of ["Web Server", "RHEL"]) {
                const [tagKey, tagValue] = Object.entries(activationOf(hybrid, group).inputs.tags as Record<string, string>).find(
                    ([k]) => k === "Patch Group",
                )!;
                const target = hybrid
                    .ofType(T.target)
                    .find((t) => (t.inputs.targets as any[]).some((x) => x.key === `tag:${tagKey}` && x.values.includes(tagValue)));
                assert.ok(target, `a target selects tag:${tagKey}=${tagValue}`);
                assert.equal(target!.inputs.resourceType, "INSTANCE");
                assert.ok(
                    hybrid.ofType(T.task).some((t) => (t.inputs.targets as any[])[0].values.includes(target!.id)),
                    "and a task patches it",
                );
            }
        });

        it("the tag key follows patchGroupTagKey for activations and targets alike", async function () {
            const s = await evaluateProgram({
                stack: "prod-hybrid",
                config: withConfig(shippedConfig("prod-hybrid"), { patchGroupTagKey: "PatchGroup" }),
            });
            const a = s.resources.filter((r) => r.type === ACTIVATION);
            assert.deepEqual(a.map((x) => (x.inputs.tags as any).PatchGroup).sort(), ["RHEL", "Web Server"]);
            assert.ok(a.every((x) => !("Patch Group" in (x.inputs.tags as object))));
            const targets = s.resources.filter((r) => r.type === T.target).map((t) => (t.inputs.targets as any[])[0].key);
            assert.ok(targets.every((k) => k === "tag:PatchGroup"));
        });

        it("without `hybrid` no activation, rotation, hybrid role or output; with it, resources under new names only", async function () {
            const { stack: plain, raw: plainRaw } = await evaluateKeepingOutputs(
                "prod-hybrid",
                withConfig(shippedConfig("prod-hybrid"), { patchGroups: shippedGroupsWithoutHybrid() }),
            );
            assert.equal(plain.ofType(ACTIVATION).length, 0);
            assert.ok(!plain.resources.some((r) => r.type.startsWith("patch-manager:hybrid:")));
            assert.ok(!("hybridActivations" in plainRaw));
            // In a hybrid stack, groups without `hybrid` get none either: one activation per hybrid group.
            assert.equal(hybrid.ofType(ACTIVATION).length, 2);
            const urns = new Set(hybrid.resources.map((r) => r.urn));
            for (const r of plain.resources) assert.ok(urns.has(r.urn), `kept: ${r.urn}`);
            const added = hybrid.resources.filter((r) => !plain.resources.some((p) => p.urn === r.urn)).map((r) => r.type);
            assert.deepEqual(
                [...new Set(added)].sort(),
                [
                    ACTIVATION,
                    T.role,
                    T.attachment,
                    T.rolePolicy,
                    "patch-manager:hybrid:HybridActivation",
                    "patch-manager:hybrid:HybridFleet",
                    "patch-manager:hybrid:HybridNodeRole",
                ].sort(),
            );
        });
    });
});

/** The example stack's groups with `hybrid` taken out. */
function shippedGroupsWithoutHybrid(): unknown[] {
    const groups = JSON.parse(shippedConfig("prod-hybrid").values["patch-manager:patchGroups"]) as Record<string, unknown>[];
    return groups.map(({ hybrid: _hybrid, ...g }) => g);
}
