// Compliance reports: Glue tables over the resource data sync's files in the log bucket, an Athena
// workgroup that writes encrypted results beside them, and the named queries an auditor asks for.
// The schema of the key, and the pure definitions (table layouts, query text) that the component
// creates and the plan shows.
import * as z from "zod";
import { DEFAULT_NOT_SCANNED_DAYS, DEFAULT_REPORT_RESULTS_PREFIX } from "./defaults";
import { wholeNumber } from "./fields";
import type { ExemptionConfig } from "./exemptions";
import { slug, ssmName } from "./naming";

export const reportingFields = z
    .object({
        resultsPrefix: z
            .string()
            .regex(/^[A-Za-z0-9!_.'()-]{1,200}$/, {
                error: `must be an S3 key prefix of 1–200 letters, digits and !_.'()- (no / or *), e.g. "${DEFAULT_REPORT_RESULTS_PREFIX}"`,
            })
            .optional()
            .meta({
                description: `Where Athena writes the query results in the log bucket, apart from the command output and the data sync; default "${DEFAULT_REPORT_RESULTS_PREFIX}".`,
            }),
        notScannedDays: wholeNumber(1, 365, "days")
            .optional()
            .meta({
                description: `The query of nodes not scanned lists nodes whose last patch operation ended longer ago than this; default ${DEFAULT_NOT_SCANNED_DAYS}.`,
            }),
    })
    .strict()
    .meta({
        id: "ReportingSettings",
        description: "Compliance reports: Glue tables over the resource data sync, an Athena workgroup and named queries.",
    });

export const reportingSchema = reportingFields.transform(
    (r): { resultsPrefix: string; notScannedDays: number; syncRegions?: readonly string[] } => ({
        /** Prefix of the log bucket where the workgroup writes query results (never the log prefix, which nodes write and which expires). */
        resultsPrefix: r.resultsPrefix ?? DEFAULT_REPORT_RESULTS_PREFIX,
        /** Days after which a node's last patch operation counts as stale in the not-scanned query. */
        notScannedDays: r.notScannedDays ?? DEFAULT_NOT_SCANNED_DAYS,
        // syncRegions: set per deployment (deploymentModel) where every region's sync writes to one central bucket.
    }),
);

/** The `reporting` key: on when present. */
export type ReportingConfig = z.output<typeof reportingSchema>;

// ---------------------------------------------------------------------------
// The tables: the data sync's JSON files, one folder per inventory type (docs/reports.md)

/** A Glue column: Hive types, lower-case names (Glue stores names lower-case; the JSON SerDe matches keys case-insensitively). */
export interface ReportColumn {
    readonly name: string;
    readonly type: "string" | "int";
}

/** One table over one inventory type's folder of the sync. */
export interface ReportTable {
    /** The Glue table's name. */
    readonly name: string;
    /** The inventory type, which is also the folder the sync writes it to (`<prefix>/<typeName>/`). */
    readonly typeName: string;
    readonly columns: readonly ReportColumn[];
}

const strings = (...names: string[]): ReportColumn[] => names.map((name) => ({ name, type: "string" }));
const ints = (...names: string[]): ReportColumn[] => names.map((name) => ({ name, type: "int" }));

/**
 * The three tables, with the inventory schema's attributes (SSM user guide, "Metadata collected by
 * inventory") as columns, plus the ResourceId the sync adds to each record. AWS:InstanceInformation's
 * ResourceType is left out: Hive refuses a column named as a partition key, and the walkthrough's
 * table leaves it out too; its InstanceId is the node.
 */
export const REPORT_TABLES = {
    complianceItems: {
        name: "aws_complianceitem",
        typeName: "AWS:ComplianceItem",
        columns: strings(
            "resourceid",
            "compliancetype",
            "executionid",
            "executiontype",
            "executiontime",
            "id",
            "title",
            "status",
            "severity",
            "documentname",
            "documentversion",
            "classification",
            "patchbaselineid",
            "patchseverity",
            "patchstate",
            "patchgroup",
            "installedtime",
            "installoverridelist",
            "detailedtext",
            "detailedlink",
            "cveids",
        ),
    },
    instanceInformation: {
        name: "aws_instanceinformation",
        typeName: "AWS:InstanceInformation",
        columns: strings(
            "agenttype",
            "agentversion",
            "computername",
            "instanceid",
            "ipaddress",
            "platformname",
            "platformtype",
            "platformversion",
            "agentstatus",
            "instancestatus",
        ),
    },
    patchSummary: {
        name: "aws_patchsummary",
        typeName: "AWS:PatchSummary",
        columns: [
            ...strings("resourceid", "patchgroup", "baselineid", "snapshotid", "ownerinformation"),
            ...ints(
                "installedcount",
                "installedpendingrebootcount",
                "installedothercount",
                "installedrejectedcount",
                "notapplicablecount",
                "unreportednotapplicablecount",
                "missingcount",
                "failedcount",
            ),
            ...strings(
                "operationtype",
                "operationstarttime",
                "operationendtime",
                "installoverridelist",
                "rebootoption",
                "lastnorebootinstalloperationtime",
                "executionid",
                "noncompliantseverity",
            ),
            ...ints("securitynoncompliantcount", "criticalnoncompliantcount", "othernoncompliantcount"),
        ],
    },
} as const satisfies Record<string, ReportTable>;

