// The AWS Config recorder that Config rules evaluate: one per account and region, so the program
// creates it only where the stack says no other exists (compliance.configRecorder: create).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { serviceGrant } from "./logBucket";

/** The resource types the patch rules evaluate: patch compliance and software inventory, nothing else. */
export const RECORDED_TYPES = ["AWS::SSM::PatchCompliance", "AWS::SSM::ManagedInstanceInventory"] as const;

/** Key prefix of AWS Config's deliveries in the log bucket, apart from the expiring command output. */
export const CONFIG_DELIVERY_PREFIX = "config";

/** AWS Config's service-linked role; it must exist before the recorder (aws iam create-service-linked-role). */
export function configServiceLinkedRoleArn(partition: string, accountId: string): string {
    return `arn:${partition}:iam::${accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
}

/**
 * The bucket policy statements AWS Config's delivery channel needs (Config developer guide,
 * "Permissions for the Amazon S3 bucket"): with the service-linked role Config writes as
 * config.amazonaws.com, checks the bucket's ACL and lists it, and puts objects under
 * <prefix>/AWSLogs/<account>/Config/, for this account only.
 */
export function configDeliveryBucketStatements(bucketArn: string, accountId: string): object[] {
    const config = "config.amazonaws.com";
    const fromThisAccount = { StringEquals: { "AWS:SourceAccount": accountId } };
    return [
        serviceGrant("ConfigChecksBucketAcl", config, "s3:GetBucketAcl", bucketArn, fromThisAccount),
        serviceGrant("ConfigListsBucket", config, "s3:ListBucket", bucketArn, fromThisAccount),
        serviceGrant("ConfigDelivers", config, "s3:PutObject", `${bucketArn}/${CONFIG_DELIVERY_PREFIX}/AWSLogs/${accountId}/Config/*`, {
            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": accountId },
        }),
    ];
}

export interface ConfigRecordingArgs {
    /** Physical name of the recorder and the channel ("patch-manager-<stack>"). */
    readonly name: string;
    readonly partition: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    readonly logBucketName: pulumi.Input<string>;
    /** The log bucket's key when it is SSE-KMS; it must be in the bucket's region. */
    readonly kmsKeyArn?: string;
}

/**
 * Recorder (patch compliance and inventory only), delivery channel to the log bucket, and the
 * recorder's status (recording on). `ready` is the status: rules depend on it, so no rule
 * exists before recording does.
 */
export class ConfigRecording extends pulumi.ComponentResource {
    readonly ready: pulumi.Resource;
    readonly recorderName: pulumi.Output<string>;

    constructor(name: string, args: ConfigRecordingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.ConfigRecording, name, {}, opts);
        // One recorder and one channel per account and region, each by a name that is its id:
        // a replacement created first is refused (MaxNumberOf...Exceeded), so each goes first.
        const recorder = new aws.cfg.Recorder(
            `${name}-recorder`,
            {
                name: args.name,
                roleArn: pulumi.all([args.partition, args.accountId]).apply(([p, a]) => configServiceLinkedRoleArn(p, a)),
                recordingGroup: {
                    allSupported: false,
                    includeGlobalResourceTypes: false,
                    resourceTypes: [...RECORDED_TYPES],
                    recordingStrategies: [{ useOnly: "INCLUSION_BY_RESOURCE_TYPES" }],
                },
            },
            { parent: this, deleteBeforeReplace: true },
        );
        const channel = new aws.cfg.DeliveryChannel(
            `${name}-delivery`,
            {
                name: args.name,
                s3BucketName: args.logBucketName,
                s3KeyPrefix: CONFIG_DELIVERY_PREFIX,
                ...(args.kmsKeyArn ? { s3KmsKeyArn: args.kmsKeyArn } : {}),
            },
            // PutDeliveryChannel needs the recorder.
            { parent: this, deleteBeforeReplace: true, dependsOn: [recorder] },
        );
        // StartConfigurationRecorder needs the channel; deleting the status stops the recorder.
        this.ready = new aws.cfg.RecorderStatus(
            `${name}-status`,
            { name: recorder.name, isEnabled: true },
            { parent: this, deleteBeforeReplace: true, dependsOn: [channel] },
        );
        this.recorderName = recorder.name;
        this.registerOutputs({ recorderName: this.recorderName });
    }
}
