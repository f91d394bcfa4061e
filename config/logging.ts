// Where the tasks' command output goes and how long it stays.
import * as z from "zod";
import { DEFAULT_LOG_KEY_PREFIX, defaultLogRetention } from "./defaults";
import { Environment } from "./environment";
import { kmsKeyArn, wholeNumber } from "./fields";

export const loggingFields = z
    .object({
        bucketName: z
            .string({ error: "must be an S3 bucket name (3–63 lowercase letters, digits, . and -)" })
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3–63 lowercase letters, digits, . and -)" })
            .optional()
            .meta({ description: "An existing bucket to write to; default: the component creates one." }),
        // Segments of safe characters joined by single slashes: the same prefix is written by the
        // tasks, granted in the instance role's policy (where * would be a wildcard) and expired.
        keyPrefix: z
            .string({ error: 'must be an S3 key prefix, e.g. "patching" or "logs/ssm"' })
            .regex(/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*$/, {
                error: 'must be an S3 key prefix of letters, digits and !_.\'()- in segments joined by single slashes, with no leading or trailing slash and no *, e.g. "patching" or "logs/ssm"',
            })
            .max(200, { error: "must be at most 200 characters" })
            .optional()
            .meta({ description: `The key prefix of the command output; default "${DEFAULT_LOG_KEY_PREFIX}".` }),
        expireAfterDays: wholeNumber(1, 3650, "days")
            .optional()
            .meta({ description: "Days before log objects expire; default 365 for acceptance and production, 90 otherwise." }),
        retainOnDelete: z
            .boolean({ error: "must be true or false" })
            .optional()
            .meta({ description: "Keep the bucket and its logs when the stack is destroyed; default: in production only." }),
        kmsKeyArn: kmsKeyArn().optional().meta({ description: "A KMS key to encrypt the logs with (SSE-KMS); default SSE-S3." }),
    })
    .strict()
    .meta({ id: "LoggingSettings", description: "Where patching command output goes and how long it stays." });

/** The log settings of the model: the environment's retention where the stack sets none. */
export function loggingConfig(l: z.output<typeof loggingFields>, environment: Environment) {
    const retention = defaultLogRetention(environment);
    return {
        /** An existing bucket to write to; absent: the program creates one. */
        ...(l.bucketName !== undefined ? { bucketName: l.bucketName } : {}),
        keyPrefix: l.keyPrefix ?? DEFAULT_LOG_KEY_PREFIX,
        expireAfterDays: l.expireAfterDays ?? retention.expireAfterDays,
        /** Keep the bucket (and its logs) when the stack is destroyed. */
        retainOnDelete: l.retainOnDelete ?? retention.retainOnDelete,
        /** SSE-KMS with this key; absent: SSE-S3. */
        ...(l.kmsKeyArn !== undefined ? { kmsKeyArn: l.kmsKeyArn } : {}),
    };
}

export type LoggingConfig = ReturnType<typeof loggingConfig>;
