import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../config/resourceTypes";

export interface PatchGroupArgs {
    /** The Patch Group tag value that instances carry. */
    readonly patchGroup: string;
    /** The baseline instances of this group are patched against. */
    readonly baselineId: pulumi.Input<string>;
}

/**
 * One patch group: the tag value registered with its baseline. Its window
 * target and task live in the schedule that patches it (its own, or the
 * environment's).
 */
export class PatchGroup extends pulumi.ComponentResource {
    readonly patchGroup: string;
    readonly baselineId: pulumi.Output<string>;

    constructor(name: string, args: PatchGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESOURCE_TYPES.PatchGroup, name, {}, opts);
        const registration = new aws.ssm.PatchGroup(
            `${name}-registration`,
            { patchGroup: args.patchGroup, baselineId: args.baselineId },
            // Both inputs force replacement, and SSM holds one baseline per OS for a patch group:
            // create-before-delete would fail with the old registration still in place.
            { parent: this, deleteBeforeReplace: true },
        );
        this.patchGroup = args.patchGroup;
        this.baselineId = registration.baselineId;
        this.registerOutputs({ patchGroup: this.patchGroup, baselineId: this.baselineId });
    }
}
