// What `registrationLimit` caps, replayed through the program: SSM counts a RegistrationLimit per
// activation (CreateActivation: "the maximum number of managed nodes you want to register" with
// it), so each renewal's activation must admit only what the limit leaves after the group's servers
// already registered. Renewals are replayed as time.Rotating and Pulumi run them: an expired
// rotation is removed from the state by the refresh (fact time-rotating-expired-read-removes), so
// its successor is created and takes the program's value of the count (ignoreChanges keeps a
// stored value only when there is one: fact pulumi-ignore-changes-create); between renewals the
// stored count stands. A rogue holder of a code registers as many servers as it admits.
import { strict as assert } from "assert";
import fc from "fast-check";
import { hasRoom, MANAGED_INSTANCE_ID, REGISTERED_AT_RENEWAL, renewalLimit } from "../../components/hybrid";
import { parseConfig } from "../../config";
import { renderActivations } from "../../tools/plan/plan";
import { evaluateProgram, projectValues, type PlannedResource } from "../../tools/mock/mockProgram";
import { fact } from "../facts/facts";
import { shippedConfig } from "../helpers";

const STACK = "prod-hybrid";
const config = shippedConfig(STACK);
const model = parseConfig(projectValues(config), STACK);
const hybridGroups = model.patchGroups.filter((g) => g.hybrid);
const TAG_KEY = model.patchGroupTagKey;

type Node = { id: string; tags: Record<string, string> };
const hybridServer = (group: string, n: number): Node => ({ id: `mi-${n.toString(16).padStart(17, "0")}`, tags: { [TAG_KEY]: group } });
const ec2Instance = (group: string, n: number): Node => ({ id: `i-${n.toString(16).padStart(17, "0")}`, tags: { [TAG_KEY]: group } });

async function renewal(nodes: Node[]) {
    const { resources, outputs } = await evaluateProgram({ stack: STACK, config, managedNodes: nodes });
    const of = (group: string) => {
        const rotation = resources.find(
            (r) =>
                r.type === "time:index/rotating:Rotating" &&
                (r.inputs.triggers as Record<string, string> | undefined)?.tags?.includes(JSON.stringify(group)),
        );
        assert.ok(rotation, `no rotation for ${group}`);
        const activation = resources.find((r) => r.type === "aws:ssm/activation:Activation" && r.parent === rotation.parent);
        return { rotation, activation, output: (outputs.hybridActivations as Record<string, any>)[group] };
    };
    return { resources, of };
}

