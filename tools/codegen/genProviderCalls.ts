// Re-derives the provider call table (tools/audit/providerCalls.json) from a terraform-provider-aws
// checkout at the version @pulumi/aws pins (see tools/codegen/genForceNew.ts for how to find it):
// `npm run gen:provider-calls -- --tf-src <checkout> [--write]`.
// For each resource type, the Create/Read/Update/Delete functions of its Go file (SDKv2
// `resource<X>Create…` or Plugin Framework `func (r *…) Create(ctx…`) and the same-file helpers they
// call (`find…`, `wait…`, `status…`, one level at a time) are scanned for AWS SDK client calls
// (`conn.<Op>(ctx` in aws-sdk-go-v2, `conn.<Op>WithContext(ctx` in v1); the service's tags_gen.go
// gives the tag calls. Each operation becomes its IAM action (IAM_NAMES where IAM spells it
// differently). Without --write it prints the differences to the committed table for review: the
// committed table also records calls a scan cannot see (iam:PassRole, tag-on-create permissions).
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import table from "../audit/providerCalls.json";
import { RESOURCE_SOURCES } from "./genForceNew";

export const PHASES = ["create", "read", "update", "delete", "tags"] as const;
export type Phase = (typeof PHASES)[number];
export interface CallRow extends Record<Phase, string[]> {
    source: string | null;
    commit: string | null;
    when?: Record<string, string>;
    note?: string;
}

/** The committed table's rows, typed. */
export function providerCalls(): Record<string, CallRow> {
    return table.resources as Record<string, CallRow>;
}

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

const iamAction = (service: string, op: string): string => {
    const a = `${PREFIX[service] ?? service}:${op}`;
    return IAM_NAMES[a] ?? a;
};

/** Every function body of a Go file by name (top-level `func name(` and methods `func (r *T) name(`). */
export function goFunctions(src: string): Map<string, string> {
    const out = new Map<string, string>();
    const re = /^func (?:\([^)]*\) )?(\w+)\(/gm;
    const starts = [...src.matchAll(re)];
    starts.forEach((m, i) => {
        const name = m[1];
        const body = src.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : src.length);
        out.set(out.has(name) ? `${name}#${i}` : name, body);
    });
    return out;
}

/** SDK operations a body calls: `<client>.<Op>(ctx` (v2) or `<client>.<Op>WithContext(ctx` (v1). */
export function sdkCalls(body: string): string[] {
    const ops = [...body.matchAll(/\b(?:conn|client|\w+Conn|\w+Client)\.([A-Z]\w*?)(?:WithContext)?\(ctx\b/g)].map((m) => m[1]);
    return [...new Set(ops)];
}

/** The operations one CRUD function reaches: its own calls and those of the same-file functions it calls (transitively). */
export function reachedCalls(fns: Map<string, string>, entry: string): string[] {
    const seen = new Set<string>();
    const ops = new Set<string>();
    const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const body = fns.get(name);
        if (!body) return;
        for (const op of sdkCalls(body)) ops.add(op);
        for (const m of body.matchAll(/\b(\w+)\(/g)) if (m[1] !== name && fns.has(m[1])) visit(m[1]);
    };
    visit(entry);
    return [...ops];
}

/** The CRUD entry points of a resource file: SDKv2 `CreateWithoutTimeout: resourceXCreate`, or PF methods. */
export function crudEntries(src: string, fns: Map<string, string>): Partial<Record<Exclude<Phase, "tags">, string>> {
    const out: Partial<Record<Exclude<Phase, "tags">, string>> = {};
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

/** The calls of one resource file (and its service's tags_gen.go when there is one). */
export function callsOf(goSource: string, service: string, tagsGen?: string): Record<Phase, string[]> {
    const fns = goFunctions(goSource);
    const entries = crudEntries(goSource, fns);
    const row = { create: [], read: [], update: [], delete: [], tags: [] } as Record<Phase, string[]>;
    for (const [phase, entry] of Object.entries(entries) as [Exclude<Phase, "tags">, string][])
        row[phase] = reachedCalls(fns, entry)
            .map((op) => iamAction(service, op))
            .sort();
    if (tagsGen && /\btags\.|\bTags\b/.test(goSource))
        row.tags = sdkCalls(tagsGen)
            .map((op) => iamAction(service, op))
            .sort();
    return row;
}

if (require.main === module) {
    const { values } = parseArgs({ options: { "tf-src": { type: "string" }, write: { type: "boolean" } } });
    const dir = values["tf-src"];
    if (!dir) {
        process.stderr.write("usage: npm run gen:provider-calls -- --tf-src <terraform-provider-aws checkout> [--write]\n");
        process.exit(2);
    }
    const rows = providerCalls();
    const sources: Record<string, string> = Object.fromEntries(
        Object.entries(RESOURCE_SOURCES)
            .filter(([, [p]]) => p === "aws")
            .map(([t, [, rel]]) => [t, rel]),
    );
    for (const [t, row] of Object.entries(rows)) if (row.source) sources[t] ??= row.source;
    let differences = 0;
    for (const [type, rel] of Object.entries(sources)) {
        const file = path.join(dir, rel);
        if (!fs.existsSync(file)) {
            process.stderr.write(`${type}: ${rel} is not in the checkout\n`);
            differences++;
            continue;
        }
        const service = rel.split("/")[2];
        const tagsFile = path.join(dir, "internal/service", service, "tags_gen.go");
        const derived = callsOf(
            fs.readFileSync(file, "utf8"),
            service,
            fs.existsSync(tagsFile) ? fs.readFileSync(tagsFile, "utf8") : undefined,
        );
        const row = rows[type];
        for (const phase of PHASES) {
            const missing = derived[phase].filter((a) => !(row?.[phase] ?? []).includes(a));
            if (missing.length > 0) {
                differences++;
                process.stdout.write(`${type} ${phase}: the source calls ${missing.join(", ")} (not in the table)\n`);
            }
        }
        if (values.write) {
            const merged = { ...(row ?? { source: rel, commit: null }) } as CallRow;
            for (const phase of PHASES) merged[phase] = [...new Set([...(row?.[phase] ?? []), ...derived[phase]])];
            const head = require("child_process").spawnSync("git", ["log", "-1", "--format=%H", "--", rel], { cwd: dir });
            merged.commit = head.status === 0 ? head.stdout.toString().trim() || null : null;
            merged.source = rel;
            rows[type] = merged;
        }
    }
    if (values.write) {
        const file = path.join(__dirname, "..", "audit", "providerCalls.json");
        fs.writeFileSync(file, `${JSON.stringify({ ...table, resources: rows }, null, 2)}\n`);
        process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
    }
    process.exit(differences > 0 && !values.write ? 1 : 0);
}
