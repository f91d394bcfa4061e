// Patch groups: the `Patch Group` tag values, each with its OS, baseline, optional own window,
// operation, rate control and hybrid activation.
import { z } from "zod";
import { HYBRID_LIMITS, MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN, OPERATING_SYSTEMS, PATCH_GROUP_PATTERN } from "@patch-manager/ssm";
import { Operation, operationSchema } from "./environment";
import { oneOf, wholeNumber } from "./fields";
import { generatedBaselineName, slug } from "./naming";
import { strategyFields, strategySettings } from "./strategies";
import { windowScheduleSchema } from "./window";

export const rateControlSchema = z
    .object({
        maxConcurrency: z.string({ error: 'must be a string: a count ("2") or a percentage ("10%")' }).regex(MAX_CONCURRENCY_PATTERN, {
            error: 'must be a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
        }),
        maxErrors: z.string({ error: 'must be a string: a count ("0", "2") or a percentage ("5%")' }).regex(MAX_ERRORS_PATTERN, {
            error: 'must be a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
        }),
    })
    .strict();

export type RateControl = z.output<typeof rateControlSchema>;

const patchGroupName = z.string({ error: "must be a string" }).regex(PATCH_GROUP_PATTERN, {
    error: "must be 1–256 characters of letters, digits, spaces and _.:/=+-@ (the Patch Group tag value)",
});

// The API model's RegistrationLimit range and CreateActivation's 30-day expiry.
export const hybridFields = z
    .object(
        {
            registrationLimit: wholeNumber(HYBRID_LIMITS.registrationLimitMin, HYBRID_LIMITS.registrationLimitMax, "servers"),
            expiresInDays: wholeNumber(1, HYBRID_LIMITS.expiresInDaysMax, "days").optional(),
        },
        { error: "must be a map {registrationLimit, expiresInDays?}, e.g. {registrationLimit: 25, expiresInDays: 7}" },
    )
    .strict();

/** A patch group's hybrid activation (on-premises servers, other clouds' VMs); codes stay valid for SSM's own default of a day unless set. */
const hybridSchema = hybridFields.transform((h) => ({
    /** How many servers may register with the group's activation (SSM RegistrationLimit). */
    registrationLimit: h.registrationLimit,
    /** How long an activation code stays valid (SSM allows at most 30 days). */
    expiresInDays: h.expiresInDays ?? HYBRID_LIMITS.expiresInDaysDefault,
}));

export type Hybrid = z.output<typeof hybridSchema>;

export const patchGroupFields = z
    .object({
        name: patchGroupName,
        operatingSystem: oneOf(OPERATING_SYSTEMS),
        baseline: z.string({ error: "must be the name of an entry in patch-manager:baselines" }).optional(),
        schedule: windowScheduleSchema.optional(),
        operation: operationSchema.optional(),
        rateControl: rateControlSchema.optional(),
        hybrid: hybridSchema.optional(),
        ...strategyFields,
    })
    .strict();

/** One entry of `patchGroups` as validated (its schedule and hybrid settings completed). */
export type ParsedPatchGroup = z.output<typeof patchGroupFields>;

/** A patch group of the model: the stack's operation and rate control where the group sets none. */
export function patchGroupSettings(g: ParsedPatchGroup, stack: { operation: Operation; rateControl: RateControl }) {
    return {
        name: g.name,
        /** Logical/physical name part, unique within the stack. */
        slug: slug(g.name),
        operatingSystem: g.operatingSystem,
        /** A baseline of patch-manager:baselines, or the one generated for the group's OS. */
        baseline: g.baseline ?? generatedBaselineName(g.operatingSystem),
        /** The group's own window; absent: patched in the environment window. */
        ...(g.schedule ? { schedule: g.schedule } : {}),
        operation: g.operation ?? stack.operation,
        rateControl: g.rateControl ?? stack.rateControl,
        /** Servers outside AWS join the group through an SSM hybrid activation; absent: EC2 only. */
        ...(g.hybrid ? { hybrid: g.hybrid } : {}),
        /** Reboot window, snapshots, load balancer, Auto Scaling, stopped and joining instances, overrides. */
        strategies: strategySettings(g),
    };
}

export type PatchGroupConfig = ReturnType<typeof patchGroupSettings>;
