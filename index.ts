import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PROJECT } from "./config";
import { deployStack } from "./components/regions";

/**
 * The program: this stack's `patch-manager:` config, validated once, then
 * every resource. The module *is* this function (`export =`): Pulumi's Node.js
 * runtime calls a CommonJS module's export when it is a function and uses the
 * result as the stack outputs — it does not look inside a `default` export of
 * a CommonJS module. A function also lets tests and the offline plan evaluate
 * several stacks in one process.
 */
function main() {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return deployStack(parseConfig(raw, pulumi.getStack()));
}

export = main;
