// Regenerates tools/audit/checkedInputs.json from provider checkouts:
// `npm run gen:checked-inputs -- --pulumi-aws-src <pulumi-aws checkout> --tf-src <terraform-provider-aws checkout>`.
//
// A real `pulumi preview --policy-pack` hands resource policies the inputs the provider's Check
// returned (pulumi/pulumi pkg/resource/deploy/step_generator.go: `inputs = resp.Properties`, then
// `sg.analyzeAll(ctx, analyzers, new, inputs, goal)`), not the program's raw inputs. For the bridged
// @pulumi/aws provider Check adds, when the program leaves them unset:
//   - an auto-name (`<logical name><separator><7 random hex>`) for the input pulumi-aws configures
//     with tfbridge.AutoName / AutoNameTransform / AutoNameWithCustomOptions, or for `name` by
//     setAutonaming (255, "-") on every resource whose Terraform schema has an Optional or Required `name`;
//   - (SDKv2 resources only) the top-level Terraform schema `Default:` values, except falsy ones
//     (false, 0, "") since pulumi-terraform-bridge v3.127.0 (#3398);
//   - a `__defaults` array naming (Pulumi names, sorted) every property it filled in.
// Plugin Framework resources get the Pulumi-level defaults (auto-names) only: no TF defaults, no `__defaults`.
// Check the checkouts out at the versions the lock file pins: @pulumi/aws 7.48.0 (pulumi-aws tag v7.48.0)
// and the terraform-provider-aws commit its `upstream` submodule names (as for gen:force-new).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { RESOURCE_SOURCES } from "./genForceNew";

/** Types whose checked inputs the offline engine simulates beyond genForceNew's: type → Terraform source file. */
export const EXTRA_SOURCES: Record<string, string> = {
    "aws:iam/policy:Policy": "internal/service/iam/policy.go",
    "aws:iam/policyAttachment:PolicyAttachment": "internal/service/iam/policy_attachment.go",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "internal/service/iam/role_policy_attachments_exclusive.go",
    "aws:s3/bucketV2:BucketV2": "internal/service/s3/bucket.go",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "internal/service/ec2/vpc_security_group_rule.go",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "internal/service/ec2/vpc_security_group_ingress_rule.go",
    "aws:cloudwatch/logGroup:LogGroup": "internal/service/logs/group.go",
    "aws:lambda/function:Function": "internal/service/lambda/function.go",
    "aws:ec2/instance:Instance": "internal/service/ec2/ec2_instance.go",
};

/** Every aws type of the table with its Terraform source (genForceNew's aws types plus EXTRA_SOURCES). */
export const CHECKED_SOURCES: Record<string, string> = {
    ...Object.fromEntries(
        Object.entries(RESOURCE_SOURCES)
            .filter(([, [provider]]) => provider === "aws")
            .map(([type, [, rel]]) => [type, rel]),
    ),
    ...EXTRA_SOURCES,
};

/**
 * The key of each type's entry in pulumi-aws's ProviderInfo.Resources: the Terraform resource name,
 * except BucketV2, which pulumi-aws v7 serves from a clone of aws_s3_bucket (provider/compatibility.go).
 */
export const PULUMI_AWS_KEYS: Record<string, string> = {
    "aws:ssm/maintenanceWindow:MaintenanceWindow": "aws_ssm_maintenance_window",
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": "aws_ssm_maintenance_window_target",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": "aws_ssm_maintenance_window_task",
    "aws:ssm/patchBaseline:PatchBaseline": "aws_ssm_patch_baseline",
    "aws:ssm/patchGroup:PatchGroup": "aws_ssm_patch_group",
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": "aws_ssm_default_patch_baseline",
    "aws:ssm/activation:Activation": "aws_ssm_activation",
    "aws:ssm/association:Association": "aws_ssm_association",
    "aws:ssm/document:Document": "aws_ssm_document",
    "aws:ssm/resourceDataSync:ResourceDataSync": "aws_ssm_resource_data_sync",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/policyAttachment:PolicyAttachment": "aws_iam_policy_attachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "aws_iam_role_policy_attachments_exclusive",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket_v2_compat",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:glue/catalogDatabase:CatalogDatabase": "aws_glue_catalog_database",
    "aws:glue/catalogTable:CatalogTable": "aws_glue_catalog_table",
    "aws:athena/workgroup:Workgroup": "aws_athena_workgroup",
    "aws:athena/namedQuery:NamedQuery": "aws_athena_named_query",
};

