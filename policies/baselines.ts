// Rules for patch baselines: what they approve, and how long production waits.

import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    FindingReport,
    ProductionConfig,
    asArray,
    configWithDefaults,
    isSet,
    isUnknown,
    label,
    ofType,
    productionConfigSchema,
    productionReason,
    providerDefaultTags,
    refersTo,
    report,
    show,
    stackResources,
    text,
    validateResourceOfTypes,
} from "./util";

// Limits from the SSM API model (botocore ssm/2014-11-06: PatchRuleList, PatchIdList, ApproveAfterDays).
import { BASELINE_LIMITS, EXEMPTION_TAG_PREFIX, TYPES } from "@patch-manager/ssm";
export const MAX_APPROVAL_RULES = BASELINE_LIMITS.rules;
export const MAX_PATCH_IDS = BASELINE_LIMITS.patchList;
export const MAX_APPROVE_AFTER_DAYS = BASELINE_LIMITS.approveAfterDaysMax;

/**
 * Operating systems whose approval rules cannot use approveAfterDays: their repositories carry no
 * release dates Patch Manager could count from (SSM API reference, PatchRule.ApproveAfterDays).
 */
export const NO_RELEASE_DATE_OS = ["UBUNTU", "DEBIAN"];

const baselineLabel = (props: any, name: string) => `patch baseline ${label(props, name)}`;

function isDate(value: unknown): boolean {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return false;
    }
    const d = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const baselineApprovesPatches: ResourceValidationPolicy = {
    name: "baseline-approves-patches",
    description:
        "A patch baseline approves something and stays within SSM's limits: give it at least one approval rule (each with either " +
        "approveAfterDays 0–360 or approveUntilDate YYYY-MM-DD) or approved patches; at most 10 rules and 50 approved/rejected patches.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.patchBaseline, (b, args, reportViolation) => {
        const who = baselineLabel(b, args.name);
        if (isUnknown(b.approvalRules) || isUnknown(b.approvedPatches)) {
            return;
        }
        const rules = asArray(b.approvalRules);
        const approved = asArray(b.approvedPatches);
        if (rules.length === 0 && approved.length === 0) {
            reportViolation(`${who} has no approval rules and no approved patches, so it approves nothing; add an approval rule.`);
        }
        if (rules.length > MAX_APPROVAL_RULES) {
            reportViolation(`${who} has ${rules.length} approval rules; SSM allows at most ${MAX_APPROVAL_RULES}.`);
        }
        for (const key of ["approvedPatches", "rejectedPatches"]) {
            const n = isUnknown(b[key]) ? 0 : asArray(b[key]).length;
            if (n > MAX_PATCH_IDS) {
                reportViolation(`${who} lists ${n} ${key}; SSM allows at most ${MAX_PATCH_IDS}.`);
            }
        }
        const os = isUnknown(b.operatingSystem) ? undefined : text(b.operatingSystem ?? "WINDOWS");
        rules.forEach((rule: any, i: number) => {
            const where = `${who}, approvalRules[${i}]`;
            const after = rule?.approveAfterDays;
            const until = rule?.approveUntilDate;
            if (isUnknown(after) || isUnknown(until)) {
                return;
            }
            if (isSet(after) && isSet(until)) {
                reportViolation(`${where} sets both approveAfterDays ${show(after)} and approveUntilDate ${show(until)}; keep one.`);
            }
            if (!isSet(after) && !isSet(until) && os !== undefined && !NO_RELEASE_DATE_OS.includes(os)) {
                reportViolation(`${where} sets neither approveAfterDays nor approveUntilDate; SSM requires one of them for ${os}.`);
            }
            if (isSet(after) && !(Number.isInteger(after) && after >= 0 && after <= MAX_APPROVE_AFTER_DAYS)) {
                reportViolation(`${where}: approveAfterDays ${show(after)} must be a whole number from 0 to ${MAX_APPROVE_AFTER_DAYS}.`);
            }
            if (isSet(until) && !isDate(until)) {
                reportViolation(`${where}: approveUntilDate ${show(until)} must be a date written YYYY-MM-DD.`);
            }
        });
    }),
};

// ------------------------------------------------------------------------------------------------

const approvalDelaySchema: PolicyConfigSchema = {
    properties: {
        minApproveAfterDays: {
            type: "integer",
            minimum: 0,
            maximum: MAX_APPROVE_AFTER_DAYS,
            default: 7,
            description: "Days a production baseline waits after a patch's release before auto-approving it.",
        },
        ...productionConfigSchema,
    },
};

interface ApprovalDelayConfig extends ProductionConfig {
    minApproveAfterDays: number;
}

