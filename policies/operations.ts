// Rules for what runs beside the windows: the alerts topic, task notifications, State Manager
// patch associations and the Systems Manager VPC endpoints.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { IAM_ROLE_ARN, runCommandParameters } from "./tasks";
import { associationParameter, commandParameter, documentName } from "./ssmValues";
import { SSM_AGENT_SERVICES, patchingScope, runsPatching } from "./scope";
import {
    StackResource,
    asArray,
    isSet,
    isUnknown,
    label,
    ofType,
    refersTo,
    show,
    stackResources,
    text,
    validateResourceOfTypes,
} from "./util";
import { DEPRECATED_PATCH_DOCUMENT, PATCH_DOCUMENTS, STRATEGY_DOCUMENTS, TYPES } from "@patch-manager/ssm";

const PATCH_ASSOCIATION_DOCUMENTS: readonly string[] = PATCH_DOCUMENTS;

/** The patch document an association runs (a name or the name at the end of an ARN), or undefined for any other. */
function patchAssociationDocument(assoc: any): string | undefined {
    const doc = documentName(assoc?.name);
    return typeof doc === "string" && PATCH_ASSOCIATION_DOCUMENTS.includes(doc) ? doc : undefined;
}
const ANYWHERE = ["0.0.0.0/0", "::/0"];

// ------------------------------------------------------------------------------------------------

