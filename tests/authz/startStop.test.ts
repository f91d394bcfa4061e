// SUFFICIENT and NO MORE, for starting stopped instances: the role the start and stop runbooks run
// as (the window role: their tasks pass no AutomationAssumeRole) may make every call their steps
// make on the group's instances, and let EC2 create the grant on the volumes' KMS key that a start
// needs (fact ebs-encryption-create-grant), only for EC2 in the stack's region; it may not start,
// stop or tag an instance outside the startStopped groups, nor create a grant for itself.
import { strict as assert } from "assert";
import { fact } from "../facts/facts";
import { decide } from "./iam";
import { programStacks, Role } from "./world";

const instance = (region: string, account: string) => `arn:aws:ec2:${region}:${account}:instance/i-0123456789abcdef0`;

describe("authorization model: the start and stop runbooks' role", function () {
    this.timeout(120_000);

    it("starts, stops and tags only the startStopped groups' instances, and creates KMS grants only for EC2 in its region", async function () {
        const grant = fact("ebs-encryption-create-grant").value as { action: string; condition: string };
        let checked = 0;
        for (const stack of await programStacks()) {
            for (const task of stack.resources.filter(
                (r) => r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" && /start-stopped$/.test(String(r.inputs.taskArn)),
            )) {
                const params = ((task.inputs.taskInvocationParameters as any).automationParameters.parameters as any[]).map(
                    (p) => [p.name, p.values[0]] as [string, string],
                );
                const p = Object.fromEntries(params);
                assert.equal(p.AutomationAssumeRole, undefined, "the runbook runs as the window role");
                const role = stack.roles.find((r) => r.arn === task.inputs.serviceRoleArn) as Role;
                const region = task.region;
                const arn = instance(region, role.account);
                const group = { [`aws:ResourceTag/${p.TagKey}`]: p.PatchGroup };
                const other = { [`aws:ResourceTag/${p.TagKey}`]: "Some Other Group" };
                // A KMS key is used only as its key policy allows: the default one defers to IAM policies
                // ("Allows access to the AWS account and enables IAM policies", which the EBS page refers to).
                const keyPolicy = {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "Enable IAM User Permissions",
                            Effect: "Allow" as const,
                            Principal: { AWS: `arn:aws:iam::${role.account}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                    ],
                };
                const allowed = async (action: string, resource: string, context: Record<string, string | string[]>) =>
                    (await decide(role, {
                        action,
                        resource,
                        context,
                        ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy as any } : {}),
                    })) === "Allowed";
                for (const action of ["ec2:StartInstances", "ec2:StopInstances"]) {
                    assert.ok(await allowed(action, arn, group), `${stack.name}: ${action} on ${p.PatchGroup}`);
                    assert.ok(!(await allowed(action, arn, other)), `${stack.name}: ${action} outside the group`);
                    assert.ok(!(await allowed(action, arn, {})), `${stack.name}: ${action} on an untagged instance`);
                }
                const tag = { ...group, "aws:TagKeys": ["patch-manager:started-by-window"] };
                assert.ok(await allowed("ec2:CreateTags", arn, tag));
                assert.ok(!(await allowed("ec2:CreateTags", arn, { ...other, "aws:TagKeys": ["patch-manager:started-by-window"] })));
                assert.ok(!(await allowed("ec2:CreateTags", arn, { ...group, "aws:TagKeys": [p.TagKey] })), "no tagging into a group");

                const key = `arn:aws:kms:${region}:${role.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
                const viaEc2 = { [grant.condition]: "true", "kms:ViaService": `ec2.${region}.amazonaws.com` };
                assert.ok(await allowed(grant.action, key, viaEc2), `${stack.name}: EC2 may get a grant on the volumes' key`);
                assert.ok(!(await allowed(grant.action, key, { ...viaEc2, [grant.condition]: "false" })), "a grant for itself");
                assert.ok(!(await allowed(grant.action, key, { ...viaEc2, "kms:ViaService": `s3.${region}.amazonaws.com` })));
                assert.ok(!(await allowed(grant.action, key, { [grant.condition]: "true" })), "without kms:ViaService");
                checked++;
            }
        }
        assert.ok(checked > 0, "a shipped stack starts stopped instances (prod-strategies)");
    });
});
