import { z } from "zod";
import {
    BASELINE_LIMITS,
    COMPLIANCE_LEVELS,
    HYBRID_LIMITS,
    IAM_ROLE_ARN_PATTERN,
    MAX_CONCURRENCY_PATTERN,
    MAX_ERRORS_PATTERN,
    OPERATING_SYSTEMS,
    OperatingSystem,
    PATCH_FILTER_KEYS,
    PATCH_GROUP_PATTERN,
    PATCH_GROUP_TAG_KEYS,
    PatchGroupTagKey,
    QUOTAS,
    REJECTED_PATCHES_ACTIONS,
} from "@patch-manager/ssm";
import { ApprovalRule, defaultApprovalRules, filterKeyProblem, supportsApprovalDelay, windows2012SecurityRules } from "./approvalRules";
import { slug } from "./naming";
import { checkSchedule, checkTimezone, MAX_DAYS_AFTER_PATCH_TUESDAY, nextStarts, patchTuesdayPlus, TIME_OF_DAY } from "@patch-manager/ssm";
import {
    buildOperations,
    crossCheckOperations,
    Operations,
    OPERATIONS_BOOLEAN_KEYS,
    OPERATIONS_KEYS,
    OPERATIONS_SHAPES,
    OPERATIONS_STRUCTURED_KEYS,
} from "./operationsConfig";

export const PROJECT = "patch-manager";

export const ENVIRONMENTS = ["sandbox", "development", "test", "acceptance", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const WINDOWS = ["weekday", "weekend"] as const;
export type WindowKind = (typeof WINDOWS)[number];
export const OPERATIONS = ["Scan", "Install"] as const;
export type Operation = (typeof OPERATIONS)[number];
export const CUTOFF_BEHAVIORS = ["CONTINUE_TASK", "CANCEL_TASK"] as const;

/** A maintenance window's timing: one start time per match, the length from durationHours. */
export interface Schedule {
    readonly cron: string;
    readonly durationHours: number;
    readonly cutoffHours: number;
    /** SSM scheduleOffset: days after the cron match (1–6), e.g. "Thursday after Patch Tuesday". */
    readonly offsetDays?: number;
}

export interface RateControl {
    readonly maxConcurrency: string;
    readonly maxErrors: string;
}

export interface Baseline {
    readonly name: string;
    readonly operatingSystem: OperatingSystem;
    readonly description: string;
    readonly approvalRules: readonly ApprovalRule[];
    readonly approvedPatches: readonly string[];
    readonly rejectedPatches: readonly string[];
    readonly rejectedPatchesAction: (typeof REJECTED_PATCHES_ACTIONS)[number];
    readonly approvedPatchesComplianceLevel: (typeof COMPLIANCE_LEVELS)[number];
    /** Register as the account/region default for its OS (aws.ssm.DefaultPatchBaseline). */
    readonly registerAsDefault: boolean;
    /** True for the baselines the program adds for groups that name none. */
    readonly generated: boolean;
}

export interface PatchGroup {
    readonly name: string;
    /** Logical/physical name part, unique within the stack. */
    readonly slug: string;
    readonly operatingSystem: OperatingSystem;
    readonly baseline: string;
    /** The group's own window; undefined: patched in the environment window. */
    readonly schedule?: Schedule;
    readonly operation: Operation;
    readonly rateControl: RateControl;
    /** Servers outside AWS join the group through an SSM hybrid activation; undefined: EC2 only. */
    readonly hybrid?: Hybrid;
}

/** A patch group's hybrid activation (on-premises servers, other clouds' VMs). */
export interface Hybrid {
    /** How many servers may register with the group's activation (SSM RegistrationLimit, 1–1000). */
    readonly registrationLimit: number;
    /** How long an activation code stays valid (SSM allows at most 30 days; its default is 1). */
    readonly expiresInDays: number;
}

export interface Logging {
    /** An existing bucket to write to; undefined: the program creates one. */
    readonly bucketName?: string;
    readonly keyPrefix: string;
    readonly expireAfterDays: number;
    /** Keep the bucket (and its logs) when the stack is destroyed. */
    readonly retainOnDelete: boolean;
    /** SSE-KMS with this key; undefined: SSE-S3. */
    readonly kmsKeyArn?: string;
}

/** The validated, typed model of one stack's config: the only thing components read. */
export interface PatchManagerConfig {
    readonly stack: string;
    readonly environment: Environment;
    readonly production: boolean;
    readonly window: WindowKind;
    readonly environmentSchedule: Schedule;
    readonly timezone: string;
    readonly operation: Operation;
    readonly rateControl: RateControl;
    readonly approveAfterDays: number;
    readonly patchGroupTagKey: PatchGroupTagKey;
    readonly baselines: readonly Baseline[];
    readonly patchGroups: readonly PatchGroup[];
    readonly maintenanceWindowRoleArn?: string;
    readonly cutoffBehavior: (typeof CUTOFF_BEHAVIORS)[number];
    readonly logging: Logging;
    readonly tags: Readonly<Record<string, string>>;
    /** Alerts, compliance reporting, safe stops, private endpoints, regions (operationsConfig.ts). */
    readonly operations: Operations;
}

/** The seed's environment windows: weekday nights 22:00–03:00, weekend mornings 06:00–11:00. */
export function environmentWindowSchedule(window: WindowKind): Schedule {
    return window === "weekday"
        ? { cron: "cron(0 22 ? * MON-FRI *)", durationHours: 5, cutoffHours: 1 }
        : { cron: "cron(0 6 ? * SAT,SUN *)", durationHours: 5, cutoffHours: 1 };
}

export function isProductionLike(environment: Environment): boolean {
    return environment === "production" || environment === "acceptance";
}

/** Defaults per environment: production patches few instances at a time and stops early. */
export function defaultRateControl(environment: Environment): RateControl {
    switch (environment) {
        case "production":
            return { maxConcurrency: "10%", maxErrors: "5%" };
        case "acceptance":
            return { maxConcurrency: "25%", maxErrors: "10%" };
        default:
            return { maxConcurrency: "50%", maxErrors: "25%" };
    }
}

export function defaultApproveAfterDays(environment: Environment): number {
    return isProductionLike(environment) ? 7 : 3;
}

/** The seed's patch-group table. */
export const SEED_PATCH_GROUPS = [
    { name: "Windows", operatingSystem: "WINDOWS" },
    { name: "RHEL", operatingSystem: "REDHAT_ENTERPRISE_LINUX" },
    { name: "Windows2012", operatingSystem: "WINDOWS", baseline: "windows2012-security" },
    { name: "Management Server", operatingSystem: "WINDOWS" },
    { name: "Web Server", operatingSystem: "WINDOWS" },
    { name: "Application Server", operatingSystem: "WINDOWS" },
    { name: "Database Server", operatingSystem: "WINDOWS" },
] as const;

export const SEED_BASELINES = [
    {
        name: "windows2012-security",
        operatingSystem: "WINDOWS",
        description: "Windows Server 2012/2012 R2: every security and critical update",
        preset: "windows2012-security",
    },
] as const;

// ---------------------------------------------------------------------------
// Schema: the shape of each key. Messages say what is valid; cross-field rules
// (references, uniqueness, cutoff < duration) follow in crossCheck().

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, {
        error: (issue) =>
            `${issue.input === undefined ? "is required" : `${JSON.stringify(issue.input)} is not valid`}: must be one of ${values.map((v) => `"${v}"`).join(", ")}`,
    });

