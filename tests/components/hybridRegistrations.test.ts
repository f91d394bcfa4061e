// What `registrationLimit` caps, replayed through the program: SSM counts a RegistrationLimit per
// activation (CreateActivation: "the maximum number of managed nodes you want to register" with
// it), so each new activation must admit only what the limit leaves after the group's servers
// already registered. An activation's name carries its renewal period and settings, so a renewal
// (or a changed setting) is a created resource, which takes the program's value of the limit
// (ignoreChanges keeps a stored value only when there is one: fact pulumi-ignore-changes-create);
// between renewals the stored limit stands. A rogue holder of a code registers as many servers as
// it admits.
import { strict as assert } from "assert";
import fc from "fast-check";
import { activationRotationHours, hasRoom, MANAGED_INSTANCE_ID, renewalLimit } from "../../components/hybrid";
import { parseConfig } from "../../config";
import { renderActivations } from "../../tools/plan/plan";
import { evaluateProgram, MOCK_NOW, projectValues } from "../../tools/mock/mockProgram";
import { fact } from "../facts/facts";
import { shippedConfig } from "../helpers";

const STACK = "prod-hybrid";
const config = shippedConfig(STACK);
const model = parseConfig(projectValues(config), STACK);
const hybridGroups = model.patchGroups.filter((g) => g.hybrid);
const TAG_KEY = model.patchGroupTagKey;
const ACTIVATION = "aws:ssm/activation:Activation";

type Node = { id: string; tags: Record<string, string> };
const hybridServer = (group: string, n: number): Node => ({ id: `mi-${n.toString(16).padStart(17, "0")}`, tags: { [TAG_KEY]: group } });
const ec2Instance = (group: string, n: number): Node => ({ id: `i-${n.toString(16).padStart(17, "0")}`, tags: { [TAG_KEY]: group } });
const serversOf = (nodes: Node[], group: string) => nodes.filter((n) => n.tags[TAG_KEY] === group && MANAGED_INSTANCE_ID.test(n.id)).length;

async function deployment(nodes: Node[], now = MOCK_NOW, cfg = config) {
    const { resources, outputs } = await evaluateProgram({ stack: STACK, config: cfg, managedNodes: nodes, now });
    return {
        resources,
        of: (group: string) => ({
            activation: resources.find((r) => r.type === ACTIVATION && (r.inputs.tags as Record<string, string>)[TAG_KEY] === group),
            output: (outputs.hybridActivations as Record<string, any>)[group],
        }),
    };
}

