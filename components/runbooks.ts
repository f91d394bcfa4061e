import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { automationExecutions, neverFromManagedNodes, serviceTrust } from "./iam";

// The program's own Automation runbooks that EventBridge starts (the alarm stop, the change
// freezes): each document, the role it runs as, and the rule's role and target that start it.

type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** One of the program's Automation runbooks and the role it runs as. */
export interface OwnRunbook {
    readonly document: aws.ssm.Document;
    /** The role the runbook runs as: trusted by SSM only for this account's automation executions. */
    readonly role: aws.iam.Role;
    /** What EventBridge starts: the document's default version. */
    readonly definitionArn: pulumi.Output<string>;
}

/** Creates `<name>-runbook` (a JSON Automation document of a fixed name), `<name>-automation-role` and its `<name>-not-from-nodes` policy. */
export function ownRunbook(
    name: string,
    args: {
        readonly runbookName: pulumi.Input<string>;
        readonly content: pulumi.Input<string>;
        readonly roleDescription: string;
        readonly partition: pulumi.Input<string>;
        readonly region: pulumi.Input<string>;
        readonly accountId: pulumi.Input<string>;
        readonly tags?: Tags;
    },
    opts: pulumi.CustomResourceOptions,
): OwnRunbook {
    const document = new aws.ssm.Document(
        `${name}-runbook`,
        { name: args.runbookName, documentType: "Automation", documentFormat: "JSON", content: args.content, tags: args.tags },
        // A document's name is unique in the account and region.
        { ...opts, deleteBeforeReplace: true },
    );
    const role = new aws.iam.Role(
        `${name}-automation-role`,
        {
            description: args.roleDescription,
            assumeRolePolicy: pulumi
                .all([args.partition, args.accountId])
                .apply(([p, a]) => JSON.stringify(serviceTrust("ssm.amazonaws.com", a, automationExecutions(p, a)))),
            tags: args.tags,
        },
        opts,
    );
    // SSM may assume the role: it must not serve a hybrid node given it through an activation.
    new aws.iam.RolePolicy(
        `${name}-not-from-nodes`,
        { role: role.name, policy: JSON.stringify({ Version: "2012-10-17", Statement: [neverFromManagedNodes()] }) },
        opts,
    );
    const definitionArn = pulumi.interpolate`arn:${args.partition}:ssm:${args.region}:${args.accountId}:automation-definition/${document.name}:$DEFAULT`;
    return { document, role, definitionArn };
}

/**
 * Starts the runbook on a rule's events: EventBridge's role `<name>-events-role`, trusted by
 * events.amazonaws.com only on behalf of that rule (aws:SourceArn), may start that runbook and
 * pass the runbook's own role to SSM, nothing else (`<name>-start-runbook`); the target
 * `targetName` hands the runbook its role (and whatever else `input` puts beside it).
 */
export function startOnRule(
    name: string,
    runbook: OwnRunbook,
    rule: aws.cloudwatch.EventRule,
    args: {
        readonly roleDescription: string;
        readonly targetName: string;
        readonly accountId: pulumi.Input<string>;
        readonly tags?: Tags;
        /** The runbook's parameters from its role's ARN: a JSON input, or an input transformer's template with its paths. */
        readonly input:
            | { readonly json: (roleArn: string) => string }
            | { readonly template: (roleArn: string) => string; readonly paths: Record<string, string> };
        /** What must exist before the rule may start the runbook (its role's own policy). */
        readonly dependsOn: pulumi.Resource[];
    },
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.EventTarget {
    const eventsRole = new aws.iam.Role(
        `${name}-events-role`,
        {
            description: args.roleDescription,
            assumeRolePolicy: pulumi
                .all([args.accountId, rule.arn])
                .apply(([a, ruleArn]) => JSON.stringify(serviceTrust("events.amazonaws.com", a, ruleArn))),
            tags: args.tags,
        },
        opts,
    );
    const start = new aws.iam.RolePolicy(
        `${name}-start-runbook`,
        {
            role: eventsRole.name,
            policy: pulumi.all([runbook.definitionArn, runbook.role.arn]).apply(([definition, roleArn]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: definition },
                        {
                            Effect: "Allow",
                            Action: "iam:PassRole",
                            Resource: roleArn,
                            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                        },
                    ],
                }),
            ),
        },
        opts,
    );
    const input = args.input;
    return new aws.cloudwatch.EventTarget(
        args.targetName,
        {
            rule: rule.name,
            arn: runbook.definitionArn,
            roleArn: eventsRole.arn,
            ...("json" in input
                ? { input: runbook.role.arn.apply(input.json) }
                : { inputTransformer: { inputPaths: input.paths, inputTemplate: runbook.role.arn.apply(input.template) } }),
        },
        { ...opts, dependsOn: [...args.dependsOn, start] },
    );
}
