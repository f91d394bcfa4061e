// The component package's entry: everything another program needs to create a PatchManager,
// without running this repository's program (index.ts).
export { patchManagerConfig, PatchManager } from "./patchManager";
export type { LogBucketReference, MaintenanceWindowInfo, PatchManagerArgs, PatchManagerOptions, PatchManagerOutputs } from "./patchManager";
// The settings' interfaces (PatchGroupSettings, ScheduleSettings, ...), generated from the config's
// schemas: the interface of a map the config gains is public with it.
export type * from "./args.generated";
