import * as assert from "node:assert/strict";
import { instanceRoleNotAdmin, noEc2RoleForSsm, windowRoleTrust } from "../../policies/iam";
import { TYPES } from "@patch-manager/ssm";
import { StackEntry, runResourcePolicy, runStackPolicy, urnOf } from "./harness";
import { ACCOUNT, entry, prodStack, windowTrustPolicy } from "./resources";

const DEPRECATED = "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM";
const CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

describe("policies/iam", () => {
    describe("no-ec2-role-for-ssm", () => {
        it("passes AmazonSSMManagedInstanceCore", async () => {
            const r = await runResourcePolicy(
                noEc2RoleForSsm,
                TYPES.rolePolicyAttachment,
                { role: "instance", policyArn: CORE },
                { name: "core" },
            );
            assert.deepEqual(r.messages, []);
            assert.equal(r.notApplicable, false);
        });

        it("reports it on a RolePolicyAttachment, a Role's managedPolicyArns and a PolicyAttachment", async () => {
            const attachment = await runResourcePolicy(
                noEc2RoleForSsm,
                TYPES.rolePolicyAttachment,
                { role: "instance", policyArn: DEPRECATED },
                { name: "ssm" },
            );
            assert.deepEqual(attachment.messages, [
                `role "instance" (via "ssm") gets the deprecated ${DEPRECATED}; attach AmazonSSMManagedInstanceCore instead.`,
            ]);
            const role = await runResourcePolicy(
                noEc2RoleForSsm,
                TYPES.role,
                { name: "legacy", assumeRolePolicy: "{}", managedPolicyArns: [CORE, DEPRECATED] },
                { name: "legacy-role" },
            );
            assert.deepEqual(role.messages, [
                `role "legacy" (legacy-role) gets the deprecated ${DEPRECATED}; attach AmazonSSMManagedInstanceCore instead.`,
            ]);
            const shared = await runResourcePolicy(
                noEc2RoleForSsm,
                TYPES.policyAttachment,
                { name: "x", roles: ["a", "b"], policyArn: DEPRECATED },
                { name: "shared" },
            );
            assert.match(shared.messages[0] ?? "", /^policy attachment "shared" \(roles \["a","b"\]\) gets the deprecated/);
        });

        it("declines unrelated types through notApplicable", async () => {
            const r = await runResourcePolicy(noEc2RoleForSsm, TYPES.bucket, { bucket: "x" });
            assert.equal(r.notApplicable, true);
        });
    });

    describe("window-role-trust (stack)", () => {
        it("passes the program's window role and ignores the EC2 instance role", async () => {
            assert.deepEqual(await runStackPolicy(windowRoleTrust, prodStack()), []);
        });

        it("reports a role used by a task that trusts more than SSM and has no SourceAccount condition", async () => {
            const stack = prodStack();
            const trust = windowTrustPolicy();
            trust.Statement[0].Principal = { Service: ["ssm.amazonaws.com", "ec2.amazonaws.com"], AWS: `arn:aws:iam::${ACCOUNT}:root` };
            delete trust.Statement[0].Condition;
            entry(stack, "window-role").props.assumeRolePolicy = JSON.stringify(trust);
            const v = await runStackPolicy(windowRoleTrust, stack);
            assert.deepEqual(
                v.map((x) => x.urn),
                [urnOf(TYPES.role, "window-role"), urnOf(TYPES.role, "window-role")],
            );
            assert.equal(
                v[0].message,
                `role "patch-window-role-1a2b3c4" (window-role) (used by task "web-server-install" (web-server-task)): statement 0 trusts Service ec2.amazonaws.com, AWS: "arn:aws:iam::123456789012:root"; trust only Service ssm.amazonaws.com.`,
            );
            assert.match(v[1].message, /statement 0 does not restrict aws:SourceAccount/);
        });

        it("finds the role from the task's ARN by name when the role's outputs hold no ARN (plan inputs)", async () => {
            const stack = prodStack();
            const role = entry(stack, "window-role");
            delete role.props.arn;
            role.props.assumeRolePolicy = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            });
            const v = await runStackPolicy(windowRoleTrust, stack);
            assert.match(
                v[0]?.message ?? "",
                /\(used by task "web-server-install" \(web-server-task\)\): statement 0 trusts Service lambda.amazonaws.com/,
            );
        });
    });

    describe("instance-role-not-admin (stack)", () => {
        const attach = (policyArn: string): StackEntry => ({
            type: TYPES.rolePolicyAttachment,
            name: "instance-extra",
            props: { role: "patch-instance-role", policyArn },
        });
        it("reports a node's role holding a policy that runs commands on every node, by attachment or managedPolicyArns", async () => {
            for (const arn of [
                "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole",
                "arn:aws:iam::aws:policy/AmazonSSMFullAccess",
                "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole",
            ]) {
                const v = await runStackPolicy(instanceRoleNotAdmin, [...prodStack(), attach(arn)]);
                assert.equal(v.length, 1, arn);
                assert.match(v[0].message, /^role "patch-instance-role" \(instance-role\) \(trusted by ec2.amazonaws.com\) holds arn:/);
                assert.equal(v[0].urn, urnOf(TYPES.role, "instance-role"));
            }
            const inline = prodStack();
            entry(inline, "instance-role").props.managedPolicyArns = ["arn:aws:iam::aws:policy/AmazonSSMFullAccess"];
            assert.equal((await runStackPolicy(instanceRoleNotAdmin, inline)).length, 1);
        });

        it("reports administrator policies, a PolicyAttachment's roles, inline and customer-managed documents allowing SendCommand on *", async () => {
            const sendCommand = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "ssm:Send*", Resource: "*" }],
            });
            const cases: StackEntry[][] = [
                [attach("arn:aws:iam::aws:policy/AdministratorAccess")],
                [
                    {
                        type: TYPES.policyAttachment,
                        name: "power",
                        props: { roles: ["patch-instance-role"], policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
                    },
                ],
                [{ type: "aws:iam/rolePolicy:RolePolicy", name: "inline", props: { role: "patch-instance-role", policy: sendCommand } }],
                [
                    {
                        type: "aws:iam/policy:Policy",
                        name: "custom",
                        props: { name: "fleet", policy: sendCommand, arn: "arn:aws:iam::123456789012:policy/fleet" },
                    },
                    attach("arn:aws:iam::123456789012:policy/fleet"),
                ],
            ];
            for (const extra of cases) {
                const v = await runStackPolicy(instanceRoleNotAdmin, [...prodStack(), ...extra]);
                assert.equal(v.length, 1, JSON.stringify(extra));
                assert.match(v[0].message, /runs commands on every managed node/);
            }
            const scoped = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "ssm:SendCommand", Resource: "arn:aws:ssm:*:*:document/Acme-Collect" }],
            });
            const narrow: StackEntry = {
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "inline",
                props: { role: "patch-instance-role", policy: scoped },
            };
            assert.deepEqual(await runStackPolicy(instanceRoleNotAdmin, [...prodStack(), narrow]), [], "one document, not every resource");
        });

        it("passes the window role holding AmazonSSMMaintenanceWindowRole, and the instance role with AmazonSSMManagedInstanceCore", async () => {
            const core = attach("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
            assert.deepEqual(await runStackPolicy(instanceRoleNotAdmin, [...prodStack(), core]), []);
        });
    });
});
