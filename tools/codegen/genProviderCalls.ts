// Generates the provider call table (tools/audit/providerCalls.json) in two stages:
//  1. extract: terraform-provider-aws Go files → call facts (tools/audit/providerSources.json): per
//     file its repository commit, its CRUD entry points, whether it tags through the provider's
//     transparent tagging (`@Tags(identifierAttribute=…)`), and for every function the AWS SDK
//     operations it calls (`<service>.<Operation>`) and the functions of the same service package it
//     calls (finders, waiters, status functions, tags_gen.go's helpers, in whichever file they live).
//     Only these facts are committed, never the provider's code.
//  2. table: the facts + tools/audit/providerCallExceptions.json (what the source cannot show, each
//     with its reason) → the table. Deterministic and offline: tests/authz/providerCalls.test.ts
//     regenerates it and requires the committed file byte for byte.
// `npm run gen:provider-calls` runs stage 2 and writes the table;
// `npm run gen:provider-calls -- --tf-src <checkout>` runs stage 1 first over a terraform-provider-aws
// checkout at the version @pulumi/aws pins (see tools/codegen/genForceNew.ts) and prints every
// difference to the committed facts (`--write` replaces them).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { RESOURCE_SOURCES } from "./genForceNew";

export const PHASES = ["create", "read", "update", "delete", "tags"] as const;
export type Phase = (typeof PHASES)[number];
type Crud = Exclude<Phase, "tags">;
export interface CallRow extends Record<Phase, string[]> {
    source: string | null;
    commit: string | null;
    when?: Record<string, string>;
    note?: string;
}

/** The call facts of one provider file (stage 1's output). */
export interface FileFacts {
    /** The terraform-provider-aws commit the file was read at (null: only the index's file id is known). */
    commit: string | null;
    /** The code index's id of the stored version read, when its commit was not reported. */
    indexId?: string;
    /** `@Tags(identifierAttribute=…)`: the provider lists and updates the tags through the service's tags_gen.go. */
    tagsIdentifier?: boolean;
    crud?: Partial<Record<Crud, string>>;
    /** Only the functions listed were read (helpers of another resource's file). */
    partial?: boolean;
    /** Function → `<service>.<Operation>` SDK calls and names of same-package functions it calls. */
    fns: Record<string, string[]>;
}
export interface Sources {
    _about: string;
    repository: string;
    files: Record<string, FileFacts>;
}
export interface Exceptions {
    _about: string;
    /** `<service package>.<function>` called but not in the facts → why the calls it makes are not needed or are added below. */
    unresolved: Record<string, string>;
    /** Authorizations AWS checks that are not an SDK call of the provider: type → phase → actions, with the reason. */
    extra: Record<string, { reason: string } & Partial<Record<Phase, string[]>>>;
    /** type → action → the input whose presence makes the call (tests/authz/sufficient.test.ts asks it only then). */
    when: Record<string, Record<string, string>>;
    notes: Record<string, string>;
    /** Calls the facts reach in a phase only through a branch the program's inputs never take: type → phase → action → why. */
    conditional: Record<string, Partial<Record<Phase, Record<string, string>>>>;
    /** Types whose provider file is not in the facts yet: the row as read by hand, and why. */
    notGenerated: Record<string, { reason: string; row: CallRow }>;
}

const AUDIT = path.join(__dirname, "..", "audit");
export const TABLE_FILE = path.join(AUDIT, "providerCalls.json");
export const SOURCES_FILE = path.join(AUDIT, "providerSources.json");
export const EXCEPTIONS_FILE = path.join(AUDIT, "providerCallExceptions.json");
const readJson = <T>(f: string): T => JSON.parse(fs.readFileSync(f, "utf8")) as T;

/** The committed table's rows, typed. */
export function providerCalls(): Record<string, CallRow> {
    // Read once: the tests ask it for every resource of every stack.
    table ??= readJson<{ resources: Record<string, CallRow> }>(TABLE_FILE).resources;
    return table;
}
let table: Record<string, CallRow> | undefined;

/** Provider service package → IAM service prefix. */
const PREFIX: Record<string, string> = { configservice: "config" };

/** API operations IAM authorizes under another action name (Service Authorization Reference, per service). */
export const IAM_NAMES: Record<string, string> = {
    "s3:HeadBucket": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:GetBucketCors": "s3:GetBucketCORS",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "s3:DeleteBucketTagging": "s3:PutBucketTagging",
};