export const alertsTopicEncrypted: StackValidationPolicy = {
    name: "alerts-topic-encrypted",
    description:
        "SNS topics that patching notifies (a task's notifications, EventBridge rules on Systems Manager events) are encrypted " +
        "at rest: set kmsMasterKeyId to a KMS key that lets EventBridge and the notification role use it (the AWS managed " +
        "alias/aws/sns does not admit EventBridge). Other topics of the stack are not the pack's concern.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const topic of patchingScope(stackResources(args)).topics) {
            const key = topic.props.kmsMasterKeyId;
            if (!isUnknown(key) && !isSet(key)) {
                reportViolation(
                    `topic ${label(topic.props, topic.name)} is not encrypted; set kmsMasterKeyId to a KMS key ARN.`,
                    topic.urn,
                );
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

export const taskNotificationRole: ResourceValidationPolicy = {
    name: "task-notification-role",
    description:
        "A task that notifies SNS names the role Run Command publishes with: set taskInvocationParameters.runCommandParameters." +
        "serviceRoleArn to an IAM role allowed sns:Publish on the topic (the window role needs iam:PassRole on it), and " +
        "notificationEvents to the outcomes to hear about (Failed, TimedOut, Cancelled).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.windowTask, (task, args, reportViolation) => {
        if (!runsPatching(args.type, task)) {
            return;
        }
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

export const associationNeverReboots: ResourceValidationPolicy = {
    name: "association-scans-without-reboot",
    description:
        'State Manager associations that run the patch documents only scan: Operation "Scan". An association runs when it is ' +
        "created and then on its own schedule, outside the maintenance windows, so an install there (which reboots by default: " +
        "RebootOption RebootIfNeeded) bypasses the windows' rate control, cutoff and change control. Install in a window.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes(TYPES.association, (assoc, args, reportViolation) => {
        const doc = patchAssociationDocument(assoc);
        if (doc === undefined) {
            return;
        }
        const who = associationLabel(assoc, args.name);
        const operation = associationParameter(assoc, "Operation");
        const reboot = associationParameter(assoc, "RebootOption");
        if (isUnknown(operation) || operation === "Scan") {
            return; // a scan never reboots, whatever RebootOption says
        }
        if (!isSet(operation)) {
            reportViolation(`${who} runs ${doc} without the required Operation parameter; set "Scan" (and install in a window).`);
            return;
        }
        const rebooting = !isUnknown(reboot) && reboot !== "NoReboot";
        reportViolation(
            `${who} runs ${doc} with Operation ${show(operation)} outside any maintenance window` +
                (rebooting
                    ? `, rebooting nodes when a patch needs it (RebootOption ${isSet(reboot) ? show(reboot) : "unset: RebootIfNeeded"})`
                    : "") +
                `; use "Scan" and install in a window.`,
        );
    }),
};

const associationLabel = (assoc: any, name: string) =>
    `association ${typeof assoc.associationName === "string" && assoc.associationName !== "" ? `"${assoc.associationName}" (${name})` : `"${name}"`}`;

// ------------------------------------------------------------------------------------------------

export const associationRateControl: ResourceValidationPolicy = {
    name: "association-rate-control",
    description:
        "A State Manager association that runs a patch document limits how many nodes run it at once and how many failures stop " +
        'it: set maxConcurrency (e.g. "10%") and maxErrors (e.g. "5%"). Without them State Manager runs it on up to all targets ' +
        "at once (CreateAssociation: MaxConcurrency defaults to 100%) and never stops for errors.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(TYPES.association, (assoc, args, reportViolation) => {
        const doc = patchAssociationDocument(assoc);
        if (doc === undefined) {
            return;
        }
        const missing = ["maxConcurrency", "maxErrors"].filter((k) => !isUnknown(assoc[k]) && !isSet(assoc[k]));
        if (missing.length > 0) {
            reportViolation(
                `${associationLabel(assoc, args.name)} runs ${doc} without ${missing.join(" and ")}; set them, e.g. "10%" and "5%".`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** Package-manager verbs that patch, per tool, read as words of one command (options and their arguments anywhere). */
const PATCHING_VERBS: Record<string, string[]> = {
    yum: ["update", "upgrade", "update-minimal", "upgrade-minimal", "distro-sync"],
    dnf: ["update", "upgrade", "update-minimal", "upgrade-minimal", "distro-sync"],
    "apt-get": ["upgrade", "dist-upgrade", "full-upgrade"],
    apt: ["upgrade", "dist-upgrade", "full-upgrade"],
    zypper: ["up", "update", "patch", "dup", "dist-upgrade"],
    pkcon: ["update"],
};

/** Commands that patch whatever their arguments: unattended upgrades, Windows Update from PowerShell or the shell. */
const PATCHING_COMMANDS =
    /\bunattended-upgrades?\b|\bInstall-WindowsUpdate\b|\bGet-WUInstall\b|\bGet-WindowsUpdate\b[^\n]*-Install\b|\bUsoClient(\.exe)?\s+(StartInstall|ScanInstallWait)\b|\bwuauclt(\.exe)?\s+\/(updatenow|detectnow)\b/i;

/** The first command of `commands` that patches outside Patch Manager, if any. */
export function shellPatching(commands: readonly string[]): string | undefined {
    for (const command of commands) {
        if (PATCHING_COMMANDS.test(command)) return command;
        for (const segment of command.split(/&&|\|\||[;|\n]/)) {
            const words = segment
                .trim()
                .split(/\s+/)
                .map((w) => w.replace(/^['"]|['"]$/g, ""));
            const tool = words.findIndex((w) => /^(\S*\/)?(yum|dnf|apt-get|apt|zypper|pkcon)$/.test(w));
            if (tool < 0) continue;
            const verbs = PATCHING_VERBS[words[tool].split("/").pop()!] ?? [];
            const rest = words.slice(tool + 1);
            if (rest.some((w) => verbs.includes(w))) return command;
            // `zypper in -t patch ...` installs patches.
            if (words[tool].endsWith("zypper") && rest.includes("-t") && rest[rest.indexOf("-t") + 1] === "patch") return command;
        }
    }
    return undefined;
}

/** The shell commands a task or association runs (AWS-RunShellScript / AWS-RunPowerShellScript). */
function shellCommands(type: string, props: any): string[] {
    if (type === TYPES.association) {
        const v = props?.parameters?.commands;
        return asArray(v).map(String);
    }
    const commands = commandParameter(props, "commands");
    return Array.isArray(commands) ? commands.map(String) : [];
}

export const patchingDocumentsOnly: ResourceValidationPolicy = {
    name: "patching-documents-only",
    description:
        "Nodes are patched through Patch Manager's documents (AWS-RunPatchBaseline, with or without hooks), not through " +
        "AWS-ApplyPatchBaseline (the old Windows-only document) in an association, AWS-InstallWindowsUpdates (other than " +
        "Defender definitions), nor a shell script that runs yum/dnf update, apt upgrade, zypper update or patch, unattended " +
        "upgrades or Windows Update: those bypass the baselines and report no patch compliance (AWS: use one patching method per node).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfTypes([TYPES.association, TYPES.windowTask], (r, args, reportViolation) => {
        const isAssociation = args.type === TYPES.association;
        const who = isAssociation ? associationLabel(r, args.name) : `task ${label(r, args.name)}`;
        const doc = documentName(isAssociation ? r.name : r.taskArn);
        if (isAssociation && doc === DEPRECATED_PATCH_DOCUMENT) {
            reportViolation(
                `${who} runs AWS-ApplyPatchBaseline, the old Windows-only document; use AWS-RunPatchBaseline with Operation "Scan".`,
            );
            return;
        }
        if (doc === "AWS-InstallWindowsUpdates") {
            // Defender's definition updates are no patches; anything else it installs bypasses the baselines.
            const categories = isAssociation ? asArray(r.parameters?.Categories) : asArray(commandParameter(r, "Categories"));
            const listed = categories.flatMap((c) => text(c).split(","));
            if (!(listed.length > 0 && listed.every((c) => c.trim() === "DefinitionUpdates"))) {
                reportViolation(
                    `${who} installs Windows updates with AWS-InstallWindowsUpdates${listed.length > 0 ? ` (${listed.join(", ")})` : ""}: it ` +
                        `reads no patch baseline and reports no patch compliance; run AWS-RunPatchBaseline in a maintenance window instead.`,
                );
            }
            return;
        }
        if (doc !== STRATEGY_DOCUMENTS.runShellScript.name && doc !== STRATEGY_DOCUMENTS.runPowerShellScript.name) {
            return;
        }
        const patching = shellPatching(shellCommands(args.type, r));
        if (patching !== undefined) {
            reportViolation(
                `${who} patches through ${doc} (${show(patching.trim().slice(0, 80))}): it bypasses the patch baselines and ` +
                    `reports no patch compliance; run AWS-RunPatchBaseline (Operation "Install") in a maintenance window instead.`,
            );
        }
    }),
};

// ------------------------------------------------------------------------------------------------

/** The sources an ingress rule admits, by the shape of each resource type. */
function ingressSources(type: string, props: any): unknown[] {
    switch (type) {
        case TYPES.securityGroup:
            return asArray(props.ingress).flatMap((r: any) =>
                isUnknown(r) ? [] : [...asArray(r?.cidrBlocks), ...asArray(r?.ipv6CidrBlocks)],
            );
        case TYPES.securityGroupRule:
            return props.type === "ingress" ? [...asArray(props.cidrBlocks), ...asArray(props.ipv6CidrBlocks)] : [];
        default:
            return [props.cidrIpv4, props.cidrIpv6];
    }
}

export const securityGroupNotOpen: StackValidationPolicy = {
    name: "security-group-not-open",
    description:
        "The security groups of the Systems Manager interface endpoints (ssm, ssmmessages, ec2messages) accept no traffic from " +
        "anywhere: replace 0.0.0.0/0 and ::/0 in their ingress rules with the VPC's CIDR blocks. Other groups of the stack are " +
        "not the pack's concern.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const groups = patchingScope(resources).endpointSecurityGroups;
        const rules: StackResource[] = [
            ...groups,
            ...ofType(resources, TYPES.securityGroupRule, TYPES.vpcIngressRule).filter((r) =>
                groups.some((g) => refersTo(r, "securityGroupId", g) === true),
            ),
        ];
        for (const r of rules) {
            const open = ingressSources(r.type, r.props).filter((c) => typeof c === "string" && ANYWHERE.includes(c));
            if (open.length > 0) {
                reportViolation(
                    `security group rule ${label(r.props, r.name)} admits ${open.map((c) => JSON.stringify(c)).join(" and ")}; ` +
                        `allow the VPC's CIDR only (the endpoints serve instances inside the VPC).`,
                    r.urn,
                );
            }
        }
    },
};

// ------------------------------------------------------------------------------------------------

export const ssmEndpointPrivateDns: ResourceValidationPolicy = {
    name: "ssm-endpoint-private-dns",
    description:
        "Interface endpoints for ssm, ssmmessages and ec2messages turn private DNS on: without it the SSM Agent keeps resolving " +
        "the public endpoints and instances in private subnets stay unmanaged. Set privateDnsEnabled true.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfTypes(TYPES.vpcEndpoint, (ep, args, reportViolation) => {
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
    associationRateControl,
    patchingDocumentsOnly,
    securityGroupNotOpen,
    ssmEndpointPrivateDns,
];