/** The partitions the sync writes under each type's folder: `accountid=<id>/region=<region>/resourcetype=<type>/`. */
export const SYNC_PARTITIONS = ["accountid", "region", "resourcetype"] as const;
/** The resourcetype the sync writes for managed nodes' inventory. */
export const SYNC_RESOURCE_TYPE = "ManagedInstanceInventory";
/** The JSON SerDe the walkthrough's tables read the sync's JsonSerDe files with. */
export const JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe";

/** `s3://bucket/prefix/<typeName>/`: the table's location. */
export function tableLocation(bucket: string, syncPrefix: string, table: ReportTable): string {
    return `s3://${bucket}/${syncPrefix}/${table.typeName}/`;
}

/**
 * Partition projection (Athena computes the partitions from these values; no crawler, no role for
 * one, no MSCK REPAIR after each new region): the account, the regions whose syncs write here, and
 * the sync's resource type, each an enum.
 */
export function projectionParameters(location: string, accountId: string, regions: readonly string[]): Record<string, string> {
    return {
        EXTERNAL: "TRUE",
        classification: "json",
        "projection.enabled": "true",
        "projection.accountid.type": "enum",
        "projection.accountid.values": accountId,
        "projection.region.type": "enum",
        "projection.region.values": regions.join(","),
        "projection.resourcetype.type": "enum",
        "projection.resourcetype.values": SYNC_RESOURCE_TYPE,
        "storage.location.template": `${location}${SYNC_PARTITIONS.map((p) => `${p}=\${${p}}`).join("/")}/`,
    };
}

// ---------------------------------------------------------------------------
// Names

/** The Glue database: lower-case letters, digits and underscores (Athena needs no quoting then). */
export function reportDatabaseName(stack: string): string {
    return `patch_manager_${slug(stack).replace(/-/g, "_")}_compliance`;
}

/** The Athena workgroup. */
export function reportWorkgroupName(namePrefix: string): string {
    return ssmName(namePrefix, "compliance-reports");
}

// ---------------------------------------------------------------------------
// The named queries

/** One named query: its name in the workgroup, what it answers, and its SQL (Athena, Trino dialect). */
export interface ReportQuery {
    readonly name: string;
    readonly description: string;
    readonly sql: string;
}

/** What the queries take from the stack: its patch groups, exemptions and the staleness bound. */
export interface ReportQueryInputs {
    readonly notScannedDays: number;
    /** Every patch group of the stack, with the baseline it uses. */
    readonly patchGroups: readonly { readonly name: string; readonly baseline: string }[];
    readonly exemptions: readonly ExemptionConfig[];
}

/** A SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The columns of the exemptions' VALUES list, in order. */
export const EXEMPTION_COLUMNS = ["exemption", "patch", "pattern", "patch_group", "until", "ends_at", "ticket", "reason"] as const;

/**
 * The stack's exemptions as rows: one per exempted patch and patch group (the groups it names, or
 * those whose baseline it names). Whether each is in force is decided when the query runs (ends_at),
 * so a query deployed before an exemption ends stops listing it on the day.
 */
export function exemptionRows(inputs: ReportQueryInputs): string[][] {
    const rows: string[][] = [];
    for (const e of inputs.exemptions) {
        const groups = e.groups ?? inputs.patchGroups.filter((g) => e.baselines.includes(g.baseline)).map((g) => g.name);
        for (const patch of e.patches)
            for (const group of groups)
                rows.push([
                    `exemptions[${e.index}]`,
                    patch,
                    // rejectedPatches' wildcard is *: a whole-name regular expression (Trino's regexp_like) where
                    // only * matches more than itself (LIKE would also read a name's _ and % as wildcards).
                    `^${patch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\*/g, ".*")}$`,
                    group,
                    e.until,
                    e.endsAt,
                    e.ticket ?? "",
                    e.reason ?? "",
                ]);
    }
    return rows;
}

/** The nodes the sync still holds files for after they were deleted: left out of every report. */
const live = (alias: string, column: string) =>
    `${alias}.${column} NOT IN (SELECT t.instanceid FROM ${REPORT_TABLES.instanceInformation.name} t WHERE t.instancestatus = 'Terminated')`;

