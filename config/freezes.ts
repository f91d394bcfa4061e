// Change freezes: periods in which no window of the stack patches (year end, a release weekend),
// written as dates in the stack's time zone, once or recurring (an iCalendar RRULE), and/or a
// Change Calendar the organisation already keeps. The program writes them into an SSM Change
// Calendar (DEFAULT_OPEN: closed during each freeze) and disables the windows while it is closed.
import * as z from "zod";
import type { RRule as RRuleClass } from "rrule";
import { zonedInstant } from "@patch-manager/ssm";
import { shown } from "./errors";
import { text, wholeNumber } from "./fields";

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?$/;

/** A day (`2026-12-18`, from 00:00) or a day and time (`2026-12-18T18:00`) in the stack's time zone. */
const localDateTime = z.string({ error: "must be a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM" }).refine(
    (v) => {
        const m = LOCAL_DATE_TIME.exec(v);
        if (!m) return false;
        const [hh, mm] = (m[2] ?? "00:00").split(":").map(Number);
        const d = new Date(`${m[1]}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(m[1]) && hh < 24 && mm < 60;
    },
    { error: (issue) => `${shown(issue.input)} is not a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, e.g. 2026-12-18T18:00` },
);

/** rrule's RRule, loaded by the first recurring freeze: a stack without one does not load it. */
function rruleClass(): typeof RRuleClass {
    return (require("rrule") as typeof import("rrule")).RRule;
}

/** Why an RRULE value is refused, or undefined when rrule reads it as a rule with a frequency. */
export function rruleProblem(value: string): string | undefined {
    if (/^\s*(RRULE:)?.*\bDTSTART\b/i.test(value)) return "takes no DTSTART: the freeze's start is the first occurrence";
    try {
        const RRule = rruleClass();
        const options = RRule.parseString(value.replace(/^RRULE:/i, ""));
        if (options.freq === undefined) return "needs FREQ (e.g. FREQ=YEARLY)";
        new RRule(options);
        return undefined;
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

export const freezeFields = z
    .object({
        name: z
            .string({ error: "must be a string" })
            .regex(/^[A-Za-z0-9 _.-]{1,64}$/, { error: "must be 1 to 64 letters, digits, spaces and _.- (it names the calendar event)" })
            .meta({ description: 'The freeze\'s name, e.g. "Year end"; it names the Change Calendar event.' }),
        start: localDateTime.meta({ description: "When it begins: YYYY-MM-DD (00:00) or YYYY-MM-DDTHH:MM, in the stack's time zone." }),
        end: localDateTime.meta({ description: "When it ends (windows may start again from then), in the stack's time zone." }),
        reason: text(256, "the reason").meta({ description: "Why nothing may be patched then; shown in the calendar and the plan." }),
        rrule: z
            .string({ error: "must be an iCalendar RRULE, e.g. FREQ=YEARLY" })
            .superRefine((v, ctx) => {
                const problem = rruleProblem(v);
                if (problem) ctx.addIssue({ code: "custom", message: `${shown(v)} is not a recurrence rule: ${problem}` });
            })
            .optional()
            .meta({
                description:
                    "Repeat it (iCalendar RRULE, e.g. FREQ=YEARLY for every year); each repetition starts at the same UTC time as the first and lasts as long.",
            }),
    })
    .strict()
    .meta({ id: "FreezeSettings", description: "A period in which no window of the stack patches." });

export const freezesSchema = z.array(freezeFields, { error: "must be a list of {name, start, end, reason, rrule?}" });

// botocore ssm DocumentName `^[a-zA-Z0-9_\-.]{3,128}$`; an ARN as DocumentARN `^[a-zA-Z0-9_\-.:/]{3,128}$`.
export const freezeCalendarSchema = z
    .string({ error: "must be the name or ARN of a Change Calendar document" })
    .regex(/^([a-zA-Z0-9_\-.]{3,128}|arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:document\/[a-zA-Z0-9_\-.]{3,128})$/, {
        error: "must be a Change Calendar's document name (3 to 128 letters, digits and _-.) or its ARN, arn:aws:ssm:<region>:<account>:document/<name>",
    });

export const DEFAULT_MAX_DAYS_WITHOUT_INSTALL = 35;
export const maxDaysWithoutInstallSchema = wholeNumber(7, 366, "days");

/** A freeze of the model: its first occurrence as instants, and its recurrence. */
export interface FreezePeriod {
    readonly index: number;
    readonly name: string;
    readonly reason: string;
    /** The first occurrence's start and end, ISO-8601 UTC. */
    readonly start: string;
    readonly end: string;
    /** The recurrence, as written (without `RRULE:`). */
    readonly rrule?: string;
}

/** The instant a start or end written in the stack's zone stands for. */
export function freezeInstant(value: string, timezone: string): Date {
    const m = LOCAL_DATE_TIME.exec(value)!;
    return zonedInstant(m[1], m[2] ?? "00:00", timezone);
}

export function freezePeriods(list: readonly z.output<typeof freezeFields>[], timezone: string): FreezePeriod[] {
    return list.map((f, index) => ({
        index,
        name: f.name,
        reason: f.reason,
        start: freezeInstant(f.start, timezone).toISOString(),
        end: freezeInstant(f.end, timezone).toISOString(),
        ...(f.rrule !== undefined ? { rrule: f.rrule.replace(/^RRULE:/i, "") } : {}),
    }));
}

/** One occurrence of a freeze. */
export interface FreezeSpan {
    readonly name: string;
    readonly start: Date;
    readonly end: Date;
}

/**
 * Every occurrence of the freezes that overlaps [from, until). A recurring one repeats from its
 * first start in UTC, as the Change Calendar (which carries it with UTC times) repeats it.
 */
export function freezeSpans(periods: readonly FreezePeriod[], from: Date, until: Date): FreezeSpan[] {
    const out: FreezeSpan[] = [];
    for (const p of periods) {
        const start = new Date(p.start);
        const length = new Date(p.end).getTime() - start.getTime();
        if (length <= 0) continue;
        let starts = [start];
        if (p.rrule) {
            const RRule = rruleClass();
            starts = new RRule({ ...RRule.parseString(p.rrule), dtstart: start }).between(new Date(from.getTime() - length), until, true);
        }
        for (const s of starts) {
            const e = new Date(s.getTime() + length);
            if (e.getTime() > from.getTime() && s.getTime() < until.getTime()) out.push({ name: p.name, start: s, end: e });
        }
    }
    return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Each list of freezes' spans over a year either side of the last instant asked outside the span before. */
const nearSpans = new WeakMap<readonly FreezePeriod[], { from: number; until: number; spans: FreezeSpan[] }>();
const YEAR_MS = 366 * 24 * 3_600_000;

/**
 * The freeze an instant falls in (start inclusive, end exclusive), if any: the first by start of
 * the spans that hold it. Asked for every window start of a calendar, so the spans of a year
 * either side are found once (every span that holds an instant overlaps any range around it).
 */
export function frozenAt(periods: readonly FreezePeriod[], at: Date): FreezeSpan | undefined {
    if (periods.length === 0) return undefined;
    const t = at.getTime();
    let near = nearSpans.get(periods);
    if (near === undefined || t < near.from || t + 1 > near.until) {
        near = { from: t - YEAR_MS, until: t + YEAR_MS, spans: freezeSpans(periods, new Date(t - YEAR_MS), new Date(t + YEAR_MS)) };
        nearSpans.set(periods, near);
    }
    return near.spans.find((s) => s.start.getTime() <= t && s.end.getTime() > t);
}

/** The problems of `freezes` that its schema cannot see: an end not after its start. */
export function freezeProblems(
    list: readonly z.output<typeof freezeFields>[],
    timezone: string,
): { path: (string | number)[]; message: string }[] {
    return list.flatMap((f, i) =>
        freezeInstant(f.end, timezone).getTime() <= freezeInstant(f.start, timezone).getTime()
            ? [{ path: [i, "end"], message: `${shown(f.end)} is not after start ${shown(f.start)}: a freeze ends after it begins` }]
            : [],
    );
}
