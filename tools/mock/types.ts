// What an evaluation under the mock runtime records of each resource: the plan's `resources`.
import type { AliasSpec } from "./aliases";

/** One registered resource, as the plan's `resources` list shows it. */
export interface PlannedResource {
    /** The resource's URN, as Pulumi names it in the state. */
    urn: string;
    /** The type token, e.g. `aws:ssm/maintenanceWindow:MaintenanceWindow` or `patch-manager:index:PatchManager`. */
    type: string;
    /** The logical name the program gave it, e.g. `production-window`. */
    name: string;
    /** true for a cloud resource, false for a component (which only groups its children). */
    custom: boolean;
    /** The resource's id, deterministic and shaped like AWS's (`mw-` + 17 hex for a window); null for a component. */
    id: string | null;
    /** The parent's URN; null at the top (a stack's top component). */
    parent: string | null;
    /** The inputs exactly as the program passed them (references resolved to ids/ARNs). */
    inputs: Record<string, unknown>;
    /**
     * The inputs after the provider's Check, as the engine hands them to the policy pack and keeps
     * them in the state: auto-generated names and schema defaults filled in, listed in `__defaults`
     * (tools/audit/providerCheck.ts). Absent for components and types the table does not know.
     */
    checkedInputs?: Record<string, unknown>;
    /** Read with `.get` rather than created: the engine does not analyse it (a stack export's `external`). */
    external?: boolean;
    /** The mock provider's outputs: inputs plus computed ids, ARNs and names. */
    outputs: Record<string, unknown>;
    /** The resource option: `pulumi destroy` leaves it in the account (also in `options`). */
    retainOnDelete?: boolean;
    /** The resource option: Pulumi refuses to delete it (also in `options`). */
    protect?: boolean;
    /** The resource option: a replacement deletes the old resource before creating the new one (also in `options`). */
    deleteBeforeReplace?: boolean;
    /** Outputs the engine stores encrypted (only when the program names some). */
    additionalSecretOutputs?: string[];
    /** An explicit provider ("<urn>::<id>", as a stack export holds it); absent for the default provider. */
    provider?: string;
    /** The region the resource's provider deploys to. */
    region: string;
    /** The resource options the program set, as the engine receives them (absent ones left out). */
    options: ResourceOptions;
    /** The aliases exactly as the SDK sent them; `options.aliases` holds them resolved to URNs. */
    aliasSpecs?: AliasSpec[];
}

export interface ResourceOptions {
    /** A replacement deletes the old resource before creating the new one. */
    deleteBeforeReplace?: boolean;
    /** `pulumi destroy` leaves the resource in the account. */
    retainOnDelete?: boolean;
    /** Pulumi refuses to delete the resource. */
    protect?: boolean;
    /** Inputs whose changes Pulumi ignores. */
    ignoreChanges?: string[];
    /** Inputs whose changes replace the resource even where the provider would update it. */
    replaceOnChanges?: string[];
    /** Outputs the engine stores encrypted. */
    additionalSecretOutputs?: string[];
    /** URNs of the resources this one depends on: `dependsOn` and those its inputs refer to. */
    dependsOn?: string[];
    /** Every URN the engine may find this resource under in an old state (see tools/mock/aliases.ts). */
    aliases?: string[];
}