export const baselineProductionApprovalDelay: ResourceValidationPolicy = {
    name: "baseline-production-approval-delay",
    description:
        "Production baselines let patches age before approving them, so problems surface elsewhere first: set approveAfterDays " +
        "to at least the configured minimum (default 7) on every approval rule. SSM ignores approveAfterDays and approveUntilDate " +
        "for Ubuntu and Debian: a hold set there is reported, since only the windows' order staggers them. Production is judged from the baseline's environment tag, the stack name " +
        "(productionStacks) or the stack's tags.",
    enforcementLevel: "advisory",
    configSchema: approvalDelaySchema,
    validateResource: validateResourceOfTypes(TYPES.patchBaseline, (b, args, reportViolation) => {
        const cfg = configWithDefaults<ApprovalDelayConfig>(approvalDelaySchema, args);
        const why = productionReason(cfg, { tags: [b.tags, providerDefaultTags(args)], urn: args.urn, stackTags: args.stackTags });
        if (why === undefined || isUnknown(b.approvalRules) || isUnknown(b.operatingSystem)) {
            return;
        }
        const who = `${baselineLabel(b, args.name)} (production: ${why})`;
        const os = text(b.operatingSystem ?? "WINDOWS");
        asArray(b.approvalRules).forEach((rule: any, i: number) => {
            const after = rule?.approveAfterDays;
            const until = rule?.approveUntilDate;
            if (isUnknown(after) || isUnknown(until)) {
                return;
            }
            const where = `${who}, approvalRules[${i}]`;
            if (NO_RELEASE_DATE_OS.includes(os)) {
                // SSM ignores both holds for these systems (PatchRule: "Not supported for Debian
                // Server or Ubuntu Server"); only the windows' order staggers them.
                if (isSet(until) || (isSet(after) && after !== 0)) {
                    report(reportViolation, {
                        message:
                            `${where} sets ${isSet(until) ? `approveUntilDate ${show(until)}` : `approveAfterDays ${show(after)}`}, which SSM ignores for ${os}; ` +
                            "patches are approved as soon as the repositories have them: stagger the rollout with the groups' windows instead.",
                        property: `approvalRules[${i}].${isSet(until) ? "approveUntilDate" : "approveAfterDays"}`,
                        valid: `not set (approveAfterDays 0): SSM ignores both holds for ${os}, whose rollout the windows' order staggers`,
                    });
                }
                return;
            }
            if (isSet(until)) {
                return; // a fixed cutoff date holds everything released after it
            }
            if (!isSet(after) || (typeof after === "number" && after < cfg.minApproveAfterDays)) {
                report(reportViolation, {
                    message:
                        `${where} approves patches after ${isSet(after) ? `${after} days` : "0 days (approveAfterDays not set)"}; ` +
                        `production waits at least ${cfg.minApproveAfterDays} (config minApproveAfterDays).`,
                    property: `approvalRules[${i}].approveAfterDays`,
                    valid: `in production at least ${cfg.minApproveAfterDays} days (the pack's minApproveAfterDays), at most ${MAX_APPROVE_AFTER_DAYS}`,
                });
            }
        });
    }),
};

// ------------------------------------------------------------------------------------------------

/** Security classifications across operating systems (patch baseline filter values). */
const SECURITY_CLASSIFICATIONS = ["Security", "SecurityUpdates", "CriticalUpdates", "*"];

/** Whether an approval rule can approve security updates: no CLASSIFICATION filter, or one that names a security class. */
function coversSecurityUpdates(rule: any): boolean {
    const filters = asArray(first(rule?.patchFilterGroup)?.patchFilters ?? rule?.patchFilters);
    const classification = filters.find((f: any) => f?.key === "CLASSIFICATION");
    if (!classification || isUnknown(classification.values)) return true;
    return asArray(classification.values).some((v) => typeof v === "string" && SECURITY_CLASSIFICATIONS.includes(v));
}

const first = (v: unknown): any => (Array.isArray(v) ? v[0] : v);

