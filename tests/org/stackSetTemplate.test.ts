import { strict as assert } from "assert";
import { SERVICES } from "../facts/shapes";
import { deployRoleTemplate, githubSubjects, ROLE_MAX_SESSION_SECONDS, trustedSubjects } from "../../org/stackSetTemplate";

const template = deployRoleTemplate({ organization: "example-org", roleName: "patch-manager-deployments" });
const role = template.Resources.DeployRole.Properties;
const statements: { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] =
    role.Policies[0].PolicyDocument.Statement;

/** Every `Ref`, `Fn::GetAtt` and `Condition` the template uses. */
function references(node: unknown, out: { refs: string[]; atts: string[]; conditions: string[] } = { refs: [], atts: [], conditions: [] }) {
    if (Array.isArray(node)) node.forEach((n) => references(n, out));
    else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
            if (k === "Ref") out.refs.push(String(v));
            else if (k === "Fn::GetAtt") out.atts.push((v as string[])[0]);
            else if (k === "Fn::If") out.conditions.push((v as string[])[0]);
            else if (k === "Condition" && typeof v === "string") out.conditions.push(v);
            references(v, out);
        }
    }
    return out;
}

/** IAM's shapes from botocore's model, as tools/codegen/genAwsShapes.py extracted them (no Python needed). */
const iamShapes = SERVICES.iam.shapes;

describe("org StackSet template: the Pulumi OIDC provider and deploy role", () => {
    it("is a well-formed template: every resource typed, every Ref, GetAtt and condition defined", () => {
        assert.equal(template.AWSTemplateFormatVersion, "2010-09-09");
        for (const [name, r] of Object.entries(template.Resources as Record<string, any>)) {
            assert.match(r.Type, /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, name);
            assert.equal(typeof r.Properties, "object", name);
        }
        const { refs, atts, conditions } = references(template);
        const names = [...Object.keys(template.Resources), ...Object.keys(template.Parameters)];
        for (const r of refs) assert.ok(names.includes(r) || r.startsWith("AWS::"), `Ref ${r}`);
        for (const a of atts) assert.ok(a in template.Resources, `GetAtt ${a}`);
        for (const c of conditions) assert.ok(c in template.Conditions, `condition ${c}`);
        // CloudFormation's limit for a template passed inline (TemplateBody): 51,200 bytes.
        assert.ok(JSON.stringify(template).length < 51200);
    });

    it("trusts only Pulumi's issuer, the organisation's audiences and this project's stacks and account environment", () => {
        const [trust] = role.AssumeRolePolicyDocument.Statement;
        assert.equal(trust.Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(trust.Principal.Federated["Fn::If"][1], { Ref: "PulumiOidcProvider" });
        assert.equal(
            trust.Principal.Federated["Fn::If"][2]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/api.pulumi.com/oidc",
        );
        assert.deepEqual(trust.Condition.StringEquals, { "api.pulumi.com/oidc:aud": ["example-org", "aws:example-org"] });
        assert.deepEqual(trust.Condition.StringLike["api.pulumi.com/oidc:sub"], [
            "pulumi:deploy:org:example-org:project:patch-manager:*",
            { "Fn::Sub": "pulumi:environments:org:example-org:env:patch-manager-${AWS::AccountId}/*" },
        ]);
        assert.deepEqual(trustedSubjects("o", "1"), [
            "pulumi:deploy:org:o:project:patch-manager:*",
            "pulumi:environments:org:o:env:patch-manager-1/*",
        ]);
        // IAM's StringLike: `*` any run of characters, `?` one. The control plane's own project and
        // another organisation's stacks must not match.
        const pattern = trust.Condition.StringLike["api.pulumi.com/oidc:sub"][0] as string;
        const like = new RegExp(
            `^${pattern
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")
                .replace(/\?/g, ".")}$`,
        );
        assert.ok(like.test("pulumi:deploy:org:example-org:project:patch-manager:stack:production-1:operation:update:scope:write"));
        assert.ok(!like.test("pulumi:deploy:org:example-org:project:patch-manager-org:stack:example:operation:update:scope:write"));
        assert.ok(!like.test("pulumi:deploy:org:other-org:project:patch-manager:stack:x:operation:update:scope:write"));
        assert.deepEqual(template.Resources.PulumiOidcProvider.Properties, {
            Url: "https://api.pulumi.com/oidc",
            ClientIdList: ["example-org", "aws:example-org"],
        });
    });

    it("grants no service-wide or global action, only the services patch-manager manages", () => {
        // cloudformation and cloudwatch only for the read-only alarm lookup at preview (PatchManagerAlarmLookup).
        const allowed = new Set(["ssm", "iam", "s3", "events", "sns", "config", "ec2", "kms", "cloudformation", "cloudwatch"]);
        for (const s of statements) {
            for (const action of [s.Action].flat()) {
                assert.notEqual(action, "*", s.Sid);
                assert.doesNotMatch(action, /^[a-z0-9-]+:\*$/, `${s.Sid}: ${action}`);
                assert.ok(allowed.has(action.split(":")[0]), `${s.Sid}: ${action}`);
            }
        }
        const iam = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("iam:")));
        for (const s of iam) assert.notEqual(s.Resource, "*", `${s.Sid}: IAM actions only on the program's roles and profiles`);
        const pass = statements.find((s) => s.Action === "iam:PassRole")!;
        assert.deepEqual((pass.Condition as any).StringEquals["iam:PassedToService"], [
            "ssm.amazonaws.com",
            "ec2.amazonaws.com",
            "events.amazonaws.com",
        ]);
        const lookup = statements.find((s) => s.Sid === "PatchManagerAlarmLookup")!;
        assert.deepEqual(lookup.Action, ["cloudformation:GetResource", "cloudwatch:DescribeAlarms"], "reads only");
    });

    it("lets the program create what compliance.configRecorder: create asks for", () => {
        const config = statements.find((s) => s.Sid === "PatchManagerCompliance")!;
        for (const action of ["config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:StartConfigurationRecorder"])
            assert.ok([config.Action].flat().includes(action), action);
    });

    it("keeps within IAM's limits from its API model: role name, session length, policy size", () => {
        const shapes = iamShapes;
        const name = shapes.roleNameType;
        assert.match(role.RoleName, new RegExp(`^${name.pattern}$`));
        assert.ok(role.RoleName.length <= name.max!);
        assert.ok(
            role.MaxSessionDuration >= shapes.roleMaxSessionDurationType.min! &&
                role.MaxSessionDuration <= shapes.roleMaxSessionDurationType.max!,
        );
        assert.equal(role.MaxSessionDuration, ROLE_MAX_SESSION_SECONDS);
        for (const id of template.Resources.PulumiOidcProvider.Properties.ClientIdList) assert.ok(id.length <= shapes.clientIDType.max!);
        assert.match(role.Policies[0].PolicyName, new RegExp(`^${shapes.policyNameType.pattern}$`));
        // IAM quota: a role's inline policies together at most 10,240 characters (whitespace not counted).
        assert.ok(JSON.stringify(role.Policies[0].PolicyDocument).length < 10240);
    });
});

