import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { automationYaml } from "./automationYaml";
import { automationExecutions, neverFromManagedNodes, serviceTrust } from "./iam";

// The program's own Automation runbooks that EventBridge starts (the alarm stop, the change
// freezes): each document, the role it runs as, and the rule's role and target that start it.

type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** Where one of the program's runbooks lives: the account and region its ARNs name, and its tags. */
export interface RunbookPlace {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    readonly tags: Tags;
}

/** One of the program's Automation runbooks and the role it runs as. */
export interface OwnRunbook {
    readonly document: aws.ssm.Document;
    /** The role the runbook runs as: trusted by SSM only for this account's automation executions. */
    readonly role: aws.iam.Role;
    /** What EventBridge starts: the document's default version. */
    readonly definitionArn: pulumi.Output<string>;
    /** What ssm:StartAutomationExecution of it is authorized on (components/strategies.ts startAutomationArns). */
    readonly startArns: pulumi.Output<string[]>;
}

/**
 * An Automation document's content as the program writes it: YAML. `aws:executeScript`'s inline
 * `Script` "is not supported for JSON runbooks. JSON runbooks must provide script content using the
 * `Attachment` input parameter" (tests/facts/awsFacts.json `automation-execute-script-inline-yaml`),
 * and the program's runbooks carry their Python inline. No aliases: every repeated value written out.
 * tests/facts/ssmDocuments.test.ts reads every shipped runbook under YAML 1.1 and 1.2 alike.
 */
export const AUTOMATION_FORMAT = "YAML";
/** `yaml`'s options for it (components/automationYaml.ts writes the same text for the documents it can). */
export const AUTOMATION_YAML = { version: "1.1", aliasDuplicateObjects: false, lineWidth: 0 } as const;
export function automationContent(document: object): string {
    // YAML 1.1's rules for quoting: SSM's parser version is not documented, and under 1.1 a plain
    // yes, on, off or 1:30 (a group name, say) would read as a boolean or a number.
    const content = automationYaml(document) ?? stringify(document, AUTOMATION_YAML);
    if (written.size >= 64) written.delete(written.keys().next().value!);
    // As JSON: what the caller does to its object later is not in the text either. A value JSON
    // cannot hold (a BigInt) is not kept: such a document is read from its YAML.
    try {
        written.set(content, JSON.stringify(document));
    } catch {
        written.delete(content);
    }
    return content;
}

/** The last documents this process wrote, by their content: how each reads back. */
const written = new Map<string, string>();

/**
 * What `content` reads as, when this process wrote it with `automationContent` (the document it
 * was written from, as a new copy: tests/components/runbookContent.test.ts checks that every
 * shipped runbook reads back as it), else undefined: the offline plan reads the program's runbooks
 * without parsing the YAML it just wrote.
 */
export function writtenAutomationDocument(content: string): unknown {
    const json = written.get(content);
    return json === undefined ? undefined : JSON.parse(json);
}

/** Creates `<name>-runbook` (a YAML Automation document of a fixed name), `<name>-automation-role` and its `<name>-not-from-nodes` policy. */
export function ownRunbook(
    name: string,
    args: {
        readonly runbookName: pulumi.Input<string>;
        /** The document's content, or a function of the role's ARN (a runbook whose AutomationAssumeRole defaults to its own role). */
        readonly content: pulumi.Input<object> | ((roleArn: pulumi.Output<string>) => pulumi.Input<object>);
        readonly roleDescription: string;
    } & Omit<RunbookPlace, "tags"> &
        Partial<Pick<RunbookPlace, "tags">>,
    opts: pulumi.CustomResourceOptions,
): OwnRunbook {
    const newRole = () =>
        new aws.iam.Role(
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
    const newDocument = (content: pulumi.Input<object>) =>
        new aws.ssm.Document(
            `${name}-runbook`,
            {
                name: args.runbookName,
                documentType: "Automation",
                documentFormat: AUTOMATION_FORMAT,
                content: pulumi.output(content).apply(automationContent),
                tags: args.tags,
            },
            // A document's name is unique in the account and region.
            { ...opts, deleteBeforeReplace: true },
        );
    // The document first, as the alarm stop and the freezes always registered them; one that names its role after it.
    const content = args.content;
    let role: aws.iam.Role;
    let document: aws.ssm.Document;
    if (typeof content === "function") {
        role = newRole();
        document = newDocument(content(role.arn));
    } else {
        document = newDocument(content);
        role = newRole();
    }
    // SSM may assume the role: it must not serve a hybrid node given it through an activation.
    new aws.iam.RolePolicy(
        `${name}-not-from-nodes`,
        { role: role.name, policy: JSON.stringify({ Version: "2012-10-17", Statement: [neverFromManagedNodes()] }) },
        opts,
    );
    const definitionArn = pulumi.interpolate`arn:${args.partition}:ssm:${args.region}:${args.accountId}:automation-definition/${document.name}:$DEFAULT`;
    // What starting it is authorized on (startAutomationArns): the definition, the document, its executions.
    const startArns = pulumi
        .all([definitionArn, args.partition, args.region, args.accountId, document.name])
        .apply(([d, p, r, a, n]) => [d, `arn:${p}:ssm:${r}:${a}:document/${n}`, `arn:${p}:ssm:${r}:${a}:automation-execution/*`]);
    return { document, role, definitionArn, startArns };
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
            policy: pulumi.all([runbook.startArns, runbook.role.arn]).apply(([startArns, roleArn]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: startArns },
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
