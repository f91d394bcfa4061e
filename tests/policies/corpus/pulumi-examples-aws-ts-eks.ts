// pulumi/examples aws-ts-eks: an EKS cluster (@pulumi/eks 4.2.0) with its default node group, on an
// awsx VPC. Unrelated to patching: the pack must report nothing.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

const EKS = "https://github.com/pulumi/pulumi-eks/blob/v4.2.0/nodejs/eks";

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/examples",
        path: "aws-ts-eks/index.ts",
        commit: "52104d2579726fc9edfc83769b05ac38cd256bcb",
        url: "https://github.com/pulumi/examples/blob/52104d2579726fc9edfc83769b05ac38cd256bcb/aws-ts-eks/index.ts",
        translation:
            "The example is `new eks.Cluster('cluster', {vpcId, authenticationMode: API, subnetIds: vpc.publicSubnetIds, " +
            "desiredCapacity: 2, minSize: 1, maxSize: 2})` on `new awsx.ec2.Vpc('vpc', {numberOfAvailabilityZones: 2})` " +
            "(@pulumi/eks 4.2.0, @pulumi/awsx 2.22.0, @pulumi/aws 7.23.0). Translated here are the AWS resources eks 4.2.0 creates " +
            `by default, as read in pulumi/pulumi-eks at tag v4.2.0 (${EKS}/cluster/cluster.ts, servicerole.ts, ` +
            "nodes/securitygroup.ts, nodes/nodegroup.ts createNodeGroupV2, cluster/authenticationMode.ts), with eks's own logical " +
            "names: the cluster service role (ServiceRole cluster-eksRole: role cluster-eksRole-role trusted by eks.amazonaws.com " +
            "for sts:AssumeRole + sts:TagSession, AmazonEKSClusterPolicy attached as cluster-eksRole-<sha1(policy id)[0:8]>), the " +
            "cluster security group and its internet egress rule, the aws.eks.Cluster, the node instance role (ServiceRole " +
            "cluster-instanceRole: trusted by ec2.amazonaws.com, AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, " +
            "AmazonEC2ContainerRegistryReadOnly), the instance profile cluster-instanceProfile, the node security group and its five " +
            "rules, the EC2_LINUX access entry for the instance role (authenticationMode API), the launch template and the " +
            "autoscaling group `cluster`. Flattened: eks's ServiceRole/NodeGroupSecurityGroup components and the cluster component " +
            "are not registered (parents change URNs, not inputs); a Role passed as `role` is written as role.name (its id). Left " +
            "out: the awsx VPC's resources (VPC, subnets, gateways, routes: no security group, endpoint or role among them; vpcId and " +
            "the two public subnet ids are literals), the kube-proxy/vpc-cni/coredns add-ons and the Kubernetes provider (versions " +
            "from lookups), the launch template's nodeadm userData, and the AMI, which eks reads from the public SSM parameter for " +
            "the recommended EKS AMI (a literal AMI id here). dnsSuffix is amazonaws.com (aws.getPartition).",
    },
    unrelated: true,
    expected: [],
    rejected: [],
    program: () => {
        const name = "cluster";
        const vpcId = "vpc-0a1b2c3d4e5f67890";
        const publicSubnetIds = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];

        // ServiceRole `${name}-eksRole` (servicerole.ts, cluster.ts createCore).
        const eksRole = new aws.iam.Role(`${name}-eksRole-role`, {
            description: "Allows EKS to manage clusters on your behalf.",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Effect: "Allow",
                        Principal: { Service: ["eks.amazonaws.com"] },
                    },
                ],
            }),
        });
        const eksRolePolicy = new aws.iam.RolePolicyAttachment(`${name}-eksRole-4b490823`, {
            policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            role: eksRole.name,
        });

        // The cluster security group.
        const eksClusterSecurityGroup = new aws.ec2.SecurityGroup(`${name}-eksClusterSecurityGroup`, {
            vpcId,
            revokeRulesOnDelete: true,
            tags: { Name: `${name}-eksClusterSecurityGroup` },
        });
        new aws.ec2.SecurityGroupRule(`${name}-eksClusterInternetEgressRule`, {
            description: "Allow internet access.",
            type: "egress",
            fromPort: 0,
            toPort: 0,
            protocol: "-1",
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: eksClusterSecurityGroup.id,
        });

        // The cluster.
        const eksCluster = new aws.eks.Cluster(
            `${name}-eksCluster`,
            {
                roleArn: eksRole.arn,
                bootstrapSelfManagedAddons: true,
                vpcConfig: {
                    securityGroupIds: [eksClusterSecurityGroup.id],
                    subnetIds: publicSubnetIds,
                },
                tags: { Name: `${name}-eksCluster` },
                accessConfig: {
                    authenticationMode: "API",
                    bootstrapClusterCreatorAdminPermissions: true,
                },
            },
            {
                ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
                dependsOn: [eksRole, eksRolePolicy],
            },
        );

        // ServiceRole `${name}-instanceRole` and the instance profile.
        const instanceRole = new aws.iam.Role(`${name}-instanceRole-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Action: ["sts:AssumeRole"],
                        Effect: "Allow",
                        Principal: { Service: ["ec2.amazonaws.com"] },
                    },
                ],
            }),
        });
        for (const [hash, policy] of [
            ["03516f97", "AmazonEKSWorkerNodePolicy"],
            ["e1b295bd", "AmazonEKS_CNI_Policy"],
            ["3eb088f2", "AmazonEC2ContainerRegistryReadOnly"],
        ]) {
            new aws.iam.RolePolicyAttachment(`${name}-instanceRole-${hash}`, {
                policyArn: `arn:aws:iam::aws:policy/${policy}`,
                role: instanceRole.name,
            });
        }
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-instanceProfile`, {
            role: instanceRole.name,
        });

        // The EC2_LINUX access entry for the default node group (authenticationMode API).
        new aws.eks.AccessEntry(
            `${name}-defaultNodeGroupInstanceRole`,
            {
                principalArn: instanceRole.arn,
                type: "EC2_LINUX",
                clusterName: eksCluster.name,
            },
            { dependsOn: [eksCluster] },
        );

        // The node security group (nodes/securitygroup.ts createNodeGroupSecurityGroup).
        const nodeSecurityGroup = new aws.ec2.SecurityGroup(`${name}-nodeSecurityGroup`, {
            vpcId,
            revokeRulesOnDelete: true,
            tags: eksCluster.name.apply((clusterName) => ({
                Name: `${name}-nodeSecurityGroup`,
                [`kubernetes.io/cluster/${clusterName}`]: "owned",
            })),
        });
        new aws.ec2.SecurityGroupRule(`${name}-eksNodeIngressRule`, {
            description: "Allow nodes to communicate with each other",
            type: "ingress",
            fromPort: 0,
            toPort: 0,
            protocol: "-1",
            securityGroupId: nodeSecurityGroup.id,
            self: true,
        });
        new aws.ec2.SecurityGroupRule(`${name}-eksNodeClusterIngressRule`, {
            description: "Allow worker Kubelets and pods to receive communication from the cluster control plane",
            type: "ingress",
            fromPort: 1025,
            toPort: 65535,
            protocol: "tcp",
            securityGroupId: nodeSecurityGroup.id,
            sourceSecurityGroupId: eksClusterSecurityGroup.id,
        });
        new aws.ec2.SecurityGroupRule(`${name}-eksExtApiServerClusterIngressRule`, {
            description: "Allow pods running extension API servers on port 443 to receive communication from cluster control plane",
            type: "ingress",
            fromPort: 443,
            toPort: 443,
            protocol: "tcp",
            securityGroupId: nodeSecurityGroup.id,
            sourceSecurityGroupId: eksClusterSecurityGroup.id,
        });
        new aws.ec2.SecurityGroupRule(`${name}-eksNodeInternetEgressRule`, {
            description: "Allow internet access.",
            type: "egress",
            fromPort: 0,
            toPort: 0,
            protocol: "-1",
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: nodeSecurityGroup.id,
        });
        const eksClusterIngressRule = new aws.ec2.SecurityGroupRule(`${name}-eksClusterIngressRule`, {
            description: "Allow pods to communicate with the cluster API Server",
            type: "ingress",
            fromPort: 443,
            toPort: 443,
            protocol: "tcp",
            securityGroupId: eksClusterSecurityGroup.id,
            sourceSecurityGroupId: nodeSecurityGroup.id,
        });

        // The default node group (nodes/nodegroup.ts createNodeGroupV2).
        const nodeLaunchTemplate = new aws.ec2.LaunchTemplate(`${name}-launchTemplate`, {
            imageId: "ami-0c1d2e3f4a5b6c7d8",
            instanceType: "t3.medium",
            iamInstanceProfile: { name: instanceProfile.name },
            networkInterfaces: [
                {
                    associatePublicIpAddress: "true",
                    securityGroups: pulumi.all([nodeSecurityGroup.id, eksClusterIngressRule.id]).apply(([sg]) => [sg]),
                },
            ],
        });
        new aws.autoscaling.Group(name, {
            minSize: 1,
            maxSize: 2,
            desiredCapacity: 2,
            launchTemplate: {
                name: nodeLaunchTemplate.name,
                version: nodeLaunchTemplate.latestVersion.apply((v) => String(v)),
            },
            vpcZoneIdentifiers: publicSubnetIds,
            instanceRefresh: {
                strategy: "Rolling",
                preferences: { minHealthyPercentage: 50 },
            },
            tags: eksCluster.name.apply((clusterName) => [
                { value: "owned", key: `kubernetes.io/cluster/${clusterName}`, propagateAtLaunch: true },
                { key: "Name", value: `${clusterName}-worker`, propagateAtLaunch: true },
            ]),
        });
        return {};
    },
};
