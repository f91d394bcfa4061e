import { strict as assert } from "assert";
import YAML from "yaml";
import { CELL_PROJECT, escProject } from "../../org/config";
import { accountEnvironmentYaml, accountParameters } from "../../org/controlPlane";
import { ANONYMOUS_ENVIRONMENT, DEPLOYMENT_OPERATIONS, oidcSubject } from "../../org/oidcSubjects";
import { deployRoleTemplate } from "../../org/stackSetTemplate";
import { accountTrust, resolvedDeployTrustPolicy } from "../../org/trust";
import { plan } from "../helpers";
import { resolve, trusts } from "./iamEval";
import { exampleValues, parseOrg, withOrg } from "./helpers";

// The issuers' own examples, quoted:
// Pulumi Deployments (pulumi/docs content/docs/pulumi-cloud/access-management/oidc/provider/azure.md):
//   "pulumi:deploy:org:contoso:project:core:stack:dev:operation:update:scope:write" (and preview, refresh, destroy).
// Pulumi ESC (pulumi/docs content/docs/esc/guides/configuring-oidc/_index.md, "Custom token claim"):
//   default "pulumi:environments:org:<organization name>:env:<project name>/<environment name>";
//   "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA"
//   for subjectAttributes [currentEnvironment.name, pulumi.user.login] of project/development opened by personA.
// ESC through a stack (pulumi/docs content/docs/esc/guides/configuring-oidc/aws.md; pulumi/pulumi#14509):
//   "the default subject identifier of the environment will be pulumi:environments:org:contoso:env:<yaml>".
// GitHub (docs.github.com, "About security hardening with OpenID Connect"):
//   "repo:octo-org/octo-repo:environment:Production" for a job with an environment; "repo:octo-org/octo-repo:ref:refs/heads/demo-branch" otherwise.

describe("OIDC subjects: one function, held against the issuers' documented examples", () => {
    it("gives Pulumi Deployments' subject for each operation of a stack", () => {
        for (const operation of DEPLOYMENT_OPERATIONS)
            assert.equal(
                oidcSubject({ kind: "deployments", organization: "contoso", project: "core", stack: "dev", operation }),
                `pulumi:deploy:org:contoso:project:core:stack:dev:operation:${operation}:scope:write`,
            );
        assert.deepEqual([...DEPLOYMENT_OPERATIONS], ["preview", "update", "refresh", "destroy"]);
    });

    it("gives ESC's default subject when an environment is opened by name, and <yaml> when a stack opens it", () => {
        const base = { kind: "esc", organization: "contoso", loginEnvironment: "project/development", user: "personA" } as const;
        assert.equal(
            oidcSubject({ ...base, opened: { via: "direct", root: "project/development" } }),
            "pulumi:environments:org:contoso:env:project/development",
        );
        assert.equal(oidcSubject({ ...base, opened: { via: "stack" } }), "pulumi:environments:org:contoso:env:<yaml>");
        assert.equal(ANONYMOUS_ENVIRONMENT, "<yaml>");
    });

    it("gives ESC's subject with subjectAttributes, the same whether opened by name or through a stack", () => {
        const base = {
            kind: "esc",
            organization: "contoso",
            loginEnvironment: "project/development",
            user: "personA",
            subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
        } as const;
        const documented =
            "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA";
        assert.equal(oidcSubject({ ...base, opened: { via: "direct", root: "project/development" } }), documented);
        assert.equal(oidcSubject({ ...base, opened: { via: "stack" } }), documented);
        // currentEnvironment names where the login is defined, also when another environment imports it.
        assert.equal(oidcSubject({ ...base, opened: { via: "direct", root: "project/cell" } }), documented);
    });

    it("gives GitHub's environment subject for a job with an environment, the branch subject only without one", () => {
        assert.equal(
            oidcSubject({ kind: "github", repository: "octo-org/octo-repo", ref: "refs/heads/main", environment: "Production" }),
            "repo:octo-org/octo-repo:environment:Production",
        );
        assert.equal(
            oidcSubject({ kind: "github", repository: "octo-org/octo-repo", ref: "refs/heads/demo-branch" }),
            "repo:octo-org/octo-repo:ref:refs/heads/demo-branch",
        );
    });
});

