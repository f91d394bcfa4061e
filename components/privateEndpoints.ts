import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../config/resourceTypes";

/** What the SSM Agent talks to (SSM user guide, "Use VPC endpoints for Systems Manager"). */
export const SSM_INTERFACE_SERVICES = ["ssm", "ssmmessages", "ec2messages"] as const;

export function endpointServiceName(region: string, service: string): string {
    return `com.amazonaws.${region}.${service}`;
}

/** A VPC as ec2:DescribeVpcs describes it (aws.ec2.getVpc): its primary block and its associations. */
export interface VpcCidrs {
    readonly cidrBlock: string;
    readonly cidrBlockAssociations?: readonly { readonly cidrBlock: string; readonly state?: string }[];
}

/**
 * Every IPv4 block the VPC's nodes may have an address in: the primary and each secondary block
 * that is associated (or being associated). Nodes in a secondary block behind private DNS reach
 * the endpoints' addresses, so a group admitting the primary alone would leave them unmanaged.
 */
export function vpcCidrs(vpc: VpcCidrs): string[] {
    const gone = /^(disassociat|fail)/;
    const secondary = (vpc.cidrBlockAssociations ?? []).filter((a) => !gone.test(a.state ?? "")).map((a) => a.cidrBlock);
    return [...new Set([vpc.cidrBlock, ...secondary].filter((c) => typeof c === "string" && c !== ""))];
}

/**
 * The AWS-owned buckets the SSM Agent and patching read, which behind a VPC endpoint "must be
 * allowed explicitly" (SSM user guide, "SSM Agent communications with AWS managed S3 buckets",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html,
 * and "Reference: Amazon S3 buckets for patching operations"), and the Amazon Linux repositories
 * (Amazon Linux 2 and 2023 user guides on S3 gateway endpoints: packages.<region>.amazonaws.com,
 * repo.<region>.amazonaws.com, al2023-repos-<region>-*).
 */
export function awsOwnedBuckets(partition: string, region: string): string[] {
    return [
        `aws-ssm-${region}`,
        `aws-windows-downloads-${region}`,
        `amazon-ssm-${region}`,
        `amazon-ssm-packages-${region}`,
        `${region}-birdwatcher-prod`,
        `aws-ssm-distributor-file-${region}`,
        `aws-ssm-document-attachments-${region}`,
        `patch-baseline-snapshot-${region}`,
        `aws-patchmanager-macos-${region}`,
        `packages.${region}.amazonaws.com`,
        `repo.${region}.amazonaws.com`,
        `al2023-repos-${region}-*`,
    ].map((b) => `arn:${partition}:s3:::${b}/*`);
}

/**
 * The S3 gateway endpoint's policy: reads of the AWS-owned buckets above, and the log bucket
 * (command output, override files) — nothing else in the region, so the endpoint opens no path to
 * any other bucket. Without a policy a gateway endpoint allows every bucket of its region.
 */
export function s3EndpointPolicy(partition: string, region: string, logBucketName?: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AwsOwnedBuckets",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: awsOwnedBuckets(partition, region),
            },
            ...(logBucketName
                ? [
                      {
                          Sid: "PatchingLogBucket",
                          Effect: "Allow",
                          Principal: "*",
                          Action: ["s3:GetObject", "s3:PutObject", "s3:GetBucketLocation", "s3:GetEncryptionConfiguration"],
                          Resource: [`arn:${partition}:s3:::${logBucketName}`, `arn:${partition}:s3:::${logBucketName}/*`],
                      },
                  ]
                : []),
        ],
    };
}

export interface PrivateEndpointsArgs {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    /** Route tables for the S3 gateway endpoint (logs, patch snapshots); none: no gateway endpoint. */
    readonly routeTableIds: readonly string[];
    /** The only sources the endpoints accept 443 from: every IPv4 CIDR block of the VPC. */
    readonly vpcCidrs: pulumi.Input<readonly string[]>;
    readonly region: pulumi.Input<string>;
    readonly partition?: pulumi.Input<string>;
    /** The patching log bucket the nodes write to through the gateway endpoint (same region only). */
    readonly logBucketName?: pulumi.Input<string>;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Lets instances in private subnets reach Systems Manager without a route to the internet:
 * interface endpoints for ssm, ssmmessages and ec2messages with private DNS (so the agent's
 * default endpoints resolve to them), behind a security group that accepts HTTPS from the VPC
 * only, and the S3 gateway endpoint for command output and patch snapshots. Private DNS needs
 * enableDnsSupport and enableDnsHostnames on the VPC.
 */
export class PrivateEndpoints extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly endpointIds: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: PrivateEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PrivateEndpoints, name, {}, opts);
        const sg = new aws.ec2.SecurityGroup(
            `${name}-https`,
            {
                vpcId: args.vpcId,
                description: "HTTPS from the VPC to the Systems Manager endpoints",
                ingress: [
                    {
                        description: "SSM Agent in the VPC",
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrBlocks: args.vpcCidrs as pulumi.Input<string[]>,
                    },
                ],
                // No egress rule: interface endpoints only answer; the provider removes AWS's allow-all default.
                egress: [],
                tags: args.tags,
            },
            { parent: this },
        );
        for (const service of SSM_INTERFACE_SERVICES) {
            this.endpointIds[service] = new aws.ec2.VpcEndpoint(
                `${name}-${service}`,
                {
                    vpcId: args.vpcId,
                    serviceName: pulumi.output(args.region).apply((r) => endpointServiceName(r, service)),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: [...args.subnetIds],
                    securityGroupIds: [sg.id],
                    tags: args.tags,
                },
                // With private DNS the endpoint owns the service's name in the VPC: a second one is refused while it stands.
                { parent: this, deleteBeforeReplace: true },
            ).id;
        }
        if (args.routeTableIds.length > 0) {
            this.endpointIds.s3 = new aws.ec2.VpcEndpoint(
                `${name}-s3`,
                {
                    vpcId: args.vpcId,
                    serviceName: pulumi.output(args.region).apply((r) => endpointServiceName(r, "s3")),
                    vpcEndpointType: "Gateway",
                    routeTableIds: [...args.routeTableIds],
                    policy: pulumi
                        .all([args.partition ?? "aws", args.region, args.logBucketName])
                        .apply(([p, r, bucket]) => JSON.stringify(s3EndpointPolicy(p, r, bucket))),
                    tags: args.tags,
                },
                { parent: this },
            ).id;
        }
        this.securityGroupId = sg.id;
        this.registerOutputs({ securityGroupId: this.securityGroupId });
    }
}
