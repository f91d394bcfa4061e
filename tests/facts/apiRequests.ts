// The AWS API requests a resource's inputs become: each @pulumi/aws type's inputs renamed to the
// API members, as the bridged Terraform provider's create functions send them
// (terraform-provider-aws internal/service/<service>/<resource>.go, the `expand…` functions).
// A type this table does not know is a test failure, not a skip.
import type { PlannedResource } from "../../tools/mock/mockProgram";

export interface ApiRequest {
    service: string;
    operation: string;
    input: Record<string, unknown>;
}

type Inputs = Record<string, any>;
type Mapper = (i: Inputs, r: PlannedResource) => ApiRequest[];

/** Drops undefined members so the validator sees what the provider sends (it omits unset fields). */
function clean<T extends Record<string, unknown>>(o: T): T {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
const tagList = (tags?: Record<string, string>, k = "Key", v = "Value") =>
    tags && Object.keys(tags).length > 0 ? Object.entries(tags).map(([key, value]) => ({ [k]: key, [v]: value })) : undefined;
const ssmTargets = (t?: { key: string; values: string[] }[]) => t?.map((x) => ({ Key: x.key, Values: x.values }));
const nameOf = (i: Inputs, r: PlannedResource, input = "name") => (i[input] as string | undefined) ?? r.id ?? r.name;
const req = (service: string, operation: string, input: Record<string, unknown>): ApiRequest => ({
    service,
    operation,
    input: clean(input),
});
/** Run Command and Automation parameters: Pulumi's list of {name, values} is the API's map of name to values. */
const parameterMap = (p?: { name: string; values: string[] }[]) =>
    p && p.length > 0 ? Object.fromEntries(p.map((x) => [x.name, x.values])) : undefined;

function taskInvocation(t: Inputs | undefined): Record<string, unknown> | undefined {
    if (!t) return undefined;
    const rc = t.runCommandParameters;
    const au = t.automationParameters;
    return clean({
        RunCommand: rc
            ? clean({
                  Comment: rc.comment,
                  DocumentHash: rc.documentHash,
                  DocumentHashType: rc.documentHashType,
                  DocumentVersion: rc.documentVersion,
                  OutputS3BucketName: rc.outputS3Bucket,
                  OutputS3KeyPrefix: rc.outputS3KeyPrefix,
                  Parameters: parameterMap(rc.parameters),
                  ServiceRoleArn: rc.serviceRoleArn,
                  TimeoutSeconds: rc.timeoutSeconds,
                  NotificationConfig: rc.notificationConfig
                      ? clean({
                            NotificationArn: rc.notificationConfig.notificationArn,
                            NotificationEvents: rc.notificationConfig.notificationEvents,
                            NotificationType: rc.notificationConfig.notificationType,
                        })
                      : undefined,
                  CloudWatchOutputConfig: rc.cloudwatchConfig
                      ? clean({
                            CloudWatchLogGroupName: rc.cloudwatchConfig.cloudwatchLogGroupName,
                            CloudWatchOutputEnabled: rc.cloudwatchConfig.cloudwatchOutputEnabled,
                        })
                      : undefined,
              })
            : undefined,
        Automation: au ? clean({ DocumentVersion: au.documentVersion, Parameters: parameterMap(au.parameters) }) : undefined,
        Lambda: t.lambdaParameters ? { unsupported: "lambdaParameters are not mapped in tests/facts/apiRequests.ts" } : undefined,
        StepFunctions: t.stepFunctionsParameters ? { unsupported: "stepFunctionsParameters are not mapped" } : undefined,
    });
}

const s3Rule = (r: Inputs) =>
    clean({
        ID: r.id,
        Status: r.status,
        Filter: r.filter
            ? clean({
                  Prefix: r.filter.prefix,
                  ObjectSizeGreaterThan: r.filter.objectSizeGreaterThan,
                  ObjectSizeLessThan: r.filter.objectSizeLessThan,
                  Tag: r.filter.tag ? { Key: r.filter.tag.key, Value: r.filter.tag.value } : undefined,
              })
            : undefined,
        Expiration: r.expiration
            ? clean({ Days: r.expiration.days, Date: r.expiration.date, ExpiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker })
            : undefined,
        AbortIncompleteMultipartUpload: r.abortIncompleteMultipartUpload
            ? { DaysAfterInitiation: r.abortIncompleteMultipartUpload.daysAfterInitiation }
            : undefined,
        NoncurrentVersionExpiration: r.noncurrentVersionExpiration
            ? clean({
                  NoncurrentDays: r.noncurrentVersionExpiration.noncurrentDays,
                  NewerNoncurrentVersions: r.noncurrentVersionExpiration.newerNoncurrentVersions,
              })
            : undefined,
        Transitions: r.transitions?.map((t: Inputs) => clean({ Days: t.days, Date: t.date, StorageClass: t.storageClass })),
    });

const ipPermissions = (rules: Inputs[]) =>
    rules.map((p) =>
        clean({
            IpProtocol: p.protocol,
            FromPort: p.fromPort,
            ToPort: p.toPort,
            IpRanges: p.cidrBlocks?.map((c: string) => clean({ CidrIp: c, Description: p.description })),
            Ipv6Ranges: p.ipv6CidrBlocks?.map((c: string) => clean({ CidrIpv6: c, Description: p.description })),
            PrefixListIds: p.prefixListIds?.map((id: string) => clean({ PrefixListId: id, Description: p.description })),
            UserIdGroupPairs: p.securityGroups?.map((g: string) => clean({ GroupId: g, Description: p.description })),
        }),
    );

/** Every @pulumi/aws type the program creates, with the requests its create sends. */
export const API_REQUESTS: Record<string, Mapper> = {
    "aws:ssm/maintenanceWindow:MaintenanceWindow": (i, r) => [
        req("ssm", "CreateMaintenanceWindow", {
            Name: nameOf(i, r),
            Schedule: i.schedule,
            Duration: i.duration,
            Cutoff: i.cutoff,
            AllowUnassociatedTargets: i.allowUnassociatedTargets,
            Description: i.description,
            ScheduleTimezone: i.scheduleTimezone,
            ScheduleOffset: i.scheduleOffset,
            StartDate: i.startDate,
            EndDate: i.endDate,
            Tags: tagList(i.tags),
        }),
        // The provider creates a window enabled and disables it with an update.
        ...(i.enabled === false ? [req("ssm", "UpdateMaintenanceWindow", { WindowId: r.id, Enabled: false })] : []),
    ],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (i) => [
        req("ssm", "RegisterTargetWithMaintenanceWindow", {
            WindowId: i.windowId,
            ResourceType: i.resourceType,
            Targets: ssmTargets(i.targets),
            OwnerInformation: i.ownerInformation,
            Name: i.name,
            Description: i.description,
        }),
    ],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (i) => [
        req("ssm", "RegisterTaskWithMaintenanceWindow", {
            WindowId: i.windowId,
            Targets: ssmTargets(i.targets),
            TaskArn: i.taskArn,
            ServiceRoleArn: i.serviceRoleArn,
            TaskType: i.taskType,
            TaskInvocationParameters: taskInvocation(i.taskInvocationParameters),
            Priority: i.priority,
            MaxConcurrency: i.maxConcurrency,
            MaxErrors: i.maxErrors,
            Name: i.name,
            Description: i.description,
            CutoffBehavior: i.cutoffBehavior,
        }),
    ],
    "aws:ssm/patchBaseline:PatchBaseline": (i, r) => [
        req("ssm", "CreatePatchBaseline", {
            OperatingSystem: i.operatingSystem,
            Name: nameOf(i, r),
            Description: i.description,
            GlobalFilters: i.globalFilters?.length
                ? { PatchFilters: i.globalFilters.map((f: Inputs) => ({ Key: f.key, Values: f.values })) }
                : undefined,
            ApprovalRules: i.approvalRules?.length
                ? {
                      PatchRules: i.approvalRules.map((a: Inputs) =>
                          clean({
                              PatchFilterGroup: { PatchFilters: a.patchFilters.map((f: Inputs) => ({ Key: f.key, Values: f.values })) },
                              ComplianceLevel: a.complianceLevel,
                              ApproveAfterDays: a.approveAfterDays,
                              ApproveUntilDate: a.approveUntilDate,
                              EnableNonSecurity: a.enableNonSecurity,
                          }),
                      ),
                  }
                : undefined,
            ApprovedPatches: i.approvedPatches,
            ApprovedPatchesComplianceLevel: i.approvedPatchesComplianceLevel,
            ApprovedPatchesEnableNonSecurity: i.approvedPatchesEnableNonSecurity,
            RejectedPatches: i.rejectedPatches,
            RejectedPatchesAction: i.rejectedPatchesAction,
            Sources: i.sources?.map((s: Inputs) => ({ Name: s.name, Products: s.products, Configuration: s.configuration })),
            Tags: tagList(i.tags),
        }),
    ],
    "aws:ssm/patchGroup:PatchGroup": (i) => [
        req("ssm", "RegisterPatchBaselineForPatchGroup", { BaselineId: i.baselineId, PatchGroup: i.patchGroup }),
    ],
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": (i) => [req("ssm", "RegisterDefaultPatchBaseline", { BaselineId: i.baselineId })],
    "aws:ssm/activation:Activation": (i) => [
        req("ssm", "CreateActivation", {
            IamRole: i.iamRole,
            Description: i.description,
            DefaultInstanceName: i.name,
            RegistrationLimit: i.registrationLimit,
            ExpirationDate: i.expirationDate,
            Tags: tagList(i.tags),
        }),
    ],
    // The provider sends each parameter as a one-value list (parameters is a map of strings).
    "aws:ssm/association:Association": (i) => [
        req("ssm", "CreateAssociation", {
            Name: i.name,
            AssociationName: i.associationName,
            DocumentVersion: i.documentVersion,
            Parameters: i.parameters ? Object.fromEntries(Object.entries(i.parameters).map(([k, v]) => [k, [v]])) : undefined,
            ScheduleExpression: i.scheduleExpression,
            ScheduleOffset: i.scheduleOffset,
            Targets: ssmTargets(i.targets),
            OutputLocation: i.outputLocation
                ? {
                      S3Location: clean({
                          OutputS3BucketName: i.outputLocation.s3BucketName,
                          OutputS3KeyPrefix: i.outputLocation.s3KeyPrefix,
                          OutputS3Region: i.outputLocation.s3Region,
                      }),
                  }
                : undefined,
            MaxConcurrency: i.maxConcurrency,
            MaxErrors: i.maxErrors,
            ComplianceSeverity: i.complianceSeverity,
            ApplyOnlyAtCronInterval: i.applyOnlyAtCronInterval,
            SyncCompliance: i.syncCompliance,
            AutomationTargetParameterName: i.automationTargetParameterName,
            WaitForSuccessTimeoutSeconds: i.waitForSuccessTimeoutSeconds,
            Tags: tagList(i.tags),
        }),
    ],
    "aws:ssm/document:Document": (i, r) => [
        req("ssm", "CreateDocument", {
            Content: i.content,
            Name: nameOf(i, r),
            DocumentType: i.documentType,
            DocumentFormat: i.documentFormat,
            TargetType: i.targetType,
            VersionName: i.versionName,
            Tags: tagList(i.tags),
        }),
    ],
    "aws:ssm/resourceDataSync:ResourceDataSync": (i, r) => [
        req("ssm", "CreateResourceDataSync", {
            SyncName: nameOf(i, r),
            S3Destination: clean({
                BucketName: i.s3Destination.bucketName,
                Prefix: i.s3Destination.prefix,
                SyncFormat: i.s3Destination.syncFormat,
                Region: i.s3Destination.region,
                AWSKMSKeyARN: i.s3Destination.kmsKeyArn,
            }),
        }),
    ],
    // Glue (internal/service/glue/catalog_database.go, catalog_table.go) and Athena (internal/service/athena/workgroup.go, named_query.go).
    "aws:glue/catalogDatabase:CatalogDatabase": (i, r) => [
        req("glue", "CreateDatabase", {
            CatalogId: i.catalogId,
            DatabaseInput: clean({ Name: nameOf(i, r), Description: i.description, LocationUri: i.locationUri, Parameters: i.parameters }),
            Tags: i.tags && Object.keys(i.tags).length > 0 ? i.tags : undefined,
        }),
    ],
    "aws:glue/catalogTable:CatalogTable": (i, r) => [
        req("glue", "CreateTable", {
            CatalogId: i.catalogId,
            DatabaseName: i.databaseName,
            TableInput: clean({
                Name: nameOf(i, r),
                Description: i.description,
                TableType: i.tableType,
                Parameters: i.parameters,
                PartitionKeys: (i.partitionKeys as { name: string; type: string }[] | undefined)?.map((k) =>
                    clean({ Name: k.name, Type: k.type }),
                ),
                StorageDescriptor: i.storageDescriptor
                    ? clean({
                          Location: i.storageDescriptor.location,
                          InputFormat: i.storageDescriptor.inputFormat,
                          OutputFormat: i.storageDescriptor.outputFormat,
                          SerdeInfo: i.storageDescriptor.serDeInfo
                              ? clean({
                                    SerializationLibrary: i.storageDescriptor.serDeInfo.serializationLibrary,
                                    Parameters: i.storageDescriptor.serDeInfo.parameters,
                                })
                              : undefined,
                          Columns: (i.storageDescriptor.columns as { name: string; type: string; comment?: string }[] | undefined)?.map(
                              (c) => clean({ Name: c.name, Type: c.type, Comment: c.comment }),
                          ),
                      })
                    : undefined,
            }),
        }),
    ],
    "aws:athena/workgroup:Workgroup": (i, r) => {
        const c = i.configuration;
        const rc = c?.resultConfiguration;
        return [
            req("athena", "CreateWorkGroup", {
                Name: nameOf(i, r),
                Description: i.description,
                Configuration: c
                    ? clean({
                          BytesScannedCutoffPerQuery: c.bytesScannedCutoffPerQuery,
                          EnforceWorkGroupConfiguration: c.enforceWorkgroupConfiguration,
                          PublishCloudWatchMetricsEnabled: c.publishCloudwatchMetricsEnabled,
                          ResultConfiguration: rc
                              ? clean({
                                    OutputLocation: rc.outputLocation,
                                    EncryptionConfiguration: rc.encryptionConfiguration
                                        ? clean({
                                              EncryptionOption: rc.encryptionConfiguration.encryptionOption,
                                              KmsKey: rc.encryptionConfiguration.kmsKeyArn,
                                          })
                                        : undefined,
                                })
                              : undefined,
                      })
                    : undefined,
                Tags: tagList(i.tags),
            }),
        ];
    },
    "aws:athena/namedQuery:NamedQuery": (i) => [
        req("athena", "CreateNamedQuery", {
            Name: i.name,
            Description: i.description,
            Database: i.database,
            QueryString: i.query,
            WorkGroup: i.workgroup,
        }),
    ],
    "aws:iam/role:Role": (i, r) => [
        req("iam", "CreateRole", {
            RoleName: nameOf(i, r),
            AssumeRolePolicyDocument: i.assumeRolePolicy,
            Description: i.description,
            MaxSessionDuration: i.maxSessionDuration,
            Path: i.path,
            PermissionsBoundary: i.permissionsBoundary,
            Tags: tagList(i.tags),
        }),
        ...(i.inlinePolicies ?? []).map((p: Inputs) =>
            req("iam", "PutRolePolicy", { RoleName: nameOf(i, r), PolicyName: p.name, PolicyDocument: p.policy }),
        ),
        ...(i.managedPolicyArns ?? []).map((a: string) => req("iam", "AttachRolePolicy", { RoleName: nameOf(i, r), PolicyArn: a })),
    ],
    "aws:iam/rolePolicy:RolePolicy": (i, r) => [
        req("iam", "PutRolePolicy", { RoleName: i.role, PolicyName: nameOf(i, r), PolicyDocument: i.policy }),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i) => [
        req("iam", "AttachRolePolicy", { RoleName: i.role, PolicyArn: i.policyArn }),
    ],
    "aws:iam/instanceProfile:InstanceProfile": (i, r) => [
        req("iam", "CreateInstanceProfile", { InstanceProfileName: nameOf(i, r), Path: i.path, Tags: tagList(i.tags) }),
        ...(i.role ? [req("iam", "AddRoleToInstanceProfile", { InstanceProfileName: nameOf(i, r), RoleName: i.role })] : []),
    ],
    // forceDestroy is the provider's own (it empties the bucket before DeleteBucket).
    "aws:s3/bucket:Bucket": (i, r) => [
        req("s3", "CreateBucket", { Bucket: nameOf(i, r, "bucket") }),
        ...(i.tags ? [req("s3", "PutBucketTagging", { Bucket: nameOf(i, r, "bucket"), Tagging: { TagSet: tagList(i.tags) } })] : []),
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (i) => [
        req("s3", "PutBucketOwnershipControls", {
            Bucket: i.bucket,
            OwnershipControls: { Rules: [{ ObjectOwnership: i.rule.objectOwnership }] },
        }),
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (i) => [
        req("s3", "PutPublicAccessBlock", {
            Bucket: i.bucket,
            PublicAccessBlockConfiguration: clean({
                BlockPublicAcls: i.blockPublicAcls,
                IgnorePublicAcls: i.ignorePublicAcls,
                BlockPublicPolicy: i.blockPublicPolicy,
                RestrictPublicBuckets: i.restrictPublicBuckets,
            }),
        }),
    ],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (i) => [
        req("s3", "PutBucketEncryption", {
            Bucket: i.bucket,
            ServerSideEncryptionConfiguration: {
                Rules: i.rules.map((x: Inputs) =>
                    clean({
                        ApplyServerSideEncryptionByDefault: x.applyServerSideEncryptionByDefault
                            ? clean({
                                  SSEAlgorithm: x.applyServerSideEncryptionByDefault.sseAlgorithm,
                                  KMSMasterKeyID: x.applyServerSideEncryptionByDefault.kmsMasterKeyId,
                              })
                            : undefined,
                        BucketKeyEnabled: x.bucketKeyEnabled,
                    }),
                ),
            },
        }),
    ],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (i) => [
        req("s3", "PutBucketLifecycleConfiguration", { Bucket: i.bucket, LifecycleConfiguration: { Rules: i.rules.map(s3Rule) } }),
    ],
    "aws:s3/bucketVersioning:BucketVersioning": (i) => [
        req("s3", "PutBucketVersioning", {
            Bucket: i.bucket,
            ExpectedBucketOwner: i.expectedBucketOwner,
            VersioningConfiguration: clean({ Status: i.versioningConfiguration.status, MFADelete: i.versioningConfiguration.mfaDelete }),
        }),
    ],
    "aws:s3/bucketPolicy:BucketPolicy": (i) => [req("s3", "PutBucketPolicy", { Bucket: i.bucket, Policy: i.policy })],
    "aws:s3/bucketObjectv2:BucketObjectv2": (i) => [
        req("s3", "PutObject", {
            Bucket: i.bucket,
            Key: i.key,
            Body: i.content,
            ContentType: i.contentType,
            ServerSideEncryption: i.serverSideEncryption,
            SSEKMSKeyId: i.kmsKeyId,
            Tagging: i.tags
                ? Object.entries(i.tags as Record<string, string>)
                      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
                      .join("&")
                : undefined,
        }),
    ],
    // Rotation and the deletion window are their own calls (EnableKeyRotation; ScheduleKeyDeletion on destroy).
    "aws:kms/key:Key": (i, r) => [
        req("kms", "CreateKey", {
            Policy: i.policy,
            Description: i.description,
            KeyUsage: i.keyUsage,
            KeySpec: i.customerMasterKeySpec,
            MultiRegion: i.multiRegion,
            BypassPolicyLockoutSafetyCheck: i.bypassPolicyLockoutSafetyCheck,
            Tags: tagList(i.tags, "TagKey", "TagValue"),
        }),
        ...(i.enableKeyRotation ? [req("kms", "EnableKeyRotation", { KeyId: r.id, RotationPeriodInDays: i.rotationPeriodInDays })] : []),
        ...(i.deletionWindowInDays !== undefined
            ? [req("kms", "ScheduleKeyDeletion", { KeyId: r.id, PendingWindowInDays: i.deletionWindowInDays })]
            : []),
    ],
    "aws:cfg/rule:Rule": (i, r) => [
        req("config", "PutConfigRule", {
            ConfigRule: clean({
                ConfigRuleName: nameOf(i, r),
                Description: i.description,
                InputParameters: i.inputParameters,
                MaximumExecutionFrequency: i.maximumExecutionFrequency,
                Scope: i.scope
                    ? clean({
                          ComplianceResourceTypes: i.scope.complianceResourceTypes,
                          ComplianceResourceId: i.scope.complianceResourceId,
                          TagKey: i.scope.tagKey,
                          TagValue: i.scope.tagValue,
                      })
                    : undefined,
                Source: clean({ Owner: i.source.owner, SourceIdentifier: i.source.sourceIdentifier }),
            }),
            Tags: tagList(i.tags),
        }),
    ],
    "aws:cfg/recorder:Recorder": (i, r) => [
        req("config", "PutConfigurationRecorder", {
            ConfigurationRecorder: clean({
                name: nameOf(i, r),
                roleARN: i.roleArn,
                recordingGroup: i.recordingGroup
                    ? clean({
                          allSupported: i.recordingGroup.allSupported,
                          includeGlobalResourceTypes: i.recordingGroup.includeGlobalResourceTypes,
                          resourceTypes: i.recordingGroup.resourceTypes,
                          recordingStrategy: i.recordingGroup.recordingStrategy
                              ? { useOnly: i.recordingGroup.recordingStrategy.useOnly }
                              : undefined,
                      })
                    : undefined,
            }),
        }),
    ],
    "aws:cfg/deliveryChannel:DeliveryChannel": (i, r) => [
        req("config", "PutDeliveryChannel", {
            DeliveryChannel: clean({
                name: nameOf(i, r),
                s3BucketName: i.s3BucketName,
                s3KeyPrefix: i.s3KeyPrefix,
                s3KmsKeyArn: i.s3KmsKeyArn,
                snsTopicARN: i.snsTopicArn,
                configSnapshotDeliveryProperties: i.snapshotDeliveryProperties
                    ? { deliveryFrequency: i.snapshotDeliveryProperties.deliveryFrequency }
                    : undefined,
            }),
        }),
    ],
    "aws:cfg/recorderStatus:RecorderStatus": (i, r) =>
        i.isEnabled ? [req("config", "StartConfigurationRecorder", { ConfigurationRecorderName: nameOf(i, r) })] : [],
    "aws:ec2/securityGroup:SecurityGroup": (i, r) => [
        req("ec2", "CreateSecurityGroup", {
            Description: i.description,
            GroupName: nameOf(i, r),
            VpcId: i.vpcId,
            TagSpecifications: i.tags ? [{ ResourceType: "security-group", Tags: tagList(i.tags) }] : undefined,
        }),
        ...(i.ingress?.length
            ? [req("ec2", "AuthorizeSecurityGroupIngress", { GroupId: r.id, IpPermissions: ipPermissions(i.ingress) })]
            : []),
        ...(i.egress?.length
            ? [req("ec2", "AuthorizeSecurityGroupEgress", { GroupId: r.id, IpPermissions: ipPermissions(i.egress) })]
            : []),
    ],
    "aws:ec2/vpcEndpoint:VpcEndpoint": (i) => [
        req("ec2", "CreateVpcEndpoint", {
            VpcId: i.vpcId,
            ServiceName: i.serviceName,
            VpcEndpointType: i.vpcEndpointType,
            RouteTableIds: i.routeTableIds,
            SubnetIds: i.subnetIds,
            SecurityGroupIds: i.securityGroupIds,
            PrivateDnsEnabled: i.privateDnsEnabled,
            PolicyDocument: i.policy,
            TagSpecifications: i.tags ? [{ ResourceType: "vpc-endpoint", Tags: tagList(i.tags) }] : undefined,
        }),
    ],
    "aws:cloudwatch/eventRule:EventRule": (i, r) => [
        req("events", "PutRule", {
            Name: nameOf(i, r),
            EventPattern: i.eventPattern,
            ScheduleExpression: i.scheduleExpression,
            State: i.state,
            Description: i.description,
            RoleArn: i.roleArn,
            EventBusName: i.eventBusName,
            Tags: tagList(i.tags),
        }),
    ],
    "aws:cloudwatch/eventTarget:EventTarget": (i, r) => [
        req("events", "PutTargets", {
            Rule: i.rule,
            EventBusName: i.eventBusName,
            Targets: [
                clean({
                    Id: i.targetId ?? r.id ?? r.name,
                    Arn: i.arn,
                    RoleArn: i.roleArn,
                    Input: i.input,
                    InputPath: i.inputPath,
                    InputTransformer: i.inputTransformer
                        ? clean({ InputPathsMap: i.inputTransformer.inputPaths, InputTemplate: i.inputTransformer.inputTemplate })
                        : undefined,
                }),
            ],
        }),
    ],
    // Attributes is a map of strings; the provider sets the policy and the key as attributes.
    "aws:sns/topic:Topic": (i, r) => [
        req("sns", "CreateTopic", {
            Name: nameOf(i, r),
            Attributes: clean({ KmsMasterKeyId: i.kmsMasterKeyId, Policy: i.policy, DisplayName: i.displayName }),
            Tags: tagList(i.tags),
        }),
    ],
    "aws:sns/topicPolicy:TopicPolicy": (i) => [
        req("sns", "SetTopicAttributes", { TopicArn: i.arn, AttributeName: "Policy", AttributeValue: i.policy }),
    ],
    "aws:sns/topicSubscription:TopicSubscription": (i) => [
        req("sns", "Subscribe", { TopicArn: i.topic, Protocol: i.protocol, Endpoint: i.endpoint }),
    ],
    "aws:cloudformation/stackSet:StackSet": (i, r) => [
        req("cloudformation", "CreateStackSet", {
            StackSetName: nameOf(i, r),
            Description: i.description,
            TemplateBody: i.templateBody,
            TemplateURL: i.templateUrl,
            Parameters: i.parameters ? Object.entries(i.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })) : undefined,
            Capabilities: i.capabilities,
            PermissionModel: i.permissionModel,
            AutoDeployment: i.autoDeployment
                ? clean({ Enabled: i.autoDeployment.enabled, RetainStacksOnAccountRemoval: i.autoDeployment.retainStacksOnAccountRemoval })
                : undefined,
            CallAs: i.callAs,
            ManagedExecution: i.managedExecution ? { Active: i.managedExecution.active } : undefined,
            Tags: tagList(i.tags),
        }),
    ],
    "aws:cloudformation/stackSetInstance:StackSetInstance": (i) => [
        req("cloudformation", "CreateStackInstances", {
            StackSetName: i.stackSetName,
            Regions: [i.stackSetInstanceRegion ?? i.region ?? "us-east-1"],
            DeploymentTargets: i.deploymentTargets
                ? clean({ OrganizationalUnitIds: i.deploymentTargets.organizationalUnitIds, Accounts: i.deploymentTargets.accounts })
                : undefined,
            Accounts: i.accountId ? [i.accountId] : undefined,
            CallAs: i.callAs,
            OperationPreferences: i.operationPreferences
                ? clean({
                      RegionConcurrencyType: i.operationPreferences.regionConcurrencyType,
                      MaxConcurrentCount: i.operationPreferences.maxConcurrentCount,
                      MaxConcurrentPercentage: i.operationPreferences.maxConcurrentPercentage,
                      FailureToleranceCount: i.operationPreferences.failureToleranceCount,
                      FailureTolerancePercentage: i.operationPreferences.failureTolerancePercentage,
                      ConcurrencyMode: i.operationPreferences.concurrencyMode,
                  })
                : undefined,
        }),
    ],
};

/** Types that make no AWS API call of their own: the provider resource and a clock. */
export const NOT_AWS_CALLS = new Set(["pulumi:providers:aws", "time:index/rotating:Rotating"]);

/** The requests a registered resource's create sends, from the provider's checked inputs (auto-names filled in). */
export function requestsOf(r: PlannedResource): ApiRequest[] {
    const mapper = API_REQUESTS[r.type];
    if (!mapper) throw new Error(`${r.type} (${r.name}): tests/facts/apiRequests.ts does not map this type to its API calls`);
    const inputs = { ...(r.checkedInputs ?? r.inputs) };
    delete inputs.__defaults;
    return mapper(inputs, r);
}
