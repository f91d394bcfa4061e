// Compliance reports over the resource data sync: a Glue database with one table per inventory
// type the sync writes (partition projection: no crawler and no role for one), an Athena workgroup
// that writes encrypted results under the log bucket, and the named queries of docs/reports.md.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { JSON_SERDE, projectionParameters, REPORT_TABLES, ReportQuery, SYNC_PARTITIONS, tableLocation } from "../config/reporting";
import { RESOURCE_TYPES } from "../config/resourceTypes";

export interface ComplianceReportsArgs {
    /** The Glue database's name. */
    readonly databaseName: string;
    /** The Athena workgroup's name. */
    readonly workgroupName: string;
    /** The log bucket the data sync writes to. */
    readonly bucketName: pulumi.Input<string>;
    /** The data sync's prefix in that bucket. */
    readonly syncPrefix: string;
    /** Where the workgroup writes query results in that bucket. */
    readonly resultsPrefix: string;
    /** The log bucket's key: results are SSE_KMS with it; absent: SSE_S3, as the bucket itself. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** The account whose syncs write the files (the projection's accountid). */
    readonly accountId: pulumi.Input<string>;
    /** The regions whose syncs write to this bucket (the projection's region). */
    readonly regions: pulumi.Input<string[]>;
    readonly queries: readonly ReportQuery[];
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Athena's cap on the data one query scans: 1 GiB is months of a large fleet's sync files, and a runaway join stops there. */
export const BYTES_SCANNED_CUTOFF_PER_QUERY = 1024 * 1024 * 1024;

export class ComplianceReports extends pulumi.ComponentResource {
    readonly databaseName: string;
    readonly workgroupName: string;
    /** Named query id by query name. */
    readonly queryIds: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: ComplianceReportsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.ComplianceReports, name, {}, opts);
        this.databaseName = args.databaseName;
        this.workgroupName = args.workgroupName;
        // A Glue database's and table's names are their keys, and an input besides the name can replace
        // them (target database, partition indices): created first, the replacement would collide
        // with the old one (AlreadyExistsException). The workgroup is replaced only when its name changes.
        const named: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true };
        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            {
                name: args.databaseName,
                description: "patch-manager: Systems Manager inventory and compliance from the resource data sync",
                tags: args.tags,
            },
            named,
        );
        for (const [key, table] of Object.entries(REPORT_TABLES)) {
            const location = pulumi.output(args.bucketName).apply((b) => tableLocation(b, args.syncPrefix, table));
            new aws.glue.CatalogTable(
                `${name}-${key}`,
                {
                    name: table.name,
                    databaseName: database.name,
                    description: `${table.typeName} records of the resource data sync`,
                    tableType: "EXTERNAL_TABLE",
                    parameters: pulumi
                        .all([location, args.accountId, args.regions])
                        .apply(([l, account, regions]) => projectionParameters(l, account, regions)),
                    partitionKeys: SYNC_PARTITIONS.map((p) => ({ name: p, type: "string" })),
                    storageDescriptor: {
                        location,
                        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
                        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                        serDeInfo: { serializationLibrary: JSON_SERDE, parameters: { "serialization.format": "1" } },
                        columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
                    },
                },
                named,
            );
        }
        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: args.workgroupName,
                description: "patch-manager compliance reports; results encrypted under the log bucket",
                configuration: {
                    // Every query of the workgroup writes where and how it says, whatever the client asks.
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF_PER_QUERY,
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${args.bucketName}/${args.resultsPrefix}/`,
                        // Results only into the account's own bucket: a deleted bucket's name claimed elsewhere gets none.
                        expectedBucketOwner: args.accountId,
                        encryptionConfiguration: args.kmsKeyArn
                            ? { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn }
                            : { encryptionOption: "SSE_S3" },
                    },
                },
                // A workgroup that ran a query holds its executions; DeleteWorkGroup refuses it without the recursive option.
                forceDestroy: true,
                tags: args.tags,
            },
            { parent: this },
        );
        for (const q of args.queries) {
            // The id is generated (names may repeat): a replacement may be created before the old one goes.
            const query = new aws.athena.NamedQuery(
                `${name}-${q.name}`,
                { name: q.name, description: q.description, database: database.name, workgroup: workgroup.name, query: q.sql },
                { parent: this },
            );
            this.queryIds[q.name] = query.id;
        }
        this.registerOutputs({});
    }
}
