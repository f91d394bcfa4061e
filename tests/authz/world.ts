// The authorization model's inputs: every role and policy document the shipped stacks and the
// example organisation emit, read off one evaluation of each under the mock runtime (cached for
// the process: the model's test files share them). Nothing here decides allow or deny: see iam.ts.
import * as path from "path";
import { MOCK_ACCOUNT, evaluateProgram, PlannedResource, readStackFile } from "../../tools/mock/mockProgram";
import { boundaryPolicyArn, OrgConfig, parseOrgConfig } from "../../org/config";
import { evaluate, ROOT, SHIPPED_STACKS, shippedConfig, withConfig } from "../helpers";
import { resolveTemplate, TemplateRole } from "./cfn";
import managed from "./awsManagedPolicies.json";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: unknown;
    NotPrincipal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}
export interface PolicyDocument {
    Version?: string;
    Statement: Statement | Statement[];
}

export type DocumentKind = "identity" | "trust" | "resource" | "boundary";

/** One policy document and where it comes from (a resource of a stack, or the StackSet template). */
export interface EmittedDocument {
    /** e.g. `prod-strategies: aws:iam/rolePolicy:RolePolicy strategies-window-role` or `org example (111111111111): DeployRole`. */
    readonly where: string;
    readonly kind: DocumentKind;
    readonly account: string;
    readonly document: PolicyDocument;
}

/** A role as IAM evaluates it: its trust, every identity policy (inline and attached) and its boundary. */
export interface Role {
    /** `<stack>:<logical name>` for the program's roles, `org:<logical id>@<account>` for the template's. */
    readonly key: string;
    readonly stack: string;
    readonly name: string;
    readonly arn: string;
    readonly account: string;
    readonly region: string;
    readonly trust: PolicyDocument;
    readonly identity: { name: string; policy: PolicyDocument }[];
    readonly boundary?: PolicyDocument;
    /** The resources of the stack the role belongs to (the template's for the organisation's roles). */
    readonly origin: "program" | "org";
}

/** One shipped stack as the model sees it. */
export interface ModelStack {
    readonly name: string;
    readonly resources: PlannedResource[];
    readonly roles: Role[];
    readonly documents: EmittedDocument[];
}

export interface ModelOrg {
    readonly config: OrgConfig;
    /** The StackSet's template, per member account (its intrinsics resolved for that account). */
    readonly accounts: { account: string; roles: Role[]; documents: EmittedDocument[] }[];
    readonly resources: PlannedResource[];
    /** The variant planned with `githubActions` (a self-managed backend): the template adds the workflow's role. */
    readonly github: { account: string; roles: Role[]; documents: EmittedDocument[] }[];
}

export const ACCOUNT = MOCK_ACCOUNT;

/** AWS managed policies by ARN, from the committed snapshot (its `source` says where from). */
export function awsManagedPolicy(arn: string): PolicyDocument | undefined {
    return (managed.policies as Record<string, { document: PolicyDocument }>)[arn]?.document;
}

/** IAM's wildcard match (`*` any text, `?` one character), as action and StringLike patterns use it. */
export const iamPattern = (pattern: string, flags = ""): RegExp =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        flags,
    );

export const statements = (d: PolicyDocument): Statement[] => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]);
export const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const parse = (text: unknown, where: string): PolicyDocument => {
    if (typeof text !== "string") throw new Error(`${where}: the policy is not a JSON string (${typeof text})`);
    return JSON.parse(text) as PolicyDocument;
};

