/**
 * SSM maintenance-window schedules: validation, next start times and plain-words descriptions.
 *
 * The dialect is the one in "Reference: Cron and rate expressions for Systems Manager"
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html)
 * and the SSM API model (`MaintenanceWindowSchedule` is 1-256 characters, `ScheduleOffset` 1-6).
 * Cron evaluation (calendar, L/W/#, time zones, DST) is croner's meaning; this module parses the
 * AWS dialect into explicit values and hands croner a pattern whose meaning is the same in both. In
 * a zone, the cron's wall-clock times are listed at offset 0 and zone.ts turns them into instants by
 * croner's own rules; the wall-clock times of the plain day rules are found by walking the days
 * (`nextWallClock`, the same answers as croner's, compared in the tests), W and LW by croner.
 *
 * Pure: no Pulumi, no I/O, no clock (callers pass `from`).
 */
import { Cron } from "croner";
import { toString as cronToWords } from "cronstrue";
import { scheduleOffsetProblems } from "./rules";
import { ZoneOffsets, zoneOffsets } from "./zone";

// ---------------------------------------------------------------------------------------------
// Parsed representation
// ---------------------------------------------------------------------------------------------

/** Day-of-month rule of an AWS cron. `any` is `*` (or `?` when day-of-week names the days). */
export type DayOfMonthRule =
    | { kind: "any" }
    | { kind: "days"; days: number[] }
    | { kind: "last" }
    | { kind: "lastWeekday" }
    | { kind: "nearestWeekday"; day: number };

/** Day-of-week rule, AWS numbering 1-7 = SUN-SAT. */
export type DayOfWeekRule =
    { kind: "any" } | { kind: "days"; days: number[] } | { kind: "last"; day: number } | { kind: "nth"; day: number; nth: number };

export interface CronSchedule {
    kind: "cron";
    minute: number;
    hour: number;
    dayOfMonth: DayOfMonthRule;
    /** 1-12, sorted, all twelve when the field is `*`. */
    months: number[];
    dayOfWeek: DayOfWeekRule;
    /** Sorted years, or "any" for `*`. */
    years: number[] | "any";
}

export interface RateSchedule {
    kind: "rate";
    value: number;
    unit: "minute" | "hour" | "day";
    intervalMs: number;
}

/**
 * One-time window. The fields are a wall-clock time in the window's scheduleTimezone (UTC without
 * one): the SSM reference's CLI example pairs at(...) with --schedule-timezone.
 */
export interface AtSchedule {
    kind: "at";
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
}

export type Schedule = CronSchedule | RateSchedule | AtSchedule;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Problems with an SSM maintenance-window schedule expression; [] when valid. Each message says
 * what is wrong and what to write instead, without the config key (the caller prefixes it).
 */
export function checkSchedule(expression: string): string[] {
    return analyse(expression).problems;
}

/**
 * A 7-field cron (a leading seconds field, 0–59, which maintenance windows accept: SSM user guide,
 * "Reference: Cron and rate expressions", `cron(24 30 09 ? * * *)` is 9:30:24 every day) as the
 * 6-field cron of the same minute; any other expression as it is. The seconds move a start by less
 * than a minute, which nothing here measures.
 */
export function withoutSeconds(expression: string): string {
    const m = /^\s*cron\((.*)\)\s*$/.exec(expression);
    if (!m) return expression;
    const fields = m[1].trim().split(/\s+/);
    // One second, 0–59, a leading zero allowed as in the minute field ("00"); a list, range or step of seconds would
    // start the window several times a minute, faster than SSM's five minutes: left for checkSchedule to refuse.
    if (fields.length !== 7 || !/^[0-5]?[0-9]$/.test(fields[0])) return expression;
    return `cron(${fields.slice(1).join(" ")})`;
}

/** The parsed schedule; throws an Error listing every problem when the expression is invalid. */
export function parseSchedule(expression: string): Schedule {
    const { schedule, problems } = analyse(expression);
    if (!schedule || problems.length > 0) {
        throw new Error(`invalid schedule ${JSON.stringify(expression)}: ${problems.join("; ")}`);
    }
    return schedule;
}

/** Problems with an IANA timezone name ([] when valid). */
export function checkTimezone(timezone: string): string[] {
    // Every schedule computation checks its zone, and a zone's check builds an Intl formatter:
    // remember the answer (a bounded memo, as a property test may try thousands of strings).
    if (typeof timezone === "string") {
        const known = timezoneChecks.get(timezone);
        if (known) return [...known];
        if (timezoneChecks.size >= 1000) timezoneChecks.clear();
        const problems = checkTimezoneUncached(timezone);
        timezoneChecks.set(timezone, problems);
        return [...problems];
    }
    return checkTimezoneUncached(timezone);
}

const timezoneChecks = new Map<string, readonly string[]>();

/**
 * The names Intl lists (`Intl.supportedValuesOf`, each spelled as in the tz database), and UTC:
 * valid as written. Listing them takes about 2 ms; the first Intl.DateTimeFormat of a process, which
 * the check below builds, 15-25 ms of ICU's date formatting set-up.
 */
let listedZones: ReadonlySet<string> | undefined;

function checkTimezoneUncached(timezone: string): string[] {
    listedZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
    return listedZones.has(timezone) ? [] : timezoneProblemsThroughIntl(timezone);
}

/** `checkTimezone` through an Intl.DateTimeFormat of the zone, for names Intl does not list (and the tests). */
export function timezoneProblemsThroughIntl(timezone: string): string[] {
    if (typeof timezone !== "string" || timezone.trim() === "") {
        return ['the timezone is empty: write an IANA name such as "Europe/Amsterdam" or "UTC"'];
    }
    if (timezone !== timezone.trim()) {
        return [`the timezone ${JSON.stringify(timezone)} has spaces around it: write ${JSON.stringify(timezone.trim())}`];
    }
    let resolved: string;
    try {
        resolved = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
    } catch {
        const offsetLike = /^(UTC|GMT)?\s*[+-]\d{1,2}(:?\d{2})?$/i.test(timezone);
        return [
            `${JSON.stringify(timezone)} is not an IANA timezone name` +
                (offsetLike
                    ? ': SSM takes a zone name, not a UTC offset, so that DST is followed; write e.g. "Europe/Amsterdam", or "UTC"'
                    : ': write a name from the tz database, e.g. "Europe/Amsterdam", "America/New_York" or "UTC"'),
        ];
    }
    // Intl matches names case-insensitively; SSM documents the tz database spelling, so hold to it.
    const wrongCase =
        (timezone !== resolved && timezone.toLowerCase() === resolved.toLowerCase()) ||
        timezone.split("/").some((part) => !/^[A-Z]/.test(part));
    if (wrongCase) {
        return [
            `the timezone ${JSON.stringify(timezone)} is not spelled as in the tz database (names are case-sensitive): write ${JSON.stringify(tzSpelling(timezone, resolved))}`,
        ];
    }
    return [];
}

/** The tz database spelling of a name Intl accepted in another case. */
function tzSpelling(timezone: string, resolved: string): string {
    const lower = timezone.toLowerCase();
    const listed = Intl.supportedValuesOf("timeZone").find((name) => name.toLowerCase() === lower);
    if (listed) return listed;
    if (resolved.toLowerCase() === lower) return resolved;
    // ICU resolves some names to older aliases (asia/kolkata -> Asia/Calcutta); keep the asked-for name.
    const titled = timezone.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: titled });
        return titled;
    } catch {
        return resolved;
    }
}

/** Problems with a scheduleOffset for this schedule, as the schedule functions throw them. */
function offsetProblems(offset: number | undefined, expression: string): string[] {
    return scheduleOffsetProblems(offset, expression).map((problem) => `scheduleOffset ${offset} ${problem}`);
}

