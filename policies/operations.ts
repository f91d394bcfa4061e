// Rules for what runs beside the windows: the alerts topic, task notifications, State Manager
// patch associations and the Systems Manager VPC endpoints.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { IAM_ROLE_ARN, runCommandParameters } from "./tasks";
import { asArray, isSet, isUnknown, label, show, validateResourceOfTypes } from "./util";

export const OPERATIONS_TYPES = {
    topic: "aws:sns/topic:Topic",
    association: "aws:ssm/association:Association",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    vpcIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
} as const;

const PATCH_ASSOCIATION_DOCUMENTS = ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineWithHooks"];
const SSM_AGENT_SERVICES = ["ssm", "ssmmessages", "ec2messages"];
const ANYWHERE = ["0.0.0.0/0", "::/0"];

// ------------------------------------------------------------------------------------------------

export const alertsTopicEncrypted: ResourceValidationPolicy = {
    name: "alerts-topic-encrypted",
    description:
        "SNS topics (patching alerts name instances and failures) are encrypted at rest: set kmsMasterKeyId to a KMS key that " +
        "lets EventBridge and the notification role use it (the AWS managed alias/aws/sns does not admit EventBridge).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(OPERATIONS_TYPES.topic, (topic, args, reportViolation) => {
        const key = topic.kmsMasterKeyId;
        if (isUnknown(key)) {
            return;
        }
        if (!isSet(key)) {
            reportViolation(`topic ${label(topic, args.name)} is not encrypted; set kmsMasterKeyId to a KMS key ARN.`);
        }
    }),
};

// ------------------------------------------------------------------------------------------------

