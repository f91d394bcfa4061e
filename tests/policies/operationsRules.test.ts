import * as assert from "node:assert/strict";
import {
    alertsTopicEncrypted,
    associationNeverReboots,
    associationRateControl,
    patchingDocumentsOnly,
    securityGroupNotOpen,
    shellPatching,
    ssmEndpointPrivateDns,
    taskNotificationRole,
} from "../../policies/operations";
import { patchGroupOneBaselinePerOs, windowQuotas } from "../../policies/stack";
import { TYPES } from "@patch-manager/ssm";
import { matchesSsmEvents, readBuckets } from "../../policies/scope";
import { StackEntry, UNKNOWN_STRING, runResourcePolicy, runStackPolicy } from "./harness";
import { entry, prodStack, taskInputs, windowInputs } from "./resources";

const ROLE = "arn:aws:iam::123456789012:role/patch-alerts";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:patch-alerts";

function notifyingTask(): Record<string, any> {
    const task = taskInputs();
    Object.assign(task.taskInvocationParameters.runCommandParameters, {
        notificationConfig: {
            notificationArn: TOPIC,
            notificationEvents: ["Failed", "TimedOut", "Cancelled"],
            notificationType: "Command",
        },
        serviceRoleArn: ROLE,
    });
    return task;
}

function scanAssociation(parameters: Record<string, string>): Record<string, unknown> {
    return {
        associationName: "patch-manager-prod-web-server-daily-scan",
        name: "AWS-RunPatchBaseline",
        parameters,
        scheduleExpression: "cron(0 10 ? * * *)",
        targets: [{ key: "tag:Patch Group", values: ["Web Server"] }],
    };
}