/** Every role and document of one stack's resources. Unknown attached policy ARNs fail: nothing is left out silently. */
export function modelOf(stack: string, resources: PlannedResource[], account = ACCOUNT): ModelStack {
    const custom = resources.filter((r) => r.custom);
    const where = (r: PlannedResource) => `${stack}: ${r.type} ${r.name}`;
    const documents: EmittedDocument[] = [];
    const customerPolicies = new Map<string, PolicyDocument>();
    for (const r of custom) {
        if (r.type === "aws:iam/policy:Policy") {
            const doc = parse(r.inputs.policy, where(r));
            customerPolicies.set(String(r.outputs.arn), doc);
            documents.push({ where: where(r), kind: "identity", account, document: doc });
        }
    }
    const policyByArn = (arn: string, w: string): PolicyDocument => {
        const doc = customerPolicies.get(arn) ?? awsManagedPolicy(arn);
        if (!doc) throw new Error(`${w}: attaches ${arn}, which neither the stack nor tests/authz/awsManagedPolicies.json holds`);
        return doc;
    };
    const roles = new Map<string, { r: PlannedResource; identity: Role["identity"]; trust: PolicyDocument; boundary?: PolicyDocument }>();
    for (const r of custom.filter((x) => x.type === "aws:iam/role:Role")) {
        const name = String(r.outputs.name ?? r.id);
        const trust = parse(r.inputs.assumeRolePolicy, where(r));
        documents.push({ where: where(r), kind: "trust", account, document: trust });
        const identity: Role["identity"] = [];
        for (const p of (r.inputs.inlinePolicies as { name?: string; policy?: string }[] | undefined) ?? []) {
            if (!p.policy) continue;
            const doc = parse(p.policy, `${where(r)} inlinePolicies ${p.name}`);
            identity.push({ name: String(p.name), policy: doc });
            documents.push({ where: `${where(r)} inline ${p.name}`, kind: "identity", account, document: doc });
        }
        for (const arn of (r.inputs.managedPolicyArns as string[] | undefined) ?? [])
            identity.push({ name: arn, policy: policyByArn(arn, where(r)) });
        const boundaryArn = r.inputs.permissionsBoundary as string | undefined;
        const boundary = boundaryArn ? policyByArn(boundaryArn, where(r)) : undefined;
        roles.set(name, { r, identity, trust, ...(boundary ? { boundary } : {}) });
    }
    const roleOf = (x: PlannedResource) => {
        const role = roles.get(String(x.inputs.role));
        if (!role) throw new Error(`${where(x)}: role ${String(x.inputs.role)} is not a role of the stack`);
        return role;
    };
    for (const r of custom) {
        if (r.type === "aws:iam/rolePolicy:RolePolicy") {
            const doc = parse(r.inputs.policy, where(r));
            roleOf(r).identity.push({ name: r.name, policy: doc });
            documents.push({ where: where(r), kind: "identity", account, document: doc });
        } else if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
            roleOf(r).identity.push({ name: String(r.inputs.policyArn), policy: policyByArn(String(r.inputs.policyArn), where(r)) });
        } else if (r.type !== "aws:iam/role:Role" && r.type !== "aws:iam/policy:Policy") {
            // Every other policy an input holds (bucket, topic, key policies): any JSON string with a Statement.
            for (const [k, v] of Object.entries(r.inputs)) {
                if (typeof v !== "string" || !v.trimStart().startsWith("{") || !v.includes("Statement")) continue;
                const doc = JSON.parse(v) as PolicyDocument;
                if (doc.Statement !== undefined) documents.push({ where: `${where(r)} ${k}`, kind: "resource", account, document: doc });
            }
        }
    }
    if (
        custom.some((r) =>
            /^aws:iam\/(userPolicy|groupPolicy|policyAttachment|rolePoliciesExclusive|rolePolicyAttachmentsExclusive)/.test(r.type),
        )
    )
        throw new Error(`${stack}: a policy resource type the model does not read: extend tests/authz/world.ts`);
    return {
        name: stack,
        resources,
        documents,
        roles: [...roles.values()].map(({ r, identity, trust, boundary }) => ({
            key: `${stack}:${r.name}`,
            stack,
            name: String(r.outputs.name ?? r.id),
            arn: String(r.outputs.arn),
            account,
            region: r.region,
            trust,
            identity,
            ...(boundary ? { boundary } : {}),
            origin: "program",
        })),
    };
}

let programCache: Promise<ModelStack[]> | undefined;
/** Every shipped stack, evaluated once per process. */
export function programStacks(): Promise<ModelStack[]> {
    // One at a time: the mock runtime is one per process.
    programCache ??= (async () => {
        const out: ModelStack[] = [];
        for (const s of SHIPPED_STACKS) out.push(modelOf(s, (await evaluate(s)).resources));
        return out;
    })();
    return programCache;
}

const ORG_DIR = path.join(ROOT, "org");
const ORG_FILE = path.join(ORG_DIR, "Pulumi.example.yaml");

/** The example organisation's values (`patch-manager-org:` keys, as strings). */
function orgValues(extra: Record<string, string> = {}): Record<string, string> {
    const config = readStackFile(ORG_FILE, "patch-manager-org");
    return { ...config.values, ...extra };
}

async function evaluateOrg(extra: Record<string, string>): Promise<PlannedResource[]> {
    const mod = require(path.join(ORG_DIR, "index"));
    const program = () => (mod instanceof Function ? mod() : mod);
    const base = readStackFile(ORG_FILE, "patch-manager-org");
    const config = { values: orgValues(extra), secretKeys: base.secretKeys };
    return (await evaluateProgram({ stack: "example", config, program, project: "patch-manager-org" })).resources;
}

/** A role of the StackSet's template as the model sees it in `account`. */
function templateRole(role: TemplateRole, account: string, region: string): Role {
    return {
        key: `org:${role.logicalId}@${account}`,
        stack: "org",
        name: role.name,
        arn: `arn:aws:iam::${account}:role/${role.name}`,
        account,
        region,
        trust: role.trust,
        identity: role.identity,
        ...(role.boundary ? { boundary: role.boundary } : {}),
        origin: "org",
    };
}

