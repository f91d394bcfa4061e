// Config of what an operations team needs once the windows run (issue 6): alerts, fresh
// compliance, denied applications, safe stops, private subnets and several regions. Kept apart
// from config.ts, which only adds these keys to its schema, its model and its cross-checks.
import { z } from "zod";
import { OperatingSystem } from "@patch-manager/ssm";
import { dailyScanHour } from "./complianceSchedule";

/** notificationEvents of a Run Command task (SSM API NotificationEvent). */
export const NOTIFICATION_EVENTS = ["All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
/** What a team wants to hear about: the runs that did not finish well. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEvent[] = ["Failed", "TimedOut", "Cancelled"];
export const PLATFORM_TYPES = ["Linux", "Windows"] as const;

export interface Alerts {
    /** E-mail addresses subscribed to the topic (each confirms the subscription by mail). */
    readonly emails: readonly string[];
    /** An existing topic to notify; undefined: the program creates an encrypted one. */
    readonly topicArn?: string;
    /** KMS key for the created topic; undefined: the program creates a key (see alerts.ts for why not alias/aws/sns). */
    readonly kmsKeyArn?: string;
    readonly events: readonly NotificationEvent[];
}

export interface Compliance {
    /** A State Manager association per patch group that scans daily outside the group's window. */
    readonly dailyScan: boolean;
    /** A resource data sync of inventory and compliance to the log bucket. */
    readonly dataSync: boolean;
    /** S3 prefix of the data sync, apart from the expiring command-output prefix. */
    readonly dataSyncPrefix: string;
    /** The AWS Config managed rule EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK. */
    readonly configRule: boolean;
}

export interface DeniedApplications {
    /** Exact application names, optionally "name:version" (AWS Config takes no wildcards). */
    readonly applications: readonly string[];
    readonly platformType?: (typeof PLATFORM_TYPES)[number];
    /** A software inventory association (AWS-GatherSoftwareInventory); the Config rule reads its data. */
    readonly inventory: boolean;
}

export interface HookDocuments {
    readonly preInstall?: string;
    readonly postInstall?: string;
    readonly onExit?: string;
}

export interface SafeStops {
    /** A CloudWatch alarm (by name, in each region deployed to) whose ALARM state disables the stack's windows (alarmStop.ts). */
    readonly alarmName?: string;
    /** Hook documents per patch group name; such a group's task runs AWS-RunPatchBaselineWithHooks. */
    readonly hooks: Readonly<Record<string, HookDocuments>>;
}

export interface PrivateEndpoints {
    /** Region of the VPC; only with `regions` (otherwise the stack's region). */
    readonly region?: string;
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    /** Route tables that get the S3 gateway endpoint; none: no gateway endpoint. */
    readonly routeTableIds: readonly string[];
    /** The VPC's CIDR; undefined: looked up (aws.ec2.getVpc). */
    readonly vpcCidr?: string;
}

/** The operations part of the typed model. Every feature is off unless configured. */
export interface Operations {
    readonly alerts?: Alerts;
    readonly compliance: Compliance;
    readonly deniedApplications?: DeniedApplications;
    readonly safeStops: SafeStops;
    readonly privateEndpoints: readonly PrivateEndpoints[];
    /** Deploy into each of these regions through explicit providers; undefined: the stack's region only. */
    readonly regions?: readonly string[];
    /** With `regions`: one log bucket in the first region instead of one per region. */
    readonly centralLogBucket: boolean;
}

// ---------------------------------------------------------------------------
// Schema

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;
/** SSM document names (DocumentARN pattern of the API model, names only). */
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;

const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

export const alertsSchema = strict({
    emails: z
        .array(z.string().regex(EMAIL, { error: 'must be an e-mail address, e.g. "ops@example.com"' }), {
            error: "must be a list of e-mail addresses",
        })
        .optional(),
    topicArn: z.string().regex(SNS_TOPIC_ARN, { error: "must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>" }).optional(),
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, { error: "must be a KMS key or alias ARN" }).optional(),
    events: z
        .array(z.enum(NOTIFICATION_EVENTS, { error: `must be one of ${NOTIFICATION_EVENTS.map((e) => `"${e}"`).join(", ")}` }))
        .min(1, { error: "must name at least one event" })
        .optional(),
});