const scheduleExpression = z
    .string({ error: 'must be an SSM schedule expression string, e.g. "cron(0 23 ? * THU#1 *)"' })
    .superRefine((expr, ctx) => {
        for (const problem of checkSchedule(expr)) ctx.addIssue({ code: "custom", message: problem });
    });

const timezone = z.string({ error: 'must be an IANA time zone name, e.g. "Europe/Amsterdam"' }).superRefine((tz, ctx) => {
    for (const problem of checkTimezone(tz)) ctx.addIssue({ code: "custom", message: problem });
});

const wholeNumber = (min: number, max: number, what: string) =>
    z
        .number({ error: `must be a whole number of ${what} from ${min} to ${max}` })
        .int({ error: `must be a whole number of ${what} from ${min} to ${max}` })
        .min(min, { error: `must be a whole number of ${what} from ${min} to ${max}` })
        .max(max, { error: `must be a whole number of ${what} from ${min} to ${max}` });

// "N days after Patch Tuesday" in words; compiled to cron + scheduleOffset by patchTuesdayPlus.
const patchTuesdaySchema = z
    .object({
        daysAfter: wholeNumber(0, MAX_DAYS_AFTER_PATCH_TUESDAY, "days"),
        at: z
            .string({ error: 'must be a time of day, HH:MM on a 24-hour clock, e.g. "23:00"' })
            .regex(TIME_OF_DAY, { error: 'must be a time of day, HH:MM on a 24-hour clock, e.g. "23:00"' }),
    })
    .strict();

const scheduleSchema = z
    .object({
        cron: scheduleExpression.optional(),
        patchTuesday: patchTuesdaySchema.optional(),
        durationHours: wholeNumber(1, 24, "hours"),
        cutoffHours: wholeNumber(0, 23, "hours").optional(),
        offsetDays: wholeNumber(1, 6, "days").optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.cron === undefined && s.patchTuesday === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["cron"],
                message:
                    'is required unless patchTuesday is set: a cron like "cron(0 23 ? * THU#1 *)", or patchTuesday: {daysAfter: 2, at: "23:00"}',
            });
        }
        if (s.cron !== undefined && s.patchTuesday !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["patchTuesday"],
                message: "set cron or patchTuesday, not both: patchTuesday becomes the cron",
            });
        }
        if (s.patchTuesday !== undefined && s.offsetDays !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["offsetDays"],
                message: "cannot be combined with patchTuesday: put the whole delay in patchTuesday.daysAfter",
            });
        }
    });

const rateControlSchema = z
    .object({
        maxConcurrency: z.string({ error: 'must be a string: a count ("2") or a percentage ("10%")' }).regex(MAX_CONCURRENCY_PATTERN, {
            error: 'must be a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
        }),
        maxErrors: z.string({ error: 'must be a string: a count ("0", "2") or a percentage ("5%")' }).regex(MAX_ERRORS_PATTERN, {
            error: 'must be a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
        }),
    })
    .strict();

const patchGroupName = z.string({ error: "must be a string" }).regex(PATCH_GROUP_PATTERN, {
    error: "must be 1–256 characters of letters, digits, spaces and _.:/=+-@ (the Patch Group tag value)",
});

