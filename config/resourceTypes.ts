// The type token of every component resource the program registers. A token is part of each
// resource's URN and of its children's: changing one replaces the component and everything below
// it unless the old token is kept as an alias.

/** `patch-manager:<module>:<Type>` of each component, by component class. */
export const RESOURCE_TYPES = {
    AlarmStop: "patch-manager:alerts:AlarmStop",
    ChangeFreeze: "patch-manager:operations:ChangeFreeze",
    Alerts: "patch-manager:alerts:Alerts",
    ComplianceReporting: "patch-manager:compliance:ComplianceReporting",
    ComplianceReports: "patch-manager:compliance:ComplianceReports",
    ConfigRecording: "patch-manager:compliance:ConfigRecording",
    DeniedApplications: "patch-manager:compliance:DeniedApplications",
    HybridActivation: "patch-manager:hybrid:HybridActivation",
    HybridFleet: "patch-manager:hybrid:HybridFleet",
    HybridNodeRole: "patch-manager:hybrid:HybridNodeRole",
    MaintenanceWindowRole: "patch-manager:iam:MaintenanceWindowRole",
    PatchedInstanceRole: "patch-manager:iam:PatchedInstanceRole",
    LogBucket: "patch-manager:logging:LogBucket",
    PrivateEndpoints: "patch-manager:network:PrivateEndpoints",
    MaintenanceWindow: "patch-manager:patching:MaintenanceWindow",
    Operations: "patch-manager:operations:Operations",
    PatchBaseline: "patch-manager:patching:PatchBaseline",
    PatchGroup: "patch-manager:patching:PatchGroup",
    PatchingStrategies: "patch-manager:patching:PatchingStrategies",
    PatchManager: "patch-manager:index:PatchManager",
} as const;

/**
 * Tokens that earlier versions registered and that deployed stacks still hold in their state:
 * the components that replaced them carry them as aliases, so an upgrade renames, never replaces.
 */
export const FORMER_RESOURCE_TYPES = {
    /** The window component's token in stacks deployed before it was MaintenanceWindow. */
    MaintenanceSchedule: "patch-manager:patching:MaintenanceSchedule",
    /** One region's group of resources in a multi-region stack (now a PatchManager per region). */
    RegionDeployment: "patch-manager:region:RegionDeployment",
} as const;

export type ResourceType = (typeof RESOURCE_TYPES)[keyof typeof RESOURCE_TYPES];
