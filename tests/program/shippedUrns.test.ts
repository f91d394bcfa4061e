// Upgrading a shipped stack to the PatchManager component replaces nothing: the engine finds
// every resource of the old state under its URN or an alias, and its inputs are the same.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { matchOldState } from "../../tools/mock/aliases";
import { inputsWithUrnIds } from "../../tools/mock/mockProgram";
import { evaluate, REMOVED_ON_PURPOSE, ROOT, shippedConfig, Stack, withConfig } from "../helpers";
import { parse as parseYaml } from "yaml";

const fixture = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures", file), "utf8"));
/** Every custom resource's URN before the component (and a hash of its inputs whose method is not ours to rely on). */
const shipped: Record<string, { urn: string }[]> = fixture("shipped-urns.json");
/** The components of the same stacks, and id-independent input hashes (tools/mock/mockProgram.ts inputsWithUrnIds). */
const preComponent: Record<string, { components: string[]; inputs: Record<string, string> }> = fixture(
    "shipped-components-and-inputs.json",
);
const hash = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

/**
 * The one input change an upgrade makes on purpose: a hybrid activation's rotation gained
 * `triggers` (the inputs that replace the activation), so that a replaced activation never takes
 * an expiry from an old base time. Adding them replaces each rotation, and so its activation,
 * once: a new activation code in the stack outputs, registered servers untouched. Everything
 * else of such a rotation must stay as it was.
 */
const ROTATION = "time:index/rotating:Rotating";
/**
 * Input changes that fix what the account would have done with the old inputs, undone here so
 * that every other input is still compared: the SSM-assumed roles' trust lost the aws:SourceArn
 * AWS does not document for them (the notification role checks the account only when SSM sends
 * it), the alerts key's EventBridge statement lost the aws:SourceAccount SNS does not support for
 * EventBridge (scoped by the topic ARN instead), Ubuntu/Debian rules say the approveAfterDays
 * 0 the provider always sent, and a task with hooks continues past the cutoff.
 */
