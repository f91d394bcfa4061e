// The control plane: every cell's patch-manager stack in Pulumi Cloud (settings in ESC, Deployments,
// drift detection, rollout order), per-account credentials, the policy pack with its groups, and
// the StackSet that prepares every member account. Reads nothing but the validated OrgConfig.
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import YAML from "yaml";
import { isProductionLike } from "../config/environment";
import { Cell, CELL_PROJECT, CREDENTIALS_ENVIRONMENT, escProject, isProductionCell, OrgConfig } from "./config";
import { CREDENTIALS_SUBJECT_ATTRIBUTES } from "./oidcSubjects";
import { rollout } from "./rollout";
import { AccountParameters, deployRoleArn, deployRoleTemplate, NOBODY } from "./stackSetTemplate";
import { accountTrust } from "./trust";

/** The policy pack's npm package (policies/package.json): another folder named policies is not it. */
const POLICY_PACKAGE = "patch-manager-policies";

/**
 * The policy pack in this repository, published as its folder: the `policies` folder of the nearest
 * directory above this module that holds one (the repository's root whether this module runs from
 * its source or from the compiled program under node_modules/.cache, boot/compileCache.js).
 */
export const POLICY_PACK_DIR = packDirAbove(__dirname);

function packDirAbove(dir: string): string {
    for (let at = dir; ; at = path.dirname(at)) {
        const pack = path.join(at, "policies");
        if (fs.existsSync(path.join(pack, "PulumiPolicy.yaml")) && packageName(pack) === POLICY_PACKAGE) return pack;
        if (path.dirname(at) === at) return path.resolve(__dirname, "..", "policies");
    }
}

function packageName(dir: string): unknown {
    try {
        return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown }).name;
    } catch {
        return undefined;
    }
}
export const POLICY_PACK_NAME = "patch-manager";

/** The two policy groups: acceptance and production must pass the pack, the rest are told. */
export function policyLevel(cell: Pick<Cell, "environment">): "mandatory" | "advisory" {
    return isProductionLike(cell.environment) ? "mandatory" : "advisory";
}

/**
 * Remediation rewrites what someone changed by hand: fine in sandboxes, a change of its own in
 * production. And a remediation is an update like any other to a stack webhook (`update_succeeded`
 * carries no cause): a cell whose success starts another's never remediates, so drift never feeds the chain.
 */
export function autoRemediate(cell: Pick<Cell, "environment">, feedsChain = false): boolean {
    return !isProductionLike(cell.environment) && !feedsChain;
}

/** A five-field cron's minute spread over the hour by stack name, so that 1,000 drift checks do not start at once. */
export function driftCron(base: string, stack: string): string {
    const fields = base.trim().split(/\s+/);
    if (fields[0] !== "0") return base;
    let h = 0;
    for (const ch of stack) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return [String(h % 60), ...fields.slice(1)].join(" ");
}

/** The ESC environment of one cell: its patch-manager settings as stack config, and its account's credentials. */
export function cellEnvironmentYaml(cell: Pick<Cell, "account" | "pulumiConfig">): string {
    return YAML.stringify(cellEnvironment(cell.account, cell.pulumiConfig));
}

function cellEnvironment(account: string, pulumiConfig: Readonly<Record<string, unknown>>) {
    // Imports name the project: a bare name would be looked up in the `default` project.
    return { imports: [`${escProject(account)}/${CREDENTIALS_ENVIRONMENT}`], values: { pulumiConfig } };
}

/** What YAML.stringify writes before a cell's settings when they are alone under `values.pulumiConfig`. */
const SETTINGS_PREFIX = "values:\n  pulumiConfig:\n";

/**
 * A 12-digit account id that stands for any other in a rendering. YAML writes every 12-digit id
 * alike (double-quoted where it stands alone, as a number would resolve; as it is inside a longer
 * string, with no space to fold at), so a document rendered once for it is any account's with the
 * account put in its place.
 */
const ANY_ACCOUNT = "000000000000";

