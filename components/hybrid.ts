// Hybrid fleet: servers outside AWS (on-premises, other clouds' VMs) join a patch group through an
// SSM hybrid activation. A server registered with an activation gets the activation's tags, so an
// activation tagged `Patch Group: Web Server` puts every server registered with it into that
// group, its baseline and its maintenance windows.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HybridConfig } from "../config";
import { createHash } from "crypto";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { HYBRID_LIMITS } from "@patch-manager/ssm";
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
 * How often a group's activation is renewed: every `expiresInDays / 2`. A code expires
 * `expiresInDays` after its renewal period started, so the first `pulumi up` of the next period
 * renews it while the old code still works for at least half its life. Whoever deploys at least
 * that often always has a valid code at hand.
 */
export function activationRotationHours(hybrid: Pick<HybridConfig, "expiresInDays">): number {
    return hybrid.expiresInDays * 12;
}

/** A hybrid server's managed-node id (DeregisterManagedInstance's ManagedInstanceId pattern; EC2 instances are `i-`). */
export const MANAGED_INSTANCE_ID = /^mi-[0-9a-f]{17}$/;

/**
 * Whether the group has room for a server: fewer of its servers registered now (with any of its
 * activations) than `registrationLimit`. A group without room has no activation, so no code.
 */
export function hasRoom(registrationLimit: number, registeredNow: number): boolean {
    if (!Number.isInteger(registeredNow) || registeredNow < 0) throw new Error(`not a count of registered servers: ${registeredNow}`);
    return registeredNow < registrationLimit;
}

/**
 * How many servers a new code may register: what `registrationLimit` leaves after the group's
 * servers registered when it is created. SSM counts a RegistrationLimit per activation, so without
 * this every renewal would admit the full limit again. Only asked while the group has room
 * (hasRoom): CreateActivation's minimum is 1.
 */
export function renewalLimit(registrationLimit: number, registered: number): number {
    if (!hasRoom(registrationLimit, registered)) throw new Error(`no room: ${registered} of ${registrationLimit} servers registered`);
    return registrationLimit - registered;
}

/**
 * The activation's expiry: `expiresInDays` after its renewal period's start (renewalPeriod), but an
 * hour short of SSM's 30 days: CreateActivation refuses an expiry more than 30 days ahead of AWS's
 * clock, and a run in the first moments of a 30-day code's period from a machine whose clock is
 * ahead of AWS's would ask for one (agent re-review of issue 22). Never later than 30 days after
 * the activation's creation, since the period's start is never later than that. RFC 3339 without
 * milliseconds, as AWS returns it.
 */
