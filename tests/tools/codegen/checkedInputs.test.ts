import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import table from "../../../tools/audit/checkedInputs.json";
import {
    CHECKED_SOURCES,
    checkedInputs,
    CheckedInputs,
    defaultAutonaming,
    EXTRA_SOURCES,
    generate,
    goLiteral,
    isPluginFramework,
    PULUMI_AWS_KEYS,
    pulumiInfo,
    pulumiInfoBlock,
    topLevelAttributes,
} from "../../../tools/codegen/genCheckedInputs";
import { RESOURCE_SOURCES } from "../../../tools/codegen/genForceNew";
import { typesInSources } from "../../helpers";
import { CheckFailure, checkedInputs as checkInputs } from "../../../tools/audit/providerCheck";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const resources = table.resources as Record<string, CheckedInputs>;
const sources = table._sources as Record<string, string>;

/** The input names of the resource's `…Args` interface in @pulumi/aws's typings, with whether each is optional. */
function argsInputs(type: string): Map<string, boolean> {
    const m = /^aws:([\w]+)\/(\w+):(\w+)$/.exec(type);
    assert.ok(m, `${type} is not an aws type token`);
    const file = path.join(ROOT, "node_modules", "@pulumi", "aws", m[1], `${m[2]}.d.ts`);
    assert.ok(fs.existsSync(file), `${type}: no ${path.relative(ROOT, file)}`);
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(`export interface ${m[3]}Args {`);
    assert.ok(start >= 0, `${type}: no ${m[3]}Args in ${path.relative(ROOT, file)}`);
    const body = text.slice(start, text.indexOf("\n}", start));
    return new Map([...body.matchAll(/^ {4}(\w+)(\??):/gm)].map((p) => [p[1], p[2] === "?"]));
}