/**
 * Next `count` window start instants strictly after `from`.
 *
 * - cron: evaluated in `timezone` (DST included). `scheduleOffset` adds calendar days after each
 *   cron match and keeps the local wall time, as SSM does ("won't run until 11:30 PM two days
 *   later"). SSM also skips the first period when a window is *created* after the cron match but
 *   before the offset start; this function answers for a window that already exists at `from`.
 * - rate: SSM counts from the window's creation (or start date); here `from` stands for that
 *   moment, so starts are `from + k * interval`, k >= 1, in absolute time.
 * - at: the one instant (a wall-clock time in `timezone`) if it is after `from`.
 *
 * A local time that a DST change skips does not exist; SSM does not document what it does then,
 * so this follows croner's fixed-time rule: the window starts at the first valid time after the
 * gap (02:30 on a spring-forward night in Europe/Amsterdam starts at 03:00 CEST), when that is
 * still the same local date; a gap that ends on the next date (America/Nuuk at 23:00 on 28 March
 * 2026) has no start that date. A time that occurs twice (fall back) starts once, at the first
 * occurrence. With a scheduleOffset, a shifted date whose wall time falls in such a gap has no
 * start either (the series goes on after it).
 *
 * Throws on an invalid expression, timezone, offset or count.
 */
export function nextStarts(expression: string, opts: { timezone: string; scheduleOffset?: number; from: Date; count: number }): Date[] {
    return startsOf(expression, opts, keptCronStarts, localTimeToInstant);
}

/**
 * nextStarts as it was computed before the cheap path for zones (croner converting through Intl
 * at every step of its search, nothing kept): the same answers, slowly. The tests compare the two.
 */
export function nextStartsReference(
    expression: string,
    opts: { timezone: string; scheduleOffset?: number; from: Date; count: number },
): Date[] {
    return startsOf(
        expression,
        opts,
        (_expression, schedule, timezone, offset, from, count) => cronerCronStarts(schedule, timezone, offset, from, count),
        cronerLocalTimeToInstant,
    );
}

type CronStarts = (expression: string, schedule: CronSchedule, timezone: string, offset: number, from: Date, count: number) => Date[];

/** A wall-clock date and time's instant in a zone (see nextStarts), or a throw where it has none. */
type LocalInstant = (t: WallTime, timezone: string) => Date;

function startsOf(
    expression: string,
    opts: { timezone: string; scheduleOffset?: number; from: Date; count: number },
    cronStarts: CronStarts,
    localInstant: LocalInstant,
): Date[] {
    const schedule = parseSchedule(expression);
    const problems = [...checkTimezone(opts.timezone), ...offsetProblems(opts.scheduleOffset, expression)];
    if (!Number.isInteger(opts.count) || opts.count < 0) problems.push(`count ${opts.count} must be a whole number >= 0`);
    if (!(opts.from instanceof Date) || Number.isNaN(opts.from.getTime())) problems.push("from must be a valid Date");
    if (problems.length > 0) throw new Error(problems.join("; "));
    if (opts.count === 0) return [];

    const from = opts.from;
    switch (schedule.kind) {
        case "rate":
            return Array.from({ length: opts.count }, (_, k) => new Date(from.getTime() + (k + 1) * schedule.intervalMs));
        case "at": {
            const start = localInstant(schedule, opts.timezone);
            return start.getTime() > from.getTime() ? [start] : [];
        }
        case "cron":
            return cronStarts(expression, schedule, opts.timezone, opts.scheduleOffset ?? 0, from, opts.count);
    }
}

/**
 * A cron's starts are one fixed sequence, so the last answer for a schedule also answers a question
 * from a later instant while it still holds `count` starts after that instant: the config checks
 * ask for the next starts after now of the same schedules at every parse.
 */
function keptCronStarts(expression: string, schedule: CronSchedule, timezone: string, offset: number, from: Date, count: number): Date[] {
    const key = JSON.stringify([expression, timezone, offset]);
    const last = LAST_STARTS.get(key);
    const t = from.getTime();
    if (last !== undefined && t >= last.from) {
        const later = last.starts.filter((s) => s > t);
        if (later.length >= count) return later.slice(0, count).map((s) => new Date(s));
    }
    const starts = nextCronStarts(schedule, timezone, offset, from, count);
    LAST_STARTS.delete(key);
    if (LAST_STARTS.size >= KEPT_MAX) LAST_STARTS.delete(LAST_STARTS.keys().next().value as string);
    LAST_STARTS.set(key, { from: t, starts: starts.map((d) => d.getTime()) });
    return starts;
}

/** The last answer of nextStarts for each cron schedule (expression, zone, offset). */
const LAST_STARTS = new Map<string, { from: number; starts: number[] }>();

/**
 * Every start after `from` and before `until`, at most `limit` of them. Fetched in growing
 * chunks: a monthly window over a year costs a dozen starts, not `limit` (croner's cost is per
 * start computed).
 */
export function startsBetween(
    expression: string,
    opts: { timezone: string; scheduleOffset?: number; from: Date; until: Date; limit: number },
): Date[] {
    if (!CRON_EXPRESSION.test(expression)) return startsBetweenUncached(expression, opts);
    // A cron's starts are one fixed sequence whatever `from` is, so every start in a span of whole
    // UTC days around [from, until) is kept, and a later question over other days extends that span
    // instead of starting again: the program, the policies, the calendar and the checks ask for the
    // same windows over overlapping years (a year from Jan 1, a year from --from, 90 days, 485 days).
    const from = opts.from.getTime();
    const until = opts.until.getTime();
    if (Number.isNaN(from) || Number.isNaN(until) || !Number.isInteger(opts.limit) || opts.limit < 0) {
        return startsBetweenUncached(expression, opts);
    }
    // Every start t with low < t < high.
    const low = Math.floor(from / DAY_MS) * DAY_MS - 1;
    const high = Math.ceil(until / DAY_MS) * DAY_MS;
    const limit = opts.limit + DAY_SLACK;
    const key = JSON.stringify([expression, opts.timezone, opts.scheduleOffset]);
    const between = (after: number, before: number) =>
        startsBetweenUncached(expression, { ...opts, from: new Date(after), until: new Date(before), limit }).map((d) => d.getTime());
    let kept = KEPT.get(key);
    if (kept === undefined || low > kept.high || high < kept.low) {
        const starts = between(low, high);
        // At `limit` the list may stop short of `high`: not kept, and asked directly when the part before `from` used it up.
        if (starts.length === limit) {
            const inside = starts.filter((t) => t > from && t < until).slice(0, opts.limit);
            return inside.length < opts.limit ? startsBetweenUncached(expression, opts) : inside.map((t) => new Date(t));
        }
        kept = { low, high, starts };
    } else if (low < kept.low || high > kept.high) {
        // The kept span grows by the starts just before it (low < t <= kept.low) and just after it (kept.high <= t < high).
        const before = low < kept.low ? between(low, kept.low + 1) : [];
        const after = high > kept.high ? between(kept.high - 1, high) : [];
        if (before.length === limit || after.length === limit) return startsBetweenUncached(expression, opts);
        kept = { low: Math.min(low, kept.low), high: Math.max(high, kept.high), starts: [...before, ...kept.starts, ...after] };
    }
    KEPT.delete(key);
    if (KEPT.size >= KEPT_MAX) KEPT.delete(KEPT.keys().next().value as string);
    KEPT.set(key, kept);
    const inside: Date[] = [];
    for (const t of kept.starts) {
        if (inside.length === opts.limit || t >= until) break;
        if (t > from) inside.push(new Date(t));
    }
    return inside;
}

