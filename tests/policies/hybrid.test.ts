import * as assert from "node:assert/strict";
import { activationCodeSecret, activationExpiry, activationRegistrationLimit, activationRole } from "../../policies/hybrid";
import { AuditResource, runPolicies } from "../../tools/audit/engine";
import { TYPES } from "@patch-manager/ssm";
import { PlannedResource, auditResourcesOf, evaluateProgram } from "../../tools/mock/mockProgram";
import { shippedConfig } from "../helpers";
import { UNKNOWN_STRING, runResourcePolicy, runStackPolicy, urnOf } from "./harness";
import { ACCOUNT, PROD_TAGS, entry, instanceTrustPolicy, prodStack } from "./resources";

const DAY = 86_400_000;
const HYBRID_ROLE = "hybrid-nodes-role-1a2b3c4";
const CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** The time the rule is run at (its policy config `now`): fixed, so no expectation depends on the machine's clock. */
const NOW = "2026-12-01T00:00:00Z";
const AT_NOW = { "hybrid-activation-expiry": { now: NOW } };
/** ISO time `days` after NOW, without milliseconds. */
const fromNow = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

function activationInputs(): Record<string, any> {
    return {
        description: "patch-manager production: registers servers into patch group Web Server",
        expirationDate: fromNow(7),
        iamRole: HYBRID_ROLE,
        registrationLimit: 25,
        tags: { ...PROD_TAGS, "Patch Group": "Web Server" },
    };
}

function hybridTrust(): Record<string, any> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                    ArnEquals: { "aws:SourceArn": `arn:aws:ssm:eu-west-1:${ACCOUNT}:*` },
                },
            },
        ],
    };
}

