import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RUN_PATCH_BASELINE, tagTargetKey } from "@patch-manager/ssm";
import { RateControlConfig } from "../config";
import { ssmName, taskLogPrefix } from "../config/naming";
import { dailyCron } from "../config/scanHour";
import { RESOURCE_TYPES } from "../config/resourceTypes";

import { DENIED_APPLICATIONS_RULE, MANAGED_RULE_UNAVAILABLE, PATCH_COMPLIANCE_RULE } from "../config/regional";
import { serviceGrant } from "./logBucket";
export { DENIED_APPLICATIONS_RULE, PATCH_COMPLIANCE_RULE };

/**
 * The managed rule's identifier once this region (the parent's provider's) is known to offer it,
 * else a RunError naming the key. The stack config is checked before anything runs; this holds
 * the same for a PatchManager that another program creates with its own provider.
 */
export function managedRuleIn(rule: string, key: string, parent: pulumi.Resource): pulumi.Output<string> {
    return aws.getRegionOutput(undefined, { parent }).region.apply((region) => {
        if (MANAGED_RULE_UNAVAILABLE[rule]?.includes(region))
            throw new pulumi.RunError(
                `patch-manager:${key}: AWS Config does not offer the managed rule ${rule} in ${region}; leave this region out of the deployment or turn the rule off (Systems Manager's own compliance reporting works there)`,
            );
        return rule;
    });
}
export const GATHER_SOFTWARE_INVENTORY = "AWS-GatherSoftwareInventory";

/** A scan only reads: it never installs and never reboots, whatever the baseline says. */
export const SCAN_PARAMETERS = { Operation: "Scan", RebootOption: "NoReboot" } as const;

/**
 * The bucket policy statements SSM needs to deliver a resource data sync (SSM user guide,
 * "Configuring resource data sync for Inventory"): read the bucket ACL, write under the sync's
 * prefix for this account only, from this account's data syncs only.
 */
