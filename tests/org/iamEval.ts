// A small IAM evaluator for the StackSet's policies in the tests: CloudFormation's intrinsic
// functions resolved for one account, then Allow/Deny with the operators the template uses.
// IAM semantics (IAM User Guide, "Policy evaluation logic" and "Condition operators"): an explicit
// Deny wins; a request is allowed only when some Allow matches action, resource and every condition
// block; operators are ANDed, values of one key ORed; a key absent from the request fails a
// String/Arn operator, passes ForAllValues and a negated operator (StringNotEquals).
import { stringLike } from "../../org/oidcSubjects";

export type Context = Readonly<Record<string, string | readonly string[]>>;

/** Fn::Sub (pseudo parameters and Refs), Ref, Fn::If, Fn::Join, Fn::Equals, Fn::Not, for one account. */
export function resolve(
    node: unknown,
    env: { account: string; parameters: Record<string, unknown>; conditions?: Record<string, unknown> },
): any {
    const pseudo: Record<string, unknown> = { "AWS::AccountId": env.account, "AWS::Partition": "aws", "AWS::NoValue": undefined };
    const value = (name: string) => (name in pseudo ? pseudo[name] : env.parameters[name]);
    const r = (n: unknown): any => {
        if (Array.isArray(n)) return n.map(r).filter((x) => x !== undefined);
        if (typeof n !== "object" || n === null) return n;
        const o = n as Record<string, unknown>;
        if ("Fn::Sub" in o) return String(o["Fn::Sub"]).replace(/\$\{([^}]+)\}/g, (_, k: string) => String(value(k)));
        if ("Ref" in o) return value(String(o.Ref));
        if ("Fn::If" in o) {
            const [c, a, b] = o["Fn::If"] as [string, unknown, unknown];
            return r(env.conditions?.[c]) ? r(a) : r(b);
        }
        if ("Fn::Join" in o) {
            const [sep, list] = o["Fn::Join"] as [string, unknown];
            return (r(list) as unknown[]).join(sep);
        }
        if ("Fn::Equals" in o) {
            const [a, b] = r(o["Fn::Equals"]) as [unknown, unknown];
            return String(a) === String(b);
        }
        if ("Fn::Not" in o) return !r((o["Fn::Not"] as unknown[])[0]);
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r(v)]));
    };
    return r(node);
}

const list = (x: unknown): string[] => (x === undefined ? [] : [x].flat().map(String));
const likeAny = (patterns: unknown, value: string) => list(patterns).some((p) => stringLike(p, value));

function conditionHolds(condition: Record<string, Record<string, unknown>> | undefined, ctx: Context): boolean {
    for (const [op, keys] of Object.entries(condition ?? {})) {
        for (const [key, expected] of Object.entries(keys)) {
            const actual = ctx[key];
            const values = actual === undefined ? [] : [actual].flat();
            const exp = list(expected);
            switch (op) {
                case "StringEquals":
                case "ArnEquals":
                    if (values.length === 0 || !values.every((v) => exp.includes(v))) return false;
                    break;
                case "StringLike":
                case "ArnLike":
                    if (values.length === 0 || !values.every((v) => likeAny(exp, v))) return false;
                    break;
                case "ForAllValues:StringNotEquals":
                    if (values.some((v) => exp.includes(v))) return false;
                    break;
                case "ForAllValues:StringEquals":
                    if (!values.every((v) => exp.includes(v))) return false;
                    break;
                // A negated operator matches a key absent from the request ("Condition operators").
                case "StringNotEquals":
                    if (values.some((v) => exp.includes(v))) return false;
                    break;
                default:
                    throw new Error(`the evaluator does not know the operator ${op}: extend it rather than pass silently`);
            }
        }
    }
    return true;
}

function matches(statement: any, action: string, resource: string, ctx: Context): boolean {
    const actionOk = statement.NotAction ? !likeAny(statement.NotAction, action) : likeAny(statement.Action, action);
    return actionOk && likeAny(statement.Resource, resource) && conditionHolds(statement.Condition, ctx);
}

/** IAM's decision for one request against one identity policy's statements. */
export function allowed(statements: readonly any[], action: string, resource: string, ctx: Context = {}): boolean {
    if (statements.some((s) => s.Effect === "Deny" && matches(s, action, resource, ctx))) return false;
    return statements.some((s) => s.Effect === "Allow" && matches(s, action, resource, ctx));
}

/** AssumeRoleWithWebIdentity against a trust policy: the provider and the token's claims. */
export function trusts(trustStatements: readonly any[], provider: string, claims: Context): boolean {
    return trustStatements.some(
        (s) =>
            s.Effect === "Allow" &&
            s.Action === "sts:AssumeRoleWithWebIdentity" &&
            list(s.Principal?.Federated).includes(provider) &&
            conditionHolds(s.Condition, claims),
    );
}
