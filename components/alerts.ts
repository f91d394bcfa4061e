import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { neverFromManagedNodes, notificationRoleTrustPolicy } from "./iam";
import { NotificationEvent } from "../config";
import { slug } from "../config/naming";
import { RESOURCE_TYPES } from "../config/resourceTypes";

/** EventBridge detail-type of a maintenance window execution changing state (SSM user guide, "EventBridge event examples"). */
export const WINDOW_EXECUTION_DETAIL_TYPE = "Maintenance Window Execution State-change Notification";

/**
 * The window-execution statuses (SSM API MaintenanceWindowExecutionStatus) that match the task
 * notification events: the rule alerts on the same outcomes the tasks notify about. `undefined`
 * for "All": no status filter.
 */
export function windowExecutionStatuses(events: readonly NotificationEvent[]): string[] | undefined {
    if (events.includes("All")) return undefined;
    const map: Record<Exclude<NotificationEvent, "All">, string> = {
        Failed: "FAILED",
        TimedOut: "TIMED_OUT",
        Cancelled: "CANCELLED",
        Success: "SUCCESS",
        InProgress: "IN_PROGRESS",
    };
    return events.map((e) => map[e as Exclude<NotificationEvent, "All">]);
}

/**
 * EventBridge detail-type of a maintenance window being disabled or enabled, status ENABLED or
 * DISABLED (SSM user guide, "EventBridge event examples", Window State Change): the alarm stop
 * disabling the windows, and `pulumi up --refresh` enabling them again.
 */
export const WINDOW_STATE_DETAIL_TYPE = "Maintenance Window State-change Notification";

/**
 * EventBridge pattern for this stack's windows: executions ending in one of `statuses`, and the
 * windows being disabled or enabled (an execution never has those statuses, a state change never
 * the others, so one status list serves both).
 */
export function failedWindowEventPattern(windowIds: string[], statuses: string[] | undefined): object {
    return {
        source: ["aws.ssm"],
        "detail-type": [WINDOW_EXECUTION_DETAIL_TYPE, WINDOW_STATE_DETAIL_TYPE],
        detail: { "window-id": windowIds, ...(statuses ? { status: [...statuses, "DISABLED", "ENABLED"] } : {}) },
    };
}

/**
 * Key policy of the topic's key. The AWS managed key alias/aws/sns cannot be used: its key policy
 * admits only principals of the account acting through SNS, so EventBridge (a service principal)
 * could not publish to the topic. This key lets the account administer it through IAM and lets
 * EventBridge encrypt messages for this account's topics in this region. SNS does not support
 * aws:SourceAccount, aws:SourceArn or aws:SourceOrgID in the key policy for EventBridge-to-encrypted
 * topics (a condition on them drops every event silently), so the statement is scoped by the
 * topic ARN in the encryption context instead; the source conditions stay on the topic policy.
 */
