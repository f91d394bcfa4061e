// The type tokens of the resources the program creates and the policy pack, the offline plan and
// the audit look at (Pulumi AWS provider v7): one table, so that a token spelt wrong in one place
// cannot make a rule or a tool silently skip every resource of that type.

export const TYPES = {
    // Systems Manager
    window: "aws:ssm/maintenanceWindow:MaintenanceWindow",
    windowTarget: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    windowTask: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
    patchBaseline: "aws:ssm/patchBaseline:PatchBaseline",
    patchGroup: "aws:ssm/patchGroup:PatchGroup",
    defaultPatchBaseline: "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline",
    activation: "aws:ssm/activation:Activation",
    association: "aws:ssm/association:Association",
    document: "aws:ssm/document:Document",
    resourceDataSync: "aws:ssm/resourceDataSync:ResourceDataSync",
    // IAM
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    rolePolicyAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    policy: "aws:iam/policy:Policy",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
    // S3
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
    bucketOwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketSseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    // Notifications, events, keys, AWS Config
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    kmsKey: "aws:kms/key:Key",
    configRule: "aws:cfg/rule:Rule",
    configRecorder: "aws:cfg/recorder:Recorder",
    configDeliveryChannel: "aws:cfg/deliveryChannel:DeliveryChannel",
    configRecorderStatus: "aws:cfg/recorderStatus:RecorderStatus",
    // Compliance reports (Glue Data Catalog, Athena)
    glueDatabase: "aws:glue/catalogDatabase:CatalogDatabase",
    glueTable: "aws:glue/catalogTable:CatalogTable",
    athenaWorkgroup: "aws:athena/workgroup:Workgroup",
    athenaNamedQuery: "aws:athena/namedQuery:NamedQuery",
    // Network
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    vpcIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    // The root of every stack's resource tree.
    stack: "pulumi:pulumi:Stack",
} as const;

export type TypeToken = (typeof TYPES)[keyof typeof TYPES];
