// The organisation's config (`patch-manager-org:` keys of org/Pulumi.<stack>.yaml): validated
// once into a typed model, every problem at once with the file and the full key path, and each
// cell's merged patch-manager settings checked by the program's own parser, so that a bad cell
// is refused here, before any stack of the organisation is created.
import * as awsEnums from "@pulumi/aws/types/enums";
import { closest, distance } from "fastest-levenshtein";
import * as z from "zod";
// The parser's own modules rather than the barrel (../config), which also loads what only the
// patch-manager program needs: every module is compiled on each start of the control plane.
import { ConfigError } from "../config/errors";
import type { PatchManagerConfig } from "../config/model";
import { parseConfig } from "../config/parse";
import { ENVIRONMENTS, Environment } from "../config/environment";
import { CONFIG_KEYS } from "../config/keys";
import {
    accountTrust,
    deploymentsAudience,
    escAudience,
    GITHUB_AUDIENCE,
    GITHUB_OIDC_HOST,
    PULUMI_OIDC_HOST,
    resolvedDeployTrustPolicy,
} from "./trust";

export const ORG_PROJECT = "patch-manager-org";
/** The project every cell's stack belongs to: the patch-manager program at the repository root. */
export const CELL_PROJECT = "patch-manager";
/**
 * The ESC project of one account: its credentials environment and its cells' settings. One project
 * per account, because an ESC token's subject names the environment being opened (a cell's, which
 * imports the credentials) and the account's role can then trust exactly that account's project.
 */
export function escProject(account: string): string {
    return `patch-manager-${account}`;
}

/** The environment in an account's ESC project that opens `aws-login` with the account's role. */
export const CREDENTIALS_ENVIRONMENT = "credentials";

/**
 * Regions of the commercial partition, from the AWS provider's own list. Pulumi Cloud's OIDC
 * issuer is trusted through an IAM identity provider of the `aws` partition, and an
 * Organization (hence a StackSet) spans one partition: China and GovCloud regions cannot be cells.
 */
export const REGIONS: readonly string[] = Object.values(awsEnums.Region as Record<string, string>).filter((r) =>
    /^(af|ap|ca|eu|il|me|mx|sa|us)-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+$/.test(r),
);

/** AWS account ids are exactly 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html). */
const ACCOUNT_ID = /^\d{12}$/;
/** Organizations ids: an OU `ou-<root 4-32>-<8-32>`, or the root `r-<4-32>` (Organizations API model). */
const OU_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** Pulumi stack names: letters, digits, `-`, `_`, `.`, at most 100 characters. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** Pulumi organisation names (the audience of its OIDC tokens): letters, digits, `-`, `_`, `.`. */
const PULUMI_ORG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
/**
 * IAM's limits on what the StackSet gives each account (IAM quotas, docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html:
 * "Role trust policy length: 2,048 characters" by default; CloudFormation quotas: a parameter value at most 4,096 bytes).
 */
export const TRUST_POLICY_MAX_CHARS = 2048;
export const PARAMETER_VALUE_MAX_BYTES = 4096;
/** IAM role names: `[\w+=,.@-]{1,64}`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Keys of a cell's settings the cell itself decides: refused in settings and templates. */
const CELL_OWNED = ["environment", "regions", "permissionsBoundaryArn"] as const;
/** The boundary policy the StackSet creates in every account; every cell's roles carry it. */
export const BOUNDARY_POLICY_NAME = "patch-manager-boundary";
export function boundaryPolicyArn(account: string): string {
    return `arn:aws:iam::${account}:policy/${BOUNDARY_POLICY_NAME}`;
}

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(", ");

