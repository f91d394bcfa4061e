import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import { ConfigError, parseConfig, parseStackConfig, RESOURCE_TYPES } from "../config";
import { main } from "../tools/plan/plan";
import { evaluateProgram, Evaluation, PlannedResource, readStackFile, StackConfig } from "../tools/mock/mockProgram";

export const ROOT = path.resolve(__dirname, "..");

/**
 * Resources an upgrade removes on purpose: the window role's AmazonSSMMaintenanceWindowRole
 * attachment (SendCommand and StartAutomationExecution on every document and node), replaced by the
 * role's own policy (`<name>-commands`: the patch documents on the patch groups' nodes only); and a
 * hybrid group's rotation and activation `<name>-activation`, now one activation per renewal period
 * and settings, `<name>-activation-<period>-<digest>` (issue 22: every new code counts the servers
 * already registered), which renews each activation once.
 */
export const REMOVED_ON_PURPOSE = (urn: string): boolean =>
    /patch-manager:iam:MaintenanceWindowRole\$aws:iam\/rolePolicyAttachment:RolePolicyAttachment::[^:]*maintenance-window-policy$/.test(
        urn,
    ) ||
    /\$time:index\/rotating:Rotating::[^:]*-hybrid-rotation$/.test(urn) ||
    /\$aws:ssm\/activation:Activation::[^:]*-hybrid-activation$/.test(urn);

/** Every stack file of the project (Pulumi.<stack>.yaml), by stack name. */
export const SHIPPED_STACKS = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

