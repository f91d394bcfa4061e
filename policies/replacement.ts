// Replacements that collide with themselves. Pulumi replaces a resource create-before-delete by
// default: the new one is created while the old one still exists, and the old one is deleted
// afterwards. A resource whose inputs name the physical resource (a natural key: a fixed name, a
// one-per-owner configuration) cannot exist twice: the create is refused (the update fails half
// way) or overwrites the old one, whose deletion then removes what was just created. Such a
// resource needs `deleteBeforeReplace: true` (or a generated name). Which inputs are a type's key
// was read from the provider source (the resource id it sets, and what the AWS API refuses twice).

import type { StackValidationPolicy } from "@pulumi/policy";
import { inPatchingScope, patchingScope } from "./scope";
import { isSet, isUnknown, label, stackResources } from "./util";
import { TYPES } from "@patch-manager/ssm";

export interface NaturalKey {
    /** Inputs that together name the physical resource. */
    readonly inputs: readonly string[];
    /** Why a second one with the same key collides. */
    readonly reason: string;
    /**
     * Inputs outside the key whose change replaces the resource while the key stays: the type's
     * other ForceNew inputs, or, for a type without Update, every other input (tools/diff/forceNew.json,
     * read from the provider source; a test holds the two together). Empty: the resource is replaced
     * only when its key changes, so the replacement has another key and cannot collide.
     */
    readonly replacedKeepingKeyBy: readonly string[];
    /**
     * "name": the key is a name the user writes (a collision follows from any replacement that keeps
     * it). "owner": the key is the resource it configures (a bucket, a topic, a VPC): a collision needs
     * one of `replacedKeepingKeyBy` to be set, since an owner's configuration rarely gains one later.
     */
    readonly kind: "name" | "owner";
}

/**
 * The key input the provider auto-names, per type (pulumi-aws auto-names `name`, `bucket`, an event
 * target's `targetId`; tools/audit/checkedInputs.json, which a test holds this to). When the user
 * fixes it, the bridge's Diff itself asks for delete-before-replace (pulumi-terraform-bridge,
 * nameRequiresDeleteBeforeReplace: "an autonameable property with a value that was not populated by
 * the autonamer"), and the engine follows unless the program sets `deleteBeforeReplace: false`.
 */
export const AUTO_NAMED_KEY: Readonly<Record<string, string>> = {
    [TYPES.resourceDataSync]: "name",
    [TYPES.document]: "name",
    [TYPES.configRule]: "name",
    [TYPES.configRecorder]: "name",
    [TYPES.configDeliveryChannel]: "name",
    [TYPES.configRecorderStatus]: "name",
    [TYPES.eventRule]: "name",
    [TYPES.eventTarget]: "targetId",
    [TYPES.role]: "name",
    [TYPES.instanceProfile]: "name",
    [TYPES.rolePolicy]: "name",
    [TYPES.bucket]: "bucket",
    [TYPES.topic]: "name",
    [TYPES.securityGroup]: "name",
    [TYPES.glueDatabase]: "name",
    [TYPES.glueTable]: "name",
    [TYPES.athenaWorkgroup]: "name",
};

const ONE_PER_BUCKET = {
    inputs: ["bucket"],
    reason: "one such configuration per bucket: deleting the old resource removes the configuration the new one put",
    replacedKeepingKeyBy: [],
    kind: "owner",
} as const;

