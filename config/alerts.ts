// Who hears about a maintenance window or task that did not finish well.
import * as z from "zod";
import { DEFAULT_NOTIFICATION_EVENTS } from "./defaults";
import { kmsKeyArn } from "./fields";

/** notificationEvents of a Run Command task (SSM API NotificationEvent). */
export const NOTIFICATION_EVENTS = ["All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

export const alertsFields = z
    .object({
        emails: z
            .array(z.string().regex(EMAIL, { error: 'must be an e-mail address, e.g. "ops@example.com"' }), {
                error: "must be a list of e-mail addresses",
            })
            .optional()
            .meta({ description: "Addresses subscribed to the topic; each confirms its subscription by mail." }),
        topicArn: z
            .string()
            .regex(SNS_TOPIC_ARN, { error: "must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>" })
            .optional()
            .meta({
                description: "An existing SNS topic of the deployment's region to notify; default: the component creates an encrypted one.",
            }),
        kmsKeyArn: kmsKeyArn().optional().meta({ description: "A KMS key for the created topic; default: the component creates one." }),
        events: z
            .array(z.enum(NOTIFICATION_EVENTS, { error: `must be one of ${NOTIFICATION_EVENTS.map((e) => `"${e}"`).join(", ")}` }))
            .min(1, { error: "must name at least one event" })
            .optional()
            .meta({ description: `Which outcomes alert; default ${DEFAULT_NOTIFICATION_EVENTS.join(", ")}.` }),
    })
    .strict()
    .meta({ id: "AlertsSettings", description: "Failed, timed-out and cancelled patching to e-mail or an existing topic." });

export const alertsSchema = alertsFields.transform((a) => ({
    /** E-mail addresses subscribed to the topic (each confirms the subscription by mail). */
    emails: a.emails ?? [],
    /** An existing topic to notify; absent: the program creates an encrypted one. */
    ...(a.topicArn !== undefined ? { topicArn: a.topicArn } : {}),
    /** KMS key for the created topic; absent: the program creates a key (alias/aws/sns would shut EventBridge out). */
    ...(a.kmsKeyArn !== undefined ? { kmsKeyArn: a.kmsKeyArn } : {}),
    events: a.events ?? [...DEFAULT_NOTIFICATION_EVENTS],
}));

/** The `alerts` key: who is told, through which topic, about which outcomes. */
export type AlertsConfig = z.output<typeof alertsSchema>;
