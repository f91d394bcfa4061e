// Compliance reports (patch-manager:reporting): the Glue tables against the resource data sync's
// documented layout and the inventory schema (tests/facts/awsFacts.json), every named query against
// the columns those tables have (parsed with node-sql-parser, Trino dialect: Athena engine v3 is
// Trino), and the workgroup's results against the log bucket's lifecycle rule and node write grant.
import { strict as assert } from "assert";
import { Parser } from "node-sql-parser";
import { evaluate, refused, shippedConfig, withConfig } from "../helpers";
import { fact } from "../facts/facts";
import { shippedResources } from "../facts/stacks";
import type { PlannedResource } from "../../tools/mock/mockProgram";
import { EXEMPTION_COLUMNS, exemptionRows, REPORT_TABLES, reportQueries } from "../../config/reporting";
import { reportsOf } from "../../tools/plan/plan";

const TABLE = "aws:glue/catalogTable:CatalogTable";
const QUERY = "aws:athena/namedQuery:NamedQuery";
const WORKGROUP = "aws:athena/workgroup:Workgroup";
const SYNC = "aws:ssm/resourceDataSync:ResourceDataSync";
const STACK = "prod-private"; // the shipped stack with reporting

const layout = fact("data-sync-athena-table").value as {
    location: string;
    partitionKeys: string[];
    serde: string;
    recordNode: string;
    instanceInformationNode: string;
};
const key = fact("data-sync-s3-key").value as { key: string; resourceType: string };
const SCHEMAS: Record<string, string> = {
    "AWS:ComplianceItem": "inventory-schema-compliance-item",
    "AWS:InstanceInformation": "inventory-schema-instance-information",
    "AWS:PatchSummary": "inventory-schema-patch-summary",
};
/** The inventory type's attributes, lower-cased as Glue stores column names, with their inventory data type. */
const attributes = (typeName: string): Map<string, string> =>
    new Map(Object.entries(fact(SCHEMAS[typeName]).value as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
const HIVE_TYPE: Record<string, string> = { STRING: "string", NUMBER: String(fact("data-sync-walkthrough-number-type").value) };

type Columns = Map<string, Set<string>>;
/** Each registered table's columns and partition keys, by table name. */
function tableColumns(resources: readonly PlannedResource[]): Columns {
    return new Map(
        resources
            .filter((r) => r.type === TABLE)
            .map((t) => {
                const sd = t.inputs.storageDescriptor as { columns: { name: string }[] };
                const parts = t.inputs.partitionKeys as { name: string }[];
                return [String(t.inputs.name), new Set([...sd.columns, ...parts].map((c) => c.name))];
            }),
    );
}

/**
 * The columns a query names that its tables lack: every `table::column` node-sql-parser resolves
 * (aliases resolved to the table), the exemptions' VALUES list by its declared columns. An
 * unqualified column is a problem too (the queries qualify every column, so none can be ambiguous).
 */
function unknownColumns(sql: string, tables: Columns): string[] {
    const refs = new Parser().columnList(sql, { database: "trino" });
    const missing: string[] = [];
    for (const ref of refs) {
        const [, table, column] = ref.split("::");
        const known = table === "e" ? new Set<string>(EXEMPTION_COLUMNS) : tables.get(table);
        if (!known?.has(column)) missing.push(`${table}.${column}`);
    }
    return missing;
}

describe("compliance reports: the tables read the resource data sync as AWS documents it", function () {
    let resources: PlannedResource[];
    before(async () => {
        resources = await shippedResources(STACK);
    });

    it("each table's columns are its inventory type's attributes (and the node's id), typed as the walkthrough types them", function () {
        for (const table of Object.values(REPORT_TABLES)) {
            const attrs = attributes(table.typeName);
            for (const c of table.columns) {
                if (c.name === layout.recordNode) {
                    assert.equal(c.type, "string");
                    continue;
                }
                assert.ok(attrs.has(c.name), `${table.name}.${c.name} is no attribute of ${table.typeName}`);
                assert.equal(c.type, HIVE_TYPE[attrs.get(c.name)!], `${table.name}.${c.name}`);
            }
            // Every attribute is there, except one named as a partition key (Hive refuses that column).
            const left = [...attrs.keys()].filter((a) => !table.columns.some((c) => c.name === a));
            assert.deepEqual(
                left.filter((a) => !layout.partitionKeys.includes(a)),
                [],
                `${table.typeName} attributes without a column`,
            );
        }
        // The node: instanceid in instance information, resourceid in the others (the walkthrough's join).
        assert.ok(REPORT_TABLES.instanceInformation.columns.some((c) => c.name === layout.instanceInformationNode));
        assert.ok(REPORT_TABLES.complianceItems.columns.some((c) => c.name === layout.recordNode));
        assert.ok(REPORT_TABLES.patchSummary.columns.some((c) => c.name === layout.recordNode));
    });

    it("the registered tables sit where the stack's syncs write, partitioned and projected as the sync's keys are laid out", function () {
        const tables = resources.filter((r) => r.type === TABLE);
        const syncs = resources.filter((r) => r.type === SYNC);
        assert.equal(tables.length, 3 * 2, "three tables in each of the stack's two regions");
        for (const t of tables) {
            const sd = t.inputs.storageDescriptor as { location: string; serDeInfo: { serializationLibrary: string } };
            assert.deepEqual(
                (t.inputs.partitionKeys as { name: string }[]).map((p) => p.name),
                layout.partitionKeys,
            );
            assert.equal(sd.serDeInfo.serializationLibrary, layout.serde);
            const typeName = Object.values(REPORT_TABLES).find((x) => x.name === t.inputs.name)!.typeName;
            // Every sync of the stack writes to the central bucket: the tables read each one's files.
            const params = t.inputs.parameters as Record<string, string>;
            const regions = params["projection.region.values"].split(",");
            for (const s of syncs) {
                const dest = s.inputs.s3Destination as { bucketName: string; prefix: string };
                const expected = layout.location
                    .replace("<bucket>", dest.bucketName)
                    .replace("<prefix>", dest.prefix)
                    .replace("<typeName>", typeName);
                assert.equal(sd.location, expected, `${t.name} location`);
                assert.ok(regions.includes(s.region), `${t.name} projects ${s.region}, where a sync writes`);
                // The projected key of one node's file is the key the sync writes it under.
                const template = params["storage.location.template"];
                const projected = template
                    .replace("${accountid}", params["projection.accountid.values"])
                    .replace("${region}", s.region)
                    .replace("${resourcetype}", params["projection.resourcetype.values"]);
                const written = key.key
                    .replace("<prefix>", `s3://${dest.bucketName}/${dest.prefix}`)
                    .replace("<typeName>", typeName)
                    .replace("<account>", params["projection.accountid.values"])
                    .replace("<region>", s.region)
                    .replace("<node>.json", "");
                assert.equal(projected, written, `${t.name}: the projection's key`);
            }
            assert.equal(params["projection.resourcetype.values"], key.resourceType);
        }
    });
});

describe("compliance reports: every named query reads only columns its tables have", function () {
    let resources: PlannedResource[];
    before(async () => {
        resources = await shippedResources(STACK);
    });

    it("the six queries of each region parse and name only the registered tables' columns", function () {
        const tables = tableColumns(resources);
        const queries = resources.filter((r) => r.type === QUERY);
        assert.equal(queries.length, 6 * 2);
        for (const q of queries) assert.deepEqual(unknownColumns(String(q.inputs.query), tables), [], String(q.inputs.name));
    });

    it("the check finds a column a table lacks, an unqualified one and a table that is not there", function () {
        const tables = tableColumns(resources);
        assert.deepEqual(unknownColumns("SELECT c.patchstatus FROM aws_complianceitem c", tables), ["aws_complianceitem.patchstatus"]);
        assert.deepEqual(unknownColumns("SELECT resourceid FROM aws_complianceitem", tables), ["null.resourceid"]);
        assert.deepEqual(unknownColumns("SELECT x.id FROM aws_patchcompliance x", tables), ["aws_patchcompliance.id"]);
    });

    it("with exemptions and no patch groups in some of them, the queries still read only known columns", function () {
        const tables = tableColumns(resources);
        const exemption = {
            index: 0,
            patches: ["KB5034441", "openssl*"],
            baselines: ["b"],
            until: "2027-01-31",
            endsAt: "2027-01-30T23:00:00.000Z",
            inForce: true,
            daysLeft: 30,
            ticket: "CHG-1",
            reason: "breaks the O'Brien app",
        };
        for (const exemptions of [[], [exemption]])
            for (const q of reportQueries({ notScannedDays: 3, patchGroups: [{ name: "Web", baseline: "b" }], exemptions }))
                assert.deepEqual(unknownColumns(q.sql, tables), [], q.name);
    });
});

describe("compliance reports: the workgroup and who can touch its results", function () {
    it("writes encrypted results in the log bucket, outside the expiring prefix and the prefix nodes may write, and enforces that", async function () {
        const resources = await shippedResources(STACK);
        const lifecycle = resources.filter((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        const expiring = lifecycle.flatMap((l) => (l.inputs.rules as { filter: { prefix: string } }[]).map((r) => r.filter.prefix));
        assert.ok(expiring.length > 0);
        const nodeWrites = resources
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
            .flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement as { Effect: string; Action: string[]; Resource: string }[])
            .filter((s) => s.Effect === "Allow" && [s.Action].flat().includes("s3:PutObject"))
            .map((s) => String(s.Resource));
        assert.ok(nodeWrites.length > 0);
        const nodeDenies = resources
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
            .flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement as { Effect: string; Action: string[]; Resource: string[] }[])
            .filter((s) => s.Effect === "Deny" && [s.Action].flat().includes("s3:PutObject"))
            .flatMap((s) => [s.Resource].flat());
        const buckets = new Set(
            resources.filter((r) => r.type === SYNC).map((s) => (s.inputs.s3Destination as { bucketName: string }).bucketName),
        );
        for (const w of resources.filter((r) => r.type === WORKGROUP)) {
            const c = w.inputs.configuration as {
                enforceWorkgroupConfiguration: boolean;
                resultConfiguration: { outputLocation: string; encryptionConfiguration: { encryptionOption: string } };
            };
            assert.equal(c.enforceWorkgroupConfiguration, true);
            const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(c.resultConfiguration.outputLocation)!;
            assert.ok(buckets.has(m[1]), "the results stay in the log bucket");
            for (const p of expiring) assert.ok(!m[2].startsWith(p) && !p.startsWith(m[2]), `${m[2]} vs expiring ${p}`);
            for (const arn of nodeWrites) {
                const prefix = arn
                    .split(":::")[1]
                    .replace(/^[^/]+\//, "")
                    .replace(/\*$/, "");
                assert.ok(!m[2].startsWith(prefix), `nodes may write ${arn}`);
            }
            assert.equal(
                c.resultConfiguration.encryptionConfiguration.encryptionOption,
                "SSE_S3",
                "the bucket's own encryption (no log key)",
            );
            // Whatever else a node role gains, an explicit Deny keeps it from the results auditors read.
            assert.ok(
                nodeDenies.some((arn) => arn === `arn:aws:s3:::${m[1]}/${m[2].replace(/\/$/, "")}/*`),
                `no node Deny on ${m[2]}`,
            );
        }
    });

    it("with the log key, results are SSE_KMS with that key", async function () {
        const kms = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const config = withConfig(shippedConfig(STACK), {
            regions: undefined,
            centralLogBucket: undefined,
            privateEndpoints: undefined,
            logging: { kmsKeyArn: kms },
        });
        const stack = await evaluate(STACK, config);
        const [w] = stack.ofType(WORKGROUP);
        const enc = (w.inputs.configuration as any).resultConfiguration.encryptionConfiguration;
        assert.deepEqual(enc, { encryptionOption: "SSE_KMS", kmsKeyArn: kms });
        const sse = stack.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0];
        assert.equal((sse.inputs.rules as any[])[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, kms, "the bucket's own key");
    });
});

describe("compliance reports: config", function () {
    const base = { environment: "production", compliance: { dataSync: true } };

    it("needs the data sync, and says so at the key", function () {
        refused({ environment: "production", reporting: {} }, "patch-manager:reporting", "compliance.dataSync");
        refused({ ...base, compliance: { dailyScan: true }, reporting: { notScannedDays: 3 } }, "patch-manager:reporting", "dataSync");
    });

    it("keeps the results apart from the log prefix, the sync's prefix and the fleet's inputs", function () {
        refused({ ...base, reporting: { resultsPrefix: "patching" } }, "patch-manager:reporting.resultsPrefix", "every node may write");
        refused({ ...base, reporting: { resultsPrefix: "compliance" } }, "patch-manager:reporting.resultsPrefix", "data sync");
        refused(
            { ...base, logging: { keyPrefix: "logs" }, reporting: { resultsPrefix: "logs" } },
            "patch-manager:reporting.resultsPrefix",
            '"logs/"',
        );
        refused({ ...base, reporting: { notScannedDays: 0 } }, "patch-manager:reporting.notScannedDays", "1 to 365");
        refused({ ...base, reporting: { resultPrefix: "x" } }, "patch-manager:reporting", "resultsPrefix");
    });
});

describe("compliance reports: the plan", function () {
    it("names each region's workgroup and database and runs each named query by its id", async function () {
        const resources = await shippedResources(STACK);
        const reports = reportsOf(resources)!;
        assert.equal(reports.length, 2);
        for (const r of reports) {
            assert.equal(r.queries.length, 6);
            for (const q of r.queries) {
                const named = resources.find((x) => x.type === QUERY && x.id === q.id)!;
                assert.equal(named.region, r.region);
                assert.ok(q.command.includes(`--work-group ${named.inputs.workgroup}`), q.command);
                assert.ok(q.command.includes(`--named-query-id ${q.id}`), q.command);
                assert.ok(q.command.includes(`Database=${named.inputs.database}`), q.command);
            }
        }
        assert.equal(reportsOf((await shippedResources("prod")).filter(() => true)), undefined, "prod has no reports");
    });
});

describe("compliance reports: an exemption's patch names match as rejectedPatches' do (only * is a wildcard)", function () {
    it("matches the whole name, * as any text, and _ . + as themselves", () => {
        const rows = exemptionRows({
            notScannedDays: 14,
            patchGroups: [{ name: "Web", baseline: "al2023" }],
            exemptions: [
                {
                    index: 0,
                    patches: ["kernel_5*", "KB5034441", "libc.so+1"],
                    groups: ["Web"],
                    baselines: [],
                    until: "2027-01-31",
                    endsAt: "2027-01-31T00:00:00Z",
                } as never,
            ],
        });
        const pattern = (patch: string) => new RegExp(rows.find((r) => r[1] === patch)![EXEMPTION_COLUMNS.indexOf("pattern")]);
        assert.ok(pattern("kernel_5*").test("kernel_5.10.1"));
        assert.ok(!pattern("kernel_5*").test("kernelX5.10"), "_ is not a wildcard");
        assert.ok(!pattern("kernel_5*").test("old-kernel_5"), "the whole name");
        assert.ok(pattern("KB5034441").test("KB5034441") && !pattern("KB5034441").test("KB50344410"));
        assert.ok(pattern("libc.so+1").test("libc.so+1") && !pattern("libc.so+1").test("libcXsoo1"));
    });
});