const accountId = z.string({ error: 'must be a 12-digit AWS account id in quotes, e.g. "111111111111"' }).regex(ACCOUNT_ID, {
    error: "must be a 12-digit AWS account id (digits only)",
});
const region = z.string({ error: "must be a region name" }).refine((r) => REGIONS.includes(r), {
    error: (issue) => {
        const r = String(issue.input);
        const hint = REGIONS.includes(closest(r, [...REGIONS])) ? `; did you mean "${closest(r, [...REGIONS])}"?` : "";
        return `"${r}" is not an AWS region of the commercial partition${hint} (the regions are ${REGIONS.join(", ")})`;
    },
});
const settings = z.record(z.string(), z.unknown(), {
    error: "must be a map of patch-manager settings (keys without the patch-manager: prefix)",
});

const cellSchema = z.strictObject({
    account: accountId,
    environment: z.enum(ENVIRONMENTS, { error: `must be one of ${quoted(ENVIRONMENTS)}` }),
    regions: z.array(region, { error: "must be a list of regions, e.g. [eu-west-1]" }).min(1, { error: "must list at least one region" }),
    template: z.string({ error: "must name one of the templates" }).optional(),
    settings: settings.optional(),
    stack: z.string().regex(STACK_NAME, { error: "must be a Pulumi stack name: letters, digits, -, _, . (1-100)" }).optional(),
});

const stackSetSchema = z.strictObject({
    maxConcurrentPercentage: z.number().int().min(1).max(100, { error: "must be a whole percentage from 1 to 100" }).default(25),
    failureTolerancePercentage: z.number().int().min(0).max(100, { error: "must be a whole percentage from 0 to 100" }).default(5),
});

// Self-managed backends deploy from the generated GitHub Actions workflow: the StackSet then also
// creates the role that workflow assumes in every account.
const githubActionsSchema = z.strictObject({
    roleName: z
        .string()
        .regex(ROLE_NAME, { error: "must be an IAM role name: [A-Za-z0-9+=,.@_-], 1-64 characters" })
        .default("patch-manager-github-actions"),
});

// An account the StackSet reaches: the OU it is in (StackSets target OUs; the control plane has no
// Organizations API at preview), and the OIDC providers it already has (IAM allows one per URL).
const existingProvider = z.strictObject({
    clientIds: z.array(z.string().min(1).max(255), { error: "must list the provider's client ids (audiences)" }),
});
const accountSchema = z.strictObject({
    organizationalUnit: z.string({ error: "must be the OU id the account is in" }).regex(OU_ID, {
        error: "must be an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)",
    }),
    existingPulumiOidcProvider: existingProvider.optional(),
    existingGitHubOidcProvider: existingProvider.optional(),
});
export type AccountSettings = z.infer<typeof accountSchema>;

const KEYS = {
    organization: z
        .string({ error: "must be the Pulumi Cloud organisation name" })
        .regex(PULUMI_ORG, { error: "must be a Pulumi Cloud organisation name: letters, digits, -, _, . (1-40)" })
        .refine((o) => o === o.toLowerCase(), {
            error: (i) =>
                `must be lowercase ("${String(i.input).toLowerCase()}"): Pulumi writes the organisation's login in lowercase into its tokens' aud and sub, and IAM compares them case-sensitively`,
        }),
    managementAccountId: accountId,
    // The commit production deploys: one that every non-production cell ran successfully from the chain (org/rollout.ts promotable).
    release: z.strictObject({
        commit: z.string().regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character git commit id (lowercase hex)" }),
    }),
    accounts: z.record(accountId, accountSchema, {
        error: "must map each account id to {organizationalUnit, existingPulumiOidcProvider?}",
    }),
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must be a GitHub repository "owner/name"' }),
    branch: z.string().regex(/^[^\s~^:?*[\\]+$/, { error: "must be a git branch name" }),
    organizationalUnits: z
        .array(z.string().regex(OU_ID, { error: "must be an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)" }), {
            error: "must be a list of OU ids",
        })
        .min(1, { error: "must list at least one OU: the StackSet deploys into the accounts of these OUs" }),
    deployRoleName: z.string().regex(ROLE_NAME, { error: "must be an IAM role name: [A-Za-z0-9+=,.@_-], 1-64 characters" }),
    githubActions: githubActionsSchema,
    sessionDurationSeconds: z
        .number()
        .int()
        .min(900, { error: "must be at least 900 (STS minimum)" })
        .max(3600, { error: "must be at most 3600: the role's default maximum session is one hour" }),
    driftCron: z.string().regex(/^(\S+\s+){4}\S+$/, { error: 'must be a five-field cron, e.g. "0 5 * * *"' }),
    stackSet: stackSetSchema,
    templates: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "template names: letters, digits, -, _" }), settings),
    // Each cell is checked on its own below, so that one bad cell does not hide the others' problems.
    cells: z.array(z.unknown(), { error: "must be a list of cells {account, environment, regions, template?, settings?}" }).min(1, {
        error: "must list at least one cell",
    }),
} as const;
type Key = keyof typeof KEYS;
const ORG_KEYS = Object.keys(KEYS) as Key[];
const REQUIRED: Key[] = ["organization", "repository", "organizationalUnits", "accounts", "cells"];
const STRUCTURED = new Set<Key>(["release", "organizationalUnits", "accounts", "stackSet", "githubActions", "templates", "cells"]);
const NUMBERS = new Set<Key>(["sessionDurationSeconds"]);
const SHAPES: Record<string, readonly string[]> = {
    cells: Object.keys(cellSchema.shape),
    stackSet: Object.keys(stackSetSchema.shape),
    accounts: ["<account id>"],
    githubActions: Object.keys(githubActionsSchema.shape),
};