export const complianceSchema = strict({
    dailyScan: z.boolean({ error: "must be true or false" }).optional(),
    dataSync: z.boolean({ error: "must be true or false" }).optional(),
    dataSyncPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.'()-]{1,200}$/, {
            error: 'must be an S3 key prefix of 1–200 letters, digits and !_.\'()- (no / or *), e.g. "compliance"',
        })
        .optional(),
    configRule: z.boolean({ error: "must be true or false" }).optional(),
});

export const deniedApplicationsSchema = strict({
    applications: z
        .array(
            z
                .string()
                .min(1)
                .regex(/^[^,*?]+$/, {
                    error: 'must be an exact application name, optionally "name:version"; AWS Config takes no wildcards or commas',
                }),
            { error: "must be a list of application names" },
        )
        .min(1, { error: "must name at least one application" }),
    platformType: z.enum(PLATFORM_TYPES, { error: 'must be "Linux" or "Windows"' }).optional(),
    inventory: z.boolean({ error: "must be true or false" }).optional(),
});

const hookDocumentsSchema = strict({
    preInstall: z.string().regex(DOCUMENT_NAME, { error: "must be an SSM document name (3–128 letters, digits, _-.:/)" }).optional(),
    postInstall: z.string().regex(DOCUMENT_NAME, { error: "must be an SSM document name (3–128 letters, digits, _-.:/)" }).optional(),
    onExit: z.string().regex(DOCUMENT_NAME, { error: "must be an SSM document name (3–128 letters, digits, _-.:/)" }).optional(),
});

export const safeStopsSchema = strict({
    alarmName: z
        .string()
        .regex(/^[^:]{1,255}$/, { error: 'must be a CloudWatch alarm name: 1–255 characters without ":"' })
        .optional(),
    hooks: z
        .record(z.string(), hookDocumentsSchema, { error: "must be a map of patch group name to {preInstall?, postInstall?, onExit?}" })
        .optional(),
});

const privateEndpointsEntry = strict({
    region: z.string().regex(REGION, { error: 'must be an AWS region name, e.g. "eu-west-1"' }).optional(),
    vpcId: z
        .string({ error: 'is required: the VPC id, e.g. "vpc-0123456789abcdef0"' })
        .regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must be a VPC id, e.g. "vpc-0123456789abcdef0"' }),
    subnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id, e.g. "subnet-0123456789abcdef0"' }), {
            error: "is required: the private subnets that get an endpoint network interface",
        })
        .min(1, { error: "must name at least one subnet" }),
    routeTableIds: z
        .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, { error: 'must be a route table id, e.g. "rtb-0123456789abcdef0"' }))
        .optional(),
    vpcCidr: z
        .string()
        .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, { error: 'must be an IPv4 CIDR, e.g. "10.0.0.0/16"' })
        .refine(
            (c) =>
                c
                    .split("/")[0]
                    .split(".")
                    .every((o) => Number(o) <= 255),
            { error: 'must be an IPv4 CIDR, e.g. "10.0.0.0/16"' },
        )
        .refine((c) => !c.startsWith("0.0.0.0/"), {
            error: "must be the VPC's own range, not 0.0.0.0/0: the endpoints accept 443 from the VPC only",
        })
        .optional(),
});

export const privateEndpointsSchema = z.array(privateEndpointsEntry, {
    error: "must be a list of {vpcId, subnetIds, routeTableIds?, vpcCidr?, region?}",
});

export const regionsSchema = z
    .array(z.string().regex(REGION, { error: 'must be an AWS region name, e.g. "eu-west-1"' }), {
        error: 'must be a list of region names, e.g. ["eu-west-1", "eu-central-1"]',
    })
    .min(1, { error: "must name at least one region" });

