import * as assert from "node:assert/strict";
import { TYPES } from "@patch-manager/ssm";
import { iamNoEscalation } from "../../policies/escalation";
import { runResourcePolicy } from "./harness";

const A = "123456789012";
const doc = (...Statement: object[]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: Statement.map((s) => ({ Effect: "Allow", ...s })) });
const ROLES = `arn:aws:iam::${A}:role/app-*`;
const BOUNDARY = { StringEquals: { "iam:PermissionsBoundary": `arn:aws:iam::${A}:policy/app-boundary` } };

async function findings(policy: string, type: string = TYPES.rolePolicy): Promise<string[]> {
    const props =
        type === TYPES.role
            ? { name: "r", assumeRolePolicy: "{}", inlinePolicies: [{ name: "inline", policy }] }
            : { name: "p", role: "r", policy };
    const r = await runResourcePolicy(iamNoEscalation, type, props, { name: "p" });
    assert.equal(r.notApplicable, false);
    return r.messages;
}

// Each escalation path (shared/REVIEWS.md "The attacker") and its compliant twin. The condition keys
// and the actions they apply to: the Service Authorization Reference for IAM, KMS and SSM
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
describe("policies/escalation: iam-no-escalation", () => {
    it("is mandatory", () => assert.equal(iamNoEscalation.enforcementLevel, "mandatory"));

    it("role writes on * fail, naming the statement, the actions and the fix; named roles with a boundary pass", async () => {
        const bad = await findings(doc({ Sid: "Roles", Action: ["iam:CreateRole", "iam:PutRolePolicy"], Resource: "*" }));
        assert.deepEqual(bad, [
            '"p" policy: statement "Roles" allows iam:CreateRole, iam:PutRolePolicy on every resource and without a Condition on iam:PermissionsBoundary: ' +
                "it creates or rewrites roles, so its holder can make itself an administrator. Fix: name the roles (arn:aws:iam::<account>:role/<prefix>-*) " +
                'and add Condition StringEquals {"iam:PermissionsBoundary": "<boundary policy ARN>"}.',
        ]);
        assert.deepEqual(
            await findings(doc({ Action: ["iam:CreateRole", "iam:PutRolePolicy"], Resource: ROLES, Condition: BOUNDARY })),
            [],
        );
    });

    it("named roles without the boundary condition still fail (a created role could trust anyone)", async () => {
        const [m] = await findings(doc({ Action: "iam:UpdateAssumeRolePolicy", Resource: ROLES }));
        assert.match(m, /allows iam:UpdateAssumeRolePolicy without a Condition on iam:PermissionsBoundary/);
    });

    it("AttachRolePolicy needs iam:PolicyARN as well", async () => {
        const [m] = await findings(doc({ Action: "iam:AttachRolePolicy", Resource: ROLES, Condition: BOUNDARY }));
        assert.match(m, /allows iam:AttachRolePolicy without a Condition on iam:PolicyARN/);
        const ok = { ...BOUNDARY, ArnEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" } };
        assert.deepEqual(await findings(doc({ Action: "iam:AttachRolePolicy", Resource: ROLES, Condition: ok })), []);
    });

    it("wildcards in Action count: iam:*, iam:Put*, * and NotAction", async () => {
        for (const s of [
            { Action: "iam:*", Resource: "*" },
            { Action: "iam:Put*", Resource: "*" },
            { Action: "*", Resource: "*" },
            { NotAction: "s3:*", Resource: "*" },
        ])
            assert.ok((await findings(doc(s))).length > 0, JSON.stringify(s));
        assert.deepEqual(await findings(doc({ Action: "iam:Get*", Resource: "*" })), []);
    });

    it("CreatePolicyVersion on every policy fails; on a named policy passes", async () => {
        assert.match(
            (await findings(doc({ Action: "iam:CreatePolicyVersion", Resource: `arn:aws:iam::${A}:policy/*` })))[0],
            /rewrites policies, users or groups/,
        );
        assert.deepEqual(await findings(doc({ Action: "iam:CreatePolicyVersion", Resource: `arn:aws:iam::${A}:policy/app-logs` })), []);
    });

    it("PassRole: on * or without iam:PassedToService fails; named roles to a named service pass", async () => {
        const [star] = await findings(doc({ Action: "iam:PassRole", Resource: "*" }));
        assert.match(
            star,
            /allows iam:PassRole on every resource and without a Condition on iam:PassedToService: it passes roles to services/,
        );
        const [noService] = await findings(doc({ Action: "iam:PassRole", Resource: ROLES }));
        assert.match(noService, /without a Condition on iam:PassedToService/);
        const ok = doc({
            Action: "iam:PassRole",
            Resource: ROLES,
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        });
        assert.deepEqual(await findings(ok), []);
    });

    it("kms:PutKeyPolicy on every key fails; on named keys or keys tagged as the stack's passes", async () => {
        assert.match((await findings(doc({ Action: "kms:PutKeyPolicy", Resource: "*" })))[0], /rewrites key policies/);
        assert.deepEqual(
            await findings(
                doc({ Action: "kms:PutKeyPolicy", Resource: `arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }),
            ),
            [],
        );
        assert.deepEqual(
            await findings(
                doc({ Action: "kms:PutKeyPolicy", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/ManagedBy": "app" } } }),
            ),
            [],
        );
    });

    it("ssm:ModifyDocumentPermission (and ssm:*Document*) on * fails; on named documents passes", async () => {
        assert.match(
            (await findings(doc({ Action: "ssm:*Document*", Resource: "*" })))[0],
            /allows ssm:ModifyDocumentPermission on every resource: it shares documents/,
        );
        assert.deepEqual(
            await findings(doc({ Action: "ssm:ModifyDocumentPermission", Resource: `arn:aws:ssm:eu-west-1:${A}:document/app-*` })),
            [],
        );
    });

    it("Deny statements are not escalations", async () => {
        assert.deepEqual(await findings(doc({ Effect: "Deny", Action: "iam:*", Resource: "*" })), []);
    });

    it("an unconditional Deny of the action everywhere wins over a wildcard Allow; a conditional or narrower Deny does not", async () => {
        const broad = { Action: "ssm:*", Resource: "*" };
        assert.deepEqual(await findings(doc(broad, { Effect: "Deny", Action: "ssm:ModifyDocumentPermission", Resource: "*" })), []);
        assert.match(
            (
                await findings(
                    doc(broad, {
                        Effect: "Deny",
                        Action: "ssm:ModifyDocumentPermission",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:PrincipalTag/team": "x" } },
                    }),
                )
            )[0],
            /allows ssm:ModifyDocumentPermission on every resource/,
        );
        assert.match(
            (
                await findings(
                    doc(broad, {
                        Effect: "Deny",
                        Action: "ssm:ModifyDocumentPermission",
                        Resource: `arn:aws:ssm:eu-west-1:${A}:document/a`,
                    }),
                )
            )[0],
            /allows ssm:ModifyDocumentPermission on every resource/,
        );
    });

    it("reads a role's inline policies, and the roles of a CloudFormation template (the organisation's StackSet)", async () => {
        const [inline] = await findings(doc({ Action: "iam:PassRole", Resource: "*" }), TYPES.role);
        assert.match(inline, /^"r" \(p\) inline policy inline: statement 0 allows iam:PassRole/);
        const template = JSON.stringify({
            Resources: {
                Deploy: {
                    Type: "AWS::IAM::Role",
                    Properties: {
                        Policies: [
                            { PolicyName: "deploy", PolicyDocument: JSON.parse(doc({ Action: "iam:AttachRolePolicy", Resource: "*" })) },
                        ],
                    },
                },
                Managed: {
                    Type: "AWS::IAM::ManagedPolicy",
                    Properties: { PolicyDocument: JSON.parse(doc({ Action: "kms:PutKeyPolicy", Resource: "*" })) },
                },
            },
        });
        const r = await runResourcePolicy(
            iamNoEscalation,
            "aws:cloudformation/stackSet:StackSet",
            { name: "s", templateBody: template },
            { name: "s" },
        );
        assert.equal(r.messages.length, 2, r.messages.join("\n"));
        assert.match(r.messages[0], /Deploy policy deploy: statement 0 allows iam:AttachRolePolicy/);
        assert.match(r.messages[1], /Managed: statement 0 allows kms:PutKeyPolicy/);
    });
});
