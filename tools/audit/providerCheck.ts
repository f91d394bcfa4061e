// The provider's Check, as far as the policy pack can see it. In a real `pulumi preview` the engine
// hands resource policies the inputs the provider's Check returned, not the program's: the bridged
// AWS provider fills in auto-generated names and schema defaults there, and lists what it filled
// in `__defaults` (tools/audit/checkedInputs.json says where each fact comes from). The offline plan
// and the conformance test give the pack these checked inputs, so that a rule behaves offline as
// it does in a preview.

import { createHash } from "crypto";
import table from "./checkedInputs.json";

interface AutoName {
    input: string;
    maxLength: number;
    separator: string;
    randomLength: number;
    lowercase: boolean;
}

interface CheckFacts {
    autoName: AutoName | null;
    defaults: Record<string, unknown>;
}

const FACTS = table.resources as Record<string, CheckFacts>;
/** Types the bridge serves through the Plugin Framework: auto-names only, no schema defaults, no `__defaults`. */
const PLUGIN_FRAMEWORK: ReadonlySet<string> = new Set((table as { pluginFramework?: string[] }).pluginFramework ?? []);

/** The key the Terraform bridge lists the inputs it filled in under. */
export const DEFAULTS_KEY = "__defaults";

/** Whether the offline engine knows what Check does for this type (a bridged AWS resource). */
export function knowsCheck(type: string): boolean {
    return type in FACTS;
}

/** Inputs that ConflictsWith an auto-named input: setting one stops the provider from generating the name. */
const CONFLICTS_WITH_NAME: Record<string, string> = { name: "namePrefix", bucket: "bucketPrefix" };

function isSet(v: unknown): boolean {
    return v !== undefined && v !== null && v !== "";
}

/** Check refuses the resource: what a real preview would print instead of running the pack. */
export class CheckFailure extends Error {}

/**
 * A generated name: `<logical name><separator><random hex>`. The hex is derived from the URN so
 * that a plan is the same on every run (the mock's outputs use the same). Like the bridge
 * (resource.NewUniqueName), a name that cannot fit maxLength is an error, not truncated.
 */
export function generatedName(auto: AutoName, logicalName: string, urn: string): string {
    const base = auto.lowercase ? logicalName.toLowerCase() : logicalName;
    if (auto.randomLength === 0) return base;
    const prefix = `${base}${auto.separator}`;
    if (auto.maxLength > 0 && prefix.length + auto.randomLength > auto.maxLength) {
        throw new CheckFailure(
            `${urn}: name '${prefix}' plus ${auto.randomLength} random chars is longer than maximum length ${auto.maxLength} ` +
                `(the provider's Check refuses it): give the resource a shorter logical name or a name of its own`,
        );
    }
    const random = createHash("sha256").update(`${urn}#0`).digest("hex").slice(0, auto.randomLength);
    return `${prefix}${random}`;
}

/**
 * The inputs as the provider's Check returns them: the program's, plus the auto-name and the
 * schema defaults it leaves unset, with `__defaults` naming what was filled in (as the state and
 * the analyzer see them). Types the table does not know (components, providers, other packages)
 * come back as they are.
 */
export function checkedInputs(type: string, logicalName: string, urn: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const facts = FACTS[type];
    if (!facts) return inputs;
    const framework = PLUGIN_FRAMEWORK.has(type);
    // Nested blocks get their own defaults and `__defaults` in the bridge, maps do not; the table holds
    // top-level facts only, so nested objects stay as the program wrote them (a known gap, docs/offline-tools.md).
    const out: Record<string, unknown> = { ...inputs };
    const filled: string[] = [];
    const auto = facts.autoName;
    if (auto && !isSet(inputs[auto.input]) && !isSet(inputs[CONFLICTS_WITH_NAME[auto.input] ?? ""])) {
        out[auto.input] = generatedName(auto, logicalName, urn);
        filled.push(auto.input);
    }
    if (framework) return out;
    for (const [key, value] of Object.entries(facts.defaults)) {
        if (!isSet(inputs[key])) {
            out[key] = value;
            filled.push(key);
        }
    }
    out[DEFAULTS_KEY] = filled.sort();
    return out;
}
