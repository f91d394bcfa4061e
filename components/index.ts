// The component package's entry: everything another program needs to create a PatchManager,
// without running this repository's program (index.ts).
export { patchManagerConfig, PatchManager } from "./patchManager";
export type {
    AlertsSettings,
    ApprovalRuleSettings,
    BaselineSettings,
    ComplianceSettings,
    DeniedApplicationsSettings,
    HookDocumentsSettings,
    HybridSettings,
    LogBucketReference,
    LoggingSettings,
    MaintenanceWindowInfo,
    PatchFilterSettings,
    PatchGroupSettings,
    PatchManagerArgs,
    PatchManagerOptions,
    PatchManagerOutputs,
    PrivateEndpointSettings,
    RateControlSettings,
    SafeStopsSettings,
    ScheduleSettings,
} from "./patchManager";
