import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_POLICIES } from "@patch-manager/ssm";
import { RESOURCE_TYPES } from "../config/resourceTypes";

/** Sets `permissionsBoundary` on every IAM role registered beneath the component it is given to (children inherit transformations). */
export function permissionsBoundaryTransformation(boundaryArn: string): pulumi.ResourceTransformation {
    return (r) => (r.type === "aws:iam/role:Role" ? { props: { ...r.props, permissionsBoundary: boundaryArn }, opts: r.opts } : undefined);
}

/** arn:<partition>:iam::aws:policy/<name> */
export function managedPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}

/**
 * Trust policy of the maintenance-window service role: SSM only, on behalf of this account only.
 * No aws:SourceArn: AWS documents no source ARN for the AssumeRole call of a window task, and an
 * ArnLike on a key the call does not carry fails, so the tasks would stop running.
 */
export function ssmServiceTrustPolicy(_partition: string, accountId: string): object {
    return ssmTrust({ StringEquals: { "aws:SourceAccount": accountId } });
}

/**
 * Trust policy of the role Run Command publishes task notifications with. The SSM user guide's
 * notification role trusts ssm.amazonaws.com without a condition and documents no source key for
 * this call; a condition the call cannot meet drops every alert without an error. So the account
 * is checked only when SSM sends it (IfExists), and nothing is checked on aws:SourceArn.
 */
export function notificationRoleTrustPolicy(accountId: string): object {
    return ssmTrust({ StringEqualsIfExists: { "aws:SourceAccount": accountId } });
}

function ssmTrust(condition: object): object {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole", Condition: condition }],
    };
}

/** Instances write command output under the log prefix, and nowhere else in the bucket. */
export function logWritePolicy(partition: string, bucketName: string, keyPrefix: string, kmsKeyArn?: string): object {
    const statements: object[] = [
        {
            Sid: "WritePatchingLogs",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: `arn:${partition}:s3:::${bucketName}/${keyPrefix.replace(/\/+$/, "")}/*`,
        },
        {
            // The SSM Agent checks the bucket's encryption before it uploads output.
            Sid: "ReadBucketEncryption",
            Effect: "Allow",
            Action: ["s3:GetEncryptionConfiguration"],
            Resource: `arn:${partition}:s3:::${bucketName}`,
        },
    ];
    if (kmsKeyArn) {
        statements.push({
            Sid: "EncryptPatchingLogs",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: kmsKeyArn,
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The window role's own statement: cancel the commands it sent, and read their invocations (Resource "*", as AWS's base policy). */
export function windowCommandPolicy(): { Version: string; Statement: Record<string, unknown>[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CancelAtCutoff",
                Effect: "Allow",
                Action: ["ssm:CancelCommand", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"],
                Resource: "*",
            },
        ],
    };
}

export interface MaintenanceWindowRoleArgs {
    /** AWS partition ("aws", "aws-us-gov", "aws-cn"). */
    readonly partition: pulumi.Input<string>;
    /** The account the role serves; SSM may assume it for this account only. */
    readonly accountId: pulumi.Input<string>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The service role that maintenance-window tasks run as. */
export class MaintenanceWindowRole extends pulumi.ComponentResource {
    /** Resolves once the managed policy is attached, so no task runs with a bare role. */
    readonly roleArn: pulumi.Output<string>;
    /** For policies added beside this component (e.g. iam:PassRole on the notification role). */
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: MaintenanceWindowRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.MaintenanceWindowRole, name, {}, opts);
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Runs AWS-RunPatchBaseline tasks of patch-manager maintenance windows",
                assumeRolePolicy: pulumi
                    .all([args.partition, args.accountId])
                    .apply(([partition, account]) => JSON.stringify(ssmServiceTrustPolicy(partition, account))),
                tags: args.tags,
            },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-policy`,
            {
                role: role.name,
                policyArn: pulumi.output(args.partition).apply((p) => managedPolicyArn(p, MANAGED_POLICIES.maintenanceWindowRole)),
            },
            // Attaching an attached policy is a no-op: detaching the old attachment would leave the role without it.
            { parent: this, deleteBeforeReplace: true },
        );
        // What AmazonSSMMaintenanceWindowRole lacks and AWS's documented base policy for a window role has: a task
        // with CANCEL_TASK is cancelled at the cutoff as this role, and SSM follows its invocations.
        // https://docs.aws.amazon.com/systems-manager/latest/userguide/configuring-maintenance-window-permissions-cli.html
        const commands = new aws.iam.RolePolicy(
            `${name}-commands`,
            { role: role.name, policy: JSON.stringify(windowCommandPolicy()) },
            { parent: this },
        );
        this.roleArn = pulumi.all([role.arn, attachment.id, commands.id]).apply(([arn]) => arn);
        this.roleName = role.name;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

/** What a managed node's role needs: where its command output goes. */
export interface NodeRoleArgs {
    readonly partition: pulumi.Input<string>;
    /** Bucket that receives command output. */
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The role of a managed node (an EC2 instance, or a server registered through a hybrid
 * activation): the given trust, AmazonSSMManagedInstanceCore (never the deprecated
 * AmazonEC2RoleforSSM) and write access to the log prefix. Children `${name}-role`,
 * `${name}-ssm-core`, `${name}-logs` of `parent`. `ready` resolves once both policies are
 * attached: a node that starts with the bare role has no permissions.
 */
export function managedNodeRole(
    name: string,
    description: string,
    assumeRolePolicy: pulumi.Input<string>,
    args: NodeRoleArgs,
    parent: pulumi.Resource,
): { role: aws.iam.Role; ready: pulumi.Output<string[]> } {
    const role = new aws.iam.Role(`${name}-role`, { description, assumeRolePolicy, tags: args.tags }, { parent });
    const core = new aws.iam.RolePolicyAttachment(
        `${name}-ssm-core`,
        {
            role: role.name,
            policyArn: pulumi.output(args.partition).apply((p) => managedPolicyArn(p, MANAGED_POLICIES.managedInstanceCore)),
        },
        // Attaching an attached policy is a no-op: detaching the old attachment would leave the role without it.
        { parent, deleteBeforeReplace: true },
    );
    const logs = new aws.iam.RolePolicy(
        `${name}-logs`,
        {
            role: role.name,
            policy: pulumi
                .all([args.partition, args.logBucketName, args.kmsKeyArn])
                .apply(([partition, bucket, key]) => JSON.stringify(logWritePolicy(partition, bucket, args.logKeyPrefix, key))),
        },
        { parent },
    );
    return { role, ready: pulumi.all([core.id, logs.id]) };
}

export type PatchedInstanceRoleArgs = NodeRoleArgs;

/**
 * Role and instance profile for the instances being patched:
 * AmazonSSMManagedInstanceCore (never the deprecated AmazonEC2RoleforSSM) and
 * write access to the log prefix.
 */
export class PatchedInstanceRole extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;
    readonly instanceProfileName: pulumi.Output<string>;

    constructor(name: string, args: PatchedInstanceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchedInstanceRole, name, {}, opts);
        const { role, ready } = managedNodeRole(
            name,
            "Instances patched by patch-manager: SSM Agent core and patching log upload",
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            args,
            this,
        );
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags: args.tags }, { parent: this });
        this.roleArn = pulumi.all([role.arn, ready]).apply(([arn]) => arn);
        this.roleName = role.name;
        this.instanceProfileName = pulumi.all([profile.name, ready]).apply(([n]) => n);
        this.registerOutputs({ roleArn: this.roleArn, instanceProfileName: this.instanceProfileName });
    }
}