const OLD_SSM_TRUST = (account: string) => ({
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { Service: "ssm.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${account}:*` } },
        },
    ],
});
const withoutIntendedChanges = (type: string, inputs: unknown) => {
    let i = inputs as Record<string, any>;
    // Every role SSM may assume but a node's refuses a hybrid node's session (issue 18: the window role
    // cannot be kept out of an activation by IAM): the notification role's policy gained that Deny.
    if (type === "aws:iam/rolePolicy:RolePolicy" && typeof i.policy === "string" && i.policy.includes("NeverFromAManagedNode")) {
        const policy = JSON.parse(i.policy);
        policy.Statement = policy.Statement.filter((st: { Sid?: string }) => st.Sid !== "NeverFromAManagedNode");
        i = { ...i, policy: JSON.stringify(policy) };
    }
    if (type === ROTATION) {
        const { triggers: _triggers, ...rest } = i;
        return rest;
    }
    if (type === "aws:iam/role:Role") {
        const trust = JSON.parse(i.assumeRolePolicy);
        const st = trust.Statement?.[0];
        const account = st?.Condition?.StringEquals?.["aws:SourceAccount"] ?? st?.Condition?.StringEqualsIfExists?.["aws:SourceAccount"];
        const ssmAssumed = /^(Runs AWS-RunPatchBaseline tasks|Publishes patch-manager Run Command notifications)/.test(i.description);
        if (ssmAssumed && account) return { ...i, assumeRolePolicy: JSON.stringify(OLD_SSM_TRUST(account)) };
    }
    if (type === "aws:kms/key:Key") {
        const policy = JSON.parse(i.policy);
        for (const st of policy.Statement) {
            const topics = st.Condition?.ArnLike?.["kms:EncryptionContext:aws:sns:topicArn"];
            if (topics) st.Condition = { StringEquals: { "aws:SourceAccount": String(topics).split(":")[4] } };
        }
        return { ...i, policy: JSON.stringify(policy) };
    }
    // The S3 gateway endpoint gained a policy limited to the buckets patching reads (issue 22).
    if (type === "aws:ec2/vpcEndpoint:VpcEndpoint" && i.vpcEndpointType === "Gateway") {
        const { policy: _policy, ...rest } = i;
        return rest;
    }
    // The alarm stop also cancels the stopped windows' running executions (issue 22), and marks each
    // window it disables (patch-manager:stopped-by-alarm) so that the end of a change freeze leaves it
    // disabled: its runbook gained those steps and its role the actions for them; the old content is
    // the runbook's disable steps alone.
    // Its content is YAML now (aws:executeScript's inline Script is not supported in JSON runbooks).
    if (type === "aws:ssm/document:Document" && String(i.name).endsWith("stop-on-alarm")) {
        const doc = parseYaml(i.content);
        doc.description = "Disables the patch-manager maintenance windows of one stack and region: stops a rollout when its alarm fires.";
        // …and a window it could not disable fails the execution (isCritical).
        doc.mainSteps = doc.mainSteps
            .filter((st: any) => st.action === "aws:executeAwsApi" && st.inputs.Api !== "AddTagsToResource")
            .map(({ isCritical: _critical, ...st }: any) => st);
        return { ...i, documentFormat: "JSON", content: JSON.stringify(doc) };
    }
    // The alerts topic also takes the rule on the own runbooks' failed executions (its one ArnEquals key).
    if (type === "aws:sns/topicPolicy:TopicPolicy" && typeof i.policy === "string" && i.policy.includes("failed-runbooks")) {
        const policy = JSON.parse(i.policy);
        for (const st of policy.Statement) {
            const arnEquals = st.Condition?.ArnEquals ?? {};
            for (const key of Object.keys(arnEquals)) {
                const arns = [arnEquals[key]].flat().filter((a: string) => !/failed-runbooks/.test(a));
                arnEquals[key] = arns.length === 1 ? arns[0] : arns;
            }
        }
        return { ...i, policy: JSON.stringify(policy) };
    }
    // EventBridge's start of a runbook is granted on the document and its executions too (the SAR's required resource types).
    if (type === "aws:iam/rolePolicy:RolePolicy" && typeof i.policy === "string" && i.policy.includes(":automation-execution/*")) {
        const policy = JSON.parse(i.policy);
        for (const st of policy.Statement)
            if (st.Action === "ssm:StartAutomationExecution" && Array.isArray(st.Resource)) st.Resource = st.Resource[0];
        return { ...i, policy: JSON.stringify(policy) };
    }
    if (type === "aws:iam/rolePolicy:RolePolicy" && String(i.policy).includes("ssm:CancelMaintenanceWindowExecution")) {
        const policy = JSON.parse(i.policy);
        return {
            ...i,
            policy: JSON.stringify({
                Version: policy.Version,
                Statement: [{ Effect: "Allow", Action: "ssm:UpdateMaintenanceWindow", Resource: policy.Statement[0].Resource }],
            }),
        };
    }
    // The alerts rule also hears the windows being disabled or enabled (the alarm stop, and the refresh that undoes it).
    if (
        type === "aws:cloudwatch/eventRule:EventRule" &&
        String(i.description).startsWith("patch-manager maintenance windows that failed")
    ) {
        const pattern = JSON.parse(i.eventPattern);
        pattern["detail-type"] = pattern["detail-type"].filter((d: string) => d !== "Maintenance Window State-change Notification");
        if (pattern.detail.status) pattern.detail.status = pattern.detail.status.filter((s: string) => s !== "DISABLED" && s !== "ENABLED");
        return {
            ...i,
            description: "patch-manager maintenance windows that failed, timed out or were cancelled",
            eventPattern: JSON.stringify(pattern),
        };
    }
    // A task with hooks runs to its end: cancelled at the cutoff it would skip its OnExit hook (the stack's CANCEL_TASK was given it).
    if (type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" && i.taskArn === "AWS-RunPatchBaselineWithHooks") {
        return { ...i, cutoffBehavior: "CANCEL_TASK" };
    }
    if (type === "aws:iam/rolePolicy:RolePolicy" && String(i.policy).includes("patch-manager:stopped-by-alarm")) {
        const policy = JSON.parse(i.policy);
        policy.Statement = policy.Statement.filter((st: any) => st.Action !== "ssm:AddTagsToResource");
        return { ...i, policy: JSON.stringify(policy) };
    }
    // Least privilege: a node's S3 policy gained the reads of the fleet's files and the Deny on writing them; the log
    // expiry also expires the versions that versioning keeps; the alarm stop's roles are bound to their source ARN.
    if (type === "aws:iam/rolePolicy:RolePolicy" && typeof i.policy === "string" && i.policy.includes("NeverWriteWhatTheFleetReads")) {
        const policy = JSON.parse(i.policy);
        policy.Statement = policy.Statement.filter(
            (s: { Sid: string }) => !["ReadFleetInputs", "NeverWriteWhatTheFleetReads"].includes(s.Sid),
        );
        return { ...i, policy: JSON.stringify(policy) };
    }
    if (type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration") {
        return { ...i, rules: i.rules.map(({ noncurrentVersionExpiration: _n, ...r }: Record<string, unknown>) => r) };
    }
    if (type === "aws:iam/role:Role" && /^(Disables patch-manager maintenance windows|Lets EventBridge start)/.test(i.description)) {
        const trust = JSON.parse(i.assumeRolePolicy);
        for (const st of trust.Statement) delete st.Condition.ArnLike;
        return { ...i, assumeRolePolicy: JSON.stringify(trust) };
    }
    if (type === "aws:ssm/patchBaseline:PatchBaseline" && ["UBUNTU", "DEBIAN", "RASPBIAN"].includes(i.operatingSystem)) {
        return { ...i, approvalRules: i.approvalRules.map(({ approveAfterDays: _a, ...r }: Record<string, unknown>) => r) };
    }
    return i;
};

