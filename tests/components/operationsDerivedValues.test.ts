// The pure functions behind the alerts, compliance scans, hooks and private endpoints components.
import { strict as assert } from "assert";
import { alarmEventPattern, disableWindowsRunbook, stopRunbookPolicy } from "../../components/alarmStop";
import { failedWindowEventPattern, notificationPublishPolicy, topicKeyPolicy, windowExecutionStatuses } from "../../components/alerts";
import { dataSyncBucketStatements, deniedApplicationsParameters } from "../../components/compliance";
import { hookParameters, notificationParameters } from "../../components/maintenanceWindow";
import { endpointServiceName, vpcCidrs } from "../../components/privateEndpoints";

describe("alerts, compliance, hooks and endpoints: derived values", function () {
    it("window execution statuses follow the notification events; All drops the filter", function () {
        assert.deepEqual(windowExecutionStatuses(["Failed", "TimedOut", "Cancelled"]), ["FAILED", "TIMED_OUT", "CANCELLED"]);
        assert.equal(windowExecutionStatuses(["All"]), undefined);
        assert.deepEqual(failedWindowEventPattern(["mw-0123456789abcdef0"], undefined), {
            source: ["aws.ssm"],
            "detail-type": ["Maintenance Window Execution State-change Notification", "Maintenance Window State-change Notification"],
            detail: { "window-id": ["mw-0123456789abcdef0"] },
        });
    });

    it("the alerts rule matches AWS's sample of a window being disabled (the alarm stop) and a failed execution, not a successful one", function () {
        // SSM user guide, "Amazon EventBridge event examples", Window State Change ("The valid status values are ENABLED
        // and DISABLED"), with this window's id; an execution event carries the same detail keys.
        const disabled = {
            "detail-type": "Maintenance Window State-change Notification",
            source: "aws.ssm",
            detail: { "window-id": "mw-0123456789abcdef0", status: "DISABLED" },
        };
        const execution = (status: string) => ({
            "detail-type": "Maintenance Window Execution State-change Notification",
            source: "aws.ssm",
            detail: { "window-id": "mw-0123456789abcdef0", status },
        });
        const pattern = failedWindowEventPattern(["mw-0123456789abcdef0"], windowExecutionStatuses(["Failed", "TimedOut", "Cancelled"]));
        assert.equal(eventMatches(pattern, disabled), true);
        assert.equal(eventMatches(pattern, { ...disabled, detail: { ...disabled.detail, status: "ENABLED" } }), true);
        assert.equal(eventMatches(pattern, execution("FAILED")), true);
        assert.equal(eventMatches(pattern, execution("SUCCESS")), false);
        assert.equal(eventMatches(pattern, { ...disabled, detail: { ...disabled.detail, "window-id": "mw-0fffffffffffffff0" } }), false);
    });

    it("the topic key admits EventBridge for this account's topics; the publish policy adds the key when there is one", function () {
        const kp = topicKeyPolicy("aws", "123456789012", "eu-west-1") as any;
        const events = kp.Statement.find((s: any) => s.Principal.Service === "events.amazonaws.com");
        assert.deepEqual(events.Condition, {
            ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:123456789012:*" },
        });
        const allows = (p: any) => p.Statement.filter((st: any) => st.Effect === "Allow");
        assert.equal(allows(notificationPublishPolicy("arn:t")).length, 1);
        assert.deepEqual(allows(notificationPublishPolicy("arn:t", "arn:k"))[1].Action, ["kms:GenerateDataKey*", "kms:Decrypt"]);
    });

    it("task notifications use the notification role inside runCommandParameters", function () {
        assert.deepEqual(notificationParameters({ topicArn: "arn:t", roleArn: "arn:r", events: ["Failed"] }), {
            notificationConfig: { notificationArn: "arn:t", notificationEvents: ["Failed"], notificationType: "Command" },
            serviceRoleArn: "arn:r",
        });
    });

    it("the stop runbook disables each window and carries on past one that fails; the pattern matches ALARM only", function () {
        const doc = disableWindowsRunbook(["mw-0123456789abcdef0", "mw-0fedcba9876543210"]) as any;
        assert.equal(doc.schemaVersion, "0.3");
        assert.equal(doc.assumeRole, "{{ AutomationAssumeRole }}");
        assert.deepEqual(
            doc.mainSteps
                .filter((s: any) => s.inputs.Api === "UpdateMaintenanceWindow")
                .map((s: any) => [s.onFailure, s.inputs.Api, s.inputs.WindowId, s.inputs.Enabled]),
            [
                ["Continue", "UpdateMaintenanceWindow", "mw-0123456789abcdef0", false],
                ["Continue", "UpdateMaintenanceWindow", "mw-0fedcba9876543210", false],
            ],
        );
        // Each disabled window is also marked, so that the end of a change freeze leaves it disabled.
        assert.deepEqual(
            doc.mainSteps.filter((s: any) => s.inputs.Api === "AddTagsToResource").map((s: any) => [s.onFailure, s.inputs.ResourceId]),
            [
                ["Continue", "mw-0123456789abcdef0"],
                ["Continue", "mw-0fedcba9876543210"],
            ],
        );
        assert.deepEqual((alarmEventPattern("arn:a") as any).detail, { state: { value: ["ALARM"] } });
    });

    it("the stop runbook then cancels the stopped windows' running executions and what they started (issue 22)", function () {
        // botocore 1.43.11 ssm/2014-11-06: operations (service-2.json) and their paginators (paginators-1.json),
        // MaintenanceWindowExecutionStatus PENDING | IN_PROGRESS | ..., StopType Complete | Cancel.
        const operations: Record<string, { paginated: boolean; input: string[] }> = {
            describe_maintenance_window_executions: { paginated: true, input: ["WindowId"] },
            cancel_maintenance_window_execution: { paginated: false, input: ["WindowExecutionId"] },
            describe_maintenance_window_execution_tasks: { paginated: true, input: ["WindowExecutionId"] },
            describe_maintenance_window_execution_task_invocations: { paginated: true, input: ["WindowExecutionId", "TaskId"] },
            cancel_command: { paginated: false, input: ["CommandId", "InstanceIds"] },
            stop_automation_execution: { paginated: false, input: ["AutomationExecutionId", "Type"] },
        };
        const ids = ["mw-0123456789abcdef0", "mw-0fedcba9876543210"];
        const doc = disableWindowsRunbook(ids) as any;
        const last = doc.mainSteps[doc.mainSteps.length - 1];
        assert.equal(last.action, "aws:executeScript");
        assert.deepEqual(last.inputs.InputPayload, { WindowIds: ids });
        const script = String(last.inputs.Script);
        const called = [...script.matchAll(/ssm\.([a-z_]+)\(|pages\(ssm, "([a-z_]+)"/g)].map((m) => m[1] ?? m[2]);
        for (const op of [
            "describe_maintenance_window_executions",
            "cancel_maintenance_window_execution",
            "cancel_command",
            "stop_automation_execution",
        ])
            assert.ok(called.includes(op), `calls ${op}`);
        for (const op of called.filter((c) => c !== "get_paginator")) assert.ok(op in operations, `${op} is an SSM operation`);
        for (const m of script.matchAll(/pages\(ssm, "([a-z_]+)"/g)) assert.ok(operations[m[1]].paginated, `${m[1]} has a paginator`);
        // What it cancels and what it keeps running: executed in tests/components/ownRunbooksExecuted.test.ts.
        const policy = stopRunbookPolicy("aws", "eu-west-1", "123456789012", ids) as any;
        const actions = policy.Statement.flatMap((s: any) => s.Action);
        for (const a of [
            "ssm:CancelMaintenanceWindowExecution",
            "ssm:CancelCommand",
            "ssm:StopAutomationExecution",
            "ssm:UpdateMaintenanceWindow",
        ])
            assert.ok(actions.includes(a), a);
        assert.deepEqual(
            policy.Statement[0].Resource,
            ids.map((id) => `arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/${id}`),
        );
    });

    it("hook parameters name only the configured hooks (the others stay AWS-Noop)", function () {
        assert.deepEqual(hookParameters({ preInstall: "Drain", onExit: "Return" }), [
            { name: "PreInstallHookDocName", values: ["Drain"] },
            { name: "OnExitHookDocName", values: ["Return"] },
        ]);
        assert.deepEqual(hookParameters({ postInstall: "Check" }), [{ name: "PostInstallHookDocName", values: ["Check"] }]);
    });

    it("data sync statements write under the prefix for this account only", function () {
        const [check, deliver] = dataSyncBucketStatements("aws-us-gov", "arn:aws-us-gov:s3:::logs", "compliance", "123456789012") as any[];
        assert.equal(check.Action, "s3:GetBucketAcl");
        assert.equal(deliver.Resource, "arn:aws-us-gov:s3:::logs/compliance/*/accountid=123456789012/*");
        assert.equal(deliver.Condition.ArnLike["aws:SourceArn"], "arn:aws-us-gov:ssm:*:123456789012:resource-data-sync/*");
    });

    it("the deny list is one CSV parameter; platformType only when set", function () {
        assert.deepEqual(deniedApplicationsParameters(["telnet", "Chrome:0.5.3"]), { applicationNames: "telnet,Chrome:0.5.3" });
        assert.deepEqual(deniedApplicationsParameters(["telnet"], "Linux"), { applicationNames: "telnet", platformType: "Linux" });
    });

    it("endpoint service names", function () {
        assert.equal(endpointServiceName("eu-west-1", "ssmmessages"), "com.amazonaws.eu-west-1.ssmmessages");
    });

    it("the endpoints admit every IPv4 block of the VPC: nodes in a secondary block reach them through private DNS too", function () {
        const vpc = {
            cidrBlock: "10.0.0.0/16",
            cidrBlockAssociations: [
                { cidrBlock: "10.0.0.0/16", state: "associated" },
                { cidrBlock: "100.64.0.0/16", state: "associated" },
                { cidrBlock: "10.9.0.0/16", state: "associating" },
                { cidrBlock: "10.8.0.0/16", state: "disassociated" },
            ],
        };
        assert.deepEqual(vpcCidrs(vpc), ["10.0.0.0/16", "100.64.0.0/16", "10.9.0.0/16"]);
        assert.deepEqual(vpcCidrs({ cidrBlock: "10.0.0.0/16" }), ["10.0.0.0/16"], "a lookup without associations");
    });
});

/** EventBridge's matching for the patterns used here: every pattern key present, each leaf a list of exact values. */
function eventMatches(pattern: any, event: any): boolean {
    return Object.entries(pattern).every(([k, v]) =>
        Array.isArray(v) ? v.includes(event?.[k]) : typeof v === "object" && v !== null && eventMatches(v, event?.[k]),
    );
}