/** The keys this module adds to the `patch-manager:` namespace. */
export const OPERATIONS_KEYS = {
    alerts: alertsSchema,
    compliance: complianceSchema,
    deniedApplications: deniedApplicationsSchema,
    safeStops: safeStopsSchema,
    privateEndpoints: privateEndpointsSchema,
    regions: regionsSchema,
    centralLogBucket: z.boolean({ error: "must be true or false" }),
} as const;
export const OPERATIONS_STRUCTURED_KEYS = [
    "alerts",
    "compliance",
    "deniedApplications",
    "safeStops",
    "privateEndpoints",
    "regions",
] as const;
/** Keys whose YAML value is a boolean: the CLI passes it as the string "true"/"false". */
export const OPERATIONS_BOOLEAN_KEYS = ["centralLogBucket"] as const;
export const OPERATIONS_SHAPES = {
    alerts: alertsSchema,
    compliance: complianceSchema,
    deniedApplications: deniedApplicationsSchema,
    safeStops: safeStopsSchema,
    hooks: hookDocumentsSchema,
    privateEndpoints: privateEndpointsEntry,
} as const;

// ---------------------------------------------------------------------------
// Model

type Loose = Record<string, unknown>;
const rec = (v: unknown): Loose => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Loose) : {});
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** Defaults applied to (possibly partly invalid) values, so cross-checks can still run. */
export function buildOperations(values: Partial<Record<keyof typeof OPERATIONS_KEYS, unknown>>): Operations {
    const alerts = values.alerts === undefined ? undefined : rec(values.alerts);
    const compliance = rec(values.compliance);
    const denied = values.deniedApplications === undefined ? undefined : rec(values.deniedApplications);
    const safeStops = rec(values.safeStops);
    const hooks = rec(safeStops.hooks) as Record<string, HookDocuments>;
    return {
        ...(alerts
            ? {
                  alerts: {
                      emails: list<string>(alerts.emails),
                      ...(typeof alerts.topicArn === "string" ? { topicArn: alerts.topicArn } : {}),
                      ...(typeof alerts.kmsKeyArn === "string" ? { kmsKeyArn: alerts.kmsKeyArn } : {}),
                      events: Array.isArray(alerts.events) ? (alerts.events as NotificationEvent[]) : [...DEFAULT_NOTIFICATION_EVENTS],
                  },
              }
            : {}),
        compliance: {
            dailyScan: compliance.dailyScan === true,
            dataSync: compliance.dataSync === true,
            dataSyncPrefix: typeof compliance.dataSyncPrefix === "string" ? compliance.dataSyncPrefix : "compliance",
            configRule: compliance.configRule === true,
        },
        ...(denied
            ? {
                  deniedApplications: {
                      applications: list<string>(denied.applications),
                      ...(typeof denied.platformType === "string" ? { platformType: denied.platformType as "Linux" | "Windows" } : {}),
                      inventory: denied.inventory !== false,
                  },
              }
            : {}),
        safeStops: { ...(typeof safeStops.alarmName === "string" ? { alarmName: safeStops.alarmName } : {}), hooks },
        privateEndpoints: list<Loose>(values.privateEndpoints)
            .filter((e) => typeof e === "object" && e !== null)
            .map((e) => ({
                ...(typeof e.region === "string" ? { region: e.region } : {}),
                vpcId: String(e.vpcId),
                subnetIds: list<string>(e.subnetIds),
                routeTableIds: list<string>(e.routeTableIds),
                ...(typeof e.vpcCidr === "string" ? { vpcCidr: e.vpcCidr } : {}),
            })),
        ...(Array.isArray(values.regions) ? { regions: values.regions as string[] } : {}),
        centralLogBucket: values.centralLogBucket === true,
    };
}

export interface OperationsProblem {
    readonly key: string;
    readonly path: (string | number)[];
    readonly message: string;
}

/** What the rules across keys need to know about the patch groups. */
export interface GroupWindow {
    readonly name: string;
    readonly operatingSystem: OperatingSystem;
    readonly cron: string;
    readonly durationHours: number;
    readonly offsetDays?: number;
}

