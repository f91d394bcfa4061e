// pulumi-aws docs: the aws.ssm.Activation example (a hybrid activation, its role and the
// AmazonSSMManagedInstanceCore attachment).
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/pulumi-aws (docs)",
        path: "sdk/nodejs/ssm/activation.ts (JSDoc example)",
        commit: "v7.48.0",
        url: "https://github.com/pulumi/pulumi-aws/blob/v7.48.0/sdk/nodejs/ssm/activation.ts",
        translation:
            "The TypeScript example as published in @pulumi/aws@7.48.0 (ssm/activation.d.ts, the JSDoc generated from " +
            "sdk/nodejs/ssm/activation.ts at v7.48.0), every input and the dependsOn kept. The example builds the trust policy with " +
            "aws.iam.getPolicyDocument (an invoke, not a resource read); here it is the JSON that data source renders for that one " +
            "statement (Version 2012-10-17, Effect Allow, Action sts:AssumeRole, Principal Service ssm.amazonaws.com), since the mock " +
            "runtime answers the invoke with its inputs and no `json`. Logical names test_role, test_attach and foo kept.",
    },
    expected: [
        {
            policy: "hybrid-activation-code-secret",
            resource: "foo",
            level: "mandatory",
            reason:
                "The activation code is the credential that, with the activation id, registers any server as a managed node of the " +
                "account with test_role's permissions (SSM User Guide, 'Create a hybrid activation to register nodes with Systems " +
                "Manager': store the code and id securely). The provider returns it as the activation_code attribute; without " +
                "additionalSecretOutputs ['activationCode'] Pulumi keeps it in plain text in the state and in outputs. Issue #23: a " +
                "non-secret activation code is still a finding.",
        },
        {
            policy: "window-role-trust",
            resource: "test_role",
            level: "advisory",
            reason:
                "test_role is the hybrid activation's service role, assumed by ssm.amazonaws.com. The SSM User Guide's trust policy for " +
                "that role ('Create the IAM service role required for Systems Manager in hybrid and multicloud environments') carries " +
                "aws:SourceAccount (and aws:SourceArn arn:aws:ssm:<region>:<account>:*) conditions against the cross-service confused " +
                "deputy (IAM User Guide, 'The confused deputy problem'); this one has none. Advisory, as the rule is.",
        },
    ],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "test_role",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "hybrid-activation-expiry",
            resource: "foo",
            verdict: "noise",
            reason:
                "No expirationDate means the default: CreateActivation's ExpirationDate 'If you don't provide an expiration date, " +
                "the activation code expires in 24 hours' (SSM API reference); the provider documents expiration_date as optional. " +
                "The shortest lifetime there is cannot be a risk. Issue #23: no activation expiry is not a finding.",
        },
    ],
    program: () => {
        const assumeRole = JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Principal: { Service: "ssm.amazonaws.com" },
                },
            ],
        });
        const testRole = new aws.iam.Role("test_role", {
            name: "test_role",
            assumeRolePolicy: assumeRole,
        });
        const testAttach = new aws.iam.RolePolicyAttachment("test_attach", {
            role: testRole.name,
            policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        });
        new aws.ssm.Activation(
            "foo",
            {
                name: "test_ssm_activation",
                description: "Test",
                iamRole: testRole.id,
                registrationLimit: 5,
            },
            { dependsOn: [testAttach] },
        );
        return {};
    },
};
