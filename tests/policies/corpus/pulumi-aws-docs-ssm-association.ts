// pulumi-aws docs: the aws.ssm.Association examples (one instance, every managed instance, a tag, a
// schedule, a weekly `yum update -y` over AWS-RunShellScript on two instances, and a tag-matched
// association with its two tagged instances), as one stack.
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

// Values the examples take from variables and resources they do not declare.
const instanceId = "i-0123456789abcdef0"; // exampleAwsInstance.id
const documentName = "example"; // exampleAwsSsmDocument.name (aws_ssm_document.example)
const amazonLinuxAmi = "ami-0abcdef1234567890"; // amazonLinux.id
const publicSubnetId = "subnet-0123456789abcdef0"; // _public.id
const defaultSubnetId = "subnet-0fedcba9876543210"; // _default.id
const ec2SgId = "sg-0123456789abcdef0"; // ec2Sg.id
const ec2SsmProfileName = "ec2-ssm-profile"; // ec2SsmProfile.name
const prefix = "demo";
const environment = "demo";
const owner = "platform-team";

const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/pulumi-aws (docs)",
        path: "sdk/nodejs/ssm/association.ts (JSDoc examples)",
        commit: "v7.48.0",
        url: "https://github.com/pulumi/pulumi-aws/blob/v7.48.0/sdk/nodejs/ssm/association.ts",
        translation:
            "The six TypeScript examples as published in @pulumi/aws@7.48.0 (ssm/association.d.ts, the JSDoc generated from " +
            "sdk/nodejs/ssm/association.ts at v7.48.0), every input kept. The first four are all `example` in the docs, here " +
            "example-instance ('for a specific instance'), example-all-instances ('all managed instances', InstanceIds ['*']), " +
            "example-tag ('for a specific tag') and example-schedule ('with a specific schedule'); system_update, web_server_1, " +
            "web_server_2, database_association, web_server and database_server keep their names. std.join of the system_update " +
            "commands is the joined string (lines separated by \\n); std.base64encode of the last two instances' userData is " +
            "Buffer.from(text).toString('base64'), passed to userData as the docs do. aws.ec2.InstanceType.T3_Micro is 't3.micro'. " +
            "Undeclared references are literals: instance i-0123456789abcdef0, custom document `example`, AMI, subnets, security group " +
            "sg-0123456789abcdef0 and instance profile ec2-ssm-profile; the undeclared variables prefix, environment and owner are " +
            "'demo', 'demo' and 'platform-team' (the docs' own system_update uses Environment 'demo'). database_association's " +
            "name: systemUpdate.name is a reference (AWS-RunShellScript). The docs write the web server's echo line with \\\" inside the " +
            "template literal; plain quotes here, the same string.",
    },
    expected: [
        {
            policy: "patching-documents-only",
            resource: "system_update",
            level: "mandatory",
            reason:
                "The association patches with a shell script: AWS-RunShellScript running `yum update -y` every Sunday 02:00 on " +
                "web_server_1 and web_server_2. That installs every available update, whatever a patch baseline approves or rejects, " +
                "reports no patch compliance (SSM User Guide, Patch Manager: compliance comes from AWS-RunPatchBaseline scans and " +
                "installs), and never reboots after a kernel or library update; AWS-RunPatchBaseline (Operation Install, RebootOption) " +
                "is the document for it. Advisory, as the rule is for shell patching.",
        },
    ],
    rejected: [],
    program: () => {
        // Create an association for a specific instance.
        new aws.ssm.Association("example-instance", {
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            name: documentName,
        });

        // Create an association for all managed instances in an AWS account.
        new aws.ssm.Association("example-all-instances", {
            targets: [{ key: "InstanceIds", values: ["*"] }],
            name: "AmazonCloudWatch-ManageAgent",
        });

        // Create an association for a specific tag.
        new aws.ssm.Association("example-tag", {
            targets: [{ key: "tag:Environment", values: ["Development"] }],
            name: "AmazonCloudWatch-ManageAgent",
        });

        // Create an association with a specific schedule.
        new aws.ssm.Association("example-schedule", {
            targets: [{ key: "InstanceIds", values: [instanceId] }],
            name: documentName,
            scheduleExpression: "cron(0 2 ? * SUN *)",
        });

        // Create an association with multiple instances with their instance ids.
        const ssmAgentUserData = `#!/bin/bash
yum update -y
yum install -y amazon-ssm-agent
systemctl enable amazon-ssm-agent
systemctl start amazon-ssm-agent
`;
        // First EC2 instance
        const webServer1 = new aws.ec2.Instance("web_server_1", {
            ami: amazonLinuxAmi,
            instanceType: "t3.micro",
            subnetId: publicSubnetId,
            vpcSecurityGroupIds: [ec2SgId],
            iamInstanceProfile: ec2SsmProfileName,
            userData: ssmAgentUserData,
        });
        // Second EC2 instance
        const webServer2 = new aws.ec2.Instance("web_server_2", {
            ami: amazonLinuxAmi,
            instanceType: "t3.micro",
            subnetId: publicSubnetId,
            vpcSecurityGroupIds: [ec2SgId],
            iamInstanceProfile: ec2SsmProfileName,
            userData: ssmAgentUserData,
        });
        // Removed EC2 provisioning dependencies for brevity
        const systemUpdate = new aws.ssm.Association("system_update", {
            targets: [{ key: "InstanceIds", values: [webServer1.id, webServer2.id] }],
            name: "AWS-RunShellScript",
            scheduleExpression: "cron(0 2 ? * SUN *)",
            parameters: {
                commands: [
                    "#!/bin/bash",
                    "echo 'Starting system update on $(hostname)'",
                    "echo 'Instance ID: $(curl -s http://169.254.169.254/latest/meta-data/instance-id)'",
                    "yum update -y",
                    "echo 'System update completed successfully'",
                    "systemctl status httpd",
                    "df -h",
                    "free -m",
                ].join("\n"),
                workingDirectory: "/tmp",
                executionTimeout: "3600",
            },
            associationName: "weekly-system-update",
            complianceSeverity: "MEDIUM",
            maxConcurrency: "1",
            maxErrors: "0",
            tags: {
                Name: "Weekly System Update",
                Environment: "demo",
                Purpose: "maintenance",
            },
        });

        // Create an association with multiple instances with their values matching their tags.
        // SSM Association for Webbased Servers
        new aws.ssm.Association("database_association", {
            targets: [{ key: "tag:Role", values: ["WebServer", "Database"] }],
            name: systemUpdate.name,
            parameters: {
                restartServices: "true",
            },
            scheduleExpression: "cron(0 3 ? * SUN *)",
        });
        // EC2 Instance 1 - Web Server with "ServerType" tag
        new aws.ec2.Instance("web_server", {
            ami: amazonLinuxAmi,
            instanceType: "t3.micro",
            subnetId: defaultSubnetId,
            vpcSecurityGroupIds: [ec2SgId],
            iamInstanceProfile: ec2SsmProfileName,
            userData: base64(`#!/bin/bash
yum update -y
yum install -y amazon-ssm-agent
systemctl enable amazon-ssm-agent
systemctl start amazon-ssm-agent

# Install Apache web server
yum install -y httpd
systemctl enable httpd
systemctl start httpd
echo "<h1>Web Server - ${prefix}</h1>" > /var/www/html/index.html
`),
            tags: {
                Name: `${prefix}-web-server`,
                ServerType: "WebServer",
                Role: "WebServer",
                Environment: environment,
                Owner: owner,
            },
        });
        // EC2 Instance 2 - Database Server with "Role" tag
        new aws.ec2.Instance("database_server", {
            ami: amazonLinuxAmi,
            instanceType: "t3.micro",
            subnetId: defaultSubnetId,
            vpcSecurityGroupIds: [ec2SgId],
            iamInstanceProfile: ec2SsmProfileName,
            userData: base64(`#!/bin/bash
yum update -y
yum install -y amazon-ssm-agent
systemctl enable amazon-ssm-agent
systemctl start amazon-ssm-agent

# Install MySQL
yum install -y mysql-server
systemctl enable mysqld
systemctl start mysqld
`),
            tags: {
                Name: `${prefix}-database-server`,
                Role: "Database",
                Environment: environment,
                Owner: owner,
            },
        });
        return {};
    },
};