/** Type token → its natural key. */
export const NATURAL_KEYS: Readonly<Record<string, NaturalKey>> = {
    [TYPES.glueDatabase]: {
        inputs: ["name"],
        reason: "a Glue database's name is unique in its catalog (the id is <catalog id>:<name>); CreateDatabase refuses a second one (AlreadyExistsException)",
        replacedKeepingKeyBy: ["targetDatabase"],
        kind: "name",
    },
    [TYPES.glueTable]: {
        inputs: ["databaseName", "name"],
        reason: "a Glue table's name is unique in its database (the id is <catalog id>:<database>:<name>); CreateTable refuses a second one (AlreadyExistsException)",
        replacedKeepingKeyBy: ["partitionIndices"],
        kind: "name",
    },
    [TYPES.athenaWorkgroup]: {
        inputs: ["name"],
        reason: "the workgroup name is its id, unique per account and region; CreateWorkGroup refuses a second one",
        // Only the name is ForceNew: a replacement always has another name.
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.resourceDataSync]: {
        inputs: ["name"],
        reason: "SyncName is the resource id; CreateResourceDataSync refuses a second sync of that name (ResourceDataSyncAlreadyExistsException), and every input change replaces it (no Update)",
        replacedKeepingKeyBy: ["s3Destination"],
        kind: "name",
    },
    [TYPES.patchGroup]: {
        inputs: ["patchGroup"],
        reason: "a patch group registers with one baseline per operating system; registering it again while the old registration stands fails (AlreadyExistsException), and every input change replaces it (no Update)",
        replacedKeepingKeyBy: ["baselineId"],
        kind: "name",
    },
    [TYPES.defaultPatchBaseline]: {
        inputs: ["operatingSystem"],
        reason: "one default baseline per operating system: deleting the old registration after creating the new one resets the OS to the AWS default",
        replacedKeepingKeyBy: ["baselineId"],
        kind: "name",
    },
    [TYPES.document]: {
        inputs: ["name"],
        reason: "the document name is its id, unique per account and region",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.configRule]: {
        inputs: ["name"],
        reason: "ConfigRuleName is the resource id; PutConfigRule with the name of an existing rule overwrites it, and deleting the old one then deletes the new",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.configRecorder]: {
        inputs: ["name"],
        reason: "one customer-managed configuration recorder per account and region, its name the id: a second is refused (MaxNumberOfConfigurationRecordersExceededException)",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.configDeliveryChannel]: {
        inputs: ["name"],
        reason: "one delivery channel per account and region, its name the id: a second is refused (MaxNumberOfDeliveryChannelsExceededException)",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.configRecorderStatus]: {
        inputs: ["name"],
        reason: "the status of the region's one recorder, keyed by its name: deleting the old status stops the recorder the new one started",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.eventRule]: {
        inputs: ["name"],
        reason: "the rule name (on its bus) is the resource id; PutRule of an existing name overwrites it, and deleting the old one deletes the new",
        // A new bus is another key: the same name on another bus does not collide.
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.eventTarget]: {
        inputs: ["rule", "targetId"],
        reason: "rule and target id are the resource id; PutTargets of an existing id overwrites it, and deleting the old one removes the new",
        replacedKeepingKeyBy: [],
        kind: "owner",
    },
    [TYPES.role]: {
        inputs: ["name"],
        reason: "role names are unique per account (EntityAlreadyExists)",
        replacedKeepingKeyBy: ["path"],
        kind: "name",
    },
    [TYPES.instanceProfile]: {
        inputs: ["name"],
        reason: "instance profile names are unique per account (EntityAlreadyExists)",
        replacedKeepingKeyBy: ["path"],
        kind: "name",
    },
    [TYPES.rolePolicy]: {
        inputs: ["role", "name"],
        reason: "an inline policy is keyed by role and policy name; PutRolePolicy of an existing name overwrites it, and deleting the old one deletes the new",
        replacedKeepingKeyBy: [],
        kind: "name",
    },
    [TYPES.rolePolicyAttachment]: {
        inputs: ["role", "policyArn"],
        reason: "attaching an attached policy again is a no-op; detaching the old attachment then leaves the role without it",
        // No Update, but its only inputs are the key: any replacement has another key.
        replacedKeepingKeyBy: [],
        kind: "owner",
    },
    [TYPES.bucket]: {
        inputs: ["bucket"],
        reason: "bucket names are global (BucketAlreadyOwnedByYou)",
        replacedKeepingKeyBy: ["objectLockEnabled"],
        kind: "name",
    },
    [TYPES.bucketPolicy]: ONE_PER_BUCKET,
    [TYPES.bucketVersioning]: {
        ...ONE_PER_BUCKET,
        replacedKeepingKeyBy: ["expectedBucketOwner"],
    },
    [TYPES.bucketPublicAccessBlock]: ONE_PER_BUCKET,
    [TYPES.bucketOwnershipControls]: ONE_PER_BUCKET,
    [TYPES.bucketSse]: {
        ...ONE_PER_BUCKET,
        replacedKeepingKeyBy: ["expectedBucketOwner"],
    },
    [TYPES.bucketLifecycle]: {
        ...ONE_PER_BUCKET,
        replacedKeepingKeyBy: ["expectedBucketOwner"],
    },
    [TYPES.topic]: {
        inputs: ["name"],
        reason: "CreateTopic of an existing name returns the existing topic, and deleting the old one deletes it",
        replacedKeepingKeyBy: ["fifoTopic"],
        kind: "name",
    },
    [TYPES.topicPolicy]: {
        inputs: ["arn"],
        reason: "a topic has one policy; deleting the old resource resets the policy the new one set",
        replacedKeepingKeyBy: [],
        kind: "owner",
    },
    [TYPES.securityGroup]: {
        inputs: ["vpcId", "name"],
        reason: "group names are unique per VPC (InvalidGroup.Duplicate)",
        replacedKeepingKeyBy: ["description"],
        kind: "name",
    },
    [TYPES.vpcEndpoint]: {
        inputs: ["vpcId", "serviceName", "privateDnsEnabled"],
        reason: "an interface endpoint with private DNS owns the service's DNS name in its VPC: a second one for the same service is refused while the first stands",
        // Another type or service region is another endpoint, with another (or no) DNS name: part of the key.
        replacedKeepingKeyBy: [],
        kind: "owner",
    },
};