/** One cell: an account, its region(s) and environment, and the patch-manager stack that patches them. */
export interface Cell {
    /** Position in `cells`, for messages. */
    readonly index: number;
    readonly stack: string;
    readonly account: string;
    readonly environment: Environment;
    readonly regions: readonly string[];
    readonly template?: string;
    /** The stack's config as the CLI would pass it (full keys, JSON-encoded lists and maps). */
    readonly values: Readonly<Record<string, string>>;
    /** The same settings as YAML would hold them (for the cell's ESC environment). */
    readonly pulumiConfig: Readonly<Record<string, unknown>>;
    /** The program's model of the cell's settings, validated by the program's own parser. */
    readonly model: PatchManagerConfig;
}

export interface OrgConfig {
    readonly organization: string;
    readonly repository: string;
    readonly branch: string;
    readonly organizationalUnits: readonly string[];
    /** The Organizations management account: StackSets never deploy to it, so it holds no cell. */
    readonly managementAccountId?: string;
    /** The commit production cells deploy (their sourceContext is pinned to it). */
    readonly release?: { readonly commit: string };
    /** Every account with cells, with its OU and existing providers. */
    readonly accounts: Readonly<Record<string, AccountSettings>>;
    readonly deployRoleName: string;
    /** Set for a self-managed backend: the role the generated workflow assumes in each account. */
    readonly githubActions?: { readonly roleName: string };
    readonly sessionDurationSeconds: number;
    readonly driftCron: string;
    readonly stackSet: { readonly maxConcurrentPercentage: number; readonly failureTolerancePercentage: number };
    readonly templates: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly cells: readonly Cell[];
}

export interface OrgProblem {
    readonly path: string;
    readonly message: string;
}

export class OrgConfigError extends ConfigError {
    constructor(file: string, problems: readonly OrgProblem[]) {
        super(file, problems);
        this.name = "OrgConfigError";
    }
}

function keyPath(key: string, path: ReadonlyArray<PropertyKey>): string {
    let out = `${ORG_PROJECT}:${key}`;
    for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return out;
}

function didYouMean(unknown: string, valid: readonly string[]): string {
    const near = closest(unknown, [...valid]);
    return near && levenshteinClose(unknown, near) ? `did you mean "${near}"? ` : "";
}

/** Close enough to be a typo: at most a third of the word differs. */
function levenshteinClose(a: string, b: string): boolean {
    return distance(a.toLowerCase(), b.toLowerCase()) <= Math.max(2, Math.floor(b.length / 3));
}