export const defaultBaselineApprovesUpdates: StackValidationPolicy = {
    name: "default-baseline-approves-updates",
    description:
        "A baseline registered as an operating system's default (aws.ssm.DefaultPatchBaseline) approves updates by rule: every " +
        "node outside a patch group, and in a group without its own baseline, is patched by it (Patch Manager, patch groups). " +
        "One that approves only a fixed approvedPatches list, rejects every patch, or whose rules all filter security updates " +
        "out leaves those nodes without every later security update: give it a rule for the security classifications, or " +
        "register it for a patch group instead.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const baselines = ofType(resources, TYPES.patchBaseline);
        for (const registration of ofType(resources, TYPES.defaultPatchBaseline)) {
            const baseline = baselines.find((b) => refersTo(registration, "baselineId", b, ["id", "arn"]) === true);
            if (!baseline || isUnknown(baseline.props.approvalRules) || isUnknown(baseline.props.approvedPatches)) continue;
            const rules = asArray(baseline.props.approvalRules);
            const os = show(registration.props.operatingSystem ?? baseline.props.operatingSystem);
            const who = `${baselineLabel(baseline.props, baseline.name)} is the default for ${os}`;
            const rejectsAll = asArray(baseline.props.rejectedPatches).some((p) => p === "*");
            if (rules.length === 0) {
                const approved = asArray(baseline.props.approvedPatches);
                reportViolation(
                    `${who} but approves only ${approved.length === 0 ? "nothing" : `${approved.length} listed patch${approved.length === 1 ? "" : "es"}`} ` +
                        `and no rule: add approval rules (e.g. security updates after 7 days), or register it for a patch group instead.`,
                    registration.urn,
                );
            } else if (rejectsAll) {
                reportViolation(
                    `${who} but rejects every patch (rejectedPatches "*"): nodes outside patch groups get nothing.`,
                    registration.urn,
                );
            } else if (!rules.some(coversSecurityUpdates)) {
                reportViolation(
                    `${who} but no approval rule approves security updates (each filters CLASSIFICATION to other values): nodes outside ` +
                        `patch groups never get them; add a rule for the security classifications.`,
                    registration.urn,
                );
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

/** Days before an exemption's end from which the pack reminds of it. */
export const EXEMPTION_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The exemptions a baseline's tags say it holds: the index in `patch-manager:exemptions` and the end. */
function heldExemptions(tags: unknown): { index: number; tag: string; endsAt: Date }[] {
    if (typeof tags !== "object" || tags === null || isUnknown(tags)) return [];
    return Object.entries(tags as Record<string, unknown>).flatMap(([tag, value]) => {
        const index = tag.startsWith(EXEMPTION_TAG_PREFIX) ? Number(tag.slice(EXEMPTION_TAG_PREFIX.length)) : NaN;
        const endsAt = typeof value === "string" ? new Date(value) : undefined;
        return Number.isInteger(index) && endsAt && !Number.isNaN(endsAt.getTime()) ? [{ index, tag, endsAt }] : [];
    });
}

/**
 * The rules on exemptions that expire, judged at `clock()`: the pack's entry passes the real clock,
 * tests a fixed instant. A baseline still rejecting an exemption's patches after its end was
 * deployed before that day and not since (the program leaves them out from then on): mandatory.
 * One that ends within 14 days: advisory, so that whoever asked for it can renew it with a new
 * ticket or let it go.
 */
export function exemptionPolicies(clock: () => Date): ResourceValidationPolicy[] {
    const check =
        (expired: boolean) =>
        (b: any, args: { name: string }, reportViolation: FindingReport): void => {
            const now = clock();
            for (const e of heldExemptions(b.tags)) {
                const days = Math.ceil((e.endsAt.getTime() - now.getTime()) / DAY_MS);
                const key = `patch-manager:exemptions[${e.index}]`;
                if (expired && e.endsAt.getTime() <= now.getTime()) {
                    report(reportViolation, {
                        message:
                            `${baselineLabel(b, args.name)} still rejects the patches of ${key}, which ended ${e.endsAt.toISOString()}: ` +
                            "run pulumi up so that the baseline takes them again, or renew the exemption (a later until, with a new ticket).",
                        property: `tags.${e.tag}`,
                        valid: "an until after today, or the exemption removed",
                    });
                } else if (!expired && e.endsAt.getTime() > now.getTime() && days <= EXEMPTION_WARNING_DAYS) {
                    report(reportViolation, {
                        message:
                            `${baselineLabel(b, args.name)} rejects the patches of ${key} for ${days} more day${days === 1 ? "" : "s"} ` +
                            `(until ${e.endsAt.toISOString()}); then the next window installs them. Renew it with a new ticket if the reason still holds.`,
                        property: `tags.${e.tag}`,
                        valid: `an until more than ${EXEMPTION_WARNING_DAYS} days away, or the exemption left to end`,
                    });
                }
            }
        };
    return [
        {
            name: "exemption-expired",
            description:
                "A baseline rejects patches of an exemption (patch-manager:exemptions) past its until date: the program leaves them out " +
                "from that day, so the deployed baseline is stale; run pulumi up, or renew the exemption with a later until and a new ticket.",
            enforcementLevel: "mandatory",
            validateResource: validateResourceOfTypes(TYPES.patchBaseline, check(true)),
        },
        {
            name: "exemption-expiring",
            description:
                `A baseline rejects patches of an exemption (patch-manager:exemptions) that ends within ${EXEMPTION_WARNING_DAYS} days: ` +
                "renew it with a later until and a new ticket if the reason still holds, or let the patches come.",
            enforcementLevel: "advisory",
            validateResource: validateResourceOfTypes(TYPES.patchBaseline, check(false)),
        },
    ];
}

export const baselinePolicies = [baselineApprovesPatches, baselineProductionApprovalDelay, defaultBaselineApprovesUpdates];
