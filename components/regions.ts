import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PatchManagerConfig } from "../config";
import { deployPatchManager, PatchManagerOutputs } from "./patchManager";
import { RegionScope } from "./operations";

/** The stack outputs: one region's, or each listed region's under `regions`. */
export type StackOutputs = PatchManagerOutputs | { readonly regions: Record<string, PatchManagerOutputs> };

/** Groups one region's resources, which inherit its provider through `parent`. */
export class RegionDeployment extends pulumi.ComponentResource {
    constructor(region: string, opts: pulumi.ComponentResourceOptions) {
        super("patch-manager:region:RegionDeployment", region, { region }, opts);
        this.registerOutputs({ region });
    }
}

/**
 * The whole stack. Without `regions` this is exactly deployPatchManager(config): same names, no
 * explicit provider, no extra parent, so existing stacks see no replacement. With `regions`, the
 * same setup goes into each region through its own aws.Provider, named and parented per region;
 * IAM roles are global, so each region gets its own set, named by region. With
 * `centralLogBucket`, only the first region creates a log bucket and every region writes to it.
 */
export function deployStack(config: PatchManagerConfig): StackOutputs {
    const regions = config.operations.regions;
    if (!regions) return deployPatchManager(config);
    const outputs: Record<string, PatchManagerOutputs> = {};
    let central: RegionScope["logBucket"];
    for (const region of regions) {
        const provider = new aws.Provider(region, { region: region as aws.Region });
        const component = new RegionDeployment(region, { providers: { aws: provider } });
        const scope: RegionScope = {
            region,
            prefix: `${region}-`,
            opts: { parent: component },
            provider,
            ...(central ? { logBucket: central } : {}),
        };
        outputs[region] = deployPatchManager(config, scope);
        if (config.operations.centralLogBucket && !central) central = { name: outputs[region].logBucketName, region };
    }
    return { regions: outputs };
}
