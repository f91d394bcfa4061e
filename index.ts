import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PROJECT } from "./components/config";
import { deployStack } from "./components/regions";

/**
 * The program: this stack's `patch-manager:` config, validated once, then
 * every resource. Exported as a function (Pulumi calls it and uses its result
 * as the stack outputs) so that tests and the offline plan can evaluate
 * several stacks in one process.
 */
export default function main() {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return deployStack(parseConfig(raw, pulumi.getStack()));
}