/** Inputs the bridge renames from the Terraform attribute (type → Terraform camel name → Pulumi name), as in genForceNew. */
const PULUMI_NAMES: Record<string, Record<string, string>> = {
    "aws:sns/topicSubscription:TopicSubscription": { topicArn: "topic" },
};

/**
 * Go constants used as `Default:` values in the Terraform sources, with the value they spell. A
 * constant not listed here stops the generator: record it, never guess.
 */
export const GO_CONSTANTS: Record<string, string | number | boolean> = {
    // AWS SDK enum values (aws-sdk-go v1 `ssm.X` constants and aws-sdk-go-v2 `awstypes.X` enums spell the same strings).
    "ssm.OperatingSystemWindows": "WINDOWS",
    "awstypes.OperatingSystemWindows": "WINDOWS",
    "ssm.PatchComplianceLevelUnspecified": "UNSPECIFIED",
    "awstypes.PatchComplianceLevelUnspecified": "UNSPECIFIED",
    "ssm.DocumentFormatJson": "JSON",
    "awstypes.DocumentFormatJson": "JSON",
    "awstypes.KeySpecSymmetricDefault": "SYMMETRIC_DEFAULT",
    "awstypes.KeyUsageTypeEncryptDecrypt": "ENCRYPT_DECRYPT",
    "awstypes.VpcEndpointTypeGateway": "Gateway",
    "awstypes.PackageTypeZip": "Zip",
    // Package constants of terraform-provider-aws (documented as "Defaults to `default`" in @pulumi/aws's docs).
    DefaultEventBusName: "default",
    defaultDeliveryChannelName: "default",
};

export interface AutoName {
    /** The Pulumi input the bridge fills. */
    input: string;
    maxLength: number;
    separator: string;
    /** Random hex characters appended; 0: the logical name itself (no suffix). */
    randomLength: number;
    /** The logical name is lowercased first (AutoNameTransform with strings.ToLower). */
    lowercase: boolean;
}

export interface CheckedInputs {
    autoName: AutoName | null;
    /** Top-level Terraform schema defaults the bridge writes into the checked inputs (Pulumi input names). */
    defaults: Record<string, unknown>;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** `names.AttrKMSKeyARN` → kms_key_arn, `names.AttrName` → name (the constants spell the snake name in CamelCase). */
const snakeOfAttrConstant = (s: string) =>
    s
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toLowerCase();

/** The text of the `{ … }` block that opens at or after `from` (brace-matched; Go strings with braces are rare enough here). */
function blockAt(text: string, from: number): string | undefined {
    const open = text.indexOf("{", from);
    if (open < 0) return undefined;
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        if (text[i] === "{") depth++;
        else if (text[i] === "}" && --depth === 0) return text.slice(open, i + 1);
    }
    return undefined;
}

/** One top-level attribute of a Terraform resource schema. */
export interface TfAttribute {
    /** Terraform (snake_case) name. */
    name: string;
    optional: boolean;
    required: boolean;
    computed: boolean;
    deprecated: boolean;
    /** The literal after `Default:` (Go source text), if any. */
    default?: string;
    conflictsWith: string[];
}

