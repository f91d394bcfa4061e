// Patch baselines: which patches a group approves, when, and at what compliance level.
import { z } from "zod";
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

export const approvalRuleFields = z
    .object({
        patchFilters: z
            .array(
                z
                    .object({
                        key: oneOf(PATCH_FILTER_KEYS),
                        values: z
                            .array(text(64, "a filter value"), { error: "must be a list of filter values" })
                            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values` })
                            .max(BASELINE_LIMITS.valuesPerFilter, {
                                error: `must hold 1 to ${BASELINE_LIMITS.valuesPerFilter} values`,
                            }),
                    })
                    .strict(),
                { error: "must be a list of {key, values} filters" },
            )
            .min(1, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` })
            .max(BASELINE_LIMITS.filtersPerRule, { error: `must hold 1 to ${BASELINE_LIMITS.filtersPerRule} filters` }),
        complianceLevel: oneOf(COMPLIANCE_LEVELS).optional(),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days").optional(),
        approveUntilDate: dateString.optional(),
        enableNonSecurity: z.boolean({ error: "must be true or false" }).optional(),
    })
    .strict();

const approvalRuleSchema = approvalRuleFields.transform(({ complianceLevel, ...rule }) => ({
    ...rule,
    complianceLevel: complianceLevel ?? "UNSPECIFIED",
}));

/**
 * One approval rule of a patch baseline, as the AWS provider takes it. `approveAfterDays` is 0
 * for Ubuntu/Debian/Raspbian: those baselines cannot delay approval, and 0 is what goes on the wire.
 */
export type ApprovalRule = z.output<typeof approvalRuleSchema>;

const patchList = z
    .array(text(100, "a patch id or name"), { error: "must be a list of patch ids or names" })
    .max(BASELINE_LIMITS.patchList, { error: `must hold at most ${BASELINE_LIMITS.patchList} patches` });

export const baselineFields = z
    .object({
        name: z.string({ error: "must be a string" }).regex(/^[a-zA-Z0-9_\-.]{3,100}$/, {
            error: "must be 3–100 characters of letters, digits and _-. (it becomes part of the SSM baseline name)",
        }),
        operatingSystem: oneOf(OPERATING_SYSTEMS),
        description: text(1024, "a description").optional(),
        preset: oneOf(["windows2012-security"] as const).optional(),
        approveAfterDays: wholeNumber(0, BASELINE_LIMITS.approveAfterDaysMax, "days").optional(),
        approvalRules: z
            .array(approvalRuleSchema, { error: "must be a list of approval rules" })
            .max(BASELINE_LIMITS.rules, { error: `must hold at most ${BASELINE_LIMITS.rules} rules` })
            .optional(),
        approvedPatches: patchList.optional(),
        rejectedPatches: patchList.optional(),
        rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS).optional(),
        approvedPatchesComplianceLevel: oneOf(COMPLIANCE_LEVELS).optional(),
        registerAsDefault: z.boolean({ error: "must be true or false" }).optional(),
        sources: patchSourcesSchema.optional(),
    })
    .strict();

/** One entry of `baselines` as validated. */
export type ParsedBaseline = z.output<typeof baselineFields>;

/** A baseline of the model: its rules written out, delays from the stack's approveAfterDays where it sets none. */
export function baselineSettings(b: ParsedBaseline, stackApproveAfterDays: number) {
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
    };
}

export type Baseline = ReturnType<typeof baselineSettings>;

/** The baseline generated for groups of `os` that name none: security first, approved after a delay. */
export function generatedBaseline(name: string, os: OperatingSystem, approveAfterDays: number): Baseline {
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
    };
}
