// PatchManagerArgs and the stack config's schemas are one declaration: the settings' interfaces
// are generated from the schemas (tools/codegen/genArgs.ts), and PatchManagerArgs adds only what
// is no config key.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as z from "zod";
import type {
    AlertsSettings,
    ApprovalRuleSettings,
    BaselineSettings,
    ComplianceSettings,
    DeniedApplicationsSettings,
    HookDocumentsSettings,
    HybridSettings,
    LoggingSettings,
    PatchFilterSettings,
    PatchGroupSettings,
    PatchManagerArgs,
    PatchSourceSettings,
    PrivateEndpointSettings,
    RateControlSettings,
    SafeStopsSettings,
    ScheduleSettings,
} from "../../../components";
import { patchManagerConfig } from "../../../components";
import { CONFIG_KEYS, KEYS, REQUIRED_KEYS } from "../../../config/keys";
import { ARGS_FILE, argsSource, interfacesFromJsonSchema, SchemaNode, settingsJsonSchema } from "../../../tools/codegen/genArgs";

const COMPONENTS = path.join(__dirname, "..", "..", "..", "components");

/** The args' fields as TypeScript sees them (inherited ones included), each with whether it is optional. */
function argsFields(): Map<string, boolean> {
    const files = [path.join(COMPONENTS, "patchManager.ts"), ARGS_FILE];
    // The two files alone: the interfaces' names are all this needs, not @pulumi/aws's typings.
    const program = ts.createProgram(files, { noResolve: true, noLib: true, types: [] });
    const checker = program.getTypeChecker();
    const args = program
        .getSourceFile(files[0])!
        .statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "PatchManagerArgs");
    assert.ok(args, "components/patchManager.ts declares no PatchManagerArgs");
    const props = checker.getPropertiesOfType(checker.getTypeAtLocation(args.name));
    return new Map(props.map((p) => [p.name, (p.flags & ts.SymbolFlags.Optional) !== 0]));
}

/** The generated interfaces of a schema, for the emitter's own rules. */
const interfaces = (schema: z.ZodType) => interfacesFromJsonSchema(z.toJSONSchema(schema, { io: "input", reused: "ref" }) as SchemaNode);