/** Whether the source is a Plugin Framework resource (its Check adds no Terraform defaults and no `__defaults`). */
export function isPluginFramework(goSource: string): boolean {
    return PF_SCHEMA.test(goSource) || /@FrameworkResource\(/.test(goSource);
}

/** Where a Plugin Framework schema starts: `resp.Schema = schema.Schema{` (current) or `schema := tfsdk.Schema{` (older). */
const PF_SCHEMA = /\w+\.Schema\s*=\s*schema\.Schema\{|:?=\s*tfsdk\.Schema\{/;

/**
 * The top-level attributes of the resource schema. SDKv2: the first `map[string]*schema.Schema{`
 * after `Schema:` / `return` (SchemaFunc); Plugin Framework: `"x": schema.XAttribute{` entries of
 * `Attributes:` at the top of `resp.Schema = schema.Schema{`.
 */
export function topLevelAttributes(goSource: string): TfAttribute[] {
    const pf = isPluginFramework(goSource);
    const start = pf
        ? goSource.search(PF_SCHEMA)
        : goSource.search(/(?:Schema:\s*|return\s+|\w+Schema\s*=\s*)map\[string\]\*schema\.Schema\{/);
    if (start < 0) return [];
    const schemaBlock = pf ? blockAt(goSource, start) : blockAt(goSource, goSource.indexOf("map[string]*schema.Schema{", start));
    if (!schemaBlock) return [];
    let attrs = schemaBlock;
    if (pf) {
        const a = /\n\s*Attributes:\s*map\[string\](?:schema|tfsdk)\.Attribute\{/.exec(schemaBlock);
        if (!a) return [];
        attrs = blockAt(schemaBlock, a.index + a[0].length - 1) ?? "";
    }
    const found: TfAttribute[] = [];
    // Walk the entries at depth 1 of the attributes map.
    const key = /(?:"([a-z0-9_]+)"|names\.Attr(\w+))\s*:\s*/y;
    let depth = 0;
    for (let i = 0; i < attrs.length; i++) {
        const ch = attrs[i];
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
        else if (depth === 1 && (ch === '"' || ch === "n")) {
            key.lastIndex = i;
            const m = key.exec(attrs);
            if (!m || (i > 0 && /[\w.]/.test(attrs[i - 1]))) continue;
            const name = m[1] ?? snakeOfAttrConstant(m[2]);
            const after = key.lastIndex;
            const rest = attrs.slice(after);
            // `"tags": tftags.TagsSchema(),` — a helper: no literal body to read.
            const body = /^(?:&?schema\.\w+|schema\.\w+Attribute)?\{/.test(rest) ? blockAt(attrs, after) : undefined;
            if (body) {
                found.push(attributeFacts(name, body));
                i = attrs.indexOf("{", after) + body.length - 1;
            } else {
                // A helper (`tftags.TagsSchema()`, `sdkv2.IAMPolicyDocumentSchemaRequired()`): its name says what it is.
                const helper = /^[^,\n]*/.exec(rest)?.[0] ?? "";
                found.push({
                    name,
                    optional: /Optional|TagsSchema\(|TagsSchemaForceNew\(|TagsAttribute\(\)/.test(helper),
                    required: /Required/.test(helper),
                    computed: /Computed/.test(helper),
                    deprecated: false,
                    conflictsWith: [],
                });
                i = after + helper.length - 1;
            }
        }
    }
    return found;
}

/** The facts of one attribute from its body, reading only the attribute's own level (not nested Elem blocks). */
function attributeFacts(name: string, body: string): TfAttribute {
    let own = "";
    let depth = 0;
    for (const ch of body) {
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
        else if (depth === 1) own += ch;
    }
    const flag = (f: string) => new RegExp(`(?:^|[\\s,{])${f}:\\s*true\\b`).test(own);
    const def = /(?:^|[\s,{])Default:\s*([^,\n]+?)\s*(?:,|\n|$)/.exec(own)?.[1];
    const conflicts = /ConflictsWith:\s*\[\]string\{([^}]*)\}/.exec(body)?.[1] ?? "";
    return {
        name,
        optional: flag("Optional"),
        required: flag("Required"),
        computed: flag("Computed"),
        deprecated: /(?:^|[\s,{])(?:Deprecated|DeprecationMessage):\s*"/.test(own),
        default: def,
        conflictsWith: [...conflicts.matchAll(/"([a-z0-9_]+)"|names\.Attr(\w+)/g)].map((c) => c[1] ?? snakeOfAttrConstant(c[2])),
    };
}

/** The JSON value of a Go `Default:` literal; throws on a constant GO_CONSTANTS does not know. */
export function goLiteral(text: string): unknown {
    const t = text.trim();
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t);
    if (/^"(?:[^"\\]|\\.)*"$/.test(t)) return JSON.parse(t) as string;
    const raw = /^`([^`]*)`$/.exec(t);
    if (raw) return raw[1];
    const cast = /^(?:string|int|int64|int32)\((.+)\)$/.exec(t);
    if (cast) return goLiteral(cast[1]);
    if (t in GO_CONSTANTS) return GO_CONSTANTS[t];
    throw new Error(`Default: ${t} is not a literal and not in GO_CONSTANTS; add it (with its value read from the source)`);
}

/** What pulumi-aws's ProviderInfo says about one resource. */
export interface PulumiInfo {
    /** Per-field auto-name overrides: Terraform field → auto-name. */
    autoNames: Record<string, AutoName>;
    /** Fields with any SchemaInfo entry (setAutonaming skips `name` when it has one). */
    fields: string[];
    /** Fields renamed in Pulumi (`Name: "code"`): Terraform field → Pulumi name. */
    renames: Record<string, string>;
    /** Fields with a Pulumi-level literal Default (written by the SDK or by Check, overriding the TF default). */
    overlayDefaults: string[];
}

/**
 * The ResourceInfo block of `key` in pulumi-aws's provider sources (resources.go, resource_overrides.go,
 * compatibility.go): `"<key>": {` … `}`, or for a compat clone the block assigned to `prov.Resources["<key>"]`.
 */
export function pulumiInfoBlock(sources: string[], key: string): string | undefined {
    for (const src of sources) {
        const at = src.search(new RegExp(`\\n\\s*"${key}":\\s*\\{`));
        if (at >= 0) return blockAt(src, at);
        const assigned = new RegExp(`prov\\.Resources\\["${key}"\\]\\s*=\\s*(\\w+)`).exec(src);
        if (assigned) {
            const decl = src.search(new RegExp(`${assigned[1]}\\s*:?=\\s*&(?:info|tfbridge)\\.\\w+\\{`));
            if (decl >= 0) return blockAt(src, decl);
        }
    }
    return undefined;
}

export function pulumiInfo(block: string | undefined): PulumiInfo {
    const info: PulumiInfo = { autoNames: {}, fields: [], renames: {}, overlayDefaults: [] };
    if (!block) return info;
    const fieldsAt = /\bFields:\s*map\[string\]\*(?:tfbridge\.SchemaInfo|info\.Schema)\{/.exec(block);
    if (!fieldsAt) return info;
    const fields = blockAt(block, fieldsAt.index + fieldsAt[0].length - 1) ?? "";
    let depth = 0;
    for (let i = 0; i < fields.length; i++) {
        const ch = fields[i];
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
        else if (depth === 1 && ch === '"') {
            const m = /^"([a-z0-9_]+)":\s*/.exec(fields.slice(i));
            if (!m) continue;
            const field = m[1];
            info.fields.push(field);
            const rest = fields.slice(i + m[0].length);
            const call = /^tfbridge\.(AutoName|AutoNameTransform|AutoNameWithCustomOptions)\(/.exec(rest);
            if (call) {
                const args = callArgs(rest, call[0].length - 1);
                info.autoNames[field] = autoNameOf(call[1], args);
                i += m[0].length + call[0].length - 1 + args.length + 1;
                continue;
            }
            const body = rest.startsWith("{") ? blockAt(rest, 0) : undefined;
            if (body) {
                const name = /^\{\s*(?:[^{}]*?[\s,{])?Name:\s*"(\w+)"/.exec(body)?.[1];
                if (name) info.renames[field] = name;
                // `Default: &tfbridge.DefaultInfo{From: tfbridge.FromName(tfbridge.AutoNameOptions{…})}`: a name from the logical name.
                const fromName = /From:\s*tfbridge\.FromName\(tfbridge\.AutoNameOptions\{/.exec(body);
                if (fromName) {
                    const options = blockAt(body, fromName.index + fromName[0].length - 1) ?? "";
                    info.autoNames[field] = autoNameOf("AutoNameWithCustomOptions", `"${name ?? camel(field)}", ${options}`);
                } else if (/Default:\s*&tfbridge\.DefaultInfo\{[^}]*ComputeDefault:/.test(body)) {
                    throw new Error(`${field}: a custom ComputeDefault; record its checked value by hand`);
                }
                if (/Default:\s*(?:managedByPulumi|&tfbridge\.DefaultInfo\{\s*Value:)/.test(body)) info.overlayDefaults.push(field);
                i += m[0].length + body.length - 1;
            }
        }
    }
    return info;
}

/** The raw argument text of the call whose `(` is at `open` (up to its matching `)`). */
function callArgs(text: string, open: number): string {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        if (text[i] === "(" || text[i] === "{") depth++;
        else if ((text[i] === ")" || text[i] === "}") && --depth === 0) return text.slice(open + 1, i);
    }
    return text.slice(open + 1);
}

function autoNameOf(kind: string, args: string): AutoName {
    const input = /^\s*"(\w+)"/.exec(args)?.[1];
    if (!input) throw new Error(`cannot read the input name of ${kind}(${args.slice(0, 60)}…)`);
    if (kind === "AutoName") {
        const m = /^\s*"\w+",\s*(\d+),\s*"([^"]*)"\s*$/.exec(args);
        if (!m) throw new Error(`cannot read AutoName(${args})`);
        return { input, maxLength: Number(m[1]), separator: m[2], randomLength: 7, lowercase: false };
    }
    if (kind === "AutoNameTransform") {
        const m = /^\s*"\w+",\s*(\d+),/.exec(args);
        if (!m) throw new Error(`cannot read AutoNameTransform(${args.slice(0, 60)}…)`);
        const lowercase = /strings\.ToLower/.test(args);
        if (!lowercase) throw new Error(`AutoNameTransform with a transform other than strings.ToLower: ${args.slice(0, 80)}`);
        return { input, maxLength: Number(m[1]), separator: "-", randomLength: 7, lowercase };
    }
    // AutoNameWithCustomOptions(name, AutoNameOptions{Separator, Maxlen, Randlen, Transform, PostTransform})
    const sep = /Separator:\s*"([^"]*)"/.exec(args)?.[1] ?? "";
    const max = Number(/Maxlen:\s*(\d+)/.exec(args)?.[1] ?? 0);
    const rand = Number(/Randlen:\s*(\d+)/.exec(args)?.[1] ?? 0);
    const transform = /(?:^|[^t])Transform:\s*([^,]*)/.exec(args)?.[1]?.trim();
    if (/PostTransform:|Charset:/.test(args) || (transform && transform !== "nil" && !/strings\.ToLower/.test(transform))) {
        // A PostTransform (e.g. `.fifo` for FIFO topics, `alias/` for KMS aliases) changes the name per input: record it.
        process.stderr.write(`note: ${input}: AutoNameWithCustomOptions with a transform; recorded without it\n`);
    }
    return { input, maxLength: max, separator: sep, randomLength: rand, lowercase: /Transform:[^,]*strings\.ToLower/.test(args) };
}

/** pulumi-aws's default for setAutonaming: `prov.SetAutonaming(255, "-")` (v6) or autonaming.go's `maxLength := 255` / `separator := "-"` (v7). */
export function defaultAutonaming(sources: string[]): { maxLength: number; separator: string } | undefined {
    for (const src of sources) {
        const call = /\.SetAutonaming\((\d+),\s*"([^"]*)"\)/.exec(src);
        if (call) return { maxLength: Number(call[1]), separator: call[2] };
        const max = /\bmaxLength\s*:=\s*(\d+)/.exec(src);
        const sep = /\bseparator\s*:=\s*"([^"]*)"/.exec(src);
        if (max && sep && /func setAutonaming\(/.test(src)) return { maxLength: Number(max[1]), separator: sep[1] };
    }
    return undefined;
}

/** The checked-inputs facts of one type from its Terraform source and pulumi-aws's info for it. */
export function checkedInputs(
    type: string,
    tfSource: string,
    info: PulumiInfo,
    autonaming: { maxLength: number; separator: string } | undefined,
    hasInputName?: boolean,
): CheckedInputs {
    const attrs = topLevelAttributes(tfSource);
    const renames = { ...(PULUMI_NAMES[type] ?? {}) };
    const pulumiName = (tf: string) => {
        const c = camel(tf);
        return info.renames[tf] ?? renames[c] ?? c;
    };
    // Auto-name: a per-field override wins; else setAutonaming's `name` when the TF schema has it as an input.
    const overrides = Object.values(info.autoNames);
    let autoName: AutoName | null = overrides[0] ?? null;
    if (overrides.length > 1) throw new Error(`${type}: more than one auto-named field`);
    if (!autoName && autonaming && !info.fields.includes("name")) {
        const name = attrs.find((a) => a.name === "name");
        const isInput = hasInputName ?? (name !== undefined && (name.optional || name.required));
        if (isInput) autoName = { input: "name", ...autonaming, randomLength: 7, lowercase: false };
    }
    const defaults: Record<string, unknown> = {};
    if (!isPluginFramework(tfSource)) {
        const autoField = Object.keys(info.autoNames)[0] ?? (autoName ? "name" : undefined);
        const withDefault = new Set(attrs.filter((a) => a.default !== undefined).map((a) => a.name));
        for (const a of attrs) {
            if (a.default === undefined || a.deprecated) continue;
            // The overlay's default (auto-name or literal) is applied first and wins.
            if (a.name === autoField || info.overlayDefaults.includes(a.name)) continue;
            // A conflicting field with a default of its own: the bridge sets neither.
            if (a.conflictsWith.some((c) => withDefault.has(c))) continue;
            const value = goLiteral(a.default);
            if (value === false || value === 0 || value === "") continue; // bridge #3398: falsy TF defaults are not written
            defaults[pulumiName(a.name)] = value;
        }
    }
    return { autoName, defaults: Object.fromEntries(Object.entries(defaults).sort(([a], [b]) => a.localeCompare(b))) };
}

function headCommit(dir: string, rel: string): string {
    const r = spawnSync("git", ["log", "-1", "--format=%H", "--", rel], { cwd: dir });
    return r.status === 0 ? r.stdout.toString().trim() || "unknown" : "unknown";
}

const PULUMI_AWS_FILES = ["provider/resources.go", "provider/resource_overrides.go", "provider/compatibility.go", "provider/autonaming.go"];
const METADATA = "provider/cmd/pulumi-resource-aws/aws-resource-metadata.json";

/** The table's `resources` and `_sources` from the two checkouts. */
export function generate(
    pulumiAwsDir: string,
    tfDir: string,
): { resources: Record<string, CheckedInputs>; pluginFramework: string[]; sources: Record<string, string> } {
    const files = PULUMI_AWS_FILES.filter((f) => fs.existsSync(path.join(pulumiAwsDir, f)));
    const sources = files.map((f) => fs.readFileSync(path.join(pulumiAwsDir, f), "utf8"));
    const autonaming = defaultAutonaming(sources);
    if (!autonaming) throw new Error(`no SetAutonaming / setAutonaming found in ${files.join(", ")}`);
    const metadataFile = path.join(pulumiAwsDir, METADATA);
    const metadata: Record<string, { hasInputName?: boolean }> | undefined = fs.existsSync(metadataFile)
        ? JSON.parse(fs.readFileSync(metadataFile, "utf8"))
        : undefined;
    const resources: Record<string, CheckedInputs> = {};
    const pluginFramework: string[] = [];
    const out: Record<string, string> = {};
    const infoAt = files.map((f) => `${f} @ ${headCommit(pulumiAwsDir, f)}`).join(", ");
    for (const [type, rel] of Object.entries(CHECKED_SOURCES).sort(([a], [b]) => a.localeCompare(b))) {
        const key = PULUMI_AWS_KEYS[type];
        if (!key) throw new Error(`${type}: no pulumi-aws key in PULUMI_AWS_KEYS`);
        const tfKey = key === "aws_s3_bucket_v2_compat" ? "aws_s3_bucket" : key;
        const hasInputName = metadata ? (metadata[tfKey]?.hasInputName ?? false) : undefined;
        const info = pulumiInfo(pulumiInfoBlock(sources, key));
        const tfSource = fs.readFileSync(path.join(tfDir, rel), "utf8");
        resources[type] = checkedInputs(type, tfSource, info, autonaming, hasInputName);
        if (isPluginFramework(tfSource)) pluginFramework.push(type);
        out[type] = `${rel} @ ${headCommit(tfDir, rel)}; pulumi-aws ${infoAt} (generated)`;
    }
    return { resources, pluginFramework, sources: out };
}

if (require.main === module) {
    const { values } = parseArgs({ options: { "pulumi-aws-src": { type: "string" }, "tf-src": { type: "string" } } });
    const pulumiAws = values["pulumi-aws-src"];
    const tf = values["tf-src"];
    if (!pulumiAws || !tf) {
        process.stderr.write(
            "usage: npm run gen:checked-inputs -- --pulumi-aws-src <pulumi-aws checkout at v7.48.0> --tf-src <terraform-provider-aws checkout at its upstream commit>\n",
        );
        process.exit(2);
    }
    const file = path.join(__dirname, "..", "audit", "checkedInputs.json");
    const table = JSON.parse(fs.readFileSync(file, "utf8"));
    const { resources, pluginFramework, sources } = generate(pulumiAws, tf);
    table.resources = { ...table.resources, ...resources };
    table.pluginFramework = pluginFramework;
    table._sources = { ...table._sources, ...sources };
    fs.writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
    process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
}