/**
 * `render(account)`, rendered once per `key` for ANY_ACCOUNT with the account then put in its
 * places; rendered as it is when the account is not 12 digits, or when ANY_ACCOUNT is not found
 * exactly `places` times (a role name with twelve zeros in it).
 */
function forAccount(
    cache: Map<string, string | null>,
    key: string,
    account: string,
    places: number,
    render: (account: string) => string,
): string {
    if (!/^\d{12}$/.test(account)) return render(account);
    let rendered = cache.get(key);
    if (rendered === undefined) {
        const text = render(ANY_ACCOUNT);
        rendered = text.split(ANY_ACCOUNT).length - 1 === places ? text : null;
        cache.set(key, rendered);
    }
    return rendered === null ? render(account) : rendered.split(ANY_ACCOUNT).join(account);
}

/**
 * cellEnvironmentYaml for the cells of one organisation, each distinct set of patch-manager
 * settings rendered once: 1,000 cells share a handful of templates, and rendering their YAML was
 * most of what the control plane's own code cost. A block map is written pair after pair at its
 * indentation, so the cell's own first keys (`aws:region`, `aws:allowedAccountIds`) are written
 * with the imports (once per region, for any account: forAccount), and the `patch-manager:` keys
 * after them come from a rendering of those keys alone at the same place in the document (same
 * indentation, hence the same line folding); keys that differ between accounts only by the account
 * in an ARN (the permissions boundary every cell gets) are rendered once for any account
 * (withAnyAccount). The result is the same text
 * (tests/org/environmentYaml.test.ts compares them); a cell without keys of either kind is rendered whole.
 */
export function cellEnvironmentRenderer(): (cell: Pick<Cell, "account" | "pulumiConfig">) => string {
    // By JSON, then compared exactly (JSON writes -0 as 0; YAML does not).
    const rendered = new Map<string, { settings: Record<string, unknown>; yaml: string }[]>();
    const heads = new Map<string, string | null>();
    return (cell) => {
        const entries = Object.entries(cell.pulumiConfig);
        const split = entries.findIndex(([k]) => k.startsWith(`${CELL_PROJECT}:`));
        if (split <= 0) return cellEnvironmentYaml(cell);
        const settings = Object.fromEntries(entries.slice(split));
        const tailOf = (of: Record<string, unknown>): string => {
            const key = JSON.stringify(of);
            const same = rendered.get(key) ?? [];
            let yaml = same.find((r) => isDeepStrictEqual(r.settings, of))?.yaml;
            if (yaml === undefined) {
                const alone = YAML.stringify({ values: { pulumiConfig: of } });
                yaml = alone.startsWith(SETTINGS_PREFIX) ? alone.slice(SETTINGS_PREFIX.length) : "";
                rendered.set(key, [...same, { settings: of, yaml }]);
            }
            return yaml;
        };
        // Settings that name the account only inside ARNs (the account's permissions boundary) are
        // rendered once for any account, then the account put in its places, as the heads are.
        const anyAccount = /^\d{12}$/.test(cell.account) ? withAnyAccount(settings, cell.account) : undefined;
        let tail: string;
        if (anyAccount === undefined) tail = tailOf(settings);
        else {
            const generic = tailOf(anyAccount.settings);
            tail =
                generic.split(ANY_ACCOUNT).length - 1 === anyAccount.places && generic !== ""
                    ? generic.split(ANY_ACCOUNT).join(cell.account)
                    : tailOf(settings);
        }
        if (tail === "") return cellEnvironmentYaml(cell);
        const [[firstKey, region], [secondKey, accounts] = []] = entries;
        // What parseOrgConfig gives every cell: its region, then its account alone.
        const regionAndAccount =
            split === 2 &&
            firstKey === "aws:region" &&
            typeof region === "string" &&
            secondKey === "aws:allowedAccountIds" &&
            isDeepStrictEqual(accounts, [cell.account]);
        const head = regionAndAccount
            ? forAccount(heads, region, cell.account, 2, (a) =>
                  YAML.stringify(cellEnvironment(a, { "aws:region": region, "aws:allowedAccountIds": [a] })),
              )
            : YAML.stringify(cellEnvironment(cell.account, Object.fromEntries(entries.slice(0, split))));
        return head + tail;
    };
}

