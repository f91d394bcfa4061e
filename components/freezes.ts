// Change freezes as AWS resources: an SSM Change Calendar (DEFAULT_OPEN, closed during each
// freeze) the program owns, and the stop that acts on it. Maintenance windows do not consult a
// calendar themselves, so an EventBridge rule on the calendars' "Calendar State Change" events
// starts a runbook that disables the stack's windows when a calendar closes and enables them again
// when it opens: only windows it disabled itself (tagged FROZEN_TAG), and never one the safe stop
// disabled (tagged STOPPED_BY_ALARM_TAG, components/alarmStop.ts). Associations the program creates
// take the calendars as `calendarNames`: SSM runs them only while every calendar is open.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FreezePeriod } from "../config/freezes";
import { RESOURCE_TYPES } from "../config/resourceTypes";
import { STOPPED_BY_ALARM_TAG } from "./alarmStop";
import { ownRunbook, RunbookPlace, startOnRule } from "./runbooks";

/**
 * The EventBridge event of a calendar's state change (Systems Manager user guide, "Amazon
 * EventBridge event examples for Systems Manager", Change Calendar events): source `aws.ssm`,
 * detail-type "Calendar State Change", `resources` the calendar document's ARN, `detail.state`
 * OPEN or CLOSED. State changes of calendars shared from other accounts are not sent.
 */
export const CALENDAR_STATE_CHANGE = "Calendar State Change";

/** The tag the freeze runbook puts on a window it disabled, and removes when it enables it again. */
export const FROZEN_TAG = "patch-manager:frozen";

/**
 * The Change Calendar's content: iCalendar 2.0 with `X-CALENDAR-TYPE:DEFAULT_OPEN` (open except
 * during its events) and the PRODID AWS writes (CloudFormation AWS::SSM::Document, "Create a
 * Change Calendar document"). Times in UTC, so no VTIMEZONE is needed; a recurring freeze repeats
 * at the same UTC time. DTSTAMP is each freeze's first start: the content, and so the document,
 * changes only when the freezes do.
 */
export function changeCalendarContent(periods: readonly FreezePeriod[], description: string): string {
    // ical-generator writes "PRODID:-" before the value. Loaded here: only a stack with freezes uses it.
    const ical = (require("ical-generator") as typeof import("ical-generator")).default;
    const calendar = ical({ prodId: "//AWS//Change Calendar 1.0//EN", description });
    for (const p of periods) {
        calendar.createEvent({
            id: `freeze-${p.index}-${p.name.replace(/[^A-Za-z0-9_.-]/g, "_")}@patch-manager`,
            start: new Date(p.start),
            end: new Date(p.end),
            stamp: new Date(p.start),
            summary: `Freeze: ${p.name}`,
            description: p.reason,
            ...(p.rrule ? { repeating: `RRULE:${p.rrule}` } : {}),
        });
    }
    // A calendar property, so before the first component (RFC 5545 icalbody: calprops, then components);
    // ical-generator writes its x-properties after the events.
    return calendar.toString().replace(/(\r\nPRODID:[^\r]*\r\n)/, "$1X-CALENDAR-TYPE:DEFAULT_OPEN\r\n");
}

/** EventBridge pattern: any state change of these calendars. */
export function calendarEventPattern(calendarArns: readonly string[]): object {
    return { source: ["aws.ssm"], "detail-type": [CALENDAR_STATE_CHANGE], resources: [...calendarArns] };
}