describe("org StackSet template: the GitHub Actions role for a self-managed backend", () => {
    const gh = deployRoleTemplate({
        organization: "example-org",
        roleName: "patch-manager-deployments",
        githubActions: { repository: "example-org/patch-manager", branch: "main", roleName: "patch-manager-github-actions" },
    });

    it("is absent unless asked for", () => {
        assert.equal(template.Resources.GitHubActionsRole, undefined);
        assert.equal(template.Parameters.CreateGitHubOidcProvider, undefined);
    });

    it("trusts GitHub's issuer for this repository's branch and production environment only, with the deploy role's permissions", () => {
        const role = gh.Resources.GitHubActionsRole.Properties;
        assert.equal(role.RoleName, "patch-manager-github-actions");
        assert.equal(role.MaxSessionDuration, ROLE_MAX_SESSION_SECONDS);
        const [trust] = role.AssumeRolePolicyDocument.Statement;
        assert.equal(trust.Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(trust.Condition.StringEquals, {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": githubSubjects("example-org/patch-manager", "main"),
        });
        assert.deepEqual(githubSubjects("example-org/patch-manager", "main"), [
            "repo:example-org/patch-manager:ref:refs/heads/main",
            "repo:example-org/patch-manager:environment:production",
        ]);
        // StringEquals, not StringLike: a pull request (`repo:...:pull_request`) or another branch never matches.
        assert.equal(trust.Condition.StringLike, undefined);
        assert.deepEqual(role.Policies, gh.Resources.DeployRole.Properties.Policies);
    });

    it("every Ref and condition it adds is defined; an account with GitHub's provider can skip it", () => {
        const used = references(gh.Resources);
        for (const c of used.conditions) assert.ok(gh.Conditions[c], `condition ${c}`);
        for (const r of used.refs) assert.ok(gh.Resources[r] || gh.Parameters[r] || r.startsWith("AWS::"), `Ref ${r}`);
        assert.equal(gh.Resources.GitHubOidcProvider.Condition, "CreateGitHubProvider");
        assert.deepEqual(gh.Parameters.CreateGitHubOidcProvider.AllowedValues, ["true", "false"]);
        assert.deepEqual(gh.Outputs.GitHubActionsRoleArn.Value, { "Fn::GetAtt": ["GitHubActionsRole", "Arn"] });
    });
});
