// What the roles and the bucket the patch program creates let a node, a window or a runbook do:
// each request is evaluated against the roles' policies as IAM evaluates them (an explicit Deny
// wins, else an Allow whose action, resource and conditions match, else an implicit deny), and
// each denial has an allowed twin, so that a policy that allows nothing cannot pass.
// AWS facts: IAM policy evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// the runbook reference's parameters of AWS-PatchInstanceWithRollback ("LambdaAssumeRole ... If not
// specified a transient role will be created") and AWS-PatchAsgInstance ("LambdaRoleArn");
// AmazonSSMMaintenanceWindowRole grants ssm:SendCommand on "*" (policies/iam.ts FLEET_COMMAND_POLICIES).
import { strict as assert } from "assert";
import { STRATEGY_DOCUMENTS } from "@patch-manager/ssm";
import { FLEET_COMMAND_POLICIES } from "../../policies/iam";
import { MOCK_ACCOUNT } from "../../tools/mock/mockProgram";
import { evaluate, problems, shippedConfig, Stack, T, withConfig } from "../helpers";
import type { PlannedResource } from "../../tools/mock/types";

type Decision = "Allow" | "Deny" | "Implicit";
type Context = Readonly<Record<string, string | readonly string[]>>;

const glob = (pattern: string, value: string, caseless = false) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        caseless ? "i" : "",
    ).test(value);
const list = <V>(v: V | readonly V[] | undefined): V[] => (v === undefined ? [] : Array.isArray(v) ? [...v] : [v as V]);

/** The condition operators the program's policies use, as IAM evaluates them (a key absent from the request fails all but Null). */
function conditionHolds(condition: Record<string, Record<string, unknown>> | undefined, ctx: Context): boolean {
    for (const [operator, keys] of Object.entries(condition ?? {})) {
        for (const [key, expected] of Object.entries(keys)) {
            const actual = Object.entries(ctx).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
            const wanted = list(expected as string | string[]).map(String);
            const values = list(actual);
            if (operator === "Null") {
                if ((actual === undefined) !== (wanted[0] === "true")) return false;
            } else if (operator === "ForAllValues:StringEquals") {
                if (!values.every((v) => wanted.includes(v))) return false;
            } else if (operator === "StringEquals" || operator === "ArnEquals") {
                if (actual === undefined || !values.some((v) => wanted.includes(v))) return false;
            } else if (operator === "ArnLike" || operator === "StringLike") {
                if (actual === undefined || !values.some((v) => wanted.some((w) => glob(w, v)))) return false;
            } else throw new Error(`operator ${operator} is not modelled here`);
        }
    }
    return true;
}

function decide(documents: readonly any[], action: string, resource: string, ctx: Context = {}): Decision {
    const matching = documents
        .flatMap((d) => list(d.Statement))
        .filter((s: any) => list<string>(s.Action).some((a) => glob(a, action, true)))
        // A trust policy's statements name no resource: the role itself.
        .filter((s: any) =>
            s.Resource === undefined && s.NotResource === undefined
                ? true
                : s.NotResource !== undefined
                  ? !list<string>(s.NotResource).some((r) => glob(r, resource))
                  : list<string>(s.Resource).some((r) => glob(r, resource)),
        )
        .filter((s: any) => conditionHolds(s.Condition, ctx));
    if (matching.some((s: any) => s.Effect === "Deny")) return "Deny";
    return matching.some((s: any) => s.Effect === "Allow") ? "Allow" : "Implicit";
}

/** Every inline policy of a role, and the AWS managed policies attached to it by ARN. */
function policiesOf(stack: Stack, role: PlannedResource): { documents: any[]; managed: string[] } {
    const mine = (r: PlannedResource) => r.inputs.role === role.outputs.name || r.inputs.role === role.id;
    return {
        documents: stack
            .ofType(T.rolePolicy)
            .filter(mine)
            .map((p) => JSON.parse(String(p.inputs.policy))),
        managed: stack
            .ofType(T.attachment)
            .filter(mine)
            .map((a) => String(a.inputs.policyArn)),
    };
}

const role = (stack: Stack, suffix: string) => stack.ofType(T.role).find((r) => r.name.endsWith(suffix))!;
const s3 = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const instance = `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT}:instance/i-0123456789abcdef0`;