// Hybrid activations (issue 7): the API model's RegistrationLimit range and CreateActivation's 30-day expiry.
const hybridSchema = z
    .object(
        {
            registrationLimit: wholeNumber(HYBRID_LIMITS.registrationLimitMin, HYBRID_LIMITS.registrationLimitMax, "servers"),
            expiresInDays: wholeNumber(1, HYBRID_LIMITS.expiresInDaysMax, "days").optional(),
        },
        { error: "must be a map {registrationLimit, expiresInDays?}, e.g. {registrationLimit: 25, expiresInDays: 7}" },
    )
    .strict();

const patchGroupSchema = z
    .object({
        name: patchGroupName,
        operatingSystem: oneOf(OPERATING_SYSTEMS),
        baseline: z.string({ error: "must be the name of an entry in patch-manager:baselines" }).optional(),
        schedule: scheduleSchema.optional(),
        operation: oneOf(OPERATIONS).optional(),
        rateControl: rateControlSchema.optional(),
        hybrid: hybridSchema.optional(),
    })
    .strict();

/** A real calendar date as YYYY-MM-DD ("2026-13-45" is refused, not passed on to SSM). */
const dateString = z
    .string({ error: "must be a date as YYYY-MM-DD" })
    .refine(
        (d) =>
            /^\d{4}-\d{2}-\d{2}$/.test(d) &&
            !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
            new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        { error: (issue) => `${JSON.stringify(issue.input)} is not a date; write YYYY-MM-DD, e.g. 2027-01-31` },
    );

/** A non-empty string of at most `max` characters, with a message that says so. */
const text = (max: number, what: string) =>
    z
        .string({ error: `must be ${what}: a string of 1 to ${max} characters` })
        .min(1, { error: `must be ${what}: a string of 1 to ${max} characters` })
        .max(max, { error: `must be ${what}: a string of 1 to ${max} characters` });

const approvalRuleSchema = z
    .object({
        patchFilters: z
            .array(
                z
                    .object({
                        key: oneOf(PATCH_FILTER_KEYS),
                        values: z
                            .array(text(64, "a filter value"), { error: "must be a list of filter values" })
                            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values` })
                            .max(BASELINE_LIMITS.valuesPerFilter, {
                                error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values`,
                            }),
                    })
                    .strict(),
                { error: "must be a list of {key, values} filters" },
            )
            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` })
            .max(BASELINE_LIMITS.filtersPerRule, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` }),
        complianceLevel: oneOf(COMPLIANCE_LEVELS).optional(),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days").optional(),
        approveUntilDate: dateString.optional(),
        enableNonSecurity: z.boolean({ error: "must be true or false" }).optional(),
    })
    .strict();

const patchList = z
    .array(text(100, "a patch id or name"), { error: "must be a list of patch ids or names" })
    .max(BASELINE_LIMITS.patchList, { error: `must hold at most ${BASELINE_LIMITS.patchList} patches` });

const baselineSchema = z
    .object({
        name: z.string({ error: "must be a string" }).regex(/^[a-zA-Z0-9_\-.]{3,100}$/, {
            error: "must be 3–100 characters of letters, digits and _-. (it becomes part of the SSM baseline name)",
        }),
        operatingSystem: oneOf(OPERATING_SYSTEMS),
        description: text(1024, "a description").optional(),
        preset: oneOf(["windows2012-security"] as const).optional(),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days").optional(),
        approvalRules: z
            .array(approvalRuleSchema, { error: "must be a list of approval rules" })
            .max(BASELINE_LIMITS.rules, { error: `must hold at most ${BASELINE_LIMITS.rules} rules` })
            .optional(),
        approvedPatches: patchList.optional(),
        rejectedPatches: patchList.optional(),
        rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS).optional(),
        approvedPatchesComplianceLevel: oneOf(COMPLIANCE_LEVELS).optional(),
        registerAsDefault: z.boolean({ error: "must be true or false" }).optional(),
    })
    .strict();

const loggingSchema = z
    .object({
        bucketName: z
            .string({ error: "must be an S3 bucket name (3–63 lowercase letters, digits, . and -)" })
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3–63 lowercase letters, digits, . and -)" })
            .optional(),
        // Segments of safe characters joined by single slashes: the same prefix is written by the
        // tasks, granted in the instance role's policy (where * would be a wildcard) and expired.
        keyPrefix: z
            .string({ error: 'must be an S3 key prefix, e.g. "patching" or "logs/ssm"' })
            .regex(/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*$/, {
                error: 'must be an S3 key prefix of letters, digits and !_.\'()- in segments joined by single slashes, with no leading or trailing slash and no *, e.g. "patching" or "logs/ssm"',
            })
            .max(200, { error: "must be at most 200 characters" })
            .optional(),
        expireAfterDays: wholeNumber(1, 3650, "days").optional(),
        retainOnDelete: z.boolean({ error: "must be true or false" }).optional(),
        kmsKeyArn: z
            .string({ error: "must be a KMS key or alias ARN" })
            .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/, { error: "must be a KMS key or alias ARN" })
            .optional(),
    })
    .strict();