const FREEZE_SCRIPT = `import boto3

FROZEN = "${FROZEN_TAG}"
STOPPED_BY_ALARM = "${STOPPED_BY_ALARM_TAG}"


def follow(ssm, window, closed):
    """Closes or opens one window; True when it changed it."""
    tags = {t["Key"] for t in ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window)["TagList"]}
    if closed:
        # Only windows that are open now: one a person or the safe stop disabled stays as it is.
        if ssm.get_maintenance_window(WindowId=window)["Enabled"]:
            # Enabled again since the safe stop disabled it (a person, or an update): its mark no
            # longer holds, and left in place it would keep the window off when this freeze ends.
            if STOPPED_BY_ALARM in tags:
                ssm.remove_tags_from_resource(ResourceType="MaintenanceWindow", ResourceId=window, TagKeys=[STOPPED_BY_ALARM])
            ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=window, Tags=[{"Key": FROZEN, "Value": "true"}])
            ssm.update_maintenance_window(WindowId=window, Enabled=False)
            return True
    elif FROZEN in tags:
        # The safe stop fired during the freeze: the window stays disabled until a person enables it.
        # The tags are read again just before enabling (the safe stop may have fired since), and the
        # freeze's mark goes only after the window is enabled: a failed enable leaves the mark, so a
        # retry (or the next opening) still enables it.
        again = {t["Key"] for t in ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window)["TagList"]}
        changed = False
        if STOPPED_BY_ALARM not in again:
            ssm.update_maintenance_window(WindowId=window, Enabled=True)
            changed = True
        ssm.remove_tags_from_resource(ResourceType="MaintenanceWindow", ResourceId=window, TagKeys=[FROZEN])
        return changed
    return False


def handler(event, context):
    ssm = boto3.client("ssm")
    # The calendars together, whichever one changed: GetCalendarState is OPEN only when every
    # calendar named is open (SSM user guide, change-calendar-getstate).
    closed = ssm.get_calendar_state(CalendarNames=event["Calendars"])["State"] == "CLOSED"
    changed = []
    failed = []
    for window in event["WindowIds"]:
        # One window that fails (deleted out of band) must not leave the others as they were; the
        # step still fails at the end, so the execution shows it.
        try:
            if follow(ssm, window, closed):
                changed.append(window)
        except Exception as error:
            failed.append(window + ": " + str(error))
    if failed:
        raise Exception("windows not followed: " + "; ".join(failed))
    return {"changed": changed}
`;

/**
 * The runbook the calendars' state changes start: one aws:executeScript step (Automation actions
 * reference: Runtime, Handler, Script, InputPayload) that closes or opens the windows.
 */
export function freezeRunbook(windowIds: readonly string[], calendarArns: readonly string[]): object {
    return {
        schemaVersion: "0.3",
        description:
            "Disables the patch-manager windows of one stack and region while its change calendars are closed, and enables them again.",
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: {
            AutomationAssumeRole: { type: "String", description: "The role that may disable and enable the windows." },
            State: {
                type: "String",
                allowedValues: ["OPEN", "CLOSED"],
                description: "The new state of the calendar that changed (recorded; the step reads all of them).",
            },
        },
        mainSteps: [
            {
                name: "followCalendar",
                action: "aws:executeScript",
                timeoutSeconds: 600,
                inputs: {
                    Runtime: "python3.11",
                    Handler: "handler",
                    InputPayload: { State: "{{ State }}", WindowIds: [...windowIds], Calendars: [...calendarArns] },
                    Script: FREEZE_SCRIPT,
                },
            },
        ],
    };
}

/** A calendar named in config as its ARN in this account and region (an ARN stays as it is). */
export function calendarArn(nameOrArn: string, partition: string, region: string, accountId: string): string {
    return nameOrArn.startsWith("arn:") ? nameOrArn : `arn:${partition}:ssm:${region}:${accountId}:document/${nameOrArn}`;
}

export interface ChangeFreezeArgs extends RunbookPlace {
    /** The stack's freezes; the calendar is created when there is one. */
    readonly periods: readonly FreezePeriod[];
    /** An existing calendar (name or ARN) that freezes the windows too. */
    readonly existingCalendar?: string;
    /** The physical name of the calendar and the runbook, "patch-manager-<stack>-freezes". */
    readonly calendarName: string;
    readonly runbookName: string;
}

/** The calendar (when the stack has freezes) and, once the windows exist, the stop that follows the calendars. */
export class ChangeFreeze extends pulumi.ComponentResource {
    /** The calendars associations take as `calendarNames`: the program's, then the existing one. */
    readonly calendarNames: pulumi.Output<string>[] = [];
    private readonly args: ChangeFreezeArgs;
    private readonly name: string;