describe("policies/operations", () => {
    describe("alerts-topic-encrypted", () => {
        /** The production stack whose task notifies a topic with these props (and an unrelated topic beside it). */
        const notifying = (topic: Record<string, unknown>): StackEntry[] => {
            const stack = prodStack();
            const task = entry(stack, "web-server-task").props as Record<string, any>;
            Object.assign(task.taskInvocationParameters.runCommandParameters, {
                notificationConfig: { notificationArn: TOPIC, notificationEvents: ["Failed"], notificationType: "Command" },
                serviceRoleArn: ROLE,
            });
            return [
                ...stack,
                { type: TYPES.topic, name: "alerts-topic", props: { name: "patching", arn: TOPIC, id: TOPIC, ...topic } },
                { type: TYPES.topic, name: "orders", props: { name: "orders", arn: `${TOPIC}-orders`, id: `${TOPIC}-orders` } },
            ];
        };

        it("passes a topic with a KMS key, and one whose key is unknown in preview", async () => {
            const key = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-0000-4000-a000-000000000000";
            assert.deepEqual(await runStackPolicy(alertsTopicEncrypted, notifying({ kmsMasterKeyId: key })), []);
            assert.deepEqual(await runStackPolicy(alertsTopicEncrypted, notifying({ kmsMasterKeyId: UNKNOWN_STRING })), []);
        });

        it("reports a topic a patching task notifies without encryption, and not the stack's other topics", async () => {
            assert.deepEqual(
                (await runStackPolicy(alertsTopicEncrypted, notifying({}))).map((v) => v.message),
                ['topic "patching" (alerts-topic) is not encrypted; set kmsMasterKeyId to a KMS key ARN.'],
            );
        });

        it("knows Systems Manager's events by source (exact, prefix, wildcard) or, without a source, by detail type", () => {
            for (const pattern of [
                { source: ["aws.ssm"] },
                { source: [{ prefix: "aws.ss" }] },
                { source: [{ wildcard: "aws.*" }] },
                { "detail-type": ["Maintenance Window Execution State-change Notification"] },
            ]) {
                assert.equal(matchesSsmEvents(JSON.stringify(pattern)), true, JSON.stringify(pattern));
            }
            for (const pattern of [
                { source: ["aws.ec2"] },
                { source: [{ prefix: "aws.ec" }] },
                { "detail-type": ["EC2 Instance State-change Notification"] },
            ]) {
                assert.equal(matchesSsmEvents(JSON.stringify(pattern)), false, JSON.stringify(pattern));
            }
        });

        it("reports a topic an EventBridge rule on Systems Manager events sends to", async () => {
            const stack: StackEntry[] = [
                { type: TYPES.topic, name: "alerts-topic", props: { name: "patching", arn: TOPIC, id: TOPIC } },
                {
                    type: "aws:cloudwatch/eventRule:EventRule",
                    name: "failures",
                    props: { name: "patch-failures", id: "patch-failures", eventPattern: JSON.stringify({ source: ["aws.ssm"] }) },
                },
                {
                    type: "aws:cloudwatch/eventTarget:EventTarget",
                    name: "failures-to-topic",
                    props: { rule: "patch-failures", arn: TOPIC },
                    dependsOn: { rule: ["failures"], arn: ["alerts-topic"] },
                },
            ];
            assert.equal((await runStackPolicy(alertsTopicEncrypted, stack)).length, 1);
            const ec2 = stack.map((e) =>
                e.name === "failures" ? { ...e, props: { ...e.props, eventPattern: '{"source":["aws.ec2"]}' } } : e,
            );
            assert.deepEqual(await runStackPolicy(alertsTopicEncrypted, ec2), [], "a rule on other events is not patching's");
        });
    });

    describe("task-notification-role", () => {
        const opts = { name: "web-server-task" };
        it("passes a notifying task with its notification role, and a task that does not notify", async () => {
            assert.deepEqual((await runResourcePolicy(taskNotificationRole, TYPES.windowTask, notifyingTask(), opts)).messages, []);
            assert.deepEqual((await runResourcePolicy(taskNotificationRole, TYPES.windowTask, taskInputs(), opts)).messages, []);
        });

        it("reports a notification without the runCommandParameters role, and one on no event", async () => {
            const task = notifyingTask();
            delete task.taskInvocationParameters.runCommandParameters.serviceRoleArn;
            task.taskInvocationParameters.runCommandParameters.notificationConfig.notificationEvents = [];
            const { messages } = await runResourcePolicy(taskNotificationRole, TYPES.windowTask, task, opts);
            assert.deepEqual(messages, [
                `task "web-server-install" (web-server-task) notifies "${TOPIC}" without runCommandParameters.serviceRoleArn; Run Command cannot publish: set it to the notification role's ARN.`,
                `task "web-server-install" (web-server-task) notifies "${TOPIC}" on no event; set notificationEvents, e.g. ["Failed", "TimedOut", "Cancelled"].`,
            ]);
        });

        it("reports a notification role that is not a role ARN", async () => {
            const task = notifyingTask();
            task.taskInvocationParameters.runCommandParameters.serviceRoleArn = TOPIC;
            const { messages } = await runResourcePolicy(taskNotificationRole, TYPES.windowTask, task, opts);
            assert.deepEqual(messages, [
                `task "web-server-install" (web-server-task): runCommandParameters.serviceRoleArn "${TOPIC}" is not an IAM role ARN.`,
            ]);
        });
    });

    describe("association-scans-without-reboot", () => {
        const opts = { name: "compliance-web-server-scan" };
        it("passes a Scan/NoReboot association and ignores other documents", async () => {
            const ok = await runResourcePolicy(
                associationNeverReboots,
                TYPES.association,
                scanAssociation({ Operation: "Scan", RebootOption: "NoReboot" }),
                opts,
            );
            assert.deepEqual(ok.messages, []);
            const inventory = { name: "AWS-GatherSoftwareInventory", parameters: { applications: "Enabled" } };
            assert.deepEqual((await runResourcePolicy(associationNeverReboots, TYPES.association, inventory, opts)).messages, []);
        });

        it("reports an association that installs (saying it reboots unless NoReboot), and one without Operation", async () => {
            const install = await runResourcePolicy(
                associationNeverReboots,
                TYPES.association,
                scanAssociation({ Operation: "Install", RebootOption: "NoReboot" }),
                opts,
            );
            assert.deepEqual(install.messages, [
                'association "patch-manager-prod-web-server-daily-scan" (compliance-web-server-scan) runs AWS-RunPatchBaseline with Operation "Install" outside any maintenance window; use "Scan" and install in a window.',
            ]);
            const rebooting = await runResourcePolicy(
                associationNeverReboots,
                TYPES.association,
                scanAssociation({ Operation: "Install" }),
                opts,
            );
            assert.match(rebooting.messages[0], /rebooting nodes when a patch needs it \(RebootOption unset: RebootIfNeeded\)/);
            const none = await runResourcePolicy(associationNeverReboots, TYPES.association, scanAssociation({}), opts);
            assert.match(none.messages[0], /without the required Operation parameter/);
        });

        it("a Scan association never reboots, whatever RebootOption says", async () => {
            const scan = await runResourcePolicy(associationNeverReboots, TYPES.association, scanAssociation({ Operation: "Scan" }), opts);
            assert.deepEqual(scan.messages, []);
        });
    });

    describe("association-rate-control", () => {
        const opts = { name: "compliance-web-server-scan" };
        it("reports a patch association without maxConcurrency and maxErrors, and passes one with both", async () => {
            const bare = await runResourcePolicy(associationRateControl, TYPES.association, scanAssociation({ Operation: "Scan" }), opts);
            assert.deepEqual(bare.messages, [
                'association "patch-manager-prod-web-server-daily-scan" (compliance-web-server-scan) runs AWS-RunPatchBaseline without maxConcurrency and maxErrors; set them, e.g. "10%" and "5%".',
            ]);
            const limited = { ...scanAssociation({ Operation: "Scan" }), maxConcurrency: "10%", maxErrors: "5%" };
            assert.deepEqual((await runResourcePolicy(associationRateControl, TYPES.association, limited, opts)).messages, []);
            const inventory = { name: "AWS-GatherSoftwareInventory", parameters: {} };
            assert.deepEqual((await runResourcePolicy(associationRateControl, TYPES.association, inventory, opts)).messages, []);
        });
    });

    describe("patching-documents-only", () => {
        it("reports AWS-ApplyPatchBaseline in an association and shell scripts that patch", async () => {
            const apply = { name: "AWS-ApplyPatchBaseline", parameters: { Operation: "Install" } };
            assert.match(
                (await runResourcePolicy(patchingDocumentsOnly, TYPES.association, apply, { name: "apply" })).messages[0],
                /runs AWS-ApplyPatchBaseline, the old Windows-only document/,
            );
            for (const command of ["sudo yum update -y", "dnf -y upgrade", "apt-get -y dist-upgrade", "zypper --non-interactive patch"]) {
                const assoc = { name: "AWS-RunShellScript", parameters: { commands: ["set -e", command] } };
                const found = await runResourcePolicy(patchingDocumentsOnly, TYPES.association, assoc, { name: "update" });
                assert.equal(found.messages.length, 1, command);
                assert.match(found.messages[0], /bypasses the patch baselines and reports no patch compliance/);
            }
            const task = {
                ...taskInputs(),
                taskArn: "AWS-RunPowerShellScript",
                taskInvocationParameters: {
                    runCommandParameters: { parameters: [{ name: "commands", values: ["Install-WindowsUpdate -AcceptAll -AutoReboot"] }] },
                },
            };
            assert.equal((await runResourcePolicy(patchingDocumentsOnly, TYPES.windowTask, task, { name: "wu" })).messages.length, 1);
        });

        it("reads commands as words: options with arguments, paths, sudo, chained commands, unattended upgrades, Windows Update", async () => {
            const patching = [
                "sudo -E yum -y update",
                "yum -e 0 -y update",
                "apt-get -o Dpkg::Options::=--force-confold -y upgrade",
                "apt full-upgrade -y",
                "/usr/bin/dnf -y distro-sync",
                "cd /tmp && zypper --non-interactive in -t patch openSUSE-2024-1",
                "unattended-upgrade -d",
                "pkcon update -y",
                "Get-WUInstall -AcceptAll",
                "Get-WindowsUpdate -AcceptAll -Install",
                "UsoClient ScanInstallWait",
            ];
            for (const command of patching) assert.equal(shellPatching(["echo start", command]), command, command);
            for (const command of [
                "yum install -y amazon-cloudwatch-agent",
                "apt-get update",
                "dnf check-update",
                "echo upgrade",
                "zypper in -t package vim",
            ]) {
                assert.equal(shellPatching([command]), undefined, command);
            }
        });

        it("reports AWS-InstallWindowsUpdates unless it installs Defender definitions only", async () => {
            const updates = (Categories: string) => ({ name: "AWS-InstallWindowsUpdates", parameters: { Action: "Install", Categories } });
            const all = await runResourcePolicy(patchingDocumentsOnly, TYPES.association, updates("CriticalUpdates,SecurityUpdates"), {
                name: "wu",
            });
            assert.match(all.messages[0], /installs Windows updates with AWS-InstallWindowsUpdates \(CriticalUpdates, SecurityUpdates\)/);
            const defs = await runResourcePolicy(patchingDocumentsOnly, TYPES.association, updates("DefinitionUpdates"), { name: "wu" });
            assert.deepEqual(defs.messages, []);
        });

        it("knows Quick Setup's patch document: an AWS-RunPatchBaselineAssociation install association is reported", async () => {
            const qs = { name: "AWS-RunPatchBaselineAssociation", parameters: { Operation: "Install", RebootOption: "RebootIfNeeded" } };
            assert.equal((await runResourcePolicy(associationNeverReboots, TYPES.association, qs, { name: "qs" })).messages.length, 1);
            assert.equal((await runResourcePolicy(associationRateControl, TYPES.association, qs, { name: "qs" })).messages.length, 1);
        });

        it("passes scripts that do not patch, and the patch documents", async () => {
            const assoc = {
                name: "AWS-RunShellScript",
                parameters: { commands: ["yum install -y amazon-cloudwatch-agent", "apt-get update"] },
            };
            assert.deepEqual((await runResourcePolicy(patchingDocumentsOnly, TYPES.association, assoc, { name: "agent" })).messages, []);
            assert.deepEqual((await runResourcePolicy(patchingDocumentsOnly, TYPES.windowTask, taskInputs(), { name: "t" })).messages, []);
        });
    });

    describe("security-group-not-open", () => {
        const https = (cidr: string) => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidr] });
        /** An ssm endpoint with its security group, and a rule of each kind on that group. */
        const endpointStack = (ingress: unknown[], rules: StackEntry[] = []): StackEntry[] => [
            { type: TYPES.securityGroup, name: "endpoints-https", props: { id: "sg-0a1b2c3d", vpcId: "vpc-0a1b2c3d4e5f60718", ingress } },
            {
                type: TYPES.vpcEndpoint,
                name: "endpoints-ssm",
                props: {
                    vpcId: "vpc-0a1b2c3d4e5f60718",
                    serviceName: "com.amazonaws.eu-west-1.ssm",
                    vpcEndpointType: "Interface",
                    securityGroupIds: ["sg-0a1b2c3d"],
                },
            },
            ...rules,
        ];
        it("passes 443 from the VPC CIDR, and an egress rule to anywhere", async () => {
            const egress = {
                type: TYPES.securityGroupRule,
                name: "out",
                props: { type: "egress", cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-0a1b2c3d" },
            };
            assert.deepEqual(await runStackPolicy(securityGroupNotOpen, endpointStack([https("10.20.0.0/16")], [egress])), []);
        });

        it("reports ingress from anywhere on the endpoints' group, a rule and a VPC ingress rule", async () => {
            const found = await runStackPolicy(
                securityGroupNotOpen,
                endpointStack(
                    [https("0.0.0.0/0"), { ...https("10.0.0.0/8"), ipv6CidrBlocks: ["::/0"] }],
                    [
                        {
                            type: TYPES.securityGroupRule,
                            name: "in",
                            props: { type: "ingress", cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-0a1b2c3d" },
                        },
                        { type: TYPES.vpcIngressRule, name: "in-v4", props: { cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-0a1b2c3d" } },
                    ],
                ),
            );
            assert.deepEqual(
                found.map((v) => v.message),
                [
                    'security group rule "endpoints-https" admits "0.0.0.0/0" and "::/0"; allow the VPC\'s CIDR only (the endpoints serve instances inside the VPC).',
                    'security group rule "in" admits "0.0.0.0/0"; allow the VPC\'s CIDR only (the endpoints serve instances inside the VPC).',
                    'security group rule "in-v4" admits "0.0.0.0/0"; allow the VPC\'s CIDR only (the endpoints serve instances inside the VPC).',
                ],
            );
        });

        it("leaves a web server's group open to the internet alone: it is no endpoint's", async () => {
            const web: StackEntry = { type: TYPES.securityGroup, name: "web", props: { id: "sg-web", ingress: [https("0.0.0.0/0")] } };
            assert.deepEqual(await runStackPolicy(securityGroupNotOpen, [...endpointStack([https("10.20.0.0/16")]), web]), []);
        });
    });

    describe("ssm-endpoint-private-dns", () => {
        const endpoint = (service: string, privateDnsEnabled: boolean) => ({
            vpcId: "vpc-0a1b2c3d4e5f60718",
            serviceName: `com.amazonaws.eu-west-1.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled,
        });
        it("passes an ssm endpoint with private DNS, and other services either way", async () => {
            assert.deepEqual(
                (await runResourcePolicy(ssmEndpointPrivateDns, TYPES.vpcEndpoint, endpoint("ssm", true), { name: "ep" })).messages,
                [],
            );
            assert.deepEqual(
                (await runResourcePolicy(ssmEndpointPrivateDns, TYPES.vpcEndpoint, endpoint("sqs", false), { name: "ep" })).messages,
                [],
            );
        });

        it("reports an ec2messages endpoint without private DNS", async () => {
            const { messages } = await runResourcePolicy(ssmEndpointPrivateDns, TYPES.vpcEndpoint, endpoint("ec2messages", false), {
                name: "endpoints-ec2messages",
            });
            assert.deepEqual(messages, [
                'endpoint "endpoints-ec2messages" for com.amazonaws.eu-west-1.ec2messages has private DNS off; set privateDnsEnabled true so the SSM Agent uses it.',
            ]);
        });
    });

    describe("patch-group-coverage across regions", () => {
        it("a group registered once in each of two regions is no duplicate; twice in one region still is", async () => {
            const inRegion = (region: string) =>
                prodStack().map((e) => ({ ...e, name: `${region}-${e.name}`, props: { ...e.props, region } }));
            assert.deepEqual(await runStackPolicy(patchGroupOneBaselinePerOs, [...inRegion("eu-west-1"), ...inRegion("eu-central-1")]), []);
            const twice = [...inRegion("eu-west-1"), ...inRegion("eu-west-1").map((e) => ({ ...e, name: `again-${e.name}` }))];
            const v = await runStackPolicy(patchGroupOneBaselinePerOs, twice);
            assert.ok(
                v.some((x) => /registered with 2 WINDOWS baselines/.test(x.message)),
                JSON.stringify(v),
            );
        });
    });

    describe("window-quotas across regions", () => {
        const windows = (region: string, n: number) =>
            Array.from({ length: n }, (_, i) => ({
                type: TYPES.window,
                name: `${region}-w${i}`,
                props: { ...windowInputs(), name: `window-${i}`, id: `mw-${String(i).padStart(17, "0")}`, region },
            }));
        it("counts the 50-window quota per region", async () => {
            assert.deepEqual(
                await runStackPolicy(windowQuotas, [...prodStack(), ...windows("eu-west-1", 30), ...windows("eu-central-1", 30)]),
                [],
            );
            const v = await runStackPolicy(windowQuotas, [...prodStack(), ...windows("eu-west-1", 51), ...windows("eu-central-1", 2)]);
            assert.deepEqual(
                v.map((x) => x.message),
                ["the stack creates 51 maintenance windows in eu-west-1; the quota is 50 per account and region (config maxWindows)."],
            );
        });
    });

    describe("the patching scope's buckets", () => {
        it("include those the fleet installs from and the runbooks write to", () => {
            const task = {
                taskInvocationParameters: {
                    runCommandParameters: { parameters: [{ name: "BaselineOverride", values: ["s3://acme-overrides/web/baseline.json"] }] },
                    automationParameters: { parameters: [{ name: "ReportS3Bucket", values: ["acme-reports"] }] },
                },
            };
            assert.deepEqual(readBuckets(task), ["acme-overrides", "acme-reports"]);
            const association = { parameters: { InstallOverrideList: "https://acme-lists.s3.eu-west-1.amazonaws.com/web.yaml" } };
            assert.deepEqual(readBuckets(association), ["acme-lists"]);
            assert.deepEqual(readBuckets({ parameters: { Operation: "Install" } }), []);
        });
    });
});