/** Tag keys and values as SSM, IAM and S3 all accept them (TagKey/TagValue in the SSM API model). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const tagsSchema = z
    .record(
        z.string(),
        // YAML reads `CostCenter: 1234` as a number; a tag value is its text.
        z
            .union([z.string(), z.number(), z.boolean()], { error: "must be a string (or number) tag value" })
            .transform(String)
            .pipe(
                z
                    .string()
                    .max(256, { error: "tag values have at most 256 characters" })
                    .regex(TAG_TEXT, { error: "tag values may hold letters, digits, spaces and _.:/=+-@ only" }),
            ),
        { error: "must be a map of tag key to value" },
    )
    .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags)) {
            const problem =
                key.length === 0 || key.length > 128
                    ? "tag keys have 1 to 128 characters"
                    : !TAG_TEXT.test(key)
                      ? "tag keys may hold letters, digits, spaces and _.:/=+-@ only"
                      : key.toLowerCase().startsWith("aws:")
                        ? 'tag keys starting with "aws:" are reserved by AWS'
                        : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
        if (Object.keys(tags).length > 47) {
            ctx.addIssue({
                code: "custom",
                message: "at most 47 tags: IAM allows 50 per role and the program adds ManagedBy, Environment and Stack",
            });
        }
    });

/** Every key of the `patch-manager:` namespace, with its schema. */
const KEYS = {
    environment: oneOf(ENVIRONMENTS),
    window: oneOf(WINDOWS),
    timezone,
    operation: oneOf(OPERATIONS),
    rateControl: rateControlSchema,
    approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days"),
    patchGroupTagKey: oneOf(PATCH_GROUP_TAG_KEYS),
    patchGroups: z
        .array(patchGroupSchema, { error: "must be a list of {name, operatingSystem, baseline?, schedule?}" })
        .min(1, { error: "must hold at least one patch group" }),
    baselines: z.array(baselineSchema, { error: "must be a list of {name, operatingSystem, approvalRules?, ...}" }),
    maintenanceWindowRoleArn: z.string().regex(IAM_ROLE_ARN_PATTERN, {
        error: "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>",
    }),
    cutoffBehavior: oneOf(CUTOFF_BEHAVIORS),
    logging: loggingSchema,
    tags: tagsSchema,
    ...OPERATIONS_KEYS,
} as const;

export type ConfigKey = keyof typeof KEYS;
/** Keys whose values are lists or maps: Pulumi passes them JSON-encoded. */
const STRUCTURED_KEYS = new Set<ConfigKey>(["rateControl", "patchGroups", "baselines", "logging", "tags", ...OPERATIONS_STRUCTURED_KEYS]);
/** Keys whose values are booleans: Pulumi passes "true"/"false". */
const BOOLEAN_KEYS = new Set<ConfigKey>([...OPERATIONS_BOOLEAN_KEYS]);
const NUMBER_KEYS = new Set<ConfigKey>(["approveAfterDays"]);

export const CONFIG_KEYS = Object.keys(KEYS) as ConfigKey[];