/** `ssm.GetMaintenanceWindow` → `ssm:GetMaintenanceWindow` (IAM's spelling). */
export const iamAction = (call: string): string => {
    const [service, op] = call.split(".");
    const a = `${PREFIX[service] ?? service}:${op}`;
    return IAM_NAMES[a] ?? a;
};

// ---------------------------------------------------------------- stage 1: Go source → facts

/** Every function body of a Go file by name (top-level `func name(` and methods `func (r *T) name(`). */
export function goFunctions(src: string): Map<string, string> {
    const out = new Map<string, string>();
    const starts = [...src.matchAll(/^func (?:\([^)]*\) )?(\w+)(?:\[[^\]]*\])?\(/gm)];
    starts.forEach((m, i) => {
        const body = src.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : src.length);
        out.set(out.has(m[1]) ? `${m[1]}#${i}` : m[1], body);
    });
    return out;
}

const CLIENT = String.raw`(?:conn|client|\w+Conn|\w+Client)`;
/**
 * SDK operations a body calls, as `<service>.<Op>`: aws-sdk-go-v2 `conn.<Op>(ctx`, its paginators
 * `<svc>.New<Op>Paginator(conn`, aws-sdk-go v1 `conn.<Op>WithContext(ctx` and `conn.<Op>PagesWithContext(ctx`,
 * and the oldest files' v1 calls without a context `conn.<Op>(input)`.
 */
export function sdkCalls(body: string, service: string): string[] {
    const ops: string[] = [];
    for (const m of body.matchAll(
        new RegExp(
            String.raw`\b${CLIENT}\.([A-Z]\w*?)(?:PagesWithContext|WithContext|Pages)?\((?:ctx\b|\w*[iI]nput\b|params\b|&\w+\.\w+Input\{)`,
            "g",
        ),
    ))
        ops.push(`${service}.${m[1]}`);
    for (const m of body.matchAll(new RegExp(String.raw`\b(\w+)\.New([A-Z]\w*)Paginator\(${CLIENT}\b`, "g"))) ops.push(`${m[1]}.${m[2]}`);
    return [...new Set(ops)];
}

/** The facts of one service package's files (the files of one internal/service/<svc> directory). */
export function extractPackage(files: Record<string, string>): Record<string, Omit<FileFacts, "commit">> {
    const fnsOf = new Map(Object.entries(files).map(([p, src]) => [p, goFunctions(src)]));
    const known = new Set([...fnsOf.values()].flatMap((m) => [...m.keys()]));
    const out: Record<string, Omit<FileFacts, "commit">> = {};
    const all: Record<string, Record<string, string[]>> = {};
    for (const p of Object.keys(files)) {
        const service = p.split("/")[2];
        const fns: Record<string, string[]> = {};
        for (const [name, body] of fnsOf.get(p)!) {
            if (name.includes("#")) continue;
            const helpers = [
                ...new Set([...body.slice(body.indexOf("{")).matchAll(/(?<![.\w])([A-Za-z_]\w*)\(/g)].map((m) => m[1])),
            ].filter((n) => n !== name && known.has(n));
            fns[name] = [...sdkCalls(body, service), ...helpers];
        }
        all[p] = fns;
    }
    // Keep only the helpers that lead to an SDK call (in any file of the package).
    const leads = new Set<string>();
    for (let grew = true; grew;) {
        grew = false;
        for (const fns of Object.values(all))
            for (const [name, calls] of Object.entries(fns))
                if (!leads.has(name) && calls.some((c) => c.includes(".") || leads.has(c))) {
                    leads.add(name);
                    grew = true;
                }
    }
    for (const [p, src] of Object.entries(files)) {
        const fns = Object.fromEntries(
            Object.entries(all[p])
                .map(([n, calls]) => [n, calls.filter((c) => c.includes(".") || leads.has(c))] as const)
                .filter(([, calls]) => calls.length > 0),
        );
        const crud = crudEntries(src, fnsOf.get(p)!);
        out[p] = {
            ...(/^\/\/ @Tags\(identifierAttribute=/m.test(src) ? { tagsIdentifier: true } : {}),
            ...(Object.keys(crud).length > 0 ? { crud } : {}),
            fns,
        };
    }
    return out;
}

/** The CRUD entry points of a resource file: SDKv2 `CreateWithoutTimeout: resourceXCreate` (or `Create:`), or Plugin Framework methods. */
export function crudEntries(src: string, fns: Map<string, string>): Partial<Record<Crud, string>> {
    const out: Partial<Record<Crud, string>> = {};
    for (const [phase, key] of [
        ["create", "Create"],
        ["read", "Read"],
        ["update", "Update"],
        ["delete", "Delete"],
    ] as const) {
        const sdk = new RegExp(`\\b${key}(?:WithoutTimeout|Context)?:\\s*(\\w+)`).exec(src);
        if (sdk && fns.has(sdk[1])) out[phase] = sdk[1];
        else if (fns.has(key) && /^func \([^)]*\) \w+\(ctx context\.Context/m.test(fns.get(key)!)) out[phase] = key;
    }
    return out;
}

// ---------------------------------------------------------------- stage 2: facts → table

/** The resource types the table covers and their provider file: the program's (genForceNew's list) and the org control plane's. */
export function tableTypes(ex: Exceptions): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [t, [provider, rel]] of Object.entries(RESOURCE_SOURCES)) if (provider === "aws") out[t] = rel;
    for (const [t, { row }] of Object.entries(ex.notGenerated)) out[t] ??= row.source;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The SDK calls a function reaches through the functions of its service package; names without facts are returned apart. */
export function reach(fns: Record<string, string[]>, entry: string): { calls: Set<string>; unresolved: Set<string> } {
    const calls = new Set<string>();
    const unresolved = new Set<string>();
    const seen = new Set<string>();
    const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const body = fns[name];
        if (!body) return void unresolved.add(name);
        for (const c of body) c.includes(".") ? calls.add(c) : visit(c);
    };
    visit(entry);
    return { calls, unresolved };
}