export function dataSyncBucketStatements(partition: string, bucketArn: string, prefix: string, accountId: string): object[] {
    const ssm = "ssm.amazonaws.com";
    return [
        serviceGrant("SsmDataSyncChecksBucket", ssm, "s3:GetBucketAcl", bucketArn, { StringEquals: { "aws:SourceAccount": accountId } }),
        serviceGrant("SsmDataSyncDelivers", ssm, "s3:PutObject", `${bucketArn}/${prefix}/*/accountid=${accountId}/*`, {
            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:${partition}:ssm:*:${accountId}:resource-data-sync/*` },
        }),
    ];
}

/** One patch group's daily scan. */
export interface ScannedGroup {
    readonly name: string;
    readonly slug: string;
    /** UTC hour of the scan: one no window of the group touches (dailyScanHour). */
    readonly scanHour: number;
    readonly rateControl: RateControlConfig;
}

export interface ComplianceReportingArgs {
    readonly namePrefix: string;
    readonly environment: string;
    readonly patchGroupTagKey: string;
    /** Daily scans; empty: none. */
    readonly groups: readonly ScannedGroup[];
    /** Change calendars the associations wait for (components/freezes.ts); absent: none. */
    readonly calendarNames?: pulumi.Input<string>[];
    readonly logBucketName: pulumi.Input<string>;
    readonly logKeyPrefix: string;
    /** The log bucket's region when it is not this region's (a central bucket). */
    readonly logBucketRegion?: string;
    /** Resource data sync to the log bucket; undefined: none. */
    readonly dataSync?: { readonly prefix: string; readonly bucketRegion: pulumi.Input<string>; readonly kmsKeyArn?: string };
    readonly configRule: boolean;
    /** What the Config rule waits for: the recorder's status when the stack creates the recorder. */
    readonly ruleDependsOn?: pulumi.Resource[];
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Compliance that is never older than a day: a State Manager association per patch group that
 * scans (never installs, never reboots) daily at an hour outside the group's window, a resource
 * data sync of inventory and compliance to S3 for reporting, and optionally the AWS Config rule
 * that flags non-compliant instances. The Config rule needs AWS Config recording in the region.
 */
export class ComplianceReporting extends pulumi.ComponentResource {
    /** Association name and UTC schedule per patch group. */
    readonly scans: Record<string, { association: string; schedule: string }> = {};
    readonly dataSyncName?: string;
    readonly configRuleName?: string;

    constructor(name: string, args: ComplianceReportingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.ComplianceReporting, name, {}, opts);
        for (const g of args.groups) {
            const associationName = ssmName(args.namePrefix, g.slug, "daily-scan");
            const schedule = dailyCron(g.scanHour);
            new aws.ssm.Association(
                `${name}-${g.slug}-scan`,
                {
                    associationName,
                    name: RUN_PATCH_BASELINE,
                    parameters: { ...SCAN_PARAMETERS },
                    targets: [{ key: tagTargetKey(args.patchGroupTagKey), values: [g.name] }],
                    scheduleExpression: schedule,
                    // Only at the scheduled hour: not at creation, which could fall inside a window.
                    applyOnlyAtCronInterval: true,
                    // Not while a change freeze holds (CreateAssociation CalendarNames: runs only while every calendar is open).
                    ...(args.calendarNames ? { calendarNames: args.calendarNames } : {}),
                    maxConcurrency: g.rateControl.maxConcurrency,
                    maxErrors: g.rateControl.maxErrors,
                    outputLocation: {
                        s3BucketName: args.logBucketName,
                        s3KeyPrefix: taskLogPrefix(args.logKeyPrefix, args.environment, g.name, "daily-scan"),
                        ...(args.logBucketRegion ? { s3Region: args.logBucketRegion } : {}),
                    },
                    tags: args.tags,
                },
                { parent: this },
            );
            this.scans[g.name] = { association: associationName, schedule };
        }
        if (args.dataSync) {
            this.dataSyncName = ssmName(args.namePrefix, "compliance");
            new aws.ssm.ResourceDataSync(
                `${name}-data-sync`,
                {
                    name: this.dataSyncName,
                    s3Destination: {
                        bucketName: args.logBucketName,
                        prefix: args.dataSync.prefix,
                        region: args.dataSync.bucketRegion,
                        syncFormat: "JsonSerDe",
                        ...(args.dataSync.kmsKeyArn ? { kmsKeyArn: args.dataSync.kmsKeyArn } : {}),
                    },
                },
                // The sync's name is its id and it has no Update: every change replaces it under the same name.
                { parent: this, deleteBeforeReplace: true },
            );
        }
        if (args.configRule) {
            this.configRuleName = ssmName(args.namePrefix, "patch-compliance");
            new aws.cfg.Rule(
                `${name}-patch-compliance-rule`,
                {
                    name: this.configRuleName,
                    description: "Managed instances whose patch compliance is NON_COMPLIANT",
                    source: { owner: "AWS", sourceIdentifier: managedRuleIn(PATCH_COMPLIANCE_RULE, "compliance.configRule", this) },
                    scope: { complianceResourceTypes: ["AWS::SSM::PatchCompliance"] },
                    tags: args.tags,
                },
                // The rule's name is its id: a replacement created first would overwrite it, then be deleted with it.
                { parent: this, deleteBeforeReplace: true, ...(args.ruleDependsOn ? { dependsOn: args.ruleDependsOn } : {}) },
            );
        }
        this.registerOutputs({});
    }
}

/** AWS Config's inputParameters of the denied-applications rule: names as one CSV string. */
export function deniedApplicationsParameters(applications: readonly string[], platformType?: string): Record<string, string> {
    return { applicationNames: applications.join(","), ...(platformType ? { platformType } : {}) };
}

export interface DeniedApplicationsArgs {
    readonly namePrefix: string;
    readonly patchGroupTagKey: string;
    /** Patch groups whose instances report software inventory. */
    readonly patchGroups: readonly string[];
    readonly applications: readonly string[];
    readonly platformType?: string;
    /** Create the inventory association; off where one already exists (an instance takes one). */
    readonly inventory: boolean;
    /** What the Config rule waits for: the recorder's status when the stack creates the recorder. */
    readonly ruleDependsOn?: pulumi.Resource[];
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Software inventory of the patch groups and the AWS Config rule that flags denied applications on them. */
export class DeniedApplications extends pulumi.ComponentResource {
    readonly configRuleName: string;
    readonly inventoryAssociation?: string;

    constructor(name: string, args: DeniedApplicationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.DeniedApplications, name, {}, opts);
        if (args.inventory) {
            this.inventoryAssociation = ssmName(args.namePrefix, "software-inventory");
            new aws.ssm.Association(
                `${name}-inventory`,
                {
                    associationName: this.inventoryAssociation,
                    name: GATHER_SOFTWARE_INVENTORY,
                    parameters: { applications: "Enabled" },
                    targets: [{ key: tagTargetKey(args.patchGroupTagKey), values: [...args.patchGroups] }],
                    scheduleExpression: "rate(1 day)",
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        this.configRuleName = ssmName(args.namePrefix, "denied-applications");
        new aws.cfg.Rule(
            `${name}-rule`,
            {
                name: this.configRuleName,
                description: "Managed instances with an application from the patch-manager deny list",
                source: { owner: "AWS", sourceIdentifier: managedRuleIn(DENIED_APPLICATIONS_RULE, "deniedApplications", this) },
                scope: { complianceResourceTypes: ["AWS::SSM::ManagedInstanceInventory"] },
                inputParameters: JSON.stringify(deniedApplicationsParameters(args.applications, args.platformType)),
                tags: args.tags,
            },
            // The rule's name is its id: a replacement created first would overwrite it, then be deleted with it.
            { parent: this, deleteBeforeReplace: true, ...(args.ruleDependsOn ? { dependsOn: args.ruleDependsOn } : {}) },
        );
        this.registerOutputs({});
    }
}
