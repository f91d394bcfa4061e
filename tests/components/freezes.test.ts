// Change freezes: the config (key paths), the Change Calendar the program writes (read back with
// node-ical, an independent parser), the stop that follows the calendar's EventBridge events, the
// associations that wait for it, and the offline views (rollout order, gaps, calendar, pictures).
import { strict as assert } from "assert";
import fc from "fast-check";
import * as ical from "node-ical";
import { parseConfig } from "../../config";
import { FreezePeriod, freezeSpans, frozenAt } from "../../config/freezes";
import { calendarArn, changeCalendarContent, freezeRunbook } from "../../components/freezes";
import { checkFreezeGaps, checkRolloutOrder, fleetCalendar, FleetStack, FleetWindow } from "../../tools/fleet";
import { windowsIcs } from "../../tools/fleet/ics";
import { rolloutGantt } from "../../tools/fleet/rollout/mermaid";
import { evaluate, raw, refused } from "../helpers";
import { matches } from "../facts/eventPattern";
import { sampleEvent } from "../facts/facts";
import { parse as parseYaml } from "yaml";

// The EventBridge event of a calendar closing, as the Systems Manager user guide shows it (fact event-calendar-state-change).
const CALENDAR_CLOSED_EVENT = sampleEvent("event-calendar-state-change");
// The Change Calendar document's content as CloudFormation's AWS::SSM::Document reference creates one
// ("Create a Systems Manager Change Calendar document"): DocumentType ChangeCalendar, DocumentFormat
// TEXT, "PRODID:-//AWS//Change Calendar 1.0//EN", "X-CALENDAR-TYPE:DEFAULT_OPEN".
const AWS_PRODID = "PRODID:-//AWS//Change Calendar 1.0//EN";
const AWS_DEFAULT_OPEN = "X-CALENDAR-TYPE:DEFAULT_OPEN";

const yearEnd = { name: "Year end", start: "2026-12-18T18:00", end: "2027-01-04", reason: "closing", rrule: "FREQ=YEARLY" };
const base = { environment: "production", timezone: "Europe/Amsterdam" };