/** One problem with the config: where, and what is valid instead. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

/** Thrown before any resource is registered; Pulumi prints a RunError's message without a stack trace. */
export class ConfigError extends Error {
    readonly __pulumiRunError = true;
    readonly hideStack = true;
    constructor(
        readonly file: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${file}:\n` +
                problems.map((p) => `  ${file}: ${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
    /** One line per problem: "<file>: <key path>: <what is wrong and what is valid>". */
    lines(): string[] {
        return this.problems.map((p) => `${this.file}: ${p.path}: ${p.message}`);
    }
}

function keyPath(key: string, path: ReadonlyArray<PropertyKey>): string {
    let out = `${PROJECT}:${key}`;
    for (const part of path) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    return out;
}

/**
 * Validates raw stack config (the `patch-manager:` keys without namespace,
 * values as the Pulumi CLI passes them: strings, lists and maps JSON-encoded)
 * into the typed model. Reports every problem at once; throws ConfigError.
 */
export function parseConfig(
    raw: Readonly<Record<string, string | undefined>>,
    stack: string,
    file = `Pulumi.${stack}.yaml`,
): PatchManagerConfig {
    const problems: ConfigProblem[] = [];
    const values: Partial<Record<ConfigKey, unknown>> = {};

    for (const [key, text] of Object.entries(raw)) {
        if (text === undefined) continue;
        if (!(key in KEYS)) {
            problems.push({
                path: `${PROJECT}:${key}`,
                message: `unknown key; the keys are ${CONFIG_KEYS.join(", ")}`,
            });
            continue;
        }
        const k = key as ConfigKey;
        let value: unknown = text;
        if (BOOLEAN_KEYS.has(k)) {
            if (text !== "true" && text !== "false") {
                problems.push({ path: keyPath(k, []), message: `must be true or false, got ${JSON.stringify(text)}` });
                continue;
            }
            value = text === "true";
        } else if (STRUCTURED_KEYS.has(k) || NUMBER_KEYS.has(k)) {
            try {
                value = JSON.parse(text);
            } catch {
                problems.push({
                    path: keyPath(k, []),
                    message: `must be ${NUMBER_KEYS.has(k) ? "a number" : "a YAML list or map"}, got ${JSON.stringify(text)}`,
                });
                continue;
            }
        }
        const result = KEYS[k].safeParse(value);
        if (result.success) values[k] = result.data;
        else {
            for (const issue of result.error.issues) {
                if (valueAt(value, issue.path) === UNDECRYPTED_SECRET) continue;
                const message =
                    issue.code === "unrecognized_keys"
                        ? `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((x) => `"${x}"`).join(", ")}; ${validKeysAt(k, issue.path)}`
                        : issue.message;
                problems.push({ path: keyPath(k, issue.path), message });
            }
            values[k] = value; // keep the raw value for the cross-checks below
        }
    }
    if (values.environment === undefined && !problems.some((p) => p.path === `${PROJECT}:environment`)) {
        problems.push({
            path: `${PROJECT}:environment`,
            message: `is required: one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(", ")}`,
        });
    }

    const model = buildModel(values, stack);
    problems.push(...crossCheck(model, values));
    if (problems.length > 0) throw new ConfigError(file, problems);
    return model as PatchManagerConfig;
}

/**
 * What the offline plan passes for a `secure:` value it cannot decrypt. Such a value is not
 * checked (the real `pulumi up` gets the plaintext and checks it); the Pulumi CLI never passes it.
 */
export const UNDECRYPTED_SECRET = "[secret: not decrypted offline]";

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let v = value;
    for (const p of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
    return v;
}

function validKeysAt(key: ConfigKey, path: ReadonlyArray<PropertyKey>): string {
    const last = path.filter((p) => typeof p === "string").pop();
    const shapes: Record<string, z.ZodObject> = {
        rateControl: rateControlSchema,
        schedule: scheduleSchema,
        patchTuesday: patchTuesdaySchema,
        logging: loggingSchema,
        patchGroups: patchGroupSchema,
        baselines: baselineSchema,
        approvalRules: approvalRuleSchema,
        hybrid: hybridSchema,
        ...OPERATIONS_SHAPES,
    };
    const shape = shapes[String(last ?? key)];
    return shape ? `valid keys are ${Object.keys(shape.shape).join(", ")}` : "see the README for the valid keys";
}

type Loose = Partial<Record<ConfigKey, unknown>>;

/** Applies defaults. Works on partly invalid input too, so that cross-checks can still run. */
function buildModel(values: Loose, stack: string): Partial<PatchManagerConfig> {
    const environment = (ENVIRONMENTS as readonly unknown[]).includes(values.environment)
        ? (values.environment as Environment)
        : "development";
    const window = (values.window as WindowKind | undefined) ?? (isProductionLike(environment) ? "weekend" : "weekday");
    const operation = (values.operation as Operation | undefined) ?? "Install";
    const rateControl = (values.rateControl as RateControl | undefined) ?? defaultRateControl(environment);
    const approveAfterDays = typeof values.approveAfterDays === "number" ? values.approveAfterDays : defaultApproveAfterDays(environment);
    const production = environment === "production";

    const rawGroups: unknown[] = Array.isArray(values.patchGroups) ? values.patchGroups : [...SEED_PATCH_GROUPS];
    const rawBaselines: unknown[] = Array.isArray(values.baselines) ? values.baselines : [...SEED_BASELINES];

    const baselines: Baseline[] = rawBaselines.filter(isRecord).map((b) => {
        const os = b.operatingSystem as OperatingSystem;
        const days = typeof b.approveAfterDays === "number" ? b.approveAfterDays : approveAfterDays;
        const rules = Array.isArray(b.approvalRules)
            ? (b.approvalRules as Record<string, unknown>[]).filter(isRecord).map((r): ApprovalRule => ({
                  patchFilters: (r.patchFilters as ApprovalRule["patchFilters"]) ?? [],
                  complianceLevel: (r.complianceLevel as ApprovalRule["complianceLevel"]) ?? "UNSPECIFIED",
                  ...(r.approveUntilDate !== undefined
                      ? { approveUntilDate: r.approveUntilDate as string }
                      : supportsApprovalDelay(os)
                        ? { approveAfterDays: (r.approveAfterDays as number | undefined) ?? days }
                        : {}),
                  ...(r.enableNonSecurity !== undefined ? { enableNonSecurity: r.enableNonSecurity as boolean } : {}),
              }))
            : b.preset === "windows2012-security"
              ? windows2012SecurityRules(days)
              : (defaultApprovalRules(os, days) ?? []);
        return {
            name: String(b.name),
            operatingSystem: os,
            description: (b.description as string | undefined) ?? `${String(b.name)} (${os}), managed by ${PROJECT}`,
            approvalRules: rules,
            approvedPatches: (b.approvedPatches as string[] | undefined) ?? [],
            rejectedPatches: (b.rejectedPatches as string[] | undefined) ?? [],
            rejectedPatchesAction: (b.rejectedPatchesAction as Baseline["rejectedPatchesAction"] | undefined) ?? "BLOCK",
            approvedPatchesComplianceLevel:
                (b.approvedPatchesComplianceLevel as Baseline["approvedPatchesComplianceLevel"] | undefined) ?? "HIGH",
            registerAsDefault: b.registerAsDefault === true,
            generated: false,
        };
    });

    const groups: PatchGroup[] = rawGroups.filter(isRecord).map((g) => {
        const os = g.operatingSystem as OperatingSystem;
        const schedule = isRecord(g.schedule)
            ? {
                  ...scheduleStart(g.schedule),
                  durationHours: g.schedule.durationHours as number,
                  cutoffHours: (g.schedule.cutoffHours as number | undefined) ?? defaultCutoffHours(g.schedule.durationHours as number),
              }
            : undefined;
        return {
            name: String(g.name),
            slug: slug(String(g.name)),
            operatingSystem: os,
            baseline: (g.baseline as string | undefined) ?? generatedBaselineName(os),
            ...(schedule ? { schedule } : {}),
            operation: (g.operation as Operation | undefined) ?? operation,
            rateControl: (g.rateControl as RateControl | undefined) ?? rateControl,
            ...(isRecord(g.hybrid) ? { hybrid: hybridModel(g.hybrid) } : {}),
        };
    });

    // One generated baseline per OS that a group uses without naming a baseline.
    for (const group of groups) {
        if (group.baseline !== generatedBaselineName(group.operatingSystem)) continue;
        if (baselines.some((b) => b.name === group.baseline)) continue;
        const os = group.operatingSystem;
        baselines.push({
            name: group.baseline,
            operatingSystem: os,
            description: `Default ${os} baseline of ${PROJECT}: security first, approved after a delay`,
            approvalRules: defaultApprovalRules(os, approveAfterDays) ?? [],
            approvedPatches: [],
            rejectedPatches: [],
            rejectedPatchesAction: "BLOCK",
            approvedPatchesComplianceLevel: "HIGH",
            registerAsDefault: false,
            generated: true,
        });
    }

    const logging = isRecord(values.logging) ? values.logging : {};
    return {
        stack,
        environment,
        production,
        window,
        environmentSchedule: environmentWindowSchedule(window),
        timezone: (values.timezone as string | undefined) ?? "UTC",
        operation,
        rateControl,
        approveAfterDays,
        patchGroupTagKey: (values.patchGroupTagKey as PatchGroupTagKey | undefined) ?? "Patch Group",
        baselines,
        patchGroups: groups,
        ...(values.maintenanceWindowRoleArn !== undefined ? { maintenanceWindowRoleArn: values.maintenanceWindowRoleArn as string } : {}),
        // Production stops a rollout at the window's cutoff rather than let it run past the window.
        cutoffBehavior:
            (values.cutoffBehavior as PatchManagerConfig["cutoffBehavior"] | undefined) ?? (production ? "CANCEL_TASK" : "CONTINUE_TASK"),
        logging: {
            ...(logging.bucketName !== undefined ? { bucketName: logging.bucketName as string } : {}),
            keyPrefix: (logging.keyPrefix as string | undefined) ?? "patching",
            expireAfterDays: (logging.expireAfterDays as number | undefined) ?? (isProductionLike(environment) ? 365 : 90),
            retainOnDelete: (logging.retainOnDelete as boolean | undefined) ?? production,
            ...(logging.kmsKeyArn !== undefined ? { kmsKeyArn: logging.kmsKeyArn as string } : {}),
        },
        tags: (isRecord(values.tags) ? values.tags : {}) as Record<string, string>,
        operations: buildOperations(values),
    };
}

/** A group's hybrid settings with defaults: codes valid for SSM's own default of 24 hours. */
export function hybridModel(raw: Record<string, unknown>): Hybrid {
    return {
        registrationLimit: raw.registrationLimit as number,
        expiresInDays: (raw.expiresInDays as number | undefined) ?? HYBRID_LIMITS.expiresInDaysDefault,
    };
}

/** The start of a group schedule: its cron and offset as written, or compiled from patchTuesday. */
function scheduleStart(s: Record<string, unknown>): Pick<Schedule, "cron" | "offsetDays"> {
    const pt = s.patchTuesday;
    if (s.cron === undefined && isRecord(pt)) {
        try {
            const { cron, scheduleOffset } = patchTuesdayPlus(pt.daysAfter as number, pt.at as string);
            return { cron, ...(scheduleOffset !== undefined ? { offsetDays: scheduleOffset } : {}) };
        } catch {
            // Invalid patchTuesday: the schema has reported it already.
        }
    }
    return { cron: s.cron as string, ...(s.offsetDays !== undefined ? { offsetDays: s.offsetDays as number } : {}) };
}

/** No new task in the last hour of a window, where the window is long enough to spare one. */
export function defaultCutoffHours(durationHours: number): number {
    return durationHours > 1 ? 1 : 0;
}

/** The name of the baseline the program generates for groups of this OS that name none. */
export function generatedBaselineName(os: OperatingSystem): string {
    return `default-${slug(os)}`;
}

/** Rules that span keys. Defensive: the values may be partly invalid. */
function crossCheck(model: Partial<PatchManagerConfig>, values: Loose): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const groupsKey = values.patchGroups !== undefined ? "patchGroups" : undefined;
    const baselinesByName = new Map<string, { index: number; os: unknown }>();
    const rawBaselines = Array.isArray(values.baselines) ? values.baselines : undefined;

    rawBaselines?.forEach((b, i) => {
        if (!isRecord(b) || typeof b.name !== "string") return;
        const sameSlug = [...baselinesByName.entries()].find(([name]) => slug(name) === slug(b.name as string));
        if (baselinesByName.has(b.name)) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${b.name}" is already the name of baselines[${baselinesByName.get(b.name)!.index}]; baseline names must be unique`,
            });
        } else if (sameSlug) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${b.name}" gives the same resource names as baselines[${sameSlug[1].index}] ("${sameSlug[0]}"); rename one of them`,
            });
        } else baselinesByName.set(b.name, { index: i, os: b.operatingSystem });
        if (slug(b.name).startsWith("default-")) {
            problems.push({
                path: keyPath("baselines", [i, "name"]),
                message: `"${b.name}": names starting with "default-" are reserved for the baselines the program generates`,
            });
        }
        const os = b.operatingSystem as OperatingSystem;
        if (b.approveAfterDays !== undefined && (OPERATING_SYSTEMS as readonly unknown[]).includes(os) && !supportsApprovalDelay(os)) {
            problems.push({
                path: keyPath("baselines", [i, "approveAfterDays"]),
                message: `${os} baselines cannot delay approval (SSM refuses ApproveAfterDays for it); leave it out`,
            });
        }
        if (Array.isArray(b.approvalRules)) {
            b.approvalRules.forEach((r, j) => {
                if (!isRecord(r)) return;
                if (Array.isArray(r.patchFilters)) {
                    const seen = new Map<unknown, number>();
                    r.patchFilters.forEach((f, k) => {
                        if (!isRecord(f) || typeof f.key !== "string") return;
                        const misfit = (OPERATING_SYSTEMS as readonly unknown[]).includes(os) ? filterKeyProblem(os, f.key) : undefined;
                        if (misfit) {
                            problems.push({
                                path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]),
                                message: misfit,
                            });
                        }
                        if (seen.has(f.key)) {
                            problems.push({
                                path: keyPath("baselines", [i, "approvalRules", j, "patchFilters", k, "key"]),
                                message: `${f.key} is already patchFilters[${seen.get(f.key)}]; a rule takes each filter key once (put all its values in one filter)`,
                            });
                        } else seen.set(f.key, k);
                    });
                }
                if (r.approveAfterDays !== undefined && r.approveUntilDate !== undefined) {
                    problems.push({
                        path: keyPath("baselines", [i, "approvalRules", j]),
                        message: "set approveAfterDays or approveUntilDate, not both",
                    });
                }
                if (
                    r.approveAfterDays !== undefined &&
                    (OPERATING_SYSTEMS as readonly unknown[]).includes(os) &&
                    !supportsApprovalDelay(os)
                ) {
                    problems.push({
                        path: keyPath("baselines", [i, "approvalRules", j, "approveAfterDays"]),
                        message: `${os} baselines cannot delay approval (SSM refuses ApproveAfterDays for it); use approveUntilDate or leave it out`,
                    });
                }
            });
        } else if (
            b.preset === undefined &&
            (OPERATING_SYSTEMS as readonly unknown[]).includes(os) &&
            defaultApprovalRules(os, 0) === undefined
        ) {
            problems.push({
                path: keyPath("baselines", [i, "approvalRules"]),
                message: `is required for ${os}: there are no default approval rules for it`,
            });
        }
        if (b.preset === "windows2012-security" && b.operatingSystem !== "WINDOWS") {
            problems.push({
                path: keyPath("baselines", [i, "preset"]),
                message: 'preset "windows2012-security" needs operatingSystem WINDOWS',
            });
        }
    });
    const defaults = new Map<string, number>();
    rawBaselines?.forEach((b, i) => {
        if (!isRecord(b) || b.registerAsDefault !== true || typeof b.operatingSystem !== "string") return;
        const other = defaults.get(b.operatingSystem);
        if (other !== undefined) {
            problems.push({
                path: keyPath("baselines", [i, "registerAsDefault"]),
                message: `baselines[${other}] is already the default for ${b.operatingSystem}; an OS has one default baseline`,
            });
        } else defaults.set(b.operatingSystem, i);
    });

    const rawGroups = Array.isArray(values.patchGroups) ? values.patchGroups : [];
    const names = new Map<string, number>();
    const slugs = new Map<string, number>();
    rawGroups.forEach((g, i) => {
        if (!isRecord(g) || typeof g.name !== "string") return;
        const at = (...p: (string | number)[]) => keyPath(groupsKey ?? "patchGroups", [i, ...p]);
        if (names.has(g.name)) {
            problems.push({
                path: at("name"),
                message: `"${g.name}" is already patchGroups[${names.get(g.name)}]; each Patch Group tag value appears once`,
            });
        } else if (slugs.has(slug(g.name))) {
            problems.push({
                path: at("name"),
                message: `"${g.name}" gives the same resource names as patchGroups[${slugs.get(slug(g.name))}] ("${slug(g.name)}"); rename one of them`,
            });
        }
        names.set(g.name, names.get(g.name) ?? i);
        slugs.set(slug(g.name), slugs.get(slug(g.name)) ?? i);

        if (typeof g.baseline === "string") {
            const ref = baselinesByName.get(g.baseline) ?? (values.baselines === undefined ? seedBaseline(g.baseline) : undefined);
            if (!ref) {
                const known = [...(rawBaselines ?? SEED_BASELINES)].filter(isRecord).map((b) => `"${String(b.name)}"`);
                problems.push({
                    path: at("baseline"),
                    message: `"${g.baseline}" is not a baseline in patch-manager:baselines (defined: ${known.join(", ") || "none"}); leave it out to use the default baseline for ${String(g.operatingSystem)}`,
                });
            } else if (ref.os !== g.operatingSystem && typeof ref.os === "string") {
                problems.push({
                    path: at("baseline"),
                    message: `baseline "${g.baseline}" is for ${ref.os} but this group's operatingSystem is ${String(g.operatingSystem)}; a group's baseline must match its OS`,
                });
            }
        } else if (
            (OPERATING_SYSTEMS as readonly unknown[]).includes(g.operatingSystem) &&
            defaultApprovalRules(g.operatingSystem as OperatingSystem, 0) === undefined
        ) {
            problems.push({
                path: at("baseline"),
                message: `is required for ${String(g.operatingSystem)}: there is no default baseline for it; define one in patch-manager:baselines`,
            });
        }
        if (isRecord(g.schedule)) {
            const s = g.schedule;
            const cutoff = s.cutoffHours;
            const inRange = (v: unknown, min: number, max: number): v is number =>
                Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
            if (inRange(s.durationHours, 1, 24) && inRange(cutoff, 0, 23) && cutoff >= s.durationHours) {
                problems.push({
                    path: at("schedule", "cutoffHours"),
                    message: `${cutoff} must be less than durationHours (${s.durationHours}): no task would ever start (SSM stops starting tasks ${cutoff} hours before the end)`,
                });
            }
            if (s.offsetDays !== undefined && typeof s.cron === "string" && !s.cron.trim().startsWith("cron(")) {
                problems.push({ path: at("schedule", "offsetDays"), message: "applies to cron(...) schedules only" });
            }
            const never = typeof s.cron === "string" ? neverStarts(s.cron, s.offsetDays, values.timezone) : undefined;
            if (never) problems.push({ path: at("schedule", "cron"), message: never });
        }
    });

    // A window holds at most 20 tasks and 100 targets: one of each per group in it.
    const inEnvironmentWindow = (model.patchGroups ?? []).filter((g) => g.schedule === undefined).length;
    if (inEnvironmentWindow > QUOTAS.tasksPerWindow) {
        problems.push({
            path: keyPath("patchGroups", []),
            message: `${inEnvironmentWindow} groups share the environment window, which holds at most ${QUOTAS.tasksPerWindow} tasks; give some groups their own schedule`,
        });
    }
    const windows = 1 + (model.patchGroups ?? []).filter((g) => g.schedule !== undefined).length;
    if (windows > QUOTAS.windowsPerRegion) {
        problems.push({
            path: keyPath("patchGroups", []),
            message: `${windows} maintenance windows exceed the SSM default quota of ${QUOTAS.windowsPerRegion} per account and region`,
        });
    }
    if (model.operations && model.patchGroups) {
        const groups = model.patchGroups.map((g) => {
            const s = g.schedule ?? model.environmentSchedule!;
            return {
                name: g.name,
                operatingSystem: g.operatingSystem,
                cron: s.cron,
                durationHours: s.durationHours,
                ...(s.offsetDays !== undefined ? { offsetDays: s.offsetDays } : {}),
            };
        });
        const timezoneValid = typeof values.timezone !== "string" || checkTimezone(values.timezone).length === 0;
        for (const p of crossCheckOperations(model.operations, timezoneValid ? groups : [], model.timezone ?? "UTC", {
            ...(model.logging?.bucketName !== undefined ? { bucketName: model.logging.bucketName } : {}),
        })) {
            problems.push({ path: keyPath(p.key, p.path), message: p.message });
        }
    }
    return problems;
}

