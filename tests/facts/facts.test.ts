import { strict as assert } from "assert";
import { shippedOfType, shippedResources } from "./stacks";
import { SHIPPED_STACKS } from "../helpers";
import { fact, FACTS, sampleEvent } from "./facts";
import { matches } from "./eventPattern";
import { SERVICES } from "./shapes";
import { REBOOT_EXECUTION_ID, rebootTask } from "../../components/strategies";
import { rebootScriptProblems } from "../../config/runtime/agent";
import { configDeliveryBucketStatements } from "../../components/configRecording";
import { DEFAULT_TIMEZONE } from "../../config/defaults";
import { MOCK_ACCOUNT } from "../../tools/mock/mockProgram";

/** IAM's wildcard match (`*` any run, `?` one character) of a policy Resource against an ARN. */
const iamLike = (pattern: string, value: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    ).test(value);

describe("facts fixture (tests/facts/awsFacts.json)", () => {
    it("every fact has a unique id, a value, a source and a quote", () => {
        const ids = new Set<string>();
        for (const f of FACTS) {
            assert.ok(!ids.has(f.id), `duplicate ${f.id}`);
            ids.add(f.id);
            assert.ok(f.value !== undefined && f.value !== null, `${f.id}: no value`);
            assert.ok(f.source.length >= 20, `${f.id}: no source`);
            assert.ok(f.quote.length >= 20, `${f.id}: no quote`);
            assert.ok(["retrieved", "secondary"].includes(f.checked), `${f.id}: checked`);
            // A fact not read in its primary text says exactly why (and what would settle it).
            if (f.checked === "secondary")
                assert.ok((f.secondaryBecause ?? "").length >= 40, `${f.id}: secondary without secondaryBecause`);
        }
    });

    it("every sample event carries the detail-type and source its fact names", () => {
        for (const f of FACTS.filter((x) => x.sample)) {
            const v = f.value as Record<string, unknown>;
            assert.equal(f.sample!["detail-type"], v["detail-type"], f.id);
            assert.equal(f.sample!.source, v.source, f.id);
        }
    });

    it("the pattern matcher agrees with the user guide's rules on AWS's own samples", () => {
        const e = sampleEvent("event-window-execution");
        assert.ok(matches({ source: ["aws.ssm"] }, e));
        assert.ok(!matches({ source: ["aws.ec2"] }, e));
        assert.ok(matches({ detail: { status: ["FAILED", "TIMED_OUT"] } }, e));
        assert.ok(!matches({ detail: { "no-such-field": ["x"] } }, e), "a pattern field missing from the event never matches");
        assert.ok(matches({ detail: { "window-id": [{ prefix: "mw-" }] } }, e));
        assert.ok(matches({ detail: { status: [{ "anything-but": ["SUCCESS"] }] } }, e));
    });
});