describe("change freezes", function () {
    describe("config", function () {
        it("reads start and end in the stack's zone; a yearly freeze repeats at the same UTC time", function () {
            const m = parseConfig(raw({ ...base, freezes: [yearEnd] }), "t", "Pulumi.t.yaml", { now: new Date("2026-12-01T00:00:00Z") });
            // Amsterdam is UTC+1 in December.
            assert.equal(m.freezes.periods[0].start, "2026-12-18T17:00:00.000Z");
            assert.equal(m.freezes.periods[0].end, "2027-01-03T23:00:00.000Z");
            const spans = freezeSpans(m.freezes.periods, new Date("2027-06-01T00:00:00Z"), new Date("2029-01-01T00:00:00Z"));
            assert.deepEqual(
                spans.map((s) => s.start.toISOString()),
                ["2027-12-18T17:00:00.000Z", "2028-12-18T17:00:00.000Z"],
            );
            assert.equal(frozenAt(m.freezes.periods, new Date("2027-12-18T16:59:59Z")), undefined);
            assert.equal(frozenAt(m.freezes.periods, new Date("2027-12-18T17:00:00Z"))?.name, "Year end");
            assert.equal(frozenAt(m.freezes.periods, new Date("2028-01-03T23:00:00Z")), undefined, "the end is open");
            assert.equal(m.freezes.maxDaysWithoutInstall, 35);
        });

        it("refuses an end before the start, a rule without FREQ or with DTSTART, and bad dates, at their paths", function () {
            refused({ ...base, freezes: [{ ...yearEnd, end: "2026-12-01" }] }, "patch-manager:freezes[0].end", "not after start");
            refused({ ...base, freezes: [{ ...yearEnd, rrule: "COUNT=3" }] }, "patch-manager:freezes[0].rrule", "FREQ");
            refused(
                { ...base, freezes: [{ ...yearEnd, rrule: "DTSTART:20260101T000000Z;FREQ=DAILY" }] },
                "patch-manager:freezes[0].rrule",
                "DTSTART",
            );
            refused({ ...base, freezes: [{ ...yearEnd, start: "2026-12-32" }] }, "patch-manager:freezes[0].start", "YYYY-MM-DD");
            refused({ ...base, freezes: [{ ...yearEnd, reason: undefined }] }, "patch-manager:freezes[0].reason", "is required");
            refused({ ...base, freezeCalendar: "x" }, "patch-manager:freezeCalendar", "name");
            refused({ ...base, maxDaysWithoutInstall: 3 }, "patch-manager:maxDaysWithoutInstall", "7 to 366");
            refused(
                { ...base, regions: ["eu-west-1", "eu-central-1"], freezeCalendar: "arn:aws:ssm:eu-west-1:123456789012:document/Org" },
                "patch-manager:freezeCalendar",
                "one region",
            );
        });
    });

    describe("the Change Calendar document", function () {
        const periods = parseConfig(raw({ ...base, freezes: [yearEnd] }), "t", "Pulumi.t.yaml", { now: new Date("2026-12-01T00:00:00Z") })
            .freezes.periods;
        const content = changeCalendarContent(periods, "freezes");

        it("is DEFAULT_OPEN with AWS's PRODID, the type a calendar property before the first event", function () {
            const lines = content.split("\r\n");
            assert.ok(lines.includes(AWS_PRODID), content);
            assert.ok(lines.includes(AWS_DEFAULT_OPEN));
            assert.ok(lines.indexOf(AWS_DEFAULT_OPEN) < lines.indexOf("BEGIN:VEVENT"));
        });

        it("holds each freeze as an event an iCalendar parser reads back: start, end, the yearly rule", function () {
            const events = Object.values(ical.sync.parseICS(content)).filter((c: any) => c.type === "VEVENT") as any[];
            assert.equal(events.length, 1);
            assert.equal(new Date(events[0].start).toISOString(), "2026-12-18T17:00:00.000Z");
            assert.equal(new Date(events[0].end).toISOString(), "2027-01-03T23:00:00.000Z");
            assert.match(String(events[0].rrule), /FREQ=YEARLY/);
            // The same content for the same freezes: no timestamp of the run in it.
            assert.equal(changeCalendarContent(periods, "freezes"), content);
        });
    });

    describe("the program (example stack prod-strategies)", function () {
        it("creates the calendar, a rule that matches AWS's calendar state-change event, and a runbook fed the state", async function () {
            const s = await evaluate("prod-strategies");
            const calendar = s.one("aws:ssm/document:Document", "freezes-calendar");
            assert.equal(calendar.inputs.documentType, "ChangeCalendar");
            assert.equal(calendar.inputs.documentFormat, "TEXT");
            assert.equal(calendar.options.deleteBeforeReplace, true, "a fixed name: the replacement must not collide");
            const rule = s.one("aws:cloudwatch/eventRule:EventRule", "freezes-calendar-state");
            const pattern = JSON.parse(String(rule.inputs.eventPattern));
            const ours = { ...CALENDAR_CLOSED_EVENT, region: "eu-west-1", resources: [pattern.resources[0]] };
            assert.ok(matches(pattern, ours), "the documented event of our calendar matches");
            assert.ok(!matches(pattern, CALENDAR_CLOSED_EVENT), "another calendar's does not");
            assert.equal(pattern.resources[0], calendarArn(String(calendar.inputs.name), "aws", "eu-west-1", "123456789012"));
            const target = s.one("aws:cloudwatch/eventTarget:EventTarget", "freezes-calendar-to-runbook");
            const transformer = target.inputs.inputTransformer as any;
            assert.equal(transformer.inputPaths.state, "$.detail.state");
            const runbook = parseYaml(String(s.one("aws:ssm/document:Document", "freezes-runbook").inputs.content));
            assert.deepEqual(runbook.parameters.State.allowedValues, [CALENDAR_CLOSED_EVENT.detail.state, "OPEN"].sort().reverse());
            assert.ok(transformer.inputTemplate.includes('"State": [<state>]'));
            // The window ids the runbook switches are the stack's windows.
            const windowIds = s.ofType("aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => w.id);
            assert.deepEqual([...runbook.mainSteps[0].inputs.InputPayload.WindowIds].sort(), [...windowIds].sort());
            // The on-join association waits for the calendar.
            const onJoin = s.ofType("aws:ssm/association:Association").find((a) => String(a.inputs.associationName).endsWith("on-join"))!;
            assert.deepEqual(onJoin.inputs.calendarNames, [calendar.inputs.name]);
        });

        it("grants the runbook's role only the stack's windows, tags only its own key, and passes only its role to SSM", async function () {
            const s = await evaluate("prod-strategies");
            const follow = JSON.parse(String(s.one("aws:iam/rolePolicy:RolePolicy", "freezes-follow-calendar").inputs.policy));
            for (const st of follow.Statement) {
                // The stack's windows; the calendars' state is read on the calendars themselves.
                const own =
                    st.Action === "ssm:GetCalendarState"
                        ? /^arn:aws:ssm:eu-west-1:123456789012:document\/patch-manager-prod-strategies-freezes$/
                        : /^arn:aws:ssm:eu-west-1:123456789012:maintenancewindow\/mw-[0-9a-f]{17}$/;
                for (const r of [st.Resource].flat()) assert.match(r, own);
            }
            const tagging = follow.Statement.find((st: any) => st.Action.includes("ssm:AddTagsToResource"));
            assert.deepEqual(tagging.Condition["ForAllValues:StringEquals"]["aws:TagKeys"], ["patch-manager:frozen"]);
            const start = JSON.parse(String(s.one("aws:iam/rolePolicy:RolePolicy", "freezes-start-runbook").inputs.policy));
            const pass = start.Statement.find((st: any) => st.Action === "iam:PassRole");
            assert.equal(pass.Condition.StringEquals["iam:PassedToService"], "ssm.amazonaws.com");
            assert.notEqual(pass.Resource, "*");
        });
    });

    describe("the runbooks", function () {
        it("the freeze runbook is one aws:executeScript step over every calendar (executed: tests/components/ownRunbooksExecuted.test.ts)", function () {
            const calendars = ["arn:aws:ssm:eu-west-1:123456789012:document/a", "arn:aws:ssm:eu-west-1:123456789012:document/b"];
            const doc = freezeRunbook(["mw-0123456789abcdef0"], calendars) as any;
            // What the script does is executed in tests/components/ownRunbooksExecuted.test.ts.
            assert.deepEqual(doc.mainSteps[0].inputs.InputPayload.Calendars, calendars);
            assert.equal(doc.schemaVersion, "0.3");
            const step = doc.mainSteps[0];
            assert.equal(step.action, "aws:executeScript");
            // Automation actions reference, aws:executeScript: Runtime, Handler, Script, InputPayload.
            assert.deepEqual(Object.keys(step.inputs).sort(), ["Handler", "InputPayload", "Runtime", "Script"]);
        });
    });

    describe("offline views", function () {
        const FROM = new Date("2026-12-01T00:00:00Z");
        const periods = [
            { index: 0, name: "Year end", reason: "closing", start: "2026-12-15T00:00:00.000Z", end: "2027-01-05T00:00:00.000Z" },
        ];
        const win = (name: string, schedule: string): FleetWindow => ({
            name,
            schedule,
            timezone: "UTC",
            durationHours: 4,
            patchGroups: ["Windows"],
            operation: "Install",
        });
        const group = {
            name: "Windows",
            operatingSystem: "WINDOWS" as const,
            baseline: "b",
            approvals: [{ kind: "afterDays" as const, days: 7 }],
        };
        const fleet = (devFrozen: boolean, prodFrozen: boolean): FleetStack[] => [
            {
                stack: "dev",
                environment: "development",
                production: false,
                region: "eu-west-1",
                windows: [win("dev-nightly", "cron(0 22 * * ? *)")],
                groups: [{ ...group, approvals: [{ kind: "onRelease" as const }] }],
                ...(devFrozen ? { freezes: periods } : {}),
            },
            {
                stack: "prod",
                environment: "production",
                production: true,
                region: "eu-west-1",
                windows: [win("prod-weekly", "cron(0 6 ? * SAT *)")],
                groups: [group],
                ...(prodFrozen ? { freezes: periods } : {}),
            },
        ];

        it("rollout order counts only starts a freeze does not skip: development frozen, production not, is reported", function () {
            const opts = { from: FROM, days: 30, soakDays: 2 };
            assert.deepEqual(checkRolloutOrder(fleet(false, false), opts), []);
            assert.deepEqual(checkRolloutOrder(fleet(true, true), opts), []);
            const findings = checkRolloutOrder(fleet(true, false), opts);
            assert.equal(findings.length, 1);
            assert.equal(findings[0].stack, "prod");
        });

        it("marks skipped starts in the calendar, the .ics file (cancelled) and the gantt", function () {
            const calendar = fleetCalendar(fleet(true, false), FROM, 28);
            const skipped = calendar.filter((o) => o.skipped !== undefined);
            assert.ok(skipped.length > 0 && skipped.every((o) => o.stack === "dev" && o.start >= new Date(periods[0].start)));
            const events = Object.values(ical.sync.parseICS(windowsIcs(calendar, { stamp: FROM }))).filter(
                (c: any) => c.type === "VEVENT",
            ) as any[];
            assert.equal(events.filter((e) => e.status === "CANCELLED").length, skipped.length);
            const gantt = rolloutGantt({
                report: { from: FROM.toISOString(), days: 28, soakDays: 2, calendar, quota: [], findings: [] },
                stacks: fleet(true, false),
            });
            assert.equal(gantt.filter((l) => / SKIPPED Year end :done, /.test(l)).length, skipped.length);
        });

        it("reports a group a freeze keeps from every install for longer than the bound, and not one it only delays", function () {
            const monthly: FleetStack = { ...fleet(true, false)[0], windows: [win("dev-monthly", "cron(0 22 ? * WED#3 *)")] };
            const weekly: FleetStack = { ...fleet(true, false)[0], windows: [win("dev-weekly", "cron(0 22 ? * WED *)")] };
            const gaps = checkFreezeGaps([monthly], { from: FROM, days: 60 });
            assert.equal(gaps.length, 1);
            assert.equal(gaps[0].patchGroup, "Windows");
            assert.ok(gaps[0].days > 35);
            assert.deepEqual(checkFreezeGaps([weekly], { from: FROM, days: 60 }), [], "a weekly window only waits");
            assert.deepEqual(checkFreezeGaps([{ ...monthly, maxDaysWithoutInstall: 70 }], { from: FROM, days: 60 }), []);
        });

        it("property: frozenAt, asked in any order (its spans kept a year either side), is the first span by start that holds the instant", function () {
            const DAY = 86_400_000;
            const base = Date.parse("2026-01-01T00:00:00Z");
            const period = fc.record({
                offsetHours: fc.integer({ min: -24 * 400, max: 24 * 800 }),
                hours: fc.integer({ min: 1, max: 24 * 20 }),
                rrule: fc.option(
                    fc.constantFrom("FREQ=YEARLY", "FREQ=MONTHLY", "FREQ=WEEKLY", "FREQ=DAILY;INTERVAL=9", "FREQ=MONTHLY;BYMONTHDAY=-1"),
                    {
                        nil: undefined,
                    },
                ),
            });
            fc.assert(
                fc.property(
                    fc.array(period, { minLength: 1, maxLength: 4 }),
                    fc.array(fc.integer({ min: -500 * 24, max: 1200 * 24 }), { minLength: 1, maxLength: 12 }),
                    (shapes, hours) => {
                        const periods: FreezePeriod[] = shapes.map((p, index) => ({
                            index,
                            name: `f${index}`,
                            reason: "r",
                            start: new Date(base + p.offsetHours * 3_600_000).toISOString(),
                            end: new Date(base + (p.offsetHours + p.hours) * 3_600_000).toISOString(),
                            ...(p.rrule ? { rrule: p.rrule } : {}),
                        }));
                        for (const h of hours) {
                            // An instant on the hour, just before it, or the hour's last millisecond.
                            for (const at of [base + h * 3_600_000, base + h * 3_600_000 - 1, base + h * 3_600_000 + (h % 7) * DAY]) {
                                const expected = freezeSpans(periods, new Date(at), new Date(at + 1)).find((s) => s.start.getTime() <= at);
                                assert.deepEqual(frozenAt(periods, new Date(at)), expected, new Date(at).toISOString());
                            }
                        }
                    },
                ),
                { numRuns: 60 },
            );
        });
    });
});