const CRON_EXPRESSION = /^\s*cron\(/;
/** Starts asked for beyond the limit, for the part of the first day before `from`. */
const DAY_SLACK = 64;
/** Every start of a schedule (expression, zone, offset) in a span of whole days (the least recently used goes first). */
const KEPT = new Map<string, { low: number; high: number; starts: number[] }>();
const KEPT_MAX = 256;

function startsBetweenUncached(
    expression: string,
    opts: { timezone: string; scheduleOffset?: number; from: Date; until: Date; limit: number },
): Date[] {
    const until = opts.until instanceof Date ? opts.until.getTime() : NaN;
    if (CRON_EXPRESSION.test(expression) && Number.isInteger(opts.limit) && opts.limit > 0 && !Number.isNaN(until)) {
        // One pass that stops at `until`: chunks of nextStarts compute up to 256 starts past it.
        return startsOf(
            expression,
            { ...opts, count: opts.limit },
            (_expression, schedule, timezone, offset, from, count) => nextCronStarts(schedule, timezone, offset, from, count, until),
            localTimeToInstant,
        );
    }
    const out: Date[] = [];
    let cursor = opts.from;
    for (let chunk = 4; out.length < opts.limit; chunk = Math.min(chunk * 4, 256)) {
        const want = Math.min(chunk, opts.limit - out.length);
        const starts = nextStarts(expression, { timezone: opts.timezone, scheduleOffset: opts.scheduleOffset, from: cursor, count: want });
        for (const start of starts) {
            if (start.getTime() >= opts.until.getTime()) return out;
            out.push(start);
        }
        if (starts.length < want) return out;
        cursor = starts[starts.length - 1];
    }
    return out;
}

/**
 * Plain words, e.g. "at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours"
 * or "at 22:00 Monday through Friday, UTC, for 5 hours (no new tasks in the last hour)".
 * Throws on an invalid expression.
 */
export function describeSchedule(
    expression: string,
    opts: { timezone: string; durationHours: number; cutoffHours?: number; scheduleOffset?: number },
): string {
    const schedule = parseSchedule(expression);
    const problems = offsetProblems(opts.scheduleOffset, expression);
    if (problems.length > 0) throw new Error(problems.join("; "));

    let when: string;
    switch (schedule.kind) {
        case "cron":
            when = describeCron(schedule, opts.scheduleOffset);
            break;
        case "rate":
            when = `${schedule.value === 1 ? `every ${schedule.unit}` : `every ${schedule.value} ${schedule.unit}s`}, counted from when the window is created`;
            break;
        case "at":
            when = `once, at ${hhmm(schedule.hour, schedule.minute, schedule.second)} on ${schedule.day} ${MONTH_NAMES[schedule.month - 1]} ${schedule.year}`;
            break;
    }
    const cutoff = opts.cutoffHours ?? 0;
    const cutoffWords = cutoff > 0 ? ` (no new tasks in the last ${plural(cutoff, "hour", true)})` : "";
    return `${when}, ${opts.timezone}, for ${plural(opts.durationHours, "hour")}${cutoffWords}`;
}

/**
 * "N days after Patch Tuesday at HH:MM". Patch Tuesday is the second Tuesday of the month
 * (TUE#2); SSM expresses "N days after" as scheduleOffset, which it only takes as 1-6. Whole
 * weeks move to the weekday number instead: the third and fourth Tuesday are always exactly 7 and
 * 14 days after the second, so 0-20 days are exact (21 would need TUE#5, which most months lack).
 */
export function patchTuesdayPlus(days: number, time: string): { cron: string; scheduleOffset?: number } {
    if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS_AFTER_PATCH_TUESDAY) {
        throw new Error(
            `patchTuesdayPlus: days must be a whole number from 0 to ${MAX_DAYS_AFTER_PATCH_TUESDAY} (the fourth Tuesday plus SSM's 6-day scheduleOffset), got ${days}`,
        );
    }
    const match = TIME_OF_DAY.exec(time);
    if (!match) {
        throw new Error(`patchTuesdayPlus: time must be HH:MM on a 24-hour clock, e.g. "23:00", got ${JSON.stringify(time)}`);
    }
    const tuesday = 2 + Math.floor(days / 7);
    const offset = days % 7;
    const cron = `cron(${Number(match[2])} ${Number(match[1])} ? * TUE#${tuesday} *)`;
    return offset === 0 ? { cron } : { cron, scheduleOffset: offset };
}

export const MAX_DAYS_AFTER_PATCH_TUESDAY = 20;
/** HH:MM on a 24-hour clock. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

// ---------------------------------------------------------------------------------------------
// Evaluation (croner)
// ---------------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;

/** A day-of-month rule as a cron field: `any` and a day list as the dialect writes them, the rest as AWS and croner share them. */
function dayOfMonthField(rule: DayOfMonthRule, any: string, days: (days: number[]) => string): string {
    switch (rule.kind) {
        case "any":
            return any;
        case "days":
            return days(rule.days);
        case "last":
            return "L";
        case "lastWeekday":
            return "LW";
        case "nearestWeekday":
            return `${rule.day}W`;
    }
}

/**
 * The croner pattern with the same meaning as the AWS cron. Fields are handed over as explicit
 * lists because croner reads AWS's start/step form (`0/15`, `1/10`) differently (it refuses it
 * unless `sloppyRanges`), and `?` becomes `*`, which croner treats alike when the other day
 * field names the days.
 */
export function toCronerPattern(schedule: CronSchedule): string {
    const dom = dayOfMonthField(schedule.dayOfMonth, "*", (days) => days.join(","));
    const dow = ((): string => {
        const rule = schedule.dayOfWeek;
        switch (rule.kind) {
            case "any":
                return "*";
            case "days":
                return rule.days.join(",");
            case "last":
                return `${rule.day}#L`;
            case "nth":
                return `${rule.day}#${rule.nth}`;
        }
    })();
    const months = schedule.months.length === 12 ? "*" : schedule.months.join(",");
    const years = schedule.years === "any" ? "*" : schedule.years.join(",");
    return `0 ${schedule.minute} ${schedule.hour} ${dom} ${months} ${dow} ${years}`;
}

function cronerFor(pattern: string, timezone: string): Cron {
    // alternativeWeekdays: AWS numbers days 1-7 from Sunday (Quartz); croner's default is 0-6.
    // UTC as croner's fixed offset 0: the same instants (UTC has no DST), without croner's Intl
    // conversion at every step of its search (a quarter of the time for a year of a daily cron).
    const zone = timezone === "UTC" ? { utcOffset: 0 } : { timezone };
    return new Cron(pattern, { ...zone, mode: "7-part", alternativeWeekdays: true, paused: true });
}

/**
 * The instants the cheap path answers from: from 1970 (the offsets' sampling, zone.ts) to the last
 * year a cron names (2199).
 */
const ZONED_FROM = Date.UTC(1970, 0, 2);
const ZONED_UNTIL = Date.UTC(2200, 0, 1);

/** The first `count` starts after `from`, and before `until` when given. */
function nextCronStarts(schedule: CronSchedule, timezone: string, offsetDays: number, from: Date, count: number, until = Infinity): Date[] {
    const t = from.getTime();
    if (t < ZONED_FROM || t >= ZONED_UNTIL) {
        return cronerCronStarts(schedule, timezone, offsetDays, from, count).filter((start) => start.getTime() < until);
    }
    return zonedCronStarts(schedule, zoneOffsets(timezone), offsetDays, t, count, until).map((start) => new Date(start));
}

/**
 * Starts without croner's Intl conversion at every step of its search (most of the time of a year
 * of starts in Europe/Amsterdam): croner at the fixed offset 0 lists the cron's wall-clock times,
 * and the zone's offsets, found once per zone and year (zone.ts), turn each into the instant
 * croner's conversion gives, DST gaps and repeats included. The same instants as cronerCronStarts
 * (a property test compares them); UTC's offsets are 0, so there croner's times are the starts.
 */
function zonedCronStarts(
    schedule: CronSchedule,
    zone: ZoneOffsets,
    offsetDays: number,
    from: number,
    count: number,
    until: number,
): number[] {
    // croner at offset 0, made only when the days cannot be walked (building one parses its
    // pattern: about 0.25 ms, for each schedule of a plan).
    let made: Cron | undefined;
    const job = () => (made ??= wallClockJob(toCronerPattern(schedule)));
    const starts: number[] = [];
    const fixed = zone.fixed;
    if (offsetDays === 0 && fixed !== undefined && everyDay(schedule)) {
        // Every day at one wall time in a zone of one offset (a daily compliance scan in UTC): the
        // starts walkDays and startAt give, one a day, counted (a year of them is 366 steps of the
        // general search otherwise, in code a plan runs once).
        const time = schedule.hour * 3_600_000 + schedule.minute * 60_000;
        const earliest = Math.floor((from + fixed) / 1000) * 1000 + 1000;
        let day = Math.floor(earliest / DAY_MS);
        if (day * DAY_MS + time < earliest) day++;
        // croner stops at year 3000 (walkDays too).
        for (; starts.length < count && day < YEAR_3000_DAY; day++) {
            const start = day * DAY_MS + time - fixed;
            if (start >= until) break;
            starts.push(start);
        }
        return starts;
    }
    if (offsetDays === 0) {
        for (const start of wallClockStarts(schedule, job, zone, from)) {
            if (start >= until) break;
            starts.push(start);
            if (starts.length === count) break;
        }
        return starts;
    }
    // As in cronerCronStarts: calendar days added to each match's local date, at the cron's wall time,
    // from matches early enough to catch those before `from` whose shifted start falls after it.
    for (const match of wallClockStarts(schedule, job, zone, from - (offsetDays + 1) * DAY_MS)) {
        const day = (Math.floor(zone.wallAt(match) / DAY_MS) + offsetDays) * DAY_MS;
        // localTimeToInstant's search starts two days before the date.
        const start = zone.startAt(day + schedule.hour * 3_600_000 + schedule.minute * 60_000, day - 2 * DAY_MS);
        // A shifted date whose wall time a DST gap skips to the next date: no start that date (see nextStarts).
        if (start === undefined) continue;
        if (start >= until) break;
        if (start > from) starts.push(start);
        if (starts.length === count) break;
    }
    return starts;
}