/**
 * Resources an upgrade adds on purpose: the window role's own policy (in place of
 * AmazonSSMMaintenanceWindowRole, with the CancelCommand that CANCEL_TASK needs), the log bucket's
 * versioning, the hybrid role's denials, the alert on hybrid registrations, the Deny of a hybrid
 * node's session on each runbook's own role (`<name>-not-from-nodes`) and the patch-now runbook with
 * its role (on by default: docs/operations.md, "Zero-day").
 */
const ADDED_ON_PURPOSE = (r: { type: string; urn: string }) =>
    (r.type === "aws:iam/rolePolicy:RolePolicy" &&
        r.urn.includes("patch-manager:iam:MaintenanceWindowRole$") &&
        r.urn.endsWith("-commands")) ||
    (r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.urn.endsWith("-versioning")) ||
    (r.type === "aws:iam/rolePolicy:RolePolicy" && r.urn.includes(":HybridNodeRole$") && r.urn.endsWith("-deny")) ||
    (r.type.startsWith("aws:cloudwatch/event") && /::[^:]*(hybrid-registrations|failed-runbooks)(-to-topic)?$/.test(r.urn)) ||
    (r.type === "aws:iam/rolePolicy:RolePolicy" && r.urn.endsWith("-not-from-nodes")) ||
    r.urn.includes("$patch-manager:operations:PatchNow$") ||
    (r.type === "aws:ssm/activation:Activation" && /-hybrid-activation-\d{10}-[0-9a-f]{8}$/.test(r.urn));

/**
 * Shipped stack files edited since the fixture was taken: a user's config change, not part of an
 * upgrade, so it is undone before the comparison. prod-private's deny list names what Windows
 * inventory really reports (AWS Config matches exactly) instead of "Adobe Flash Player".
 */
const CONFIG_EDITS: Record<string, (type: string, inputs: Record<string, any>) => Record<string, any>> = {
    "prod-private": (type, inputs) =>
        type === "aws:cfg/rule:Rule" && typeof inputs.inputParameters === "string" && inputs.inputParameters.includes("applicationNames")
            ? { ...inputs, inputParameters: JSON.stringify({ applicationNames: "telnet,Adobe Flash Player" }) }
            : inputs,
};

/**
 * The stack files as they were when the fixture was taken: the edits issue 22 made to the shipped
 * production stacks (waves counted from Patch Tuesday, alerts on) are config edits a user makes
 * after the upgrade, and their own plan shows them; the upgrade itself must change nothing.
 */
const FIXTURED_WAVES: Record<string, string> = {
    "Management Server": "cron(0 23 ? * TUE#1 *)",
    "Web Server": "cron(0 23 ? * THU#1 *)",
    "Application Server": "cron(0 23 ? * THU#2 *)",
    "Database Server": "cron(0 23 ? * THU#3 *)",
};
function asFixtured(name: string) {
    const base = shippedConfig(name);
    if (name === "dev") return base;
    const groups = (JSON.parse(base.values["patch-manager:patchGroups"]) as any[]).map((g) =>
        g.schedule?.patchTuesday ? { ...g, schedule: { cron: FIXTURED_WAVES[g.name], durationHours: 6, cutoffHours: 1 } } : g,
    );
    // prod-private's compliance reports (patch-manager:reporting) are a config edit too: their resources are new.
    return withConfig(base, {
        patchGroups: groups,
        ...(name === "prod" ? { alerts: undefined } : {}),
        ...(name === "prod-private" ? { reporting: undefined } : {}),
    });
}