/**
 * Why a schedule that passes checkSchedule still never opens a window from now on (a cron whose
 * year field names only past years, an at() in the past); undefined when it starts again.
 */
function neverStarts(cron: string, offsetDays: unknown, timezone: unknown): string | undefined {
    if (checkSchedule(cron).length > 0) return undefined; // reported by the schema
    const tz = typeof timezone === "string" && checkTimezone(timezone).length === 0 ? timezone : "UTC";
    const offset = Number.isInteger(offsetDays) && cron.trim().startsWith("cron(") ? (offsetDays as number) : undefined;
    const now = new Date();
    let starts: Date[];
    try {
        starts = nextStarts(cron, { timezone: tz, scheduleOffset: offset, from: now, count: 1 });
    } catch {
        return undefined; // an invalid offset or timezone is reported at its own key
    }
    if (starts.length > 0) return undefined;
    const today = now.toISOString().slice(0, 10);
    const fix = "this group would never be patched";
    const expr = cron.trim();
    if (expr.startsWith("at("))
        return `never starts after ${today}: ${JSON.stringify(expr)} is in the past; ${fix}. Use a cron(...) for a recurring window`;
    const year = /^cron\((.*)\)$/.exec(expr)?.[1].trim().split(/\s+/)[5];
    const years = (year ?? "").match(/\d{4}/g)?.map(Number) ?? [];
    if (year !== undefined && year !== "*" && years.length > 0 && Math.max(...years) < now.getUTCFullYear())
        return `never starts after ${today}: the year field "${year}" names only past years; ${fix}. Use * for every year, or name this year or later`;
    return `never starts after ${today}${year !== undefined && year !== "*" ? `: no start is left in the year field "${year}"` : ""}; ${fix}. Use * for every year, or name later years`;
}

function seedBaseline(name: string): { index: number; os: unknown } | undefined {
    const i = SEED_BASELINES.findIndex((b) => b.name === name);
    return i < 0 ? undefined : { index: i, os: SEED_BASELINES[i].operatingSystem };
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