/** The first day (days since 1970-01-01) of year 3000, where croner's search ends. */
const YEAR_3000_DAY = Date.UTC(3000, 0, 1) / DAY_MS;

/** Whether a cron matches every day: no day of the month or week, every month, any year. */
function everyDay(schedule: CronSchedule): boolean {
    return (
        schedule.dayOfMonth.kind === "any" && schedule.dayOfWeek.kind === "any" && schedule.months.length === 12 && schedule.years === "any"
    );
}

/** croner at offset 0 for a pattern, kept: its search from a given instant keeps no state. */
export function wallClockJob(pattern: string): Cron {
    let job = WALL_CLOCK_JOBS.get(pattern);
    if (!job) {
        if (WALL_CLOCK_JOBS.size >= KEPT_MAX) WALL_CLOCK_JOBS.clear();
        job = cronerFor(pattern, "UTC");
        WALL_CLOCK_JOBS.set(pattern, job);
    }
    return job;
}

const WALL_CLOCK_JOBS = new Map<string, Cron>();

/**
 * The starts after `from` of a job at offset 0 whose times are read as wall-clock times in `zone`,
 * one at a time. croner's search in a zone walks the wall-clock times after `from`'s and takes the
 * first whose instant is after the last start (its `_walk` and `_runAt`); so does this.
 */
function* wallClockStarts(schedule: CronSchedule, job: Cron | (() => Cron), zone: ZoneOffsets, from: number): Generator<number> {
    let after = from;
    let wall = nextWallClock(schedule, job, from + zone.offsetAt(from));
    for (; wall !== null; wall = nextWallClock(schedule, job, wall)) {
        const start = zone.startAt(wall, after);
        if (start === undefined) continue;
        after = start;
        yield start;
    }
}

/**
 * croner's `nextRun` at offset 0 (the first match at least a whole second after `after`'s second),
 * found by walking the days when the schedule's day rules are ones whose matching days are plain
 * to tell (any, a list of days, the last day, a list of weekdays, the nth or last of a weekday):
 * croner builds and searches date objects field by field, about 0.1 ms a start. Other rules
 * (`W`, `LW`), and a search that finds nothing within five years, are croner's: `job` (croner at
 * offset 0 for the schedule's pattern), or a function that makes it, called only then.
 * tests/ssm/schedule.test.ts compares the two over random schedules and instants.
 */
export function nextWallClock(schedule: CronSchedule, job: Cron | (() => Cron), after: number): number | null {
    const walked = walkDays(schedule, after);
    if (walked !== undefined) return walked;
    const next = (typeof job === "function" ? job() : job).nextRun(new Date(after));
    return next === null ? null : next.getTime();
}

const WALK_DAYS = 5 * 366;

function walkDays(schedule: CronSchedule, after: number): number | undefined {
    const dom = schedule.dayOfMonth;
    const dow = schedule.dayOfWeek;
    if (dom.kind !== "any" && dom.kind !== "days" && dom.kind !== "last") return undefined;
    // Both day fields restricted: croner would take either (its legacy OR); the AWS dialect has one `?`.
    if (dom.kind !== "any" && dow.kind !== "any") return undefined;
    const time = schedule.hour * 3_600_000 + schedule.minute * 60_000;
    // croner starts at the second after `after`'s, so a match in `after`'s own second is not next.
    const earliest = Math.floor(after / 1000) * 1000 + 1000;
    let day = Math.floor(earliest / DAY_MS);
    if (day * DAY_MS + time < earliest) day++;
    // The first day's date once; each next day's by counting (no Date a day: this runs for every start).
    const first = new Date(day * DAY_MS);
    let year = first.getUTCFullYear();
    let month = first.getUTCMonth() + 1;
    let date = first.getUTCDate();
    let weekday = first.getUTCDay() + 1; // AWS numbering, 1 = SUN
    let monthDays = daysInMonth(year, month);
    for (let i = 0; i < WALK_DAYS; i++, day++) {
        if (i > 0) {
            weekday = weekday === 7 ? 1 : weekday + 1;
            if (++date > monthDays) {
                date = 1;
                if (++month > 12) {
                    month = 1;
                    year++;
                }
                monthDays = daysInMonth(year, month);
            }
        }
        // croner stops at year 3000 for `*`: its answer there.
        if (year >= 3000) return undefined;
        if (schedule.years !== "any" && !schedule.years.includes(year)) continue;
        if (!schedule.months.includes(month)) continue;
        if (dom.kind === "days" && !dom.days.includes(date)) continue;
        if (dom.kind === "last" && date !== monthDays) continue;
        if (dow.kind === "days" && !dow.days.includes(weekday)) continue;
        if (dow.kind === "nth" && (weekday !== dow.day || Math.ceil(date / 7) !== dow.nth)) continue;
        if (dow.kind === "last" && (weekday !== dow.day || date + 7 <= monthDays)) continue;
        return day * DAY_MS + time;
    }
    return undefined;
}

/** The days of a month of the proleptic Gregorian calendar (month 1-12). */
function daysInMonth(year: number, month: number): number {
    if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Starts through croner's own conversion in the zone (the reference for the cheap path, and UTC's path). */
function cronerCronStarts(schedule: CronSchedule, timezone: string, offsetDays: number, from: Date, count: number): Date[] {
    const job = cronerFor(toCronerPattern(schedule), timezone);
    if (offsetDays === 0) return job.nextRuns(count, from);

    // croner's own dayOffset adds offset * 24 h of absolute time, so in a week with a DST change
    // the window would move by an hour; SSM keeps the wall time. Shift calendar days instead, and
    // start early enough to catch matches before `from` whose shifted start falls after it.
    // The cron has one wall time, so at most one match a day: count + offsetDays + 2 matches hold
    // `count` starts unless a shifted date has no such time (a DST gap into the next date), when
    // the search goes on past it.
    const batch = count + offsetDays + 2;
    const starts: Date[] = [];
    let cursor = new Date(from.getTime() - (offsetDays + 1) * DAY_MS);
    for (;;) {
        const matches = job.nextRuns(batch, cursor);
        for (const match of matches) {
            const local = localDateParts(match, timezone);
            const shifted = new Date(Date.UTC(local.year, local.month - 1, local.day + offsetDays));
            const start = wallTimeInstant(
                {
                    year: shifted.getUTCFullYear(),
                    month: shifted.getUTCMonth() + 1,
                    day: shifted.getUTCDate(),
                    hour: schedule.hour,
                    minute: schedule.minute,
                    second: 0,
                },
                timezone,
            );
            if (start !== undefined && start.getTime() > from.getTime()) starts.push(start);
            if (starts.length === count) return starts;
        }
        if (matches.length < batch) return starts;
        cursor = matches[matches.length - 1];
    }
}

/** A wall-clock date and time, as an at() schedule's fields name it. */
type WallTime = Omit<AtSchedule, "kind">;

/**
 * The instant of a wall-clock time in a zone, with croner's DST rules (see nextStarts): read from
 * the zone's offsets (zone.ts `startAt`, croner's fixed-time rules, found once a zone or
 * remembered) for a valid date and time in the years they cover, by croner's own conversion
 * (several Intl calls) otherwise.
 */
function localTimeToInstant(t: WallTime, timezone: string): Date {
    const day = Date.UTC(t.year, t.month - 1, t.day);
    const date = new Date(day);
    const valid =
        date.getUTCDate() === t.day &&
        date.getUTCMonth() === t.month - 1 &&
        t.hour >= 0 &&
        t.hour < 24 &&
        t.minute >= 0 &&
        t.minute < 60 &&
        t.second >= 0 &&
        t.second < 60;
    if (!valid || day - 2 * DAY_MS < ZONED_FROM || day >= ZONED_UNTIL) return cronerLocalTimeToInstant(t, timezone);
    // croner's search for the fixed time starts two days before the date (wallTimeInstant).
    const start = zoneOffsets(timezone).startAt(day + t.hour * 3_600_000 + t.minute * 60_000 + t.second * 1000, day - 2 * DAY_MS);
    if (start === undefined) throw new Error(`no instant for ${JSON.stringify(t)} in ${timezone}`);
    return new Date(start);
}