describe("least privilege of the roles and bucket the patch program creates", function () {
    let strategies: Stack;
    let prod: Stack;
    before(async function () {
        strategies = await evaluate("prod-strategies");
        prod = await evaluate("prod");
    });

    describe("files the fleet reads (baseline overrides, installOverrideList)", function () {
        it("no node may write an override file; each node may read it, and the installOverrideList object exactly", function () {
            const object = strategies.ofType("aws:s3/bucketObjectv2:BucketObjectv2")[0];
            const bucket = String(object.inputs.bucket);
            const instances = policiesOf(strategies, role(strategies, "patched-instance-role")).documents;
            assert.equal(decide(instances, "s3:PutObject", s3(bucket, String(object.inputs.key))), "Deny");
            assert.equal(decide(instances, "s3:DeleteObject", s3(bucket, String(object.inputs.key))), "Deny");
            assert.equal(decide(instances, "s3:GetObject", s3(bucket, String(object.inputs.key))), "Allow");
            // Positive control: command output under the log prefix stays writable.
            assert.equal(decide(instances, "s3:PutObject", s3(bucket, "patching/production/app-server/install/x/stdout")), "Allow");
            // Pulumi.prod-strategies.yaml: the Dev Boxes group installs with s3://patch-exceptions-example/dev-boxes.yaml.
            assert.equal(decide(instances, "s3:GetObject", s3("patch-exceptions-example", "dev-boxes.yaml")), "Allow");
            assert.equal(decide(instances, "s3:GetObject", s3("patch-exceptions-example", "other.yaml")), "Implicit");
        });

        it("no lifecycle rule expires an override file (issue 19: written once, it must outlive every expiry)", function () {
            const key = String(strategies.ofType("aws:s3/bucketObjectv2:BucketObjectv2")[0].inputs.key);
            const rules = strategies.ofType(T.lifecycle).flatMap((l) => l.inputs.rules as any[]);
            assert.ok(rules.length > 0);
            for (const r of rules.filter((x) => x.status === "Enabled" && (x.expiration || x.noncurrentVersionExpiration)))
                assert.ok(!key.startsWith(String(r.filter?.prefix ?? "")), `${r.id} expires ${key}`);
        });
    });

    describe("the window role", function () {
        it("holds no AWS managed policy that runs any document on every node", function () {
            for (const stack of [prod, strategies]) {
                const { managed } = policiesOf(stack, role(stack, "maintenance-window-role"));
                const fleet = managed.filter((arn) => FLEET_COMMAND_POLICIES.some((p) => arn.endsWith(`:policy/${p}`)));
                assert.deepEqual(fleet, []);
            }
        });

        it("sends the patch documents to nodes carrying a patch-group tag, nothing else; and may cancel at the cutoff", function () {
            const docs = policiesOf(prod, role(prod, "maintenance-window-role")).documents;
            const patch = "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline";
            const tagged = { "ssm:resourceTag/Patch Group": "Web Server" };
            assert.equal(decide(docs, "ssm:SendCommand", patch), "Allow");
            assert.equal(decide(docs, "ssm:SendCommand", instance, tagged), "Allow");
            assert.equal(decide(docs, "ssm:SendCommand", instance, { "ssm:resourceTag/Patch Group": "Someone Else" }), "Implicit");
            assert.equal(decide(docs, "ssm:SendCommand", instance), "Implicit");
            assert.equal(decide(docs, "ssm:SendCommand", "arn:aws:ssm:eu-west-1::document/AWS-RunShellScript"), "Implicit");
            assert.equal(decide(docs, "ssm:SendCommand", `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:document/anything`), "Implicit");
            assert.equal(
                decide(docs, "ssm:StartAutomationExecution", `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:automation-definition/x:$DEFAULT`),
                "Implicit",
            );
            assert.equal(decide(docs, "ssm:CancelCommand", "*"), "Allow");
        });

        it("in a stack with strategies: no IAM write, Lambda or CloudFormation; iam:PassRole only of the runbook role, to SSM", function () {
            const window = role(strategies, "maintenance-window-role");
            const docs = policiesOf(strategies, window).documents;
            const actions = docs.flatMap((d) =>
                d.Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => list<string>(s.Action)),
            );
            assert.deepEqual(
                actions.filter((a) => /^(iam|lambda|cloudformation):/.test(a) && a !== "iam:PassRole"),
                [],
            );
            const runbook = role(strategies, "strategies-runbook");
            const other = `arn:aws:iam::${MOCK_ACCOUNT}:role/Admin`;
            assert.equal(
                decide(docs, "iam:PassRole", String(runbook.outputs.arn), { "iam:PassedToService": "ssm.amazonaws.com" }),
                "Allow",
            );
            assert.equal(
                decide(docs, "iam:PassRole", String(runbook.outputs.arn), { "iam:PassedToService": "ec2.amazonaws.com" }),
                "Implicit",
            );
            assert.equal(decide(docs, "iam:PassRole", other, { "iam:PassedToService": "ssm.amazonaws.com" }), "Implicit");
            for (const a of [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "lambda:CreateFunction",
                "cloudformation:CreateStack",
            ])
                assert.equal(decide(docs, a, "*"), "Implicit", a);
        });

        it("in a stack with reboot windows: sends the stack's own reboot documents, never a document that runs any command it is given", function () {
            const docs = policiesOf(strategies, role(strategies, "maintenance-window-role")).documents;
            const own = strategies
                .ofType("aws:ssm/document:Document")
                .filter((d) => d.inputs.documentType === "Command")
                .map((d) => String(d.inputs.name));
            const rebootTasks = strategies.ofType(T.task).filter((t) => t.name.endsWith("-reboot-task"));
            assert.ok(rebootTasks.length > 0, "the stack has a reboot window");
            for (const t of rebootTasks) {
                assert.ok(own.includes(String(t.inputs.taskArn)), `${t.name} runs ${String(t.inputs.taskArn)}, a document of the stack`);
                const arn = `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:document/${String(t.inputs.taskArn)}`;
                assert.equal(decide(docs, "ssm:SendCommand", arn), "Allow", arn);
            }
            // AWS-RunShellScript and AWS-RunPowerShellScript run their `commands` parameter: whoever may register a task would
            // have the role run any shell on every patch-group node (documents.ts snapshots: a required commands parameter).
            for (const d of [STRATEGY_DOCUMENTS.runShellScript, STRATEGY_DOCUMENTS.runPowerShellScript]) {
                assert.ok(d.parameters.includes("commands" as never), d.name);
                assert.equal(decide(docs, "ssm:SendCommand", `arn:aws:ssm:eu-west-1::document/${d.name}`), "Implicit", d.name);
            }
        });

        it("starts and stops only the instances of the startStopped groups, and tags them only with the window's own tag", function () {
            const docs = policiesOf(strategies, role(strategies, "maintenance-window-role")).documents;
            const devBox = { "aws:ResourceTag/Patch Group": "Dev Boxes" };
            const web = { "aws:ResourceTag/Patch Group": "Web Server" };
            assert.equal(decide(docs, "ec2:StartInstances", instance, devBox), "Allow");
            assert.equal(decide(docs, "ec2:StopInstances", instance, web), "Implicit");
            assert.equal(decide(docs, "ec2:StopInstances", instance), "Implicit");
            const startedTag = { ...devBox, "aws:TagKeys": ["patch-manager:started-by-window"] };
            assert.equal(decide(docs, "ec2:CreateTags", instance, startedTag), "Allow");
            // Tagging an instance into a patch group (and so into a window) is no part of it.
            assert.equal(decide(docs, "ec2:CreateTags", instance, { ...devBox, "aws:TagKeys": ["Patch Group"] }), "Implicit");
            // DeleteTags without keys deletes every tag.
            assert.equal(decide(docs, "ec2:DeleteTags", instance, devBox), "Implicit");
        });
    });

    describe("the rollback and Auto Scaling runbooks", function () {
        it("run as their own roles, passed as their role parameters; no role of the program writes S3 on every bucket", function () {
            const runbook = role(strategies, "strategies-runbook");
            const lambda = role(strategies, "strategies-runbook-lambda");
            const automation = (doc: string) => {
                const task = strategies.ofType(T.task).find((t) => t.inputs.taskArn === doc)!;
                return Object.fromEntries(
                    ((task.inputs.taskInvocationParameters as any).automationParameters.parameters as any[]).map((p) => [
                        p.name,
                        p.values[0],
                    ]),
                );
            };
            assert.equal(automation("AWS-PatchInstanceWithRollback").AutomationAssumeRole, runbook.outputs.arn);
            assert.equal(automation("AWS-PatchInstanceWithRollback").LambdaAssumeRole, lambda.outputs.arn);
            assert.equal(automation("AWS-PatchAsgInstance").AutomationAssumeRole, runbook.outputs.arn);
            assert.equal(automation("AWS-PatchAsgInstance").LambdaRoleArn, lambda.outputs.arn);
            const runbookDocs = policiesOf(strategies, runbook).documents;
            assert.equal(
                decide(runbookDocs, "iam:PassRole", String(lambda.outputs.arn), { "iam:PassedToService": "lambda.amazonaws.com" }),
                "Allow",
            );
            assert.equal(
                decide(runbookDocs, "iam:PassRole", String(runbook.outputs.arn), { "iam:PassedToService": "lambda.amazonaws.com" }),
                "Implicit",
            );
            assert.equal(decide(runbookDocs, "iam:CreateRole", "*"), "Implicit");
            const bucket = String(strategies.ofType(T.bucket)[0].outputs.bucket);
            for (const r of strategies.ofType(T.role)) {
                const docs = policiesOf(strategies, r).documents;
                assert.notEqual(decide(docs, "s3:PutObject", s3("someone-elses-bucket", "x")), "Allow", r.name);
                const override = String(strategies.ofType("aws:s3/bucketObjectv2:BucketObjectv2")[0].inputs.key);
                assert.notEqual(decide(docs, "s3:PutObject", s3(bucket, override)), "Allow", r.name);
            }
            // Positive control: the rollback report reaches the log bucket.
            assert.equal(decide(policiesOf(strategies, lambda).documents, "s3:PutObject", s3(bucket, "report.json")), "Allow");
        });

        it("trust SSM Automation only for this account's executions (aws:SourceAccount and aws:SourceArn)", function () {
            const trust = JSON.parse(String(role(strategies, "strategies-runbook").inputs.assumeRolePolicy));
            const ours = {
                "aws:SourceAccount": MOCK_ACCOUNT,
                "aws:SourceArn": `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:automation-execution/abc`,
            };
            assert.equal(decide([trust], "sts:AssumeRole", "*", ours), "Allow");
            assert.equal(decide([trust], "sts:AssumeRole", "*", { ...ours, "aws:SourceAccount": "210987654321" }), "Implicit");
            assert.equal(decide([trust], "sts:AssumeRole", "*", { "aws:SourceAccount": MOCK_ACCOUNT }), "Implicit");
        });
    });

    describe("hybrid nodes", function () {
        let hybrid: Stack;
        before(async function () {
            hybrid = await evaluate("prod-hybrid", withConfig(shippedConfig("prod-hybrid"), { alerts: { emails: ["ops@example.com"] } }));
        });

        it("may read no parameter and none of the account's documents but AWS's; may command no other node", function () {
            const docs = policiesOf(hybrid, role(hybrid, "hybrid-nodes-role")).documents;
            const parameter = `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:parameter/db/password`;
            assert.equal(decide(docs, "ssm:GetParameter", parameter), "Deny");
            assert.equal(decide(docs, "ssm:GetParameters", parameter), "Deny");
            assert.equal(decide(docs, "ssm:GetDocument", `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:document/Internal-Secrets`), "Deny");
            // Positive control: the patch document itself (AWS-owned: no account in its ARN) is not denied.
            assert.notEqual(decide(docs, "ssm:GetDocument", "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline"), "Deny");
            assert.equal(decide(docs, "ssm:SendCommand", instance), "Deny");
        });

        it("with alerts on, a registration through an activation alerts (a leaked code is a credential)", function () {
            const rule = hybrid.ofType("aws:cloudwatch/eventRule:EventRule").find((r) => r.name.endsWith("hybrid-registrations"))!;
            const pattern = JSON.parse(String(rule.inputs.eventPattern));
            // EventBridge user guide: CloudTrail delivers API calls as "AWS API Call via CloudTrail"; the SSM Agent
            // registers with the RegisterManagedInstance API (amazon-ssm-agent, agent/ssm/anonauth).
            assert.deepEqual(pattern["detail-type"], ["AWS API Call via CloudTrail"]);
            assert.deepEqual(pattern.detail.eventName, ["RegisterManagedInstance"]);
            const target = hybrid.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => t.inputs.rule === rule.outputs.name)!;
            const topic = hybrid.ofType("aws:sns/topic:Topic")[0];
            assert.equal(target.inputs.arn, topic.outputs.arn);
            const policy = JSON.parse(String(hybrid.ofType("aws:sns/topicPolicy:TopicPolicy")[0].inputs.policy));
            const publish = { "aws:SourceAccount": MOCK_ACCOUNT, "aws:SourceArn": String(rule.outputs.arn) };
            assert.equal(decide([policy], "sns:Publish", String(topic.outputs.arn), publish), "Allow");
        });
    });

    describe("the log bucket", function () {
        it("is versioned in every shipped stack that creates it, and the expiry also reaches the versions it keeps", async function () {
            for (const stack of [prod, strategies]) {
                const [bucket] = stack.ofType(T.bucket);
                const versioning = stack.ofType("aws:s3/bucketVersioning:BucketVersioning");
                assert.equal(versioning.length, 1);
                assert.equal(versioning[0].inputs.bucket, bucket.id);
                assert.equal((versioning[0].inputs.versioningConfiguration as any).status, "Enabled");
                const rule = (stack.ofType(T.lifecycle)[0].inputs.rules as any[])[0];
                assert.equal(rule.noncurrentVersionExpiration.noncurrentDays, rule.expiration.days);
            }
        });

        it("refuses a data sync prefix that nodes could write (overlapping the log prefix), at its key", function () {
            const lines = problems({
                environment: "production",
                logging: { keyPrefix: "compliance/logs" },
                compliance: { dataSync: true },
            });
            assert.ok(
                lines.some((l) => l.includes("compliance.dataSyncPrefix") && l.includes("overlaps the log prefix")),
                lines.join("\n"),
            );
            const same = problems({ environment: "production", compliance: { dataSync: true, dataSyncPrefix: "patching" } });
            assert.ok(
                same.some((l) => l.includes("compliance.dataSyncPrefix")),
                same.join("\n"),
            );
        });

        it("refuses a log prefix over the fleet's files, and an exception list in the log bucket's writable prefix", function () {
            const prefix = problems({ environment: "production", logging: { keyPrefix: "patch-manager-fleet-inputs/logs" } });
            assert.ok(
                prefix.some((l) => l.includes("logging.keyPrefix")),
                prefix.join("\n"),
            );
            const list = problems({
                environment: "production",
                logging: { bucketName: "my-logs" },
                patchGroups: [
                    { name: "Web", operatingSystem: "AMAZON_LINUX_2023", installOverrideList: "s3://my-logs/patching/list.yaml" },
                ],
            });
            assert.ok(
                list.some((l) => l.includes("patchGroups[0].installOverrideList")),
                list.join("\n"),
            );
        });
    });

    describe("the alarm stop's roles", function () {
        it("trust SSM and EventBridge for this account and their own source only (aws:SourceArn beside aws:SourceAccount)", async function () {
            const pp = await evaluate("prod-private");
            const automation = pp.ofType(T.role).find((r) => /^Disables patch-manager/.test(String(r.inputs.description)))!;
            const events = pp.ofType(T.role).find((r) => /^Lets EventBridge start/.test(String(r.inputs.description)))!;
            const rule = pp.ofType("aws:cloudwatch/eventRule:EventRule").find((r) => /stop patching/.test(String(r.inputs.description)))!;
            const a = JSON.parse(String(automation.inputs.assumeRolePolicy));
            const e = JSON.parse(String(events.inputs.assumeRolePolicy));
            const account = { "aws:SourceAccount": MOCK_ACCOUNT };
            assert.equal(
                decide([a], "sts:AssumeRole", "*", {
                    ...account,
                    "aws:SourceArn": `arn:aws:ssm:eu-west-1:${MOCK_ACCOUNT}:automation-execution/1`,
                }),
                "Allow",
            );
            assert.equal(decide([a], "sts:AssumeRole", "*", account), "Implicit");
            assert.equal(decide([e], "sts:AssumeRole", "*", { ...account, "aws:SourceArn": String(rule.outputs.arn) }), "Allow");
            assert.equal(
                decide([e], "sts:AssumeRole", "*", { ...account, "aws:SourceArn": `arn:aws:events:eu-west-1:${MOCK_ACCOUNT}:rule/other` }),
                "Implicit",
            );
        });
    });
});