describe("checked-inputs table (tools/audit/checkedInputs.json) covers every aws type the program creates", function () {
    it("every aws resource type constructed in the program's sources has an entry and a source", function () {
        const types = new Map([...typesInSources()].filter(([type]) => type.startsWith("aws:")));
        assert.ok(types.size >= 25, `found ${types.size} types`);
        for (const [type, file] of types) {
            assert.ok(resources[type], `${file} creates ${type}, which tools/audit/checkedInputs.json does not know`);
            assert.ok(sources[type], `${type} has no source in the table`);
            assert.ok(CHECKED_SOURCES[type], `${type} is not in the generator's CHECKED_SOURCES`);
        }
    });

    it("covers exactly genForceNew's aws types plus the extra ones, each with its pulumi-aws key", function () {
        const expected = [
            ...Object.entries(RESOURCE_SOURCES)
                .filter(([, [provider]]) => provider === "aws")
                .map(([type]) => type),
            ...Object.keys(EXTRA_SOURCES),
        ].sort();
        assert.deepEqual(Object.keys(resources).sort(), expected);
        assert.deepEqual(Object.keys(sources).sort(), expected);
        assert.deepEqual(Object.keys(CHECKED_SOURCES).sort(), expected);
        for (const type of expected) assert.ok(PULUMI_AWS_KEYS[type], `${type} has no pulumi-aws key`);
    });

    it("entries are well formed: auto-named inputs and defaults are optional inputs of the resource's Args", function () {
        for (const [type, entry] of Object.entries(resources)) {
            const inputs = argsInputs(type);
            assert.deepEqual(Object.keys(entry).sort(), ["autoName", "defaults"], type);
            if (entry.autoName !== null) {
                const a = entry.autoName;
                assert.deepEqual(Object.keys(a).sort(), ["input", "lowercase", "maxLength", "randomLength", "separator"], type);
                assert.ok(Number.isInteger(a.maxLength) && a.maxLength >= 0, `${type}: maxLength ${a.maxLength}`);
                assert.ok(Number.isInteger(a.randomLength) && a.randomLength >= 0, `${type}: randomLength ${a.randomLength}`);
                assert.ok(a.maxLength === 0 || a.maxLength > a.randomLength + a.separator.length, `${type}: no room for a name`);
                assert.equal(typeof a.separator, "string", type);
                assert.equal(typeof a.lowercase, "boolean", type);
                // A Required Terraform name becomes optional when auto-named: the SDK must let the program omit it.
                assert.equal(inputs.get(a.input), true, `${type}: ${a.input} is not an optional input of its Args`);
            }
            for (const [input, value] of Object.entries(entry.defaults)) {
                assert.equal(inputs.get(input), true, `${type}: default ${input} is not an optional input of its Args`);
                assert.ok(["string", "number", "boolean"].includes(typeof value), `${type}.${input}: ${JSON.stringify(value)}`);
                // pulumi-terraform-bridge#3398: falsy TF defaults are not written into checked inputs.
                assert.ok(value !== false && value !== 0 && value !== "", `${type}.${input}: a falsy default is not written`);
            }
            assert.ok(/ @ [0-9a-f]{40}/.test(sources[type]), `${type}: its source names no commit`);
            assert.ok(/\((?:reviewed|generated)\b/.test(sources[type]), `${type}: its source says neither reviewed nor generated`);
        }
    });

    it("Plugin Framework types get no Terraform defaults; the overrides of pulumi-aws win over setAutonaming", function () {
        for (const type of table.pluginFramework) {
            assert.ok(resources[type], type);
            assert.deepEqual(resources[type].defaults, {}, type);
        }
        assert.deepEqual(resources["aws:s3/bucket:Bucket"].autoName, {
            input: "bucket",
            maxLength: 63,
            separator: "-",
            randomLength: 7,
            lowercase: true,
        });
        assert.deepEqual(resources["aws:s3/bucketV2:BucketV2"].autoName, resources["aws:s3/bucket:Bucket"].autoName);
        assert.equal(resources["aws:iam/role:Role"].autoName?.maxLength, 64);
        assert.equal(resources["aws:lambda/function:Function"].autoName?.input, "name");
        assert.equal(resources["aws:ssm/patchBaseline:PatchBaseline"].autoName?.maxLength, 255);
        assert.equal(resources["aws:ssm/patchGroup:PatchGroup"].autoName, null);
        assert.deepEqual(resources["aws:iam/role:Role"].defaults, { maxSessionDuration: 3600, path: "/" });
    });
});

describe("checked-inputs generator (tools/genCheckedInputs)", function () {
    // Shaped like the provider's Go sources (terraform-provider-aws SDKv2 and Plugin Framework, pulumi-aws
    // ProviderInfo), written for these tests.
    const sdk = `
func resourceX() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			names.AttrARN: {
				Type:     schema.TypeString,
				Computed: true,
			},
			"allow_unassociated_targets": {
				Type:     schema.TypeBool,
				Optional: true,
				Default:  false,
			},
			names.AttrEnabled: {
				Type:     schema.TypeBool,
				Optional: true,
				Default:  true,
			},
			"max_session_duration": {
				Type:         schema.TypeInt,
				Optional:     true,
				Default:      3600,
				ValidateFunc: validation.IntBetween(3600, 43200),
			},
			"retention_in_days": {
				Type:     schema.TypeInt,
				Optional: true,
				Default:  0,
			},
			names.AttrName: {
				Type:          schema.TypeString,
				Required:      true,
				ConflictsWith: []string{names.AttrNamePrefix},
			},
			"operating_system": {
				Type:     schema.TypeString,
				Optional: true,
				ForceNew: true,
				Default:  ssm.OperatingSystemWindows,
			},
			"is_legacy": {
				Type:       schema.TypeBool,
				Optional:   true,
				Default:    true,
				Deprecated: "use state instead",
			},
			"s3_destination": {
				Type:     schema.TypeList,
				Optional: true,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						"sync_format": {
							Type:     schema.TypeString,
							Optional: true,
							Default:  "JsonSerDe",
						},
					},
				},
			},
			"topic_arn": {
				Type:     schema.TypeString,
				Optional: true,
				Default:  "arn:aws:sns:us-east-1:123456789012:t",
			},
			names.AttrPath: {
				Type:     schema.TypeString,
				Optional: true,
				Default:  "/",
			},
			names.AttrTags:    tftags.TagsSchema(),
			names.AttrTagsAll: tftags.TagsSchemaComputed(),
		},
	}
}`;

    const overrides = `
func resourceOverrides(p shim.Provider) map[string]*tfbridge.ResourceInfo {
	return map[string]*tfbridge.ResourceInfo{
		"aws_iam_role": {
			Fields: map[string]*tfbridge.SchemaInfo{
				"name": tfbridge.AutoName("name", 64, "-"),
				"assume_role_policy": {
					Type: "string",
				},
			},
		},
		"aws_s3_bucket": {
			Fields: map[string]*tfbridge.SchemaInfo{
				"acl": {
					Type: "string",
				},
				"bucket": tfbridge.AutoNameTransform("bucket", 63, func(name string) string {
					return strings.ToLower(name)
				}),
			},
		},
		"aws_sns_topic": {
			Fields: map[string]*tfbridge.SchemaInfo{
				"name": tfbridge.AutoNameWithCustomOptions("name", tfbridge.AutoNameOptions{
					Separator: "-",
					Maxlen:    80,
					Randlen:   7,
				}),
			},
		},
		"aws_s3_object": {
			Fields: map[string]*tfbridge.SchemaInfo{
				"key": {
					Default: &tfbridge.DefaultInfo{
						From: tfbridge.FromName(tfbridge.AutoNameOptions{
							Maxlen:    0,
							Randlen:   0,
							Transform: nil,
						}),
					},
				},
			},
		},
		"aws_security_group": {
			Tok: awsResource(ec2Mod, "SecurityGroup"),
			Fields: map[string]*tfbridge.SchemaInfo{
				"description": {Default: managedByPulumi},
			},
		},
		"aws_route53_record": {
			Fields: map[string]*tfbridge.SchemaInfo{
				// Do not autoname Route53 records.
				"name": {Name: "name"},
				"topic_arn": {
					Name: "topic",
				},
			},
		},
		"aws_cloudwatch_log_group": {
			IDFields: []string{"name"},
		},
	}
}`;
    const autonamingGo = `func setAutonaming(p *tfbridge.ProviderInfo, resourceMetadata awsResourceMetadataLookup) {
	maxLength := 255
	separator := "-"
}`;
    const compatibility = `func applyCompatibilityOverrides(prov *tfbridge.ProviderInfo) {
	legacyInfo := &info.Resource{
		Tok: awsResource(s3Mod, "BucketV2"),
		Fields: map[string]*tfbridge.SchemaInfo{
			"bucket": tfbridge.AutoNameTransform("bucket", 63, func(name string) string {
				return strings.ToLower(name)
			}),
		},
	}
	prov.Resources["aws_s3_bucket_v2_compat"] = legacyInfo
}`;

    it("reads pulumi-aws's auto-name overrides, renames, overlay defaults and its setAutonaming default", function () {
        const info = (key: string) => pulumiInfo(pulumiInfoBlock([overrides, compatibility], key));
        assert.deepEqual(info("aws_iam_role").autoNames, {
            name: { input: "name", maxLength: 64, separator: "-", randomLength: 7, lowercase: false },
        });
        assert.deepEqual(info("aws_s3_bucket").autoNames.bucket, {
            input: "bucket",
            maxLength: 63,
            separator: "-",
            randomLength: 7,
            lowercase: true,
        });
        assert.deepEqual(info("aws_s3_bucket_v2_compat").autoNames, info("aws_s3_bucket").autoNames);
        assert.deepEqual(info("aws_sns_topic").autoNames.name, {
            input: "name",
            maxLength: 80,
            separator: "-",
            randomLength: 7,
            lowercase: false,
        });
        assert.deepEqual(info("aws_s3_object").autoNames.key, {
            input: "key",
            maxLength: 0,
            separator: "",
            randomLength: 0,
            lowercase: false,
        });
        assert.deepEqual(info("aws_security_group").overlayDefaults, ["description"]);
        assert.deepEqual(info("aws_route53_record").fields, ["name", "topic_arn"]);
        assert.deepEqual(info("aws_route53_record").renames, { name: "name", topic_arn: "topic" });
        assert.deepEqual(info("aws_cloudwatch_log_group"), { autoNames: {}, fields: [], renames: {}, overlayDefaults: [] });
        assert.deepEqual(defaultAutonaming([overrides, autonamingGo]), { maxLength: 255, separator: "-" });
        assert.deepEqual(defaultAutonaming([`\tprov.SetAutonaming(255, "-")`]), { maxLength: 255, separator: "-" });
        assert.equal(defaultAutonaming([overrides]), undefined);
    });

    it("SDKv2: top-level non-falsy, non-deprecated defaults by Pulumi name; the overlay's auto-name and defaults win", function () {
        const attrs = topLevelAttributes(sdk);
        assert.deepEqual(
            attrs.map((a) => a.name),
            [
                "arn",
                "allow_unassociated_targets",
                "enabled",
                "max_session_duration",
                "retention_in_days",
                "name",
                "operating_system",
                "is_legacy",
                "s3_destination",
                "topic_arn",
                "path",
                "tags",
                "tags_all",
            ],
        );
        assert.deepEqual(attrs.find((a) => a.name === "name")?.conflictsWith, ["name_prefix"]);
        assert.equal(isPluginFramework(sdk), false);
        const autonaming = { maxLength: 255, separator: "-" };
        // setAutonaming's `name` (Required here: it becomes optional), the topic_arn → topic rename.
        assert.deepEqual(checkedInputs("aws:sns/topicSubscription:TopicSubscription", sdk, pulumiInfo(undefined), autonaming), {
            autoName: { input: "name", maxLength: 255, separator: "-", randomLength: 7, lowercase: false },
            defaults: {
                enabled: true,
                maxSessionDuration: 3600,
                operatingSystem: "WINDOWS",
                path: "/",
                topic: "arn:aws:sns:us-east-1:123456789012:t",
            },
        });
        // A per-field override replaces setAutonaming; a `name` SchemaInfo without AutoName disables it.
        const role = checkedInputs("aws:iam/role:Role", sdk, pulumiInfo(pulumiInfoBlock([overrides], "aws_iam_role")), autonaming);
        assert.equal(role.autoName?.maxLength, 64);
        const record = checkedInputs(
            "aws:route53/record:Record",
            sdk,
            pulumiInfo(pulumiInfoBlock([overrides], "aws_route53_record")),
            autonaming,
        );
        assert.equal(record.autoName, null);
        // pulumi-aws v7 reads hasInputName from its generated metadata when it has it.
        assert.equal(checkedInputs("aws:x/y:Y", sdk, pulumiInfo(undefined), autonaming, false).autoName, null);
        // An overlay literal default (managedByPulumi) replaces the Terraform one.
        const withDescription = sdk.replace(
            "names.AttrPath: {",
            'names.AttrDescription: {\n\t\t\t\tType: schema.TypeString,\n\t\t\t\tOptional: true,\n\t\t\t\tDefault: "Managed by Terraform",\n\t\t\t},\n\t\t\tnames.AttrPath: {',
        );
        const sg = checkedInputs(
            "aws:ec2/securityGroup:SecurityGroup",
            withDescription,
            pulumiInfo(pulumiInfoBlock([overrides], "aws_security_group")),
            autonaming,
        );
        assert.equal(sg.defaults.description, undefined);
    });

    it("Go literals and constants: an unknown constant stops the generator", function () {
        assert.equal(goLiteral('"/"'), "/");
        assert.equal(goLiteral("`raw`"), "raw");
        assert.equal(goLiteral("-1"), -1);
        assert.equal(goLiteral("true"), true);
        assert.equal(goLiteral("awstypes.KeyUsageTypeEncryptDecrypt"), "ENCRYPT_DECRYPT");
        assert.throws(() => goLiteral("awstypes.SomethingNew"), /not a literal and not in GO_CONSTANTS/);
    });

    it("Plugin Framework: no Terraform defaults, attributes found under resp.Schema and the older tfsdk.Schema", function () {
        const pf = `// @FrameworkResource("aws_x", name="X")
func (r *x) Schema(ctx context.Context, request resource.SchemaRequest, response *resource.SchemaResponse) {
	response.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			names.AttrBucket: schema.StringAttribute{
				Required: true,
			},
			names.AttrID: framework.IDAttributeDeprecatedNoReplacement(),
			names.AttrName: schema.StringAttribute{
				Optional: true,
			},
			"retention": schema.Int64Attribute{
				Optional: true,
				Default:  int64default.StaticInt64(7),
			},
		},
	}
}`;
        assert.equal(isPluginFramework(pf), true);
        assert.deepEqual(
            topLevelAttributes(pf).map((a) => a.name),
            ["bucket", "id", "name", "retention"],
        );
        assert.deepEqual(checkedInputs("aws:x/x:X", pf, pulumiInfo(undefined), { maxLength: 255, separator: "-" }), {
            autoName: { input: "name", maxLength: 255, separator: "-", randomLength: 7, lowercase: false },
            defaults: {},
        });
        const tfsdk = `func (r *x) GetSchema(context.Context) (tfsdk.Schema, diag.Diagnostics) {
	schema := tfsdk.Schema{
		Attributes: map[string]tfsdk.Attribute{
			"description": {
				Type:     types.StringType,
				Optional: true,
			},
			"tags": tftags.TagsAttribute(),
		},
	}
	return schema, nil
}`;
        assert.equal(isPluginFramework(tfsdk), true);
        assert.deepEqual(
            topLevelAttributes(tfsdk).map((a) => a.name),
            ["description", "tags"],
        );
    });

    it("generate(): reads the two checkouts' files (here: fixtures laid out like them)", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "checked-inputs-"));
        try {
            const pa = path.join(dir, "pulumi-aws");
            const tf = path.join(dir, "tf");
            const write = (root: string, rel: string, text: string) => {
                fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
                fs.writeFileSync(path.join(root, rel), text);
            };
            write(pa, "provider/resource_overrides.go", overrides);
            write(pa, "provider/autonaming.go", autonamingGo);
            write(pa, "provider/compatibility.go", compatibility);
            for (const rel of new Set(Object.values(CHECKED_SOURCES))) write(tf, rel, sdk);
            const out = generate(pa, tf);
            assert.deepEqual(Object.keys(out.resources).sort(), Object.keys(CHECKED_SOURCES).sort());
            assert.equal(out.resources["aws:iam/role:Role"].autoName?.maxLength, 64);
            assert.equal(out.resources["aws:s3/bucketV2:BucketV2"].autoName?.lowercase, true);
            assert.equal(out.resources["aws:s3/bucketObjectv2:BucketObjectv2"].autoName?.input, "key");
            assert.deepEqual(out.pluginFramework, []);
            assert.ok(/\(generated\)$/.test(out.sources["aws:iam/role:Role"]));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("tools/audit/providerCheck: the provider's Check as the pack sees it", () => {
    const urn = "urn:pulumi:prod::patch-manager::aws:iam/role:Role::patched-instance-role";

    it("fills the auto-name and the schema defaults, and lists them in __defaults", () => {
        const out = checkInputs("aws:iam/role:Role", "patched-instance-role", urn, { assumeRolePolicy: "{}" });
        assert.match(String(out.name), /^patched-instance-role-[0-9a-f]{7}$/);
        assert.equal(out.path, "/");
        assert.deepEqual(out.__defaults, ["maxSessionDuration", "name", "path"]);
        const named = checkInputs("aws:iam/role:Role", "r", urn, { name: "fixed", path: "/svc/" });
        assert.deepEqual(named.__defaults, ["maxSessionDuration"]);
        assert.equal(named.name, "fixed");
    });

    it("refuses a logical name too long for the generated name, as the bridge's NewUniqueName does (no truncation)", () => {
        const long = "patch-manager-production-patched-instance-role-eu-west-1-a";
        assert.throws(
            () => checkInputs("aws:iam/role:Role", long, urn, {}),
            (e: unknown) => e instanceof CheckFailure && /longer than maximum length 64/.test(String(e)),
        );
    });

    it("leaves nested objects and maps as the program wrote them (the table holds top-level facts only)", () => {
        const out = checkInputs("aws:ssm/association:Association", "scan", urn, {
            name: "AWS-RunPatchBaseline",
            parameters: { Operation: "Scan" },
        });
        assert.deepEqual(out.parameters, { Operation: "Scan" });
    });
});
