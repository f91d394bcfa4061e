import * as pulumi from "@pulumi/pulumi";
import { ORG_PROJECT, parseOrgConfig } from "./config";
import { deployControlPlane } from "./controlPlane";

/**
 * The control plane: this stack's `patch-manager-org:` config, validated once, then every
 * resource. A function export, as the patch-manager program does, so that the offline plan and
 * the tests can evaluate several stacks in one process.
 */
function main() {
    const prefix = `${ORG_PROJECT}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return deployControlPlane(parseOrgConfig(raw, `Pulumi.${pulumi.getStack()}.yaml`));
}

export = main;