export const taskNotificationRole: ResourceValidationPolicy = {
    name: "task-notification-role",
    description:
        "A task that notifies SNS names the role Run Command publishes with: set taskInvocationParameters.runCommandParameters." +
        "serviceRoleArn to an IAM role allowed sns:Publish on the topic (the window role needs iam:PassRole on it), and " +
        "notificationEvents to the outcomes to hear about (Failed, TimedOut, Cancelled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", (task, args, reportViolation) => {
        const rc = runCommandParameters(task);
        if (isUnknown(rc) || rc === undefined || rc === null) {
            return;
        }
        const nc = Array.isArray(rc.notificationConfig) ? rc.notificationConfig[0] : rc.notificationConfig;
        if (isUnknown(nc) || !isSet(nc) || isUnknown(nc.notificationArn) || !isSet(nc.notificationArn)) {
            return;
        }
        const who = `task ${label(task, args.name)}`;
        const role = rc.serviceRoleArn;
        if (!isUnknown(role)) {
            if (!isSet(role)) {
                reportViolation(
                    `${who} notifies ${show(nc.notificationArn)} without runCommandParameters.serviceRoleArn; ` +
                        `Run Command cannot publish: set it to the notification role's ARN.`,
                );
            } else if (typeof role !== "string" || !IAM_ROLE_ARN.test(role)) {
                reportViolation(`${who}: runCommandParameters.serviceRoleArn ${show(role)} is not an IAM role ARN.`);
            }
        }
        const events = nc.notificationEvents;
        if (!isUnknown(events) && asArray(events).length === 0) {
            reportViolation(
                `${who} notifies ${show(nc.notificationArn)} on no event; set notificationEvents, e.g. ["Failed", "TimedOut", "Cancelled"].`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** A parameter of an association: the provider takes a map of name to string. */
function associationParameter(assoc: any, name: string): unknown {
    const params = assoc?.parameters;
    if (isUnknown(params)) {
        return params;
    }
    const v = params?.[name];
    return Array.isArray(v) ? v[0] : v;
}

export const associationNeverReboots: ResourceValidationPolicy = {
    name: "association-scans-without-reboot",
    description:
        'State Manager associations that run the patch documents only scan: set parameters Operation "Scan" and RebootOption ' +
        '"NoReboot". An association runs on its own schedule, outside the maintenance windows, so installing or rebooting ' +
        "there bypasses the windows' rate control, cutoff and change control.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(OPERATIONS_TYPES.association, (assoc, args, reportViolation) => {
        const doc = assoc.name;
        if (typeof doc !== "string" || !PATCH_ASSOCIATION_DOCUMENTS.includes(doc.slice(doc.lastIndexOf("/") + 1))) {
            return;
        }
        const who = `association ${assoc.associationName ? `"${assoc.associationName}" (${args.name})` : `"${args.name}"`}`;
        const operation = associationParameter(assoc, "Operation");
        const reboot = associationParameter(assoc, "RebootOption");
        if (!isUnknown(operation) && operation !== "Scan") {
            reportViolation(
                `${who} runs ${doc} with Operation ${show(operation)} outside any maintenance window; use "Scan" and install in a window.`,
            );
        }
        if (!isUnknown(reboot) && reboot !== "NoReboot") {
            reportViolation(
                `${who} runs ${doc} with RebootOption ${show(reboot)}; set "NoReboot" (the default, RebootIfNeeded, may reboot instances outside their window).`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** The sources an ingress rule admits, by the shape of each resource type. */
function ingressSources(type: string, props: any): unknown[] {
    switch (type) {
        case OPERATIONS_TYPES.securityGroup:
            return asArray(props.ingress).flatMap((r: any) =>
                isUnknown(r) ? [] : [...asArray(r?.cidrBlocks), ...asArray(r?.ipv6CidrBlocks)],
            );
        case OPERATIONS_TYPES.securityGroupRule:
            return props.type === "ingress" ? [...asArray(props.cidrBlocks), ...asArray(props.ipv6CidrBlocks)] : [];
        default:
            return [props.cidrIpv4, props.cidrIpv6];
    }
}

export const securityGroupNotOpen: ResourceValidationPolicy = {
    name: "security-group-not-open",
    description:
        "No security group of the stack (the Systems Manager endpoints' among them) accepts traffic from anywhere: replace " +
        "0.0.0.0/0 and ::/0 in ingress rules with the VPC's CIDR.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(
        [OPERATIONS_TYPES.securityGroup, OPERATIONS_TYPES.securityGroupRule, OPERATIONS_TYPES.vpcIngressRule],
        (props, args, reportViolation) => {
            const open = ingressSources(args.type, props).filter((c) => typeof c === "string" && ANYWHERE.includes(c));
            if (open.length > 0) {
                reportViolation(
                    `security group rule ${label(props, args.name)} admits ${open.map((c) => JSON.stringify(c)).join(" and ")}; ` +
                        `allow the VPC's CIDR only (the endpoints serve instances inside the VPC).`,
                );
            }
        },
    ),
};

// ------------------------------------------------------------------------------------------------

export const ssmEndpointPrivateDns: ResourceValidationPolicy = {
    name: "ssm-endpoint-private-dns",
    description:
        "Interface endpoints for ssm, ssmmessages and ec2messages turn private DNS on: without it the SSM Agent keeps resolving " +
        "the public endpoints and instances in private subnets stay unmanaged. Set privateDnsEnabled true.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(OPERATIONS_TYPES.vpcEndpoint, (ep, args, reportViolation) => {
        const service = ep.serviceName;
        if (typeof service !== "string" || ep.vpcEndpointType !== "Interface") {
            return;
        }
        const short = service.slice(service.lastIndexOf(".") + 1);
        if (SSM_AGENT_SERVICES.includes(short) && !isUnknown(ep.privateDnsEnabled) && ep.privateDnsEnabled !== true) {
            reportViolation(
                `endpoint "${args.name}" for ${service} has private DNS off; set privateDnsEnabled true so the SSM Agent uses it.`,
            );
        }
    }),
};

export const operationsPolicies = [
    alertsTopicEncrypted,
    taskNotificationRole,
    associationNeverReboots,
    securityGroupNotOpen,
    ssmEndpointPrivateDns,
];