function unknownKeys(keys: readonly string[], valid: readonly string[]): string {
    return keys.map((k) => `unknown key "${k}"; ${didYouMean(k, valid)}`).join("") + `the keys are ${valid.join(", ")}`;
}

/** The default name of a cell's stack: environment, account and first region, unique per cell. */
export function cellStackName(cell: { environment: string; account: string; regions: readonly string[] }): string {
    return `${cell.environment}-${cell.account}-${cell.regions[0]}`;
}

/** Stack config values as the Pulumi CLI passes them: strings as they are, everything else JSON. */
function encode(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Validates the raw `patch-manager-org:` config (keys without namespace, values as the CLI
 * passes them). Throws OrgConfigError with every problem.
 */
export function parseOrgConfig(raw: Readonly<Record<string, string | undefined>>, file: string): OrgConfig {
    const problems: OrgProblem[] = [];
    const values: Partial<Record<Key, any>> = {};
    for (const [key, text] of Object.entries(raw)) {
        if (text === undefined) continue;
        if (!(key in KEYS)) {
            problems.push({ path: `${ORG_PROJECT}:${key}`, message: unknownKeys([key], ORG_KEYS) });
            continue;
        }
        const k = key as Key;
        let value: unknown = text;
        if (STRUCTURED.has(k) || NUMBERS.has(k)) {
            try {
                value = JSON.parse(text);
            } catch {
                problems.push({
                    path: keyPath(k, []),
                    message: `must be ${NUMBERS.has(k) ? "a number" : "a YAML list or map"}, got ${JSON.stringify(text)}`,
                });
                continue;
            }
        }
        const result = KEYS[k].safeParse(value);
        if (result.success) values[k] = result.data;
        else
            for (const issue of result.error.issues) {
                problems.push(zodProblem(k, issue));
            }
    }
    for (const k of REQUIRED) {
        if (raw[k] === undefined) problems.push({ path: `${ORG_PROJECT}:${k}`, message: `is required (${describeRequired(k)})` });
    }
    const templates: Record<string, Record<string, unknown>> = values.templates ?? {};
    for (const [name, t] of Object.entries(templates)) problems.push(...settingsKeyProblems(t, keyPath("templates", [name])));

    const cells: Cell[] = [];
    const rawCells: (z.infer<typeof cellSchema> | undefined)[] = ((values.cells ?? []) as unknown[]).map((c, i) => {
        const result = cellSchema.safeParse(c);
        if (result.success) return result.data;
        problems.push(...result.error.issues.map((issue) => zodProblem("cells", { ...issue, path: [i, ...issue.path] })));
        return undefined;
    });
    // Earlier cells by account and environment: a cell is compared with the few that could clash,
    // not with every other (1,000 cells would be half a million comparisons).
    const seen = new Map<string, { i: number; regions: readonly string[] }[]>();
    const stacks = new Map<string, number>();
    const parseSettings = settingsParser(file);
    const accounts: Record<string, AccountSettings> = values.accounts ?? {};
    rawCells.forEach((c, i) => {
        if (c === undefined) return;
        const at = (...p: (string | number)[]) => keyPath("cells", [i, ...p]);
        if (c.account === values.managementAccountId)
            problems.push({
                path: at("account"),
                message: `is the Organizations management account (${ORG_PROJECT}:managementAccountId): StackSets never deploy to it, so it has no deploy role; patch its instances from a member account`,
            });
        else if (values.accounts && !(c.account in accounts))
            problems.push({
                path: at("account"),
                message: `account ${c.account} is not in ${ORG_PROJECT}:accounts; declare the OU it is in (accounts."${c.account}".organizationalUnit), one of ${ORG_PROJECT}:organizationalUnits, so that the StackSet reaches it`,
            });
        const sameAccount = seen.get(`${c.account}/${c.environment}`) ?? [];
        const twice = sameAccount.find((s) => s.regions.some((r) => c.regions.includes(r)));
        if (twice) {
            const shared = twice.regions.filter((r) => c.regions.includes(r));
            problems.push({
                path: at(),
                message: `is listed twice: cells[${twice.i}] already patches ${c.environment} in account ${c.account}, region${shared.length === 1 ? "" : "s"} ${shared.join(", ")}; merge the two cells or give each its own regions`,
            });
        }
        seen.set(`${c.account}/${c.environment}`, [...sameAccount, { i, regions: c.regions }]);
        c.regions.forEach((r, j) => {
            const first = c.regions.indexOf(r);
            if (first !== j)
                problems.push({ path: at("regions", j), message: `"${r}" is already regions[${first}]; list each region once` });
        });
        const stack = c.stack ?? cellStackName(c);
        const other = stacks.get(stack);
        if (other !== undefined)
            problems.push({
                path: at(c.stack ? "stack" : "regions"),
                message: `gives the stack name "${stack}" that cells[${other}] has already; set cells[${i}].stack to tell them apart`,
            });
        stacks.set(stack, i);
        if (c.template !== undefined && !(c.template in templates)) {
            const names = Object.keys(templates);
            problems.push({
                path: at("template"),
                message: `"${c.template}" is not a template; ${didYouMean(c.template, names)}${names.length ? `the templates are ${quoted(names)}` : `${ORG_PROJECT}:templates defines none`}`,
            });
            return;
        }
        const own = c.settings ?? {};
        const ownProblems = settingsKeyProblems(own, at("settings"));
        problems.push(...ownProblems);
        const template = c.template !== undefined ? templates[c.template] : {};
        if (ownProblems.length > 0 || (c.template !== undefined && settingsKeyProblems(template, "").length > 0)) return;
        const merged: Record<string, unknown> = { ...template, ...own, environment: c.environment };
        if (c.regions.length > 1) merged.regions = c.regions;
        const projectValues = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, encode(v)]));
        try {
            // The account's boundary (the StackSet's policy) is added after the parse: the settings stay
            // shared across accounts, parsed once (settingsParser), and the key is the cell's, not settable.
            const boundary = boundaryPolicyArn(c.account);
            const model = { ...parseSettings(projectValues, stack), permissionsBoundaryArn: boundary };
            projectValues.permissionsBoundaryArn = boundary;
            merged.permissionsBoundaryArn = boundary;
            const stackValues: Record<string, string> = {
                "aws:region": c.regions[0],
                "aws:allowedAccountIds": JSON.stringify([c.account]),
                ...Object.fromEntries(Object.entries(projectValues).map(([k, v]) => [`${CELL_PROJECT}:${k}`, v])),
            };
            const pulumiConfig: Record<string, unknown> = {
                "aws:region": c.regions[0],
                "aws:allowedAccountIds": [c.account],
                ...Object.fromEntries(Object.entries(merged).map(([k, v]) => [`${CELL_PROJECT}:${k}`, v])),
            };
            cells.push({
                index: i,
                stack,
                account: c.account,
                environment: c.environment,
                regions: c.regions,
                ...(c.template !== undefined ? { template: c.template } : {}),
                values: stackValues,
                pulumiConfig,
                model,
            });
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            // Name where the bad value was written: the cell's own settings, else its template.
            for (const p of e.problems) {
                const m = /^patch-manager:([A-Za-z]+)(.*)$/.exec(p.path);
                const key = m?.[1] ?? "";
                const rest = m?.[2] ?? "";
                const where =
                    key === "environment"
                        ? at("environment")
                        : key === "regions"
                          ? at("regions") + rest
                          : key in own || c.template === undefined
                            ? `${at("settings")}.${key}${rest}`
                            : `${keyPath("templates", [c.template])}.${key}${rest} (template of cells[${i}])`;
                problems.push({ path: where, message: p.message });
            }
        }
    });
    problems.push(...accountProblems(values, rawCells, stacks));
    if (values.release === undefined && raw.release === undefined && rawCells.some((c) => c?.environment === "production"))
        problems.push({
            path: `${ORG_PROJECT}:release`,
            message:
                "is required with production cells ({commit: <40-hex>}): production deploys only a released commit, one every non-production cell ran successfully, never the branch head",
        });
    if (problems.length > 0) throw new OrgConfigError(file, dedupe(problems));
    return {
        organization: values.organization,
        repository: values.repository,
        branch: values.branch ?? "main",
        organizationalUnits: values.organizationalUnits,
        ...(values.managementAccountId !== undefined ? { managementAccountId: values.managementAccountId } : {}),
        ...(values.release !== undefined ? { release: values.release } : {}),
        accounts,
        deployRoleName: values.deployRoleName ?? "patch-manager-deployments",
        ...(values.githubActions ? { githubActions: values.githubActions } : {}),
        sessionDurationSeconds: values.sessionDurationSeconds ?? 3600,
        driftCron: values.driftCron ?? "0 5 * * *",
        stackSet: values.stackSet ?? stackSetSchema.parse({}),
        templates,
        cells,
    };
}

