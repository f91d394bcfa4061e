// The corpus: other people's infrastructure, translated faithfully to Pulumi resources, with the
// findings a careful reviewer expects the pack to report on it (and nothing else).

/** Where the definition comes from: a public repository at a commit, or a documentation page. */
export interface CorpusSource {
    /** e.g. "cloudposse/terraform-aws-ssm-patch-manager", or "pulumi/pulumi-aws (docs)". */
    readonly repository: string;
    /** The file(s) translated, relative to the repository. */
    readonly path: string;
    /** The commit (40 hex) or release tag read. */
    readonly commit: string;
    /** A link a person can open. */
    readonly url: string;
    /** What was translated and how (inputs renamed to Pulumi's, variables given their defaults, ...). */
    readonly translation: string;
}

/** One finding the pack should report, with why it is right. */
export interface ExpectedFinding {
    /** The rule's name (policies/README.md). */
    readonly policy: string;
    /** The logical name of the resource the finding is about (for a stack-wide finding: "stack"). */
    readonly resource: string;
    readonly level: "mandatory" | "advisory";
    /** Why this is a real risk, with the AWS or provider source that says so. */
    readonly reason: string;
}

/** A finding the pack used to report (or might) that is not one, with why. */
export interface RejectedFinding {
    readonly policy: string;
    readonly resource: string;
    /** "false-positive": wrong; "replacement-only": matters only for a Pulumi replacement the inputs cannot cause; "noise": restates a default. */
    readonly verdict: "false-positive" | "replacement-only" | "noise";
    readonly reason: string;
}

export interface CorpusEntry {
    readonly source: CorpusSource;
    /** A stack unrelated to patching (a website, a cluster): the pack must report nothing at all. */
    readonly unrelated?: boolean;
    readonly expected: readonly ExpectedFinding[];
    readonly rejected: readonly RejectedFinding[];
    /** The translated program, evaluated under Pulumi's mock runtime (tools/mock/mockProgram.ts evaluateProgram). */
    readonly program: () => unknown;
}

/**
 * A patching window's task without serviceRoleArn (task-own-service-role): the same finding in each
 * definition that leaves the role out.
 */
export const taskWithoutOwnRole = (resource: string): ExpectedFinding => ({
    policy: "task-own-service-role",
    resource,
    level: "mandatory",
    reason:
        'RegisterTaskWithMaintenanceWindow API reference (ServiceRoleArn): "If you do not specify a service role ARN, Systems Manager ' +
        'uses a service-linked role in your account"; that role (AWSServiceRoleForAmazonSSM, policy AmazonSSMServiceRolePolicy) ' +
        "may call ssm:SendCommand and ssm:StartAutomationExecution on every document and node, and registering or updating a task " +
        "that uses it needs no iam:PassRole. The SSM User Guide ('Should I use a service-linked role or a custom service role to run " +
        "maintenance window tasks?') recommends a custom role; this patching task names none (issue 18 reverses issue #23's " +
        "no-finding for patching windows only: policies/README.md, Decisions).",
});