describe("upgrading the shipped stacks to the PatchManager component", function () {
    for (const name of ["dev", "prod", "prod-hybrid", "prod-private"]) {
        describe(name, function () {
            let stack: Stack;
            let matched: Map<string, string>;
            before(async function () {
                stack = await evaluate(name, asFixtured(name));
                const old = new Set([...shipped[name].map((r) => r.urn), ...preComponent[name].components]);
                matched = matchOldState(stack.resources, old);
            });

            it("the engine finds every custom resource of the old state, each for exactly one current resource", function () {
                const custom = stack.resources.filter((r) => r.custom);
                const claimed = custom.map((r) => matched.get(r.urn)).filter((u): u is string => u !== undefined);
                assert.deepEqual(
                    [...claimed].sort(),
                    shipped[name]
                        .map((r) => r.urn)
                        .filter((u) => !REMOVED_ON_PURPOSE(u))
                        .sort(),
                );
            });

            it("no custom resource is new but the ones an upgrade adds on purpose: each is the old one under its URN or an alias", function () {
                const added = stack.resources.filter((r) => r.custom && !matched.has(r.urn));
                assert.deepEqual(
                    added.filter((r) => !ADDED_ON_PURPOSE(r)).map((r) => r.urn),
                    [],
                );
            });

            it("each old resource's inputs are unchanged (ids the mock derives from URNs compared by the resource they name)", function () {
                const inputs = inputsWithUrnIds(stack.resources, (r) => matched.get(r.urn) ?? r.urn);
                // A reference is compared by the old URN of the resource it names, not by a mock id.
                const group = stack.resources.find((r) => r.type === "aws:ssm/patchGroup:PatchGroup")!;
                assert.match(
                    (inputs.get(group.urn) as { baselineId: string }).baselineId,
                    /^<urn:pulumi:[^>]+[:$]patch-manager:patching:PatchBaseline\$aws:ssm\/patchBaseline:PatchBaseline::[^>]+>#id$/,
                );
                for (const r of stack.resources.filter((x) => x.custom && matched.has(x.urn))) {
                    const old = matched.get(r.urn)!;
                    assert.equal(
                        hash(withoutIntendedChanges(r.type, (CONFIG_EDITS[name] ?? ((_t, i) => i))(r.type, inputs.get(r.urn) as any))),
                        preComponent[name].inputs[old],
                        `${r.urn} (was ${old})`,
                    );
                }
                // Activations renew by name now (one per renewal period and settings): no rotation is left.
                assert.equal(stack.ofType(ROTATION).length, 0);
            });

            it("one tree shape: every resource but the providers sits below a PatchManager per region", function () {
                const managers = stack.resources.filter((r) => r.type === "patch-manager:index:PatchManager");
                const regions = name === "prod-private" ? ["eu-west-1", "eu-central-1"] : ["eu-west-1"];
                assert.deepEqual(
                    managers.map((m) => m.region),
                    regions,
                );
                for (const r of stack.resources) {
                    if (r.type === "pulumi:providers:aws" || managers.includes(r)) {
                        assert.equal(r.parent, null, r.urn);
                        continue;
                    }
                    assert.match(r.urn, /::patch-manager:index:PatchManager\$/, r.urn);
                }
            });
        });
    }

    it("the window component is a MaintenanceWindow, found under its former MaintenanceSchedule type", async function () {
        const dev = await evaluate("dev");
        const window = dev.one("patch-manager:patching:MaintenanceWindow", "development");
        assert.ok(
            window.options.aliases!.includes("urn:pulumi:dev::patch-manager::patch-manager:patching:MaintenanceSchedule::development"),
        );
        assert.equal(dev.ofType("patch-manager:patching:MaintenanceSchedule").length, 0);
    });

    it("without aliases the same program would replace every resource: the check can fail", async function () {
        const dev = await evaluate("dev");
        const stripped = dev.resources.map(({ aliasSpecs: _a, ...r }) => r);
        const old = new Set([...shipped.dev.map((r) => r.urn), ...preComponent.dev.components]);
        assert.equal(matchOldState(stripped, old).size, 0);
    });
});
