// Where the stack deploys: one region or several, and private subnets that reach SSM through VPC endpoints.
import * as z from "zod";
import { booleanFlag, oneOf, REGION_NAME } from "./fields";

export const regionsSchema = z
    .array(z.string().regex(REGION_NAME, { error: 'must be an AWS region name, e.g. "eu-west-1"' }), {
        error: 'must be a list of region names, e.g. ["eu-west-1", "eu-central-1"]',
    })
    .min(1, { error: "must name at least one region" });

// What regions, centralLogBucket and keepSingleRegionNames do: their descriptions in keys.ts.
export const centralLogBucketSchema = booleanFlag();
export const keepSingleRegionNamesSchema = booleanFlag();

/**
 * How instances behind private endpoints reach their patch sources, which the endpoints do not
 * serve (Windows Update/WSUS, RHUI, Ubuntu/Debian/SUSE mirrors): a NAT gateway, an HTTP proxy, an
 * internal mirror (WSUS, Satellite, a repository mirror), or nothing but the region's S3 gateway
 * endpoint, which serves the Amazon Linux 2 and 2023 repositories only. "nat" and "proxy" are
 * egress: such instances also reach S3 in other regions.
 */
export const PATCH_SOURCES = ["nat", "proxy", "mirror", "s3-only"] as const;
export type PatchSource = (typeof PATCH_SOURCES)[number];
/** Patch sources through which instances reach S3 outside their region. */
export const EGRESS_PATCH_SOURCES: ReadonlySet<string> = new Set<PatchSource>(["nat", "proxy"]);
/** Operating systems whose repositories the region's S3 gateway endpoint serves. */
export const S3_ONLY_OPERATING_SYSTEMS: ReadonlySet<unknown> = new Set(["AMAZON_LINUX_2", "AMAZON_LINUX_2023"]);

export const privateEndpointsFields = z
    .object({
        region: z
            .string()
            .regex(REGION_NAME, { error: 'must be an AWS region name, e.g. "eu-west-1"' })
            .optional()
            .meta({ wholeStack: true, description: "The VPC's region; only with regions (otherwise the stack's region)." }),
        vpcId: z
            .string({ error: 'is required: the VPC id, e.g. "vpc-0123456789abcdef0"' })
            .regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must be a VPC id, e.g. "vpc-0123456789abcdef0"' })
            .meta({ description: 'The VPC id, e.g. "vpc-0123456789abcdef0".' }),
        subnetIds: z
            .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id, e.g. "subnet-0123456789abcdef0"' }), {
                error: "is required: the private subnets that get an endpoint network interface",
            })
            .min(1, { error: "must name at least one subnet" })
            .meta({ description: "The private subnets that get an endpoint network interface." }),
        routeTableIds: z
            .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, { error: 'must be a route table id, e.g. "rtb-0123456789abcdef0"' }))
            .optional()
            .meta({ description: "Route tables that get the S3 gateway endpoint; none: no gateway endpoint." }),
        vpcCidr: z
            .string()
            .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, { error: 'must be an IPv4 CIDR, e.g. "10.0.0.0/16"' })
            .refine(
                (c) =>
                    c
                        .split("/")[0]
                        .split(".")
                        .every((o) => Number(o) <= 255),
                { error: 'must be an IPv4 CIDR, e.g. "10.0.0.0/16"' },
            )
            .refine((c) => !c.startsWith("0.0.0.0/"), {
                error: "must be the VPC's own range, not 0.0.0.0/0: the endpoints accept 443 from the VPC only",
            })
            .optional()
            .meta({ description: "The IPv4 CIDR the endpoints accept HTTPS from; default: every IPv4 block of the VPC, looked up." }),
        patchSource: oneOf(PATCH_SOURCES).meta({
            description:
                "How the VPC's instances reach their patch sources, which the endpoints do not serve: a NAT gateway, an HTTP proxy, " +
                "an internal mirror, or only the region's S3 gateway endpoint (Amazon Linux 2 and 2023 repositories only).",
        }),
    })
    .strict()
    .meta({ id: "PrivateEndpointSettings", description: "Systems Manager interface endpoints inside a VPC of the deployment's region." });

const privateEndpointsEntry = privateEndpointsFields.transform((e) => ({
    /** Region of the VPC; only with `regions` (otherwise the stack's region). */
    ...(e.region !== undefined ? { region: e.region } : {}),
    vpcId: e.vpcId,
    subnetIds: e.subnetIds,
    /** Route tables that get the S3 gateway endpoint; none: no gateway endpoint. */
    routeTableIds: e.routeTableIds ?? [],
    /** The VPC's CIDR; absent: looked up (aws.ec2.getVpc). */
    ...(e.vpcCidr !== undefined ? { vpcCidr: e.vpcCidr } : {}),
    /** How the VPC's instances reach patch sources (and, with nat or proxy, S3 in other regions). */
    patchSource: e.patchSource,
}));

/** One VPC of the `privateEndpoints` key: the subnets that get SSM's interface endpoints. */
export type PrivateEndpointsConfig = z.output<typeof privateEndpointsEntry>;

export const privateEndpointsSchema = z.array(privateEndpointsEntry, {
    error: "must be a list of {vpcId, subnetIds, patchSource, routeTableIds?, vpcCidr?, region?}",
});