export function activationExpiry(baseRfc3339: string, expiresInDays: number): string {
    const base = Date.parse(baseRfc3339);
    if (Number.isNaN(base)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(baseRfc3339)}`);
    const latest = base + HYBRID_LIMITS.expiresInDaysMax * 24 * HOUR_MS - HOUR_MS;
    return new Date(Math.min(base + expiresInDays * 24 * HOUR_MS, latest)).toISOString().replace(/\.\d{3}Z$/, "Z");
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
    /** The instant the deployment runs at: which renewal period its activation belongs to. */
    readonly now: Date;
}

/**
 * The group's servers registered now: managed nodes carrying the group's tag (which an activation
 * puts on every server registered with it) whose id is a hybrid server's. DescribeInstanceInformation
 * refuses tag filters combined with other filter types, so EC2 instances of the group come back too
 * and are left out by their id.
 */
function registeredServers(patchGroupTagKey: string, patchGroup: string, parent: pulumi.Resource): pulumi.Output<number> {
    return aws.ssm
        .getInstancesOutput({ filters: [{ name: `tag:${patchGroupTagKey}`, values: [patchGroup] }] }, { parent })
        .ids.apply((ids) => (ids ?? []).filter((id) => MANAGED_INSTANCE_ID.test(id)).length);
}

/**
 * The renewal period `now` falls in: periods of `rotationHours` counted from the Unix epoch, so
 * every run in the same period names the same activation. Its code expires `expiresInDays` after
 * the period's start, twice the period: at least one period after any `now` in it (never born
 * expired) and never more than 30 days ahead, as CreateActivation requires.
 */
export function renewalPeriod(now: Date, rotationHours: number): { start: string; renewsAfter: string } {
    const length = rotationHours * HOUR_MS;
    const start = Math.floor(now.getTime() / length) * length;
    const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { start: iso(start), renewsAfter: iso(start + length) };
}

/**
 * One patch group's activation, renewed by the clock: its name carries the renewal period `now`
 * falls in (renewalPeriod) and a digest of its settings, so the first `pulumi up` of a new period,
 * or after a setting changed, creates a new activation (a new id and code, expiring
 * `expiresInDays` after the period's start) and deletes the old one. Servers already registered
 * stay registered (deleting an activation does not deregister its managed nodes).
 *
 * `registrationLimit` is a cap on the group, across renewals: a new activation admits what the
 * limit leaves after the group's servers registered when it is created (the count read at every
 * deployment), and keeps that limit (ignoreChanges: a registration does not replace it; Pulumi
 * uses the program's value only when it creates the resource). A group whose registered servers
 * reach the limit has no activation, so no code to leak; once servers are deregistered, the next
 * deployment creates one, again counting afresh. Every input that replaces an activation is in
 * its name but the role's name, which changes only with the role's URN (`<name>` of both comes
 * from the same PatchManager naming).
 */
export class HybridActivation extends pulumi.ComponentResource {
    /** Secret: with the code, anyone can register a server into this account. Empty while the group is full. */
    readonly activationId: pulumi.Output<string>;
    /** Secret: the registration password. Empty while the group is full. */
    readonly activationCode: pulumi.Output<string>;
    /** Empty while the group is full. */
    readonly expirationDate: pulumi.Output<string>;
    /** From when the next `pulumi up` renews the activation. */
    readonly renewsAfter: pulumi.Output<string>;
    /** The current code's RegistrationLimit (registrationLimit less the servers registered when it was created); 0 while the group is full (no code). */
    readonly codeAdmits: pulumi.Output<number>;
    /** The group's servers registered when this deployment ran. */
    readonly registered: pulumi.Output<number>;

    constructor(name: string, args: HybridActivationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.HybridActivation, name, {}, opts);
        const description = `patch-manager ${args.environment}: registers servers into patch group ${args.patchGroup}`.slice(0, 256);
        const tags = activationTags(args.tags, args.patchGroupTagKey, args.patchGroup);
        const period = renewalPeriod(args.now, activationRotationHours(args.hybrid));
        const settings = {
            description,
            registrationLimit: String(args.hybrid.registrationLimit),
            expiresInDays: String(args.hybrid.expiresInDays),
            // Sorted: the same tags in another order are no change.
            // By code units, not localeCompare: the name must not depend on the deploying machine's locale.
            tags: JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))),
        };
        const registeredNow = registeredServers(args.patchGroupTagKey, args.patchGroup, this);
        // Decided on the count read now (known in every preview: a lookup runs then), so the
        // activation shows in the preview whenever it will exist.
        const activation = registeredNow.apply((n) =>
            hasRoom(args.hybrid.registrationLimit, n)
                ? new aws.ssm.Activation(
                      `${name}-activation-${period.start.slice(0, 13).replace(/[-T]/g, "")}-${settingsDigest(settings)}`,
                      {
                          description,
                          iamRole: args.iamRole,
                          registrationLimit: renewalLimit(args.hybrid.registrationLimit, n),
                          expirationDate: activationExpiry(period.start, args.hybrid.expiresInDays),
                          tags,
                      },
                      // The code is stored encrypted (the provider does not mark it secret). The limit is
                      // what was left when the activation was created: a server registering is no change.
                      { parent: this, additionalSecretOutputs: ["activationCode"], ignoreChanges: ["registrationLimit"] },
                  )
                : undefined,
        );
        const ofActivation = <T>(read: (a: aws.ssm.Activation) => pulumi.Output<T>, none: T): pulumi.Output<T> =>
            activation.apply((a) => (a ? read(a) : (pulumi.output(none) as pulumi.Output<T>))) as unknown as pulumi.Output<T>;
        this.activationId = pulumi.secret(ofActivation((a) => a.id, ""));
        this.activationCode = pulumi.secret(ofActivation((a) => a.activationCode, ""));
        this.expirationDate = ofActivation((a) => a.expirationDate, "");
        this.codeAdmits = ofActivation((a) => a.registrationLimit.apply((l) => l ?? 0), 0);
        this.registered = registeredNow;
        this.renewsAfter = pulumi.output(period.renewsAfter);
        this.registerOutputs({
            activationId: this.activationId,
            activationCode: this.activationCode,
            expirationDate: this.expirationDate,
            renewsAfter: this.renewsAfter,
            codeAdmits: this.codeAdmits,
            registered: this.registered,
        });
    }
}

/** A short digest of the activation's settings, for the rotation's name: 8 hex characters of SHA-256. */
function settingsDigest(settings: Record<string, string>): string {
    return createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 8);
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
    /** The most servers the group holds through its codes, across renewals (the config's registrationLimit). */
    registrationLimit: number;
    /** The current code's RegistrationLimit (registrationLimit less the servers registered at its renewal); 0 while the group is full: no code. */
    codeAdmits: pulumi.Output<number>;
    /** The group's servers registered when the stack was last deployed. */
    registered: pulumi.Output<number>;
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
    /** The instant the deployment runs at (the activations' renewal periods). */
    readonly now: Date;
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
                    now: args.now,
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
                codeAdmits: activation.codeAdmits,
                registered: activation.registered,
                tags: activationTags(args.tags, args.patchGroupTagKey, group.name),
            };
        }
        this.activations = out;
        this.registerOutputs({});
    }
}