/** An ARN's account field: `arn:<partition>:<service>:<region>:<account>:`. */
const ARN = /^arn:[^:]*:[^:]*:[^:]*:$/;

/**
 * `settings` with `account` written as ANY_ACCOUNT, and how many times it was, when every string
 * naming the account names it as an ARN's account field and nothing names ANY_ACCOUNT: YAML then
 * writes both alike (an ARN is a plain string whatever its digits, and digits for digits keep its
 * length, hence its folding). Undefined otherwise, or when the account is named nowhere.
 */
function withAnyAccount(
    settings: Record<string, unknown>,
    account: string,
): { settings: Record<string, unknown>; places: number } | undefined {
    let places = 0;
    let safe = true;
    const swap = (value: unknown): unknown => {
        if (typeof value === "string") {
            if (value.includes(ANY_ACCOUNT)) safe = false;
            const parts = value.split(account);
            if (parts.length === 1) return value;
            // Each occurrence is the account field of the ARN the string is: after exactly four ':'-separated fields, before ':'.
            if (parts.length !== 2 || !ARN.test(parts[0]) || !parts[1].startsWith(":")) safe = false;
            places += parts.length - 1;
            return parts.join(ANY_ACCOUNT);
        }
        if (Array.isArray(value)) return value.map(swap);
        if (typeof value === "object" && value !== null) {
            if (Object.getPrototypeOf(value) !== Object.prototype) {
                safe = false;
                return value;
            }
            return Object.fromEntries(
                Object.entries(value).map(([k, v]) => {
                    if (k.includes(account) || k.includes(ANY_ACCOUNT)) safe = false;
                    return [k, swap(v)];
                }),
            );
        }
        return value;
    };
    const swapped = swap(settings) as Record<string, unknown>;
    return safe && places > 0 ? { settings: swapped, places } : undefined;
}

/** accountEnvironmentYaml for every account of one organisation, rendered once for any account (forAccount). */
export function accountEnvironmentRenderer(org: Pick<OrgConfig, "deployRoleName" | "sessionDurationSeconds">): (account: string) => string {
    const rendered = new Map<string, string | null>();
    return (account) => forAccount(rendered, "", account, 1, (a) => accountEnvironmentYaml(org, a));
}

/** The ESC environment of one account: `aws-login` through the StackSet's role, at most one hour. */
export function accountEnvironmentYaml(org: Pick<OrgConfig, "deployRoleName" | "sessionDurationSeconds">, account: string): string {
    return YAML.stringify({
        values: {
            aws: {
                login: {
                    "fn::open::aws-login": {
                        oidc: {
                            roleArn: deployRoleArn(account, org.deployRoleName),
                            sessionName: "pulumi-esc-patch-manager",
                            // The subject then names this environment however it is opened: by name, or
                            // through a stack's anonymous environment, whose default subject is `env:<yaml>`
                            // for every stack (pulumi/pulumi#14509); the role trusts exactly this one.
                            subjectAttributes: [...CREDENTIALS_SUBJECT_ATTRIBUTES],
                            duration: `${Math.floor(org.sessionDurationSeconds / 60)}m`,
                        },
                    },
                },
            },
            environmentVariables: {
                AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
                AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
                AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
            },
        },
    });
}

/** Commands a cell's deployment runs before `pulumi up`. */
export function preRunCommands(cell: Pick<Cell, "stack" | "account">): string[] {
    return [
        // The lock file exactly, as CI does; Deployments' own install step runs `npm install`.
        "npm ci --loglevel=warn",
        // The stack file of a cell is not committed: this writes its `environment:` import in the
        // deployment's checkout, so the cell's settings come from its ESC environment.
        `pulumi config env add ${escProject(cell.account)}/${cell.stack} --yes --stack ${cell.stack}`,
    ];
}

