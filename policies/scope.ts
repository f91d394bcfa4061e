// What patching uses in a stack. A rule about buckets, roles, topics, security groups or windows
// judges the ones patching relies on, never every resource of that type: the pack is attached to
// whole organisations by policy groups, and a website or a cluster beside the patching must pass.
//
// Patching is what runs Patch Manager's documents: a maintenance-window task or a State Manager
// association running AWS-RunPatchBaseline (with or without hooks), the old AWS-ApplyPatchBaseline,
// or a patching runbook (image first, rollback, load balancer, Auto Scaling), and a reboot task on
// patch groups. From those follow the windows they belong to, the window targets they run on, the
// buckets their output goes to, the topics they notify and the roles they run as.

import {
    DEPRECATED_PATCH_DOCUMENT,
    PATCH_DOCUMENTS,
    PATCH_GROUP_TARGET_KEYS,
    STRATEGY_DOCUMENTS,
    TARGET_KEYS,
    TYPES,
} from "@patch-manager/ssm";
import { documentName, runCommandParameters } from "./ssmValues";
import { StackResource, asArray, isRunList, isUnknown, namesRole, ofType, refersTo, roleHoldings, rolePolicies } from "./util";

/** Documents whose runs are patching. */
export const PATCHING_DOCUMENTS: readonly string[] = [
    ...PATCH_DOCUMENTS,
    DEPRECATED_PATCH_DOCUMENT,
    STRATEGY_DOCUMENTS.patchWithRollback.name,
    STRATEGY_DOCUMENTS.patchLoadBalancerInstance.name,
    STRATEGY_DOCUMENTS.patchAsgInstance.name,
];

/** The services whose interface endpoints the SSM Agent uses. */
export const SSM_AGENT_SERVICES = ["ssm", "ssmmessages", "ec2messages"];

/** A value, or the name at the end of an ARN, is one of the names. */
function namedIn(value: unknown, names: readonly string[]): boolean {
    const doc = documentName(value);
    return typeof doc === "string" && names.includes(doc);
}

/** Whether a window task or association (its props) runs a patching document. */
export function runsPatching(type: string, props: any): boolean {
    return type === TYPES.association ? namedIn(props?.name, PATCHING_DOCUMENTS) : namedIn(props?.taskArn, PATCHING_DOCUMENTS);
}

/** Whether a targets list selects a patch group by its tag. */
export function selectsPatchGroup(targets: unknown): boolean {
    return asArray(targets).some((t: any) => PATCH_GROUP_TARGET_KEYS.includes(t?.key));
}

/** What patching uses in one stack (every list holds resources of the stack). */
export interface PatchingScope {
    /** Window tasks that patch, and tasks on patch groups in a window that patches (e.g. a reboot or image task). */
    tasks: StackResource[];
    /** Windows with such a task. */
    windows: StackResource[];
    /** Window targets of those windows. */
    targets: StackResource[];
    /** Associations that run a patching document. */
    associations: StackResource[];
    /** Buckets that patching writes to: command output, association output, the compliance data sync. */
    buckets: StackResource[];
    /** Topics that patching notifies: task notifications, and EventBridge targets of rules on SSM events. */
    topics: StackResource[];
    /** Security groups of the Systems Manager interface endpoints. */
    endpointSecurityGroups: StackResource[];
    /** The Systems Manager interface endpoints (ssm, ssmmessages, ec2messages). */
    endpoints: StackResource[];
    /**
     * Roles patching runs as: the tasks' and their notifications', the hybrid activations', and the
     * managed nodes' (a role holding AmazonSSMManagedInstanceCore).
     */
    roles: StackResource[];
}

const MANAGED_NODE_POLICY = /^arn:aws(-[a-z]+)*:iam::aws:policy\/AmazonSSMManagedInstanceCore$/;

/** Whether `from.props[prop]` names `to` (by dependency, id, or one of its identifying props), any of a list. */
function names(from: StackResource, prop: string, to: StackResource, identifying: string[]): boolean {
    if (refersTo(from, prop, to, identifying) === true) return true;
    const values = asArray(from.props[prop]);
    return values.some((v) => identifying.some((k) => typeof to.props[k] === "string" && to.props[k] !== "" && to.props[k] === v));
}

/** A bucket as other resources name it: its name (the `bucket` prop) or its id. */
function bucketNamed(bucket: StackResource, name: unknown): boolean {
    if (typeof name !== "string" || name === "" || isUnknown(name)) return false;
    return [bucket.props.bucket, bucket.props.id].some((n) => typeof n === "string" && n === name);
}

/**
 * The resources patching uses. Of the offline runner's one deep-frozen list for a run
 * (policies/util.ts RUN_RESOURCES, marked RUN_LIST) it is found once and frozen too: the rules
 * that ask for it share it, and none can change it for another. Any other list, frozen or not,
 * is looked at anew.
 */
