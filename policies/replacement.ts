// Replacements that collide with themselves. Pulumi replaces a resource create-before-delete by
// default: the new one is created while the old one still exists, and the old one is deleted
// afterwards. A resource whose inputs name the physical resource (a natural key: a fixed name, a
// one-per-owner configuration) cannot exist twice: the create is refused (the update fails half
// way) or overwrites the old one, whose deletion then removes what was just created. Such a
// resource needs `deleteBeforeReplace: true` (or a generated name). Which inputs are a type's key
// was read from the provider source (the resource id it sets, and what the AWS API refuses twice).

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, label, validateResourceOfTypes } from "./util";

export interface NaturalKey {
    /** Inputs that together name the physical resource. */
    readonly inputs: readonly string[];
    /** Why a second one with the same key collides. */
    readonly reason: string;
}

const ONE_PER_BUCKET = {
    inputs: ["bucket"],
    reason: "one such configuration per bucket: deleting the old resource removes the configuration the new one put",
} as const;

/** Type token → its natural key. */
export const NATURAL_KEYS: Readonly<Record<string, NaturalKey>> = {
    "aws:ssm/resourceDataSync:ResourceDataSync": {
        inputs: ["name"],
        reason: "SyncName is the resource id; CreateResourceDataSync refuses a second sync of that name (ResourceDataSyncAlreadyExistsException), and every input change replaces it (no Update)",
    },
    "aws:ssm/patchGroup:PatchGroup": {
        inputs: ["patchGroup"],
        reason: "a patch group registers with one baseline per operating system; registering it again while the old registration stands fails (AlreadyExistsException), and every input change replaces it (no Update)",
    },
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": {
        inputs: ["operatingSystem"],
        reason: "one default baseline per operating system: deleting the old registration after creating the new one resets the OS to the AWS default",
    },
    "aws:ssm/document:Document": { inputs: ["name"], reason: "the document name is its id, unique per account and region" },
    "aws:cfg/rule:Rule": {
        inputs: ["name"],
        reason: "ConfigRuleName is the resource id; PutConfigRule with the name of an existing rule overwrites it, and deleting the old one then deletes the new",
    },
    "aws:cfg/recorder:Recorder": {
        inputs: ["name"],
        reason: "one customer-managed configuration recorder per account and region, its name the id: a second is refused (MaxNumberOfConfigurationRecordersExceededException)",
    },
    "aws:cfg/deliveryChannel:DeliveryChannel": {
        inputs: ["name"],
        reason: "one delivery channel per account and region, its name the id: a second is refused (MaxNumberOfDeliveryChannelsExceededException)",
    },
    "aws:cfg/recorderStatus:RecorderStatus": {
        inputs: ["name"],
        reason: "the status of the region's one recorder, keyed by its name: deleting the old status stops the recorder the new one started",
    },
    "aws:cloudwatch/eventRule:EventRule": {
        inputs: ["name"],
        reason: "the rule name (on its bus) is the resource id; PutRule of an existing name overwrites it, and deleting the old one deletes the new",
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        inputs: ["rule", "targetId"],
        reason: "rule and target id are the resource id; PutTargets of an existing id overwrites it, and deleting the old one removes the new",
    },
    "aws:iam/role:Role": { inputs: ["name"], reason: "role names are unique per account (EntityAlreadyExists)" },
    "aws:iam/instanceProfile:InstanceProfile": {
        inputs: ["name"],
        reason: "instance profile names are unique per account (EntityAlreadyExists)",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        inputs: ["role", "name"],
        reason: "an inline policy is keyed by role and policy name; PutRolePolicy of an existing name overwrites it, and deleting the old one deletes the new",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        inputs: ["role", "policyArn"],
        reason: "attaching an attached policy again is a no-op; detaching the old attachment then leaves the role without it",
    },
    "aws:s3/bucket:Bucket": { inputs: ["bucket"], reason: "bucket names are global (BucketAlreadyOwnedByYou)" },
    "aws:s3/bucketPolicy:BucketPolicy": ONE_PER_BUCKET,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ONE_PER_BUCKET,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ONE_PER_BUCKET,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ONE_PER_BUCKET,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ONE_PER_BUCKET,
    "aws:sns/topic:Topic": {
        inputs: ["name"],
        reason: "CreateTopic of an existing name returns the existing topic, and deleting the old one deletes it",
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        inputs: ["arn"],
        reason: "a topic has one policy; deleting the old resource resets the policy the new one set",
    },
    "aws:ec2/securityGroup:SecurityGroup": { inputs: ["vpcId", "name"], reason: "group names are unique per VPC (InvalidGroup.Duplicate)" },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        inputs: ["vpcId", "serviceName", "privateDnsEnabled"],
        reason: "an interface endpoint with private DNS owns the service's DNS name in its VPC: a second one for the same service is refused while the first stands",
    },
};

/** The natural key a resource of this type has, when the program sets every input of it (a generated name is no key). */
export function naturalKeyOf(type: string, props: Record<string, unknown>): NaturalKey | undefined {
    const key = NATURAL_KEYS[type];
    if (!key) return undefined;
    if (type === "aws:ec2/vpcEndpoint:VpcEndpoint" && props.privateDnsEnabled !== true) return undefined;
    return key.inputs.every((i) => isSet(props[i])) ? key : undefined;
}

export const replaceWithoutCollision: ResourceValidationPolicy = {
    name: "replacement-deletes-first",
    description:
        "A resource whose inputs name the physical resource (a fixed name, a one-per-bucket or one-per-OS registration) is replaced " +
        "delete-before-create (`deleteBeforeReplace: true`): created first, as Pulumi does by default, it collides with itself.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(Object.keys(NATURAL_KEYS), (props, args, reportViolation) => {
        const key = naturalKeyOf(args.type, props);
        if (!key || args.opts.deleteBeforeReplace === true) return;
        reportViolation(
            `${args.type.split(":").pop()} ${label(props, args.name)} is named by ${key.inputs.join(" + ")} (${key.reason}); ` +
                `a replacement created before the old one is deleted collides with it. Set the resource option deleteBeforeReplace: true, ` +
                `or let the name be generated.`,
        );
    }),
};

export const replacementPolicies = [replaceWithoutCollision];

/** Rules that read resource options a stack export does not record (it keeps no deleteBeforeReplace). */
export const JUDGES_RESOURCE_OPTIONS: ReadonlySet<string> = new Set([replaceWithoutCollision.name]);