function duration(seconds: number): string {
    return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m${seconds % 60}s`;
}

export interface CellArgs {
    readonly org: OrgConfig;
    readonly cell: Cell;
    readonly deployOnPush: boolean;
    /** Whether this cell's success starts another cell's deployment (a webhook from it). */
    readonly feedsChain: boolean;
    readonly accountEnvironment: service.Environment;
    /** The cell's ESC environment (cellEnvironmentYaml). */
    readonly environmentYaml: string;
}

/** One cell: its stack, tags, settings, deployment settings and drift schedule. */
export class CellStack extends pulumi.ComponentResource {
    readonly stack: service.Stack;
    constructor(name: string, args: CellArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patch-manager-org:index:Cell", name, {}, opts);
        const { org, cell } = args;
        const parent = { parent: this };
        const ids = { organization: org.organization, project: CELL_PROJECT, stack: cell.stack };
        this.stack = new service.Stack(
            `${name}-stack`,
            { organizationName: org.organization, projectName: CELL_PROJECT, stackName: cell.stack },
            // Destroying the control plane must not delete a stack that still holds an account's patching.
            { ...parent, retainOnDelete: true },
        );
        const after = { ...parent, dependsOn: [this.stack] };
        new service.StackTags(
            `${name}-tags`,
            { ...ids, tags: { environment: cell.environment, account: cell.account, region: cell.regions.join(",") } },
            after,
        );
        const environment = new service.Environment(
            `${name}-settings`,
            {
                organization: org.organization,
                project: escProject(cell.account),
                name: cell.stack,
                yaml: new pulumi.asset.StringAsset(args.environmentYaml),
            },
            { ...parent, dependsOn: [args.accountEnvironment] },
        );
        new service.DeploymentSettings(
            `${name}-deployments`,
            {
                ...ids,
                // `vcs`, not the deprecated `github` block (@pulumi/pulumiservice 1.3.0: "Use the 'vcs' property instead").
                vcs: { provider: "github", repository: org.repository, deployCommits: args.deployOnPush, previewPullRequests: false },
                // Production runs the released commit, which every upstream cell ran (org/rollout.ts); the rest the branch.
                sourceContext: {
                    git:
                        isProductionCell(cell) && org.release
                            ? { commit: org.release.commit, repoDir: "." }
                            : { branch: `refs/heads/${org.branch}`, repoDir: "." },
                },
                operationContext: {
                    options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
                    preRunCommands: preRunCommands(cell),
                    oidc: {
                        aws: {
                            roleARN: deployRoleArn(cell.account, org.deployRoleName),
                            sessionName: `pulumi-deploy-${cell.stack}`.slice(0, 64),
                            duration: duration(org.sessionDurationSeconds),
                        },
                    },
                },
            },
            { ...parent, dependsOn: [this.stack, environment] },
        );
        new service.DriftSchedule(
            `${name}-drift`,
            { ...ids, scheduleCron: driftCron(org.driftCron, cell.stack), autoRemediate: autoRemediate(cell, args.feedsChain) },
            after,
        );
        this.registerOutputs({ stack: cell.stack });
    }
}

export interface ControlPlaneOutputs {
    readonly stacks: string[];
    readonly stackSetName: pulumi.Output<string>;
    readonly policyGroups: Record<"mandatory" | "advisory", string[]>;
}

/** Every resource of the control plane. */
export function deployControlPlane(org: OrgConfig): ControlPlaneOutputs {
    const accounts = [...new Set(org.cells.map((c) => c.account))].sort();
    const accountEnvironments = new Map<string, service.Environment>();
    const accountYaml = accountEnvironmentRenderer(org);
    for (const account of accounts) {
        accountEnvironments.set(
            account,
            new service.Environment(`account-${account}`, {
                organization: org.organization,
                project: escProject(account),
                name: CREDENTIALS_ENVIRONMENT,
                yaml: new pulumi.asset.StringAsset(accountYaml(account)),
            }),
        );
    }

    const order = rollout(org.cells);
    const environmentYaml = cellEnvironmentRenderer();
    const cells = new Map<string, CellStack>();
    for (const cell of org.cells) {
        cells.set(
            cell.stack,
            new CellStack(cell.stack, {
                org,
                cell,
                deployOnPush: order.onPush.includes(cell.stack),
                feedsChain: order.steps.some((s) => s.from === cell.stack),
                accountEnvironment: accountEnvironments.get(cell.account)!,
                environmentYaml: environmentYaml(cell),
            }),
        );
    }
    for (const step of order.steps) {
        new service.Webhook(
            `${step.from}-then-${step.to}`,
            {
                organizationName: org.organization,
                projectName: CELL_PROJECT,
                stackName: step.from,
                displayName: `deploy ${step.to} after ${step.from}`.slice(0, 100),
                format: service.WebhookFormat.PulumiDeployments,
                payloadUrl: `${CELL_PROJECT}/${step.to}`,
                filters: [service.WebhookFilters.UpdateSucceeded],
                active: true,
            },
            { parent: cells.get(step.from), dependsOn: [cells.get(step.to)!.stack] },
        );
    }

    const versionTag = String(JSON.parse(fs.readFileSync(path.join(POLICY_PACK_DIR, "package.json"), "utf8")).version);
    const pack = new service.PolicyPack("policy-pack", {
        organization: org.organization,
        name: POLICY_PACK_NAME,
        displayName: "patch-manager",
        // Relative to where the program runs (org/ under the CLI), so that the input, and the
        // plan, do not change from one machine's checkout to another's.
        sourcePath: path.relative(process.cwd(), POLICY_PACK_DIR) || ".",
        versionTag,
    });
    const groups: ControlPlaneOutputs["policyGroups"] = { mandatory: [], advisory: [] };
    for (const cell of org.cells) groups[policyLevel(cell)].push(cell.stack);
    for (const level of ["mandatory", "advisory"] as const) {
        if (groups[level].length === 0) continue;
        new service.PolicyGroup(
            `policy-group-${level}`,
            {
                organizationName: org.organization,
                name: `patch-manager-${level}`,
                entityType: "stacks",
                mode: "preventative",
                stacks: groups[level].map((s) => ({ name: s, routingProject: CELL_PROJECT })),
                // `all` sets the level of every policy of the pack for these stacks.
                policyPacks: [{ name: POLICY_PACK_NAME, versionTag: pack.versionTag, config: { all: level } }],
            },
            { dependsOn: [...groups[level].map((s) => cells.get(s)!.stack)] },
        );
    }

    const template = deployRoleTemplate({
        organization: org.organization,
        roleName: org.deployRoleName,
        ...(org.githubActions ? { githubActions: { roleName: org.githubActions.roleName } } : {}),
    });
    const operationPreferences = {
        maxConcurrentPercentage: org.stackSet.maxConcurrentPercentage,
        failureTolerancePercentage: org.stackSet.failureTolerancePercentage,
        // A failed account does not lower the concurrency of the rest of the rollout.
        concurrencyMode: "SOFT_FAILURE_TOLERANCE",
        regionConcurrencyType: "SEQUENTIAL",
    };
    const stackSet = new aws.cloudformation.StackSet(
        "pulumi-deploy-role",
        {
            // A fixed name: a replacement would collide with the old StackSet.
            name: "patch-manager-pulumi-deploy-role",
            description:
                "Pulumi Cloud OIDC provider, the patch-manager boundary and deploy role in every account of the organisation's OUs",
            permissionModel: "SERVICE_MANAGED",
            // Run from the Organizations management account's delegated StackSets administrator.
            callAs: "DELEGATED_ADMIN",
            autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
            capabilities: ["CAPABILITY_NAMED_IAM"],
            managedExecution: { active: true },
            // The StackSet's own operations (a template change) take no concurrency mode here: they run
            // STRICT_FAILURE_TOLERANCE, at most failure tolerance + 1 accounts at a time (docs/many-accounts.md).
            operationPreferences: {
                maxConcurrentPercentage: operationPreferences.maxConcurrentPercentage,
                failureTolerancePercentage: operationPreferences.failureTolerancePercentage,
                regionConcurrencyType: operationPreferences.regionConcurrencyType,
            },
            templateBody: JSON.stringify(template),
        },
        // Replacing it (autoDeployment, permissionModel are ForceNew) deletes every account's provider and
        // roles first: protected, so that a change that would replace it stops at preview (docs/many-accounts.md).
        { protect: true, deleteBeforeReplace: true, ignoreChanges: ["administrationRoleArn"] },
    );
    // Stack instances: every account with cells its own (its OU intersected with the account), with
    // its parameters; each OU's other accounts one instance with the defaults (the OU minus those
    // accounts). hashicorp/terraform-provider-aws#40675: an in-place update of an instance with
    // deployment targets sends the OU id as an account and fails; so any change replaces the
    // instance (its account's stack is deleted and created again) and nothing is updated in place.
    const instanceOptions: pulumi.CustomResourceOptions = {
        parent: stackSet,
        // Children inherit protect: an account's new cell replaces its instance, which must not be blocked.
        protect: false,
        deleteBeforeReplace: true,
        replaceOnChanges: ["parameterOverrides", "deploymentTargets", "callAs", "stackSetName"],
        // How an operation runs, not what it deploys: never a reason to replace an account's roles.
        ignoreChanges: ["operationPreferences"],
    };
    for (const ou of org.organizationalUnits) {
        const own = accounts.filter((a) => org.accounts[a]?.organizationalUnit === ou);
        new aws.cloudformation.StackSetInstance(
            `pulumi-deploy-role-${ou}`,
            {
                stackSetName: stackSet.name,
                callAs: "DELEGATED_ADMIN",
                deploymentTargets: {
                    organizationalUnitIds: [ou],
                    ...(own.length > 0 ? { accounts: own, accountFilterType: "DIFFERENCE" } : {}),
                },
                operationPreferences,
            },
            instanceOptions,
        );
        for (const account of own)
            new aws.cloudformation.StackSetInstance(
                `pulumi-deploy-role-${account}`,
                {
                    stackSetName: stackSet.name,
                    callAs: "DELEGATED_ADMIN",
                    deploymentTargets: { organizationalUnitIds: [ou], accounts: [account], accountFilterType: "INTERSECTION" },
                    parameterOverrides: { ...accountParameters(org, account) },
                    operationPreferences,
                },
                instanceOptions,
            );
    }
    return { stacks: org.cells.map((c) => c.stack), stackSetName: stackSet.name, policyGroups: groups };
}

/** The StackSet parameters of one account with cells: its own cells' subjects, and the providers it has. */
export function accountParameters(org: OrgConfig, account: string): AccountParameters {
    const cells = org.cells.filter((c) => c.account === account);
    const settings = org.accounts[account];
    const trust = accountTrust({
        organization: org.organization,
        project: CELL_PROJECT,
        credentialsEnvironment: `${escProject(account)}/${CREDENTIALS_ENVIRONMENT}`,
        stacks: cells.map((c) => c.stack),
        ...(org.githubActions
            ? { github: { repository: org.repository, branch: org.branch, production: cells.some(isProductionCell) } }
            : {}),
    });
    return {
        CreateOidcProvider: settings?.existingPulumiOidcProvider ? "false" : "true",
        DeploymentsSubjects: trust.deploymentsSubjects.length > 0 ? trust.deploymentsSubjects.join(",") : NOBODY,
        ...(org.githubActions
            ? {
                  CreateGitHubOidcProvider: settings?.existingGitHubOidcProvider ? "false" : "true",
                  GitHubSubject: trust.githubSubject ?? NOBODY,
              }
            : {}),
    };
}
