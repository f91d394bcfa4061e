import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_POLICIES } from "@patch-manager/ssm";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { FLEET_INPUTS_PREFIX } from "../config/defaults";

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

/**
 * Trust of a role a service assumes for this account, and, given `sourceArn`, only on behalf of that
 * source (confused-deputy protection, aws:SourceArn beside aws:SourceAccount): SSM Automation sends
 * its execution's ARN (SSM user guide, "Create a service role for Automation":
 * `arn:aws:ssm:*:<account>:automation-execution/*`), EventBridge the rule's
 * (`arn:aws:events:<region>:<account>:rule/<name>`, as the EventBridge user guide's policies scope it).
 */
export function serviceTrust(
    service: "ssm.amazonaws.com" | "events.amazonaws.com" | "lambda.amazonaws.com",
    accountId: string,
    sourceArn?: string,
): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ...(sourceArn !== undefined ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
                },
            },
        ],
    };
}

/**
 * The session a hybrid node gets when SSM assumes a role for it: named by its managed-instance id
 * (`arn:aws:sts::<account>:assumed-role/<role>/mi-<17 hex>`, awslabs/aws-support-tools "Systems
 * Manager/SSMAgent-Toolkit-Windows/README.md"), so its `aws:userid` is `<role id>:mi-...`.
 */
export const MANAGED_NODE_SESSION = "*:mi-*";

/**
 * What keeps a role the program passes to SSM from serving as a hybrid node's role. CreateActivation
 * takes any role SSM may assume (its iam:PassRole carries iam:PassedToService ssm.amazonaws.com, the
 * same as a window task's or a runbook's), and IAM has no condition that tells the two calls apart:
 * so a role that is not a node's refuses every request made from a node's session.
 */
export function neverFromManagedNodes(): { Sid: string; Effect: "Deny"; Action: string; Resource: string; Condition: object } {
    return {
        Sid: "NeverFromAManagedNode",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { StringLike: { "aws:userid": MANAGED_NODE_SESSION } },
    };
}

/** This account's SSM Automation executions, in every region: the source a runbook's role trusts. */
export function automationExecutions(partition: string, accountId: string): string {
    return `arn:${partition}:ssm:*:${accountId}:automation-execution/*`;
}

function ssmTrust(condition: object): object {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole", Condition: condition }],
    };
}

export { FLEET_INPUTS_PREFIX };

/** Where a baseline's override file lives in the log bucket: under the fleet inputs, never under the log prefix. */
export function baselineOverrideKey(baselineName: string): string {
    return `${FLEET_INPUTS_PREFIX}/baseline-overrides/${baselineName}.json`;
}

/** Bucket and key of an s3:// URL (AWS-RunPatchBaseline's path style); undefined for https:// ones. */
export function s3Location(url: string): { bucket: string; key: string } | undefined {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    return m ? { bucket: m[1], key: m[2] } : undefined;
}

/** What a node reads that the program points it at: the override files, and each installOverrideList object in S3. */
export interface FleetReads {
    /** Some group installs with a BaselineOverride file (under FLEET_INPUTS_PREFIX in the log bucket). */
    readonly baselineOverrides: boolean;
    /** The groups' installOverrideList URLs; the s3:// ones are granted (and their writes denied) object by object. */
    readonly installOverrideLists: readonly string[];
    /** The data sync's prefix when there is one: the reports read it, so no node may write it. */
    readonly dataSyncPrefix?: string;
    /** The compliance reports' Athena results prefix when there is one: auditors read it, so no node may write it. */
    readonly reportsPrefix?: string;
}

export const NO_FLEET_READS: FleetReads = { baselineOverrides: false, installOverrideLists: [] };

/** Actions that change an object: a node may take none of them on a file the fleet or the reports read. */
export const OBJECT_WRITE_ACTIONS = [
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectTagging",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectTagging",
    "s3:RestoreObject",
];

/**
 * A managed node's S3 access: it writes command output under the log prefix and nowhere else in the
 * bucket, reads exactly the files the program points it at, and may never change a file the fleet
 * reads (the override files, an installOverrideList object) or the data sync's reports, whatever
 * other policy the role gains (an explicit Deny wins over every Allow).
 *
 * Per patch group is not possible on a shared role: S3 sees the role session of an EC2 instance,
 * whose request carries no instance tag (aws:PrincipalTag holds session tags only, and EC2 passes
 * none; ec2:ResourceTag applies to EC2 resources, not to S3 objects), so a condition cannot tell one
 * group's instance from another's. Versioning on the bucket keeps what a node overwrites.
 */