describe("hybrid: registrationLimit is a cap on the group across renewals", function () {
    this.timeout(120_000);

    it("the facts the count relies on: hybrid servers' ids, tag filters alone", function () {
        const pattern = String(fact("ssm-managed-instance-id-pattern").value);
        assert.equal(MANAGED_INSTANCE_ID.source, pattern);
        assert.ok(MANAGED_INSTANCE_ID.test(hybridServer("x", 1).id) && !MANAGED_INSTANCE_ID.test(ec2Instance("x", 1).id));
        assert.match(fact("ssm-instance-information-tag-filters-alone").quote, /can't be combined with other filter types/);
        assert.throws(() => renewalLimit(25, -1));
        assert.throws(() => hasRoom(25, 1.5));
    });

    it("a month of renewals, each code used to the full by a rogue holder, never registers more than the limit", async function () {
        assert.ok(hybridGroups.length > 0);
        const nodes: Node[] = hybridGroups.flatMap((g, i) => [ec2Instance(g.name, 1000 + i), ec2Instance(g.name, 2000 + i)]);
        let serial = 0;
        for (const g of hybridGroups) {
            const limit = g.hybrid!.registrationLimit;
            const rotationHours = g.hybrid!.expiresInDays * 12;
            const renewals = Math.ceil((30 * 24) / rotationHours) + 1;
            for (let k = 0; k < renewals; k++) {
                const { of } = await renewal(nodes);
                const { rotation, activation, output } = of(g.name);
                const registered = nodes.filter((n) => n.tags[TAG_KEY] === g.name && MANAGED_INSTANCE_ID.test(n.id)).length;
                assert.equal(Number((rotation.inputs.triggers as Record<string, string>)[REGISTERED_AT_RENEWAL]), registered);
                const open = limit - registered;
                if (open > 0) {
                    assert.ok(activation, `${g.name} renewal ${k}: an activation while the group has room`);
                    assert.equal(activation.inputs.registrationLimit, open, `${g.name} renewal ${k}`);
                    for (let i = 0; i < open; i++) nodes.push(hybridServer(g.name, ++serial));
                } else {
                    assert.equal(activation, undefined, `${g.name} renewal ${k}: full, no code`);
                    assert.equal(output.activationCode, "");
                    assert.equal(output.codeAdmits, 0);
                    assert.equal(output.registered, limit);
                }
                const total = nodes.filter((n) => n.tags[TAG_KEY] === g.name && MANAGED_INSTANCE_ID.test(n.id)).length;
                assert.ok(total <= limit, `${g.name}: ${total} servers registered, limit ${limit}`);
            }
            assert.equal(nodes.filter((n) => n.tags[TAG_KEY] === g.name && MANAGED_INSTANCE_ID.test(n.id)).length, limit);
        }
        // A server deregistered frees its place at the next renewal.
        const g = hybridGroups[0];
        nodes.splice(
            nodes.findIndex((n) => n.tags[TAG_KEY] === g.name && MANAGED_INSTANCE_ID.test(n.id)),
            1,
        );
        const { activation } = (await renewal(nodes)).of(g.name);
        assert.equal(activation?.inputs.registrationLimit, 1);
    });

    it("keeps the count taken at the renewal until the next one, and counts afresh for every setting changed", async function () {
        const { of } = await renewal([]);
        for (const g of hybridGroups) {
            const { rotation } = of(g.name);
            assert.deepEqual(rotation.options.ignoreChanges, [`triggers.${REGISTERED_AT_RENEWAL}`]);
        }
        // A changed setting is a new rotation (another name): created, so counted afresh, not a replacement keeping the old count.
        const g = hybridGroups[0];
        const name = (rs: PlannedResource[]) =>
            rs.find((r) => r.type === "time:index/rotating:Rotating" && (r.inputs.triggers as any).tags.includes(JSON.stringify(g.name)))!
                .name;
        const raised = structuredClone(config);
        const groups = raised.values["patch-manager:patchGroups"] as unknown as string;
        const parsed = typeof groups === "string" ? JSON.parse(groups) : groups;
        const entry = Array.isArray(parsed) ? parsed.find((x: { name: string }) => x.name === g.name) : undefined;
        assert.ok(entry?.hybrid, "the shipped stack lists the group with hybrid");
        entry.hybrid.registrationLimit += 1;
        raised.values["patch-manager:patchGroups"] = typeof groups === "string" ? JSON.stringify(parsed) : parsed;
        const before = (await evaluateProgram({ stack: STACK, config })).resources;
        const after = (await evaluateProgram({ stack: STACK, config: raised })).resources;
        assert.notEqual(name(after), name(before));
    });

    it("any sequence of renewals, deployments, registrations and deregistrations keeps the group within the limit", function () {
        // Pulumi's semantics, step by step: a renewal (a refresh after the rotation time) creates the
        // rotation with the count read then; a deployment keeps the stored count (ignoreChanges) and
        // creates or deletes the activation by the count read then (hasRoom), a new one admitting
        // renewalLimit of the stored count; a registration needs a code with room left in it.
        type Step = "renew" | "deploy" | "register" | "deregister";
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 12 }),
                fc.array(fc.constantFrom<Step>("renew", "deploy", "register", "register", "deregister"), { maxLength: 80 }),
                (limit, steps) => {
                    let registered = 0;
                    let stored = 0;
                    let code: { admits: number; used: number } | undefined = { admits: renewalLimit(limit, 0), used: 0 };
                    const deploy = () => {
                        if (!hasRoom(limit, registered)) code = undefined;
                        else code ??= { admits: renewalLimit(limit, stored), used: 0 };
                    };
                    for (const step of steps) {
                        if (step === "renew") {
                            stored = registered;
                            code = undefined; // the activation is replaced: a new code
                            deploy();
                        } else if (step === "deploy") deploy();
                        else if (step === "register" && code && code.used < code.admits) {
                            code.used++;
                            registered++;
                        } else if (step === "deregister" && registered > 0) registered--;
                        assert.ok(registered <= limit, `${registered} registered, limit ${limit}`);
                    }
                },
            ),
        );
    });

    it("the plan says what each code admits, and that the limit caps the group", async function () {
        const { resources } = await renewal([hybridServer(hybridGroups[0].name, 1)]);
        const lines = renderActivations(resources as any).join("\n");
        const first = hybridGroups[0];
        assert.match(
            lines,
            new RegExp(
                `${first.name}  this code admits ${first.hybrid!.registrationLimit - 1} servers \\(registrationLimit ${first.hybrid!.registrationLimit} less 1 registered`,
            ),
        );
        assert.match(lines, /a cap on the group across renewals/);
    });
});
