// Patch now: the runbook a team starts the day a critical CVE drops (components/patchNow.ts). A
// stack has it unless it says `patchNow: false`: the document and its role cost nothing until
// someone starts it, and the day it is needed is no day to deploy a new resource through the
// release gate to every stack in the rollout order (development first, production last).
import { booleanFlag } from "./fields";

export const DEFAULT_PATCH_NOW = true;

export const patchNowSchema = booleanFlag();

/** Where an operator puts a zero-day patch list: under the fleet inputs, which nodes read and never write. */
export const PATCH_NOW_LIST_PREFIX = "patch-now";