describe("the program against the facts", () => {
    describe("EventBridge rules catch AWS's sample events they are for, and only those", () => {
        it("the alerts hear the stack's own runbooks (alarm stop, freezes) failing, not succeeding, nor other runbooks", async () => {
            const detailType = (fact("event-automation-execution").value as { "detail-type": string })["detail-type"];
            const statuses = new Set(SERVICES.ssm.shapes.AutomationExecutionStatus.enum ?? []);
            let checked = 0;
            for (const stack of SHIPPED_STACKS) {
                const resources = await shippedResources(stack);
                if (!resources.some((r) => r.type === "aws:sns/topic:Topic")) continue;
                const own = resources.filter(
                    (r) => r.type === "aws:ssm/document:Document" && /-(stop-on-alarm|follow-freezes)$/.test(String(r.inputs.name)),
                );
                for (const doc of own) {
                    // EventBridge sees its own region's events: the rule of the runbook's region.
                    const rules = resources
                        .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && r.region === doc.region)
                        .map((r) => JSON.parse(String(r.inputs.eventPattern)))
                        .filter((x) => x["detail-type"]?.includes(detailType));
                    const name = String(doc.inputs.name);
                    assert.equal(rules.length, 1, `${stack} ${doc.region}: one rule on the own runbooks' executions`);
                    for (const st of rules[0].detail.Status)
                        assert.ok(statuses.has(st), `${stack}: ${st} is not an AutomationExecutionStatus`);
                    checked++;
                    for (const bad of ["Failed", "TimedOut", "Cancelled"])
                        assert.ok(
                            matches(rules[0], sampleEvent("event-automation-execution", { detail: { Definition: name, Status: bad } })),
                            `${stack} ${name} ${bad}`,
                        );
                    assert.ok(!matches(rules[0], sampleEvent("event-automation-execution", { detail: { Definition: name } })), "a success");
                    assert.ok(
                        !matches(rules[0], sampleEvent("event-automation-execution", { detail: { Status: "Failed" } })),
                        "another runbook",
                    );
                }
            }
            assert.ok(checked >= 2, "the shipped stacks have an alarm stop and a freeze runbook with alerts");
        });

        it("the alerts rule catches its windows' failed executions and state changes, not task events, other windows or successes", async () => {
            // The rules on maintenance-window events (a change freeze's rule hears aws.ssm's Calendar State Change instead).
            const rules = (await shippedOfType("aws:cloudwatch/eventRule:EventRule")).filter(({ r }) => {
                const pattern = JSON.parse(String(r.inputs.eventPattern));
                return (
                    pattern.source?.includes((fact("event-window-execution").value as { source: string }).source) &&
                    !pattern["detail-type"]?.includes("Calendar State Change") &&
                    !pattern["detail-type"]?.includes(
                        (fact("event-automation-execution").value as { "detail-type": string })["detail-type"],
                    )
                );
            });
            assert.ok(rules.length > 0, "no shipped stack has a rule on aws.ssm events");
            const documented = new Set([
                ...(SERVICES.ssm.shapes.MaintenanceWindowExecutionStatus.enum ?? []),
                ...((fact("event-window-state").value as { statuses: string[] }).statuses ?? []),
            ]);
            for (const { stack, r } of rules) {
                const pattern = JSON.parse(String(r.inputs.eventPattern));
                const windows: string[] = pattern.detail["window-id"];
                const statuses: string[] | undefined = pattern.detail.status;
                for (const s of statuses ?? []) assert.ok(documented.has(s), `${stack} ${r.name}: ${s} is not a status AWS sends`);
                for (const w of windows) {
                    const failed = sampleEvent("event-window-execution", { detail: { "window-id": w, status: "FAILED" } });
                    assert.ok(matches(pattern, failed), `${stack} ${r.name}: misses a FAILED execution of ${w}`);
                    assert.ok(
                        matches(pattern, sampleEvent("event-window-execution", { detail: { "window-id": w } })),
                        `${r.name}: TIMED_OUT`,
                    );
                    assert.ok(matches(pattern, sampleEvent("event-window-state", { detail: { "window-id": w } })), `${r.name}: DISABLED`);
                    assert.ok(
                        !matches(pattern, sampleEvent("event-window-task-execution", { detail: { "window-id": w } })),
                        `${r.name}: a task execution event would alert once per task`,
                    );
                    if (statuses && !statuses.includes("SUCCESS"))
                        assert.ok(
                            !matches(pattern, sampleEvent("event-window-execution", { detail: { "window-id": w, status: "SUCCESS" } })),
                        );
                }
                assert.ok(
                    !matches(pattern, sampleEvent("event-window-execution", { detail: { status: "FAILED" } })),
                    "another window's failure",
                );
            }
        });

        it("the alarm-stop rule catches its alarm entering ALARM, not OK, not another alarm", async () => {
            const rules = (await shippedOfType("aws:cloudwatch/eventRule:EventRule")).filter(({ r }) =>
                JSON.parse(String(r.inputs.eventPattern))["detail-type"]?.includes(
                    (fact("event-cloudwatch-alarm-state-change").value as { "detail-type": string })["detail-type"],
                ),
            );
            assert.ok(rules.length > 0, "no shipped stack stops on an alarm");
            for (const { stack, r } of rules) {
                const pattern = JSON.parse(String(r.inputs.eventPattern));
                const [arn] = pattern.resources as string[];
                const name = arn.split(":alarm:")[1];
                const alarm = (state: string, resource = arn) =>
                    sampleEvent("event-cloudwatch-alarm-state-change", {
                        resources: [resource],
                        region: arn.split(":")[3],
                        detail: { alarmName: name, state: { value: state }, previousState: { value: "OK" } },
                    });
                assert.ok(matches(pattern, alarm("ALARM")), `${stack} ${r.name}`);
                assert.ok(!matches(pattern, alarm("OK")), `${stack} ${r.name}: OK`);
                assert.ok(!matches(pattern, alarm("ALARM", `${arn}-other`)), `${stack} ${r.name}: another alarm`);
            }
        });
    });

    describe("trust policies use the condition keys the service sends, with the documented values", () => {
        it("the hybrid activation role: ssm.amazonaws.com, aws:SourceAccount and aws:SourceArn as the user guide writes them", async () => {
            const f = fact("trust-ssm-hybrid-condition-keys").value as { ArnEquals: { "aws:SourceArn": string } };
            const roles = await shippedOfType("aws:iam/role:Role");
            const activations = await shippedOfType("aws:ssm/activation:Activation");
            assert.ok(activations.length > 0);
            for (const { stack, r: a } of activations) {
                const role = roles.find(({ stack: s, r }) => s === stack && (r.checkedInputs?.name ?? r.id) === a.inputs.iamRole);
                assert.ok(role, `${stack}: no role ${a.inputs.iamRole}`);
                const [statement] = JSON.parse(String(role.r.inputs.assumeRolePolicy)).Statement;
                assert.equal(statement.Principal.Service, "ssm.amazonaws.com");
                assert.equal(statement.Condition.StringEquals["aws:SourceAccount"], MOCK_ACCOUNT);
                const expected = f.ArnEquals["aws:SourceArn"].replace("<region>", a.region).replace("<account>", MOCK_ACCOUNT);
                assert.equal(statement.Condition.ArnEquals["aws:SourceArn"], expected);
            }
        });

        it("every role SSM assumes conditions only on keys SSM sends (aws:SourceAccount, aws:SourceArn)", async () => {
            const f = fact("trust-ssm-hybrid-condition-keys").value as Record<string, unknown>;
            const keys = new Set(Object.values(f).flatMap((v) => (Array.isArray(v) ? v : Object.keys(v as object))));
            for (const { stack, r } of await shippedOfType("aws:iam/role:Role")) {
                for (const s of JSON.parse(String(r.inputs.assumeRolePolicy)).Statement) {
                    if (s.Principal?.Service !== "ssm.amazonaws.com") continue;
                    for (const condition of Object.values((s.Condition ?? {}) as Record<string, object>))
                        for (const k of Object.keys(condition)) assert.ok(keys.has(k), `${stack} ${r.name}: ${k}`);
                }
            }
        });
    });

    describe("delivery layouts", () => {
        it("the data sync's bucket grant admits SSM's documented key layout under the sync's prefix, for this account only", async () => {
            const f = fact("data-sync-bucket-delivery").value as { resource: string; acl: string; sourceArn: string };
            const syncs = await shippedOfType("aws:ssm/resourceDataSync:ResourceDataSync");
            assert.ok(syncs.length > 0, "no shipped stack syncs compliance data");
            for (const { stack, r } of syncs) {
                const d = r.inputs.s3Destination as { bucketName: string; prefix: string };
                const bucketArn = `arn:aws:s3:::${d.bucketName}`;
                const policies = (await shippedResources(stack)).filter(
                    (p) => p.type === "aws:s3/bucketPolicy:BucketPolicy" && p.inputs.bucket === d.bucketName,
                );
                const statements = policies.flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement);
                const put = statements.find((s: any) => s.Principal?.Service === "ssm.amazonaws.com" && s.Action === "s3:PutObject");
                assert.ok(put, `${stack}: no s3:PutObject for ssm.amazonaws.com on ${d.bucketName}`);
                // A key the documented grant admits, under the sync's prefix.
                const key = `${bucketArn}/${d.prefix}/AWS:ComplianceItem/accountid=${MOCK_ACCOUNT}/region=${r.region}/file.json`;
                assert.ok(iamLike(f.resource.replace("<bucket-arn>", bucketArn).replace("<account>", MOCK_ACCOUNT), key));
                assert.ok(
                    [put.Resource].flat().some((res: string) => iamLike(res, key)),
                    `${stack}: ${JSON.stringify(put.Resource)} refuses ${key}`,
                );
                const other = key.replace(`accountid=${MOCK_ACCOUNT}`, "accountid=444455556666");
                assert.ok(![put.Resource].flat().some((res: string) => iamLike(res, other)), `${stack}: admits another account's data`);
                assert.equal(put.Condition.StringEquals["s3:x-amz-acl"], f.acl);
                assert.equal(put.Condition.ArnLike["aws:SourceArn"], f.sourceArn.replace("<account>", MOCK_ACCOUNT));
            }
        });

        it("the Config delivery grant admits Config's documented key layout", () => {
            const layout = fact("config-delivery-key-layout").value as string;
            const bucketArn = "arn:aws:s3:::logs";
            const statements = configDeliveryBucketStatements(bucketArn, MOCK_ACCOUNT) as any[];
            const put = statements.find((s) => s.Action === "s3:PutObject");
            const granted = [put.Resource].flat() as string[];
            const prefix = /\/([^/]+)\/AWSLogs\//.exec(granted[0])?.[1] ?? "";
            const key = layout
                .replace("<bucket-arn>", bucketArn)
                .replace("<prefix>", prefix)
                .replace("<account>", MOCK_ACCOUNT)
                .replace("*", "ConfigHistory/x.json.gz");
            assert.ok(
                granted.some((g) => iamLike(g, key)),
                `${granted} refuses ${key}`,
            );
        });
    });

    describe("defaults and ranges", () => {
        it("a stack without a timezone schedules in UTC, as SSM does without ScheduleTimezone", () => {
            assert.equal(DEFAULT_TIMEZONE, fact("window-schedule-timezone-default").value);
        });

        it("KMS keys' deletion windows are within the 7-30 days KMS accepts", async () => {
            const f = fact("kms-pending-window-days").value as { min: number; max: number };
            for (const { stack, r } of await shippedOfType("aws:kms/key:Key")) {
                const days = r.inputs.deletionWindowInDays as number | undefined;
                if (days !== undefined) assert.ok(days >= f.min && days <= f.max, `${stack} ${r.name}: ${days}`);
            }
        });
    });

    describe("reboot tasks, replayed as the SSM Agent runs them (reboot exit code: reboot, then run the script again)", () => {
        /** Runs a shell script as the agent would, rebooting on the reboot exit code; the exit codes of each run. */
        it("the agent's reboot exit codes are the ones the program's reboot tasks use", () => {
            const linux = rebootTask("AMAZON_LINUX_2023").commands.join("\n");
            const windows = rebootTask("WINDOWS").commands.join("\n");
            assert.match(linux, new RegExp(`exit ${fact("agent-reboot-exit-code-linux").value}\\b`));
            assert.match(windows, new RegExp(`exit ${fact("agent-reboot-exit-code-windows").value}\\b`));
        });

        // The scripts run for real (bash, stubbed commands, a scratch root, simulated reboots) in
        // tests/config/runtime/agent.test.ts; here the same agent model read off their text.
        it("the Linux reboot task reboots at most once per window execution: the rerun exits 0", () => {
            const { commands } = rebootTask("AMAZON_LINUX_2023");
            assert.doesNotMatch(
                commands.join("\n"),
                /(^|[;&|]\s*|\n\s*)(sudo\s+)?(reboot|shutdown|init\s+6|systemctl\s+(reboot|poweroff|kexec))\b/,
                "the script reboots by itself, not through the agent",
            );
            assert.deepEqual(rebootScriptProblems("linux", commands, REBOOT_EXECUTION_ID), []);
        });

        it("the Windows reboot task is not an unconditional reboot request", () => {
            const { commands } = rebootTask("WINDOWS");
            assert.notEqual(commands.join("\n").trim(), `exit ${fact("agent-reboot-exit-code-windows").value}`);
            assert.deepEqual(rebootScriptProblems("windows", commands, REBOOT_EXECUTION_ID), []);
        });
    });
});
