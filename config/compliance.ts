// Fresh compliance data (daily scans, a data sync, a Config rule) and applications that must not run.
import * as z from "zod";
import { DEFAULT_DATA_SYNC_PREFIX } from "./defaults";
import { booleanFlag, oneOf } from "./fields";

/**
 * Who provides the AWS Config recorder the Config rules need: the program ("create": recorder,
 * delivery channel and recorder status in each region of the stack) or the account already
 * ("existing": a landing zone's, which AWS allows once per account and region).
 */
export const CONFIG_RECORDER_CHOICES = ["create", "existing"] as const;

export const complianceFields = z
    .object({
        dailyScan: booleanFlag()
            .optional()
            .meta({ description: "A daily scan of each patch group at an hour none of its windows touches." }),
        dataSync: booleanFlag()
            .optional()
            .meta({ description: "A resource data sync of inventory and compliance, as JSON, into the log bucket." }),
        dataSyncPrefix: z
            .string()
            .regex(/^[A-Za-z0-9!_.'()-]{1,200}$/, {
                error: 'must be an S3 key prefix of 1–200 letters, digits and !_.\'()- (no / or *), e.g. "compliance"',
            })
            .optional()
            .meta({
                description: `The data sync's key prefix, apart from the expiring command output; default "${DEFAULT_DATA_SYNC_PREFIX}".`,
            }),
        configRule: booleanFlag()
            .optional()
            .meta({ description: "The AWS Config managed rule ec2-managedinstance-patch-compliance-status-check." }),
        configRecorder: oneOf(CONFIG_RECORDER_CHOICES)
            .optional()
            .meta({
                description:
                    "Required with an AWS Config rule (configRule, deniedApplications): create (the program creates the recorder) " +
                    "or existing (the account has one, e.g. a landing zone's).",
            }),
    })
    .strict()
    .meta({ id: "ComplianceSettings", description: "Fresh compliance data: daily scans, a data sync and an AWS Config rule." });

/** The compliance features of the model; each is off unless configured. */
export function complianceConfig(c: z.output<typeof complianceFields>) {
    return {
        /** A State Manager association per patch group that scans daily outside the group's window. */
        dailyScan: c.dailyScan ?? false,
        /** A resource data sync of inventory and compliance to the log bucket. */
        dataSync: c.dataSync ?? false,
        /** S3 prefix of the data sync, apart from the expiring command-output prefix. */
        dataSyncPrefix: c.dataSyncPrefix ?? DEFAULT_DATA_SYNC_PREFIX,
        /** The AWS Config managed rule EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK. */
        configRule: c.configRule ?? false,
        /** Required with any Config rule (configRule, deniedApplications); absent otherwise. */
        ...(c.configRecorder !== undefined ? { configRecorder: c.configRecorder } : {}),
    };
}

export const complianceSchema = complianceFields.transform(complianceConfig);
export type ComplianceConfig = z.output<typeof complianceSchema>;

export const PLATFORM_TYPES = ["Linux", "Windows"] as const;

export const deniedApplicationsFields = z
    .object({
        applications: z
            .array(
                z
                    .string()
                    .min(1)
                    .regex(/^[^,*?]+$/, {
                        error: 'must be an exact application name, optionally "name:version"; AWS Config takes no wildcards or commas',
                    }),
                { error: "must be a list of application names" },
            )
            .min(1, { error: "must name at least one application" })
            .meta({ description: 'Exact application names, optionally "name:version"; AWS Config takes no wildcards.' }),
        platformType: z
            .enum(PLATFORM_TYPES, { error: 'must be "Linux" or "Windows"' })
            .optional()
            .meta({ description: "The platform of the instances the rule checks (its platformType parameter); default: not set." }),
        inventory: booleanFlag()
            .optional()
            .meta({ description: "Also collect software inventory (AWS-GatherSoftwareInventory), which the rule reads; default true." }),
    })
    .strict()
    .meta({ id: "DeniedApplicationsSettings", description: "Applications whose presence makes an instance non-compliant." });

export const deniedApplicationsSchema = deniedApplicationsFields.transform((d) => ({
    /** Exact application names, optionally "name:version" (AWS Config takes no wildcards). */
    applications: d.applications,
    ...(d.platformType !== undefined ? { platformType: d.platformType } : {}),
    /** A software inventory association (AWS-GatherSoftwareInventory); the Config rule reads its data. */
    inventory: d.inventory ?? true,
}));

/** The `deniedApplications` key: applications whose presence makes an instance non-compliant. */
export type DeniedApplicationsConfig = z.output<typeof deniedApplicationsSchema>;