export const T = {
    window: "aws:ssm/maintenanceWindow:MaintenanceWindow",
    target: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    task: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
    baseline: "aws:ssm/patchBaseline:PatchBaseline",
    patchGroup: "aws:ssm/patchGroup:PatchGroup",
    defaultBaseline: "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

/** The shipped stack file's config. */
export function shippedConfig(stack: string): StackConfig {
    return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

/** The shipped stack's config with some `patch-manager:` keys replaced (values as YAML would give them). */
export function withConfig(base: StackConfig, changes: Record<string, unknown>): StackConfig {
    const values = { ...base.values };
    for (const [k, v] of Object.entries(changes)) {
        const key = `patch-manager:${k}`;
        if (v === undefined) delete values[key];
        else values[key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { values, secretKeys: base.secretKeys };
}

export async function evaluate(stack: string, config: StackConfig = shippedConfig(stack)): Promise<Stack> {
    return new Stack(await evaluateProgram({ stack, config }));
}

/** Queries over one evaluation. */
export class Stack {
    constructor(readonly evaluation: Evaluation) {}
    get resources(): PlannedResource[] {
        return this.evaluation.resources;
    }
    get outputs(): Record<string, any> {
        return this.evaluation.outputs;
    }
    ofType(type: string): PlannedResource[] {
        return this.resources.filter((r) => r.type === type);
    }
    one(type: string, name: string): PlannedResource {
        const found = this.resources.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1)
            throw new Error(
                `expected one ${type} named ${name}, found ${found.length}: ${this.ofType(type)
                    .map((r) => r.name)
                    .join(", ")}`,
            );
        return found[0];
    }
    /** Component types registered that RESOURCE_TYPES does not list (a token written out by hand). */
    unlistedComponentTypes(): string[] {
        const listed = new Set<string>(Object.values(RESOURCE_TYPES));
        return [...new Set(this.resources.filter((r) => !r.custom && !listed.has(r.type)).map((r) => r.type))];
    }
    byId(id: unknown): PlannedResource {
        const r = this.resources.find((x) => x.id === id);
        if (!r) throw new Error(`no resource with id ${String(id)}`);
        return r;
    }
    /** The window whose target selects this patch group. */
    windowOf(patchGroup: string): PlannedResource {
        const target = this.ofType(T.target).find((t) => (t.inputs.targets as any[])[0].values.includes(patchGroup));
        if (!target) throw new Error(`no target for ${patchGroup}`);
        return this.byId(target.inputs.windowId);
    }
    /** The task that patches this group (via its target). */
    taskOf(patchGroup: string): PlannedResource {
        const target = this.ofType(T.target).find((t) => (t.inputs.targets as any[])[0].values.includes(patchGroup))!;
        const tasks = this.ofType(T.task).filter((t) => (t.inputs.targets as any[])[0].values.includes(target.id));
        if (tasks.length !== 1) throw new Error(`expected one task for ${patchGroup}, found ${tasks.length}`);
        return tasks[0];
    }
}

export function parameters(task: PlannedResource): Record<string, string[]> {
    const params = (task.inputs as any).taskInvocationParameters.runCommandParameters.parameters as { name: string; values: string[] }[];
    return Object.fromEntries(params.map((p) => [p.name, p.values]));
}

/** Raw config values as the CLI passes them: strings, structures JSON-encoded. */
export function raw(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** The problem lines parseConfig reports for these values (fails the test when it accepts them). */
export function problems(values: Record<string, unknown>): string[] {
    try {
        parseConfig(raw(values), "test");
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return (e as ConfigError).lines();
    }
    assert.fail("expected the config to be refused");
}

/** Asserts problems at `path` (and none elsewhere), one of whose messages contains each fragment. */
export function refused(values: Record<string, unknown>, path: string, ...fragments: string[]): void {
    onlyAt(problems(values), "Pulumi.test.yaml", path, ...fragments);
}

/** Asserts that every problem line is at `file: path`, one of them containing each fragment. */
export function onlyAt(lines: readonly string[], file: string, path: string, ...fragments: string[]): void {
    const at = lines.filter((l) => l.startsWith(`${file}: ${path}: `));
    assert.ok(at.length >= 1 && at.length === lines.length, `problems at ${path} only; got:\n${lines.join("\n")}`);
    for (const f of fragments)
        assert.ok(
            at.some((l) => l.includes(f)),
            `"${at.join(" | ")}" should contain "${f}"`,
        );
}

/**
 * The flags of a plan that reads only the project's committed stack files and writes nothing: with
 * `--from` (no clock), the same arguments give the same output, so one worker runs each such plan
 * once however many test files ask for it.
 */
const PURE_PLAN_FLAGS = new Set([
    "--stack",
    "--json",
    "--from",
    "--all",
    "--include-examples",
    "--days",
    "--occurrences",
    "--soak-days",
    "--project",
]);
const plans = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();

/** Runs `npm run plan -- <args>` in-process, capturing what it writes. */
export async function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const pure =
        args.includes("--from") &&
        args.every((a, i) => PURE_PLAN_FLAGS.has(a) || (i > 0 && PURE_PLAN_FLAGS.has(args[i - 1]) && !a.startsWith("--")));
    if (!pure) return planUncached(args);
    const key = JSON.stringify(args);
    let pending = plans.get(key);
    if (!pending) {
        pending = planUncached(args);
        plans.set(key, pending);
    }
    return { ...(await pending) };
}

async function planUncached(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const out = process.stdout.write;
    const err = process.stderr.write;
    process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof out;
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof err;
    try {
        const code = await main(args);
        return { code, stdout, stderr };
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
}

/** The lines a whole stack's config (every namespace, full keys) is refused with, or [] when it is accepted. */
export function stackRefusal(all: Record<string, string>, stack = "t"): string[] {
    try {
        parseStackConfig(all, stack);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.lines();
    }
}

/**
 * Resource types constructed anywhere in the program's sources (`new aws.ssm.PatchGroup(`,
 * `new time.Rotating(`). The organisation's control plane (org/) is another Pulumi project, which
 * the plan diff does not evaluate, so its types are not the table's.
 */
export function typesInSources(): Map<string, string> {
    const found = new Map<string, string>();
    const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) return ["node_modules", "tests", "tools", ".git", "policies", "org"].includes(e.name) ? [] : walk(p);
            return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
        });
    for (const file of walk(ROOT)) {
        const text = fs.readFileSync(file, "utf8");
        for (const m of text.matchAll(/new aws\.(\w+)\.(\w+)\(/g)) {
            const cls = (aws as any)[m[1]]?.[m[2]];
            assert.ok(cls?.__pulumiType, `${path.relative(ROOT, file)}: aws.${m[1]}.${m[2]} is not an @pulumi/aws resource`);
            found.set(cls.__pulumiType, path.relative(ROOT, file));
        }
        for (const m of text.matchAll(/new time\.(\w+)\(/g)) found.set((time as any)[m[1]].__pulumiType, path.relative(ROOT, file));
    }
    return found;
}