/** Rules that span keys. `ops` may come from partly invalid values. */
export function crossCheckOperations(
    ops: Operations,
    groups: readonly GroupWindow[],
    timezone: string,
    extra: { bucketName?: string },
): OperationsProblem[] {
    const problems: OperationsProblem[] = [];
    const groupNames = new Set(groups.map((g) => g.name));

    if (ops.alerts && ops.alerts.topicArn === undefined && ops.alerts.emails.length === 0) {
        problems.push({
            key: "alerts",
            path: [],
            message: "needs emails (a topic is created for them) or topicArn (an existing topic); with neither, nobody would hear an alert",
        });
    }
    if (ops.alerts?.topicArn !== undefined && ops.alerts.kmsKeyArn !== undefined) {
        problems.push({
            key: "alerts",
            path: ["kmsKeyArn"],
            message: "applies to the topic the program creates; an existing topicArn keeps its own encryption",
        });
    }
    if (ops.alerts?.topicArn !== undefined && ops.regions !== undefined && ops.regions.length > 1) {
        problems.push({
            key: "alerts",
            path: ["topicArn"],
            message:
                "an existing topic lives in one region, and EventBridge rules and Run Command notify topics of their own region; leave topicArn out to get one encrypted topic per region",
        });
    }

    for (const [name, h] of Object.entries(ops.safeStops.hooks)) {
        const group = groups.find((g) => g.name === name);
        if (!group) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: `"${name}" is not a patch group in patch-manager:patchGroups (groups: ${[...groupNames].map((n) => `"${n}"`).join(", ")})`,
            });
        } else if (group.operatingSystem === "MACOS") {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "AWS-RunPatchBaselineWithHooks does not support macOS; remove the hooks of this group",
            });
        }
        if (typeof h === "object" && h !== null && h.preInstall === undefined && h.postInstall === undefined && h.onExit === undefined) {
            problems.push({
                key: "safeStops",
                path: ["hooks", name],
                message: "names no hook document; set preInstall, postInstall or onExit (or remove the entry)",
            });
        }
    }

    if (ops.centralLogBucket && ops.regions === undefined) {
        problems.push({
            key: "centralLogBucket",
            path: [],
            message: "applies only with patch-manager:regions (a single-region stack has one log bucket anyway)",
        });
    }
    if (ops.regions) {
        const seen = new Map<string, number>();
        ops.regions.forEach((r, i) => {
            if (seen.has(r))
                problems.push({ key: "regions", path: [i], message: `"${r}" is already regions[${seen.get(r)}]; list each region once` });
            else seen.set(r, i);
        });
    }
    ops.privateEndpoints.forEach((e, i) => {
        if (ops.regions === undefined && e.region !== undefined) {
            problems.push({
                key: "privateEndpoints",
                path: [i, "region"],
                message:
                    "applies only with patch-manager:regions; without it the endpoints go into the stack's aws:region (leave region out)",
            });
        }
        if (ops.regions !== undefined && (e.region === undefined || !ops.regions.includes(e.region))) {
            problems.push({
                key: "privateEndpoints",
                path: [i, "region"],
                message: `${e.region === undefined ? "is required" : `"${e.region}" is not listed`} with patch-manager:regions: one of ${ops.regions.map((r) => `"${r}"`).join(", ")}`,
            });
        }
    });
    const vpcs = new Map<string, number>();
    ops.privateEndpoints.forEach((e, i) => {
        const key = `${e.region ?? ""}/${e.vpcId}`;
        if (vpcs.has(key))
            problems.push({
                key: "privateEndpoints",
                path: [i, "vpcId"],
                message: `"${e.vpcId}" already has endpoints (privateEndpoints[${vpcs.get(key)}]); a VPC takes one endpoint per service`,
            });
        else vpcs.set(key, i);
    });

    if (ops.compliance.dataSync && extra.bucketName !== undefined) {
        // The program cannot add the SSM statement to a bucket policy it does not own: say what to add.
        problems.push({
            key: "compliance",
            path: ["dataSync"],
            message:
                "needs the log bucket the program creates (its policy gets the statement SSM data sync needs); with logging.bucketName, turn dataSync off and add a resource data sync to your bucket yourself",
        });
    }
    if (ops.compliance.dailyScan) {
        for (const g of groups) {
            if (typeof g.cron !== "string" || !Number.isInteger(g.durationHours)) continue;
            let hour: number | undefined;
            try {
                hour = dailyScanHour({ cron: g.cron, durationHours: g.durationHours, offsetDays: g.offsetDays }, timezone);
            } catch {
                continue; // the schedule itself is reported by its own key
            }
            if (hour === undefined) {
                problems.push({
                    key: "compliance",
                    path: ["dailyScan"],
                    message: `patch group "${g.name}": its window leaves no hour of the day free for a daily scan outside it; give the group a shorter or less frequent window, or turn dailyScan off`,
                });
            }
        }
    }
    return problems;
}