/**
 * The program's parser for the cells' settings, each distinct set of settings parsed once: cells
 * of one template differ in their stack alone, and the model only names its stack (tests/org/settingsOnce.test.ts
 * holds the parser to that), so 1,000 cells on five templates and environments take five parses.
 * A refusal is remembered too, and thrown again for every cell with those settings.
 */
function settingsParser(file: string): (values: Record<string, string>, stack: string) => PatchManagerConfig {
    const parsed = new Map<string, PatchManagerConfig | ConfigError>();
    return (values, stack) => {
        const key = JSON.stringify(values);
        let result = parsed.get(key);
        if (result === undefined) {
            try {
                result = parseConfig(values, stack, file);
            } catch (e) {
                if (!(e instanceof ConfigError)) throw e;
                result = e;
            }
            parsed.set(key, result);
        }
        if (result instanceof ConfigError) throw result;
        return result.stack === stack ? result : { ...result, stack };
    };
}

/**
 * The accounts: each in one of the StackSet's OUs and not the management account, its existing
 * providers holding the audiences the roles trust, and its roles' trust within IAM's limits.
 */
function accountProblems(
    values: Partial<Record<Key, any>>,
    rawCells: readonly ({ account: string; environment: string } | undefined)[],
    stacks: ReadonlyMap<string, number>,
): OrgProblem[] {
    const problems: OrgProblem[] = [];
    const accounts: Record<string, AccountSettings> = values.accounts ?? {};
    const ous: readonly string[] = values.organizationalUnits ?? [];
    const organization: string | undefined = values.organization;
    const byIndex = new Map([...stacks].map(([stack, i]) => [i, stack]));
    // Each account's cells, in the cells' order, found in one pass (not one pass per account).
    const cellsOf = new Map<string, { i: number; c: { account: string; environment: string }; stack: string }[]>();
    rawCells.forEach((c, i) => {
        const stack = byIndex.get(i);
        if (c === undefined || stack === undefined) return;
        const list = cellsOf.get(c.account);
        if (list === undefined) cellsOf.set(c.account, [{ i, c, stack }]);
        else list.push({ i, c, stack });
    });
    for (const [account, a] of Object.entries(accounts)) {
        const at = (...p: string[]) => keyPath("accounts", [account, ...p]);
        if (account === values.managementAccountId)
            problems.push({
                path: at(),
                message: `is the management account (${ORG_PROJECT}:managementAccountId): StackSets never deploy to it`,
            });
        if (values.organizationalUnits && !ous.includes(a.organizationalUnit))
            problems.push({
                path: at("organizationalUnit"),
                message: `"${a.organizationalUnit}" is not one of ${ORG_PROJECT}:organizationalUnits (${quoted(ous)}): the StackSet never reaches this account; add the OU there or correct it`,
            });
        const lacks = (have: readonly string[], need: readonly string[], host: string, path: string) => {
            for (const id of need.filter((n) => !have.includes(n)))
                problems.push({
                    path: at(path, "clientIds"),
                    message: `lacks "${id}": CloudFormation cannot change a provider it did not create; in account ${account} run aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::${account}:oidc-provider/${host} --client-id ${id}, then list it here`,
                });
        };
        if (a.existingPulumiOidcProvider && organization)
            lacks(
                a.existingPulumiOidcProvider.clientIds,
                [deploymentsAudience(organization), escAudience(organization)],
                PULUMI_OIDC_HOST,
                "existingPulumiOidcProvider",
            );
        if (a.existingGitHubOidcProvider && values.githubActions)
            lacks(a.existingGitHubOidcProvider.clientIds, [GITHUB_AUDIENCE], GITHUB_OIDC_HOST, "existingGitHubOidcProvider");
        const cells = cellsOf.get(account) ?? [];
        if (!organization || cells.length === 0) continue;
        const trust = accountTrust({
            organization,
            project: CELL_PROJECT,
            credentialsEnvironment: `${escProject(account)}/${CREDENTIALS_ENVIRONMENT}`,
            stacks: cells.map((x) => x.stack),
        });
        const policy = JSON.stringify(resolvedDeployTrustPolicy(organization, account, trust)).length;
        const parameter = Buffer.byteLength(trust.deploymentsSubjects.join(","));
        if (policy > TRUST_POLICY_MAX_CHARS || parameter > PARAMETER_VALUE_MAX_BYTES)
            problems.push({
                path: at(),
                message: `has ${cells.length} cells: its deploy role would trust ${policy} characters of subjects (IAM's role trust policy limit is ${TRUST_POLICY_MAX_CHARS} unless raised) in a ${parameter}-byte StackSet parameter (at most ${PARAMETER_VALUE_MAX_BYTES}); merge cells of this account (one cell may hold several regions)`,
            });
        if (values.githubActions) {
            const production = cells.filter((x) => x.c.environment === "production");
            if (production.length > 0 && production.length < cells.length)
                for (const x of cells.filter((y) => y.c.environment !== "production"))
                    problems.push({
                        path: keyPath("cells", [x.i, "environment"]),
                        message: `is not production, but account ${account} holds production cells: with githubActions a production account trusts only jobs of the GitHub environment "production", never the branch; give non-production cells their own account`,
                    });
        }
    }
    return problems;
}

