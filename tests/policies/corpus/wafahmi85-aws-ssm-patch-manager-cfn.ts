// wafahmi85/aws-ssm-patch-manager (CloudFormation): an install association on four instances, three custom
// baselines with patch groups, and a maintenance window that installs every five minutes.
import * as aws from "@pulumi/aws";
import { type CorpusEntry, taskWithoutOwnRole } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "wafahmi85/aws-ssm-patch-manager",
        path: "stack.yaml, ssm.yaml, s3.yaml, ec2.yaml, vpc.yaml",
        commit: "ba1ae444a00413275cdfb1e4192481a4d9e228de",
        url: "https://github.com/wafahmi85/aws-ssm-patch-manager/tree/ba1ae444a00413275cdfb1e4192481a4d9e228de",
        translation:
            "The nested stacks that stack.yaml creates, with the parameters it passes: Prefix cf-patch-manager (default), LogBucketName " +
            "cf-patch-manager-log, WaitForSuccessTimeoutSeconds 3600, the VPC (10.4.0.0/20, subnet 10.4.0.0/22 in zone a), instance type " +
            "t2.micro and the four AMIs; the README deploys in ap-southeast-1, which is written out where templates use AWS::Region. " +
            "backup.yaml, sns.yaml and cloudwatch.yaml (AWS Backup plan, e-mail topic, CPU alarms) have nothing to do with patching and " +
            "are left out. CloudFormation logical IDs are kept as logical names. Translation per type: AWS::SSM::PatchBaseline's " +
            "PatchGroups become aws.ssm.PatchGroup resources named <Baseline>-<group> (the provider has no patchGroups input); " +
            'AWS::SSM::Association → aws.ssm.Association (Parameters Operation: [Install] → parameters {Operation: "Install"}, ' +
            "OutputLocation.S3Location → outputLocation); AWS::SSM::MaintenanceWindow/Target/Task → the aws.ssm equivalents " +
            "(MaintenanceWindowRunCommandParameters → taskInvocationParameters.runCommandParameters); AWS::S3::Bucket AccessControl Private " +
            "→ aws.s3.Bucket + aws.s3.BucketAcl private; AWS::IAM::Role's inline Policies and ManagedPolicyArns → aws.iam.RolePolicy and " +
            "aws.iam.RolePolicyAttachment; the instances' single NetworkInterfaces entry (device 0) → subnetId / vpcSecurityGroupIds / " +
            "associatePublicIpAddress; Fn::Base64 user data → userData (the provider encodes it); the SecurityGroup's inline ingress/egress " +
            "→ ingress/egress. Names CloudFormation generates (role, instance profile, instances) are left to Pulumi's auto-naming. " +
            "Note, not reported by any rule: the window's schedule rate(5 minutes) with a 2-hour duration starts an Install (RebootIfNeeded) " +
            "on the three patch groups every five minutes, a test setting left in the template.",
    },
    expected: [
        taskWithoutOwnRole("MaintenanceWindowTask"),
        {
            policy: "association-scans-without-reboot",
            resource: "AWSRunPatchBaseline",
            level: "mandatory",
            reason:
                "The association runs AWS-RunPatchBaseline with Operation Install and no RebootOption, so RebootIfNeeded applies (SSM User " +
                "Guide, 'AWS-RunPatchBaseline', RebootOption default). With no ScheduleExpression it applies as soon as it is created " +
                "(CreateAssociation), i.e. during the CloudFormation deployment (WaitForSuccessTimeoutSeconds 3600 waits for it), outside " +
                "any maintenance window, and may reboot all four instances. (Today's pack reports this twice, once for Install outside a " +
                "window and once for the missing NoReboot; it is one problem.)",
        },
        {
            policy: "association-rate-control",
            resource: "AWSRunPatchBaseline",
            level: "advisory",
            reason:
                "An Install association without MaxConcurrency / MaxErrors: both are optional in CreateAssociation and without them State " +
                "Manager applies no rate control, so every target installs (and reboots) at the same time and no error count stops it " +
                "(SSM User Guide, 'Understanding targets and rate controls in State Manager associations').",
        },
        ...["Windows", "AmazonLinux", "RHEL"].map((os) => {
            const group = { Windows: "windows", AmazonLinux: "amznlinux", RHEL: "rhel" }[os];
            return {
                policy: "replacement-deletes-first",
                resource: `${os}PatchBaseline-cf-patch-manager-${group}-patch-group`,
                level: "mandatory" as const,
                reason:
                    `replacement: aws.ssm.PatchGroup has no Update; moving cf-patch-manager-${group}-patch-group to another baseline of ` +
                    `the same OS replaces the registration create-first, and RegisterPatchBaselineForPatchGroup refuses a group already ` +
                    `registered for that OS (AlreadyExistsException, SSM API reference). (In CloudFormation the group is a property of ` +
                    `the baseline; in Pulumi it is its own resource, so this is the translation's risk.)`,
            };
        }),
        {
            policy: "window-registered-targets-only",
            resource: "MaintenanceWindow",
            level: "advisory",
            reason:
                "AllowUnassociatedTargets true lets any task registered with this window name unregistered nodes directly by ID " +
                "(CreateMaintenanceWindow API reference, AllowUnassociatedTargets; SSM User Guide, 'Maintenance window targets'), " +
                "bypassing the Patch Group targets. The window's own task targets WindowTargetIds and does not need it: advisory only.",
        },
    ],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "S3Bucket",
            verdict: "false-positive",
            reason: "The name is fixed on an input the provider auto-names, so Pulumi already replaces it delete-first: pulumi-terraform-bridge nameRequiresDeleteBeforeReplace makes Diff ask for delete-before-replace when an autonameable property holds a value the autonamer did not fill, and the engine follows (pulumi/pulumi step_generator.go: diff.DeleteBeforeReplace unless the program sets the option). No collision.",
        },
        {
            policy: "log-bucket-protected",
            resource: "S3Bucket",
            verdict: "noise",
            reason:
                "'no public access block': the patch output bucket cf-patch-manager-log declares no BucketPublicAccessBlock, but S3 turns all four Block Public Access settings on " +
                "for every new bucket and disables ACLs by default since April 2023 (S3 User Guide, 'Blocking public access to your Amazon " +
                "S3 storage'; 'Default settings for new S3 buckets FAQ'), so the resource would restate the default; nothing in the stack " +
                "makes the bucket public.",
        },
        {
            policy: "log-bucket-protected",
            resource: "S3Bucket",
            verdict: "noise",
            reason:
                "'no server-side encryption configuration': S3 encrypts every new object with SSE-S3 by default and this cannot be turned " +
                "off (S3 User Guide, 'Setting default server-side encryption behavior for Amazon S3 buckets': SSE-S3 is the base level of " +
                "encryption for every bucket since January 2023); a BucketServerSideEncryptionConfiguration for AES256 restates the default.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "InstanceRole-AmazonSSMManagedInstanceCore",
            verdict: "replacement-only",
            reason:
                "A RolePolicyAttachment's only inputs are its key (role, policyArn): it is replaced only when one of them changes, and the " +
                "replacement then has another key, so create-first cannot collide. The role is auto-named.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "InstanceRole-PutPatchBaseLog",
            verdict: "replacement-only",
            reason:
                "The RolePolicy is keyed by role and name, its only ForceNew inputs; policy updates in place. A replacement therefore " +
                "always has another key (the role is auto-named, so even a replaced role has a new id).",
        },
        {
            policy: "security-group-not-open",
            resource: "InstanceSecurityGroup",
            verdict: "false-positive",
            reason:
                "The group (HTTP/HTTPS/SSH/RDP from anywhere) is the instances' web DMZ group from vpc.yaml, not a security group of an SSM " +
                "interface endpoint; issue #23 scopes security-group rules to the endpoints SSM uses. A bad group, but not the pack's business.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "InstanceSecurityGroup",
            verdict: "false-positive",
            reason:
                "Out of scope: the instances' security group is not a resource patching uses (issue #23: replacement rules apply only to the " +
                "resources patching uses). (Its fixed GroupName with the ForceNew description would collide on replacement, for a web stack's reviewer.)",
        },
        {
            policy: "task-service-role",
            resource: "MaintenanceWindowTask",
            verdict: "false-positive",
            reason:
                "No ServiceRoleArn: 'If you do not specify a service role ARN, Systems Manager uses a service-linked role in your account' " +
                "(RegisterTaskWithMaintenanceWindow / AWS::SSM::MaintenanceWindowTask ServiceRoleArn). Issue #23: not a finding.",
        },
        {
            policy: "task-reboot-if-needed",
            resource: "MaintenanceWindowTask",
            verdict: "noise",
            reason:
                "Operation Install without RebootOption reboots if needed: RebootIfNeeded is AWS-RunPatchBaseline's default (SSM User Guide, " +
                "'AWS-RunPatchBaseline' parameters). Issue #23: no explicit RebootOption is not a finding.",
        },
    ],
    program: () => {
        const prefix = "cf-patch-manager";
        const region = "ap-southeast-1";

        // s3.yaml
        const s3Bucket = new aws.s3.Bucket("S3Bucket", { bucket: `${prefix}-log` });
        new aws.s3.BucketAcl("S3Bucket", { bucket: s3Bucket.id, acl: "private" });

        // vpc.yaml
        const vpc = new aws.ec2.Vpc("VPC", { cidrBlock: "10.4.0.0/20" });
        const igw = new aws.ec2.InternetGateway("IGW", {});
        new aws.ec2.InternetGatewayAttachment("IGWAttachment", { vpcId: vpc.id, internetGatewayId: igw.id });
        const publicSubnet = new aws.ec2.Subnet("PublicSubnet", {
            availabilityZone: `${region}a`,
            cidrBlock: "10.4.0.0/22",
            vpcId: vpc.id,
        });
        const publicRouteTable = new aws.ec2.RouteTable("PublicRouteTable", { vpcId: vpc.id });
        new aws.ec2.Route("RouteToInternet", {
            routeTableId: publicRouteTable.id,
            destinationCidrBlock: "0.0.0.0/0",
            gatewayId: igw.id,
        });
        new aws.ec2.RouteTableAssociation("PublicSubnetRouteTableAssociation", {
            subnetId: publicSubnet.id,
            routeTableId: publicRouteTable.id,
        });
        const instanceSecurityGroup = new aws.ec2.SecurityGroup("InstanceSecurityGroup", {
            name: `${prefix}-InstanceSecurityGroup`,
            description: "Basic Web DMZ.",
            vpcId: vpc.id,
            ingress: [80, 443, 22, 3389].map((port) => ({
                protocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrBlocks: ["0.0.0.0/0"],
            })),
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        });

        // ec2.yaml
        const instanceRole = new aws.iam.Role("InstanceRole", {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: ["ec2.amazonaws.com"] } }],
            }),
        });
        new aws.iam.RolePolicy("InstanceRole-PutPatchBaseLog", {
            role: instanceRole.id,
            name: "PutPatchBaseLog",
            policy: s3Bucket.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${arn}/*`] },
                        {
                            Effect: "Allow",
                            Action: ["s3:GetObject"],
                            Resource: [
                                `arn:aws:s3:::aws-windows-downloads-${region}/*`,
                                `arn:aws:s3:::amazon-ssm-${region}/*`,
                                `arn:aws:s3:::amazon-ssm-packages-${region}/*`,
                                `arn:aws:s3:::${region}-birdwatcher-prod/*`,
                                `arn:aws:s3:::aws-ssm-document-attachments-${region}/*`,
                                `arn:aws:s3:::patch-baseline-snapshot-${region}/*`,
                                `arn:aws:s3:::aws-ssm-${region}/*`,
                                `arn:aws:s3:::aws-patchmanager-macos-${region}/*`,
                            ],
                        },
                    ],
                }),
            ),
        });
        new aws.iam.RolePolicyAttachment("InstanceRole-AmazonSSMManagedInstanceCore", {
            role: instanceRole.name,
            policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        });
        const instanceProfile = new aws.iam.InstanceProfile("InstanceProfile", { path: "/", role: instanceRole.name });
        const instance = (name: string, ami: string, tags: Record<string, string>, userData?: string) =>
            new aws.ec2.Instance(name, {
                iamInstanceProfile: instanceProfile.name,
                ami,
                instanceType: "t2.micro",
                associatePublicIpAddress: true,
                subnetId: publicSubnet.id,
                vpcSecurityGroupIds: [instanceSecurityGroup.id],
                userData,
                tags,
            });
        const windowsInstance1 = instance("WindowsInstance1", "ami-0b52c74fd50d519f2", { backup: "true" });
        const windowsInstance2 = instance("WindowsInstance2", "ami-0bc64185df5784cc3", {
            "Patch Group": `${prefix}-windows-patch-group`,
            backup: "true",
        });
        const amazonLinuxInstance = instance("AmazonLinuxInstance", "ami-0f2eac25772cd4e36", {
            "Patch Group": `${prefix}-amznlinux-patch-group`,
            backup: "true",
        });
        const rhelInstance = instance(
            "RHELInstance",
            "ami-051f0947e420652a9",
            { "Patch Group": `${prefix}-rhel-patch-group`, backup: "true" },
            [
                "#!/bin/bash",
                "sudo dnf -y update",
                "sudo dnf install -y python39",
                `sudo yum install -y https://s3.${region}.amazonaws.com/amazon-ssm-${region}/latest/linux_amd64/amazon-ssm-agent.rpm`,
                "sudo systemctl enable amazon-ssm-agent",
                "sudo systemctl start amazon-ssm-agent",
                "",
            ].join("\n"),
        );

        // ssm.yaml
        const baseline = (
            name: string,
            os: string,
            description: string,
            baselineName: string,
            group: string,
            filters: { key: string; values: string[] }[],
        ) => {
            const b = new aws.ssm.PatchBaseline(name, {
                operatingSystem: os,
                approvalRules: [{ approveAfterDays: 7, complianceLevel: "UNSPECIFIED", enableNonSecurity: false, patchFilters: filters }],
                description,
                name: baselineName,
            });
            new aws.ssm.PatchGroup(`${name}-${group}`, { baselineId: b.id, patchGroup: group });
            return b;
        };
        baseline(
            "WindowsPatchBaseline",
            "WINDOWS",
            "Windows Critical Patch Baseline.",
            `${prefix}-WindowsCustomPatchBaseline`,
            `${prefix}-windows-patch-group`,
            [
                { key: "CLASSIFICATION", values: ["CriticalUpdates"] },
                { key: "MSRC_SEVERITY", values: ["Critical"] },
            ],
        );
        baseline(
            "AmazonLinuxPatchBaseline",
            "AMAZON_LINUX_2",
            "AmznLinux2 Critical Patch Baseline.",
            `${prefix}-AmazonLinuxCustomPatchBaseline`,
            `${prefix}-amznlinux-patch-group`,
            [
                { key: "CLASSIFICATION", values: ["Security"] },
                { key: "SEVERITY", values: ["Critical"] },
            ],
        );
        baseline(
            "RHELPatchBaseline",
            "REDHAT_ENTERPRISE_LINUX",
            "RHEL Critical Patch Baseline.",
            `${prefix}-RHELCustomPatchBaseline`,
            `${prefix}-rhel-patch-group`,
            [
                { key: "CLASSIFICATION", values: ["Security"] },
                { key: "SEVERITY", values: ["Critical"] },
            ],
        );

        const association = new aws.ssm.Association("AWSRunPatchBaseline", {
            associationName: `${prefix}-AWSRunPatchBaseline`,
            name: "AWS-RunPatchBaseline",
            outputLocation: { s3BucketName: s3Bucket.id, s3KeyPrefix: "AWSRunPatchBaselineAssociation" },
            parameters: { Operation: "Install" },
            targets: [
                {
                    key: "InstanceIds",
                    values: [windowsInstance1.id, windowsInstance2.id, amazonLinuxInstance.id, rhelInstance.id],
                },
            ],
            waitForSuccessTimeoutSeconds: 3600,
        });

        const maintenanceWindow = new aws.ssm.MaintenanceWindow(
            "MaintenanceWindow",
            {
                allowUnassociatedTargets: true,
                cutoff: 1,
                description: `${prefix}-Maintenance-Window`,
                duration: 2,
                name: `${prefix}-MaintenanceWindow`,
                schedule: "rate(5 minutes)",
                scheduleTimezone: "Asia/Kuala_Lumpur",
            },
            { dependsOn: [association] },
        );
        const maintenanceWindowTarget = new aws.ssm.MaintenanceWindowTarget("MaintenanceWindowTarget", {
            description: `${prefix}-MaintenanceWindowTarget`,
            name: `${prefix}-MaintenanceWindowTarget`,
            resourceType: "INSTANCE",
            targets: [
                {
                    key: "tag:Patch Group",
                    values: [`${prefix}-windows-patch-group`, `${prefix}-amznlinux-patch-group`, `${prefix}-rhel-patch-group`],
                },
            ],
            windowId: maintenanceWindow.id,
        });
        new aws.ssm.MaintenanceWindowTask("MaintenanceWindowTask", {
            description: `${prefix}-MaintenanceWindowTask`,
            maxConcurrency: "1",
            maxErrors: "1",
            name: `${prefix}-MaintenanceWindowTask`,
            priority: 1,
            targets: [{ key: "WindowTargetIds", values: [maintenanceWindowTarget.id] }],
            taskArn: "AWS-RunPatchBaseline",
            taskInvocationParameters: {
                runCommandParameters: {
                    outputS3Bucket: s3Bucket.id,
                    outputS3KeyPrefix: "AWSRunPatchBaselineMaintenanceWindowTask",
                    parameters: [{ name: "Operation", values: ["Install"] }],
                },
            },
            taskType: "RUN_COMMAND",
            windowId: maintenanceWindow.id,
        });
        return {};
    },
};
