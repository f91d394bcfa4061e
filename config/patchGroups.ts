// Patch groups: the `Patch Group` tag values, each with its OS, baseline, optional own window,
// operation, rate control and hybrid activation.
import * as z from "zod";
import { HYBRID_LIMITS, MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN, OPERATING_SYSTEMS, patchGroupNameProblem } from "@patch-manager/ssm";
import { Operation, operationSchema } from "./environment";
import { oneOf, wholeNumber } from "./fields";
import { generatedBaselineName, slug } from "./naming";
import { strategyFields, strategyConfig } from "./strategies";
import { windowTimingSchema } from "./window";
import { ESTIMATED_STEPS, EstimatedStep } from "./runtime/windowRun";

export const rateControlSchema = z
    .object({
        maxConcurrency: z
            .string({ error: 'must be a string: a count ("2") or a percentage ("10%")' })
            .regex(MAX_CONCURRENCY_PATTERN, {
                error: 'must be a count from 1 ("2") or a percentage from 1% to 100% ("10%"), as a string',
            })
            .meta({ description: 'How many instances a task patches at once: a count ("2") or a percentage ("10%").' }),
        maxErrors: z
            .string({ error: 'must be a string: a count ("0", "2") or a percentage ("5%")' })
            .regex(MAX_ERRORS_PATTERN, {
                error: 'must be a count from 0 ("0", "2") or a percentage from 0% to 100% ("5%"), as a string',
            })
            .meta({ description: 'How many failures stop the task: a count ("0", "2") or a percentage ("5%").' }),
    })
    .strict()
    .meta({
        id: "RateControlSettings",
        description: "How many instances a task patches at once and how many failures stop it, as SSM takes them.",
    });

export type RateControlConfig = z.output<typeof rateControlSchema>;

const patchGroupName = z.string({ error: "must be a string" }).superRefine((name, ctx) => {
    const problem = patchGroupNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
    // safeStops.hooks names groups as map keys, and a map cannot hold this one.
    else if (name === "__proto__")
        ctx.addIssue({
            code: "custom",
            message: '"__proto__" cannot name a patch group: maps keyed by group name (safeStops.hooks) would lose it',
        });
});

// The API model's RegistrationLimit range and CreateActivation's 30-day expiry.
export const hybridFields = z
    .object(
        {
            registrationLimit: wholeNumber(HYBRID_LIMITS.registrationLimitMin, HYBRID_LIMITS.registrationLimitMax, "servers").meta({
                description:
                    "The most servers the group holds through its activation codes, across renewals, in the stack's region: each " +
                    "new code admits what this leaves after the group's registered servers, and a full group has no code.",
            }),
            expiresInDays: wholeNumber(1, HYBRID_LIMITS.expiresInDaysMax, "days")
                .optional()
                .meta({ description: `Days an activation code stays valid; default ${HYBRID_LIMITS.expiresInDaysDefault}.` }),
        },
        { error: "must be a map {registrationLimit, expiresInDays?}, e.g. {registrationLimit: 25, expiresInDays: 7}" },
    )
    .strict()
    .meta({ id: "HybridSettings", description: "Servers outside AWS that join the patch group through an SSM hybrid activation." });

/** A patch group's hybrid activation (on-premises servers, other clouds' VMs); codes stay valid for SSM's own default of a day unless set. */
const hybridSchema = hybridFields.transform((h) => ({
    /** How many servers may register with the group's activation (SSM RegistrationLimit). */
    registrationLimit: h.registrationLimit,
    /** How long an activation code stays valid (SSM allows at most 30 days). */
    expiresInDays: h.expiresInDays ?? HYBRID_LIMITS.expiresInDaysDefault,
}));

export type HybridConfig = z.output<typeof hybridSchema>;

/** Minutes one batch of the group's targets takes in each step, as measured on the fleet; replaces the model's assumptions. */
export const durationEstimatesSchema = z
    .object(
        Object.fromEntries(
            ESTIMATED_STEPS.map((step) => [
                step,
                wholeNumber(1, 24 * 60, "minutes")
                    .optional()
                    .meta({ description: `Minutes one batch of the group's targets takes in the ${step} step.` }),
            ]),
        ) as Record<EstimatedStep, z.ZodOptional<ReturnType<typeof wholeNumber>>>,
        { error: `must be a map of minutes per step (${ESTIMATED_STEPS.join(", ")}), e.g. {install: 45}` },
    )
    .strict()
    .meta({
        id: "DurationEstimateSettings",
        description: "How long one batch of the group's targets takes per step, for the window timeline the plan prints.",
    });

export const patchGroupFields = z
    .object({
        name: patchGroupName.meta({ description: "The tag value that puts an instance in this group." }),
        operatingSystem: oneOf(OPERATING_SYSTEMS).meta({ description: "The operating system of the group's instances." }),
        baseline: z
            .string({ error: "must be the name of an entry in patch-manager:baselines" })
            .optional()
            .meta({ description: "An entry of baselines, by name; default: the generated baseline of the operating system." }),
        schedule: windowTimingSchema
            .optional()
            .meta({ description: "The group's own maintenance window; default: the environment's window." }),
        operation: operationSchema.optional().meta({ description: "What the group's task does; default: the deployment's operation." }),
        rateControl: rateControlSchema.optional().meta({ description: "The group's own rate control; default: the deployment's." }),
        hybrid: hybridSchema.optional().meta({ description: "Servers outside AWS join this group through an activation." }),
        durationEstimates: durationEstimatesSchema.optional().meta({
            description: "Measured minutes per batch of the group's steps; default: the window model's stated assumptions.",
        }),
        ...strategyFields,
    })
    .strict()
    .meta({ id: "PatchGroupSettings", description: "One value of the instances' patch-group tag." });

/** One entry of `patchGroups` as validated (its schedule and hybrid settings completed). */
export type ParsedPatchGroup = z.output<typeof patchGroupFields>;

/** A patch group of the model: the stack's operation and rate control where the group sets none. */
export function patchGroupConfig(g: ParsedPatchGroup, stack: { operation: Operation; rateControl: RateControlConfig }) {
    return {
        name: g.name,
        /** Logical/physical name part, unique within the stack. */
        slug: slug(g.name),
        operatingSystem: g.operatingSystem,
        /** A baseline of patch-manager:baselines, or the one generated for the group's OS. */
        baseline: g.baseline ?? generatedBaselineName(g.operatingSystem),
        /** The group's own window; absent: patched in the environment window. */
        ...(g.schedule ? { window: g.schedule } : {}),
        operation: g.operation ?? stack.operation,
        rateControl: g.rateControl ?? stack.rateControl,
        /** Servers outside AWS join the group through an SSM hybrid activation; absent: EC2 only. */
        ...(g.hybrid ? { hybrid: g.hybrid } : {}),
        /** Reboot window, snapshots, load balancer, Auto Scaling, stopped and joining instances, overrides. */
        strategies: strategyConfig(g),
        /** Measured minutes per batch by step (the window timeline's estimates); empty: the model's assumptions. */
        durationEstimates: { ...(g.durationEstimates ?? {}) } as Partial<Record<EstimatedStep, number>>,
    };
}

export type PatchGroupConfig = ReturnType<typeof patchGroupConfig>;
