// ministryofjustice/modernisation-platform-terraform-bastion-linux (UK Ministry of Justice): a Session
// Manager bastion (SSM agent, AmazonSSMManagedInstanceCore, a KMS-encrypted bucket for logs and keys).
// No Patch Manager resource at all: the pack must report nothing.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "ministryofjustice/modernisation-platform-terraform-bastion-linux",
        path: "main.tf, locals.tf, variables.tf, test/unit-test/main.tf, test/unit-test/networking.auto.tfvars.json; nested module ministryofjustice/modernisation-platform-terraform-s3-bucket main.tf at 355197b5695fcce014ad838c7b586b95f9eb4988 (v10.2.0)",
        commit: "77d302bae6ed36416f73ec8d1b188714c8e61478",
        url: "https://github.com/ministryofjustice/modernisation-platform-terraform-bastion-linux/tree/77d302bae6ed36416f73ec8d1b188714c8e61478",
        translation:
            "The module with the inputs of its own test (test/unit-test/main.tf), first of its two instances (count.index 0): " +
            "instance_name bastion_linux_1, instance_type m5.large, bucket_name bastion-1, log_auto_clean Enabled, IA 30 / Glacier 60 / " +
            'expiry 180 days, allow_ssh_commands false, custom_s3_kms_arn "" (so the module creates its KMS key), app_name testing, ' +
            "business_unit platforms, subnet_set general, environment test, region eu-west-2, tags_prefix testing-test; variable defaults " +
            "otherwise (volume_size 8, autoscaling_cron up 0 5 * * * / down 0 20 * * *). tags_common = the test's local.tags, of which the " +
            "computed entries are written out (is-production false, environment-name testing-test, source-code); the tags downloaded " +
            "from the environments JSON are left out. Data sources are inlined: account 123456789012, the shared VPC vpc-0a1b2c3d4e5f60718 " +
            "with two subnets (10.26.8.0/21, 10.26.16.0/21), private subnet subnet-0a1b2c3d4e5f60719, the core-vpc endpoint security group " +
            "sg-0a1b2c3d4e5f60720 and the S3 gateway endpoint's prefix list pl-7ca54015. random_string.random6 is inlined as q7k2xz. " +
            "The nested s3-bucket module (module.s3-bucket) is expanded into what it creates with the inputs given (acl private, " +
            "ownership ObjectWriter, aws:kms with the module's key and enforce_kms_request_headers true, versioning on, the lifecycle rule, " +
            "the public access block, and the merged bucket policy written out as JSON); replication is off, so its replication resources " +
            "and provider are left out. The public-key objects use the key names of the test's bastion_linux.json (test environment) with " +
            "their contents shortened. The launch template's user_data (templates/user_data.sh.tftpl: SSH recording, S3 key sync, and a " +
            "nightly `yum -y update --security` from cron) is left out: it runs on the node from cloud-init, not through SSM. " +
            "Logical names: Terraform's, with s3-bucket- for the nested module's resources.",
    },
    unrelated: true,
    expected: [],
    rejected: [
        {
            policy: "replacement-deletes-first",
            resource: "s3-bucket-default",
            verdict: "false-positive",
            reason:
                "Out of scope: the bucket holds the bastion's SSH logs and users' public keys; no patch task or association writes to it " +
                "(issue #23: bucket and replacement rules apply only to the resources patching uses; an unrelated stack gets zero " +
                "findings). Reported for the Bucket (fixed name bastion-1-testing-test-<random6>) and, by today's pack, for each " +
                "one-per-bucket configuration of the same logical name (ownership controls, encryption, public access block, lifecycle, " +
                "policy), which are in addition keyed only by bucket and so cannot collide on replacement.",
        },
        {
            policy: "replacement-deletes-first",
            resource: "bastion_managed",
            verdict: "false-positive",
            reason:
                "Out of scope (the instance role of a Session Manager bastion, no patching), and a RolePolicyAttachment's only inputs are its " +
                "key (role, policyArn), so a replacement always has another key; the role itself uses name_prefix.",
        },
    ],
    program: () => {
        const region = "eu-west-2";
        const accountId = "123456789012";
        const instanceName = "bastion_linux_1";
        const tagsCommon = {
            "is-production": "false",
            "environment-name": "testing-test",
            "source-code": "https://github.com/ministryofjustice/modernisation-platform",
        };

        // KMS
        const kmsKey = new aws.kms.Key("bastion_s3", {
            enableKeyRotation: true,
            tags: { ...tagsCommon, Name: "bastion_s3" },
        });
        new aws.kms.Alias("bastion_s3", { namePrefix: "alias/modernisation-platform-bastion", targetKeyId: kmsKey.id });

        // IAM role (declared early: the key policy refers to it)
        const bastionRole = new aws.iam.Role("bastion_role", {
            namePrefix: `${instanceName}_ec2_role`,
            path: "/",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }],
            }),
            tags: { ...tagsCommon, Name: `${instanceName}_ec2_role` },
        });
        new aws.kms.KeyPolicy("bastion_s3", {
            keyId: kmsKey.id,
            policy: pulumi.all([kmsKey.arn, bastionRole.arn]).apply(([keyArn, roleArn]) =>
                JSON.stringify({
                    Id: "bastion-key-access",
                    Statement: [
                        {
                            Sid: "Enable IAM User Permissions",
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                            Action: "kms:*",
                            Resource: keyArn,
                        },
                        {
                            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                            Effect: "Allow",
                            Principal: { AWS: roleArn },
                            Resource: keyArn,
                        },
                    ],
                    Version: "2012-10-17",
                }),
            ),
        });

        // module "s3-bucket"
        const bucket = new aws.s3.Bucket("s3-bucket-default", {
            bucket: "bastion-1-testing-test-q7k2xz",
            forceDestroy: true,
            tags: { ...tagsCommon, Name: instanceName },
        });
        const ownership = new aws.s3.BucketOwnershipControls("s3-bucket-default", {
            bucket: bucket.id,
            rule: { objectOwnership: "ObjectWriter" },
        });
        new aws.s3.BucketAcl("s3-bucket-default", { bucket: bucket.id, acl: "private" }, { dependsOn: [ownership] });
        new aws.s3.BucketLifecycleConfiguration("s3-bucket-default", {
            bucket: bucket.id,
            rules: [
                {
                    id: "log",
                    filter: { prefix: "logs/" },
                    status: "Enabled",
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    expiration: { days: 180 },
                    transitions: [
                        { days: 30, storageClass: "STANDARD_IA" },
                        { days: 60, storageClass: "GLACIER" },
                    ],
                    noncurrentVersionExpiration: { noncurrentDays: 180 },
                    noncurrentVersionTransitions: [
                        { noncurrentDays: 30, storageClass: "STANDARD_IA" },
                        { noncurrentDays: 60, storageClass: "GLACIER" },
                    ],
                },
            ],
        });
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock("s3-bucket-default", {
            bucket: bucket.bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        new aws.s3.BucketPolicy(
            "s3-bucket-default",
            {
                bucket: bucket.id,
                policy: pulumi.all([bucket.arn, kmsKey.arn]).apply(([arn, keyArn]) => {
                    const both = [arn, `${arn}/*`];
                    const notService = { StringNotEquals: { "aws:PrincipalType": "Service" } };
                    return JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "EnforceTLSv12orHigher",
                                Effect: "Deny",
                                Action: "s3:*",
                                Resource: both,
                                Principal: { AWS: "*" },
                                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
                            },
                            {
                                Sid: "DenyInsecureTransport",
                                Effect: "Deny",
                                Action: "s3:*",
                                Resource: both,
                                Principal: "*",
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                            {
                                Sid: "DenyUnencryptedObjectUploads",
                                Effect: "Deny",
                                Action: "s3:PutObject",
                                Resource: `${arn}/*`,
                                Principal: "*",
                                Condition: { Null: { "s3:x-amz-server-side-encryption": "true" }, ...notService },
                            },
                            {
                                Sid: "DenyIncorrectEncryptionHeader",
                                Effect: "Deny",
                                Action: "s3:PutObject",
                                Resource: `${arn}/*`,
                                Principal: "*",
                                Condition: {
                                    StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms", "aws:PrincipalType": "Service" },
                                },
                            },
                            {
                                Sid: "DenyIncorrectKMSKeyHeader",
                                Effect: "Deny",
                                Action: "s3:PutObject",
                                Resource: `${arn}/*`,
                                Principal: "*",
                                Condition: {
                                    StringNotEquals: {
                                        "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn,
                                        "aws:PrincipalType": "Service",
                                    },
                                },
                            },
                        ],
                    });
                }),
            },
            { dependsOn: [publicAccessBlock] },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration("s3-bucket-default", {
            bucket: bucket.id,
            rules: [
                {
                    bucketKeyEnabled: true,
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKey.arn },
                },
            ],
        });
        new aws.s3.BucketVersioning("s3-bucket-default", {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        });

        new aws.s3.BucketObjectv2("bucket_public_keys_readme", {
            bucket: bucket.id,
            key: "public-keys/README.txt",
            content: "Drop here the ssh public keys of the instances you want to control",
            kmsKeyId: kmsKey.arn,
            tags: tagsCommon,
        });
        for (const user of ["davidelliott", "ewastempel"]) {
            new aws.s3.BucketObjectv2(`user_public_keys-${user}`, {
                bucket: bucket.id,
                key: `public-keys/${user}.pub`,
                content: `ssh-rsa AAAAB3NzaC1yc2E... ${user}`,
                kmsKeyId: kmsKey.arn,
                tags: tagsCommon,
            });
        }

        // Security group
        const sg = new aws.ec2.SecurityGroup("bastion_linux", {
            description: "Configure bastion access - ingress should be only from Systems Session Manager (SSM)",
            namePrefix: "bastion-linux-1-testing",
            vpcId: "vpc-0a1b2c3d4e5f60718",
            tags: { ...tagsCommon, Name: "bastion-linux-1-testing" },
        });
        new aws.ec2.SecurityGroupRule("bastion_linux_egress_1", {
            securityGroupId: sg.id,
            description: `${instanceName}_to_local_subnet_CIDRs`,
            type: "egress",
            fromPort: 0,
            toPort: 65535,
            protocol: "TCP",
            cidrBlocks: ["10.26.8.0/21", "10.26.16.0/21"],
        });
        new aws.ec2.SecurityGroupRule("bastion_linux_egress_2", {
            securityGroupId: sg.id,
            description: `${instanceName}_egress_to_interface_endpoints`,
            type: "egress",
            fromPort: 443,
            toPort: 443,
            protocol: "TCP",
            sourceSecurityGroupId: "sg-0a1b2c3d4e5f60720",
        });
        new aws.ec2.SecurityGroupRule("bastion_linux_egress_3", {
            securityGroupId: sg.id,
            description: `${instanceName}_egress_to_s3_endpoint`,
            type: "egress",
            fromPort: 443,
            toPort: 443,
            protocol: "TCP",
            prefixListIds: ["pl-7ca54015"],
        });

        // IAM policies
        const bastionPolicy = new aws.iam.Policy("bastion_policy", {
            namePrefix: instanceName,
            policy: pulumi.all([bucket.arn, kmsKey.arn]).apply(([arn, keyArn]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["s3:PutObjectAcl", "s3:PutObject", "s3:GetObject"], Resource: `${arn}/logs/*` },
                        { Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/public-keys/*` },
                        {
                            Effect: "Allow",
                            Action: "s3:ListBucket",
                            Resource: arn,
                            Condition: { "ForAnyValue:StringEquals": { "s3:prefix": ["public-keys/", "logs/"] } },
                        },
                        { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: keyArn },
                    ],
                }),
            ),
        });
        new aws.iam.RolePolicyAttachment("bastion_s3", { policyArn: bastionPolicy.arn, role: bastionRole.name });
        new aws.iam.RolePolicyAttachment("bastion_managed", {
            policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            role: bastionRole.name,
        });
        const ssmS3Policy = new aws.iam.Policy("bastion_ssm_s3_policy", {
            namePrefix: `${instanceName}_ssm_s3`,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: "s3:GetObject",
                        Resource: [
                            `arn:aws:s3:::aws-ssm-${region}/*`,
                            `arn:aws:s3:::aws-windows-downloads-${region}/*`,
                            `arn:aws:s3:::amazon-ssm-${region}/*`,
                            `arn:aws:s3:::amazon-ssm-packages-${region}/*`,
                            `arn:aws:s3:::${region}-birdwatcher-prod/*`,
                            `arn:aws:s3:::aws-ssm-distributor-file-${region}/*`,
                            `arn:aws:s3:::aws-ssm-document-attachments-${region}/*`,
                            `arn:aws:s3:::patch-baseline-snapshot-${region}/*`,
                        ],
                    },
                ],
            }),
        });
        new aws.iam.RolePolicyAttachment("bastion_host_ssm_s3", { policyArn: ssmS3Policy.arn, role: bastionRole.name });
        const profile = new aws.iam.InstanceProfile("bastion_profile", {
            namePrefix: "bastion-linux-1-ec2-profile",
            role: bastionRole.name,
            path: "/",
        });

        // Bastion
        const template = new aws.ec2.LaunchTemplate("bastion_linux_template", {
            namePrefix: `${instanceName}_template`,
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 8, encrypted: "true" } }],
            ebsOptimized: "true",
            iamInstanceProfile: { name: profile.id },
            imageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64",
            instanceInitiatedShutdownBehavior: "terminate",
            instanceType: "m5.large",
            metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
            monitoring: { enabled: true },
            networkInterfaces: [
                {
                    associatePublicIpAddress: "false",
                    deviceIndex: 0,
                    securityGroups: [sg.id],
                    subnetId: "subnet-0a1b2c3d4e5f60719",
                    deleteOnTermination: "true",
                },
            ],
            placement: { availabilityZone: `${region}a` },
            tagSpecifications: [{ resourceType: "instance", tags: { ...tagsCommon, Name: instanceName } }],
        });
        const asg = new aws.autoscaling.Group("bastion_linux_daily", {
            launchTemplate: { id: template.id, version: "$Latest" },
            availabilityZones: [`${region}a`],
            namePrefix: `${instanceName}_daily`,
            maxSize: 1,
            minSize: 1,
            healthCheckGracePeriod: 300,
            healthCheckType: "ELB",
            forceDelete: true,
            terminationPolicies: ["OldestInstance"],
            tags: [
                { key: "Name", value: instanceName, propagateAtLaunch: true },
                ...Object.entries(tagsCommon).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            ],
        });
        new aws.autoscaling.Schedule("bastion_linux_scale_down", {
            scheduledActionName: `${instanceName}_scale_down`,
            minSize: 0,
            maxSize: 0,
            desiredCapacity: 0,
            recurrence: "0 20 * * *",
            autoscalingGroupName: asg.name,
        });
        new aws.autoscaling.Schedule("bastion_linux_scale_up", {
            scheduledActionName: `${instanceName}_scale_up`,
            minSize: 1,
            maxSize: 1,
            desiredCapacity: 1,
            recurrence: "0 5 * * *",
            autoscalingGroupName: asg.name,
        });
        return {};
    },
};
