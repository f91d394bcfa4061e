// Who may assume an account's roles: the exact subjects of that account's own cells, built from
// org/oidcSubjects.ts. The StackSet template writes the same statements with CloudFormation
// parameters in place of the per-account values (tests/org/trust.test.ts compares the two).
import { CREDENTIALS_SUBJECT_ATTRIBUTES, deploymentsStackPattern, oidcSubject } from "./oidcSubjects";

/** Pulumi Cloud's OIDC issuer (https://www.pulumi.com/docs/pulumi-cloud/oidc/provider/). */
export const PULUMI_OIDC_HOST = "api.pulumi.com/oidc";
/** GitHub Actions' OIDC issuer and the audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_AUDIENCE = "sts.amazonaws.com";
/** The GitHub environment whose jobs deploy production (required reviewers, deployment branch main). */
export const GITHUB_PRODUCTION_ENVIRONMENT = "production";

/**
 * Audiences of Pulumi's tokens: Deployments name the organisation ("api.pulumi.com/oidc:aud": "contoso",
 * Pulumi's AWS OIDC guide for Deployments); ESC's aws-login names `aws:<org>` for an environment outside
 * the `default` project (pulumi/docs content/docs/esc/guides/configuring-oidc/aws.md).
 */
export function deploymentsAudience(organization: string): string {
    return organization;
}
export function escAudience(organization: string): string {
    return `aws:${organization}`;
}

/** What one account's roles trust: its own cells, nothing of another account's. */
export interface AccountTrust {
    /** StringLike patterns: every operation of each of the account's cell stacks. */
    readonly deploymentsSubjects: readonly string[];
    /** StringEquals: the account's credentials environment, however it is opened. */
    readonly escSubject: string;
    /** StringEquals: the GitHub subject the account's workflow jobs carry (self-managed backend only). */
    readonly githubSubject?: string;
}

export interface TrustInput {
    readonly organization: string;
    /** The Pulumi project of the cells. */
    readonly project: string;
    /** `<project>/<name>` of the account's credentials environment. */
    readonly credentialsEnvironment: string;
    readonly stacks: readonly string[];
    /** Set for a self-managed backend: the repository, its branch, and whether the account holds production. */
    readonly github?: { readonly repository: string; readonly branch: string; readonly production: boolean };
}

export function accountTrust(t: TrustInput): AccountTrust {
    return {
        deploymentsSubjects: [...t.stacks].sort().map((s) => deploymentsStackPattern(t.organization, t.project, s)),
        escSubject: oidcSubject({
            kind: "esc",
            organization: t.organization,
            loginEnvironment: t.credentialsEnvironment,
            opened: { via: "stack" },
            subjectAttributes: CREDENTIALS_SUBJECT_ATTRIBUTES,
            user: "-",
        }),
        ...(t.github
            ? {
                  // Production accounts: only jobs of the `production` environment (its reviewers and
                  // branch rule); never the branch subject, which any job on the branch carries.
                  githubSubject: oidcSubject({
                      kind: "github",
                      repository: t.github.repository,
                      ref: `refs/heads/${t.github.branch}`,
                      ...(t.github.production ? { environment: GITHUB_PRODUCTION_ENVIRONMENT } : {}),
                  }),
              }
            : {}),
    };
}

/** The deploy role's trust statements; `values` are literal for one account, or CloudFormation expressions. */
export function deployTrustStatements(
    organization: string,
    federated: unknown,
    values: { deploymentsSubjects: unknown; escSubject: unknown },
): object[] {
    return [
        {
            Sid: "PulumiDeploymentsOfThisAccountsCells",
            Effect: "Allow",
            Principal: { Federated: federated },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: deploymentsAudience(organization) },
                StringLike: { [`${PULUMI_OIDC_HOST}:sub`]: values.deploymentsSubjects },
            },
        },
        {
            Sid: "EscCredentialsEnvironmentOfThisAccount",
            Effect: "Allow",
            Principal: { Federated: federated },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: escAudience(organization), [`${PULUMI_OIDC_HOST}:sub`]: values.escSubject },
            },
        },
    ];
}

export function githubTrustStatements(federated: unknown, subject: unknown): object[] {
    return [
        {
            Sid: "GitHubActionsJobsOfThisAccount",
            Effect: "Allow",
            Principal: { Federated: federated },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: subject } },
        },
    ];
}

/** One account's deploy-role trust policy as IAM stores it (for IAM's size limit). */
export function resolvedDeployTrustPolicy(organization: string, account: string, trust: AccountTrust): object {
    return {
        Version: "2012-10-17",
        Statement: deployTrustStatements(organization, `arn:aws:iam::${account}:oidc-provider/${PULUMI_OIDC_HOST}`, trust),
    };
}