/** The compliant production stack plus the hybrid role and an activation, as the program builds them. */
function hybridStack() {
    return [
        ...prodStack(),
        {
            type: TYPES.role,
            name: "hybrid-nodes-role",
            props: {
                name: HYBRID_ROLE,
                id: HYBRID_ROLE,
                arn: `arn:aws:iam::${ACCOUNT}:role/${HYBRID_ROLE}`,
                assumeRolePolicy: JSON.stringify(hybridTrust()),
            },
        },
        { type: TYPES.rolePolicyAttachment, name: "hybrid-nodes-ssm-core", props: { role: HYBRID_ROLE, policyArn: CORE } },
        {
            type: TYPES.rolePolicy,
            name: "hybrid-nodes-logs",
            props: {
                role: HYBRID_ROLE,
                name: "logs",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/patching/*" }],
                }),
            },
        },
        {
            type: TYPES.instanceProfile,
            name: "instance-profile",
            props: { name: "patch-instance-profile", role: "patch-instance-role" },
        },
        {
            type: TYPES.activation,
            name: "web-server-hybrid-activation",
            props: { ...activationInputs(), id: "5d89e276-c53a-4c81-ac8e-c51e1d0a0ab7" },
        },
    ];
}

const who = `activation "web-server-hybrid-activation"`;

/** The plan's resources as the audit reads them (no id: undefined rather than null). */
const audited = (resources: PlannedResource[]): AuditResource[] => auditResourcesOf(resources);

describe("policies/hybrid", () => {
    describe("hybrid-activation-expiry", () => {
        it("passes an expiry 7 and 29.9 days ahead, and one in the past (an activation created earlier)", async () => {
            for (const expirationDate of [fromNow(7), fromNow(29.9), "2025-01-02T00:00:00Z"]) {
                const r = await runResourcePolicy(
                    activationExpiry,
                    TYPES.activation,
                    { ...activationInputs(), expirationDate },
                    { name: "web-server-hybrid-activation", config: { now: NOW } },
                );
                assert.deepEqual(r.messages, [], expirationDate);
            }
        });

        it("reports an expiry more than 30 days ahead, with the days", async () => {
            const expirationDate = fromNow(45);
            const r = await runResourcePolicy(
                activationExpiry,
                TYPES.activation,
                { ...activationInputs(), expirationDate },
                { name: "web-server-hybrid-activation", config: { now: NOW } },
            );
            assert.equal(r.messages.length, 1);
            assert.match(
                r.messages[0],
                new RegExp(`^${who} expires ${expirationDate}, 45\\.0 days from now; an activation code may be valid at most 30 days`),
            );
        });

        it("takes a missing expirationDate (24 hours), reports a malformed one, and skips one unknown during preview", async () => {
            const { expirationDate: _e, ...inputs } = activationInputs();
            const missing = await runResourcePolicy(activationExpiry, TYPES.activation, inputs, {
                name: "web-server-hybrid-activation",
                config: { now: NOW },
            });
            // CreateActivation: without an ExpirationDate the code expires in 24 hours.
            assert.deepEqual(missing.messages, []);
            const bad = await runResourcePolicy(
                activationExpiry,
                TYPES.activation,
                { ...inputs, expirationDate: "next week" },
                { name: "web-server-hybrid-activation", config: { now: NOW } },
            );
            assert.deepEqual(bad.messages, [
                `${who} has expirationDate "next week", which is not an RFC 3339 time such as "2026-12-01T00:00:00Z".`,
            ]);
            const unknown = await runResourcePolicy(activationExpiry, TYPES.activation, {
                ...inputs,
                expirationDate: UNKNOWN_STRING,
            });
            assert.deepEqual(unknown.messages, []);
        });
    });

    describe("hybrid-activation-registration-limit", () => {
        it("passes 25, and 1000 by default", async () => {
            for (const registrationLimit of [25, 1000]) {
                const r = await runResourcePolicy(
                    activationRegistrationLimit,
                    TYPES.activation,
                    { ...activationInputs(), registrationLimit },
                    { name: "web-server-hybrid-activation", config: { now: NOW } },
                );
                assert.deepEqual(r.messages, []);
            }
        });

        it("takes a missing limit (SSM admits 1), reports one above SSM's 1000, and one above the configured maximum", async () => {
            const { registrationLimit: _l, ...inputs } = activationInputs();
            const opts = { name: "web-server-hybrid-activation", config: { maxRegistrationLimit: 1000 } };
            // CreateActivation: RegistrationLimit "The default value is 1."
            assert.deepEqual((await runResourcePolicy(activationRegistrationLimit, TYPES.activation, inputs, opts)).messages, []);
            assert.deepEqual(
                (await runResourcePolicy(activationRegistrationLimit, TYPES.activation, { ...inputs, registrationLimit: 5000 }, opts))
                    .messages,
                [`${who} has registrationLimit 5000; it must be a whole number from 1 to 1000 (SSM's maximum).`],
            );
            const capped = await runResourcePolicy(activationRegistrationLimit, TYPES.activation, activationInputs(), {
                ...opts,
                config: { maxRegistrationLimit: 20 },
            });
            assert.deepEqual(capped.messages, [
                `${who} has registrationLimit 25; it must be a whole number from 1 to 20 (config maxRegistrationLimit).`,
            ]);
        });
    });

    describe("hybrid-activation-code-secret", () => {
        it("passes an activation whose code is an additional secret output", async () => {
            const r = await runResourcePolicy(activationCodeSecret, TYPES.activation, activationInputs(), {
                name: "web-server-hybrid-activation",
                additionalSecretOutputs: ["activationCode"],
            });
            assert.deepEqual(r.messages, []);
        });

        it("reports one whose code would sit in the state in plain text", async () => {
            const r = await runResourcePolicy(activationCodeSecret, TYPES.activation, activationInputs(), {
                name: "web-server-hybrid-activation",
                additionalSecretOutputs: ["tagsAll"],
            });
            assert.deepEqual(r.messages, [
                `${who} does not keep its code secret; add the resource option additionalSecretOutputs: ["activationCode"] and export the code only through pulumi.secret.`,
            ]);
        });

        it("declines other types", async () => {
            assert.equal((await runResourcePolicy(activationCodeSecret, TYPES.role, { name: "x" })).notApplicable, true);
        });
    });

    describe("hybrid-activation-role (stack)", () => {
        const urn = urnOf(TYPES.activation, "web-server-hybrid-activation");

        it("passes the hybrid role: trusted by SSM, core policy and log write only", async () => {
            assert.deepEqual(await runStackPolicy(activationRole, hybridStack()), []);
        });

        it("finds the role by property dependency when the name is unknown (preview)", async () => {
            const stack = hybridStack();
            const a = entry(stack, "web-server-hybrid-activation");
            a.props.iamRole = UNKNOWN_STRING;
            a.dependsOn = { iamRole: ["instance-role"] };
            const v = await runStackPolicy(activationRole, stack);
            assert.match(
                v[0]?.message ?? "",
                /uses role "patch-instance-role" \(instance-role\), the EC2 instance role \(it is in instance profile "patch-instance-profile"/,
            );
        });

        it("reports the EC2 instance role, by trust and by instance profile", async () => {
            const stack = hybridStack();
            entry(stack, "web-server-hybrid-activation").props.iamRole = "patch-instance-role";
            assert.deepEqual(await runStackPolicy(activationRole, stack), [
                {
                    message: `${who} uses role "patch-instance-role" (instance-role), the EC2 instance role (it is in instance profile "patch-instance-profile" (instance-profile)); give registered servers a role of their own, trusted by ssm.amazonaws.com only.`,
                    urn,
                },
            ]);
            const noProfile = hybridStack().filter((e) => e.name !== "instance-profile");
            entry(noProfile, "web-server-hybrid-activation").props.iamRole = "patch-instance-role";
            const v = await runStackPolicy(activationRole, noProfile);
            assert.match(v[0]?.message ?? "", /the EC2 instance role \(it trusts ec2.amazonaws.com\)/);
            assert.deepEqual(instanceTrustPolicy().Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        });

        it("reports admin policies: attached, in managedPolicyArns, and an inline * on *", async () => {
            const stack = hybridStack();
            entry(stack, "hybrid-nodes-ssm-core").props.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess";
            entry(stack, "hybrid-nodes-role").props.managedPolicyArns = [CORE, "arn:aws:iam::aws:policy/AmazonSSMFullAccess"];
            entry(stack, "hybrid-nodes-logs").props.policy = JSON.stringify({
                Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
            });
            const v = await runStackPolicy(activationRole, stack);
            const role = `role "${HYBRID_ROLE}" (hybrid-nodes-role)`;
            const tail =
                "; every registered server would be an administrator. Give it AmazonSSMManagedInstanceCore and write access to the log prefix only.";
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    `${who} uses ${role}, which holds arn:aws:iam::aws:policy/AmazonSSMFullAccess${tail}`,
                    `${who} uses ${role}, which holds arn:aws:iam::aws:policy/AdministratorAccess${tail}`,
                    `${who} uses ${role}, which holds inline policy "logs" (allows * on *)${tail}`,
                ],
            );
        });

        it("reports a service-linked role, an ARN for the name, and a role SSM cannot assume", async () => {
            const linked = hybridStack();
            entry(linked, "web-server-hybrid-activation").props.iamRole = "AWSServiceRoleForAmazonSSM";
            assert.deepEqual(
                (await runStackPolicy(activationRole, linked)).map((x) => x.message),
                [
                    `${who} uses the service-linked role "AWSServiceRoleForAmazonSSM"; SSM refuses it: create a service role trusted by ssm.amazonaws.com.`,
                ],
            );
            const arn = hybridStack();
            entry(arn, "web-server-hybrid-activation").props.iamRole = `arn:aws:iam::${ACCOUNT}:role/${HYBRID_ROLE}`;
            assert.deepEqual(
                (await runStackPolicy(activationRole, arn)).map((x) => x.message),
                [`${who} has iamRole "arn:aws:iam::${ACCOUNT}:role/${HYBRID_ROLE}", an ARN; CreateActivation takes the role's name.`],
            );
            const lambda = hybridStack();
            entry(lambda, "hybrid-nodes-role").props.assumeRolePolicy = JSON.stringify({
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            });
            assert.deepEqual(
                (await runStackPolicy(activationRole, lambda)).map((x) => x.message),
                [
                    `${who} uses role "${HYBRID_ROLE}" (hybrid-nodes-role), which ssm.amazonaws.com cannot assume; registered servers would get no credentials.`,
                ],
            );
        });
    });

    describe("the pack on the program", () => {
        let program: PlannedResource[];
        before(async () => {
            program = (await evaluateProgram({ stack: "prod-hybrid", config: shippedConfig("prod-hybrid") })).resources;
        });

        it("the example stack Pulumi.prod-hybrid.yaml passes every rule, hybrid ones included", async () => {
            const resources = structuredClone(program);
            assert.equal(resources.filter((r) => r.type === TYPES.activation).length, 2, "the rules had activations to check");
            assert.deepEqual(
                await runPolicies(audited(resources), { stackName: "prod-hybrid", projectName: "patch-manager", config: AT_NOW }),
                [],
            );
        });

        it("and fails the hybrid rules, mandatory, on one of its activations changed to break them", async () => {
            // The config refuses expiresInDays > 30, so the too-late expiry is set on the resource itself.
            const resources = structuredClone(program);
            const web = resources.find((r) => r.type === TYPES.activation && r.inputs.registrationLimit === 25)!;
            web.inputs = { ...web.inputs, expirationDate: fromNow(60) };
            web.checkedInputs = { ...web.checkedInputs, expirationDate: web.inputs.expirationDate };
            delete web.additionalSecretOutputs;
            const v = await runPolicies(audited(resources), { stackName: "prod-hybrid", projectName: "patch-manager", config: AT_NOW });
            assert.deepEqual(
                v.map((x) => [x.policy, x.level, x.urn]),
                [
                    ["hybrid-activation-expiry", "mandatory", web.urn],
                    ["hybrid-activation-code-secret", "mandatory", web.urn],
                ],
            );
        });
    });
});
