// The `sub` claim of each token that can reach an account's deploy role, as the issuer writes it.
// One pure function per issuer; the StackSet's trust policies are built from these and nothing
// else, and tests/org/oidcSubjects.test.ts holds them against the issuers' documented examples.
//
// Sources:
// - Pulumi Deployments: "pulumi:deploy:org:contoso:project:core:stack:dev:operation:update:scope:write"
//   (pulumi/docs, content/docs/pulumi-cloud/access-management/oidc/provider/azure.md and gcp.md:
//   one subject per operation preview, update, refresh, destroy).
// - Pulumi ESC (pulumi/docs, content/docs/esc/guides/configuring-oidc/_index.md, "Custom token claim"):
//   without subjectAttributes "pulumi:environments:org:<organization name>:env:<project name>/<environment name>";
//   with them "the subject instead begins with the fixed prefix pulumi:environments:pulumi.organization.login:{ORGANIZATION_NAME},
//   and each configured attribute is appended to it as a :<attribute>:<value> pair, in the order listed";
//   "currentEnvironment.name: the full name (including the project) of the environment where the ESC
//   login provider and subjectAttributes are defined".
// - ESC opened by a stack (`pulumi config env add`): "the default subject identifier of the environment
//   will be pulumi:environments:org:contoso:env:<yaml>. The literal value of <yaml> need to be used and
//   will be the same for all environments" (pulumi/docs, content/docs/esc/guides/configuring-oidc/aws.md;
//   pulumi/pulumi#14509).
// - GitHub Actions (docs.github.com, "About security hardening with OpenID Connect"): a job that
//   references an environment gets "repo:<orgName/repoName>:environment:<environmentName>"; the
//   branch form "repo:<orgName/repoName>:ref:refs/heads/branchName" only when the job names no environment.

/** What Pulumi Deployments runs; each is a distinct subject. */
export const DEPLOYMENT_OPERATIONS = ["preview", "update", "refresh", "destroy"] as const;
export type DeploymentOperation = (typeof DEPLOYMENT_OPERATIONS)[number];

/** The attributes ESC may put in a subject (a fixed list: values Pulumi attests, none the caller chooses). */
export const ESC_SUBJECT_ATTRIBUTES = [
    "rootEnvironment.name",
    "currentEnvironment.name",
    "pulumi.user.login",
    "pulumi.organization.login",
] as const;
export type EscSubjectAttribute = (typeof ESC_SUBJECT_ATTRIBUTES)[number];

/** The root an environment opened through a stack's config has: an anonymous environment. */
export const ANONYMOUS_ENVIRONMENT = "<yaml>";

/** One way a token is obtained. */
export type CredentialRequest =
    | {
          readonly kind: "deployments";
          readonly organization: string;
          readonly project: string;
          readonly stack: string;
          readonly operation: DeploymentOperation;
      }
    | {
          readonly kind: "esc";
          readonly organization: string;
          /** `<project>/<name>` of the environment that holds `fn::open::aws-login`. */
          readonly loginEnvironment: string;
          /**
           * `direct`: that environment (or one importing it, `root`) is opened by name (`esc env open`,
           * `pulumi env run`); `stack`: a stack's config opens it (`pulumi config env add`), through an
           * anonymous environment that imports it.
           */
          readonly opened: { readonly via: "direct"; readonly root: string } | { readonly via: "stack" };
          readonly subjectAttributes?: readonly EscSubjectAttribute[];
          readonly user: string;
      }
    | { readonly kind: "github"; readonly repository: string; readonly ref: string; readonly environment?: string };

/** The environment ESC names when the request is opened: the named root, or the anonymous one. */
function escRoot(r: Extract<CredentialRequest, { kind: "esc" }>): string {
    return r.opened.via === "direct" ? r.opened.root : ANONYMOUS_ENVIRONMENT;
}

/** The exact `sub` claim the issuer puts in the token for this request. */
export function oidcSubject(r: CredentialRequest): string {
    switch (r.kind) {
        case "deployments":
            return `pulumi:deploy:org:${r.organization}:project:${r.project}:stack:${r.stack}:operation:${r.operation}:scope:write`;
        case "esc": {
            if (!r.subjectAttributes || r.subjectAttributes.length === 0)
                return `pulumi:environments:org:${r.organization}:env:${escRoot(r)}`;
            const value = (a: EscSubjectAttribute): string => {
                switch (a) {
                    case "rootEnvironment.name":
                        return escRoot(r);
                    case "currentEnvironment.name":
                        return r.loginEnvironment;
                    case "pulumi.user.login":
                        return r.user;
                    case "pulumi.organization.login":
                        return r.organization;
                }
            };
            return [
                `pulumi:environments:pulumi.organization.login:${r.organization}`,
                ...r.subjectAttributes.map((a) => `${a}:${value(a)}`),
            ].join(":");
        }
        case "github":
            return r.environment !== undefined ? `repo:${r.repository}:environment:${r.environment}` : `repo:${r.repository}:ref:${r.ref}`;
    }
}

/**
 * The subject pattern (IAM StringLike) that admits every operation of one stack and nothing else:
 * stack names hold no `:`, `*` or `?` (org/config.ts), so `:stack:<name>:operation:` ends the name.
 */
export function deploymentsStackPattern(organization: string, project: string, stack: string): string {
    return `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:operation:*:scope:write`;
}

/** The attributes the credentials environments set: the subject then names that environment, however it is opened. */
export const CREDENTIALS_SUBJECT_ATTRIBUTES: readonly EscSubjectAttribute[] = ["currentEnvironment.name"];

/** IAM's StringLike: `*` any run of characters (`:` too), `?` exactly one; the rest literal and case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
    const re = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${re}$`, "s").test(value);
}
