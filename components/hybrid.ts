// Hybrid fleet: servers outside AWS (on-premises, other clouds' VMs) join a patch group through an
// SSM hybrid activation. A server registered with an activation gets the activation's tags, so an
// activation tagged `Patch Group: Web Server` puts every server registered with it into that
// group, its baseline and its maintenance windows.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import { HybridConfig } from "../config";
import { registrationsWithin } from "../config/patchGroups";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { FleetReads, managedNodeRole, NodeRoleArgs } from "./iam";

const HOUR_MS = 3_600_000;

/**
 * Trust policy of the hybrid service role, as the SSM user guide's "Create the IAM service role
 * required for Systems Manager in hybrid and multicloud environments" writes it: SSM only, for
 * this account and this region (confused-deputy protection).
 */
export function hybridTrustPolicy(partition: string, region: string, accountId: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnEquals: { "aws:SourceArn": `arn:${partition}:ssm:${region}:${accountId}:*` },
                },
            },
        ],
    };
}

/**
 * When a group's activation is renewed. A code stays valid `expiresInDays` after its activation
 * was created; the rotation falls halfway, so that a `pulumi up --refresh` run any time in the
 * second half of a code's life replaces the activation while the old code still works. Whoever
 * runs that at least every `expiresInDays / 2` always has a valid code at hand.
 */
export function activationRotationHours(hybrid: Pick<HybridConfig, "expiresInDays">): number {
    return hybrid.expiresInDays * 12;
}

/**
 * What `registrationLimit` caps, precisely: registrations with one activation (one code). It is
 * not a cap over time: CreateActivation's RegistrationLimit counts the servers registered with
 * that activation, and every renewal (each `pulumi up --refresh` after `renewsAfter`, and every
 * change that replaces the activation) creates a new activation with the full limit. So within
 * `days`, the renewals alone admit up to this many servers: one activation per rotation period
 * started in that time, plus the one already open. The count of servers already registered is
 * known only at run time (reading it at preview would replace the activation, with a new code,
 * whenever a server registers), so the program states the bound instead of enforcing a total.
 */
export function registrationsOverTime(hybrid: Pick<HybridConfig, "registrationLimit" | "expiresInDays">, days: number): number {
    return registrationsWithin(hybrid.registrationLimit, activationRotationHours(hybrid), days);
}

/**
 * The activation's expiry: `expiresInDays` after the rotation's base time (the moment the rotation,
 * and with it the activation, was created). Never more than 30 days ahead, as CreateActivation
 * requires, because the base is never later than the activation's creation. RFC 3339 without
 * milliseconds, as AWS returns it.
 */
