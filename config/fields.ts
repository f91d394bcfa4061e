// Field schemas several keys share, each with a message that says what is valid.
import * as z from "zod";
import { shown } from "./errors";

// What the schemas' metadata may say beside a description (`.meta({...})`), for the generated
// PatchManagerArgs (tools/codegen/genArgs.ts).
declare module "zod" {
    interface GlobalMeta {
        /** A key or field of the whole stack, not of one deployment: PatchManagerArgs leaves it out. */
        wholeStack?: boolean;
        /** The type PatchManagerArgs declares for a value the schema takes in more forms than a program passes. */
        argsType?: "string";
    }
}

export const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, {
        error: (issue) =>
            `${issue.input === undefined ? "is required" : `${shown(issue.input)} is not valid`}: must be one of ${values.map((v) => `"${v}"`).join(", ")}`,
    });

/** What is valid, then the value given (as enum errors say it): "..., got 30"; "is required: ..." when absent. */
const withInput =
    (valid: string) =>
    (issue: { input?: unknown }): string =>
        issue.input === undefined ? `is required: ${valid}` : `${valid}, got ${shown(issue.input)}`;

export const wholeNumber = (min: number, max: number, what: string) => {
    const error = withInput(`must be a whole number of ${what} from ${min} to ${max}`);
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** A non-empty string of at most `max` characters, with a message that says so. */
export const text = (max: number, what: string) => {
    const error = withInput(`must be ${what}: a string of 1 to ${max} characters`);
    return z.string({ error }).min(1, { error }).max(max, { error });
};

/** A real calendar date as YYYY-MM-DD ("2026-13-45" is refused, not passed on to SSM). */
export const dateString = z
    .string({ error: "must be a date as YYYY-MM-DD" })
    .refine(
        (d) =>
            /^\d{4}-\d{2}-\d{2}$/.test(d) &&
            !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
            new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        { error: (issue) => `${shown(issue.input)} is not a date; write YYYY-MM-DD, e.g. 2027-01-31` },
    );

export const booleanFlag = () => z.boolean({ error: withInput("must be true or false") });

export const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\//;

/**
 * A KMS key ARN. An alias ARN is refused: in an IAM policy's Resource it names the alias, not the
 * key, so the grants the program writes for the key would allow nothing on it.
 */
export const kmsKeyArn = () =>
    z
        .string({ error: "must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key-id>" })
        .refine((v) => !KMS_ALIAS_ARN.test(v), {
            error: "is an alias ARN, which grants nothing on the key in an IAM policy; give the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>, see aws kms describe-key --key-id <alias ARN>)",
            abort: true,
        })
        .regex(KMS_KEY_ARN, { error: "must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key-id>" });

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