function zodProblem(key: Key, issue: z.core.$ZodIssue): OrgProblem {
    return {
        path: keyPath(key, issue.path),
        message: issue.code === "unrecognized_keys" ? unknownKeys(issue.keys, SHAPES[key] ?? []) : issue.message,
    };
}

function describeRequired(k: Key): string {
    switch (k) {
        case "organization":
            return "the Pulumi Cloud organisation that runs the cells";
        case "repository":
            return 'the GitHub repository that holds patch-manager, "owner/name"';
        case "organizationalUnits":
            return "the OUs whose accounts get the Pulumi OIDC provider and deploy role";
        default:
            return "at least one cell {account, environment, regions}";
    }
}

/** Unknown or cell-owned keys in a template's or a cell's settings. */
function settingsKeyProblems(s: Readonly<Record<string, unknown>>, at: string): OrgProblem[] {
    const problems: OrgProblem[] = [];
    for (const key of Object.keys(s)) {
        if ((CELL_OWNED as readonly string[]).includes(key))
            problems.push({ path: `${at}.${key}`, message: `is set by the cell (cells[].${key}), not in its settings` });
        else if (!(CONFIG_KEYS as readonly string[]).includes(key))
            problems.push({
                path: `${at}.${key}`,
                message: `unknown patch-manager setting; ${didYouMean(key, CONFIG_KEYS)}the settings are ${CONFIG_KEYS.filter((k) => !(CELL_OWNED as readonly string[]).includes(k)).join(", ")}`,
            });
    }
    return problems;
}

function dedupe(problems: OrgProblem[]): OrgProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const key = `${p.path}\n${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** Whether a cell waits for every non-production cell of the same change (production only). */
export function isProductionCell(cell: Pick<Cell, "environment">): boolean {
    return cell.environment === "production";
}