/** The StackSet's template in each cell's account: the roles it creates and the documents they hold. */
function templateAccounts(resources: PlannedResource[], config: OrgConfig) {
    const stackSets = resources.filter((r) => r.type === "aws:cloudformation/stackSet:StackSet");
    if (stackSets.length === 0) throw new Error("org: the control plane registers no StackSet");
    const accounts = [...new Set(config.cells.map((c) => c.account))];
    return accounts.map((account) => {
        const roles: Role[] = [];
        const documents: EmittedDocument[] = [];
        for (const s of stackSets) {
            const region = String(s.region);
            // The account's own stack instance carries its parameters (its cells' subjects, its providers).
            const instance = resources.find(
                (r) =>
                    r.type === "aws:cloudformation/stackSetInstance:StackSetInstance" &&
                    ((r.inputs.deploymentTargets as { accounts?: string[] } | undefined)?.accounts ?? []).includes(account) &&
                    (r.inputs.deploymentTargets as { accountFilterType?: string }).accountFilterType !== "DIFFERENCE",
            );
            const parameters = (instance?.inputs.parameterOverrides ?? {}) as Record<string, string>;
            const t = resolveTemplate(JSON.parse(String(s.inputs.templateBody)), { account, region, parameters });
            for (const role of t.roles) {
                const where = `org ${s.name} (${account}): ${role.logicalId}`;
                documents.push({ where: `${where} trust`, kind: "trust", account, document: role.trust });
                for (const p of role.identity)
                    documents.push({ where: `${where} ${p.name}`, kind: "identity", account, document: p.policy });
                if (role.boundary) documents.push({ where: `${where} boundary`, kind: "boundary", account, document: role.boundary });
                roles.push(templateRole(role, account, region));
            }
            for (const d of t.otherDocuments)
                documents.push({ where: `org ${s.name} (${account}): ${d.where}`, kind: d.kind, account, document: d.document });
        }
        return { account, roles, documents };
    });
}

let orgCache: Promise<ModelOrg> | undefined;
/** The example organisation (and its self-managed variant with `githubActions`), evaluated once per process. */
export function organisation(): Promise<ModelOrg> {
    orgCache ??= (async () => {
        const values = orgValues();
        const strip = (v: Record<string, string>) =>
            Object.fromEntries(
                Object.entries(v)
                    .filter(([k]) => k.startsWith("patch-manager-org:"))
                    .map(([k, x]) => [k.slice("patch-manager-org:".length), x]),
            );
        const config = parseOrgConfig(strip(values), "org/Pulumi.example.yaml");
        const resources = await evaluateOrg({});
        const ghExtra = { "patch-manager-org:githubActions": "{}" };
        const ghConfig = parseOrgConfig(strip(orgValues(ghExtra)), "org/Pulumi.example.yaml");
        const ghResources = await evaluateOrg(ghExtra);
        return { config, resources, accounts: templateAccounts(resources, config), github: templateAccounts(ghResources, ghConfig) };
    })();
    return orgCache;
}

/** Every emitted document: the shipped stacks' and the organisation's (both variants). */
export async function allDocuments(): Promise<EmittedDocument[]> {
    const program = await programStacks();
    const org = await organisation();
    return [...program.flatMap((s) => s.documents), ...org.accounts.flatMap((a) => a.documents), ...org.github.flatMap((a) => a.documents)];
}

/** Every role the shipped stacks and the organisation create. */
export async function allRoles(): Promise<Role[]> {
    const program = await programStacks();
    const org = await organisation();
    const ghOnly = org.github.flatMap((a) => a.roles).filter((r) => !org.accounts.some((o) => o.roles.some((x) => x.key === r.key)));
    return [...program.flatMap((s) => s.roles), ...org.accounts.flatMap((a) => a.roles), ...ghOnly];
}

/** The StackSet's deploy role as `account` gets it (no stack instance of its own: the parameters' defaults). */
export async function deployRoleFor(account: string): Promise<Role> {
    const org = await organisation();
    const stackSet = org.resources.find((r) => r.type === "aws:cloudformation/stackSet:StackSet");
    if (!stackSet) throw new Error("org: the control plane registers no StackSet");
    const region = String(stackSet.region);
    const t = resolveTemplate(JSON.parse(String(stackSet.inputs.templateBody)), { account, region, parameters: {} });
    const role = t.roles.find((r) => r.logicalId === "DeployRole");
    if (!role) throw new Error("org: the StackSet template has no DeployRole");
    return templateRole(role, account, region);
}

let cellCache: Promise<{ name: string; resources: PlannedResource[] }[]> | undefined;
/**
 * Every shipped stack as a cell of the organisation deploys it in `ACCOUNT`: with the account's
 * boundary (org/config.ts adds `permissionsBoundaryArn` to every cell's settings), evaluated once per process.
 */
export function cellStacks(): Promise<{ name: string; resources: PlannedResource[] }[]> {
    cellCache ??= (async () => {
        const out: { name: string; resources: PlannedResource[] }[] = [];
        for (const s of SHIPPED_STACKS) {
            const config = withConfig(shippedConfig(s), { permissionsBoundaryArn: boundaryPolicyArn(ACCOUNT) });
            out.push({ name: s, resources: (await evaluate(s, config)).resources });
        }
        return out;
    })();
    return cellCache;
}
