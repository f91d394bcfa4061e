// Regenerates tools/diff/forceNew.json from a terraform-provider-aws checkout:
// `npm run gen:force-new -- --tf-src <dir>`. The Pulumi AWS provider bridges
// that provider and replaces a resource exactly when a ForceNew attribute
// changes; its own package schema does not say which attributes those are.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

/** Pulumi type token → provider source file (relative to the checkout). */
export const SDK_RESOURCES: Record<string, string> = {
    "aws:ssm/maintenanceWindow:MaintenanceWindow": "internal/service/ssm/maintenance_window.go",
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": "internal/service/ssm/maintenance_window_target.go",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": "internal/service/ssm/maintenance_window_task.go",
    "aws:ssm/patchBaseline:PatchBaseline": "internal/service/ssm/patch_baseline.go",
    "aws:ssm/patchGroup:PatchGroup": "internal/service/ssm/patch_group.go",
};

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Top-level attributes of an SDKv2 resource schema (`Schema: map[string]*schema.Schema{`)
 * that carry `ForceNew: true`, as Pulumi input names. Nested blocks are skipped:
 * the bridge replaces on a nested ForceNew too, but none of the resources above has one.
 */
export function forceNewAttributes(goSource: string): string[] {
    const start = goSource.search(/Schema:\s*map\[string\]\*schema\.Schema\{/);
    if (start < 0) return [];
    const found: string[] = [];
    let depth = 0;
    let current: string | undefined;
    for (const line of goSource.slice(start).split("\n")) {
        if (depth === 1) {
            const m = /^\s*(?:"([a-z0-9_]+)"|names\.Attr(\w+))\s*:\s*\{/.exec(line);
            if (m) current = m[1] ? camel(m[1]) : m[2].charAt(0).toLowerCase() + m[2].slice(1);
        }
        if (depth === 2 && current && /^\s*ForceNew:\s*true/.test(line)) found.push(current);
        for (const ch of line) {
            if (ch === "{") depth++;
            else if (ch === "}") depth--;
        }
        if (depth <= 0) break;
    }
    return [...new Set(found)].sort();
}

if (require.main === module) {
    const { values } = parseArgs({ options: { "tf-src": { type: "string" } } });
    const src = values["tf-src"];
    if (!src) {
        process.stderr.write("usage: npm run gen:force-new -- --tf-src <terraform-provider-aws checkout>\n");
        process.exit(2);
    }
    const file = path.join(__dirname, "diff", "forceNew.json");
    const table = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const [type, rel] of Object.entries(SDK_RESOURCES)) {
        table.resources[type] = forceNewAttributes(fs.readFileSync(path.join(src, rel), "utf8"));
        table._sources[type] = `${rel} (generated from a checkout)`;
    }
    fs.writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
    process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
}