/** The inputs the provider filled in at Check (auto-names, defaults), as the engine hands them to the pack. */
export function providerDefaults(props: Record<string, unknown>): ReadonlySet<string> {
    const d = props.__defaults;
    return new Set(Array.isArray(d) ? d.filter((x): x is string => typeof x === "string") : []);
}

/** Inputs that generate a name instead of fixing one (ConflictsWith the name in the provider schema). */
const PREFIX_OF: Record<string, string> = { name: "namePrefix", bucket: "bucketPrefix" };

/** Whether the provider generated this key input: listed in `__defaults` (checked inputs, the state), or derived from a prefix. */
export function isGenerated(input: string, props: Record<string, unknown>): boolean {
    if (providerDefaults(props).has(input)) return true;
    const prefix = PREFIX_OF[input];
    return prefix !== undefined && isSet(props[prefix]);
}

/**
 * The natural key a resource of this type has, when the program sets every input of it: a name the
 * provider generated is no key.
 */
export function naturalKeyOf(type: string, props: Record<string, unknown>): NaturalKey | undefined {
    const key = NATURAL_KEYS[type];
    if (!key) return undefined;
    if (type === TYPES.vpcEndpoint && props.privateDnsEnabled !== true) return undefined;
    return key.inputs.every((i) => isSet(props[i]) && !isUnknown(props[i]) && !isGenerated(i, props)) ? key : undefined;
}

/**
 * Whether replacing this resource create-first collides with itself: it has a key the user fixed, an
 * input outside the key can replace it (any, for a name; one that is set, for an owner's
 * configuration), and nothing else already replaces it delete-first. `deleteBeforeReplace` is the
 * program's resource option (undefined when the program leaves it to the provider).
 */
export function collidesOnReplacement(type: string, props: Record<string, unknown>, deleteBeforeReplace?: boolean): NaturalKey | undefined {
    if (deleteBeforeReplace === true) return undefined;
    const key = naturalKeyOf(type, props);
    if (!key || key.replacedKeepingKeyBy.length === 0) return undefined;
    // A name the user fixed on an auto-named input: the provider asks for delete-first itself.
    const autoNamed = AUTO_NAMED_KEY[type];
    if (autoNamed !== undefined && key.inputs.includes(autoNamed) && deleteBeforeReplace !== false) return undefined;
    if (key.kind === "name") return key;
    const generated = providerDefaults(props);
    return key.replacedKeepingKeyBy.some((i) => isSet(props[i]) && !generated.has(i)) ? key : undefined;
}

export const replaceWithoutCollision: StackValidationPolicy = {
    name: "replacement-deletes-first",
    description:
        "A resource patching uses whose inputs name the physical resource (a one-per-OS registration, a patch group, an owner's " +
        "configuration) and that a change of another input replaces is replaced delete-before-create (`deleteBeforeReplace: true`): " +
        "created first, as Pulumi does by default, the replacement collides with itself. Names the provider generates are " +
        "regenerated on replacement, and a name the user fixes on an auto-named input is replaced delete-first by the provider itself.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const scope = patchingScope(resources);
        const options = new Map(args.resources.map((r) => [r.urn, r.opts]));
        for (const r of resources) {
            if (!NATURAL_KEYS[r.type] || !inPatchingScope(r, scope)) continue;
            const key = collidesOnReplacement(r.type, r.props, options.get(r.urn)?.deleteBeforeReplace);
            if (!key) continue;
            reportViolation(
                `${r.type.split(":").pop()} ${label(r.props, r.name)} is named by ${key.inputs.join(" + ")} (${key.reason}); ` +
                    `a change of ${key.replacedKeepingKeyBy.join(" or ")} replaces it under the same ${key.inputs.join(" + ")}, and a ` +
                    `replacement created before the old one is deleted collides with it. Set the resource option deleteBeforeReplace: true.`,
                r.urn,
            );
        }
    },
};

export const replacementPolicies = [replaceWithoutCollision];

/** Rules that read resource options a stack export does not record (it keeps no deleteBeforeReplace). */
export const JUDGES_RESOURCE_OPTIONS: ReadonlySet<string> = new Set([replaceWithoutCollision.name]);
