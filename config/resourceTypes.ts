// The type token of every component resource the program registers. A token is part of each
// resource's URN and of its children's: changing one replaces the component and everything below
// it unless the old token is kept as an alias.

/** `patch-manager:<module>:<Type>` of each component, by component class. */
export const RESOURCE_TYPES = {
    AlarmStop: "patch-manager:alerts:AlarmStop",
    Alerts: "patch-manager:alerts:Alerts",
    ComplianceReporting: "patch-manager:compliance:ComplianceReporting",
    DeniedApplications: "patch-manager:compliance:DeniedApplications",
    HybridActivation: "patch-manager:hybrid:HybridActivation",
    HybridNodeRole: "patch-manager:hybrid:HybridNodeRole",
    MaintenanceWindowRole: "patch-manager:iam:MaintenanceWindowRole",
    PatchedInstanceRole: "patch-manager:iam:PatchedInstanceRole",
    LogBucket: "patch-manager:logging:LogBucket",
    PrivateEndpoints: "patch-manager:network:PrivateEndpoints",
    MaintenanceSchedule: "patch-manager:patching:MaintenanceSchedule",
    PatchBaseline: "patch-manager:patching:PatchBaseline",
    PatchGroup: "patch-manager:patching:PatchGroup",
    RegionDeployment: "patch-manager:region:RegionDeployment",
} as const;

export type ResourceType = (typeof RESOURCE_TYPES)[keyof typeof RESOURCE_TYPES];
