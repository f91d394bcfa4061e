import { strict as assert } from "assert";
import table from "../../../tools/diff/forceNew.json";
import { changeReplaces, knowsType } from "../../../tools/diff/planDiff";
import {
    forceNewAttributes,
    frameworkRequiresReplace,
    hasUpdate,
    nameIsPhysicalId,
    replacementFacts,
    RESOURCE_SOURCES,
} from "../../../tools/codegen/genForceNew";
import { AUTO_NAMED_KEY, NATURAL_KEYS } from "../../../policies/replacement";
import checkedTable from "../../../tools/audit/checkedInputs.json";
import { evaluate, SHIPPED_STACKS, shippedConfig, typesInSources, withConfig } from "../../helpers";

describe("update-vs-replace table (tools/diff/forceNew.json) covers every type the program creates", function () {
    it("every resource type constructed in the program's sources is in the table, with its source", function () {
        const types = typesInSources();
        assert.ok(types.size >= 25, `found ${types.size} types`);
        for (const [type, file] of types) {
            assert.ok(knowsType(type), `${file} creates ${type}, which tools/diff/forceNew.json does not know`);
            assert.ok((table._sources as Record<string, string>)[type], `${type} has no source in the table`);
            assert.ok(RESOURCE_SOURCES[type], `${type} is not in the generator's RESOURCE_SOURCES`);
        }
    });

    it("every type of every shipped stack, and of a stack with the default baseline registered, is in the table", async function () {
        const seen = new Set<string>();
        for (const stack of SHIPPED_STACKS) for (const r of (await evaluate(stack)).resources) if (r.custom) seen.add(r.type);
        const prod = shippedConfig("prod");
        const baselines = JSON.parse(prod.values["patch-manager:baselines"]) as Record<string, unknown>[];
        const withDefault = withConfig(prod, { baselines: baselines.map((b) => ({ ...b, registerAsDefault: true })) });
        for (const r of (await evaluate("prod", withDefault)).resources) if (r.custom) seen.add(r.type);
        assert.ok(seen.has("aws:ssm/defaultPatchBaseline:DefaultPatchBaseline"));
        const unknown = [...seen].filter((t) => !t.startsWith("pulumi:providers:") && !knowsType(t));
        assert.deepEqual(unknown, []);
    });

    it("every type whose id is its name (per the provider source) is a natural key of the pack's rule", function () {
        for (const type of table.nameIsId) assert.ok(NATURAL_KEYS[type]?.inputs.includes("name"), `${type}: its name is its id`);
    });

    it("natural keys name only known types and say why", function () {
        for (const [type, key] of Object.entries(NATURAL_KEYS)) {
            assert.ok(knowsType(type), type);
            assert.ok(key.inputs.length > 0 && key.reason.length > 20, type);
        }
    });

    it("what replaces a natural key's resource under the same key is what the provider source says", function () {
        // Inputs that are the key by another name: a prefix is the generated alternative to the name, and
        // another event bus is another key for the same rule name.
        const alsoKey: Record<string, string[]> = {
            "aws:cloudwatch/eventRule:EventRule": ["eventBusName"],
            "aws:cloudwatch/eventTarget:EventTarget": ["eventBusName"],
            // An endpoint of another type or for another region's service owns another DNS name, or none.
            "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcEndpointType", "serviceRegion"],
            // Another Glue catalog holds another database or table of the same name.
            "aws:glue/catalogDatabase:CatalogDatabase": ["catalogId"],
            "aws:glue/catalogTable:CatalogTable": ["catalogId"],
        };
        const resources = table.resources as Record<string, string[]>;
        for (const [type, key] of Object.entries(NATURAL_KEYS)) {
            const forceNew = (resources[type] ?? []).filter((p) => !p.includes("."));
            const outside = forceNew.filter(
                (p) => !key.inputs.includes(p) && !["namePrefix", "bucketPrefix"].includes(p) && !(alsoKey[type] ?? []).includes(p),
            );
            if (table.noUpdate.includes(type)) {
                // Without Update every input replaces: the ForceNew ones outside the key are among them.
                for (const p of outside) assert.ok(key.replacedKeepingKeyBy.includes(p), `${type}: ${p} replaces it (no Update)`);
            } else {
                assert.deepEqual([...key.replacedKeepingKeyBy].sort(), outside.sort(), `${type}: ForceNew inputs outside the key`);
            }
        }
        // Types without Update whose only inputs are the key (an attachment) never keep their key across a replacement.
        assert.deepEqual(NATURAL_KEYS["aws:iam/rolePolicyAttachment:RolePolicyAttachment"].replacedKeepingKeyBy, []);
    });

    it("the key inputs the pack treats as auto-named are the ones the provider's Check auto-names (tools/audit/checkedInputs.json)", function () {
        const checked = checkedTable.resources as Record<string, { autoName: { input: string } | null }>;
        for (const type of Object.keys(NATURAL_KEYS)) {
            const auto = checked[type]?.autoName?.input;
            const keyed = auto !== undefined && NATURAL_KEYS[type].inputs.includes(auto) ? auto : undefined;
            assert.equal(AUTO_NAMED_KEY[type], keyed, type);
        }
    });

    it("classifies changes: nested ForceNew paths, types without Update, plain updates", function () {
        assert.equal(changeReplaces("aws:ssm/maintenanceWindow:MaintenanceWindow", "schedule"), false);
        assert.equal(changeReplaces("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "windowId"), true);
        // No Update: even an input the schema does not mark ForceNew replaces.
        assert.equal(changeReplaces("aws:ssm/resourceDataSync:ResourceDataSync", "s3Destination.prefix"), true);
        assert.equal(changeReplaces("aws:ssm/activation:Activation", "tags.Owner"), true);
        assert.equal(changeReplaces("time:index/rotating:Rotating", "triggers.role"), true);
        assert.equal(changeReplaces("time:index/rotating:Rotating", "rotationHours"), false);
        assert.equal(changeReplaces("aws:cfg/rule:Rule", "description"), false);
        assert.equal(changeReplaces("aws:cfg/rule:Rule", "name"), true);
    });
});

describe("ForceNew table generator (tools/genForceNew)", function () {
    // Shaped like the provider's Go sources (SDKv2 and Plugin Framework), written for these tests.
    const sdk = `
func resourceX() *schema.Resource {
	return &schema.Resource{
		CreateWithoutTimeout: resourceXCreate,
		ReadWithoutTimeout:   resourceXRead,
		DeleteWithoutTimeout: resourceXDelete,
		Schema: map[string]*schema.Schema{
			"window_id": {
				Type:     schema.TypeString,
				Required: true,
				ForceNew: true,
			},
			names.AttrName: {
				Type:     schema.TypeString,
				ForceNew: true,
			},
			"s3_destination": {
				Type: schema.TypeList,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						names.AttrKMSKeyARN: {Type: schema.TypeString,
							ForceNew: true,
						},
						"sync_format": {
							Type: schema.TypeString,
						},
					},
				},
			},
			names.AttrTags: tftags.TagsSchemaForceNew(),
			"schedule": {
				Type:     schema.TypeString,
			},
		},
	}
}
func other() { x := map[string]string{"a": "ForceNew: true"} }`;

    it("SDKv2: top-level and nested ForceNew, ForceNew tags, and a resource without Update", function () {
        assert.deepEqual(replacementFacts(sdk), {
            forceNew: ["name", "s3Destination.kmsKeyArn", "tags", "windowId"],
            noUpdate: true,
            nameIsId: false,
        });
        const named = `${sdk}\nfunc resourceXCreate() {\n\tname := d.Get(names.AttrName).(string)\n\td.SetId(name)\n}`;
        assert.equal(replacementFacts(named).nameIsId, true);
        assert.equal(nameIsPhysicalId(named.replace("d.SetId(name)", "d.SetId(aws.ToString(output.WindowId))")), false);
        assert.equal(nameIsPhysicalId(named.replace("d.SetId(name)", "d.SetId(aws.ToString(output.TopicArn))")), false);
        assert.equal(nameIsPhysicalId(named.replace("d.SetId(name)", "d.SetId(ruleCreateResourceID(eventBusName, ruleName))")), true);
        assert.deepEqual(forceNewAttributes(sdk), ["name", "tags", "windowId"]);
        assert.equal(
            hasUpdate(sdk.replace("DeleteWithoutTimeout", "UpdateWithoutTimeout: resourceXUpdate,\n\t\tDeleteWithoutTimeout")),
            true,
        );
    });

    it("Plugin Framework: RequiresReplace plan modifiers, at any depth; an empty Update is no Update", function () {
        const pf = `
func (r *thing) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"triggers": schema.MapAttribute{
				Optional: true,
				PlanModifiers: []planmodifier.Map{
					mapplanmodifier.RequiresReplace(),
				},
			},
			"rotation_days": schema.Int64Attribute{
				Optional: true,
			},
		},
		Blocks: map[string]schema.Block{
			names.AttrRule: schema.ListNestedBlock{
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"expected_bucket_owner": schema.StringAttribute{
							PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured()},
						},
					},
				},
			},
		},
	}
}

func (r *thing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Set(ctx, req.Plan)
}`;
        assert.deepEqual(frameworkRequiresReplace(pf), ["rule.expectedBucketOwner", "triggers"]);
        assert.equal(hasUpdate(pf), true);
        assert.equal(
            hasUpdate(pf.replace("resp.State.Set(ctx, req.Plan)", "")),
            false,
            "an Update that does nothing: every change goes through replacement",
        );
    });
});
