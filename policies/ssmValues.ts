// Reading SSM values out of resource props, shared by the rules and the patching scope: which
// document a task runs, its Run Command parameters and an association's parameters.

import { DEPRECATED_PATCH_DOCUMENT, PATCH_DOCUMENTS } from "@patch-manager/ssm";
import { UNKNOWN, Unknown, asArray, isUnknown } from "./util";

/** The document a task runs: a name, or the name at the end of a document ARN. */
export function documentName(taskArn: unknown): string | Unknown | undefined {
    if (isUnknown(taskArn)) {
        return UNKNOWN;
    }
    if (typeof taskArn !== "string") {
        return undefined;
    }
    const i = taskArn.indexOf(":document/");
    return i >= 0 ? taskArn.slice(i + ":document/".length) : taskArn;
}

/** A task that runs one of the patch documents, old or new. */
export function isPatchingTask(task: any): boolean {
    const doc = documentName(task?.taskArn);
    return typeof doc === "string" && ([...PATCH_DOCUMENTS, DEPRECATED_PATCH_DOCUMENT] as string[]).includes(doc);
}

export function runCommandParameters(task: any): any {
    const tip = task?.taskInvocationParameters;
    if (isUnknown(tip)) {
        return UNKNOWN;
    }
    const rc = tip?.runCommandParameters;
    // Older schemas (and some state files) hold nested blocks as one-element lists.
    return Array.isArray(rc) ? rc[0] : rc;
}

/**
 * The values of a Run Command parameter: v7 passes `[{name, values}]`; a map `{name: values}` is
 * accepted too. `undefined` when the parameter is absent, `UNKNOWN` when it cannot be known yet.
 */
export function commandParameter(task: any, name: string): string[] | Unknown | undefined {
    const rc = runCommandParameters(task);
    if (isUnknown(rc)) {
        return UNKNOWN;
    }
    const params = rc?.parameters;
    if (isUnknown(params)) {
        return UNKNOWN;
    }
    if (Array.isArray(params)) {
        for (const p of params) {
            if (isUnknown(p) || isUnknown(p?.name)) {
                return UNKNOWN;
            }
            if (p?.name === name) {
                return isUnknown(p.values) ? UNKNOWN : asArray<string>(p.values);
            }
        }
        return undefined;
    }
    if (params && typeof params === "object" && name in params) {
        const v = params[name];
        return isUnknown(v) ? UNKNOWN : asArray<string>(v);
    }
    return undefined;
}

/** A parameter of an association: the provider takes a map of name to string. */
export function associationParameter(assoc: any, name: string): unknown {
    const params = assoc?.parameters;
    if (isUnknown(params)) {
        return params;
    }
    const v = params?.[name];
    return Array.isArray(v) ? v[0] : v;
}
