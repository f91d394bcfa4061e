// Regenerates tools/diff/forceNew.json from provider checkouts:
// `npm run gen:force-new -- --tf-src <terraform-provider-aws checkout> [--time-src <terraform-provider-time checkout>]`.
// The bridged Pulumi providers replace a resource exactly when an input the Terraform
// schema marks ForceNew (SDKv2) or RequiresReplace (Plugin Framework) changes, and on any
// change of a resource that has no Update at all; their own package schemas do not say
// which inputs those are. Check the checkouts out at the version the lock file pins:
// @pulumi/aws's provider/go.mod (upstream submodule) names its terraform-provider-aws
// commit, @pulumiverse/time's provider/go.mod its terraform-provider-time version.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

/** Pulumi type token → [provider, source file relative to that provider's checkout]. */
export const RESOURCE_SOURCES: Record<string, ["aws" | "time", string]> = {
    "aws:ssm/maintenanceWindow:MaintenanceWindow": ["aws", "internal/service/ssm/maintenance_window.go"],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": ["aws", "internal/service/ssm/maintenance_window_target.go"],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": ["aws", "internal/service/ssm/maintenance_window_task.go"],
    "aws:ssm/patchBaseline:PatchBaseline": ["aws", "internal/service/ssm/patch_baseline.go"],
    "aws:ssm/patchGroup:PatchGroup": ["aws", "internal/service/ssm/patch_group.go"],
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": ["aws", "internal/service/ssm/default_patch_baseline.go"],
    "aws:ssm/activation:Activation": ["aws", "internal/service/ssm/activation.go"],
    "aws:ssm/association:Association": ["aws", "internal/service/ssm/association.go"],
    "aws:ssm/document:Document": ["aws", "internal/service/ssm/document.go"],
    "aws:ssm/resourceDataSync:ResourceDataSync": ["aws", "internal/service/ssm/resource_data_sync.go"],
    "aws:iam/role:Role": ["aws", "internal/service/iam/role.go"],
    "aws:iam/rolePolicy:RolePolicy": ["aws", "internal/service/iam/role_policy.go"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["aws", "internal/service/iam/role_policy_attachment.go"],
    "aws:iam/instanceProfile:InstanceProfile": ["aws", "internal/service/iam/instance_profile.go"],
    "aws:s3/bucket:Bucket": ["aws", "internal/service/s3/bucket.go"],
    "aws:s3/bucketPolicy:BucketPolicy": ["aws", "internal/service/s3/bucket_policy.go"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["aws", "internal/service/s3/bucket_public_access_block.go"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["aws", "internal/service/s3/bucket_ownership_controls.go"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "aws",
        "internal/service/s3/bucket_server_side_encryption_configuration.go",
    ],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["aws", "internal/service/s3/bucket_lifecycle_configuration.go"],
    "aws:s3/bucketObjectv2:BucketObjectv2": ["aws", "internal/service/s3/object.go"],
    "aws:s3/bucketVersioning:BucketVersioning": ["aws", "internal/service/s3/bucket_versioning.go"],
    "aws:sns/topic:Topic": ["aws", "internal/service/sns/topic.go"],
    "aws:sns/topicPolicy:TopicPolicy": ["aws", "internal/service/sns/topic_policy.go"],
    "aws:sns/topicSubscription:TopicSubscription": ["aws", "internal/service/sns/topic_subscription.go"],
    "aws:kms/key:Key": ["aws", "internal/service/kms/key.go"],
    "aws:cloudwatch/eventRule:EventRule": ["aws", "internal/service/events/rule.go"],
    "aws:cloudwatch/eventTarget:EventTarget": ["aws", "internal/service/events/target.go"],
    "aws:cfg/rule:Rule": ["aws", "internal/service/configservice/config_rule.go"],
    "aws:cfg/recorder:Recorder": ["aws", "internal/service/configservice/configuration_recorder.go"],
    "aws:cfg/deliveryChannel:DeliveryChannel": ["aws", "internal/service/configservice/delivery_channel.go"],
    "aws:cfg/recorderStatus:RecorderStatus": ["aws", "internal/service/configservice/configuration_recorder_status.go"],
    "aws:ec2/securityGroup:SecurityGroup": ["aws", "internal/service/ec2/vpc_security_group.go"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["aws", "internal/service/ec2/vpc_endpoint.go"],
    "aws:glue/catalogDatabase:CatalogDatabase": ["aws", "internal/service/glue/catalog_database.go"],
    "aws:glue/catalogTable:CatalogTable": ["aws", "internal/service/glue/catalog_table.go"],
    "aws:athena/workgroup:Workgroup": ["aws", "internal/service/athena/workgroup.go"],
    "aws:athena/namedQuery:NamedQuery": ["aws", "internal/service/athena/named_query.go"],
    "time:index/rotating:Rotating": ["time", "internal/provider/resource_time_rotating.go"],
};

/** Inputs the bridge renames from the Terraform attribute (type → Terraform camel name → Pulumi name). */
const PULUMI_NAMES: Record<string, Record<string, string>> = {
    "aws:sns/topicSubscription:TopicSubscription": { topicArn: "topic" },
};

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** `names.AttrKMSKeyARN` → kmsKeyArn, `names.AttrName` → name (the constants spell the snake name in CamelCase). */
const fromAttrConstant = (s: string) =>
    camel(
        s
            .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
            .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
            .toLowerCase(),
    );

const KEY = /^\s*(?:"([a-z0-9_]+)"|names\.Attr(\w+))\s*:\s*(.*)$/;

/** What the provider source says about replacement. */
export interface ReplacementFacts {
    /** Input paths (Pulumi names, dotted for nested blocks) whose change replaces the resource. */
    forceNew: string[];
    /** No Update: every input change replaces the resource. */
    noUpdate: boolean;
    /** The resource id is its name: a natural key (policies/replacement.ts must list the type). */
    nameIsId: boolean;
}

/**
 * SDKv2: attributes with `ForceNew: true` (or the tags helper `TagsSchemaForceNew()`) at any
 * depth of `Schema: map[string]*schema.Schema{`; a nested one is recorded as its dotted path
 * (`s3Destination.bucketName`): the bridge replaces when that nested value changes.
 */
export function sdkForceNew(goSource: string): string[] {
    const start = goSource.search(/Schema:\s*map\[string\]\*schema\.Schema\{/);
    const schemaVar = /^\s*\w+Schema\s*=\s*map\[string\]\*schema\.Schema\{/m.exec(goSource);
    const from = start >= 0 ? start : (schemaVar?.index ?? -1);
    if (from < 0) return [];
    const found: string[] = [];
    // stack of [depth at which the attribute's body opened, attribute name]
    const stack: { depth: number; name: string }[] = [];
    let depth = 0;
    for (const line of goSource.slice(from).split("\n")) {
        const m = KEY.exec(line);
        if (m && depth >= 1) {
            const name = m[1] ? camel(m[1]) : fromAttrConstant(m[2]);
            if (/TagsSchemaForceNew\(\)/.test(m[3])) found.push([...stack.map((s) => s.name), name].join("."));
            else if (m[3].startsWith("{")) stack.push({ depth: depth + 1, name });
        }
        if (/^\s*ForceNew:\s*true/.test(line) && stack.length > 0) found.push(stack.map((s) => s.name).join("."));
        for (const ch of line) {
            if (ch === "{") depth++;
            else if (ch === "}") {
                depth--;
                while (stack.length > 0 && depth < stack[stack.length - 1].depth) stack.pop();
            }
        }
        if (depth <= 0) break;
    }
    return [...new Set(found)].sort();
}

/**
 * Plugin Framework: attributes whose plan modifiers include `…planmodifier.RequiresReplace()`
 * (or RequiresReplaceIf…), found in `"name": schema.XAttribute{ … }` blocks at any depth.
 */
export function frameworkRequiresReplace(goSource: string): string[] {
    const found: string[] = [];
    const stack: { depth: number; name: string }[] = [];
    let depth = 0;
    for (const line of goSource.split("\n")) {
        const m = /^\s*(?:"([a-z0-9_]+)"|names\.Attr(\w+))\s*:\s*schema\.\w+(?:Attribute|Block)\{/.exec(line);
        if (m) stack.push({ depth: depth + 1, name: m[1] ? camel(m[1]) : fromAttrConstant(m[2]) });
        if (/planmodifier\.RequiresReplace(?:If\w*)?\(/.test(line) && stack.length > 0) found.push(stack.map((s) => s.name).join("."));
        for (const ch of line) {
            if (ch === "{") depth++;
            else if (ch === "}") {
                depth--;
                while (stack.length > 0 && depth < stack[stack.length - 1].depth) stack.pop();
            }
        }
    }
    return [...new Set(found)].sort();
}

/** Whether the resource can be updated in place at all. */
export function hasUpdate(goSource: string): boolean {
    if (/schema\.Resource\{/.test(goSource) && /\bUpdate(?:WithoutTimeout|Context)?:\s*\w/.test(goSource)) return true;
    // Plugin Framework: an Update method that does something (not an empty body).
    const pf = /func \([^)]*\) Update\(ctx context\.Context[^{]*\{([\s\S]*?)\n\}/.exec(goSource);
    return pf !== null && pf[1].trim() !== "";
}

/**
 * Whether the resource's id is its name (a natural key): the name input is ForceNew and the
 * Create function sets the id from a name (`d.SetId(name)`, `d.SetId(ruleCreateResourceID(bus, ruleName))`,
 * `d.SetId(aws.ToString(output.Description.Name))`), so a second one with that name is the same resource to AWS.
 */
export function nameIsPhysicalId(goSource: string, forceNew: readonly string[] = sdkForceNew(goSource)): boolean {
    if (!forceNew.includes("name")) return false;
    // An argument holding a name: `name`, `ruleName`, `output.DocumentDescription.Name`; not an ARN or a generated id.
    return [...goSource.matchAll(/\bd\.SetId\(([^\n]*)\)/g)].some((m) => /(?:\b|[a-z])[nN]ame\b/.test(m[1]));
}

export function replacementFacts(goSource: string): ReplacementFacts {
    const forceNew = [...new Set([...sdkForceNew(goSource), ...frameworkRequiresReplace(goSource)])].sort();
    return { forceNew, noUpdate: !hasUpdate(goSource), nameIsId: nameIsPhysicalId(goSource, forceNew) };
}

/** Compatibility name: the top-level ForceNew inputs only. */
export function forceNewAttributes(goSource: string): string[] {
    return sdkForceNew(goSource).filter((p) => !p.includes("."));
}

function headCommit(dir: string, rel: string): string {
    const r = spawnSync("git", ["log", "-1", "--format=%H", "--", rel], { cwd: dir });
    return r.status === 0 ? r.stdout.toString().trim() || "unknown" : "unknown";
}

if (require.main === module) {
    const { values } = parseArgs({ options: { "tf-src": { type: "string" }, "time-src": { type: "string" } } });
    const src = { aws: values["tf-src"], time: values["time-src"] };
    if (!src.aws && !src.time) {
        process.stderr.write(
            "usage: npm run gen:force-new -- --tf-src <terraform-provider-aws checkout> [--time-src <terraform-provider-time checkout>]\n",
        );
        process.exit(2);
    }
    const file = path.join(__dirname, "..", "diff", "forceNew.json");
    const table = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const [type, [provider, rel]] of Object.entries(RESOURCE_SOURCES)) {
        const dir = src[provider];
        if (!dir) continue;
        const facts = replacementFacts(fs.readFileSync(path.join(dir, rel), "utf8"));
        const renames = PULUMI_NAMES[type] ?? {};
        table.resources[type] = facts.forceNew
            .map((p) =>
                p
                    .split(".")
                    .map((part) => renames[part] ?? part)
                    .join("."),
            )
            .sort();
        const listed = (key: "noUpdate" | "nameIsId", on: boolean) =>
            [...new Set([...(table[key] as string[]).filter((t) => t !== type), ...(on ? [type] : [])])].sort();
        table.noUpdate = listed("noUpdate", facts.noUpdate);
        table.nameIsId = listed("nameIsId", facts.nameIsId);
        table._sources[type] = `${rel} @ ${headCommit(dir, rel)} (generated)`;
    }
    fs.writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
    process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
}