    constructor(name: string, args: ChangeFreezeArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.ChangeFreeze, name, {}, opts);
        this.args = args;
        this.name = name;
        if (args.periods.length > 0) {
            const calendar = new aws.ssm.Document(
                `${name}-calendar`,
                {
                    name: args.calendarName,
                    documentType: "ChangeCalendar",
                    documentFormat: "TEXT",
                    content: changeCalendarContent(args.periods, "Change freezes of patch-manager: no patching while closed"),
                    tags: args.tags,
                },
                // A document's name is unique in the account and region.
                { parent: this, deleteBeforeReplace: true },
            );
            this.calendarNames.push(calendar.name);
        }
        if (args.existingCalendar !== undefined) this.calendarNames.push(pulumi.output(args.existingCalendar));
        this.registerOutputs({ calendarNames: this.calendarNames });
    }

    /** The rule on the calendars' state changes, the runbook it starts, and their roles. */
    followCalendars(windowIds: pulumi.Input<string>[]): void {
        const { args, name } = this;
        const arns = pulumi
            .all([args.partition, args.region, args.accountId, pulumi.all(this.calendarNames)])
            .apply(([p, r, a, names]) => names.map((n) => calendarArn(n, p, r, a)));
        const runbook = ownRunbook(
            name,
            {
                runbookName: args.runbookName,
                content: pulumi.all([pulumi.all(windowIds), arns]).apply(([ids, calendars]) => freezeRunbook(ids, calendars)),
                roleDescription: "Disables and enables patch-manager maintenance windows as the change calendars close and open",
                partition: args.partition,
                region: args.region,
                accountId: args.accountId,
                tags: args.tags,
            },
            { parent: this },
        );
        const windows = new aws.iam.RolePolicy(
            `${name}-follow-calendar`,
            {
                role: runbook.role.name,
                policy: pulumi
                    .all([args.partition, args.region, args.accountId, pulumi.all(windowIds), arns])
                    .apply(([p, r, a, ids, calendars]) => {
                        const windowArns = ids.map((id) => `arn:${p}:ssm:${r}:${a}:maintenancewindow/${id}`);
                        return JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "ReadAndSwitchWindows",
                                    Effect: "Allow",
                                    Action: ["ssm:GetMaintenanceWindow", "ssm:UpdateMaintenanceWindow", "ssm:ListTagsForResource"],
                                    Resource: windowArns,
                                },
                                { Sid: "ReadTheCalendars", Effect: "Allow", Action: "ssm:GetCalendarState", Resource: calendars },
                                {
                                    Sid: "ClearAStaleSafeStopMark",
                                    Effect: "Allow",
                                    Action: "ssm:RemoveTagsFromResource",
                                    Resource: windowArns,
                                    Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [STOPPED_BY_ALARM_TAG] } },
                                },
                                {
                                    Sid: "MarkFrozenWindows",
                                    Effect: "Allow",
                                    Action: ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
                                    Resource: windowArns,
                                    Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [FROZEN_TAG] } },
                                },
                            ],
                        });
                    }),
            },
            { parent: this },
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-calendar-state`,
            {
                description: "A patch-manager change calendar opened or closed: enable or disable the maintenance windows",
                eventPattern: arns.apply((list) => JSON.stringify(calendarEventPattern(list))),
                tags: args.tags,
            },
            { parent: this },
        );
        startOnRule(
            name,
            runbook,
            rule,
            {
                roleDescription: "Lets EventBridge start the patch-manager freeze runbook",
                targetName: `${name}-calendar-to-runbook`,
                accountId: args.accountId,
                tags: args.tags,
                input: {
                    paths: { state: "$.detail.state" },
                    template: (arn) => `{"State": [<state>], "AutomationAssumeRole": ["${arn}"]}`,
                },
                dependsOn: [windows],
            },
            { parent: this },
        );
    }
}
