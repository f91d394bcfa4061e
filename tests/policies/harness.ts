// Calls rules the way @pulumi/policy's analyzer does (server.ts): resource rules get the inputs
// behind the unknown-checking proxy and a notApplicable that throws; stack rules get PolicyResources
// with outputs, parents and property dependencies. Independent of the offline engine
// (tools/audit/engine.ts) on purpose, so an engine bug cannot hide a rule bug.

import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { PROJECT } from "../../config";

const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };

export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function urnOf(type: string, name: string, stack = "prod"): string {
    return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

class NotApplicable extends Error {}

export interface CallOptions {
    name?: string;
    urn?: string;
    stack?: string;
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
    /** The resource option, as the engine passes it in `args.opts`. */
    additionalSecretOutputs?: string[];
    /** The resource option, as the engine passes it in `args.opts`. */
    deleteBeforeReplace?: boolean;
}

export interface ResourceResult {
    messages: string[];
    notApplicable: boolean;
}

function tagsMap(tags: Record<string, string> = {}): ReadonlyMap<string, string> {
    return new Map(Object.entries(tags));
}

/** Runs a resource policy on one resource; `notApplicable` tells whether it declined the type. */
export async function runResourcePolicy(
    policy: ResourceValidationPolicy,
    type: string,
    inputs: Record<string, unknown>,
    opts: CallOptions = {},
): Promise<ResourceResult> {
    const name = opts.name ?? "res";
    const urn = opts.urn ?? urnOf(type, name, opts.stack);
    const messages: string[] = [];
    let notApplicable = false;
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const validate of validations) {
        // server.ts's fast path, as the real engine takes it.
        const pulumiType = (validate as { __pulumiType?: string }).__pulumiType;
        if (pulumiType !== undefined && pulumiType !== type) {
            notApplicable = true;
            continue;
        }
        const props = unknownCheckingProxy(JSON.parse(JSON.stringify(inputs)));
        const args: ResourceValidationArgs = {
            type,
            props,
            urn,
            name,
            opts: {
                protect: false,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: opts.additionalSecretOutputs ?? [],
                ...(opts.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: opts.deleteBeforeReplace } : {}),
            },
            stackTags: tagsMap(opts.stackTags),
            isType: (cls: any) => cls?.__pulumiType === type,
            asType: ((cls: any) => (cls?.__pulumiType === type ? props : undefined)) as any,
            getConfig: <T extends object>() => (opts.config ?? {}) as T,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        };
        try {
            await validate(args, (message) => messages.push(message));
        } catch (e) {
            if (e instanceof NotApplicable) {
                notApplicable = true;
            } else {
                throw e;
            }
        }
    }
    return { messages, notApplicable };
}

export interface StackEntry {
    type: string;
    name: string;
    /** Outputs, as stack policies see them. */
    props: Record<string, unknown>;
    urn?: string;
    parent?: string;
    /** Property name → names (not URNs) of the resources it depends on. */
    dependsOn?: Record<string, string[]>;
    /** The resource option, as the engine passes it in the resource's `opts`. */
    deleteBeforeReplace?: boolean;
    /** Its provider's props (e.g. `defaultTags`), as the engine passes the provider with the resource. */
    providerProps?: Record<string, unknown>;
}

export interface StackViolation {
    message: string;
    urn?: string;
}

export async function runStackPolicy(
    policy: StackValidationPolicy,
    entries: StackEntry[],
    opts: CallOptions = {},
): Promise<StackViolation[]> {
    const urnFor = (e: StackEntry) => e.urn ?? urnOf(e.type, e.name, opts.stack);
    const resources: PolicyResource[] = entries.map((e) => {
        const props = unknownCheckingProxy(JSON.parse(JSON.stringify(e.props)));
        return {
            type: e.type,
            props,
            urn: urnFor(e),
            name: e.name,
            opts: {
                protect: false,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                ...(e.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: e.deleteBeforeReplace } : {}),
            },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: any) => cls?.__pulumiType === e.type,
            asType: ((cls: any) => (cls?.__pulumiType === e.type ? props : undefined)) as any,
            ...(e.providerProps
                ? {
                      provider: {
                          type: "pulumi:providers:aws",
                          urn: "urn:pulumi:prod::p::pulumi:providers:aws::default",
                          name: "default",
                          props: e.providerProps,
                      },
                  }
                : {}),
        };
    });
    entries.forEach((e, i) => {
        for (const [prop, names] of Object.entries(e.dependsOn ?? {})) {
            resources[i].propertyDependencies[prop] = names.map((n) => {
                const j = entries.findIndex((x) => x.name === n);
                if (j < 0) throw new Error(`no entry ${n}`);
                return resources[j];
            });
            resources[i].dependencies.push(...resources[i].propertyDependencies[prop]);
        }
    });
    const out: StackViolation[] = [];
    const args: StackValidationArgs = {
        resources,
        stackTags: tagsMap(opts.stackTags),
        getConfig: <T extends object>() => (opts.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, (message, urn) => out.push({ message, urn }));
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
    return out;
}
