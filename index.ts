import * as aws from "@pulumi/aws";
import * as awsConfig from "@pulumi/aws/config";
import * as pulumi from "@pulumi/pulumi";
import { FORMER_RESOURCE_TYPES, parseStackConfig, PatchManagerConfig, PROJECT } from "./config";
import { AWS_CONFIG_KEYS } from "./config/namespaces";
import { deploymentModel } from "./config/regional";
import { LogBucketReference, PatchManager, PatchManagerOutputs } from "./components/patchManager";
import { isSecretConfig } from "./components/sdkInternals";

/** The stack outputs: one region's, or each listed region's under `regions`. */
type StackOutputs = PatchManagerOutputs | (Partial<PatchManagerOutputs> & { readonly regions: Record<string, PatchManagerOutputs> });

/** Who evaluates the program besides Pulumi (the offline plan): told the stack's model once it is parsed. */
interface ProgramObserver {
    readonly model?: (model: PatchManagerConfig) => void;
    /** The instant to plan for (the offline plan's --from); default: the deployment's clock. */
    readonly now?: Date;
}

/** Provider settings that are credentials: kept secret in the provider's inputs and the state. */
const SECRET_PROVIDER_KEYS = new Set(["accessKey", "secretKey", "token"]);

/**
 * The stack's `aws:` settings other than the region, typed as the aws package's config module
 * reads them. Only the default provider reads stack config: an explicit provider gets just its
 * arguments, so without these a region of `regions` would ignore `aws:profile`, `aws:assumeRoles`
 * or `aws:allowedAccountIds` and deploy with whatever credentials the environment holds.
 */
function stackProviderSettings(all: Readonly<Record<string, string>>): aws.ProviderArgs {
    const settings: Record<string, unknown> = {};
    for (const key of AWS_CONFIG_KEYS) {
        if (key === "region" || all[`aws:${key}`] === undefined) continue;
        const value: unknown = Reflect.get(awsConfig, key);
        settings[key] = SECRET_PROVIDER_KEYS.has(key) || isSecretConfig(`aws:${key}`) ? pulumi.secret(value) : value;
    }
    return settings as aws.ProviderArgs;
}

/**
 * The program: this stack's `patch-manager:` config, parsed once into the model, then one
 * PatchManager per region from that model. The module *is* this function (`export =`): Pulumi's Node.js runtime calls a CommonJS
 * module's export when it is a function and uses the result as the stack outputs — it does not
 * look inside a `default` export of a CommonJS module. A function also lets tests and the
 * offline plan evaluate several stacks in one process.
 */
function main(observer?: ProgramObserver): StackOutputs {
    const all = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    // The one parse of an evaluation: every deployment below takes this model, as it is or placed
    // in its region. The project's own namespace, whatever `pulumi new` named the project; the other
    // namespaces (aws:region above all) are checked too, and the provider may take its region from the environment.
    const now = observer?.now ?? new Date();
    const config = parseStackConfig(all, stack, undefined, pulumi.getProject(), { env: process.env }, now);
    observer?.model?.(config);
    const regions = config.operations.regions;
    if (!regions) {
        // Stacks of this program kept their resources at the root before the component existed.
        // The default provider's region: aws:region, else the environment's (as the provider reads it).
        const region = awsConfig.region;
        const model = deploymentModel(config, {
            ...(region !== undefined ? { topicRegion: region } : {}),
            ...(region !== undefined && !config.logging.bucketName ? { bucketRegion: region } : {}),
        });
        return PatchManager.fromModel(PROJECT, model, {}, { adoptStackRoot: true, now }).stackOutputs();
    }
    // Each region through its own provider, which everything in its PatchManager inherits. IAM
    // roles are global, so each region gets its own set, named by region. With
    // `centralLogBucket`, only the first region creates a log bucket and every region writes to it.
    // With `keepSingleRegionNames`, the stack's own region stays what a single-region stack has:
    // the same URNs and the default provider (a resource whose provider changes is replaced).
    const outputs: Record<string, PatchManagerOutputs> = {};
    const providerSettings = stackProviderSettings(all);
    let central: LogBucketReference | undefined;
    let home: PatchManagerOutputs | undefined;
    for (const region of regions) {
        // Where the log bucket is: the first region's with centralLogBucket; an existing bucket's region is not known.
        const bucketRegion = config.logging.bucketName ? undefined : config.operations.centralLogBucket ? regions[0] : region;
        const model = deploymentModel(config, { endpointsRegion: region, topicRegion: region, ...(bucketRegion ? { bucketRegion } : {}) });
        const extras = central ? { centralLogBucket: central } : {};
        const kept = config.operations.keepSingleRegionNames && region === all["aws:region"];
        const manager = kept
            ? PatchManager.fromModel(PROJECT, model, extras, { adoptStackRoot: true, now })
            : PatchManager.fromModel(
                  region,
                  model,
                  extras,
                  // The same tree under its former type, so existing multi-region stacks keep every resource.
                  {
                      providers: { aws: new aws.Provider(region, { ...providerSettings, region: region as aws.Region }) },
                      aliases: [{ type: FORMER_RESOURCE_TYPES.RegionDeployment }],
                      now,
                  },
              );
        outputs[region] = manager.stackOutputs();
        if (kept) home = outputs[region];
        if (config.operations.centralLogBucket && !central) central = { name: outputs[region].logBucketName, region };
    }
    // The kept region's outputs also stay where a single-region stack had them (scripts read
    // `pulumi stack output hybridActivations`).
    return { ...(home ?? {}), regions: outputs };
}

export = main;