export function patchingScope(resources: StackResource[]): PatchingScope {
    if (!isRunList(resources)) return scopeOf(resources);
    let scope = SCOPES.get(resources);
    if (scope === undefined) {
        scope = scopeOf(resources);
        for (const list of Object.values(scope)) Object.freeze(list);
        SCOPES.set(resources, Object.freeze(scope));
    }
    return scope;
}

const SCOPES = new WeakMap<readonly StackResource[], PatchingScope>();

function scopeOf(resources: StackResource[]): PatchingScope {
    const windows = ofType(resources, TYPES.window);
    const allTasks = ofType(resources, TYPES.windowTask);
    const patchTasks = allTasks.filter((t) => runsPatching(t.type, t.props));
    const patchWindows = windows.filter((w) => patchTasks.some((t) => refersTo(t, "windowId", w) === true));
    const allTargets = ofType(resources, TYPES.windowTarget);
    const targets = allTargets.filter((t) => patchWindows.some((w) => refersTo(t, "windowId", w) === true));
    // A task of a patching window on patch groups (a reboot task, an image first) is part of the patching.
    const inWindow = allTasks.filter(
        (t) =>
            !patchTasks.includes(t) &&
            patchWindows.some((w) => refersTo(t, "windowId", w) === true) &&
            (selectsPatchGroup(t.props.targets) || targets.some((x) => names(t, "targets", x, ["id"]) || taskTargetsInclude(t, x))),
    );
    const tasks = [...patchTasks, ...inWindow];
    // A window whose tasks only reboot (a strategy's reboot window) patches nothing itself: it is not in scope.
    const associations = ofType(resources, TYPES.association).filter((a) => runsPatching(a.type, a.props));

    const syncs = ofType(resources, TYPES.resourceDataSync);
    const bucketNames = [
        ...tasks.map((t) => runCommandParameters(t.props)?.outputS3Bucket),
        ...associations.map((a) => outputLocation(a.props)?.s3BucketName),
        ...syncs.map((s) => first(s.props.s3Destination)?.bucketName),
        // What the fleet reads or the runbooks write: override lists and baselines, runbook reports and logs.
        ...[...tasks, ...associations].flatMap((r) => readBuckets(r.props)),
    ];
    const buckets = ofType(resources, TYPES.bucket, TYPES.bucketV2).filter(
        (b) =>
            bucketNames.some((n) => bucketNamed(b, n)) ||
            tasks.some((t) => (t.propertyDependencies.taskInvocationParameters ?? []).includes(b.urn)) ||
            associations.some((a) => (a.propertyDependencies.outputLocation ?? []).includes(b.urn)) ||
            syncs.some((s) => (s.propertyDependencies.s3Destination ?? []).includes(b.urn)),
    );

    const notified = tasks.map((t) => first(runCommandParameters(t.props)?.notificationConfig)?.notificationArn);
    const ssmRules = ofType(resources, TYPES.eventRule).filter((r) => matchesSsmEvents(r.props.eventPattern));
    const eventTargets = ofType(resources, TYPES.eventTarget).filter((t) => ssmRules.some((r) => names(t, "rule", r, ["name", "id"])));
    const topics = ofType(resources, TYPES.topic).filter(
        (topic) =>
            notified.some((arn) => typeof arn === "string" && (arn === topic.props.arn || arn === topic.props.id)) ||
            tasks.some((t) => (t.propertyDependencies.taskInvocationParameters ?? []).includes(topic.urn)) ||
            eventTargets.some((t) => names(t, "arn", topic, ["arn", "id"])),
    );

    const endpoints = ofType(resources, TYPES.vpcEndpoint).filter((e) => {
        const service = e.props.serviceName;
        return typeof service === "string" && SSM_AGENT_SERVICES.includes(service.slice(service.lastIndexOf(".") + 1));
    });
    const endpointSecurityGroups = ofType(resources, TYPES.securityGroup).filter((sg) =>
        endpoints.some((e) => names(e, "securityGroupIds", sg, ["id"])),
    );
    const roleRefs: Array<[StackResource, string]> = [
        ...tasks.map((t) => [t, "serviceRoleArn"] as [StackResource, string]),
        ...ofType(resources, TYPES.activation).map((a) => [a, "iamRole"] as [StackResource, string]),
    ];
    const holdings = roleHoldings(resources);
    const roles = ofType(resources, TYPES.role).filter(
        (role) =>
            roleRefs.some(([r, prop]) => namesRole(r, prop, role)) ||
            tasks.some((t) => {
                const sns = runCommandParameters(t.props)?.serviceRoleArn;
                return typeof sns === "string" && namesRole({ ...t, props: { sns }, propertyDependencies: {} }, "sns", role);
            }) ||
            rolePolicies(role, resources, holdings).arns.some((a) => MANAGED_NODE_POLICY.test(a)),
    );
    return { tasks, windows: patchWindows, targets, associations, buckets, topics, endpointSecurityGroups, endpoints, roles };
}

