// The organisation's StackSet template as one member account gets it: CloudFormation's intrinsics
// resolved for that account (parameters as its stack instance overrides them, else their defaults; conditions evaluated), then its IAM
// roles with their trust, inline, managed and boundary policies. An intrinsic this resolver does
// not know fails loudly rather than leaving a document out.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
import type { DocumentKind, PolicyDocument } from "./world";
import { awsManagedPolicy } from "./world";

export interface TemplateRole {
    logicalId: string;
    name: string;
    trust: PolicyDocument;
    identity: { name: string; policy: PolicyDocument }[];
    boundary?: PolicyDocument;
}

export interface ResolvedTemplate {
    roles: TemplateRole[];
    otherDocuments: { where: string; kind: DocumentKind; document: PolicyDocument }[];
}

const NO_VALUE = Symbol("AWS::NoValue");

export function resolveTemplate(
    template: any,
    ctx: { account: string; region: string; parameters?: Readonly<Record<string, string>> },
): ResolvedTemplate {
    const resources: Record<string, any> = template.Resources ?? {};
    const params: Record<string, any> = template.Parameters ?? {};
    const conditions: Record<string, any> = template.Conditions ?? {};
    const pseudo: Record<string, string> = {
        "AWS::AccountId": ctx.account,
        "AWS::Partition": "aws",
        "AWS::Region": ctx.region,
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": "StackSet-patch-manager",
    };
    const condition = (name: string): boolean => {
        if (!(name in conditions)) throw new Error(`template: condition ${name} is not defined`);
        return Boolean(value(conditions[name]));
    };
    const nameOf = (id: string): string => {
        const r = resources[id];
        const p = r.Properties ?? {};
        switch (r.Type) {
            case "AWS::IAM::Role":
                return String(value(p.RoleName ?? id));
            case "AWS::IAM::ManagedPolicy":
                return String(value(p.ManagedPolicyName ?? id));
            default:
                return id;
        }
    };
    const ref = (name: string): unknown => {
        if (name in pseudo) return pseudo[name];
        if (name === "AWS::NoValue") return NO_VALUE;
        if (name in params) {
            // A list parameter's Ref is a list (CloudFormation: CommaDelimitedList, List<...>).
            const given = ctx.parameters?.[name] ?? params[name].Default;
            if (!/^(CommaDelimitedList|List<)/.test(String(params[name].Type))) return given;
            return given === undefined || given === "" ? [] : String(given).split(",");
        }
        const r = resources[name];
        if (!r) throw new Error(`template: Ref ${name} names nothing`);
        switch (r.Type) {
            // Ref of an OIDC provider and of a managed policy is its ARN; of a role, its name.
            case "AWS::IAM::OIDCProvider":
                return `arn:aws:iam::${ctx.account}:oidc-provider/${String(value(r.Properties.Url)).replace(/^https:\/\//, "")}`;
            case "AWS::IAM::ManagedPolicy":
                return `arn:aws:iam::${ctx.account}:policy${String(value(r.Properties.Path ?? "/"))}${nameOf(name)}`;
            case "AWS::IAM::Role":
                return nameOf(name);
            default:
                throw new Error(`template: Ref of a ${r.Type} (${name}) is not modelled`);
        }
    };
    const getAtt = (id: string, attr: string): unknown => {
        const r = resources[id];
        if (!r) throw new Error(`template: GetAtt ${id} names nothing`);
        if (attr === "Arn" && r.Type === "AWS::IAM::Role")
            return `arn:aws:iam::${ctx.account}:role${String(value(r.Properties.Path ?? "/"))}${nameOf(id)}`;
        if (attr === "Arn" && r.Type === "AWS::IAM::OIDCProvider") return ref(id);
        throw new Error(`template: GetAtt ${id}.${attr} (${r.Type}) is not modelled`);
    };
    const sub = (text: string, vars: Record<string, unknown> = {}): string =>
        text.replace(/\$\{([^}!][^}]*)\}/g, (_, v: string) => {
            if (v in vars) return String(value(vars[v]));
            if (v.includes(".")) {
                const [id, attr] = v.split(".");
                return String(getAtt(id, attr));
            }
            return String(ref(v));
        });
    function value(node: any): any {
        if (Array.isArray(node)) return node.map(value).filter((x) => x !== NO_VALUE);
        if (node === null || typeof node !== "object") return node;
        const keys = Object.keys(node);
        if (keys.length === 1) {
            const [k] = keys;
            const a = node[k];
            switch (k) {
                case "Ref":
                    return ref(a);
                case "Fn::Sub":
                    return typeof a === "string" ? sub(a) : sub(a[0], a[1]);
                case "Fn::If":
                    return value(condition(a[0]) ? a[1] : a[2]);
                case "Fn::Equals":
                    return value(a[0]) === value(a[1]);
                case "Fn::Not":
                    return !value(a[0]);
                case "Fn::And":
                    return a.every((c: unknown) => value(c));
                case "Fn::Or":
                    return a.some((c: unknown) => value(c));
                case "Condition":
                    return typeof a === "string" ? condition(a) : { Condition: value(a) };
                case "Fn::GetAtt":
                    return getAtt(...((typeof a === "string" ? a.split(".") : a) as [string, string]));
                case "Fn::Join":
                    return (value(a[1]) as unknown[]).join(a[0]);
                default:
                    if (k.startsWith("Fn::")) throw new Error(`template: ${k} is not modelled`);
            }
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) {
            const x = value(v);
            if (x !== NO_VALUE) out[k] = x;
        }
        return out;
    }

    const present = Object.entries(resources).filter(([, r]) => r.Condition === undefined || condition(r.Condition));
    const managedPolicies = new Map<string, { doc: PolicyDocument; roles: string[] }>();
    const rolePolicies: { roles: string[]; name: string; doc: PolicyDocument }[] = [];
    const roles: TemplateRole[] = [];
    const otherDocuments: ResolvedTemplate["otherDocuments"] = [];
    for (const [id, r] of present) {
        const p = value(r.Properties ?? {});
        switch (r.Type) {
            case "AWS::IAM::ManagedPolicy":
                managedPolicies.set(String(ref(id)), { doc: p.PolicyDocument, roles: p.Roles ?? [] });
                otherDocuments.push({ where: id, kind: "identity", document: p.PolicyDocument });
                break;
            case "AWS::IAM::RolePolicy":
                rolePolicies.push({ roles: [p.RoleName], name: p.PolicyName, doc: p.PolicyDocument });
                break;
            case "AWS::IAM::Policy":
                rolePolicies.push({ roles: p.Roles ?? [], name: p.PolicyName, doc: p.PolicyDocument });
                break;
            case "AWS::S3::BucketPolicy":
            case "AWS::SNS::TopicPolicy":
            case "AWS::KMS::Key":
                otherDocuments.push({ where: id, kind: "resource", document: p.PolicyDocument ?? p.KeyPolicy });
                break;
            case "AWS::IAM::Role":
            case "AWS::IAM::OIDCProvider":
                break;
            default:
                if (r.Type.startsWith("AWS::IAM::")) throw new Error(`template: ${r.Type} (${id}) is not modelled`);
        }
    }
    const policyByArn = (arn: string): PolicyDocument => {
        const doc = managedPolicies.get(arn)?.doc ?? awsManagedPolicy(arn);
        if (!doc) throw new Error(`template: ${arn} is neither in the template nor in tests/authz/awsManagedPolicies.json`);
        return doc;
    };
    for (const [id, r] of present.filter(([, x]) => x.Type === "AWS::IAM::Role")) {
        const p = value(r.Properties);
        const name = nameOf(id);
        const identity = [
            ...((p.Policies ?? []) as { PolicyName: string; PolicyDocument: PolicyDocument }[]).map((x) => ({
                name: x.PolicyName,
                policy: x.PolicyDocument,
            })),
            ...((p.ManagedPolicyArns ?? []) as string[]).map((arn) => ({ name: arn, policy: policyByArn(arn) })),
            ...[...managedPolicies].filter(([, m]) => m.roles.includes(name)).map(([arn, m]) => ({ name: arn, policy: m.doc })),
            ...rolePolicies.filter((x) => x.roles.includes(name)).map((x) => ({ name: x.name, policy: x.doc })),
        ];
        roles.push({
            logicalId: id,
            name,
            trust: p.AssumeRolePolicyDocument,
            identity,
            ...(p.PermissionsBoundary ? { boundary: policyByArn(p.PermissionsBoundary) } : {}),
        });
    }
    return { roles, otherDocuments };
}