/** The table the facts and exceptions give (the committed file's exact text). */
export function buildTable(
    src: Sources,
    ex: Exceptions,
): { text: string; unresolvedSeen: Set<string>; conditionalSeen: Set<string>; redundant: string[] } {
    const resources: Record<string, CallRow> = {};
    const conditionalSeen = new Set<string>();
    const unresolvedSeen = new Set<string>();
    const redundant: string[] = [];
    const problems: string[] = [];
    for (const [type, rel] of Object.entries(tableTypes(ex))) {
        const facts = rel && !src.files[rel]?.partial ? src.files[rel] : undefined;
        if (!facts) {
            const hand = ex.notGenerated[type];
            if (!hand) problems.push(`${type}: ${rel} is not in ${path.basename(SOURCES_FILE)} and not in notGenerated`);
            else resources[type] = hand.row;
            continue;
        }
        const service = rel!.split("/")[2];
        const dir = `internal/service/${service}/`;
        const fns: Record<string, string[]> = {};
        for (const [p, f] of Object.entries(src.files)) if (p.startsWith(dir)) Object.assign(fns, f.fns);
        const row = { source: rel, commit: facts.commit ?? (facts.indexId ? `index:${facts.indexId}` : null) } as CallRow;
        const add = (phase: Phase, entry: string) => {
            const r = reach(fns, entry);
            for (const u of r.unresolved) {
                const key = `${service}.${u}`;
                if (ex.unresolved[key]) unresolvedSeen.add(key);
                else
                    problems.push(
                        `${type} ${phase}: ${rel} calls ${u}, which no file of ${path.basename(SOURCES_FILE)} defines (add its file, or explain it in unresolved)`,
                    );
            }
            row[phase] = [...new Set([...(row[phase] ?? []), ...[...r.calls].map(iamAction)])];
        };
        for (const phase of PHASES) row[phase] = [];
        for (const [phase, entry] of Object.entries(facts.crud ?? {}) as [Crud, string][]) add(phase, entry);
        if (facts.tagsIdentifier) for (const f of Object.keys(fns).filter((n) => /^(list|update)Tags$/i.test(n))) add("tags", f);
        for (const [phase, actions] of Object.entries(ex.conditional[type] ?? {}) as [Phase, Record<string, string>][])
            for (const a of Object.keys(actions)) {
                if (row[phase].includes(a)) conditionalSeen.add(`${type} ${phase} ${a}`);
                row[phase] = row[phase].filter((x) => x !== a);
            }
        const extra = ex.extra[type];
        for (const phase of PHASES)
            for (const a of extra?.[phase] ?? []) {
                if (row[phase].includes(a)) redundant.push(`${type} ${phase} ${a}`);
                else row[phase].push(a);
            }
        for (const phase of PHASES) row[phase].sort();
        // The creating call first (tests/authz/sufficient.test.ts gives it the new resource's tags): the first SDK
        // call Create makes before its closing Read, else the first authorization extra adds to create.
        const creating = facts.crud?.create
            ? ([...reach(facts.crud.read ? { ...fns, [facts.crud.read]: [] } : fns, facts.crud.create).calls].map(iamAction)[0] ??
              extra?.create?.[0])
            : undefined;
        if (creating) row.create = [creating, ...row.create.filter((a) => a !== creating)];
        if (ex.when[type]) row.when = ex.when[type];
        if (ex.notes[type]) row.note = ex.notes[type];
        resources[type] = row;
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    const table = {
        _about: "GENERATED by tools/codegen/genProviderCalls.ts (npm run gen:provider-calls): do not edit. The AWS API calls terraform-provider-aws (bridged by @pulumi/aws) makes to create, read, update, delete and tag each resource type the program and the org example create, as IAM actions (the Service Authorization Reference's spelling). Derived from the call facts of the provider files in tools/audit/providerSources.json (repository, path and commit per file) plus tools/audit/providerCallExceptions.json (authorizations that are not SDK calls, calls only a branch the program never takes makes, conditions, and the types not generated yet, each with its reason). `commit`: the file's commit (`index:<id>`: the code index's stored version, commit not reported). `create` lists the creating call first. `when`: a call made only when that input is set.",
        notAws: {
            "pulumi:providers:aws": "the provider itself: no resource calls",
            "time:index/rotating:Rotating": "@pulumiverse/time: computes a timestamp, no API calls",
            "pulumiservice:*": "Pulumi Cloud API (the org control plane's Pulumi access token), not AWS",
        },
        resources,
    };
    return { text: `${JSON.stringify(table, null, 2)}\n`, unresolvedSeen, conditionalSeen, redundant };
}

export const loadSources = (): Sources => readJson<Sources>(SOURCES_FILE);
export const loadExceptions = (): Exceptions => readJson<Exceptions>(EXCEPTIONS_FILE);

if (require.main === module) {
    const { values } = parseArgs({ options: { "tf-src": { type: "string" }, write: { type: "boolean" } } });
    const dir = values["tf-src"];
    const sources = loadSources();
    let differences = 0;
    if (dir) {
        // Stage 1 over a checkout: every service package the facts name, whole.
        const services = [...new Set(Object.keys(sources.files).map((p) => p.split("/").slice(0, 3).join("/")))];
        for (const svc of services) {
            const files = Object.fromEntries(
                fs
                    .readdirSync(path.join(dir, svc))
                    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
                    .map((f) => [`${svc}/${f}`, fs.readFileSync(path.join(dir, svc, f), "utf8")]),
            );
            const facts = extractPackage(files);
            for (const p of Object.keys(sources.files).filter((x) => x.startsWith(`${svc}/`))) {
                const head = spawnSync("git", ["log", "-1", "--format=%H", "--", p], { cwd: dir });
                const fresh: FileFacts = { commit: head.status === 0 ? head.stdout.toString().trim() || null : null, ...facts[p] };
                // Keep only the functions the committed facts reach from the CRUD entries (and the tag helpers).
                if (
                    JSON.stringify(fresh.crud) !== JSON.stringify(sources.files[p].crud) ||
                    fresh.tagsIdentifier !== sources.files[p].tagsIdentifier
                ) {
                    differences++;
                    process.stdout.write(`${p}: entries or tagging differ\n`);
                }
                for (const [fn, calls] of Object.entries(sources.files[p].fns)) {
                    const now = fresh.fns[fn] ?? [];
                    const missing = now.filter((c) => !calls.includes(c));
                    if (missing.length > 0) {
                        differences++;
                        process.stdout.write(`${p} ${fn}: the source calls ${missing.join(", ")} (not in the facts)\n`);
                    }
                }
                if (values.write)
                    sources.files[p] = {
                        ...fresh,
                        fns: Object.fromEntries(Object.keys(sources.files[p].fns).map((f) => [f, fresh.fns[f] ?? []])),
                    };
            }
        }
        if (values.write) fs.writeFileSync(SOURCES_FILE, `${JSON.stringify(sources, null, 1)}\n`);
    }
    const { text } = buildTable(sources, loadExceptions());
    if (!dir || values.write) fs.writeFileSync(TABLE_FILE, text);
    process.stdout.write(`${dir && !values.write ? "checked" : "wrote"} ${path.relative(process.cwd(), TABLE_FILE)}\n`);
    process.exit(differences > 0 && !values.write ? 1 : 0);
}
