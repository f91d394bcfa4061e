// The stack config: schemas of the `patch-manager:` keys, the typed model they produce, the
// defaults of the keys a stack leaves out and the rules across keys. Components read the model and nothing else.
export { parseConfig } from "./parse";
export { parseStackConfig } from "./namespaces";
export { ConfigError, type ConfigProblem } from "./errors";
export { PROJECT } from "./project";
export { FORMER_RESOURCE_TYPES, RESOURCE_TYPES, type ResourceType } from "./resourceTypes";
export { UNDECRYPTED_SECRET } from "./decode";
export type { PatchManagerConfig, OperationsConfig } from "./model";
export type { Environment, Operation, WindowKind, CutoffBehavior } from "./environment";
export type { WindowTiming, WindowStarts } from "./window";
export type { BaselineConfig, ApprovalRule } from "./baselines";
export type { PatchGroupConfig, RateControlConfig, HybridConfig } from "./patchGroups";
export type { LoggingConfig } from "./logging";
export type { AlertsConfig, NotificationEvent } from "./alerts";
export type { ComplianceConfig, DeniedApplicationsConfig } from "./compliance";
export type { SafeStopsConfig, HookDocuments } from "./safeStops";
export type { PrivateEndpointsConfig } from "./network";
export type { StrategyConfig, PatchSource, InstallRunbook } from "./strategies";