export function topicKeyPolicy(partition: string, accountId: string, region: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "EventBridgePublishesToTheTopic",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:${partition}:sns:${region}:${accountId}:*` } },
            },
        ],
    };
}

export function notificationPublishPolicy(topicArn: string, keyArn?: string): object {
    // SSM assumes the role: it must not serve a hybrid node given it through an activation.
    const statements: object[] = [
        { Sid: "PublishPatchingAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
        neverFromManagedNodes(),
    ];
    if (keyArn)
        statements.push({ Sid: "EncryptForTheTopic", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn });
    return { Version: "2012-10-17", Statement: statements };
}

/** The window role may hand the notification role to SSM, and nothing else. */
export function passNotificationRolePolicy(notificationRoleArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PassNotificationRoleToSsm",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: notificationRoleArn,
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
        ],
    };
}

/** EventBridge detail-type of an Automation execution changing status (SSM user guide, "EventBridge event examples"). */
export const AUTOMATION_EXECUTION_DETAIL_TYPE = "EC2 Automation Execution Status-change Notification";

/**
 * The program's own runbooks (the alarm stop, the change freezes) ending badly: a window left on
 * through a freeze, or an alarm that stopped nothing, would otherwise be silent (each runbook fails
 * its execution when a window was not followed). Statuses from SSM's AutomationExecutionStatus.
 */
export function failedRunbookEventPattern(runbooks: readonly string[]): object {
    return {
        source: ["aws.ssm"],
        "detail-type": [AUTOMATION_EXECUTION_DETAIL_TYPE],
        detail: { Definition: [...runbooks], Status: ["Failed", "TimedOut", "Cancelled"] },
    };
}

/**
 * A server registering with an activation: the SSM Agent calls the RegisterManagedInstance API with
 * the activation's id and code (amazon-ssm-agent, agent/ssm/anonauth: "calls the RegisterManagedInstance
 * SSM API"), and CloudTrail delivers API calls to EventBridge as "AWS API Call via CloudTrail" events
 * (EventBridge user guide, "AWS service events delivered via AWS CloudTrail"). SSM sends no event of
 * its own for a registration; this one needs a CloudTrail trail recording management events in the region.
 */
export const REGISTRATION_EVENT_PATTERN = {
    source: ["aws.ssm"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["ssm.amazonaws.com"], eventName: ["RegisterManagedInstance"] },
};

export interface AlertsArgs {
    readonly partition: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** Subscribed by e-mail. */
    readonly emails: readonly string[];
    /** Notify this existing topic instead of creating one. */
    readonly topicArn?: pulumi.Input<string>;
    /** Encrypt the created topic with this key instead of a key the component creates. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly events: readonly NotificationEvent[];
    /** The window role the program created: it gets iam:PassRole on the notification role. */
    readonly windowRoleName?: pulumi.Input<string>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Where patching failures are heard: an encrypted SNS topic (or an existing one) with e-mail
 * subscriptions, the role Run Command publishes task notifications with, and — once the windows
 * exist (`watchWindows`) — an EventBridge rule on failed window executions.
 */
export class Alerts extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    /** Resolves once the role may publish and the window role may pass it. */
    readonly notificationRoleArn: pulumi.Output<string>;
    readonly events: readonly NotificationEvent[];
    private readonly topic?: aws.sns.Topic;
    private readonly accountId: pulumi.Input<string>;

    constructor(
        private readonly name: string,
        args: AlertsArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(RESOURCE_TYPES.Alerts, name, {}, opts);
        this.events = args.events;
        this.accountId = args.accountId;
        let keyArn: pulumi.Input<string> | undefined = args.kmsKeyArn;
        if (args.topicArn === undefined) {
            if (keyArn === undefined) {
                keyArn = new aws.kms.Key(
                    `${name}-key`,
                    {
                        description: "Encrypts the patch-manager alerts topic",
                        enableKeyRotation: true,
                        deletionWindowInDays: 30,
                        policy: pulumi
                            .all([args.partition, args.accountId, aws.getRegionOutput(undefined, { parent: this }).region])
                            .apply(([p, a, r]) => JSON.stringify(topicKeyPolicy(p, a, r))),
                        tags: args.tags,
                    },
                    { parent: this },
                ).arn;
            }
            this.topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: keyArn, tags: args.tags }, { parent: this });
        }
        const topicArn = this.topic ? this.topic.arn : pulumi.output(args.topicArn!);
        for (const email of args.emails) {
            new aws.sns.TopicSubscription(
                `${name}-${slug(email)}`,
                { topic: topicArn, protocol: "email", endpoint: email },
                { parent: this },
            );
        }

        const role = new aws.iam.Role(
            `${name}-notification-role`,
            {
                description: "Publishes patch-manager Run Command notifications to the alerts topic",
                assumeRolePolicy: pulumi.output(args.accountId).apply((a) => JSON.stringify(notificationRoleTrustPolicy(a))),
                tags: args.tags,
            },
            { parent: this },
        );
        const publish = new aws.iam.RolePolicy(
            `${name}-notification-publish`,
            {
                role: role.name,
                policy: pulumi.all([topicArn, keyArn]).apply(([t, k]) => JSON.stringify(notificationPublishPolicy(t, k))),
            },
            { parent: this },
        );
        const pass = args.windowRoleName
            ? new aws.iam.RolePolicy(
                  `${name}-pass-notification-role`,
                  { role: args.windowRoleName, policy: role.arn.apply((arn) => JSON.stringify(passNotificationRolePolicy(arn))) },
                  { parent: this },
              )
            : undefined;
        this.topicArn = topicArn;
        this.notificationRoleArn = pulumi.all([role.arn, publish.id, pass?.id]).apply(([arn]) => arn);
        this.registerOutputs({ topicArn: this.topicArn, notificationRoleArn: this.notificationRoleArn });
    }

    /**
     * An EventBridge rule that sends the executions of these windows that end badly to the topic; with
     * `registrations`, a second one for every server registering with a hybrid activation.
     */
    watchWindows(windowIds: pulumi.Input<string>[], watch: { registrations?: boolean; runbooks?: readonly string[] } = {}): void {
        const name = this.name;
        const rule = new aws.cloudwatch.EventRule(
            `${name}-failed-windows`,
            {
                description: "patch-manager maintenance windows that failed, timed out or were cancelled, or were disabled or enabled",
                eventPattern: pulumi
                    .all(windowIds)
                    .apply((ids) => JSON.stringify(failedWindowEventPattern(ids, windowExecutionStatuses(this.events)))),
            },
            { parent: this },
        );
        const registrations = watch.registrations
            ? new aws.cloudwatch.EventRule(
                  `${name}-hybrid-registrations`,
                  {
                      description: "A server registered with a patch-manager hybrid activation (a leaked code registers rogue nodes)",
                      eventPattern: JSON.stringify(REGISTRATION_EVENT_PATTERN),
                  },
                  { parent: this },
              )
            : undefined;
        const runbooks =
            watch.runbooks && watch.runbooks.length > 0
                ? new aws.cloudwatch.EventRule(
                      `${name}-failed-runbooks`,
                      {
                          description: "patch-manager's own runbooks (alarm stop, change freezes) that failed, timed out or were cancelled",
                          eventPattern: JSON.stringify(failedRunbookEventPattern(watch.runbooks)),
                      },
                      { parent: this },
                  )
                : undefined;
        const sources = pulumi.all([rule.arn, registrations?.arn, runbooks?.arn]).apply((arns) => {
            const present = arns.filter((a): a is string => a !== undefined);
            return present.length === 1 ? present[0] : present;
        });
        const policy = this.topic
            ? new aws.sns.TopicPolicy(
                  `${name}-topic-policy`,
                  {
                      arn: this.topic.arn,
                      policy: pulumi.all([this.topic.arn, sources, this.accountId]).apply(([topic, ruleArn, account]) =>
                          JSON.stringify({
                              Version: "2012-10-17",
                              Statement: [
                                  {
                                      Sid: "EventBridgePublishesFailedWindows",
                                      Effect: "Allow",
                                      Principal: { Service: "events.amazonaws.com" },
                                      Action: "sns:Publish",
                                      Resource: topic,
                                      Condition: {
                                          StringEquals: { "aws:SourceAccount": account },
                                          ArnEquals: { "aws:SourceArn": ruleArn },
                                      },
                                  },
                              ],
                          }),
                      ),
                  },
                  // A topic has one policy: the old one's deletion would reset what a new one set.
                  { parent: this, deleteBeforeReplace: true },
              )
            : undefined;
        new aws.cloudwatch.EventTarget(
            `${name}-failed-windows-to-topic`,
            { rule: rule.name, arn: this.topicArn },
            { parent: this, ...(policy ? { dependsOn: [policy] } : {}) },
        );
        if (registrations)
            new aws.cloudwatch.EventTarget(
                `${name}-hybrid-registrations-to-topic`,
                { rule: registrations.name, arn: this.topicArn },
                { parent: this, ...(policy ? { dependsOn: [policy] } : {}) },
            );
        if (runbooks)
            new aws.cloudwatch.EventTarget(
                `${name}-failed-runbooks-to-topic`,
                { rule: runbooks.name, arn: this.topicArn },
                { parent: this, ...(policy ? { dependsOn: [policy] } : {}) },
            );
    }
}
