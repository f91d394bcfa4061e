import { strict as assert } from "assert";
import * as fc from "fast-check";
import {
    checkSchedule,
    checkTimezone,
    describeSchedule,
    nextStarts,
    nextStartsReference,
    nextWallClock,
    parseSchedule,
    patchTuesdayPlus,
    startsBetween,
    toCronerPattern,
    wallClockJob,
    withoutSeconds,
    zonedInstant,
    zonedInstantReference,
} from "@patch-manager/ssm";
import type { CronSchedule } from "@patch-manager/ssm";

/** The instants the property tests start from: six years around today's, DST changes included. */
const INSTANTS_2025_2030 = fc.date({ min: new Date("2025-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const starts = (expression: string, timezone: string, from: string, count: number, scheduleOffset?: number) =>
    iso(nextStarts(expression, { timezone, from: new Date(from), count, scheduleOffset }));

/** Asserts exactly one problem, containing every fragment. */
function assertRefused(expression: string, ...fragments: string[]): void {
    const problems = checkSchedule(expression);
    assert.ok(problems.length > 0, `${expression} should be refused`);
    const text = problems.join("\n");
    for (const fragment of fragments) assert.ok(text.includes(fragment), `${expression}: expected "${fragment}" in:\n${text}`);
}

describe("schedule", () => {
    describe("the AWS cron reference examples (maintenance windows)", () => {
        it("accepts the examples of the SSM user guide", () => {
            for (const expression of [
                "cron(0 2 ? * THU#3 *)",
                "cron(15 10 ? * * *)",
                "cron(15 10 ? * MON-FRI *)",
                "cron(0 2 L * ? *)",
                "cron(15 10 ? * 6L *)",
                "cron(30 09 ? * * *)",
                "cron(0 10 * * ? *)",
                "cron(15 12 * * ? *)",
                "cron(0 18 ? * MON-FRI *)",
                "cron(0 8 1 * ? *)",
                "cron(0 16 ? * TUE *)",
                "cron(30 23 ? * TUE#3 *)",
                "rate(30 minutes)",
                "rate(1 hour)",
                "rate(5 hours)",
                "rate(25 days)",
                "rate(7 days)",
                "at(2019-07-07T13:15:30)",
            ]) {
                assert.deepEqual(checkSchedule(expression), [], expression);
            }
        });

        it("cron(0 2 ? * THU#3 *): 02:00 on the third Thursday", () => {
            assert.deepEqual(starts("cron(0 2 ? * THU#3 *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-15T02:00:00.000Z",
                "2026-02-19T02:00:00.000Z",
                "2026-03-19T02:00:00.000Z",
            ]);
        });

        it("cron(15 10 ? * * *): 10:15 every day", () => {
            assert.deepEqual(starts("cron(15 10 ? * * *)", "UTC", "2026-01-01T10:15:00Z", 2), [
                "2026-01-02T10:15:00.000Z",
                "2026-01-03T10:15:00.000Z",
            ]);
        });

        it("cron(0 18 ? * MON-FRI *) and cron(15 10 ? * MON-FRI *) skip the weekend", () => {
            // 2026-01-01 is a Thursday.
            assert.deepEqual(starts("cron(0 18 ? * MON-FRI *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-01T18:00:00.000Z",
                "2026-01-02T18:00:00.000Z",
                "2026-01-05T18:00:00.000Z",
            ]);
            assert.deepEqual(starts("cron(15 10 ? * MON-FRI *)", "UTC", "2026-01-02T12:00:00Z", 1), ["2026-01-05T10:15:00.000Z"]);
        });

        it("cron(0 8 1 * ? *) and cron(0 10 * * ? *)", () => {
            assert.deepEqual(starts("cron(0 8 1 * ? *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-01T08:00:00.000Z",
                "2026-02-01T08:00:00.000Z",
                "2026-03-01T08:00:00.000Z",
            ]);
            assert.deepEqual(starts("cron(0 10 * * ? *)", "UTC", "2026-01-01T11:00:00Z", 1), ["2026-01-02T10:00:00.000Z"]);
        });

        it("cron(0 2 L * ? *): the last day of every month", () => {
            assert.deepEqual(starts("cron(0 2 L * ? *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-31T02:00:00.000Z",
                "2026-02-28T02:00:00.000Z",
                "2026-03-31T02:00:00.000Z",
            ]);
        });

        it("cron(15 10 ? * 6L *): 6L is the last Friday (AWS numbers SUN=1), not the last Saturday", () => {
            assert.deepEqual(starts("cron(15 10 ? * 6L *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-30T10:15:00.000Z",
                "2026-02-27T10:15:00.000Z",
                "2026-03-27T10:15:00.000Z",
            ]);
        });

        it("cron(30 23 ? * TUE#3 *) with offset 2 runs at 23:30 two days after the third Tuesday", () => {
            assert.deepEqual(starts("cron(30 23 ? * TUE#3 *)", "UTC", "2026-01-01T00:00:00Z", 3, 2), [
                "2026-01-22T23:30:00.000Z",
                "2026-02-19T23:30:00.000Z",
                "2026-03-19T23:30:00.000Z",
            ]);
        });

        it("cron(0 16 ? * TUE *) in America/Los_Angeles is 00:00 UTC on Wednesday in winter", () => {
            assert.deepEqual(starts("cron(0 16 ? * TUE *)", "America/Los_Angeles", "2026-01-01T00:00:00Z", 2), [
                "2026-01-07T00:00:00.000Z",
                "2026-01-14T00:00:00.000Z",
            ]);
        });

        it("at(2019-07-07T13:15:30) is a local time in the window's zone, once", () => {
            assert.deepEqual(starts("at(2019-07-07T13:15:30)", "America/Los_Angeles", "2019-01-01T00:00:00Z", 3), [
                "2019-07-07T20:15:30.000Z",
            ]);
            assert.deepEqual(starts("at(2019-07-07T13:15:30)", "America/Los_Angeles", "2019-07-07T20:15:30Z", 3), []);
        });

        it("rate(7 days) counts from `from` (SSM counts from the window's creation)", () => {
            assert.deepEqual(starts("rate(7 days)", "Europe/Amsterdam", "2026-03-20T10:00:00Z", 2), [
                "2026-03-27T10:00:00.000Z",
                "2026-04-03T10:00:00.000Z",
            ]);
            assert.deepEqual(starts("rate(30 minutes)", "UTC", "2026-01-01T00:00:00Z", 2), [
                "2026-01-01T00:30:00.000Z",
                "2026-01-01T01:00:00.000Z",
            ]);
        });

        it("refuses cron(0/10 * ? * MON-FRI *): a step in minutes starts a window every 10 minutes", () => {
            assertRefused(
                "cron(0/10 * ? * MON-FRI *)",
                'the minute field "0/10" is a step',
                "starts a window at :00, :10, ... :50",
                "6 windows an hour",
                "rate(10 minutes)",
                'the hour field "*" means every hour',
                "24 windows",
                "durationHours",
            );
            assertRefused("cron(0/15 * * * ? *)", 'minute field "0/15" is a step', "rate(15 minutes)");
            assertRefused("cron(0/5 8-17 ? * MON-FRI *)", 'the hour field "8-17" is a range', "08:00, 09:00, ... 17:00 (10 windows)");
        });
    });

    it("describes each cron by its own fields, whichever order they come in (cronstrue's words are remembered)", () => {
        const words: Record<string, string> = {
            "cron(0 22 ? * TUE#2 *)": "at 22:00 on the second Tuesday of every month (Patch Tuesday)",
            "cron(0 22 ? JAN TUE#2 *)": "at 22:00 on the second Tuesday of January (Patch Tuesday)",
            "cron(0 22 ? * WED#2 *)": "at 22:00 on the second Wednesday of every month",
            "cron(0 22 ? * TUE#3 *)": "at 22:00 on the third Tuesday of every month",
            "cron(0 22 15 * ? *)": "at 22:00 on day 15 of every month",
            "cron(0 22 15 JAN ? *)": "at 22:00 on day 15 of January",
            "cron(0 22 ? * MON-FRI *)": "at 22:00 Monday through Friday",
            "cron(0 22 ? * SAT,SUN *)": "at 22:00 every Saturday and Sunday",
            "cron(0 22 L * ? *)": "at 22:00 on the last day of every month",
            "cron(0 22 ? * 6L *)": "at 22:00 on the last Friday of every month",
        };
        const crons = Object.keys(words);
        for (const order of [crons, [...crons].reverse(), [...crons, ...crons]])
            for (const cron of order)
                assert.equal(describeSchedule(cron, { timezone: "UTC", durationHours: 4 }), `${words[cron]}, UTC, for 4 hours`);
    });

    describe("edge cases", () => {
        it("the last day of February, in 2027 and in leap year 2028", () => {
            assert.deepEqual(starts("cron(0 23 L 2 ? *)", "UTC", "2027-01-01T00:00:00Z", 2), [
                "2027-02-28T23:00:00.000Z",
                "2028-02-29T23:00:00.000Z",
            ]);
        });

        it("5L is the last Thursday", () => {
            assert.deepEqual(starts("cron(0 1 ? * 5L *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-29T01:00:00.000Z",
                "2026-02-26T01:00:00.000Z",
                "2026-03-26T01:00:00.000Z",
            ]);
        });

        it("31W stays in its month: Friday the 29th when the 31st is a Sunday, and no start in 30-day months", () => {
            // 31 Jan 2026 is a Saturday, 31 May a Sunday, 31 Oct a Saturday.
            assert.deepEqual(starts("cron(0 1 31W * ? *)", "UTC", "2026-01-01T00:00:00Z", 7), [
                "2026-01-30T01:00:00.000Z",
                "2026-03-31T01:00:00.000Z",
                "2026-05-29T01:00:00.000Z",
                "2026-07-31T01:00:00.000Z",
                "2026-08-31T01:00:00.000Z",
                "2026-10-30T01:00:00.000Z",
                "2026-12-31T01:00:00.000Z",
            ]);
        });

        it("1W on a Saturday the 1st is Monday the 3rd, not Friday in the month before", () => {
            // 1 Aug 2026 is a Saturday.
            assert.deepEqual(starts("cron(0 1 1W * ? *)", "UTC", "2026-07-15T00:00:00Z", 2), [
                "2026-08-03T01:00:00.000Z",
                "2026-09-01T01:00:00.000Z",
            ]);
        });

        it("15W moves a Sunday the 15th to Monday the 16th", () => {
            // 15 Feb 2026 is a Sunday.
            assert.deepEqual(starts("cron(0 1 15W * ? *)", "UTC", "2026-02-01T00:00:00Z", 1), ["2026-02-16T01:00:00.000Z"]);
        });

        it("LW is the last weekday of the month", () => {
            assert.deepEqual(starts("cron(0 1 LW * ? *)", "UTC", "2026-01-01T00:00:00Z", 5), [
                "2026-01-30T01:00:00.000Z",
                "2026-02-27T01:00:00.000Z",
                "2026-03-31T01:00:00.000Z",
                "2026-04-30T01:00:00.000Z",
                "2026-05-29T01:00:00.000Z",
            ]);
        });

        it("#5 skips months without a fifth occurrence", () => {
            // Mondays: five in March, June and August 2026.
            assert.deepEqual(starts("cron(0 1 ? * MON#5 *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-03-30T01:00:00.000Z",
                "2026-06-29T01:00:00.000Z",
                "2026-08-31T01:00:00.000Z",
            ]);
        });

        it("AWS steps: 1/10 in day-of-month is 1, 11, 21, 31; 2/2 in day-of-week is MON, WED, FRI", () => {
            assert.deepEqual(starts("cron(0 8 1/10 JAN-MAR ? *)", "UTC", "2026-01-01T00:00:00Z", 5), [
                "2026-01-01T08:00:00.000Z",
                "2026-01-11T08:00:00.000Z",
                "2026-01-21T08:00:00.000Z",
                "2026-01-31T08:00:00.000Z",
                "2026-02-01T08:00:00.000Z",
            ]);
            const parsed = parseSchedule("cron(0 8 1/10 JAN-MAR ? *)");
            assert.ok(parsed.kind === "cron");
            assert.equal(toCronerPattern(parsed), "0 0 8 1,11,21,31 1,2,3 * *");
            assert.deepEqual(starts("cron(0 8 ? * 2/2 *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                "2026-01-02T08:00:00.000Z",
                "2026-01-05T08:00:00.000Z",
                "2026-01-07T08:00:00.000Z",
            ]);
        });

        it("the year field limits the starts", () => {
            assert.deepEqual(starts("cron(0 8 1 JAN ? 2027,2029)", "UTC", "2026-01-01T00:00:00Z", 5), [
                "2027-01-01T08:00:00.000Z",
                "2029-01-01T08:00:00.000Z",
            ]);
        });

        describe("DST", () => {
            it("Europe/Amsterdam: 02:30 on the spring-forward Sunday starts at 03:00 CEST (first valid time)", () => {
                assert.deepEqual(starts("cron(30 2 ? * SUN *)", "Europe/Amsterdam", "2026-03-20T00:00:00Z", 3), [
                    "2026-03-22T01:30:00.000Z",
                    "2026-03-29T01:00:00.000Z",
                    "2026-04-05T00:30:00.000Z",
                ]);
            });

            it("Europe/Amsterdam: 02:30 on the fall-back Sunday starts once, at the first 02:30 (CEST)", () => {
                assert.deepEqual(starts("cron(30 2 ? * SUN *)", "Europe/Amsterdam", "2026-10-24T00:00:00Z", 2), [
                    "2026-10-25T00:30:00.000Z",
                    "2026-11-01T01:30:00.000Z",
                ]);
            });

            it("America/New_York: 02:30 on 8 March 2026 starts at 03:00 EDT", () => {
                assert.deepEqual(starts("cron(30 2 ? * SUN *)", "America/New_York", "2026-03-01T00:00:00Z", 3), [
                    "2026-03-01T07:30:00.000Z",
                    "2026-03-08T07:00:00.000Z",
                    "2026-03-15T06:30:00.000Z",
                ]);
            });

            it("America/New_York: 01:30 on 1 November 2026 starts once, at 01:30 EDT", () => {
                assert.deepEqual(starts("cron(30 1 ? * SUN *)", "America/New_York", "2026-10-31T00:00:00Z", 2), [
                    "2026-11-01T05:30:00.000Z",
                    "2026-11-08T06:30:00.000Z",
                ]);
            });

            it("a 22:00 window keeps 22:00 local across the changes", () => {
                assert.deepEqual(starts("cron(0 22 ? * MON-FRI *)", "Europe/Amsterdam", "2026-03-26T00:00:00Z", 3), [
                    "2026-03-26T21:00:00.000Z",
                    "2026-03-27T21:00:00.000Z",
                    "2026-03-30T20:00:00.000Z",
                ]);
                assert.deepEqual(starts("cron(0 22 ? * MON-FRI *)", "Europe/Amsterdam", "2026-10-22T00:00:00Z", 3), [
                    "2026-10-22T20:00:00.000Z",
                    "2026-10-23T20:00:00.000Z",
                    "2026-10-26T21:00:00.000Z",
                ]);
                assert.deepEqual(starts("cron(0 22 ? * MON-FRI *)", "America/New_York", "2026-03-05T12:00:00Z", 3), [
                    "2026-03-06T03:00:00.000Z",
                    "2026-03-07T03:00:00.000Z",
                    "2026-03-10T02:00:00.000Z",
                ]);
            });

            it("scheduleOffset keeps the wall time when the offset days span a DST change", () => {
                // TUE#1 is 3 March 2026 (EST); six days later, 9 March, New York is on EDT.
                assert.deepEqual(starts("cron(0 23 ? * TUE#1 *)", "America/New_York", "2026-02-15T00:00:00Z", 2, 6), [
                    "2026-03-10T03:00:00.000Z",
                    "2026-04-14T03:00:00.000Z",
                ]);
                // Saturday 28 March + 1 day is 02:30 on the spring-forward Sunday: 03:00 CEST.
                assert.deepEqual(starts("cron(30 2 ? * SAT *)", "Europe/Amsterdam", "2026-03-20T00:00:00Z", 3, 1), [
                    "2026-03-22T01:30:00.000Z",
                    "2026-03-29T01:00:00.000Z",
                    "2026-04-05T00:30:00.000Z",
                ]);
            });
        });

        describe("scheduleOffset across a month end", () => {
            it("TUE#2 + 6 days is the Monday after next", () => {
                assert.deepEqual(starts("cron(0 23 ? * TUE#2 *)", "UTC", "2026-01-01T00:00:00Z", 4, 6), [
                    "2026-01-19T23:00:00.000Z",
                    "2026-02-16T23:00:00.000Z",
                    "2026-03-16T23:00:00.000Z",
                    "2026-04-20T23:00:00.000Z",
                ]);
            });

            it("THU#4 + 6 days runs into the next month, at 23:00 local across DST", () => {
                // THU#4: 26 Feb, 26 Mar, 23 Apr, 28 May 2026.
                assert.deepEqual(starts("cron(0 23 ? * THU#4 *)", "Europe/Amsterdam", "2026-02-01T00:00:00Z", 4, 6), [
                    "2026-03-04T22:00:00.000Z",
                    "2026-04-01T21:00:00.000Z",
                    "2026-04-29T21:00:00.000Z",
                    "2026-06-03T21:00:00.000Z",
                ]);
            });

            it("includes a start whose cron match is before `from`", () => {
                assert.deepEqual(starts("cron(0 23 ? * THU#4 *)", "Europe/Amsterdam", "2026-03-01T00:00:00Z", 1, 6), [
                    "2026-03-04T22:00:00.000Z",
                ]);
            });
        });

        describe("the shipped stacks' windows", () => {
            it("the wave cron(0 23 ? * TUE#1 *) in Europe/Amsterdam", () => {
                assert.deepEqual(starts("cron(0 23 ? * TUE#1 *)", "Europe/Amsterdam", "2026-01-01T00:00:00Z", 4), [
                    "2026-01-06T22:00:00.000Z",
                    "2026-02-03T22:00:00.000Z",
                    "2026-03-03T22:00:00.000Z",
                    "2026-04-07T21:00:00.000Z",
                ]);
            });

            it("the weekday window cron(0 22 ? * MON-FRI *)", () => {
                assert.deepEqual(starts("cron(0 22 ? * MON-FRI *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                    "2026-01-01T22:00:00.000Z",
                    "2026-01-02T22:00:00.000Z",
                    "2026-01-05T22:00:00.000Z",
                ]);
            });

            it("the weekend window cron(0 6 ? * SAT,SUN *)", () => {
                assert.deepEqual(starts("cron(0 6 ? * SAT,SUN *)", "UTC", "2026-01-01T00:00:00Z", 3), [
                    "2026-01-03T06:00:00.000Z",
                    "2026-01-04T06:00:00.000Z",
                    "2026-01-10T06:00:00.000Z",
                ]);
            });
        });

        it("returns [] for count 0 and throws on bad input", () => {
            assert.deepEqual(starts("cron(0 22 ? * MON-FRI *)", "UTC", "2026-01-01T00:00:00Z", 0), []);
            assert.throws(
                () => nextStarts("cron(00 23-5 ? * TUE#1 *)", { timezone: "UTC", from: new Date("2026-12-01T00:00:00Z"), count: 1 }),
                /the hour field "23-5" is a range/,
            );
            assert.throws(
                () => nextStarts("cron(0 22 ? * MON *)", { timezone: "Mars/Base", from: new Date("2026-12-01T00:00:00Z"), count: 1 }),
                /not an IANA timezone/,
            );
            assert.throws(
                () => nextStarts("rate(1 day)", { timezone: "UTC", scheduleOffset: 2, from: new Date("2026-12-01T00:00:00Z"), count: 1 }),
                /only applies to cron/,
            );
            assert.throws(
                () =>
                    nextStarts("cron(0 22 ? * MON *)", {
                        timezone: "UTC",
                        scheduleOffset: 7,
                        from: new Date("2026-12-01T00:00:00Z"),
                        count: 1,
                    }),
                /1 to 6/,
            );
        });
    });

    describe("refusals", () => {
        it("an hour range such as 23-5, with the expression to write instead", () => {
            assert.deepEqual(checkSchedule("cron(00 23-5 ? * TUE#1 *)"), [
                'the hour field "23-5" is a range: a cron gives start times only, so this starts a window at 23:00, 00:00, ... 05:00 (7 windows); ' +
                    "write one start hour, e.g. cron(0 23 ? * TUE#1 *), and set the window length with durationHours",
            ]);
        });

        it("hour lists, steps and *; minute lists and *", () => {
            assertRefused(
                "cron(0 1,13 ? * MON *)",
                'the hour field "1,13" is a list',
                "01:00 and 13:00 (2 windows)",
                "cron(0 1 ? * MON *)",
            );
            assertRefused("cron(0 */6 ? * MON *)", 'the hour field "*/6" is a step', "00:00, 06:00, ... 18:00 (4 windows)");
            assertRefused("cron(0 * ? * MON *)", 'the hour field "*" means every hour', "24 windows");
            assertRefused("cron(0,30 22 ? * MON *)", 'the minute field "0,30" is a list', ":00 and :30", "cron(0 22 ? * MON *)");
            assertRefused("cron(* 22 ? * MON *)", 'the minute field "*" means every minute', "60 windows an hour");
        });

        it("5-field (Unix) crons: add the year, use ?, and read Unix weekday numbers as names", () => {
            assertRefused("cron(0 23 * * 2)", "5 fields", "add the year field", '"?"', "e.g. cron(0 23 ? * TUE *)");
            assertRefused("cron(0 22 * * 1-5)", "e.g. cron(0 22 ? * MON-FRI *)");
            assertRefused("cron(0 8 1 * *)", "e.g. cron(0 8 1 * ? *)");
        });

        it("7-field crons: the first field is seconds", () => {
            // The project writes six fields; AWS accepts the seconds (0 included), and the pack reads them through withoutSeconds.
            assertRefused(
                "cron(0 0 2 ? * THU#3 *)",
                "7 fields",
                "seconds",
                "this project writes the 6-field form",
                "e.g. cron(0 2 ? * THU#3 *)",
            );
            assert.equal(withoutSeconds("cron(0 0 21 ? * WED *)"), "cron(0 21 ? * WED *)", "cloudposse's default: 21:00 every Wednesday");
            assert.equal(withoutSeconds("cron(24 30 09 ? * * *)"), "cron(30 09 ? * * *)", "the user guide's example: 9:30:24");
            assert.equal(withoutSeconds("cron(0 21 ? * WED *)"), "cron(0 21 ? * WED *)", "six fields stay as they are");
            assert.equal(
                withoutSeconds("cron(60 0 21 ? * WED *)"),
                "cron(60 0 21 ? * WED *)",
                "no second 60: left for checkSchedule to refuse",
            );
            assert.deepEqual(checkSchedule(withoutSeconds("cron(0 0 21 ? * WED *)")), []);
        });

        it("other field counts", () => {
            assertRefused("cron(0 22 ?)", "3 fields", "an SSM cron has 6");
        });

        it("weekday 0: AWS numbers SUN as 1", () => {
            assertRefused("cron(0 22 ? * 0 *)", "uses day 0", "SUN=1", "write SUN");
            assertRefused("cron(0 22 ? * 0-4 *)", "write SUN-THU");
            assertRefused("cron(0 22 ? * 0#2 *)", "write SUN#2");
        });

        it("out-of-range values", () => {
            assertRefused("cron(60 22 ? * MON *)", "the minute value 60 is out of range: use 0-59");
            assertRefused("cron(0 24 ? * MON *)", "the hour value 24 is out of range: use 0-23");
            assertRefused("cron(0 22 32 * ? *)", "the day-of-month value 32 is out of range: use 1-31");
            assertRefused("cron(0 22 0 * ? *)", "the day-of-month value 0 is out of range");
            assertRefused("cron(0 22 1 13 ? *)", "the month value 13 is out of range: use 1-12 or JAN-DEC");
            assertRefused("cron(0 22 ? * 8 *)", "the day-of-week value 8 is out of range: use 1-7");
            assertRefused("cron(0 22 ? * MON 2200)", "the year value 2200 is out of range: use 1970-2199");
            assertRefused("cron(0 22 ? * MON 1969)", "the year value 1969 is out of range");
            assertRefused("cron(0 22 ? * TUE#6 *)", "at most 5", "TUEL");
            assertRefused("cron(0 22 ? * TUE#0 *)", "#1-#5");
            assertRefused("cron(0 22 32W * ? *)", "out of range");
            assertRefused("cron(0 22 30 FEB ? *)", "never starts", "February has no day 30");
        });

        it("day-of-month and day-of-week: exactly one is ?", () => {
            assertRefused("cron(0 22 1 * MON *)", "both set", "cron(0 22 1 * ? *) or cron(0 22 ? * MON *)");
            assertRefused("cron(0 22 * * MON *)", "both set", 'write "?" in day-of-month');
            assertRefused("cron(0 22 * * * *)", "both set");
            assertRefused("cron(0 22 ? * ? *)", 'both "?"', '"*" in day-of-month');
            assertRefused("cron(0 22 ? ? MON *)", 'the month field is "?"');
            assertRefused("cron(0 22 ?,1 * MON *)", 'the day-of-month field "?,1" mixes "?"');
        });

        it("L, W and # used outside the AWS rules", () => {
            assertRefused("cron(0 22 ? * L *)", '"L" alone means Saturday', "write SAT");
            assertRefused("cron(0 22 ? * TUE#1,THU#3 *)", "one such day per cron", "a window for each");
            assertRefused("cron(0 22 1,L * ? *)", "L and W stand alone");
            assertRefused("cron(0 22 L-3 * ? *)", "offset from the last day");
            assertRefused("cron(0 22 ? * FRI-MON *)", "runs backwards", "FRI,SAT,SUN,MON");
            assertRefused("cron(0 22 ? * MONDAY *)", "not understood", "SUN-SAT");
        });

        it("empty input, garbage and the wrapper", () => {
            assertRefused("", "empty", "cron(Minutes Hours Day-of-month Month Day-of-week Year)");
            assertRefused("every tuesday", "is not a schedule expression", "rate(N unit)");
            assertRefused("0 23 ? * TUE#1 *", "no cron(...) around it", "write cron(0 23 ? * TUE#1 *)");
            assertRefused("0 23-5 ? * TUE#1 *", "no cron(...) around it", 'the hour field "23-5" is a range');
            assertRefused("cron(0 22 ? * MON *", 'closing ")" is missing');
            assertRefused("CRON(0 22 ? * MON *)", "lower case", "cron(0 22 ? * MON *)");
            assertRefused(" cron(0 22 ? * MON *)", "spaces around it");
            assertRefused("weekly(MON)", "not a schedule form");
            assertRefused(`cron(0 22 ? * MON ${"2026,".repeat(60)}2026)`, "at most 256");
        });

        it("rate: singular for 1, plural otherwise, nothing faster than 5 minutes", () => {
            assertRefused("rate(1 hours)", "write rate(1 hour)", "singular");
            assertRefused("rate(1 days)", "write rate(1 day)");
            assertRefused("rate(5 hour)", "write rate(5 hours)", "plural");
            assertRefused("rate(2 minutes)", "at most every 5 minutes");
            assertRefused("rate(1 minute)", "at most every 5 minutes");
            assertRefused("rate(0 days)", "at least 1");
            assertRefused("rate(2 weeks)", "write rate(14 days)");
            assertRefused("rate(30 seconds)", "no second unit");
            assertRefused("rate(7days)", "not understood");
            assert.deepEqual(checkSchedule("rate(5 minutes)"), []);
        });

        it("at: a local date and time that exists, without an offset", () => {
            assertRefused("at(2026-02-30T10:00:00)", "2026-02-30", "does not exist");
            assertRefused("at(2026-12-01T24:00:00)", "does not exist");
            assertRefused("at(2026-12-01T23:00:00Z)", "UTC offset", "write at(2026-12-01T23:00:00)");
            assertRefused("at(2026-12-01 23:00)", "at(yyyy-mm-ddThh:mm:ss)");
        });

        it("messages never carry a config key path", () => {
            for (const problem of checkSchedule("cron(00 23-5 ? * 0 2200)"))
                assert.ok(!/patch-manager:|schedule\.cron/.test(problem), problem);
        });
    });

    describe("checkTimezone", () => {
        it("accepts IANA names and refuses the rest with a fix", () => {
            for (const tz of ["Europe/Amsterdam", "America/New_York", "UTC", "Asia/Kolkata"]) assert.deepEqual(checkTimezone(tz), [], tz);
            assert.match(checkTimezone("europe/amsterdam")[0], /case-sensitive.*write "Europe\/Amsterdam"/);
            assert.match(checkTimezone("asia/kolkata")[0], /write "Asia\/Kolkata"/);
            assert.match(checkTimezone("UTC+1")[0], /not a UTC offset/);
            assert.match(checkTimezone("Mars/Base")[0], /not an IANA timezone name/);
            assert.match(checkTimezone("")[0], /empty/);
            assert.match(checkTimezone("Europe/Amsterdam ")[0], /spaces/);
        });
    });

    describe("describeSchedule", () => {
        const say = (expression: string, opts: Parameters<typeof describeSchedule>[1]) => describeSchedule(expression, opts);

        it("the shipped stacks' schedules", () => {
            assert.equal(
                say("cron(0 23 ? * TUE#1 *)", { timezone: "Europe/Amsterdam", durationHours: 6, cutoffHours: 1 }),
                "at 23:00 on the first Tuesday of every month, Europe/Amsterdam, for 6 hours (no new tasks in the last hour)",
            );
            assert.equal(
                say("cron(0 23 ? * THU#1 *)", { timezone: "Europe/Amsterdam", durationHours: 6 }),
                "at 23:00 on the first Thursday of every month, Europe/Amsterdam, for 6 hours",
            );
            assert.equal(
                say("cron(0 22 ? * MON-FRI *)", { timezone: "UTC", durationHours: 5, cutoffHours: 1 }),
                "at 22:00 Monday through Friday, UTC, for 5 hours (no new tasks in the last hour)",
            );
            assert.equal(
                say("cron(0 6 ? * SAT,SUN *)", { timezone: "UTC", durationHours: 5, cutoffHours: 2 }),
                "at 06:00 every Saturday and Sunday, UTC, for 5 hours (no new tasks in the last 2 hours)",
            );
        });

        it("scheduleOffset and Patch Tuesday", () => {
            assert.equal(
                say("cron(0 23 ? * TUE#2 *)", { timezone: "Europe/Amsterdam", durationHours: 4, cutoffHours: 1, scheduleOffset: 2 }),
                "at 23:00, 2 days after the second Tuesday of every month (Patch Tuesday), Europe/Amsterdam, for 4 hours (no new tasks in the last hour)",
            );
            assert.equal(
                say("cron(0 22 ? * MON-FRI *)", { timezone: "UTC", durationHours: 5, scheduleOffset: 1 }),
                "at 22:00, 1 day after each Monday through Friday, UTC, for 5 hours",
            );
        });

        it("other shapes read as English, not as cronstrue's defaults", () => {
            assert.equal(say("cron(15 10 ? * * *)", { timezone: "UTC", durationHours: 1 }), "at 10:15 every day, UTC, for 1 hour");
            assert.equal(
                say("cron(0 2 L * ? *)", { timezone: "UTC", durationHours: 2 }),
                "at 02:00 on the last day of every month, UTC, for 2 hours",
            );
            assert.equal(
                say("cron(0 23 L 2 ? *)", { timezone: "UTC", durationHours: 2 }),
                "at 23:00 on the last day of February, UTC, for 2 hours",
            );
            assert.equal(
                say("cron(15 10 ? * 6L *)", { timezone: "UTC", durationHours: 2 }),
                "at 10:15 on the last Friday of every month, UTC, for 2 hours",
            );
            assert.equal(
                say("cron(0 8 ? * 2/2 *)", { timezone: "UTC", durationHours: 2 }),
                "at 08:00 every Monday, Wednesday, and Friday, UTC, for 2 hours",
            );
            assert.equal(
                say("cron(0 8 15W * ? *)", { timezone: "UTC", durationHours: 2 }),
                "at 08:00 on the weekday nearest day 15 of every month, UTC, for 2 hours",
            );
            assert.equal(
                say("cron(0 8 ? JAN,JUL MON#1 2027-2029)", { timezone: "UTC", durationHours: 2 }),
                "at 08:00 on the first Monday of the month, in January and July, in 2027 through 2029, UTC, for 2 hours",
            );
            assert.equal(
                say("rate(7 days)", { timezone: "UTC", durationHours: 4 }),
                "every 7 days, counted from when the window is created, UTC, for 4 hours",
            );
            assert.equal(
                say("at(2026-12-01T23:00:00)", { timezone: "Europe/Amsterdam", durationHours: 6 }),
                "once, at 23:00 on 1 December 2026, Europe/Amsterdam, for 6 hours",
            );
        });

        it("throws on an invalid expression", () => {
            assert.throws(() => say("cron(00 23-5 ? * TUE#1 *)", { timezone: "UTC", durationHours: 6 }), /is a range/);
        });
    });

    describe("patchTuesdayPlus", () => {
        it("N days after the second Tuesday", () => {
            assert.deepEqual(patchTuesdayPlus(2, "23:00"), { cron: "cron(0 23 ? * TUE#2 *)", scheduleOffset: 2 });
            assert.deepEqual(patchTuesdayPlus(6, "04:30"), { cron: "cron(30 4 ? * TUE#2 *)", scheduleOffset: 6 });
            assert.deepEqual(patchTuesdayPlus(0, "09:05"), { cron: "cron(5 9 ? * TUE#2 *)" });
            const { cron, scheduleOffset } = patchTuesdayPlus(2, "23:00");
            // Patch Tuesday in January 2026 is the 13th: the Thursday after is the 15th.
            assert.deepEqual(starts(cron, "UTC", "2026-01-01T00:00:00Z", 1, scheduleOffset), ["2026-01-15T23:00:00.000Z"]);
        });

        it("whole weeks move to the third and fourth Tuesday, which are exactly 7 and 14 days later", () => {
            assert.deepEqual(patchTuesdayPlus(7, "23:00"), { cron: "cron(0 23 ? * TUE#3 *)" });
            assert.deepEqual(patchTuesdayPlus(9, "23:00"), { cron: "cron(0 23 ? * TUE#3 *)", scheduleOffset: 2 });
            assert.deepEqual(patchTuesdayPlus(20, "06:00"), { cron: "cron(0 6 ? * TUE#4 *)", scheduleOffset: 6 });
            // Patch Tuesday in March 2026 is the 10th; 16 days later is Thursday the 26th.
            const { cron, scheduleOffset } = patchTuesdayPlus(16, "23:00");
            assert.deepEqual(starts(cron, "UTC", "2026-03-01T00:00:00Z", 1, scheduleOffset), ["2026-03-26T23:00:00.000Z"]);
        });

        it("refuses days outside 0..20 and bad times", () => {
            assert.throws(() => patchTuesdayPlus(21, "23:00"), /0 to 20/);
            assert.throws(() => patchTuesdayPlus(-1, "23:00"), /0 to 20/);
            assert.throws(() => patchTuesdayPlus(1.5, "23:00"), /0 to 20/);
            assert.throws(() => patchTuesdayPlus(1, "24:00"), /HH:MM/);
            assert.throws(() => patchTuesdayPlus(1, "9:00"), /HH:MM/);
        });
    });

    describe("properties", () => {
        // Zones whose DST gap is 02:00-03:00; generated hours skip 2 so every start exists locally.
        const ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"];
        const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

        const named = (names: string[]) => (n: number) => fc.constantFrom(String(n), names[n - 1]);
        const number = (min: number, max: number, show: (n: number) => fc.Arbitrary<string> = (n) => fc.constant(String(n))) =>
            fc.integer({ min, max }).chain(show);
        const listField = (min: number, max: number, show?: (n: number) => fc.Arbitrary<string>) =>
            fc.oneof(
                number(min, max, show),
                fc.uniqueArray(number(min, max, show), { minLength: 2, maxLength: 4, selector: (s) => s }).map((xs) => xs.join(",")),
                fc
                    .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
                    .chain(([a, b]) =>
                        fc
                            .tuple(
                                (show ?? ((n: number) => fc.constant(String(n))))(Math.min(a, b)),
                                (show ?? ((n: number) => fc.constant(String(n))))(Math.max(a, b)),
                            )
                            .map(([x, y]) => `${x}-${y}`),
                    ),
                fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, max - min) })).map(([a, s]) => `${a}/${s}`),
            );

        const minute = fc.integer({ min: 0, max: 59 }).chain((m) => fc.constantFrom(String(m), String(m).padStart(2, "0")));
        const hour = fc
            .integer({ min: 0, max: 23 })
            .filter((h) => h !== 2)
            .map(String);
        const month = fc.oneof({ weight: 3, arbitrary: fc.constant("*") }, { weight: 2, arbitrary: listField(1, 12, named(MONTHS)) });
        const year = fc.oneof(
            { weight: 4, arbitrary: fc.constant("*") },
            { weight: 1, arbitrary: fc.integer({ min: 2025, max: 2031 }).map((y) => `${y}-${y + 3}`) },
            {
                weight: 1,
                arbitrary: fc.uniqueArray(fc.integer({ min: 2025, max: 2034 }), { minLength: 1, maxLength: 3 }).map((ys) => ys.join(",")),
            },
        );
        // Days up to 28 exist in every month, so a generated cron always has starts.
        const dayOfMonth = fc.oneof(
            fc.constantFrom("*", "L", "LW"),
            fc.integer({ min: 1, max: 28 }).map((d) => `${d}W`),
            listField(1, 28),
        );
        const dayOfWeek = fc.oneof(
            fc.constant("*"),
            listField(1, 7, named(DAYS)),
            number(1, 7, named(DAYS)).map((d) => `${d}L`),
            fc.tuple(number(1, 7, named(DAYS)), fc.integer({ min: 1, max: 4 })).map(([d, n]) => `${d}#${n}`),
        );
        const validCron = fc
            .tuple(minute, hour, fc.boolean(), dayOfMonth, month, dayOfWeek, year)
            .map(([m, h, byMonthDay, dom, mon, dow, y]) => [m, h, byMonthDay ? dom : "?", mon, byMonthDay ? "?" : dow, y]);

        // --- an independent matcher for the AWS fields (no croner) ---
        function values(field: string, min: number, max: number, names: string[] = []): Set<number> {
            const num = (t: string) => (names.includes(t.toUpperCase()) ? names.indexOf(t.toUpperCase()) + 1 : Number(t));
            const out = new Set<number>();
            for (const item of field.split(",")) {
                const [range, step] = item.split("/");
                const [a, b] =
                    range === "*" ? [min, max] : range.includes("-") ? range.split("-").map(num) : [num(range), step ? max : num(range)];
                for (let v = a; v <= b; v += step ? Number(step) : 1) out.add(v);
            }
            return out;
        }
        const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
        const weekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
        const isWeekday = (y: number, m: number, d: number) => weekday(y, m, d) >= 2 && weekday(y, m, d) <= 6;

        function matchesDay(fields: string[], y: number, m: number, d: number): boolean {
            const [, , dom, mon, dow, yr] = fields;
            if (!values(mon, 1, 12, MONTHS).has(m)) return false;
            if (yr !== "*" && !values(yr, 1970, 2199).has(y)) return false;
            const last = daysIn(y, m);
            if (dom !== "?") {
                if (dom === "*") return true;
                if (dom === "L") return d === last;
                if (dom === "LW") {
                    let w = last;
                    while (!isWeekday(y, m, w)) w--;
                    return d === w;
                }
                if (dom.endsWith("W")) {
                    const target = Number(dom.slice(0, -1));
                    if (target > last) return false;
                    let w = target;
                    const wd = weekday(y, m, target);
                    if (wd === 7) w = target === 1 ? target + 2 : target - 1;
                    if (wd === 1) w = target === last ? target - 2 : target + 1;
                    return d === w;
                }
                return values(dom, 1, 31).has(d);
            }
            const dayNumber = (t: string) => (DAYS.includes(t) ? DAYS.indexOf(t) + 1 : Number(t));
            if (dow === "*") return true;
            if (dow.endsWith("L")) return weekday(y, m, d) === dayNumber(dow.slice(0, -1)) && d + 7 > last;
            if (dow.includes("#")) {
                const [day, n] = dow.split("#");
                return weekday(y, m, d) === dayNumber(day) && Math.ceil(d / 7) === Number(n);
            }
            return values(dow, 1, 7, DAYS).has(weekday(y, m, d));
        }

        const formatters = new Map<string, Intl.DateTimeFormat>();
        function localParts(instant: Date, timeZone: string) {
            if (!formatters.has(timeZone)) {
                formatters.set(
                    timeZone,
                    new Intl.DateTimeFormat("en-US", {
                        timeZone,
                        hourCycle: "h23",
                        year: "numeric",
                        month: "numeric",
                        day: "numeric",
                        hour: "numeric",
                        minute: "numeric",
                        second: "numeric",
                    }),
                );
            }
            const parts = Object.fromEntries(
                formatters
                    .get(timeZone)!
                    .formatToParts(instant)
                    .map((p) => [p.type, Number(p.value)]),
            );
            return { y: parts.year, m: parts.month, d: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
        }
        const dayNumberOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
        const dateOf = (n: number) => {
            const t = new Date(n * 86_400_000);
            return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
        };

        it("startsBetween: the starts nextStarts gives before `until`, at most `limit`, however they are chunked", () => {
            fc.assert(
                fc.property(
                    validCron,
                    fc.constantFrom(...ZONES),
                    fc.integer({ min: 0, max: 3 }),
                    INSTANTS_2025_2030,
                    fc.integer({ min: 1, max: 120 }),
                    fc.integer({ min: 1, max: 60 }),
                    (fields, timezone, offset, from, days, limit) => {
                        const expression = `cron(${fields.join(" ")})`;
                        const scheduleOffset = offset === 0 ? undefined : offset;
                        const until = new Date(from.getTime() + days * 86_400_000);
                        const all = nextStarts(expression, { timezone, scheduleOffset, from, count: limit });
                        assert.deepEqual(
                            startsBetween(expression, { timezone, scheduleOffset, from, until, limit }).map((d) => d.toISOString()),
                            all.filter((d) => d.getTime() < until.getTime()).map((d) => d.toISOString()),
                            expression,
                        );
                    },
                ),
                { numRuns: 60 },
            );
            const from = new Date("2026-01-01T00:00:00Z");
            const until = new Date("2026-03-01T00:00:00Z");
            assert.deepEqual(
                startsBetween("rate(7 days)", { timezone: "UTC", from, until, limit: 100 }).map((d) => d.toISOString().slice(0, 10)),
                ["2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29", "2026-02-05", "2026-02-12", "2026-02-19", "2026-02-26"],
            );
        });

        it("startsBetween asked again from later in the same days (the kept starts) still gives exactly what nextStarts gives", () => {
            // Kept starts are whole days around [from, until): a later `from` in the first day and a
            // limit reached before `until` must not show.
            fc.assert(
                fc.property(
                    fc.oneof(
                        validCron.map((fields) => `cron(${fields.join(" ")})`),
                        fc.constantFrom("cron(0 2 ? * * *)", "cron(30 23 ? * MON-FRI *)"),
                    ),
                    fc.constantFrom(...ZONES),
                    INSTANTS_2025_2030,
                    fc.array(fc.integer({ min: 0, max: 86_399_999 }), { minLength: 1, maxLength: 4 }),
                    fc.integer({ min: 1, max: 30 }),
                    fc.integer({ min: 1, max: 200 }),
                    (expression, timezone, from, shifts, days, limit) => {
                        const until = new Date(from.getTime() + days * 86_400_000);
                        for (const shift of [0, ...shifts]) {
                            const later = new Date(from.getTime() + shift);
                            const all = nextStarts(expression, { timezone, from: later, count: limit });
                            assert.deepEqual(
                                startsBetween(expression, { timezone, from: later, until, limit }).map((d) => d.toISOString()),
                                all.filter((d) => d.getTime() < until.getTime()).map((d) => d.toISOString()),
                                `${expression} from ${later.toISOString()}`,
                            );
                        }
                    },
                ),
                { numRuns: 40 },
            );
        });

        it("startsBetween over overlapping spans asked in any order (the kept span grown) gives exactly what nextStarts gives", () => {
            // The policies, the calendar and the checks ask for one window over overlapping spans (a year,
            // 90 days, 485 days, from other days): each answer must be the one asked for alone.
            fc.assert(
                fc.property(
                    // Starts at 00:00 UTC fall on the kept span's edges.
                    fc.oneof(
                        validCron.map((fields) => `cron(${fields.join(" ")})`),
                        fc.constantFrom("cron(0 0 ? * * *)", "cron(0 0 ? * MON-FRI *)", "cron(0 0 L * ? *)"),
                    ),
                    fc.constantFrom("UTC", ...ZONES),
                    fc.integer({ min: 0, max: 3 }),
                    INSTANTS_2025_2030,
                    fc.array(fc.tuple(fc.integer({ min: -20 * 86_400_000, max: 20 * 86_400_000 }), fc.integer({ min: 1, max: 30 })), {
                        minLength: 2,
                        maxLength: 5,
                    }),
                    (expression, timezone, offset, base, spans) => {
                        const scheduleOffset = offset === 0 ? undefined : offset;
                        for (const [shift, days] of spans) {
                            const from = new Date(base.getTime() + shift);
                            const until = new Date(from.getTime() + days * 86_400_000);
                            const all = nextStarts(expression, { timezone, scheduleOffset, from, count: 60 });
                            assert.deepEqual(
                                startsBetween(expression, { timezone, scheduleOffset, from, until, limit: 60 }).map((d) => d.toISOString()),
                                all.filter((d) => d.getTime() < until.getTime()).map((d) => d.toISOString()),
                                `${expression} +${offset} ${timezone} from ${from.toISOString()} for ${days} days`,
                            );
                        }
                    },
                ),
                { numRuns: 15 },
            );
        });

        it("property: a daily cron in UTC (counted, one start a day) gives croner's starts, from any instant, to a count or a bound", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: 0, max: 23 }),
                    fc.integer({ min: 0, max: 59 }),
                    fc.constantFrom("? * * *", "* * ? *"),
                    // Instants of any millisecond, on and just around the cron's own minute.
                    fc.oneof(
                        INSTANTS_2025_2030,
                        fc.tuple(INSTANTS_2025_2030, fc.integer({ min: -2000, max: 2000 })).map(([d, ms]) => new Date(d.getTime() + ms)),
                    ),
                    fc.integer({ min: 1, max: 40 }),
                    (hour, minute, days, when, count) => {
                        const expression = `cron(${minute} ${hour} ${days})`;
                        // From the cron's own time that day too, and a millisecond either side.
                        const onTime = Date.UTC(when.getUTCFullYear(), when.getUTCMonth(), when.getUTCDate(), hour, minute);
                        for (const from of [when, new Date(onTime), new Date(onTime - 1), new Date(onTime + 1), new Date(onTime + 999)]) {
                            const expected = iso(nextStartsReference(expression, { timezone: "Etc/UTC", from, count }));
                            assert.deepEqual(
                                iso(nextStarts(expression, { timezone: "UTC", from, count })),
                                expected,
                                `${expression} ${from.toISOString()}`,
                            );
                            const until = new Date(from.getTime() + count * 43_200_000);
                            assert.deepEqual(
                                iso(startsBetween(expression, { timezone: "UTC", from, until, limit: count })),
                                expected.filter((d) => d < until.toISOString()),
                            );
                        }
                    },
                ),
                { numRuns: 60 },
            );
            // Counted up to where croner's search ends (year 3000), as the search stops there.
            const from = new Date("2199-12-31T00:00:00Z");
            const until = new Date("3000-01-02T00:00:00Z");
            const counted = startsBetween("cron(0 5 * * ? *)", { timezone: "UTC", from, until, limit: 300_000 });
            const searched = startsBetween("cron(0 5 * * ? *)", { timezone: "Etc/UTC", from, until, limit: 300_000 });
            assert.equal(counted.length, searched.length);
            assert.equal(counted[counted.length - 1].toISOString(), "2999-12-31T05:00:00.000Z");
        });

        it("\"UTC\" (offset 0 throughout) gives the instants of the tz database's Etc/UTC through croner's Intl conversion", () => {
            fc.assert(
                fc.property(
                    validCron.map((fields) => `cron(${fields.join(" ")})`),
                    fc.integer({ min: 0, max: 6 }),
                    INSTANTS_2025_2030,
                    (expression, offset, from) => {
                        const scheduleOffset = offset === 0 ? undefined : offset;
                        const opts = (timezone: string) => ({ timezone, scheduleOffset, from, count: 12 });
                        assert.deepEqual(
                            iso(nextStarts(expression, opts("UTC"))),
                            iso(nextStartsReference(expression, opts("Etc/UTC"))),
                            expression,
                        );
                    },
                ),
                { numRuns: 40 },
            );
        });

        describe("zones other than UTC: the cheap path (the zone's offsets found once) gives croner's own conversion's instants", () => {
            // Offsets changing at 02:00/03:00 (EU, US, Morocco), by 30 minutes (Lord Howe), at 02:45 (Chatham),
            // at midnight (Santiago, Havana, Beirut), at 23:00 into the next day (Nuuk: a gap no start of that date
            // can take), by 2 hours (Troll), negative DST (Dublin) or never (Kolkata).
            const DST_ZONES = [
                "Europe/Amsterdam",
                "America/New_York",
                "Australia/Lord_Howe",
                "Asia/Kolkata",
                "Pacific/Chatham",
                "America/Santiago",
                "Africa/Casablanca",
                "America/Havana",
                "Asia/Beirut",
                "Antarctica/Troll",
                "Europe/Dublin",
                "Pacific/Auckland",
                "America/Nuuk",
            ];
            // Every hour, 2 included: a start may fall in a gap or a repeated hour.
            const anyHourCron = fc
                .tuple(validCron, fc.integer({ min: 0, max: 23 }))
                .map(([fields, h]) => `cron(${[fields[0], String(h), ...fields.slice(2)].join(" ")})`);

            /** The instants in [from, until) where a zone's offset changes, to the minute (Intl's offset names, not zone.ts). */
            function offsetChanges(timeZone: string, from: number, until: number): number[] {
                const format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
                const offset = (t: number) => format.formatToParts(t).find((p) => p.type === "timeZoneName")!.value;
                const changes: number[] = [];
                for (let t = from; t < until; t += 86_400_000) {
                    let [low, high] = [t, t + 86_400_000];
                    if (offset(low) === offset(high)) continue;
                    while (high - low > 60_000) {
                        const middle = low + Math.floor((high - low) / 120_000) * 60_000;
                        if (offset(middle) === offset(low)) low = middle;
                        else high = middle;
                    }
                    changes.push(high);
                }
                return changes;
            }
            /** The starts, or the error: both paths throw alike where a start's date has no such time (Nuuk, below). */
            const outcome = (starts: typeof nextStarts, expression: string, opts: Parameters<typeof nextStarts>[1]) => {
                try {
                    return iso(starts(expression, opts));
                } catch (error) {
                    return (error as Error).message;
                }
            };
            const CHANGES = new Map(
                DST_ZONES.map((zone) => [zone, offsetChanges(zone, Date.UTC(2025, 0, 1), Date.UTC(2031, 0, 1))] as const),
            );

            it("the zones' offsets change in the years drawn (so the cases below meet gaps and repeats)", () => {
                // Europe/Amsterdam: "last Sunday in March ... 01:00 UTC" and "last Sunday in October" (EU
                // summer-time directive 2000/84/EC, Articles 2 and 3): 2026-03-29 and 2026-10-25.
                const amsterdam = CHANGES.get("Europe/Amsterdam")!.map((t) => new Date(t).toISOString());
                assert.ok(
                    amsterdam.includes("2026-03-29T01:00:00.000Z") && amsterdam.includes("2026-10-25T01:00:00.000Z"),
                    String(amsterdam),
                );
                for (const zone of DST_ZONES.filter((z) => z !== "Asia/Kolkata")) assert.ok(CHANGES.get(zone)!.length >= 6, zone);
                assert.deepEqual(CHANGES.get("Asia/Kolkata"), []);
            });

            it("random crons, zones, offsets and instants, many of them hours from an offset change", () => {
                fc.assert(
                    fc.property(
                        anyHourCron,
                        fc.constantFrom(...DST_ZONES),
                        fc.integer({ min: 0, max: 6 }),
                        fc.oneof(
                            INSTANTS_2025_2030,
                            // Within two days of a change, to the millisecond.
                            fc.tuple(fc.nat(), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 })),
                        ),
                        fc.integer({ min: 1, max: 8 }),
                        (expression, timezone, offset, when, count) => {
                            const changes = CHANGES.get(timezone)!;
                            const from =
                                when instanceof Date
                                    ? when
                                    : new Date((changes[when[0] % Math.max(1, changes.length)] ?? Date.UTC(2026, 5, 1)) + when[1]);
                            const scheduleOffset = offset === 0 ? undefined : offset;
                            const opts = { timezone, scheduleOffset, from, count };
                            assert.deepEqual(
                                outcome(nextStarts, expression, opts),
                                outcome(nextStartsReference, expression, opts),
                                `${expression} +${offset} ${timezone} from ${from.toISOString()}`,
                            );
                        },
                    ),
                    { numRuns: 120 },
                );
            });

            it(":00, :30 and :45 of each hour of the transition nights, from just before, at and just after each change", () => {
                for (const timezone of [
                    "Europe/Amsterdam",
                    "America/New_York",
                    "Australia/Lord_Howe",
                    "Pacific/Chatham",
                    "America/Santiago",
                    "America/Nuuk",
                ]) {
                    for (const change of CHANGES.get(timezone)!.filter((t) => t >= Date.UTC(2026, 0, 1) && t < Date.UTC(2027, 0, 1))) {
                        const format = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hour: "numeric", hourCycle: "h23" });
                        const hour = Number(format.format(change));
                        for (let h = hour - 1; h <= hour + 1; h++) {
                            for (const minute of [0, 30, 45]) {
                                for (const [expression, scheduleOffset] of [
                                    [`cron(${minute} ${(h + 24) % 24} * * ? *)`, undefined],
                                    [`cron(${minute} ${(h + 24) % 24} * * ? *)`, 1],
                                ] as const) {
                                    for (const shift of [-86_400_000, -60_000, 3_600_000]) {
                                        const opts = { timezone, scheduleOffset, from: new Date(change + shift), count: 3 };
                                        assert.deepEqual(
                                            outcome(nextStarts, expression, opts),
                                            outcome(nextStartsReference, expression, opts),
                                            `${expression} +${scheduleOffset ?? 0} ${timezone} from ${opts.from.toISOString()}`,
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            });

            it("a date and time's instant (an exemption's until, a freeze's bounds, an at() window): croner's own, read from the offsets", () => {
                const outcomeOf = (read: () => Date) => {
                    try {
                        return read().toISOString();
                    } catch (error) {
                        return (error as Error).message;
                    }
                };
                const pad = (n: number, width = 2) => String(n).padStart(width, "0");
                fc.assert(
                    fc.property(
                        fc.constantFrom(...DST_ZONES, "UTC"),
                        fc.oneof(
                            // Any day from 1971 to 2199, or within two days of a change (a gap, a repeat).
                            fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2199, 11, 31) }),
                            fc.tuple(fc.nat(), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 })),
                        ),
                        fc.integer({ min: 0, max: 23 }),
                        fc.constantFrom(0, 1, 15, 30, 45, 59),
                        (timezone, when, hour, minute) => {
                            const changes = CHANGES.get(timezone) ?? [];
                            const at =
                                typeof when === "number"
                                    ? when
                                    : (changes[when[0] % Math.max(1, changes.length)] ?? Date.UTC(2026, 5, 1)) + when[1];
                            const d = new Date(at);
                            const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
                            const time = `${pad(hour)}:${pad(minute)}`;
                            const expected = outcomeOf(() => zonedInstantReference(date, time, timezone));
                            assert.equal(
                                outcomeOf(() => zonedInstant(date, time, timezone)),
                                expected,
                                `${date} ${time} ${timezone}`,
                            );
                            const expression = `at(${date}T${time}:00)`;
                            const opts = { timezone, from: new Date(Date.UTC(1970, 0, 1)), count: 1 };
                            assert.deepEqual(outcome(nextStarts, expression, opts), outcome(nextStartsReference, expression, opts));
                        },
                    ),
                    { numRuns: 300 },
                );
                // Wall-clock times to the second from 2 h before to 3 h after each change's last second
                // before it: in its gap or repeat, and (Nuuk) in a gap that runs into the next date.
                const wallOf = (ms: number, timeZone: string) => {
                    const p = localParts(new Date(ms), timeZone);
                    return Date.UTC(p.y, p.m - 1, p.d, p.hour, p.minute, p.second);
                };
                const stamp = (wall: number) => new Date(wall).toISOString().slice(0, 19);
                fc.assert(
                    fc.property(
                        fc.constantFrom(...DST_ZONES.filter((z) => z !== "Asia/Kolkata")),
                        fc.nat(),
                        fc.integer({ min: -2 * 3600, max: 3 * 3600 }),
                        (timezone, pick, seconds) => {
                            const changes = CHANGES.get(timezone)!;
                            const wall = wallOf(changes[pick % changes.length] - 1000, timezone) + seconds * 1000;
                            const [date, time] = [stamp(wall).slice(0, 10), stamp(wall).slice(11, 16)];
                            assert.equal(
                                outcomeOf(() => zonedInstant(date, time, timezone)),
                                outcomeOf(() => zonedInstantReference(date, time, timezone)),
                                `${date} ${time} ${timezone}`,
                            );
                            const expression = `at(${stamp(wall)})`;
                            const opts = { timezone, from: new Date(Date.UTC(1970, 0, 1)), count: 1 };
                            assert.deepEqual(
                                outcome(nextStarts, expression, opts),
                                outcome(nextStartsReference, expression, opts),
                                expression,
                            );
                        },
                    ),
                    { numRuns: 400 },
                );
                // A whole date skipped (Samoa and Kiribati moved across the date line): no instant on it either way.
                for (const [timezone, date] of [
                    ["Pacific/Apia", "2011-12-30"],
                    ["Pacific/Kiritimati", "1994-12-31"],
                ]) {
                    for (const time of ["00:00", "12:00", "23:59"]) {
                        assert.throws(() => zonedInstant(date, time, timezone), /no instant/, `${date} ${time} ${timezone}`);
                        assert.throws(() => zonedInstantReference(date, time, timezone), /no instant/);
                    }
                }
                // A gap's end on the same date, a repeated time's first instant, and a gap into the next date.
                assert.equal(zonedInstant("2026-03-29", "02:30", "Europe/Amsterdam").toISOString(), "2026-03-29T01:00:00.000Z");
                assert.equal(zonedInstant("2026-10-25", "02:30", "Europe/Amsterdam").toISOString(), "2026-10-25T00:30:00.000Z");
                assert.throws(() => zonedInstant("2026-03-28", "23:30", "America/Nuuk"), /no instant/);
                assert.throws(() => zonedInstantReference("2026-03-28", "23:30", "America/Nuuk"), /no instant/);
                // Not a date (the 31st of April, hour 24): croner's answer, whatever it is.
                for (const [date, time] of [
                    ["2027-04-31", "00:00"],
                    ["2027-01-01", "24:00"],
                    ["1969-12-31", "12:00"],
                ])
                    assert.equal(
                        outcomeOf(() => zonedInstant(date, time, "Europe/Amsterdam")),
                        outcomeOf(() => zonedInstantReference(date, time, "Europe/Amsterdam")),
                    );
            });

            it("a shifted date whose wall time a gap moves into the next date has no start; the series goes on after it", () => {
                // America/Nuuk moves from -02 to -01 at 01:00 UTC on 29 March 2026, 23:00 local on the 28th, so 23:59
                // on the 28th does not exist and its end, 00:00, is the next date: the start a day after the 27th's
                // 23:59 has no instant, as croner has none for a cron at 23:59 that night (no offset).
                // (The cron itself has no match on the 28th either, so the shifted series also has none on the 29th.)
                const opts = { timezone: "America/Nuuk", from: new Date("2026-03-25T12:00:00Z"), count: 6, scheduleOffset: 1 };
                const expected = [
                    "2026-03-26T01:59:00.000Z",
                    "2026-03-27T01:59:00.000Z",
                    "2026-03-28T01:59:00.000Z",
                    // the 28th (from the 27th) and the 29th (from the 28th) have none
                    "2026-03-31T00:59:00.000Z",
                    "2026-04-01T00:59:00.000Z",
                    "2026-04-02T00:59:00.000Z",
                ];
                assert.deepEqual(iso(nextStarts("cron(59 23 ? * * *)", opts)), expected);
                assert.deepEqual(iso(nextStartsReference("cron(59 23 ? * * *)", opts)), expected);
                const until = new Date("2026-04-02T12:00:00Z");
                assert.deepEqual(iso(startsBetween("cron(59 23 ? * * *)", { ...opts, until, limit: 100 })), expected);
            });

            it("startsBetween computes no start at or after `until`", () => {
                const opts = { timezone: "America/Nuuk", scheduleOffset: 1, from: new Date("2026-03-01T12:00:00Z") };
                const until = new Date("2026-03-20T12:00:00Z");
                assert.deepEqual(
                    iso(startsBetween("cron(59 23 ? * * *)", { ...opts, until, limit: 100 })),
                    iso(nextStartsReference("cron(59 23 ? * * *)", { ...opts, count: 19 })).filter((t) => t < until.toISOString()),
                );
            });

            it("a year of daily starts in a zone costs Intl conversions per year of the zone, not per start", () => {
                // Counted, not timed: croner converts through Intl several times at every start it finds in a zone.
                const original = Intl.DateTimeFormat.prototype.formatToParts;
                let calls = 0;
                Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
                    calls++;
                    return original.call(this, date);
                };
                let starts: Date[];
                try {
                    starts = nextStarts("cron(0 22 ? * * *)", {
                        timezone: "Europe/Zurich",
                        from: new Date("2027-01-01T00:00:00Z"),
                        count: 3 * 365,
                    });
                } finally {
                    Intl.DateTimeFormat.prototype.formatToParts = original;
                }
                assert.equal(starts.length, 3 * 365);
                assert.ok(calls < 2 * starts.length, `${calls} Intl conversions for ${starts.length} starts`);
            });
        });

        it("generated valid crons: accepted, described, and nextStarts is increasing, matching and complete", () => {
            fc.assert(
                fc.property(
                    validCron,
                    fc.constantFrom(...ZONES),
                    fc.integer({ min: 0, max: 6 }),
                    INSTANTS_2025_2030,
                    (fields, timezone, offset, from) => {
                        const expression = `cron(${fields.join(" ")})`;
                        assert.deepEqual(checkSchedule(expression), [], expression);
                        const scheduleOffset = offset === 0 ? undefined : offset;
                        assert.ok(
                            describeSchedule(expression, { timezone, durationHours: 3, scheduleOffset }).endsWith(
                                `, ${timezone}, for 3 hours`,
                            ),
                        );

                        const result = nextStarts(expression, { timezone, scheduleOffset, from, count: 5 });
                        if (fields[5] === "*") assert.equal(result.length, 5, expression);
                        const f = localParts(from, timezone);
                        let previousMatchDay = dayNumberOf(f.y, f.m, f.d) - offset;
                        let previous = from.getTime();
                        for (const start of result) {
                            assert.ok(
                                start.getTime() > previous,
                                `${expression}: ${start.toISOString()} not after ${new Date(previous).toISOString()}`,
                            );
                            previous = start.getTime();
                            const local = localParts(start, timezone);
                            assert.equal(local.minute, Number(fields[0]), `${expression} minute at ${start.toISOString()}`);
                            assert.equal(local.hour, Number(fields[1]), `${expression} hour at ${start.toISOString()}`);
                            const matchDay = dayNumberOf(local.y, local.m, local.d) - offset;
                            const matched = dateOf(matchDay);
                            assert.ok(
                                matchesDay(fields, matched.y, matched.m, matched.d),
                                `${expression} +${offset}d in ${timezone}: ${start.toISOString()}`,
                            );
                            // No matching day was skipped between two starts.
                            for (let n = previousMatchDay + 1; n < matchDay; n++) {
                                const skipped = dateOf(n);
                                assert.ok(
                                    !matchesDay(fields, skipped.y, skipped.m, skipped.d),
                                    `${expression}: skipped ${JSON.stringify(skipped)}`,
                                );
                            }
                            previousMatchDay = matchDay;
                        }
                    },
                ),
                { numRuns: 200 },
            );
        });

        it("invalid inputs always get at least one message", () => {
            const messages = (expression: string) => {
                const problems = checkSchedule(expression);
                assert.ok(problems.length > 0 && problems.every((p) => p.trim().length > 0), expression);
                return problems.join("\n");
            };
            fc.assert(
                fc.property(fc.string({ maxLength: 40 }), (text) => {
                    messages(text);
                }),
                { numRuns: 200 },
            );
            fc.assert(
                fc.property(validCron, (fields) => {
                    assert.match(messages(`cron(${fields.slice(0, 5).join(" ")})`), /5 fields/);
                }),
                { numRuns: 200 },
            );
            fc.assert(
                fc.property(validCron, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), (fields, a, b) => {
                    fc.pre(a !== b);
                    const expression = `cron(${[fields[0], `${a}-${b}`, ...fields.slice(2)].join(" ")})`;
                    assert.match(messages(expression), new RegExp(`the hour field "${a}-${b}" is a range`));
                }),
                { numRuns: 200 },
            );
        });
    });

    it("property: the day walk answers as croner's nextRun at offset 0, step after step, for every day rule (W and LW left to croner)", () => {
        const subset = (min: number, max: number) =>
            fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((a) => [...a].sort((x, y) => x - y));
        const dayOfMonth = fc.oneof(
            fc.constant({ kind: "any" as const }),
            subset(1, 31).map((days) => ({ kind: "days" as const, days })),
            fc.constant({ kind: "last" as const }),
            fc.constant({ kind: "lastWeekday" as const }),
            fc.integer({ min: 1, max: 31 }).map((day) => ({ kind: "nearestWeekday" as const, day })),
        );
        const dayOfWeek = fc.oneof(
            subset(1, 7).map((days) => ({ kind: "days" as const, days })),
            fc.record({ kind: fc.constant("nth" as const), day: fc.integer({ min: 1, max: 7 }), nth: fc.integer({ min: 1, max: 5 }) }),
            fc.record({ kind: fc.constant("last" as const), day: fc.integer({ min: 1, max: 7 }) }),
        );
        const schedule: fc.Arbitrary<CronSchedule> = fc
            .record({
                minute: fc.integer({ min: 0, max: 59 }),
                hour: fc.integer({ min: 0, max: 23 }),
                dayOfMonth,
                dayOfWeek: fc.oneof(fc.constant({ kind: "any" as const }), dayOfWeek),
                months: fc.oneof(fc.constant<number[]>([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), subset(1, 12)),
                years: fc.oneof(fc.constant("any" as const), subset(2025, 2031)),
            })
            // The dialect restricts one day field at most (the other is `?`).
            .map((s) => ({ kind: "cron" as const, ...s, dayOfWeek: s.dayOfMonth.kind === "any" ? s.dayOfWeek : { kind: "any" as const } }));
        fc.assert(
            fc.property(
                schedule,
                // Years near now, and around 2100 (no leap day: the day walk counts the calendar itself).
                fc.oneof(
                    fc.integer({ min: Date.UTC(2024, 11, 1), max: Date.UTC(2031, 0, 1) }),
                    fc.integer({ min: Date.UTC(2099, 10, 1), max: Date.UTC(2100, 3, 1) }),
                ),
                fc.constantFrom(0, 1, 999, 59_999),
                (s, instant, ms) => {
                    const job = wallClockJob(toCronerPattern(s));
                    let walked: number | null = instant - (instant % 1000) + ms;
                    let croner: number | null = walked;
                    let lazily: number | null = walked;
                    // Given a way to make the job instead: the same answers, and no job made for days it walks.
                    let made = 0;
                    const makeJob = () => (made++, job);
                    for (let step = 0; step < 4 && walked !== null; step++) {
                        walked = nextWallClock(s, job, walked);
                        croner = job.nextRun(new Date(croner!))?.getTime() ?? null;
                        lazily = nextWallClock(s, makeJob, lazily!);
                        assert.equal(walked, croner, `${toCronerPattern(s)} step ${step}`);
                        assert.equal(lazily, croner, `${toCronerPattern(s)} step ${step}, job made when needed`);
                    }
                    const walkable =
                        ["any", "days", "last"].includes(s.dayOfMonth.kind) && (s.dayOfMonth.kind === "any" || s.dayOfWeek.kind === "any");
                    if (walkable && s.years === "any" && lazily !== null)
                        assert.equal(made, 0, `${toCronerPattern(s)}: no croner job needed`);
                },
            ),
            { numRuns: 400 },
        );
    });
});