/** Whether a resource is one patching uses: an SSM resource, or one of the scope's, or what configures one. */
export function inPatchingScope(r: StackResource, scope: PatchingScope): boolean {
    if (r.type.startsWith("aws:ssm/")) return true;
    const direct = [...scope.buckets, ...scope.topics, ...scope.endpointSecurityGroups, ...scope.endpoints, ...scope.roles];
    if (direct.includes(r)) return true;
    // What configures one of them: a bucket's policy or encryption, a topic's policy, a role's profile, policies and attachments.
    const owners: Array<[string, StackResource[], string[]]> = [
        ["bucket", scope.buckets, ["id", "bucket"]],
        ["arn", scope.topics, ["arn", "id"]],
        ["role", scope.roles, ["name", "id"]],
    ];
    return owners.some(
        ([prop, list, identifying]) =>
            r.props[prop] !== undefined && list.some((o) => refersTo(r, prop, o, identifying) === true || names(r, prop, o, identifying)),
    );
}

/** Parameters that name S3 objects the fleet installs from, or buckets a runbook writes to. */
const S3_PARAMETERS = ["BaselineOverride", "InstallOverrideList", "ReportS3Bucket", "S3BucketLog", "OutputS3BucketName"];

/** The buckets a task's or association's parameters name: `s3://bucket/key`, an S3 https URL, or a bare bucket name. */
export function readBuckets(props: any): string[] {
    const tip = first(props?.taskInvocationParameters);
    const sources = [first(tip?.runCommandParameters)?.parameters, first(tip?.automationParameters)?.parameters, props?.parameters];
    const values: unknown[] = [];
    for (const params of sources) {
        if (Array.isArray(params)) {
            for (const p of params) if (S3_PARAMETERS.includes(p?.name)) values.push(...asArray(p.values));
        } else if (params && typeof params === "object") {
            for (const name of S3_PARAMETERS) if (name in params) values.push(...asArray(params[name]));
        }
    }
    return values.flatMap((v) => {
        if (typeof v !== "string" || v === "") return [];
        const s3 = /^s3:\/\/([^/]+)/.exec(v);
        if (s3) return [s3[1]];
        const https = /^https:\/\/(?:([^./]+)\.s3[.-][^/]*\/|s3[.-][^/]*\/([^/]+)\/)/.exec(v);
        if (https) return [https[1] ?? https[2]];
        return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) ? [v] : [];
    });
}

/** SSM's event sources and detail types, as EventBridge patterns may name them. */
const SSM_DETAIL_TYPE = /Maintenance Window|EC2 Command|EC2 Automation|Patch|Systems Manager|Configuration Compliance/i;

/**
 * Whether an EventBridge pattern can match Systems Manager's events: `source` aws.ssm, written
 * exactly, as a prefix or a wildcard, or a detail type of SSM's when the pattern names no source.
 */
export function matchesSsmEvents(pattern: unknown): boolean {
    if (typeof pattern !== "string") return false;
    let doc: any;
    try {
        doc = JSON.parse(pattern);
    } catch {
        return /aws\.ssm/.test(pattern);
    }
    const sources = asArray(doc?.source);
    if (sources.length > 0) {
        return sources.some((s: any) => {
            if (typeof s === "string") return s === "aws.ssm";
            if (typeof s?.prefix === "string") return "aws.ssm".startsWith(s.prefix);
            if (typeof s?.wildcard === "string") {
                return new RegExp(`^${s.wildcard.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`).test("aws.ssm");
            }
            return false;
        });
    }
    return asArray(doc?.["detail-type"]).some((d) => typeof d === "string" && SSM_DETAIL_TYPE.test(d));
}

/** A task's `WindowTargetIds` entry names this target. */
function taskTargetsInclude(task: StackResource, target: StackResource): boolean {
    const deps = task.propertyDependencies.targets;
    if (deps && deps.length > 0) return deps.includes(target.urn);
    return asArray(task.props.targets).some(
        (t: any) => t?.key === TARGET_KEYS.windowTargetIds && asArray(t.values).some((v) => v === target.props.id && typeof v === "string"),
    );
}

/** Nested blocks arrive as an object, or (older schemas, some states) as a one-element list. */
export function first(value: unknown): any {
    return Array.isArray(value) ? value[0] : value;
}

function outputLocation(props: any): any {
    return first(first(props?.outputLocation)?.s3Destination ?? props?.outputLocation);
}
