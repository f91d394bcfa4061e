// NOT ESCALATABLE, trust: who can assume each role. Service roles only by their service from this
// account; the organisation's roles only by the tokens of their own account's stacks, environment and
// workflow jobs. Each denial has a positive control: the legitimate caller must be allowed.
import { strict as assert } from "assert";
import { assume, AssumeRequest, oidcMatches } from "./iam";
import { judge } from "./knownGaps";
import { ModelOrg, organisation, programStacks, Role, statements } from "./world";

const PULUMI = "api.pulumi.com/oidc";
const GITHUB = "token.actions.githubusercontent.com";

/**
 * Token subjects, from Pulumi's and GitHub's docs:
 * Deployments `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write`
 * (https://www.pulumi.com/docs/pulumi-cloud/deployments/oidc/aws/), ESC `aws-login`
 * `pulumi:environments:org:<org>:env:<root environment>` (https://www.pulumi.com/docs/esc/providers/aws-login/; a stack
 * that opens the environment through its config makes the root the anonymous `<yaml>`), and with the credentials
 * environment's `subjectAttributes: [currentEnvironment.name]`
 * `pulumi:environments:pulumi.organization.login:<org>:currentEnvironment.name:<project>/<environment>`
 * (pulumi/docs content/docs/esc/guides/configuring-oidc/aws.md, "subjectAttributes"),
 * GitHub `repo:<owner>/<repo>:environment:<name>` or `repo:<owner>/<repo>:ref:refs/heads/<branch>`
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
 */
const deploySub = (org: string, stack: string, project = "patch-manager") =>
    `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:update:scope:write`;
const escSub = (org: string, env: string) => `pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:${env}`;
/** The subject without subject attributes: the root environment only (`<yaml>` when a stack opens it). */
const escRootSub = (org: string, root: string) => `pulumi:environments:org:${org}:env:${root}`;

interface TrustCase {
    readonly id: string;
    readonly request: AssumeRequest;
}

/** The ESC environment whose aws-login opens this account's deploy role (from the control plane's resources). */
function credentialsEnvironment(org: ModelOrg, roleArn: string): string {
    const envs = org.resources.filter((r) => r.type === "pulumiservice:index:Environment" && JSON.stringify(r.inputs).includes(roleArn));
    assert.equal(envs.length, 1, `one ESC environment opens ${roleArn}`);
    return `${String(envs[0].inputs.project)}/${String(envs[0].inputs.name)}`;
}