export function logWritePolicy(
    partition: string,
    bucketName: string,
    keyPrefix: string,
    kmsKeyArn?: string,
    reads: FleetReads = NO_FLEET_READS,
): object {
    const bucketArn = `arn:${partition}:s3:::${bucketName}`;
    const objects = (key: string) => `${bucketArn}/${key}`;
    const listsInS3 = reads.installOverrideLists.map(s3Location).filter((l): l is { bucket: string; key: string } => l !== undefined);
    const listArns = [...new Set(listsInS3.map((l) => `arn:${partition}:s3:::${l.bucket}/${l.key}`))].sort();
    const readArns = [...(reads.baselineOverrides ? [objects(baselineOverrideKey("*"))] : []), ...listArns];
    const protectedArns = [
        objects(`${FLEET_INPUTS_PREFIX}/*`),
        ...(reads.dataSyncPrefix !== undefined ? [objects(`${reads.dataSyncPrefix}/*`)] : []),
        ...(reads.reportsPrefix !== undefined ? [objects(`${reads.reportsPrefix}/*`)] : []),
        ...listArns,
    ];
    const statements: object[] = [
        {
            Sid: "WritePatchingLogs",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: objects(`${keyPrefix.replace(/\/+$/, "")}/*`),
        },
        {
            // The SSM Agent checks the bucket's encryption before it uploads output.
            Sid: "ReadBucketEncryption",
            Effect: "Allow",
            Action: ["s3:GetEncryptionConfiguration"],
            Resource: bucketArn,
        },
        ...(readArns.length > 0 ? [{ Sid: "ReadFleetInputs", Effect: "Allow", Action: ["s3:GetObject"], Resource: readArns }] : []),
        {
            Sid: "NeverWriteWhatTheFleetReads",
            Effect: "Deny",
            Action: OBJECT_WRITE_ACTIONS,
            Resource: protectedArns,
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

/** The documents and nodes the window role may run commands with, in the program's own words. */
export interface WindowScope {
    readonly partition: string;
    readonly accountId: string;
    /** "Patch Group" or "PatchGroup". */
    readonly patchGroupTagKey: string;
    /** Every patch group of the deployment: the tag values the role's commands may reach. */
    readonly patchGroups: readonly string[];
    /** The Run Command documents the windows' tasks send (AWS-RunPatchBaseline, with hooks, the reboot scripts). */
    readonly commandDocuments: readonly string[];
    /** The groups' hook documents (names or ARNs). */
    readonly hookDocuments: readonly string[];
}

/** A document's ARN: AWS-owned ones (AWS-*, AWSEC2-*) have no account; a given ARN stays as it is. */
export function documentArn(partition: string, accountId: string, document: string): string {
    if (document.startsWith("arn:")) return document;
    const owner = /^(AWS|AWSEC2|AWSSupport|AmazonCloudWatch)-/.test(document) ? "" : accountId;
    return `arn:${partition}:ssm:*:${owner}:document/${document}`;
}

/** The managed nodes (EC2 instances and hybrid nodes) of the account, as SendCommand names them. */
export function nodeArns(partition: string, accountId: string): string[] {
    return [`arn:${partition}:ec2:*:${accountId}:instance/*`, `arn:${partition}:ssm:*:${accountId}:managed-instance/*`];
}

/**
 * The window role's own policy, in place of AmazonSSMMaintenanceWindowRole (which grants
 * ssm:SendCommand and ssm:StartAutomationExecution on every document and node, and no
 * ssm:CancelCommand): Run Command with the patch, reboot and hook documents only, on nodes carrying
 * one of the deployment's patch-group tags only (ssm:resourceTag, the SSM user guide's "Restricting
 * Run Command access based on tags"); and what AWS's documented window-role policy adds for a task
 * cancelled at the cutoff (CancelCommand) and followed (the invocation reads). The strategies' runbooks
 * get their own statements (strategyPermissions).
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/configuring-maintenance-window-permissions-cli.html
 */
export function windowCommandPolicy(scope: WindowScope): { Version: string; Statement: Record<string, unknown>[] } {
    const documents = [...new Set([...scope.commandDocuments, ...scope.hookDocuments])]
        .map((d) => documentArn(scope.partition, scope.accountId, d))
        .sort();
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "SendPatchDocuments", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: documents },
            {
                Sid: "OnPatchGroupNodesOnly",
                Effect: "Allow",
                Action: ["ssm:SendCommand"],
                Resource: nodeArns(scope.partition, scope.accountId),
                Condition: { StringEquals: { [`ssm:resourceTag/${scope.patchGroupTagKey}`]: [...scope.patchGroups] } },
            },
            {
                // Read-only, as AmazonSSMMaintenanceWindowRole has them: resolving targets by tag or resource group.
                Sid: "ResolveTargets",
                Effect: "Allow",
                Action: ["tag:GetResources", "resource-groups:ListGroups", "resource-groups:ListGroupResources"],
                Resource: "*",
            },
            {
                Sid: "CancelAtCutoff",
                Effect: "Allow",
                Action: ["ssm:CancelCommand", "ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"],
                Resource: "*",
            },
            neverFromManagedNodes(),
        ],
    };
}

export interface MaintenanceWindowRoleArgs {
    /** AWS partition ("aws", "aws-us-gov", "aws-cn"). */
    readonly partition: pulumi.Input<string>;
    /** The account the role serves; SSM may assume it for this account only. */
    readonly accountId: pulumi.Input<string>;
    /** What the role's commands may reach: the deployment's patch groups and documents. */
    readonly scope: Omit<WindowScope, "partition" | "accountId">;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The service role that maintenance-window tasks run as. */
export class MaintenanceWindowRole extends pulumi.ComponentResource {
    /** Resolves once the role's policy is in place, so no task runs with a bare role. */
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
        // The program's own policy, not AmazonSSMMaintenanceWindowRole (SendCommand and StartAutomationExecution on
        // every document and node): the patch documents on the patch groups' nodes, and the cancel at the cutoff.
        const commands = new aws.iam.RolePolicy(
            `${name}-commands`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.partition, args.accountId])
                    .apply(([partition, accountId]) => JSON.stringify(windowCommandPolicy({ partition, accountId, ...args.scope }))),
            },
            { parent: this },
        );
        this.roleArn = pulumi.all([role.arn, commands.id]).apply(([arn]) => arn);
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
    /** The files the fleet reads (granted, and never writable). */
    readonly reads?: FleetReads;
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
                .apply(([partition, bucket, key]) => JSON.stringify(logWritePolicy(partition, bucket, args.logKeyPrefix, key, args.reads))),
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