/** localTimeToInstant by croner's own conversion in the zone (the reference, and outside the offsets' years). */
function cronerLocalTimeToInstant(t: WallTime, timezone: string): Date {
    const run = wallTimeInstant(t, timezone);
    if (!run) throw new Error(`no instant for ${JSON.stringify(t)} in ${timezone}`);
    return run;
}

/** The instant of a wall-clock time through croner, undefined for a time a DST gap moves into the next date. */
function wallTimeInstant(t: WallTime, timezone: string): Date | undefined {
    const job = cronerFor(`${t.second} ${t.minute} ${t.hour} ${t.day} ${t.month} * ${t.year}`, timezone);
    // Every zone is within ±14 h of UTC, so two days before the date's UTC midnight is early enough.
    return job.nextRun(new Date(Date.UTC(t.year, t.month - 1, t.day) - 2 * DAY_MS)) ?? undefined;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function localDateParts(instant: Date, timezone: string): { year: number; month: number; day: number } {
    let formatter = dateFormatters.get(timezone);
    if (!formatter) {
        formatter = new Intl.DateTimeFormat("en-US", { timeZone: timezone, year: "numeric", month: "numeric", day: "numeric" });
        dateFormatters.set(timezone, formatter);
    }
    const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
    return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

// ---------------------------------------------------------------------------------------------
// Description (cronstrue, with its wording fixed up)
// ---------------------------------------------------------------------------------------------

const MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTH_ABBR = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/** AWS day-of-week numbering: index + 1 (SUN = 1 ... SAT = 7). */
const DAY_ABBR = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function describeCron(schedule: CronSchedule, offsetDays: number | undefined): string {
    let days = describeDays(schedule);
    if (schedule.dayOfWeek.kind === "nth" && schedule.dayOfWeek.day === 3 && schedule.dayOfWeek.nth === 2) {
        days += " (Patch Tuesday)";
    }
    const time = hhmm(schedule.hour, schedule.minute);
    if (!offsetDays) return `at ${time} ${days}`;
    // "on the first Tuesday ..." -> "2 days after the first Tuesday ..."
    const target = /^on (the |day )/.test(days) ? days.slice(3) : /^every /.test(days) ? days : `each ${days}`;
    return `at ${time}, ${plural(offsetDays, "day")} after ${target}`;
}

/** The day part, e.g. "on the first Tuesday of every month", "Monday through Friday", "every day". */
function describeDays(schedule: CronSchedule): string {
    const { dayOfMonth: dom, dayOfWeek: dow } = schedule;
    const domField = dayOfMonthField(dom, dow.kind === "any" ? "*" : "?", (days) => compressRuns(days, (n) => String(n)));
    const dowField = ((): string => {
        switch (dow.kind) {
            case "any":
                return "?";
            // Monday first, so a weekend reads "Saturday and Sunday".
            case "days": {
                const mondayFirst = dow.days.map((d) => (d + 5) % 7).sort((a, b) => a - b);
                return compressRuns(mondayFirst, (i) => DAY_ABBR[(i + 1) % 7], 5);
            }
            case "last":
                return `${DAY_ABBR[dow.day - 1]}L`;
            case "nth":
                return `${DAY_ABBR[dow.day - 1]}#${dow.nth}`;
        }
    })();
    const everyMonth = schedule.months.length === 12;
    const monthField = everyMonth ? "*" : compressRuns(schedule.months, (m) => MONTH_ABBR[m - 1]);
    // Years are described here: cronstrue prints "2026 through 9999" for a year step.
    let words = cronWords(`0 0 0 ${domField} ${monthField} ${dowField} *`);
    words = words.replace(/^At 00:00,? ?/, "");
    if (words === "") words = "every day";
    if (everyMonth) {
        words = words.replace(/ of the month/, " of every month");
    } else if (schedule.months.length === 1 && / of the month/.test(words)) {
        words = words.replace(/ of the month/, ` of ${MONTH_NAMES[schedule.months[0] - 1]}`).replace(/, only in \w+$/, "");
    }
    words = words
        .replace(/^only on /, "every ")
        .replace(/, only in /, ", in ")
        .replace(/^only in /, "every day in ");
    const years = describeYears(schedule.years);
    return years ? `${words}, ${years}` : words;
}

/**
 * cronstrue's words for a cron of the day fields: the same few crons are described for every
 * region's windows, the plan's and the calendar's, and each description runs cronstrue's many
 * regular expressions (a bounded memo, as a property test may try thousands of crons).
 */
function cronWords(cron: string): string {
    const known = CRON_WORDS.get(cron);
    if (known !== undefined) return known;
    const words = cronToWords(cron, { dayOfWeekStartIndexZero: false, use24HourTimeFormat: true, throwExceptionOnParseError: true });
    if (CRON_WORDS.size >= 1000) CRON_WORDS.clear();
    CRON_WORDS.set(cron, words);
    return words;
}

const CRON_WORDS = new Map<string, string>();

function describeYears(years: number[] | "any"): string {
    if (years === "any") return "";
    if (years.length === 1) return `in ${years[0]}`;
    const step = years[1] - years[0];
    const progression = years.every((y, i) => i === 0 || y - years[i - 1] === step);
    const first = years[0];
    const last = years[years.length - 1];
    if (progression && step === 1) return `in ${first} through ${last}`;
    if (years.length <= 4) return `in ${years.slice(0, -1).join(", ")} and ${last}`;
    if (progression) return `every ${step} years from ${first} through ${last}`;
    return `in ${years.length} selected years from ${first} through ${last}`;
}

/** Sorted values as a cron list with runs of three or more as ranges (runs never pass `maxIndex`). */
function compressRuns(values: number[], name: (n: number) => string, maxIndex = Infinity): string {
    const parts: string[] = [];
    for (let i = 0; i < values.length;) {
        let j = i;
        while (j + 1 < values.length && values[j + 1] === values[j] + 1 && values[j + 1] <= maxIndex) j++;
        if (j - i >= 2) parts.push(`${name(values[i])}-${name(values[j])}`);
        else for (let k = i; k <= j; k++) parts.push(name(values[k]));
        i = j + 1;
    }
    return parts.join(",");
}

function hhmm(hour: number, minute: number, second = 0): string {
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${pad(hour)}:${pad(minute)}${second ? `:${pad(second)}` : ""}`;
}

/** "5 hours", "1 hour"; with `bare`, "hour" for 1 ("the last hour"). */
function plural(n: number, unit: string, bare = false): string {
    if (n === 1) return bare ? unit : `1 ${unit}`;
    return `${n} ${unit}s`;
}

// ---------------------------------------------------------------------------------------------
// Validation and parsing of the AWS dialect
// ---------------------------------------------------------------------------------------------

interface Analysis {
    schedule?: Schedule;
    problems: string[];
}

const FORMS = "cron(Minutes Hours Day-of-month Month Day-of-week Year), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)";
const EXAMPLE = "cron(0 22 ? * MON-FRI *)";
const SIX_FIELDS = "Minutes Hours Day-of-month Month Day-of-week Year";

function analyse(expression: string, suggest = true): Analysis {
    if (typeof expression !== "string" || expression.trim() === "") {
        return { problems: [`the schedule is empty: write ${FORMS}, e.g. ${EXAMPLE}`] };
    }
    if (expression.length > 256) {
        return { problems: [`the schedule is ${expression.length} characters long; SSM takes at most 256`] };
    }
    if (expression !== expression.trim()) {
        return { problems: [`the schedule has spaces around it: write ${JSON.stringify(expression.trim())}`] };
    }
    const wrapped = /^([A-Za-z]+)\s*\(([\s\S]*)\)$/.exec(expression);
    if (wrapped) {
        const [, word, inner] = wrapped;
        const lower = word.toLowerCase();
        if ((lower === "cron" || lower === "rate" || lower === "at") && (word !== lower || expression[word.length] !== "(")) {
            return { problems: [`write ${lower}(...) in lower case with no space before "(": ${lower}(${inner})`] };
        }
        if (word === "cron") return analyseCron(inner, suggest);
        if (word === "rate") return analyseRate(inner);
        if (word === "at") return analyseAt(inner);
        return { problems: [`"${word}(...)" is not a schedule form SSM knows: write ${FORMS}`] };
    }
    const opened = /^(cron|rate|at)\(([^)]*)$/.exec(expression);
    if (opened) {
        return { problems: [`the closing ")" is missing: write ${opened[1]}(${opened[2].trim()})`] };
    }
    // Bare cron fields: tell what the wrapped expression would be, and what else is wrong with it.
    const tokens = expression.split(/\s+/);
    if (tokens.length >= 5 && tokens.length <= 7 && tokens.every((t) => /^[0-9A-Za-z*?,\-/#]+$/.test(t))) {
        const inner = analyseCron(expression, suggest);
        const suggestion = inner.problems.length === 0 ? `write cron(${expression})` : "wrap it in cron(...)";
        return { problems: [`the schedule has no cron(...) around it: ${suggestion}`, ...inner.problems] };
    }
    return { problems: [`${JSON.stringify(expression)} is not a schedule expression: write ${FORMS}, e.g. ${EXAMPLE}`] };
}

// --- rate ------------------------------------------------------------------------------------

const RATE_UNIT_MS = { minute: 60_000, hour: 3_600_000, day: DAY_MS } as const;

function analyseRate(inner: string): Analysis {
    const match = /^(\S+) (\S+)$/.exec(inner);
    const usage = "write rate(N unit) with a whole number N and a unit of minute(s), hour(s) or day(s), e.g. rate(7 days)";
    if (!match) return { problems: [`rate(${inner}) is not understood: ${usage}`] };
    const [, valueText, unitText] = match;
    if (!/^[1-9]\d*$/.test(valueText)) {
        return { problems: [`the rate value "${valueText}" must be a whole number of at least 1: ${usage}`] };
    }
    const value = Number(valueText);
    const unitMatch = /^(minute|hour|day|week|second)(s?)$/.exec(unitText);
    if (!unitMatch) return { problems: [`the rate unit "${unitText}" is not supported: ${usage}`] };
    const [, base, s] = unitMatch;
    if (base === "week") {
        const days = value * 7;
        return { problems: [`SSM has no week unit: write rate(${days} days)`] };
    }
    if (base === "second") {
        return {
            problems: ["SSM has no second unit, and maintenance windows start at most every 5 minutes: write rate(5 minutes) or slower"],
        };
    }
    const unit = base as keyof typeof RATE_UNIT_MS;
    // AWS rule: singular unit for 1, plural otherwise; rate(1 hours) and rate(5 hour) are refused.
    if (value === 1 && s)
        return { problems: [`rate(1 ${unitText}) is refused by SSM, which wants the singular unit for 1: write rate(1 ${unit})`] };
    if (value !== 1 && !s)
        return {
            problems: [
                `rate(${value} ${unitText}) is refused by SSM, which wants the plural unit for values above 1: write rate(${value} ${unit}s)`,
            ],
        };
    if (unit === "minute" && value < 5) {
        return {
            problems: [
                `rate(${inner}) is faster than SSM allows: a maintenance window starts at most every 5 minutes; write rate(5 minutes) or slower`,
            ],
        };
    }
    return { schedule: { kind: "rate", value, unit, intervalMs: value * RATE_UNIT_MS[unit] }, problems: [] };
}

// --- at --------------------------------------------------------------------------------------

function analyseAt(inner: string): Analysis {
    const usage = "write at(yyyy-mm-ddThh:mm:ss), a local time in the window's timezone, e.g. at(2026-12-01T23:00:00)";
    const zoned = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})$/.exec(inner);
    if (zoned) {
        return {
            problems: [
                `at(${inner}) carries a UTC offset: SSM reads the time in the window's scheduleTimezone, so write at(${zoned[1]}) and set the timezone`,
            ],
        };
    }
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner);
    if (!match) return { problems: [`at(${inner}) is not understood: ${usage}`] };
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
    const problems: string[] = [];
    if (year < 1970 || year > 2199) problems.push(`the year ${year} in at(${inner}) is out of range: use 1970-2199`);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
        problems.push(`the date ${match[1]}-${match[2]}-${match[3]} in at(${inner}) does not exist`);
    }
    if (hour > 23 || minute > 59 || second > 59) {
        problems.push(`the time ${match[4]}:${match[5]}:${match[6]} in at(${inner}) does not exist: use 00:00:00-23:59:59`);
    }
    if (problems.length > 0) return { problems };
    return { schedule: { kind: "at", year, month, day, hour, minute, second }, problems: [] };
}