describe("trust: each account's role admits its own cells' tokens and nothing else", () => {
    const org = parseOrg(exampleValues());
    const template = deployRoleTemplate({ organization: org.organization, roleName: org.deployRoleName });
    const accounts = [...new Set(org.cells.map((c) => c.account))];
    const provider = (account: string) => `arn:aws:iam::${account}:oidc-provider/api.pulumi.com/oidc`;
    /** The deploy role's trust in one account, as CloudFormation resolves it with the account's overrides. */
    const trustIn = (account: string) => {
        const parameters = accountParameters(org, account);
        return resolve(template.Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement, {
            account,
            // A Ref to the provider the template creates is its ARN.
            parameters: {
                ...parameters,
                DeploymentsSubjects: parameters.DeploymentsSubjects.split(","),
                PulumiOidcProvider: provider(account),
            },
            conditions: { CreateProvider: parameters.CreateOidcProvider === "true" },
        });
    };
    const deployToken = (stack: string, operation: (typeof DEPLOYMENT_OPERATIONS)[number] = "update", organization = org.organization) => ({
        "api.pulumi.com/oidc:aud": organization,
        "api.pulumi.com/oidc:sub": oidcSubject({ kind: "deployments", organization, project: CELL_PROJECT, stack, operation }),
    });

    it("the template, resolved for an account, is the trust policy built from the subject model", () => {
        for (const account of accounts) {
            const trust = accountTrust({
                organization: org.organization,
                project: CELL_PROJECT,
                credentialsEnvironment: `${escProject(account)}/credentials`,
                stacks: org.cells.filter((c) => c.account === account).map((c) => c.stack),
            });
            assert.deepEqual(trustIn(account), (resolvedDeployTrustPolicy(org.organization, account, trust) as any).Statement, account);
        }
    });

    it("admits every operation of the account's own cells, and no cell of another account", () => {
        for (const account of accounts)
            for (const cell of org.cells) {
                for (const operation of DEPLOYMENT_OPERATIONS)
                    assert.equal(
                        trusts(trustIn(account), provider(account), deployToken(cell.stack, operation)),
                        cell.account === account,
                        `${cell.stack} in ${account}`,
                    );
            }
    });

    it("refuses a stack of the project that is not the account's cell, and another organisation's", () => {
        const production = "555555555555";
        assert.ok(trusts(trustIn(production), provider(production), deployToken("production-555555555555-eu-west-1"))); // positive control
        for (const stack of [
            "sandbox-111111111111-eu-west-1",
            "production-555555555555-eu-west-1x",
            "production-555555555555",
            "my-own-stack",
        ])
            assert.ok(!trusts(trustIn(production), provider(production), deployToken(stack)), stack);
        assert.ok(
            !trusts(trustIn(production), provider(production), deployToken("production-555555555555-eu-west-1", "update", "other-org")),
        );
        // Another project's stack of the same name.
        const otherProject = {
            "api.pulumi.com/oidc:aud": org.organization,
            "api.pulumi.com/oidc:sub": oidcSubject({
                kind: "deployments",
                organization: org.organization,
                project: "patch-manager-org",
                stack: "production-555555555555-eu-west-1",
                operation: "update",
            }),
        };
        assert.ok(!trusts(trustIn(production), provider(production), otherProject));
    });

    it("admits exactly the account's credentials environment as its aws-login opens it, however it is opened", () => {
        for (const account of accounts) {
            const yaml = YAML.parse(accountEnvironmentYaml(org, account));
            const login = yaml.values.aws.login["fn::open::aws-login"].oidc;
            assert.ok(login.subjectAttributes?.length, "the credentials environment sets subjectAttributes (pulumi/pulumi#14509)");
            const esc = (
                loginEnvironment: string,
                opened: { via: "direct"; root: string } | { via: "stack" },
                attributes = login.subjectAttributes,
            ) => ({
                "api.pulumi.com/oidc:aud": `aws:${org.organization}`,
                "api.pulumi.com/oidc:sub": oidcSubject({
                    kind: "esc",
                    organization: org.organization,
                    loginEnvironment,
                    opened,
                    subjectAttributes: attributes,
                    user: "someone",
                }),
            });
            const own = `${escProject(account)}/credentials`;
            const cellEnv = `${escProject(account)}/${org.cells.find((c) => c.account === account)!.stack}`;
            assert.ok(trusts(trustIn(account), provider(account), esc(own, { via: "stack" })), `${account}: a cell's deployment`);
            assert.ok(trusts(trustIn(account), provider(account), esc(own, { via: "direct", root: cellEnv })), `${account}: esc env open`);
            // Without subjectAttributes a stack's token names <yaml>: the trust must not admit that (any stack's).
            assert.ok(!trusts(trustIn(account), provider(account), esc(own, { via: "stack" }, [])));
            for (const other of accounts.filter((a) => a !== account))
                assert.ok(
                    !trusts(trustIn(account), provider(account), esc(`${escProject(other)}/credentials`, { via: "stack" })),
                    `${other}'s credentials in ${account}`,
                );
            // Deployments' audience with the ESC subject, or the other way round: no.
            assert.ok(
                !trusts(trustIn(account), provider(account), {
                    ...esc(own, { via: "stack" }),
                    "api.pulumi.com/oidc:aud": org.organization,
                }),
            );
        }
    });

    it("passes each account's own subjects to its stack instance, and tells the existing provider apart", async () => {
        const out = await plan("--project", "org", "--stack", "example", "--json");
        assert.equal(out.code, 0, out.stderr);
        const instances = JSON.parse(out.stdout).resources.filter(
            (r: any) => r.type === "aws:cloudformation/stackSetInstance:StackSetInstance",
        );
        for (const account of accounts) {
            const i = instances.find(
                (x: any) =>
                    x.inputs.deploymentTargets.accountFilterType === "INTERSECTION" && x.inputs.deploymentTargets.accounts[0] === account,
            );
            assert.deepEqual(i.inputs.parameterOverrides, { ...accountParameters(org, account) }, account);
        }
        assert.equal(accountParameters(org, "555555555555").CreateOidcProvider, "false");
        assert.equal(accountParameters(org, "666666666666").CreateOidcProvider, "true");
    });
});

