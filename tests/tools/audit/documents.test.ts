// Reading what the audit is given (tools/audit/documents.ts): the bytes PowerShell and other
// shells write, JSON cut short, documents with nothing to check, and resources the pack cannot judge.
import * as assert from "node:assert/strict";
import { AuditDocumentError, decodeJsonBytes, notChecked, parseAuditDocument, parseJsonText } from "../../../tools/audit/documents";

const DOC =
    '{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:prod::app::aws:s3/bucket:Bucket::café","type":"aws:s3/bucket:Bucket"}]}}';

/** `text` in UTF-16 BE: Node has no encoder for it, so swap the bytes of UTF-16 LE. */
function utf16be(text: string): Buffer {
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
    return be;
}

function refused(f: () => unknown, message: RegExp, what?: string): void {
    assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof AuditDocumentError, String(e));
        assert.match(e.message, message, what);
        return true;
    });
}

describe("tools/audit/documents.ts: reading the audit's input", () => {
    describe("bytes to text", () => {
        it("reads UTF-8 with and without a byte order mark, and UTF-16 LE and BE with one, to the same text", () => {
            const encodings: Array<[string, Buffer]> = [
                ["UTF-8", Buffer.from(DOC, "utf8")],
                // PowerShell 7 / `Out-File -Encoding utf8` (PowerShell 5) write EF BB BF first.
                ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(DOC, "utf8")])],
                // Windows PowerShell 5's `>`: FF FE, then UTF-16 LE.
                ["UTF-16 LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DOC, "utf16le")])],
                ["UTF-16 BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(DOC)])],
            ];
            for (const [name, bytes] of encodings) {
                const text = decodeJsonBytes(bytes, "file state.json");
                assert.equal(text, DOC, name);
                assert.equal(parseAuditDocument(JSON.parse(text)).resources[0].name, "café", name);
            }
        });

        it("refuses UTF-16 without a byte order mark, UTF-32, a legacy code page and cut-short UTF-16, naming the problem and the re-export", () => {
            const cases: Array<[string, Buffer, RegExp]> = [
                ["UTF-16 LE, no BOM", Buffer.from(DOC, "utf16le"), /looks like UTF-16 LE without a byte order mark/],
                ["UTF-16 BE, no BOM", utf16be(DOC), /looks like UTF-16 BE without a byte order mark/],
                ["UTF-32 LE", Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x7b, 0, 0, 0]), /is UTF-32/],
                ["UTF-32 BE", Buffer.from([0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0x7b]), /is UTF-32/],
                // "café" in Windows-1252: E9 alone is not UTF-8.
                [
                    "Windows-1252",
                    Buffer.from(DOC.replace("café", "caf\u00e9"), "latin1"),
                    /is not UTF-8: the bytes 0xE9 0x22 .* at offset 95 .*Windows-1252/,
                ],
                [
                    "Windows-1252 after a UTF-8 BOM",
                    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(DOC, "latin1")]),
                    /at offset 98/,
                ],
                [
                    "UTF-16 LE cut mid-character",
                    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DOC, "utf16le").subarray(0, 41)]),
                    /UTF-16 LE but has an odd number of bytes \(43\): it was cut short/,
                ],
                [
                    "UTF-16 LE, lone surrogate",
                    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0x7b, 0, 0x00, 0xd8, 0x7d, 0])]),
                    /unpaired surrogate/,
                ],
                ["nothing", Buffer.alloc(0), /is empty \(0 bytes\)/],
            ];
            for (const [name, bytes, message] of cases) {
                refused(() => decodeJsonBytes(bytes, "file state.json"), message, name);
                refused(
                    () => decodeJsonBytes(bytes, "file state.json"),
                    /^file state\.json .*pulumi stack export --stack <name> --file state\.json/,
                    name,
                );
            }
        });
    });

    describe("text to JSON", () => {
        it("says a file that ends inside the JSON is cut short, with the line where it ends", () => {
            const cut = `{\n  "version": 3,\n  "deployment": {"resources": [{"urn": "urn:pulumi:a`;
            refused(
                () => parseJsonText(cut, "file state.json"),
                /^file state\.json is not valid JSON: it ends at line 3, column 53 before the JSON does \(a file cut short/,
            );
            refused(
                () => parseJsonText('{"version": 3, "deployment": {', "file s.json"),
                /it ends at line 1, column 31 before the JSON does/,
            );
        });

        it("names the line and column of any other syntax error", () => {
            refused(
                () => parseJsonText('{\n  "version": 3,\n  nope\n}', "file s.json"),
                /^file s\.json is not valid JSON: .* \(line 3, column 3\); expected a `pulumi stack export`/,
            );
            assert.deepEqual(parseJsonText(' {"a": 1} ', "x"), { a: 1 });
        });
    });

    describe("JSON to resources", () => {
        const urn = (type: string, name: string, project = "patch-manager") => `urn:pulumi:prod::${project}::${type}::${name}`;
        const BUCKET = "aws:s3/bucket:Bucket";

        it("a stack export without a resources list, with none, or with only the stack and its provider is empty: nothing was checked", () => {
            const missing = parseAuditDocument({ version: 3, deployment: { manifest: {} } });
            assert.deepEqual(missing.resources, []);
            assert.match(missing.empty!, /^no resources: nothing was checked\. The stack export's deployment has no resources list/);
            assert.match(
                parseAuditDocument({ version: 3, deployment: { resources: [] } }).empty!,
                /^no resources: nothing was checked\. The stack was never deployed/,
            );
            const scaffolding = parseAuditDocument({
                version: 3,
                deployment: {
                    resources: [
                        { urn: urn("pulumi:pulumi:Stack", "patch-manager-prod"), type: "pulumi:pulumi:Stack" },
                        { urn: urn("pulumi:providers:aws", "default_7_0_0"), type: "pulumi:providers:aws", custom: true },
                    ],
                },
            });
            assert.match(scaffolding.empty!, /nothing was checked \(it holds only pulumi:pulumi:Stack, pulumi:providers:aws\)/);
            assert.match(parseAuditDocument({ project: "p", stack: "s", resources: [] }).empty!, /The plan registered no resources/);
            const full = parseAuditDocument({ version: 3, deployment: { resources: [{ urn: urn(BUCKET, "b"), type: BUCKET }] } });
            assert.equal(full.empty, undefined);
            assert.equal(full.projectName, "patch-manager");
        });

        it("refuses a resource without urn or type, and a resources value that is not a list, saying what is valid", () => {
            refused(
                () => parseAuditDocument({ version: 3, deployment: { resources: { a: 1 } } }),
                /deployment\.resources is \{"a":1\}, not a list/,
            );
            refused(
                () => parseAuditDocument({ version: 3, deployment: { resources: ["x"] } }),
                /deployment\.resources\[0\] is a string; each resource is an object with a "urn"/,
            );
            refused(
                () => parseAuditDocument({ resources: [{ urn: urn(BUCKET, "b") }] }),
                /resources\[0\] \(.*\) has no type \(got nothing\); each resource is an object/,
            );
            refused(
                () => parseAuditDocument({ version: 4, deployment: {} }),
                /unsupported stack export version 4: the audit reads version 3/,
            );
            refused(() => parseAuditDocument([1]), /expected a JSON object, got a list/);
        });

        it("keeps a resource read with .get as external, and a plan's checkedInputs as its inputs (what a preview analyses)", () => {
            const exported = parseAuditDocument({
                version: 3,
                deployment: {
                    resources: [
                        { urn: urn(BUCKET, "read"), type: BUCKET, custom: true, external: true, id: "logs" },
                        { urn: urn(BUCKET, "made"), type: BUCKET, custom: true, inputs: { bucket: "made" } },
                    ],
                },
            });
            assert.deepEqual(
                exported.resources.map((r) => [r.name, r.external, r.inputs]),
                [
                    ["read", true, {}],
                    ["made", undefined, { bucket: "made" }],
                ],
            );
            const plan = parseAuditDocument({
                project: "patch-manager",
                stack: "dev",
                resources: [
                    {
                        urn: urn("aws:iam/role:Role", "window-role"),
                        type: "aws:iam/role:Role",
                        inputs: { assumeRolePolicy: "{}" },
                        checkedInputs: { assumeRolePolicy: "{}", name: "window-role-1a2b3c4", __defaults: ["name"] },
                    },
                    { urn: urn(BUCKET, "b"), type: BUCKET, inputs: { bucket: "b" }, checkedInputs: "not an object" },
                ],
            });
            assert.deepEqual(plan.resources[0].inputs, { assumeRolePolicy: "{}", name: "window-role-1a2b3c4", __defaults: ["name"] });
            assert.deepEqual(plan.resources[1].inputs, { bucket: "b" });
        });

        it("keeps only lists of URNs as property dependencies, whatever the export holds", () => {
            const doc = parseAuditDocument({
                version: 3,
                deployment: {
                    resources: [
                        { urn: urn(BUCKET, "b"), type: BUCKET, propertyDependencies: { a: "x", b: [urn(BUCKET, "c"), 3], c: null } },
                    ],
                },
            });
            assert.deepEqual(doc.resources[0].propertyDependencies, { a: [], b: [urn(BUCKET, "c")], c: [] });
        });
    });

    describe("what the pack cannot judge", () => {
        it("lists patching resources of types the pack has no rules for, and those read with .get; not the types it knows", () => {
            const r = (type: string, extra: Record<string, unknown> = {}) => ({
                urn: `urn:pulumi:prod::app::${type}::x`,
                type,
                name: "x",
                custom: true,
                inputs: {},
                ...extra,
            });
            const listed = notChecked([
                r("aws-native:ssm:MaintenanceWindow"),
                r("aws-native:iam:Role"),
                r("aws-native:ssmquicksetup:ConfigurationManager"),
                r("AWS::SSM::PatchBaseline"),
                r("aws:ssmquicksetup/configurationManager:ConfigurationManager"),
                r("aws:cloudformation/stack:Stack", {
                    inputs: { templateBody: '{"Resources":{"W":{"Type":"AWS::SSM::MaintenanceWindow"}}}' },
                }),
                r("aws:cloudformation/stack:Stack", { inputs: { templateUrl: "https://bucket.s3.amazonaws.com/t.json" } }),
                r("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", { external: true }),
                // Known to the pack, or nothing to do with patching: not listed.
                r("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask"),
                r("aws:cloudformation/stack:Stack", { inputs: { templateBody: '{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}' } }),
                r("aws-native:s3:Bucket"),
                r("aws:lambda/function:Function"),
            ]);
            assert.deepEqual(
                listed.map((n) => `${n.kind} ${n.type}`),
                [
                    "unknown-type aws-native:ssm:MaintenanceWindow",
                    "unknown-type aws-native:iam:Role",
                    "unknown-type aws-native:ssmquicksetup:ConfigurationManager",
                    "unknown-type AWS::SSM::PatchBaseline",
                    "unknown-type aws:ssmquicksetup/configurationManager:ConfigurationManager",
                    "unknown-type aws:cloudformation/stack:Stack",
                    "unknown-type aws:cloudformation/stack:Stack",
                    "external aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
                ],
            );
            assert.match(listed[0].reason, /aws-native.*the pack's rules match the aws provider's type tokens/);
            assert.match(listed[3].reason, /^a CloudFormation resource type/);
            assert.match(listed[5].reason, /template declares SSM or IAM resources/);
            assert.match(listed[6].reason, /template is not in the document \(templateUrl\)/);
            assert.match(listed[7].reason, /^read with \.get \(external: true\): resource rules do not analyse it/);
        });
    });
});