function orgCases(org: ModelOrg, role: Role): { allowed: TrustCase[]; denied: TrustCase[] } {
    const name = org.config.organization;
    const provider = (host: string) => `arn:aws:iam::${role.account}:oidc-provider/${host}`;
    const pulumi = (sub: string, aud = name): AssumeRequest => ({
        principal: provider(PULUMI),
        action: "sts:AssumeRoleWithWebIdentity",
        claims: { [`${PULUMI}:sub`]: sub, [`${PULUMI}:aud`]: aud },
    });
    const own = org.config.cells.filter((c) => c.account === role.account);
    const other = org.config.cells.find((c) => c.account !== role.account)!;
    if (role.key.startsWith("org:GitHubActionsRole")) {
        const repo = String((org.config as { repository?: string }).repository ?? "example-org/patch-manager");
        const gh = (sub: string): AssumeRequest => ({
            principal: provider(GITHUB),
            action: "sts:AssumeRoleWithWebIdentity",
            claims: { [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" },
        });
        const production = own.some((c) => c.environment === "production");
        const branch = `repo:${repo}:ref:refs/heads/${String((org.config as { branch?: string }).branch ?? "main")}`;
        return {
            // A production account: the production environment's jobs only; another account: the
            // branch's jobs (its deployments have no environment gate).
            allowed: production
                ? [{ id: "the workflow's production environment job", request: gh(`repo:${repo}:environment:production`) }]
                : [{ id: "the workflow's job on the branch", request: gh(branch) }],
            denied: [
                ...(production
                    ? [{ id: "a job on the branch without the production environment (production account)", request: gh(branch) }]
                    : []),
                { id: "a pull request", request: gh(`repo:${repo}:pull_request`) },
                { id: "another branch", request: gh(`repo:${repo}:ref:refs/heads/feature`) },
                { id: "a fork's (another repository's) production job", request: gh(`repo:attacker/patch-manager:environment:production`) },
                { id: "a Pulumi token", request: pulumi(deploySub(name, own[0].stack)) },
            ],
        };
    }
    const env = credentialsEnvironment(org, role.arn);
    const [project] = env.split("/");
    return {
        allowed: [
            ...own.map((c) => ({ id: `Deployments of the account's own stack ${c.stack}`, request: pulumi(deploySub(name, c.stack)) })),
            { id: "the account's ESC credentials environment", request: pulumi(escSub(name, env), `aws:${name}`) },
        ],
        denied: [
            { id: "Deployments of another account's stack", request: pulumi(deploySub(name, other.stack)) },
            { id: "Deployments of a stack of another project", request: pulumi(deploySub(name, own[0].stack, "other-project")) },
            { id: "Deployments of another organisation", request: pulumi(deploySub("attacker-org", own[0].stack), "attacker-org") },
            { id: "a token for another audience", request: pulumi(deploySub(name, own[0].stack), "attacker-org") },
            { id: "any stack's anonymous environment (no subject attributes)", request: pulumi(escRootSub(name, "<yaml>"), `aws:${name}`) },
            { id: "the credentials environment without subject attributes", request: pulumi(escRootSub(name, env), `aws:${name}`) },
            {
                id: "ESC environment other than the account's credentials",
                request: pulumi(escSub(name, `${project}/other-environment`), `aws:${name}`),
            },
            {
                id: "ESC environment of another account",
                request: pulumi(escSub(name, `patch-manager-${other.account}/credentials`), `aws:${name}`),
            },
            { id: "ESC environment of another organisation", request: pulumi(escSub("attacker-org", env), "aws:attacker-org") },
            {
                id: "a GitHub token",
                request: {
                    principal: provider(GITHUB),
                    action: "sts:AssumeRoleWithWebIdentity",
                    claims: { [`${GITHUB}:sub`]: "repo:a/b:environment:production", [`${GITHUB}:aud`]: "sts.amazonaws.com" },
                },
            },
        ],
    };
}

/** A service role: its service from this account may assume it; another account through the service, or any IAM principal, may not. */
function serviceCases(role: Role): { allowed: TrustCase[]; denied: TrustCase[] } {
    const services = statements(role.trust).flatMap((s) => {
        const p = (s.Principal as { Service?: string | string[] } | undefined)?.Service;
        return p === undefined ? [] : Array.isArray(p) ? p : [p];
    });
    assert.ok(services.length > 0, `${role.key}: a program role trusted by no service`);
    // EC2 assumes an instance profile's role without aws:SourceAccount (it sends none).
    // SSM names the account's SSM resources as the source (the hybrid role's trust pins it:
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud-service-role.html).
    const source = (service: string, account: string): Record<string, string> =>
        service === "ec2.amazonaws.com" ? {} : { "aws:SourceAccount": account, "aws:SourceArn": sourceArn(service, account) };
    // The ARN the service names as the source: the trust's own aws:SourceArn pattern made concrete in
    // this role's region and account, else one of the service's resources in it.
    const sourceArn = (service: string, account: string): string => {
        const pattern = statements(role.trust)
            .flatMap((s) => Object.values(s.Condition ?? {}).flatMap((c) => Object.entries(c)))
            .find(([k]) => k.toLowerCase() === "aws:sourcearn")?.[1];
        const arn = String(Array.isArray(pattern) ? pattern[0] : (pattern ?? `arn:aws:${service.split(".")[0]}:*:${account}:*`));
        const parts = arn.split(":");
        if (parts[3] === "*") parts[3] = role.region;
        return parts.join(":").replace(/\*/g, "x1");
    };
    return {
        allowed: services.map((svc) => ({
            id: `${svc} for this account`,
            request: { principal: svc, action: "sts:AssumeRole", context: source(svc, role.account) },
        })),
        denied: [
            ...services
                .filter((svc) => svc !== "ec2.amazonaws.com")
                .map((svc) => ({
                    id: `${svc} for another account (confused deputy)`,
                    request: { principal: svc, action: "sts:AssumeRole" as const, context: { "aws:SourceAccount": "999999999999" } },
                })),
            {
                id: "a principal of another account",
                request: { principal: "arn:aws:iam::999999999999:role/attacker", action: "sts:AssumeRole" },
            },
            {
                id: "a principal of this account",
                request: { principal: `arn:aws:iam::${role.account}:role/someone`, action: "sts:AssumeRole" },
            },
        ],
    };
}

describe("authorization model: who can assume each role", function () {
    this.timeout(120_000);

    it("evaluates OIDC claims exactly: StringEquals, StringLike, a missing claim, an unknown operator", () => {
        const c = {
            StringEquals: { "api.pulumi.com/oidc:aud": ["org"] },
            StringLike: { "api.pulumi.com/oidc:sub": "pulumi:deploy:org:org:*" },
        };
        assert.equal(
            oidcMatches(c, { "api.pulumi.com/oidc:aud": "org", "api.pulumi.com/oidc:sub": "pulumi:deploy:org:org:project:p" }),
            true,
        );
        assert.equal(
            oidcMatches(c, { "api.pulumi.com/oidc:aud": "org", "api.pulumi.com/oidc:sub": "pulumi:deploy:org:other:project:p" }),
            false,
        );
        assert.equal(
            oidcMatches(c, { "api.pulumi.com/oidc:sub": "pulumi:deploy:org:org:project:p" }),
            false,
            "a missing claim does not match",
        );
        assert.equal(oidcMatches({ StringLike: { "h.io:sub": "a?c" } }, { "h.io:sub": "abc" }), true);
        assert.equal(oidcMatches({ StringLike: { "h.io:sub": "a?c" } }, { "h.io:sub": "abbc" }), false);
        assert.throws(() => oidcMatches({ StringNotLike: { "h.io:sub": "x" } }, {}), /StringEquals and StringLike on OIDC claims only/);
    });

    it("the program's roles: only their service, from this account", async () => {
        const decisions: { role: string; request: string; allowed: boolean }[] = [];
        for (const stack of await programStacks())
            for (const role of stack.roles) {
                const { allowed, denied } = serviceCases(role);
                for (const c of allowed) assert.equal(await assume(role, c.request), "Allowed", `${role.key}: ${c.id} (positive control)`);
                for (const c of denied)
                    decisions.push({ role: role.key, request: c.id, allowed: (await assume(role, c.request)) === "Allowed" });
            }
        const { findings } = judge(decisions, () => false);
        assert.deepEqual(findings, []);
    });

    it("the organisation's roles: only their own account's stacks, credentials environment and workflow jobs", async () => {
        const org = await organisation();
        const decisions: { role: string; request: string; allowed: boolean }[] = [];
        const seen = new Set<string>();
        for (const variant of [org.accounts, org.github])
            for (const { roles } of variant)
                for (const role of roles) {
                    if (seen.has(role.key)) continue;
                    seen.add(role.key);
                    const { allowed, denied } = orgCases(org, role);
                    for (const c of allowed)
                        assert.equal(await assume(role, c.request), "Allowed", `${role.key}: ${c.id} (positive control)`);
                    for (const c of denied)
                        decisions.push({ role: role.key, request: c.id, allowed: (await assume(role, c.request)) === "Allowed" });
                }
        assert.ok(seen.size >= 2 * org.accounts.length, "the deploy role and the workflow's role of every account");
        const { findings, fixed } = judge(decisions, (g) => g.trust === true);
        assert.deepEqual(findings, [], "trust paths no known gap lists");
        assert.deepEqual(fixed, [], "known gaps that are fixed");
    });
});