describe("PatchManagerArgs from the stack config's schemas (components/args.generated.ts)", function () {
    it("the committed file is what npm run gen:args writes", async function () {
        const committed = fs.readFileSync(ARGS_FILE, "utf8");
        assert.ok(committed === (await argsSource()), "components/args.generated.ts differs from the schemas: run npm run gen:args");
    });

    it("every config key of a deployment is a field of PatchManagerArgs and every field a key, besides stack and centralLogBucket", function () {
        const wholeStack = CONFIG_KEYS.filter((k) => KEYS[k as keyof typeof KEYS].meta()?.wholeStack === true);
        // The program's own keys: one deployment per region, one log bucket for them, the names kept.
        assert.deepEqual(wholeStack.sort(), ["centralLogBucket", "keepSingleRegionNames", "regions"]);
        const fields = argsFields();
        const handWritten = ["centralLogBucket", "stack"];
        assert.deepEqual(
            [...fields.keys()].filter((f) => !handWritten.includes(f)).sort(),
            CONFIG_KEYS.filter((k) => !wholeStack.includes(k)).sort(),
        );
        for (const [field, optional] of fields) assert.equal(optional, !(REQUIRED_KEYS as readonly string[]).includes(field), field);
    });

    it("a value written against the exported interfaces passes the component's validation, a Patch Tuesday schedule included", function () {
        const rateControl: RateControlSettings = { maxConcurrency: "10%", maxErrors: "1" };
        const schedule: ScheduleSettings = { patchTuesday: { daysAfter: 2, at: "23:00" }, durationHours: 4 };
        const hybrid: HybridSettings = { registrationLimit: 5 };
        const group: PatchGroupSettings = {
            name: "Web",
            operatingSystem: "AMAZON_LINUX_2023",
            baseline: "web",
            schedule,
            rateControl,
            hybrid,
        };
        const filter: PatchFilterSettings = { key: "CLASSIFICATION", values: ["Security"] };
        const rule: ApprovalRuleSettings = { patchFilters: [filter], approveAfterDays: 3 };
        const source: PatchSourceSettings = {
            name: "mirror",
            products: ["AmazonLinux2023"],
            configuration: "[main]\nname=mirror\nbaseurl=https://mirror.example/al2023\nenabled=1",
        };
        const baseline: BaselineSettings = { name: "web", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [rule], sources: [source] };
        const logging: LoggingSettings = { keyPrefix: "logs/ssm", expireAfterDays: 30 };
        const alerts: AlertsSettings = { emails: ["ops@example.com"], events: ["Failed"] };
        const compliance: ComplianceSettings = { dailyScan: true, configRule: true, configRecorder: "existing" };
        const deniedApplications: DeniedApplicationsSettings = { applications: ["telnet"], platformType: "Linux" };
        const hooks: HookDocumentsSettings = { preInstall: "Drain-Web" };
        const safeStops: SafeStopsSettings = { alarmName: "patching-stop", hooks: { Web: hooks } };
        const endpoints: PrivateEndpointSettings = {
            vpcId: "vpc-0123456789abcdef0",
            subnetIds: ["subnet-0123456789abcdef0"],
            patchSource: "nat",
        };
        const args: PatchManagerArgs = {
            environment: "test",
            stack: "codegen",
            patchGroups: [group],
            baselines: [baseline],
            logging,
            alerts,
            compliance,
            deniedApplications,
            safeStops,
            privateEndpoints: [endpoints],
            tags: { CostCenter: "1234" },
        };
        const config = patchManagerConfig("codegen", args);
        // Patch Tuesday + 2 at 23:00: the second Tuesday's cron, two days later.
        assert.match(config.patchGroups[0].window?.schedule ?? "", /^cron\(0 23 \? \* TUE#2 \*\)$/);
        assert.equal(config.patchGroups[0].window?.scheduleOffset, 2);
    });

    it("names each map's interface after its schema and documents each field from it", function () {
        const settings = settingsJsonSchema();
        const source = interfacesFromJsonSchema(settings);
        const schedule = /export interface ScheduleSettings \{[^}]*\}/.exec(source)?.[0];
        assert.ok(schedule, "no ScheduleSettings");
        // A schedule takes a cron or patchTuesday: neither is required, its length is.
        assert.match(schedule, /readonly cron\?: string;/);
        assert.match(schedule, /readonly patchTuesday\?: PatchTuesdaySettings;/);
        assert.match(schedule, /readonly durationHours: number;/);
        assert.match(source, /export interface PatchTuesdaySettings \{/);
        // A map used twice (a group's schedule and rebootWindow) is declared once.
        assert.equal(source.match(/export interface ScheduleSettings\b/g)?.length, 1);
        assert.match(source, /readonly rebootWindow\?: ScheduleSettings;/);
        // privateEndpoints[].region is the whole stack's (with regions): a deployment's VPCs are in its region.
        const endpoints = /export interface PrivateEndpointSettings \{[^}]*\}/.exec(source)?.[0] ?? "";
        assert.match(endpoints, /readonly vpcId: string;/);
        assert.doesNotMatch(endpoints, /readonly region/);
    });

    it("writes an enum as string with its values in the doc, and limits in words", function () {
        const source = interfaces(
            z
                .object({
                    kind: z.enum(["a", "b"]).meta({ description: "The kind." }),
                    hours: z.number().int().min(1).max(24).optional().meta({ description: "Hours." }),
                    names: z.array(z.string()).min(1).meta({ description: "Names." }),
                })
                .meta({ title: "Root" }),
        );
        assert.match(source, /\/\*\* The kind\. One of "a", "b"\. \*\/\s+readonly kind: string;/);
        assert.match(source, /\/\*\* Hours\. A whole number, 1 to 24\. \*\/\s+readonly hours\?: number;/);
        assert.match(source, /\/\*\* Names\. At least 1 entry\. \*\/\s+readonly names: string\[\];/);
    });

    it("keeps a field's doc apart from its type's", function () {
        const inner = z.object({ x: z.string().meta({ description: "X." }) }).meta({ id: "InnerSettings", description: "The type." });
        const source = interfaces(z.object({ one: inner.meta({ description: "The field." }) }).meta({ title: "Root" }));
        assert.match(source, /\/\*\* The field\. \*\/\s+readonly one: InnerSettings;/);
        assert.match(source, /\/\*\* The type\. \*\/\s+export interface InnerSettings \{/);
    });

    it("refuses what the component package cannot read or would leave undocumented, naming the field", function () {
        const root = (shape: z.ZodRawShape) => z.object(shape).meta({ title: "Root" });
        assert.throws(
            () =>
                interfaces(
                    root({
                        outer: z
                            .object({ v: z.union([z.string(), z.number()]).meta({ description: "V." }) })
                            .meta({ id: "O", description: "O." }),
                    }),
                ),
            /^Error: outer\.v: .*unions are refused/,
        );
        assert.throws(
            () => interfaces(root({ m: z.object({ a: z.string() }).meta({ description: "M." }) })),
            /^Error: m: a map needs a name/,
        );
        assert.throws(() => interfaces(root({ s: z.string() })), /^Error: s: a field needs a description/);
        // A type the schema widens for YAML's sake is declared as programs pass it.
        const tags = root({
            tags: z.record(z.string(), z.union([z.string(), z.number()]).meta({ argsType: "string" })).meta({ description: "T." }),
        });
        assert.match(interfaces(tags), /readonly tags: Record<string, string>;/);
    });
});
