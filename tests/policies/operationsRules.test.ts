import * as assert from "node:assert/strict";
import {
    OPERATIONS_TYPES as O,
    alertsTopicEncrypted,
    associationNeverReboots,
    securityGroupNotOpen,
    ssmEndpointPrivateDns,
    taskNotificationRole,
} from "../../policies/operations";
import { patchGroupCoverage, windowQuotas } from "../../policies/stack";
import { TYPES } from "../../policies/util";
import { UNKNOWN_STRING, runResourcePolicy, runStackPolicy } from "./harness";
import { prodStack, taskInputs, windowInputs } from "./resources";

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
        it("passes a topic with a KMS key, and one whose key is unknown in preview", async () => {
            const key = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-0000-4000-a000-000000000000";
            assert.deepEqual(
                (await runResourcePolicy(alertsTopicEncrypted, O.topic, { kmsMasterKeyId: key }, { name: "alerts-topic" })).messages,
                [],
            );
            assert.deepEqual(
                (await runResourcePolicy(alertsTopicEncrypted, O.topic, { kmsMasterKeyId: UNKNOWN_STRING }, { name: "alerts-topic" }))
                    .messages,
                [],
            );
        });

        it("reports a topic without encryption", async () => {
            const { messages } = await runResourcePolicy(alertsTopicEncrypted, O.topic, { name: "patching" }, { name: "alerts-topic" });
            assert.deepEqual(messages, ['topic "patching" (alerts-topic) is not encrypted; set kmsMasterKeyId to a KMS key ARN.']);
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
                O.association,
                scanAssociation({ Operation: "Scan", RebootOption: "NoReboot" }),
                opts,
            );
            assert.deepEqual(ok.messages, []);
            const inventory = { name: "AWS-GatherSoftwareInventory", parameters: { applications: "Enabled" } };
            assert.deepEqual((await runResourcePolicy(associationNeverReboots, O.association, inventory, opts)).messages, []);
        });

        it("reports an association that installs, and one that leaves the reboot to the default", async () => {
            const install = await runResourcePolicy(
                associationNeverReboots,
                O.association,
                scanAssociation({ Operation: "Install", RebootOption: "NoReboot" }),
                opts,
            );
            assert.deepEqual(install.messages, [
                'association "patch-manager-prod-web-server-daily-scan" (compliance-web-server-scan) runs AWS-RunPatchBaseline with Operation "Install" outside any maintenance window; use "Scan" and install in a window.',
            ]);
            const reboot = await runResourcePolicy(associationNeverReboots, O.association, scanAssociation({ Operation: "Scan" }), opts);
            assert.deepEqual(reboot.messages, [
                'association "patch-manager-prod-web-server-daily-scan" (compliance-web-server-scan) runs AWS-RunPatchBaseline with RebootOption (not set); set "NoReboot" (the default, RebootIfNeeded, may reboot instances outside their window).',
            ]);
        });
    });

    describe("security-group-not-open", () => {
        const https = (cidr: string) => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidr] });
        it("passes 443 from the VPC CIDR", async () => {
            const sg = { vpcId: "vpc-0a1b2c3d4e5f60718", ingress: [https("10.20.0.0/16")], egress: [] };
            assert.deepEqual(
                (await runResourcePolicy(securityGroupNotOpen, O.securityGroup, sg, { name: "endpoints-https" })).messages,
                [],
            );
            const rule = { type: "egress", cidrBlocks: ["0.0.0.0/0"], fromPort: 443, toPort: 443, protocol: "tcp" };
            assert.deepEqual(
                (await runResourcePolicy(securityGroupNotOpen, O.securityGroupRule, rule, { name: "out" })).messages,
                [],
                "egress is not ingress",
            );
        });

        it("reports ingress from anywhere on a group, a rule and a VPC ingress rule", async () => {
            const sg = { ingress: [https("0.0.0.0/0"), { ...https("10.0.0.0/8"), ipv6CidrBlocks: ["::/0"] }] };
            assert.deepEqual((await runResourcePolicy(securityGroupNotOpen, O.securityGroup, sg, { name: "endpoints-https" })).messages, [
                'security group rule "endpoints-https" admits "0.0.0.0/0" and "::/0"; allow the VPC\'s CIDR only (the endpoints serve instances inside the VPC).',
            ]);
            const rule = { type: "ingress", cidrBlocks: ["0.0.0.0/0"], fromPort: 443, toPort: 443, protocol: "tcp" };
            assert.equal((await runResourcePolicy(securityGroupNotOpen, O.securityGroupRule, rule, { name: "in" })).messages.length, 1);
            const vpcRule = { cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443, ipProtocol: "tcp" };
            assert.match(
                (await runResourcePolicy(securityGroupNotOpen, O.vpcIngressRule, vpcRule, { name: "in" })).messages[0],
                /admits "0.0.0.0\/0"/,
            );
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
                (await runResourcePolicy(ssmEndpointPrivateDns, O.vpcEndpoint, endpoint("ssm", true), { name: "ep" })).messages,
                [],
            );
            assert.deepEqual(
                (await runResourcePolicy(ssmEndpointPrivateDns, O.vpcEndpoint, endpoint("sqs", false), { name: "ep" })).messages,
                [],
            );
        });

        it("reports an ec2messages endpoint without private DNS", async () => {
            const { messages } = await runResourcePolicy(ssmEndpointPrivateDns, O.vpcEndpoint, endpoint("ec2messages", false), {
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
            assert.deepEqual(await runStackPolicy(patchGroupCoverage, [...inRegion("eu-west-1"), ...inRegion("eu-central-1")]), []);
            const twice = [...inRegion("eu-west-1"), ...inRegion("eu-west-1").map((e) => ({ ...e, name: `again-${e.name}` }))];
            const v = await runStackPolicy(patchGroupCoverage, twice);
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
});