export function activationExpiry(baseRfc3339: string, expiresInDays: number): string {
    const base = Date.parse(baseRfc3339);
    if (Number.isNaN(base)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(baseRfc3339)}`);
    return new Date(base + expiresInDays * 24 * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Tags of a group's activation, which SSM copies onto every server registered with it: the
 * stack's tags, and the patch-group tag (the same key the window targets select on) last, so
 * nothing overrides it.
 */
export function activationTags(
    stackTags: Readonly<Record<string, string>>,
    patchGroupTagKey: string,
    patchGroup: string,
): Record<string, string> {
    return { ...stackTags, [patchGroupTagKey]: patchGroup };
}

export interface HybridNodeRoleArgs extends NodeRoleArgs {
    /** The region whose SSM may assume the role (the stack's region). */
    readonly region: pulumi.Input<string>;
    /** The account the role serves. */
    readonly accountId: pulumi.Input<string>;
    /** The hook documents hybrid nodes run (names or ARNs); every other document of the account is denied to them. */
    readonly hookDocuments?: readonly string[];
}

/**
 * What a hybrid node may never do, beside AmazonSSMManagedInstanceCore: a server outside AWS is
 * whoever holds an activation code (a leaked code registers a rogue node into the group), so the
 * role denies what patching does not need of the core policy's `Resource: "*"` grants: every
 * parameter of the region (ssm:GetParameter(s); AWS-RunPatchBaseline reads none), and the account's
 * own documents but the hook documents (AWS's documents, which the patch documents are, stay
 * readable); and, whatever policy the role gains later, running commands or runbooks on other nodes.
 */
export function hybridDenyPolicy(partition: string, accountId: string, hookDocuments: readonly string[] = []): object {
    const hooks = hookDocuments.map((d) => (d.startsWith("arn:") ? d : `arn:${partition}:ssm:*:${accountId}:document/${d}`));
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "NoParameters",
                Effect: "Deny",
                Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"],
                Resource: "*",
            },
            {
                Sid: "OnlyAwsAndHookDocuments",
                Effect: "Deny",
                Action: ["ssm:GetDocument", "ssm:DescribeDocument"],
                NotResource: [`arn:${partition}:ssm:*::document/*`, ...hooks].sort(),
            },
            {
                Sid: "NeverCommandOtherNodes",
                Effect: "Deny",
                Action: ["ssm:SendCommand", "ssm:StartAutomationExecution", "ssm:StartSession", "ssm:CreateAssociation"],
                Resource: "*",
            },
        ],
    };
}

/**
 * The IAM service role that registered servers run as: what the instance role is for EC2
 * (AmazonSSMManagedInstanceCore and the log prefix), but assumed by SSM on the servers' behalf.
 * A role of its own, not the EC2 instance role and not the service-linked role (CreateActivation
 * refuses a service-linked role).
 */
export class HybridNodeRole extends pulumi.ComponentResource {
    /** The role's name, as CreateActivation's IamRole takes it; resolves once the policies are attached. */
    readonly roleName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: HybridNodeRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.HybridNodeRole, name, {}, opts);
        const { role, ready } = managedNodeRole(
            name,
            "Servers outside AWS registered with patch-manager hybrid activations: SSM Agent core and patching log upload",
            pulumi
                .all([args.partition, args.region, args.accountId])
                .apply(([partition, region, account]) => JSON.stringify(hybridTrustPolicy(partition, region, account))),
            args,
            this,
        );
        const deny = new aws.iam.RolePolicy(
            `${name}-deny`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.partition, args.accountId])
                    .apply(([p, a]) => JSON.stringify(hybridDenyPolicy(p, a, args.hookDocuments))),
            },
            { parent: this },
        );
        // A server registered before the policies exist would start without permissions (or without the denials).
        this.roleName = pulumi.all([role.name, ready, deny.id]).apply(([n]) => n);
        this.roleArn = pulumi.all([role.arn, ready, deny.id]).apply(([arn]) => arn);
        this.registerOutputs({ roleName: this.roleName, roleArn: this.roleArn });
    }
}

export interface HybridActivationArgs {
    /** The patch group (tag value) servers registered with this activation join. */
    readonly patchGroup: string;
    /** "Patch Group" or "PatchGroup": the key the window targets select on. */
    readonly patchGroupTagKey: string;
    readonly hybrid: HybridConfig;
    /** Name of the hybrid service role (not its ARN: CreateActivation takes the name). */
    readonly iamRole: pulumi.Input<string>;
    readonly environment: string;
    /** The stack's tags; the patch-group tag is added to them. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * One patch group's activation, renewed on a schedule: a time.Rotating resource keeps its base
 * time in the state and is recreated only once its rotation time has passed (the provider checks
 * that when it reads the resource, i.e. on `pulumi up --refresh` or `pulumi refresh`). The
 * activation's expiry derives from that base, so a plain `pulumi up` leaves it alone; a rotation
 * changes the expiry and so replaces the activation (all its inputs force a new one): a new id
 * and code. Servers already registered stay registered (deleting an activation does not
 * deregister its managed nodes).
 */
export class HybridActivation extends pulumi.ComponentResource {
    /** Secret: with the code, anyone can register a server into this account. */
    readonly activationId: pulumi.Output<string>;
    /** Secret: the registration password. */
    readonly activationCode: pulumi.Output<string>;
    readonly expirationDate: pulumi.Output<string>;
    /** When a `pulumi up --refresh` starts renewing the activation. */
    readonly renewsAfter: pulumi.Output<string>;

    constructor(name: string, args: HybridActivationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.HybridActivation, name, {}, opts);
        const description = `patch-manager ${args.environment}: registers servers into patch group ${args.patchGroup}`.slice(0, 256);
        const tags = activationTags(args.tags, args.patchGroupTagKey, args.patchGroup);
        const rotation = new time.Rotating(
            `${name}-rotation`,
            {
                rotationHours: activationRotationHours(args.hybrid),
                // Every input of the activation replaces it (the provider has no Update). Each one also
                // restarts the rotation, so that a replaced activation's expiry counts from its own
                // creation: from the old base time a short-lived code would be born expired.
                triggers: {
                    description,
                    iamRole: args.iamRole,
                    registrationLimit: String(args.hybrid.registrationLimit),
                    expiresInDays: String(args.hybrid.expiresInDays ?? "default"),
                    // Sorted: the same tags in another order are no change.
                    tags: JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)))),
                },
            },
            { parent: this },
        );
        const activation = new aws.ssm.Activation(
            `${name}-activation`,
            {
                description,
                iamRole: args.iamRole,
                registrationLimit: args.hybrid.registrationLimit,
                expirationDate: rotation.rfc3339.apply((base) => activationExpiry(base, args.hybrid.expiresInDays)),
                tags,
            },
            // The provider does not mark the code secret; without this it sits in the state in plain text.
            { parent: this, additionalSecretOutputs: ["activationCode"] },
        );
        this.activationId = pulumi.secret(activation.id);
        this.activationCode = pulumi.secret(activation.activationCode);
        this.expirationDate = activation.expirationDate;
        this.renewsAfter = rotation.rotationRfc3339;
        this.registerOutputs({
            activationId: this.activationId,
            activationCode: this.activationCode,
            expirationDate: this.expirationDate,
            renewsAfter: this.renewsAfter,
        });
    }
}