describe("trust: GitHub Actions (self-managed backend)", () => {
    const org = parseOrg(withOrg({ githubActions: {} }));
    const template = deployRoleTemplate({
        organization: org.organization,
        roleName: org.deployRoleName,
        githubActions: { roleName: "gh" },
    });
    const trustIn = (account: string) =>
        resolve(template.Resources.GitHubActionsRole.Properties.AssumeRolePolicyDocument.Statement, {
            account,
            parameters: { ...accountParameters(org, account), GitHubOidcProvider: provider(account) },
            conditions: { CreateGitHubProvider: true },
        });
    const provider = (account: string) => `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    const job = (environment?: string, repository = org.repository) => ({
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": oidcSubject({
            kind: "github",
            repository,
            ref: `refs/heads/${org.branch}`,
            ...(environment ? { environment } : {}),
        }),
    });

    it("lets production accounts trust only jobs of the production environment, never the branch", () => {
        for (const account of ["555555555555", "666666666666"]) {
            assert.ok(trusts(trustIn(account), provider(account), job("production")), account);
            assert.ok(!trusts(trustIn(account), provider(account), job()), `${account}: a job on main without environment`);
            assert.ok(!trusts(trustIn(account), provider(account), job("production", "someone/fork")));
        }
    });

    it("lets non-production accounts trust the branch's jobs", () => {
        assert.ok(trusts(trustIn("111111111111"), provider("111111111111"), job()));
        assert.ok(!trusts(trustIn("111111111111"), provider("111111111111"), job(undefined, "someone/fork")));
    });
});