describe("hybrid: registrationLimit is a cap on the group across renewals", function () {
    this.timeout(120_000);

    it("the facts the count relies on: hybrid servers' ids, tag filters alone", function () {
        assert.equal(MANAGED_INSTANCE_ID.source, String(fact("ssm-managed-instance-id-pattern").value));
        assert.ok(MANAGED_INSTANCE_ID.test(hybridServer("x", 1).id) && !MANAGED_INSTANCE_ID.test(ec2Instance("x", 1).id));
        assert.match(fact("ssm-instance-information-tag-filters-alone").quote, /can't be combined with other filter types/);
        assert.throws(() => hasRoom(25, -1));
        assert.throws(() => hasRoom(25, 1.5));
        assert.throws(() => renewalLimit(25, 25), /no room/);
    });

    it("a month of renewals, each code used to the full by a rogue holder, never registers more than the limit", async function () {
        assert.ok(hybridGroups.length > 0);
        const nodes: Node[] = hybridGroups.flatMap((g, i) => [ec2Instance(g.name, 1000 + i), ec2Instance(g.name, 2000 + i)]);
        let serial = 0;
        for (const g of hybridGroups) {
            const limit = g.hybrid!.registrationLimit;
            const period = activationRotationHours(g.hybrid!) * 3_600_000;
            const names = new Set<string>();
            // Every renewal period of a month, until the group has stayed full through two renewals.
            let fullFor = 0;
            for (let t = Date.parse(MOCK_NOW); t <= Date.parse(MOCK_NOW) + 30 * 86_400_000 && fullFor < 2; t += period) {
                const now = new Date(t).toISOString();
                const { activation, output } = (await deployment(nodes, now)).of(g.name);
                const registered = serversOf(nodes, g.name);
                assert.equal(output.registered, registered, "EC2 instances of the group are not counted");
                if (registered < limit) {
                    assert.ok(activation, `${g.name} at ${now}: an activation while the group has room`);
                    assert.equal(activation.inputs.registrationLimit, limit - registered, `${g.name} at ${now}`);
                    assert.ok(!names.has(activation.name), "each renewal period its own activation");
                    names.add(activation.name);
                    for (let i = 0; i < limit - registered; i++) nodes.push(hybridServer(g.name, ++serial));
                } else {
                    fullFor++;
                    assert.equal(activation, undefined, `${g.name} at ${now}: full, no code`);
                    assert.equal(output.activationCode, "");
                    assert.equal(output.codeAdmits, 0);
                }
                assert.ok(serversOf(nodes, g.name) <= limit, `${g.name}: ${serversOf(nodes, g.name)} servers registered, limit ${limit}`);
            }
            assert.equal(serversOf(nodes, g.name), limit);
        }
        // A server deregistered frees its place: the next deployment, in the same period, creates a code for one.
        const g = hybridGroups[0];
        nodes.splice(
            nodes.findIndex((n) => n.tags[TAG_KEY] === g.name && MANAGED_INSTANCE_ID.test(n.id)),
            1,
        );
        assert.equal((await deployment(nodes)).of(g.name).activation?.inputs.registrationLimit, 1);
    });

    it("any sequence of renewals, deployments, registrations and deregistrations keeps the group within the limit", function () {
        // Pulumi's semantics, step by step. A renewal (a deployment in a new period) creates a new activation
        // and deletes the old one; a deployment in the same period deletes the activation when the group has no
        // room and creates one when there is none and the group has room, else keeps it with its stored limit
        // (ignoreChanges). A created activation admits renewalLimit of the count read then; a registration
        // needs a code with room left in it.
        type Step = "renew" | "deploy" | "register" | "deregister";
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 12 }),
                fc.array(fc.constantFrom<Step>("renew", "deploy", "register", "register", "deregister"), { maxLength: 120, size: "max" }),
                (limit, steps) => {
                    let registered = 0;
                    let code: { admits: number; used: number } | undefined;
                    const deploy = (renew: boolean) => {
                        if (renew) code = undefined;
                        if (!hasRoom(limit, registered)) code = undefined;
                        else code ??= { admits: renewalLimit(limit, registered), used: 0 };
                    };
                    deploy(true);
                    for (const step of steps) {
                        if (step === "renew" || step === "deploy") deploy(step === "renew");
                        else if (step === "register" && code && code.used < code.admits) {
                            code.used++;
                            registered++;
                        } else if (step === "deregister" && registered > 0) registered--;
                        assert.ok(registered <= limit, `${registered} registered, limit ${limit}`);
                    }
                },
            ),
        );
        // The sequence both reviews of the first design found (a full group given a code again from a stale count).
        const replay = (limit: number, steps: Step[]) => {
            let registered = 0;
            let code: { admits: number; used: number } | undefined = { admits: renewalLimit(limit, 0), used: 0 };
            for (const step of steps) {
                if (step === "deploy") {
                    if (!hasRoom(limit, registered)) code = undefined;
                    else code ??= { admits: renewalLimit(limit, registered), used: 0 };
                } else if (step === "register" && code && code.used < code.admits) {
                    code.used++;
                    registered++;
                } else if (step === "deregister") registered--;
            }
            return registered;
        };
        assert.equal(replay(2, ["register", "register", "deploy", "deregister", "deploy", "register", "register"]), 2);
    });

    it("keeps a code's limit until it is renewed, and renews it for every setting changed", async function () {
        const { of } = await deployment([]);
        for (const g of hybridGroups) assert.deepEqual(of(g.name).activation!.options.ignoreChanges, ["registrationLimit"]);
        // A changed setting is a new activation (another name): created, so counted afresh, not a replacement keeping the old limit.
        const g = hybridGroups[0];
        const raised = structuredClone(config);
        const groups = raised.values["patch-manager:patchGroups"] as unknown;
        const parsed = typeof groups === "string" ? JSON.parse(groups) : groups;
        const entry = (parsed as { name: string; hybrid?: { registrationLimit: number } }[]).find((x) => x.name === g.name);
        assert.ok(entry?.hybrid, "the shipped stack lists the group with hybrid");
        entry.hybrid.registrationLimit += 1;
        (raised.values as Record<string, unknown>)["patch-manager:patchGroups"] =
            typeof groups === "string" ? JSON.stringify(parsed) : parsed;
        const before = of(g.name).activation!.name;
        const after = (await deployment([], MOCK_NOW, raised)).of(g.name).activation!.name;
        assert.notEqual(after, before);
    });

    it("the plan says what each code admits, and that the limit caps the group", async function () {
        const { resources } = await deployment([hybridServer(hybridGroups[0].name, 1)]);
        const lines = renderActivations(resources as any).join("\n");
        const first = hybridGroups[0];
        assert.match(lines, new RegExp(`${first.name}  this code admits ${first.hybrid!.registrationLimit - 1} servers`));
        assert.match(lines, /a cap on the group across renewals/);
    });
});