/** Stack output per hybrid patch group: what registering a server needs. */
export interface HybridActivationOutput {
    /** Secret. */
    activationId: pulumi.Output<string>;
    /** Secret. */
    activationCode: pulumi.Output<string>;
    region: pulumi.Output<string>;
    expirationDate: pulumi.Output<string>;
    renewsAfter: pulumi.Output<string>;
    /** Servers that may register with this activation's code (not a total: each renewal allows as many again). */
    registrationLimit: number;
    /** Servers the renewals alone may admit within 30 days (registrationsOverTime): the bound over time. */
    registrationsWithin30Days: number;
    /** The tags registered servers get. */
    tags: Record<string, string>;
}

export interface HybridFleetArgs {
    /** The patch groups with `hybrid`. */
    readonly groups: readonly { name: string; slug: string; hybrid?: HybridConfig }[];
    /** The name each resource has had in this deployment (the PatchManager's naming). */
    readonly resourceName: (part: string) => string;
    /** Where these resources were registered before this component grouped them (the PatchManager's parent position). */
    readonly formerParent: pulumi.Alias;
    readonly partition: pulumi.Input<string>;
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
    /** The files the fleet reads (granted, and never writable). */
    readonly reads?: FleetReads;
    /** The groups' hook documents: the only documents of the account a hybrid node may read. */
    readonly hookDocuments?: readonly string[];
    readonly kmsKeyArn?: string;
    readonly environment: string;
    readonly patchGroupTagKey: string;
    /** The stack's tags (ManagedBy, Environment, Stack and the user's). */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * For every group with `hybrid`, an activation, and the hybrid service role they share.
 * Activations are regional: the region is the one of the AWS provider the PatchManager above
 * passes down.
 */
export class HybridFleet extends pulumi.ComponentResource {
    /** Per hybrid patch group: what registering a server needs (stack output). */
    readonly activations: Record<string, HybridActivationOutput>;

    constructor(name: string, args: HybridFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.HybridFleet, name, {}, opts);
        const childOpts: pulumi.ComponentResourceOptions = { parent: this, aliases: [args.formerParent] };
        const hybridGroups = args.groups.filter((g): g is typeof g & { hybrid: HybridConfig } => g.hybrid !== undefined);
        const region = aws.getRegionOutput(undefined, { parent: this }).region;
        const role = new HybridNodeRole(
            args.resourceName("hybrid-nodes"),
            {
                partition: args.partition,
                region,
                accountId: aws.getCallerIdentityOutput(undefined, { parent: this }).accountId,
                logBucketName: args.logBucketName,
                logKeyPrefix: args.logKeyPrefix,
                ...(args.reads ? { reads: args.reads } : {}),
                ...(args.hookDocuments ? { hookDocuments: args.hookDocuments } : {}),
                ...(args.kmsKeyArn ? { kmsKeyArn: args.kmsKeyArn } : {}),
                tags: args.tags,
            },
            childOpts,
        );
        const out: Record<string, HybridActivationOutput> = {};
        for (const group of hybridGroups) {
            const activation = new HybridActivation(
                args.resourceName(`${group.slug}-hybrid`),
                {
                    patchGroup: group.name,
                    patchGroupTagKey: args.patchGroupTagKey,
                    hybrid: group.hybrid,
                    iamRole: role.roleName,
                    environment: args.environment,
                    tags: args.tags,
                },
                childOpts,
            );
            out[group.name] = {
                activationId: activation.activationId,
                activationCode: activation.activationCode,
                region,
                expirationDate: activation.expirationDate,
                renewsAfter: activation.renewsAfter,
                registrationLimit: group.hybrid.registrationLimit,
                registrationsWithin30Days: registrationsOverTime(group.hybrid, 30),
                tags: activationTags(args.tags, args.patchGroupTagKey, group.name),
            };
        }
        this.activations = out;
        this.registerOutputs({});
    }
}