// --- cron ------------------------------------------------------------------------------------

interface FieldSpec {
    /** How messages name the field. */
    label: string;
    min: number;
    max: number;
    names?: string[];
    /** Appended to out-of-range messages. */
    range: string;
}

const FIELDS = {
    minute: { label: "minute", min: 0, max: 59, range: "use 0-59" },
    hour: { label: "hour", min: 0, max: 23, range: "use 0-23 (midnight is 0)" },
    dayOfMonth: { label: "day-of-month", min: 1, max: 31, range: "use 1-31" },
    month: { label: "month", min: 1, max: 12, names: MONTH_ABBR, range: "use 1-12 or JAN-DEC" },
    dayOfWeek: { label: "day-of-week", min: 1, max: 7, names: DAY_ABBR, range: "use 1-7 (SUN=1 ... SAT=7) or SUN-SAT" },
    year: { label: "year", min: 1970, max: 2199, range: "use 1970-2199" },
} satisfies Record<string, FieldSpec>;

type Shape = "single" | "list" | "range" | "step" | "star";

interface ParsedList {
    /** Values in the order the field produces them (a wrapping hour range 23-5 gives 23, 0, ... 5). */
    values: number[];
    shape: Shape;
    problems: string[];
}

/** Parse a list field of plain values: `*`, `n`, `a-b`, `a/s`, `a-b/s`, `* /s`, joined by commas. */
function parseList(text: string, spec: FieldSpec, allowWrap = false): ParsedList {
    const problems: string[] = [];
    const values: number[] = [];
    const items = text.split(",");
    let shape: Shape = items.length > 1 ? "list" : "single";
    const value = (token: string): number | undefined => {
        if (/^\d+$/.test(token)) {
            const n = Number(token);
            if (n < spec.min || n > spec.max) {
                problems.push(`the ${spec.label} value ${token} is out of range: ${spec.range}`);
                return undefined;
            }
            return n;
        }
        const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
        if (named >= 0) return named + 1;
        problems.push(`the ${spec.label} field "${text}" is not understood ("${token}"): ${spec.range}, with "*", "," "-" and "/"`);
        return undefined;
    };
    for (const item of items) {
        const step = /^(.+)\/(.*)$/.exec(item);
        const [base, stepText] = step ? [step[1], step[2]] : [item, undefined];
        let stepBy = 1;
        if (stepText !== undefined) {
            if (!/^\d+$/.test(stepText) || Number(stepText) < 1 || Number(stepText) > spec.max) {
                problems.push(`the step "/${stepText}" in the ${spec.label} field "${text}" must be a whole number from 1 to ${spec.max}`);
                continue;
            }
            stepBy = Number(stepText);
            if (items.length === 1) shape = "step";
        }
        let lo: number | undefined;
        let hi: number | undefined;
        if (base === "*") {
            [lo, hi] = [spec.min, spec.max];
            if (items.length === 1 && stepText === undefined) shape = "star";
        } else if (base.includes("-")) {
            const [a, b, ...rest] = base.split("-");
            if (rest.length > 0 || a === "" || b === "") {
                problems.push(`the ${spec.label} field "${text}" is not understood ("${base}"): ${spec.range}`);
                continue;
            }
            [lo, hi] = [value(a), value(b)];
            if (items.length === 1 && stepText === undefined) shape = "range";
        } else {
            lo = value(base);
            // Quartz/AWS "a/s" runs from a to the end of the field.
            hi = stepText === undefined ? lo : spec.max;
        }
        if (lo === undefined || hi === undefined) continue;
        if (lo > hi) {
            if (!allowWrap) {
                const wrapped = [...seq(lo, spec.max, stepBy), ...seq(spec.min, hi, stepBy)];
                const names = wrapped.map((n) => (spec.names ? spec.names[n - 1] : String(n))).join(",");
                problems.push(`the ${spec.label} range "${base}" runs backwards: list the values instead, e.g. ${names}`);
                continue;
            }
            values.push(...seq(lo, spec.max, stepBy), ...seq(spec.min, hi, stepBy));
        } else {
            values.push(...seq(lo, hi, stepBy));
        }
    }
    return { values, shape, problems };
}

