import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BaselineConfig } from "../config";
import { EXEMPTION_TAG_PREFIX } from "../config/exemptions";
import { RESOURCE_TYPES } from "../config/resourceTypes";

export interface PatchBaselineArgs {
    /** The validated baseline from config: OS, approval rules, lists. */
    readonly baseline: BaselineConfig;
    /** Physical SSM baseline name (`^[a-zA-Z0-9_\-.]{3,128}$`). */
    readonly baselineName: string;
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A patch baseline, and its registration as the OS default where config asks for it. */
export class PatchBaseline extends pulumi.ComponentResource {
    readonly baselineId: pulumi.Output<string>;
    readonly operatingSystem: string;

    constructor(name: string, args: PatchBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchBaseline, name, {}, opts);
        const b = args.baseline;
        const baseline = new aws.ssm.PatchBaseline(
            `${name}-baseline`,
            {
                name: args.baselineName,
                description: b.description,
                operatingSystem: b.operatingSystem,
                approvalRules: b.approvalRules.map((r) => ({
                    patchFilters: r.patchFilters.map((f) => ({ key: f.key, values: [...f.values] })),
                    complianceLevel: r.complianceLevel,
                    ...(r.approveAfterDays !== undefined ? { approveAfterDays: r.approveAfterDays } : {}),
                    ...(r.approveUntilDate !== undefined ? { approveUntilDate: r.approveUntilDate } : {}),
                    ...(r.enableNonSecurity !== undefined ? { enableNonSecurity: r.enableNonSecurity } : {}),
                })),
                approvedPatches: [...b.approvedPatches],
                rejectedPatches: [...b.rejectedPatches],
                rejectedPatchesAction: b.rejectedPatchesAction,
                approvedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
                // The alternative repositories scans and installs use (PatchSource: Name, Products, Configuration);
                // without them the baseline's scans read the default repositories while an override installs from the mirror.
                ...(b.sources.length > 0
                    ? { sources: b.sources.map((s) => ({ name: s.name, products: [...s.products], configuration: s.configuration })) }
                    : {}),
                // Each exemption it holds, with the instant it ends: the pack flags a baseline deployed before that instant and not since.
                tags:
                    b.exemptions.length === 0
                        ? args.tags
                        : pulumi.output(args.tags).apply((tags) => ({
                              ...tags,
                              ...Object.fromEntries(b.exemptions.map((e) => [`${EXEMPTION_TAG_PREFIX}${e.index}`, e.endsAt])),
                          })),
            },
            { parent: this },
        );
        if (b.registerAsDefault) {
            new aws.ssm.DefaultPatchBaseline(
                `${name}-default`,
                { baselineId: baseline.id, operatingSystem: b.operatingSystem },
                { parent: this },
            );
        }
        this.baselineId = baseline.id;
        this.operatingSystem = b.operatingSystem;
        this.registerOutputs({ baselineId: this.baselineId });
    }
}
