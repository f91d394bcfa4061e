// The permissions boundary every role of the program carries (org/stackSetTemplate.ts): exactly what
// the program's roles use, so a role that gains a grant cannot use more than the program needs, and
// nothing that escalates even for a role whose own policies allow everything (AdministratorAccess).
import { strict as assert } from "assert";
import { boundaryPolicyDocument, BOUNDARY_ACTIONS } from "../../org/stackSetTemplate";
import { decide, Request } from "./iam";
import { ACCOUNT as MODEL_ACCOUNT, awsManagedPolicy, iamPattern, list, PolicyDocument, programStacks, Role, statements } from "./world";

// The shipped stacks' account: the boundary is resolved for it, so the roles' own ARNs apply unchanged.
const ACCOUNT = MODEL_ACCOUNT;
const REGION = "eu-west-1";

/** The boundary in one account: its only intrinsic is Fn::Sub of the partition and the account. */
function boundary(): PolicyDocument {
    return JSON.parse(JSON.stringify(boundaryPolicyDocument()), (_, v) =>
        v && typeof v === "object" && !Array.isArray(v) && typeof v["Fn::Sub"] === "string" && Object.keys(v).length === 1
            ? v["Fn::Sub"].replaceAll("${AWS::Partition}", "aws").replaceAll("${AWS::AccountId}", ACCOUNT)
            : v,
    ) as PolicyDocument;
}

const admin = (b: PolicyDocument) => ({
    arn: `arn:aws:iam::${ACCOUNT}:role/maintenance-window-role-0a1b2c3`,
    account: ACCOUNT,
    identity: [{ name: "AdministratorAccess", policy: awsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")! }],
    boundary: b,
});

/** Every action an Allow statement of a program role names (managed policies included), iam:PassRole apart. */
async function programActions(): Promise<{ actions: Set<string>; passes: { role: Role; request: Request }[] }> {
    const actions = new Set<string>();
    const passes: { role: Role; request: Request }[] = [];
    for (const stack of await programStacks())
        for (const role of stack.roles)
            for (const { policy } of role.identity)
                for (const s of statements(policy).filter((x) => x.Effect === "Allow")) {
                    for (const a of list(s.Action)) {
                        if (a !== "iam:PassRole") actions.add(a);
                        else
                            for (const resource of list(s.Resource)) {
                                const service = (s.Condition?.StringEquals?.["iam:PassedToService"] ?? []) as string | string[];
                                for (const to of list(service))
                                    passes.push({
                                        role,
                                        request: {
                                            action: a,
                                            resource,
                                            context: { "iam:PassedToService": to },
                                        },
                                    });
                            }
                    }
                }
    return { actions, passes };
}

describe("authorization model: the permissions boundary is what the program's roles use, and nothing that escalates", function () {
    this.timeout(120_000);

    it("allows every action of every role policy of every shipped stack, and no action none of them uses", async () => {
        const { actions } = await programActions();
        assert.ok(actions.size > 50, `the shipped stacks' roles use ${actions.size} actions`);
        const missing = [...actions].filter((a) => !BOUNDARY_ACTIONS.some((b) => b === a || iamPattern(b, "i").test(a)));
        assert.deepEqual(missing, [], "actions the program's roles use that the boundary does not allow (add them to BOUNDARY_ACTIONS)");
        const unused = BOUNDARY_ACTIONS.filter((b) => ![...actions].some((a) => a === b || iamPattern(b, "i").test(a)));
        assert.deepEqual(unused, [], "actions the boundary allows that no role of a shipped stack uses (remove them)");
    });

    it("lets each role pass the roles it passes, to the service it passes them to", async () => {
        const b = boundary();
        const { passes } = await programActions();
        assert.ok(passes.length > 3, `${passes.length} PassRole grants`);
        for (const { role, request } of passes) {
            const bounded = { ...role, boundary: b };
            assert.equal(
                await decide(bounded, request),
                "Allowed",
                `${role.key}: ${request.action} ${request.resource} to ${String(request.context?.["iam:PassedToService"])}`,
            );
        }
    });

    it("caps even AdministratorAccess: no IAM write, no code or policy change, nothing outside the program's use", async () => {
        const b = boundary();
        const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:business-function`;
        // Positive control: what the program does is allowed under the boundary.
        assert.equal(
            await decide(admin(b), {
                action: "ssm:SendCommand",
                resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
            }),
            "Allowed",
        );
        const denied: Request[] = [
            { action: "lambda:UpdateFunctionCode", resource: fn },
            { action: "lambda:AddPermission", resource: fn },
            { action: "lambda:UpdateFunctionConfiguration", resource: fn },
            {
                action: "cloudformation:UpdateStack",
                resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/business/0f0f0f0f-0000-4000-8000-000000000000`,
            },
            { action: "ssm:PutParameter", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db-password` },
            { action: "ssm:CreateDocument", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/attacker-document` },
            { action: "ssm:ModifyDocumentPermission", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/patch-manager-x` },
            { action: "ssm:CreateAssociation", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/attacker-document` },
            { action: "ssm:StartSession", resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` },
            { action: "ec2:ModifyInstanceAttribute", resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` },
            {
                action: "ec2:AuthorizeSecurityGroupIngress",
                resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0f0f0f0f0f0f0f0f0`,
            },
            { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::any-bucket" },
            { action: "s3:DeleteBucket", resource: "arn:aws:s3:::any-bucket" },
            { action: "kms:PutKeyPolicy", resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f0f0f0f-0000-4000-8000-000000000000` },
            { action: "sns:SetTopicAttributes", resource: `arn:aws:sns:${REGION}:${ACCOUNT}:any-topic` },
            { action: "events:PutTargets", resource: `arn:aws:events:${REGION}:${ACCOUNT}:rule/any-rule` },
            { action: "iam:CreateRole", resource: `arn:aws:iam::${ACCOUNT}:role/any` },
            { action: "iam:PutRolePolicy", resource: `arn:aws:iam::${ACCOUNT}:role/maintenance-window-role-0a1b2c3` },
            {
                action: "iam:PassRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/admin`,
                context: { "iam:PassedToService": "ssm.amazonaws.com" },
            },
            {
                action: "iam:PassRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/maintenance-window-role-0a1b2c3`,
                context: { "iam:PassedToService": "ec2.amazonaws.com" },
            },
        ];
        const allowed: string[] = [];
        for (const r of denied) if ((await decide(admin(b), r)) === "Allowed") allowed.push(`${r.action} on ${r.resource}`);
        assert.deepEqual(allowed, []);
    });
});
