// Patch baselines: which patches a group approves, when, and at what compliance level.
import * as z from "zod";
import {
    BASELINE_LIMITS,
    COMPLIANCE_LEVELS,
    OPERATING_SYSTEMS,
    OperatingSystem,
    PATCH_FILTER_KEYS,
    REJECTED_PATCHES_ACTIONS,
} from "@patch-manager/ssm";
import { defaultApprovalRules, supportsApprovalDelay, windows2012SecurityRules } from "./approvalRules";
import { dateString, oneOf, text, wholeNumber } from "./fields";
import { PROJECT } from "./project";
import { patchSourcesSchema } from "./strategies";

const patchFilterFields = z
    .object({
        key: oneOf(PATCH_FILTER_KEYS).meta({ description: "What the filter matches on." }),
        values: z
            .array(text(64, "a filter value"), { error: "must be a list of filter values" })
            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values` })
            .max(BASELINE_LIMITS.valuesPerFilter, {
                error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values`,
            })
            .meta({ description: "The values the key matches, e.g. SecurityUpdates for CLASSIFICATION on Windows." }),
    })
    .strict()
    .meta({ id: "PatchFilterSettings", description: "A patch filter of an approval rule, as SSM takes it." });

export const approvalRuleFields = z
    .object({
        patchFilters: z
            .array(patchFilterFields, { error: "must be a list of {key, values} filters" })
            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` })
            .max(BASELINE_LIMITS.filtersPerRule, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` })
            .meta({ description: "The filters, all of which a patch matches." }),
        complianceLevel: oneOf(COMPLIANCE_LEVELS)
            .optional()
            .meta({ description: "The compliance severity of a missing patch the rule approves; default UNSPECIFIED." }),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days")
            .optional()
            .meta({ description: "Days after release a matching patch is approved; default: the baseline's approveAfterDays." }),
        approveUntilDate: dateString
            .optional()
            .meta({ description: "Approve matching patches released up to this date, YYYY-MM-DD, instead of after a delay." }),
        enableNonSecurity: z
            .boolean({ error: "must be true or false" })
            .optional()
            .meta({ description: "Also approve non-security updates (Linux)." }),
    })
    .strict()
    .meta({ id: "ApprovalRuleSettings", description: "An approval rule of a baseline: which patches it approves, and when." });

const approvalRuleSchema = approvalRuleFields.transform(({ complianceLevel, ...rule }) => ({
    ...rule,
    complianceLevel: complianceLevel ?? "UNSPECIFIED",
}));

/**
 * One approval rule of a patch baseline, as the AWS provider takes it. `approveAfterDays` is 0
 * for Ubuntu/Debian/Raspbian: those baselines cannot delay approval, and 0 is what goes on the wire.
 */
export type ApprovalRule = z.output<typeof approvalRuleSchema>;

export const patchList = z
    .array(text(100, "a patch id or name"), { error: "must be a list of patch ids or names" })
    .max(BASELINE_LIMITS.patchList, { error: `must hold at most ${BASELINE_LIMITS.patchList} patches` });

