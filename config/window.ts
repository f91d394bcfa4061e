// A maintenance window's timing, as a group's `schedule` key writes it and as the model holds it.
import * as z from "zod";
import {
    checkSchedule,
    checkTimezone,
    MAX_DAYS_AFTER_PATCH_TUESDAY,
    patchTuesdayPlus,
    TIME_OF_DAY,
    WINDOW_LIMITS,
    type WholeNumberRange,
} from "@patch-manager/ssm";
import { defaultCutoffHours } from "./defaults";
import { wholeNumber } from "./fields";

const scheduleExpression = z
    .string({ error: 'must be an SSM schedule expression string, e.g. "cron(0 23 ? * THU#1 *)"' })
    .superRefine((expr, ctx) => {
        for (const problem of checkSchedule(expr)) ctx.addIssue({ code: "custom", message: problem });
    });

export const timezoneSchema = z.string({ error: 'must be an IANA time zone name, e.g. "Europe/Amsterdam"' }).superRefine((tz, ctx) => {
    for (const problem of checkTimezone(tz)) ctx.addIssue({ code: "custom", message: problem });
});

// "N days after Patch Tuesday" in words; compiled to cron + scheduleOffset by patchTuesdayPlus.
export const patchTuesdaySchema = z
    .object({
        daysAfter: wholeNumber(0, MAX_DAYS_AFTER_PATCH_TUESDAY, "days").meta({ description: "Days after Patch Tuesday the window opens." }),
        at: z
            .string({ error: 'must be a time of day, HH:MM on a 24-hour clock, e.g. "23:00"' })
            .regex(TIME_OF_DAY, { error: 'must be a time of day, HH:MM on a 24-hour clock, e.g. "23:00"' })
            .meta({ description: "The start's time of day in the stack's time zone, HH:MM on a 24-hour clock, e.g. \"23:00\"." }),
    })
    .strict()
    .meta({
        id: "PatchTuesdaySettings",
        description: "A start some days after Patch Tuesday (the second Tuesday of the month), which becomes the window's cron and offset.",
    });

/** A window's number in the range SSM takes (the cutoff below the duration and the offset with cron only: crossChecks). */
const windowNumber = (range: WholeNumberRange) => wholeNumber(range.min, range.max, range.unit);

/** The `schedule` key as written: a cron or patchTuesday, the length, optional cutoff and offset. */
export const scheduleFields = z
    .object({
        cron: scheduleExpression.optional().meta({
            description: 'An SSM maintenance-window cron expression with one start time, e.g. "cron(0 23 ? * THU#1 *)"; or patchTuesday.',
        }),
        patchTuesday: patchTuesdaySchema.optional().meta({ description: "The start relative to Patch Tuesday, instead of a cron." }),
        durationHours: windowNumber(WINDOW_LIMITS.duration).meta({ description: "The window's length in hours." }),
        cutoffHours: windowNumber(WINDOW_LIMITS.cutoff)
            .optional()
            .meta({ description: "Hours before the window's end in which no new task starts; default 1 (0 for a 1-hour window)." }),
        offsetDays: windowNumber(WINDOW_LIMITS.scheduleOffset)
            .optional()
            .meta({ description: "Days after the cron's date the window opens (e.g. Patch Tuesday + 2); not with patchTuesday." }),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.cron === undefined && s.patchTuesday === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["cron"],
                message:
                    'is required unless patchTuesday is set: a cron like "cron(0 23 ? * THU#1 *)", or patchTuesday: {daysAfter: 2, at: "23:00"}',
            });
        }
        if (s.cron !== undefined && s.patchTuesday !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["patchTuesday"],
                message: "set cron or patchTuesday, not both: patchTuesday becomes the cron",
            });
        }
        if (s.patchTuesday !== undefined && s.offsetDays !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["offsetDays"],
                message: "cannot be combined with patchTuesday: put the whole delay in patchTuesday.daysAfter",
            });
        }
    })
    .meta({ id: "ScheduleSettings", description: "A maintenance window of its own: when it opens, how long, and the cutoff." });

/** The start of a window: the cron and offset as written, or compiled from patchTuesday. */
function windowStart(s: z.output<typeof scheduleFields>): { cron: string; offsetDays?: number } {
    if (s.patchTuesday !== undefined) {
        const { cron, scheduleOffset } = patchTuesdayPlus(s.patchTuesday.daysAfter, s.patchTuesday.at);
        return { cron, ...(scheduleOffset !== undefined ? { offsetDays: scheduleOffset } : {}) };
    }
    // The refinement above refuses a schedule with neither cron nor patchTuesday.
    return { cron: s.cron!, ...(s.offsetDays !== undefined ? { offsetDays: s.offsetDays } : {}) };
}

/**
 * A window's timing in SSM's words, as the model holds it past the parser: one start per match
 * of `schedule` (`scheduleOffset` days later), `duration` hours long, no new task in the last
 * `cutoff` hours.
 */
export const windowTimingSchema = scheduleFields.transform((s) => {
    const { cron, offsetDays } = windowStart(s);
    return {
        schedule: cron,
        ...(offsetDays !== undefined ? { scheduleOffset: offsetDays } : {}),
        duration: s.durationHours,
        cutoff: s.cutoffHours ?? defaultCutoffHours(s.durationHours),
    };
});

export type WindowTiming = z.output<typeof windowTimingSchema>;
/** What decides when a window is busy: its starts and its length. */
export type WindowStarts = Pick<WindowTiming, "schedule" | "scheduleOffset" | "duration">;

/**
 * A window's timing as aws.ssm.MaintenanceWindow takes it: one start per cron match in the zone,
 * the length and cutoff from the schedule, registered targets only. Every window of the program
 * (the patching windows and a group's reboot window) opens this way.
 */
export function maintenanceWindowTiming(s: WindowTiming, timezone: string) {
    return {
        schedule: s.schedule,
        scheduleTimezone: timezone,
        ...(s.scheduleOffset !== undefined ? { scheduleOffset: s.scheduleOffset } : {}),
        duration: s.duration,
        cutoff: s.cutoff,
        allowUnassociatedTargets: false,
        enabled: true,
    };
}
