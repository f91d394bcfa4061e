// Pure code (no Pulumi, no I/O) that both the program and the policy pack need.
export * from "./aws";
export * from "./rules";
export * from "./schedule";
export * from "./types";
export * from "./documents";
export { ZONE_MEMO_VERSION, forgetZones, rememberZones, zonesToRemember } from "./zone";
export type { ZoneMemo } from "./zone";