function seq(lo: number, hi: number, step: number): number[] {
    const out: number[] = [];
    for (let n = lo; n <= hi; n += step) out.push(n);
    return out;
}

const sortedUnique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

/** Max days of each month, February counted as 29 (a leap year comes eventually). */
const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function analyseCron(inner: string, suggest: boolean): Analysis {
    const fields = inner
        .trim()
        .split(/\s+/)
        .filter((f) => f !== "");
    if (fields.length === 5) return { problems: [fiveFieldMessage(fields)] };
    // Windows accept an optional leading seconds field ("An additional field, the Seconds field (the
    // first in a cron expression), is optional", SSM user guide, cron and rate expressions). The
    // project writes six fields so that every start is on the minute and reads the same in every
    // tool (cronstrue, the plan, the console); the pack accepts seven (withoutSeconds).
    if (fields.length === 7) {
        const six = fields.slice(1).join(" ");
        const ok = analyse(`cron(${six})`, false).problems.length === 0;
        return {
            problems: [
                `the cron has 7 fields: AWS reads the first ("${fields[0]}") as seconds; this project writes the 6-field form ` +
                    `(${SIX_FIELDS}), so drop the seconds` +
                    (ok ? `, e.g. cron(${six})` : ""),
            ],
        };
    }
    if (fields.length !== 6) {
        return {
            problems: [
                `the cron has ${fields.length} field${fields.length === 1 ? "" : "s"}; an SSM cron has 6: ${SIX_FIELDS}, e.g. ${EXAMPLE}`,
            ],
        };
    }
    const [minuteText, hourText, domText, monthText, dowText, yearText] = fields;
    const problems: string[] = [];
    const repaired = [...fields];
    let repairable = true;

    const order = [FIELDS.minute, FIELDS.hour, FIELDS.dayOfMonth, FIELDS.month, FIELDS.dayOfWeek, FIELDS.year];
    for (const [i, text] of fields.entries()) {
        if (text.includes("?") && text !== "?") {
            problems.push(`the ${order[i].label} field "${text}" mixes "?" with other values: "?" stands alone`);
        } else if (text === "?" && i !== 2 && i !== 4) {
            problems.push(`the ${order[i].label} field is "?", which only day-of-month or day-of-week may be: use "*"`);
        }
    }
    if (problems.length > 0) return { problems };

    // Minutes and hours: one value each. A window starts at each matching time, so a range or
    // list starts several windows, and its length comes from durationHours, never from the cron.
    const minute = parseList(minuteText, FIELDS.minute);
    const hour = parseList(hourText, FIELDS.hour, true);
    minute.values = [...new Set(minute.values)];
    hour.values = [...new Set(hour.values)];
    problems.push(...minute.problems, ...hour.problems);
    if (minute.problems.length > 0 || hour.problems.length > 0) repairable = false;
    const startMinute = minute.values[0] ?? 0;
    const startHour = hour.values[0] ?? 0;
    const multi: Array<() => string> = [];
    if (minute.problems.length === 0) {
        repaired[0] = String(startMinute);
        if (minute.values.length > 1) multi.push(() => multipleMinutesMessage(minuteText, minute, hourText, suggestion()));
    }
    if (hour.problems.length === 0) {
        repaired[1] = String(startHour);
        if (hour.values.length > 1) multi.push(() => multipleHoursMessage(hourText, hour, startMinute, suggestion()));
    }

    const dom = parseDayOfMonth(domText);
    const dow = parseDayOfWeek(dowText);
    problems.push(...dom.problems, ...dow.problems);
    if (dom.problems.length > 0) repairable = false;
    if (dow.problems.length > 0) {
        if (dow.repair) repaired[4] = dow.repair;
        else repairable = false;
    }
    const domQ = domText === "?";
    const dowQ = dowText === "?";
    if (domQ && dowQ) {
        problems.push(`day-of-month and day-of-week are both "?": one of them must name the days, e.g. "*" in day-of-month for every day`);
        repaired[2] = "*";
    } else if (!domQ && !dowQ) {
        // AWS refuses both fields set (it does not combine them as Unix cron's "either" does).
        if (domText === "*") {
            problems.push(
                `day-of-month "*" and day-of-week "${dowText}" are both set: AWS needs "?" in one of them; write "?" in day-of-month`,
            );
            repaired[2] = "?";
        } else if (dowText === "*") {
            problems.push(
                `day-of-month "${domText}" and day-of-week "*" are both set: AWS needs "?" in one of them; write "?" in day-of-week`,
            );
            repaired[4] = "?";
        } else {
            const alternatives = [
                `cron(${[repaired[0], repaired[1], domText, monthText, "?", yearText].join(" ")})`,
                `cron(${[repaired[0], repaired[1], "?", monthText, dowText, yearText].join(" ")})`,
            ].filter((candidate) => analyse(candidate, false).problems.length === 0);
            problems.push(
                `day-of-month "${domText}" and day-of-week "${dowText}" are both set: AWS cannot combine them and needs "?" in one; ` +
                    `write ${alternatives.length > 0 ? alternatives.join(" or ") : '"?" in one of them'}, or use two windows`,
            );
            repairable = false;
        }
    }

    const month = parseList(monthText, FIELDS.month);
    const year = parseList(yearText, FIELDS.year);
    problems.push(...month.problems, ...year.problems);
    if (month.problems.length > 0 || year.problems.length > 0) repairable = false;

    const months = sortedUnique(month.values);
    if (dom.rule && month.problems.length === 0 && months.length > 0) {
        const day = dom.rule.kind === "days" ? Math.min(...dom.rule.days) : dom.rule.kind === "nearestWeekday" ? dom.rule.day : 0;
        if (months.every((m) => day > MONTH_MAX_DAYS[m - 1])) {
            problems.push(
                `the cron never starts: ${months.map((m) => MONTH_NAMES[m - 1]).join(", ")} ${months.length === 1 ? "has" : "have"} no day ${day}; use "L" for the last day of the month`,
            );
            repairable = false;
        }
    }

    // Messages that show a corrected expression are built last, once every repair is known.
    let cached: string | undefined | null = null;
    function suggestion(): string | undefined {
        if (cached === null) {
            const candidate = `cron(${repaired.join(" ")})`;
            cached = suggest && repairable && analyse(candidate, false).problems.length === 0 ? candidate : undefined;
        }
        return cached;
    }
    problems.unshift(...multi.map((message) => message()));

    if (problems.length > 0) return { problems };
    const schedule: CronSchedule = {
        kind: "cron",
        minute: startMinute,
        hour: startHour,
        dayOfMonth: dom.rule ?? { kind: "any" },
        months,
        dayOfWeek: dow.rule ?? { kind: "any" },
        years: yearText === "*" ? "any" : sortedUnique(year.values),
    };
    if (schedule.dayOfMonth.kind === "days" && schedule.dayOfMonth.days.length === 31) schedule.dayOfMonth = { kind: "any" };
    if (schedule.dayOfWeek.kind === "days" && schedule.dayOfWeek.days.length === 7) schedule.dayOfWeek = { kind: "any" };
    return { schedule, problems: [] };
}

function enumerate(items: string[]): string {
    if (items.length <= 3) return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
    return `${items[0]}, ${items[1]}, ... ${items[items.length - 1]}`;
}

function describeShape(shape: Shape, unit: string): string {
    switch (shape) {
        case "range":
            return "is a range";
        case "list":
            return "is a list";
        case "step":
            return "is a step";
        case "star":
            return `means every ${unit}`;
        case "single":
            return "is one value";
    }
}

function multipleHoursMessage(text: string, hour: ParsedList, minute: number, fix: string | undefined): string {
    const starts = enumerate(hour.values.map((h) => hhmm(h, minute)));
    return (
        `the hour field "${text}" ${describeShape(hour.shape, "hour")}: a cron gives start times only, so this starts a window at ${starts} ` +
        `(${hour.values.length} windows); write one start hour${fix ? `, e.g. ${fix},` : ""} and set the window length with durationHours`
    );
}