/** The named queries of a stack (docs/reports.md explains each column). */
export function reportQueries(inputs: ReportQueryInputs): ReportQuery[] {
    const c = REPORT_TABLES.complianceItems.name;
    const i = REPORT_TABLES.instanceInformation.name;
    const p = REPORT_TABLES.patchSummary.name;
    const days = inputs.notScannedDays;
    const rows = exemptionRows(inputs);
    const values =
        rows.length > 0
            ? rows.map((r) => `(${r.map(sqlString).join(", ")})`).join(",\n        ")
            : `(${EXEMPTION_COLUMNS.map(() => "CAST(NULL AS varchar)").join(", ")})`;
    const lastSummary = `LEFT JOIN ${p} p ON p.resourceid = i.instanceid AND p.accountid = i.accountid AND p.region = i.region`;
    return [
        {
            name: "non-compliant-nodes-by-group-and-severity",
            description:
                "Per patch group and compliance severity: the nodes with a missing or failed patch, and how many patches (installed patches pending a reboot, also NON_COMPLIANT, are in nodes-installed-pending-reboot).",
            sql: [
                "SELECT c.patchgroup AS patch_group, c.severity AS severity, count(DISTINCT c.resourceid) AS nodes, count(*) AS patches",
                `FROM ${c} c`,
                `WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT' AND c.patchstate IN ('Missing', 'Failed')`,
                `  AND ${live("c", "resourceid")}`,
                "GROUP BY c.patchgroup, c.severity",
                "ORDER BY c.patchgroup, c.severity",
            ].join("\n"),
        },
        {
            name: "missing-security-patches-with-cves",
            description: "Security patches missing or failed on each node, with the CVE ids they fix.",
            sql: [
                "SELECT c.resourceid AS node, c.patchgroup AS patch_group, c.id AS patch, c.title AS title, c.classification AS classification,",
                "       c.patchseverity AS patch_severity, c.patchstate AS state, c.cveids AS cve_ids",
                `FROM ${c} c`,
                "WHERE c.compliancetype = 'Patch' AND c.patchstate IN ('Missing', 'Failed')",
                "  AND (c.classification IN ('SecurityUpdates', 'CriticalUpdates', 'Security') OR coalesce(c.cveids, '') <> '')",
                `  AND ${live("c", "resourceid")}`,
                "ORDER BY c.patchseverity, c.resourceid, c.id",
            ].join("\n"),
        },
        {
            name: `nodes-not-scanned-for-${days}-days`,
            description: `Nodes whose last patch scan or install ended more than ${days} days ago, or that never reported one.`,
            sql: [
                "SELECT i.instanceid AS node, i.computername AS computer_name, i.platformname AS platform, i.instancestatus AS node_status,",
                "       p.patchgroup AS patch_group, p.operationtype AS last_operation, p.operationendtime AS last_operation_end",
                `FROM ${i} i`,
                lastSummary,
                "WHERE coalesce(i.instancestatus, '') <> 'Terminated'",
                `  AND (p.resourceid IS NULL OR coalesce(try(from_iso8601_timestamp(p.operationendtime)), from_unixtime(0)) < current_timestamp - INTERVAL '${days}' DAY)`,
                "ORDER BY p.operationendtime, i.instanceid",
            ].join("\n"),
        },
        {
            name: "nodes-installed-pending-reboot",
            description:
                "Nodes with patches installed that take effect only after a reboot (InstalledPendingReboot): non-compliant until they reboot and scan.",
            sql: [
                "SELECT p.resourceid AS node, p.patchgroup AS patch_group, p.installedpendingrebootcount AS pending_reboot_patches,",
                "       p.rebootoption AS reboot_option, p.lastnorebootinstalloperationtime AS installed_without_reboot_at",
                `FROM ${p} p`,
                `WHERE p.installedpendingrebootcount > 0 AND ${live("p", "resourceid")}`,
                "ORDER BY p.lastnorebootinstalloperationtime, p.resourceid",
            ].join("\n"),
        },
        {
            name: "exemptions-in-force",
            description:
                "The stack's exemptions (patch-manager:exemptions) in force when the query runs, with each node of the group and the patch's state there.",
            sql: [
                "SELECT e.exemption AS exemption, e.patch AS patch, e.patch_group AS patch_group, e.until AS until, e.ticket AS ticket,",
                "       e.reason AS reason, c.resourceid AS node, c.patchstate AS state",
                `FROM (VALUES\n        ${values}\n     ) AS e (${EXEMPTION_COLUMNS.join(", ")})`,
                `LEFT JOIN ${c} c ON c.compliancetype = 'Patch' AND c.patchgroup = e.patch_group AND (regexp_like(c.id, e.pattern) OR regexp_like(c.title, e.pattern))`,
                "WHERE e.exemption IS NOT NULL AND from_iso8601_timestamp(e.ends_at) > current_timestamp",
                `  AND (c.resourceid IS NULL OR ${live("c", "resourceid")})`,
                "ORDER BY e.until, e.exemption, e.patch_group, c.resourceid",
            ].join("\n"),
        },
        {
            name: "nodes-in-no-patch-group",
            description:
                "Nodes that reported no patch group in their last patch operation, or none at all: no patch group's window reaches them.",
            sql: [
                "SELECT i.instanceid AS node, i.computername AS computer_name, i.platformname AS platform, i.instancestatus AS node_status,",
                "       p.patchgroup AS patch_group",
                `FROM ${i} i`,
                lastSummary,
                "WHERE coalesce(i.instancestatus, '') <> 'Terminated'",
                // Not the stack's group names: a named query has no Update, and each group edit would replace it.
                "  AND coalesce(p.patchgroup, '') = ''",
                "ORDER BY i.instanceid",
            ].join("\n"),
        },
    ];
}