export const baselineFields = z
    .object({
        name: z
            .string({ error: "must be a string" })
            .regex(/^[a-zA-Z0-9_\-.]{3,100}$/, {
                error: "must be 3–100 characters of letters, digits and _-. (it becomes part of the SSM baseline name)",
            })
            .meta({
                description: "3 to 100 letters, digits and _-.; patch groups name the baseline by it, and it is part of the SSM name.",
            }),
        operatingSystem: oneOf(OPERATING_SYSTEMS).meta({ description: "The operating system the baseline patches." }),
        description: text(1024, "a description")
            .optional()
            .meta({ description: "The SSM baseline's description; default: its name, operating system and the project." }),
        preset: oneOf(["windows2012-security"] as const)
            .optional()
            .meta({
                description: "windows2012-security: every security update of the Windows Server 2012 products, whatever their rating.",
            }),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days")
            .optional()
            .meta({ description: "Days after release patches are approved, for the rules that set none; default: the deployment's." }),
        approvalRules: z
            .array(approvalRuleSchema, { error: "must be a list of approval rules" })
            .max(BASELINE_LIMITS.rules, { error: `must hold at most ${BASELINE_LIMITS.rules} rules` })
            .optional()
            .meta({ description: "The baseline's approval rules; default: the preset's, or the operating system's rules." }),
        approvedPatches: patchList.optional().meta({ description: "Patch ids or names approved whatever the rules say." }),
        rejectedPatches: patchList.optional().meta({ description: "Patch ids or names never installed." }),
        rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS)
            .optional()
            .meta({ description: "Whether a rejected patch may still come in as another's dependency; default BLOCK." }),
        approvedPatchesComplianceLevel: oneOf(COMPLIANCE_LEVELS)
            .optional()
            .meta({ description: "The compliance severity of a missing approved patch; default HIGH." }),
        registerAsDefault: z
            .boolean({ error: "must be true or false" })
            .optional()
            .meta({ description: "Make it the account's default baseline for its operating system in the region." }),
        sources: patchSourcesSchema
            .optional()
            .meta({ description: "Linux only: alternative repositories, which replace the node's default ones." }),
    })
    .strict()
    .meta({ id: "BaselineSettings", description: "A patch baseline of its own, which patch groups name in baseline." });

/** One entry of `baselines` as validated. */
export type ParsedBaseline = z.output<typeof baselineFields>;

/** A baseline of the model: its rules written out, delays from the stack's approveAfterDays where it sets none. */
export function baselineConfig(b: ParsedBaseline, stackApproveAfterDays: number) {
    const os = b.operatingSystem;
    const days = b.approveAfterDays ?? stackApproveAfterDays;
    const rules: ApprovalRule[] = b.approvalRules
        ? b.approvalRules.map((r) => ({
              patchFilters: r.patchFilters,
              complianceLevel: r.complianceLevel,
              ...(r.approveUntilDate !== undefined
                  ? { approveUntilDate: r.approveUntilDate }
                  : supportsApprovalDelay(os)
                    ? { approveAfterDays: r.approveAfterDays ?? days }
                    : { approveAfterDays: 0 }),
              ...(r.enableNonSecurity !== undefined ? { enableNonSecurity: r.enableNonSecurity } : {}),
          }))
        : b.preset === "windows2012-security"
          ? windows2012SecurityRules(days)
          : (defaultApprovalRules(os, days) ?? []);
    return {
        name: b.name,
        operatingSystem: os,
        description: b.description ?? `${b.name} (${os}), managed by ${PROJECT}`,
        approvalRules: rules,
        approvedPatches: b.approvedPatches ?? [],
        rejectedPatches: b.rejectedPatches ?? [],
        rejectedPatchesAction: b.rejectedPatchesAction ?? "BLOCK",
        approvedPatchesComplianceLevel: b.approvedPatchesComplianceLevel ?? "HIGH",
        /** Register as the account/region default for its OS (aws.ssm.DefaultPatchBaseline). */
        registerAsDefault: b.registerAsDefault === true,
        /** Alternative repositories (Linux); they replace the node's default ones. */
        sources: b.sources ?? [],
        /** True for the baselines the program adds for groups that name none. */
        generated: false,
        /** The exemptions whose patches rejectedPatches holds at the model's instant (config/exemptions.ts), with their ends. */
        exemptions: [] as { index: number; endsAt: string }[],
    };
}

export type BaselineConfig = ReturnType<typeof baselineConfig>;

/** The baseline generated for groups of `os` that name none: security first, approved after a delay. */
export function generatedBaseline(name: string, os: OperatingSystem, approveAfterDays: number): BaselineConfig {
    return {
        name,
        operatingSystem: os,
        description: `Default ${os} baseline of ${PROJECT}: security first, approved after a delay`,
        approvalRules: defaultApprovalRules(os, approveAfterDays) ?? [],
        approvedPatches: [],
        rejectedPatches: [],
        rejectedPatchesAction: "BLOCK",
        approvedPatchesComplianceLevel: "HIGH",
        registerAsDefault: false,
        sources: [],
        generated: true,
        exemptions: [],
    };
}