function multipleMinutesMessage(text: string, minute: ParsedList, hourText: string, fix: string | undefined): string {
    const starts = enumerate(minute.values.map((m) => `:${String(m).padStart(2, "0")}`));
    const step = /^(?:\*|0)\/(\d+)$/.exec(text);
    const rate =
        step && hourText === "*" && Number(step[1]) >= 5 && 60 % Number(step[1]) === 0
            ? `; a window that repeats every ${step[1]} minutes is rate(${step[1]} minutes)`
            : "";
    return (
        `the minute field "${text}" ${describeShape(minute.shape, "minute")}: a cron gives start times only, so this starts a window at ${starts} ` +
        `past each hour it names (${minute.values.length} windows an hour); write one start minute${fix ? `, e.g. ${fix},` : ""} ` +
        `and set the window length with durationHours${rate}`
    );
}

function parseDayOfMonth(text: string): { rule?: DayOfMonthRule; problems: string[] } {
    if (text === "?" || text === "*") return { rule: { kind: "any" }, problems: [] };
    const upper = text.toUpperCase();
    if (upper === "L") return { rule: { kind: "last" }, problems: [] };
    if (upper === "LW") return { rule: { kind: "lastWeekday" }, problems: [] };
    const usage = `use 1-31, L (last day), LW (last weekday) or nW (weekday nearest day n, e.g. 15W)`;
    if (/^L-\d+$/.test(upper)) {
        return { problems: [`the day-of-month "${text}" (an offset from the last day) is not in the SSM cron reference: ${usage}`] };
    }
    const nearest = /^(\d+)W$/.exec(upper);
    if (nearest) {
        const day = Number(nearest[1]);
        if (day < 1 || day > 31) return { problems: [`the day-of-month value ${nearest[1]} in "${text}" is out of range: use 1-31`] };
        return { rule: { kind: "nearestWeekday", day }, problems: [] };
    }
    if (/[LW]/.test(upper)) {
        return { problems: [`the day-of-month field "${text}" is not understood: ${usage}; L and W stand alone, not in a list or range`] };
    }
    const list = parseList(text, FIELDS.dayOfMonth);
    if (list.problems.length > 0) return { problems: list.problems };
    return { rule: { kind: "days", days: sortedUnique(list.values) }, problems: [] };
}

/** Unix cron numbers day-of-week 0-6 (or 7) from Sunday; read that way, as AWS names. */
function unixDaysAsNames(text: string): string | undefined {
    if (!/^[0-7,/#L-]+$/i.test(text)) return undefined;
    return text.replace(/(^|[,-])([0-7])(?!\d)/g, (_, sep: string, d: string) => `${sep}${DAY_ABBR[Number(d) % 7]}`);
}

function parseDayOfWeek(text: string): { rule?: DayOfWeekRule; problems: string[]; repair?: string } {
    if (text === "?" || text === "*") return { rule: { kind: "any" }, problems: [] };
    const upper = text.toUpperCase();
    const dayValue = (token: string): number | undefined => {
        if (/^\d+$/.test(token)) return Number(token);
        const i = DAY_ABBR.indexOf(token);
        return i >= 0 ? i + 1 : undefined;
    };
    // Unix cron habit: 0 (and 0-6) for Sunday-Saturday. AWS has no day 0 and reads 1-5 as SUN-THU.
    if (/(^|[,-])0($|[,\-#L/])/.test(upper)) {
        const names = unixDaysAsNames(upper);
        return {
            problems: [
                `the day-of-week "${text}" uses day 0, which AWS does not have: AWS numbers the days 1-7 from Sunday (SUN=1, MON=2 ... SAT=7), not 0-6 as Unix cron does; ` +
                    (names ? `if you meant Unix numbering, write ${names}` : "write the days as SUN-SAT"),
            ],
            repair: names,
        };
    }
    if (upper === "L") {
        return {
            problems: [
                `the day-of-week "L" alone means Saturday (the last day of the week), not the end of the month: write SAT, ` +
                    `6L-style "nL" for the last weekday n of the month (FRIL or 6L = last Friday), or L in day-of-month for the last day`,
            ],
        };
    }
    const items = upper.split(",");
    const special = items.filter((item) => /[#L]/.test(item));
    if (special.length > 0 && items.length > 1) {
        return {
            problems: [
                `the day-of-week "${text}" puts a "#" or "L" day in a list: AWS allows one such day per cron (e.g. TUE#2 or 6L); use a window for each`,
            ],
        };
    }
    const last = /^(\w+)L$/.exec(upper);
    if (last) {
        const day = dayValue(last[1]);
        if (day === undefined || day < 1 || day > 7)
            return {
                problems: [
                    `the day-of-week "${text}" is not understood: write nL with n 1-7 or SUN-SAT, e.g. 6L or FRIL for the last Friday`,
                ],
            };
        return { rule: { kind: "last", day }, problems: [] };
    }
    const nth = /^(\w+)#(\w*)$/.exec(upper);
    if (nth) {
        const day = dayValue(nth[1]);
        if (day === undefined || day < 1 || day > 7)
            return {
                problems: [
                    `the day-of-week "${text}" is not understood: write day#n with the day 1-7 or SUN-SAT, e.g. TUE#2 for the second Tuesday`,
                ],
            };
        const n = /^\d+$/.test(nth[2]) ? Number(nth[2]) : NaN;
        if (!(n >= 1 && n <= 5)) {
            return {
                problems: [
                    `the day-of-week "${text}" asks for occurrence "${nth[2]}": a month has at most 5 of a weekday, so use #1-#5, or ${nth[1]}L for the last one`,
                ],
            };
        }
        return { rule: { kind: "nth", day, nth: n }, problems: [] };
    }
    if (/[#L]/.test(upper)) {
        return {
            problems: [
                `the day-of-week field "${text}" is not understood: ${FIELDS.dayOfWeek.range}, with "*", "," "-" and "/", or one day as TUE#2 or 6L`,
            ],
        };
    }
    const list = parseList(text, FIELDS.dayOfWeek);
    if (list.problems.length > 0) return { problems: list.problems };
    return { rule: { kind: "days", days: sortedUnique(list.values) }, problems: [] };
}

function fiveFieldMessage(fields: string[]): string {
    const [minute, hour, dom, month, dow] = fields;
    const days = unixDaysAsNames(dow.toUpperCase()) ?? dow;
    let candidate: string | undefined;
    if (dom === "*" && dow === "*") candidate = `cron(${minute} ${hour} * ${month} ? *)`;
    else if (dom === "*" || dom === "?") candidate = `cron(${minute} ${hour} ? ${month} ${days} *)`;
    else if (dow === "*" || dow === "?") candidate = `cron(${minute} ${hour} ${dom} ${month} ? *)`;
    const valid = candidate !== undefined && analyse(candidate, false).problems.length === 0;
    return (
        `the cron has 5 fields (Unix cron style); an SSM cron has 6 (${SIX_FIELDS}): ` +
        `add the year field ("*") and put "?" in day-of-month or day-of-week` +
        (/\d/.test(dow) ? " (AWS numbers days 1-7 from SUN, so Unix day numbers are best written as names)" : "") +
        (valid ? `, e.g. ${candidate}` : `, e.g. ${EXAMPLE}`)
    );
}

/**
 * The instant a wall-clock date and time (`2027-01-31`, `00:00`) stands for in `timezone`: where a
 * stack's dates (an exemption's `until`, a freeze's start and end) begin. Throws on an invalid one.
 */
export function zonedInstant(date: string, time: string, timezone: string): Date {
    return localTimeToInstant(wallTimeOf(date, time), timezone);
}

/** zonedInstant through croner's own conversion (several Intl calls): the same instants, slowly. The tests compare the two. */
export function zonedInstantReference(date: string, time: string, timezone: string): Date {
    return cronerLocalTimeToInstant(wallTimeOf(date, time), timezone);
}

function wallTimeOf(date: string, time: string): WallTime {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const t = /^(\d{2}):(\d{2})$/.exec(time);
    if (!d || !t) throw new Error(`"${date} ${time}" is not a date YYYY-MM-DD and a time HH:MM`);
    return { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(t[1]), minute: Number(t[2]), second: 0 };
}
