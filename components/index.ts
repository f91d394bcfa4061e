// The component package's entry: everything another program needs to create a PatchManager,
// without running this repository's program (index.ts).
export { patchManagerConfig, PatchManager } from "./patchManager";
export type {
    AlertsArgs,
    ApprovalRuleArgs,
    BaselineArgs,
    ComplianceArgs,
    DeniedApplicationsArgs,
    HookDocumentsArgs,
    HybridArgs,
    LogBucketReference,
    LoggingArgs,
    MaintenanceWindowInfo,
    PatchFilterArgs,
    PatchGroupArgs,
    PatchManagerArgs,
    PatchManagerOptions,
    PatchManagerOutputs,
    PrivateEndpointArgs,
    RateControlArgs,
    SafeStopsArgs,
    ScheduleArgs,
} from "./patchManager";
