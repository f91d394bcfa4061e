import * as assert from "node:assert/strict";
import type {
    Policies,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { naturalKeyOf } from "../../../policies/replacement";
import { PatchingScope, patchingScope } from "../../../policies/scope";
import {
    AuditResource,
    PolicyConfigError,
    PolicyPackConfigInput,
    PolicyRunError,
    deserialize,
    effectiveLevel,
    resolveConfig,
    runPolicies,
} from "../../../tools/audit/engine";
import { policies as packPolicies } from "../../../policies/pack";
import { TYPES } from "@patch-manager/ssm";
import {
    APPLIES_TO,
    OWN_PROPS,
    StackResource,
    materialize,
    materializeProps,
    materializedResources,
    report,
    stackResources,
    validateResourceOfTypes,
} from "../../../policies/util";
import fc from "fast-check";
import { UNKNOWN_STRING, urnOf } from "../../policies/harness";
import { prodStack, taskInputs } from "../../policies/resources";

const BUCKET_T = TYPES.bucket;

function resource(type: string, name: string, inputs: Record<string, any>, extra: Partial<AuditResource> = {}): AuditResource {
    return { urn: urnOf(type, name), type, name, custom: true, inputs, ...extra };
}

/** A resource policy that reports every resource of `type` it sees. */
function always(name: string, level?: ResourceValidationPolicy["enforcementLevel"], type = BUCKET_T): ResourceValidationPolicy {
    return {
        name,
        description: `${name} description`,
        enforcementLevel: level,
        validateResource: validateResourceOfTypes(type, (_props, args, report) => report(`${args.name} seen by ${name}`)),
    };
}

/**
 * The pack's compliant production stack as AuditResources: inputs without ids, outputs with them,
 * and the resource option a compliant program sets on a resource named by its inputs.
 */
function prodResources(): AuditResource[] {
    return prodStack().map((e) => {
        const { id, arn: _arn, ...inputs } = e.props as Record<string, any>;
        const deleteFirst = naturalKeyOf(e.type, inputs) ? { deleteBeforeReplace: true } : {};
        return resource(e.type, e.name, inputs, { id, outputs: e.props, custom: e.type !== TYPES.stack, ...deleteFirst });
    });
}

describe("tools/audit/engine", () => {
    describe("enforcement levels", () => {
        const policies: Policies = [always("own-mandatory", "mandatory"), always("own-advisory", "advisory"), always("no-level")];
        const bucket = [resource(BUCKET_T, "logs", {})];
        const levels = async (opts: Parameters<typeof runPolicies>[1]) =>
            Object.fromEntries((await runPolicies(bucket, { policies, ...opts })).map((v) => [v.policy, v.level]));

        it("uses the policy's own level, else the pack's, else advisory", async () => {
            assert.deepEqual(await levels({ packEnforcementLevel: "mandatory" }), {
                "own-mandatory": "mandatory",
                "own-advisory": "advisory",
                "no-level": "mandatory",
            });
            assert.deepEqual(effectiveLevel({ name: "x" }, new Map(), undefined), "advisory");
        });

        it("lets `all` override the policies' own levels, and a policy's entry override `all`", async () => {
            assert.deepEqual(await levels({ config: { all: "mandatory" } }), {
                "own-mandatory": "mandatory",
                "own-advisory": "mandatory",
                "no-level": "mandatory",
            });
            assert.deepEqual(await levels({ config: { all: { enforcementLevel: "advisory" }, "own-mandatory": "mandatory" } }), {
                "own-mandatory": "mandatory",
                "own-advisory": "advisory",
                "no-level": "advisory",
            });
        });

        it("skips disabled policies (by name or through all) and reports remediate as mandatory", async () => {
            assert.deepEqual(await levels({ config: { "own-mandatory": "disabled" } }), {
                "own-advisory": "advisory",
                "no-level": "advisory",
            });
            assert.deepEqual(await levels({ config: { all: "disabled", "no-level": { enforcementLevel: "remediate" } } }), {
                "no-level": "mandatory",
            });
        });

        it("carries urn, level and the rule's message", async () => {
            assert.deepEqual(await runPolicies(bucket, { policies: [always("own-mandatory", "mandatory")] }), [
                { policy: "own-mandatory", level: "mandatory", urn: urnOf(BUCKET_T, "logs"), message: "logs seen by own-mandatory" },
            ]);
        });
    });

    describe("findings with a property", () => {
        const located: ResourceValidationPolicy = {
            name: "located",
            description: "d",
            enforcementLevel: "mandatory",
            validateResource: validateResourceOfTypes(BUCKET_T, (props, args, reportViolation) =>
                report(reportViolation, { message: `${args.name} has acl ${props.acl}`, property: "acl", valid: '"private"' }),
            ),
        };
        const onAnother: StackValidationPolicy = {
            name: "on-another",
            description: "d",
            enforcementLevel: "advisory",
            validateStack: (args, reportViolation) =>
                report(reportViolation, { message: "second", urn: args.resources[1].urn, property: "versioning", valid: "enabled" }),
        };
        const buckets = [resource(BUCKET_T, "one", { acl: "public-read" }), resource(BUCKET_T, "two", {})];

        it("keeps the property and valid values a rule states beside its message; a plain reportViolation states none", async () => {
            assert.deepEqual(await runPolicies(buckets.slice(0, 1), { policies: [located, always("plain", "advisory")] }), [
                {
                    policy: "located",
                    level: "mandatory",
                    urn: buckets[0].urn,
                    message: "one has acl public-read",
                    property: "acl",
                    valid: '"private"',
                },
                { policy: "plain", level: "advisory", urn: buckets[0].urn, message: "one seen by plain" },
            ]);
            assert.deepEqual(await runPolicies(buckets, { policies: [onAnother] }), [
                {
                    policy: "on-another",
                    level: "advisory",
                    urn: buckets[1].urn,
                    message: "second",
                    property: "versioning",
                    valid: "enabled",
                },
            ]);
        });

        it("through the analyzer's reportViolation, which keeps nothing but a message and a URN, report sends exactly those", () => {
            const calls: unknown[][] = [];
            report((...args: unknown[]) => void calls.push(args), { message: "m", urn: "u", property: "p", valid: "v" });
            report((...args: unknown[]) => void calls.push(args), { message: "n" });
            assert.deepEqual(calls, [
                ["m", "u"],
                ["n", undefined],
            ]);
        });
    });

    describe("config", () => {
        const seen: unknown[] = [];
        const configurable: ResourceValidationPolicy = {
            name: "configurable",
            description: "d",
            enforcementLevel: "advisory",
            configSchema: {
                properties: {
                    ceiling: { type: "integer", minimum: 1, maximum: 100, default: 25 },
                    names: { type: "array", items: { type: "string" }, default: [] },
                },
            },
            validateResource: (args) => {
                seen.push(args.getConfig());
            },
        };

        it("fills schema defaults into getConfig, keeps given values, and hides enforcementLevel", async () => {
            seen.length = 0;
            await runPolicies([resource(BUCKET_T, "a", {})], { policies: [configurable] });
            await runPolicies([resource(BUCKET_T, "a", {})], {
                policies: [configurable],
                config: { configurable: { enforcementLevel: "mandatory", ceiling: 50 } },
            });
            assert.deepEqual(seen, [
                { ceiling: 25, names: [] },
                { ceiling: 50, names: [] },
            ]);
        });

        it("refuses unknown policies, unknown settings, wrong types, out-of-range values and bad levels, all at once", () => {
            assert.throws(
                () =>
                    resolveConfig(
                        {
                            "no-such-policy": "mandatory",
                            configurable: { ceiling: "high", names: [1], colour: "red" } as any,
                            all: "strict" as any,
                        },
                        [configurable],
                    ),
                (e: unknown) => {
                    assert.ok(e instanceof PolicyConfigError);
                    assert.deepEqual(e.problems, [
                        `"no-such-policy" is not a policy of this pack (policies: configurable)`,
                        `configurable.ceiling must be integer, not string "high"`,
                        `configurable.names[0] must be string, not integer 1`,
                        `configurable has no setting "colour" (settings: ceiling, names)`,
                        `all.enforcementLevel must be one of advisory, mandatory, remediate, disabled, not "strict"`,
                    ]);
                    return true;
                },
            );
            assert.throws(
                () => resolveConfig({ configurable: { ceiling: 101 } }, [configurable]),
                /configurable.ceiling must be at most 100, not 101/,
            );
        });

        it("accepts the pack's own config keys", async () => {
            const config: PolicyPackConfigInput = {
                "task-production-concurrency": { maxConcurrencyPercent: 50, productionStacks: ["live"] },
                "task-reboot-if-needed": { noRebootWindows: ["patch-manager-prod-web-server"] },
                "window-quotas": { maxWindows: 100 },
                all: "mandatory",
            };
            assert.deepEqual(await runPolicies(prodResources(), { config }), []);
        });
    });

    describe("applicability and errors", () => {
        it("takes the __pulumiType fast path and honours args.notApplicable()", async () => {
            let calls = 0;
            const typed: ResourceValidationPolicy = {
                name: "typed",
                description: "d",
                validateResource: validateResourceOfTypes(BUCKET_T, () => void calls++),
            };
            const declines: ResourceValidationPolicy = {
                name: "declines",
                description: "d",
                validateResource: (args, report) => {
                    calls++;
                    if (args.type !== BUCKET_T) args.notApplicable("buckets only");
                    report("bucket!");
                },
            };
            const v = await runPolicies([resource(TYPES.role, "r", {}), resource(BUCKET_T, "b", {})], { policies: [typed, declines] });
            assert.equal(calls, 3); // typed: the bucket only; declines: both
            assert.deepEqual(
                v.map((x) => `${x.policy}:${x.message}`),
                ["declines:bucket!"],
            );
        });

        it("calls a validation of several types only for those types; the findings are those of calling it for every resource", async () => {
            const several = validateResourceOfTypes([BUCKET_T, TYPES.role], (_props, args, report) => report(`${args.name} seen`));
            assert.deepEqual((several as never as Record<typeof APPLIES_TO, unknown>)[APPLIES_TO], [BUCKET_T, TYPES.role]);
            const called: string[] = [];
            // The validation, counted, with what it says of its types, and without it: then called for every resource.
            const counted = (args: ResourceValidationArgs, report: ReportViolation) => (called.push(args.name), several(args, report));
            const policy = (validateResource: ResourceValidation): ResourceValidationPolicy => ({
                name: "several",
                description: "d",
                validateResource,
            });
            const resources = [resource(TYPES.window, "w", {}), resource(TYPES.role, "r", {}), resource(BUCKET_T, "b", {})];
            const skipped = await runPolicies(resources, {
                policies: [policy(Object.assign(counted, { [APPLIES_TO]: [BUCKET_T, TYPES.role] }))],
            });
            assert.deepEqual(called.splice(0), ["r", "b"]);
            assert.deepEqual(await runPolicies(resources, { policies: [policy((args, report) => counted(args, report))] }), skipped);
            assert.deepEqual(called, ["w", "r", "b"]);
            assert.deepEqual(
                skipped.map((x) => x.message),
                ["r seen", "b seen"],
            );
        });

        it("turns an unknown value into an advisory 'can't run during preview', as the engine does", async () => {
            const reads: ResourceValidationPolicy = {
                name: "reads",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: (args) => void args.props.bucket.length,
            };
            const v = await runPolicies([resource(BUCKET_T, "b", { bucket: UNKNOWN_STRING })], { policies: [reads] });
            assert.deepEqual(v, [
                {
                    policy: "reads",
                    level: "advisory",
                    urn: urnOf(BUCKET_T, "b"),
                    message: "can't run policy 'reads' during preview: string value at .bucket can't be known during preview",
                },
            ]);
        });

        it("fails with PolicyRunError when a rule throws", async () => {
            const broken: ResourceValidationPolicy = {
                name: "broken",
                description: "d",
                validateResource: () => {
                    throw new Error("boom");
                },
            };
            await assert.rejects(
                runPolicies([resource(BUCKET_T, "b", {})], { policies: [broken] }),
                (e: unknown) => e instanceof PolicyRunError && /policy 'broken': boom/.test(e.message),
            );
        });
    });

    describe("stack policies", () => {
        it("see outputs, or inputs plus the id where there are no outputs, with parents and property dependencies", async () => {
            const seen: Array<{ name: string; props: any; parent?: string; deps: string[] }> = [];
            const spy: StackValidationPolicy = {
                name: "spy",
                description: "d",
                validateStack: (args) => {
                    for (const r of args.resources) {
                        seen.push({
                            name: r.name,
                            props: JSON.parse(JSON.stringify(r.props)),
                            parent: r.parent?.name,
                            deps: (r.propertyDependencies.bucket ?? []).map((d) => d.name),
                        });
                    }
                },
            };
            const parent = resource("patch-manager:logging:LogBucket", "logging", {}, { custom: false });
            const bucket = resource(
                BUCKET_T,
                "b",
                { bucketPrefix: "logs-" },
                { id: "logs-123", outputs: { bucket: "logs-123", id: "logs-123", arn: "arn:aws:s3:::logs-123" }, parent: parent.urn },
            );
            const block = resource(
                TYPES.bucketPublicAccessBlock,
                "pab",
                { bucket: "logs-123" },
                { id: "logs-123", propertyDependencies: { bucket: [bucket.urn] } },
            );
            await runPolicies([parent, bucket, block], { policies: [spy] });
            assert.deepEqual(seen, [
                { name: "logging", props: {}, parent: undefined, deps: [] },
                { name: "b", props: { bucket: "logs-123", id: "logs-123", arn: "arn:aws:s3:::logs-123" }, parent: "logging", deps: [] },
                { name: "pab", props: { bucket: "logs-123", id: "logs-123" }, parent: undefined, deps: ["b"] },
            ]);
        });

        it("each get resources of their own, as server.ts deserializes them per policy: what one changes the next never sees, in this run or the next", async () => {
            const seen: unknown[] = [];
            const vandal: StackValidationPolicy = {
                name: "vandal",
                description: "d",
                validateStack: (args) => {
                    for (const r of args.resources) {
                        seen.push(["vandal", r.name, JSON.parse(JSON.stringify(r.props)), r.dependencies.length, { ...r.provider?.props }]);
                        (r.props as any).bucket = "changed";
                        if ((r.props as any).tags) (r.props as any).tags.Name = "changed";
                        r.dependencies.length = 0;
                        r.propertyDependencies.bucket = [];
                        if (r.provider) r.provider.props.region = "changed";
                        r.parent = undefined;
                    }
                    args.resources.reverse();
                },
            };
            const witness: StackValidationPolicy = {
                name: "witness",
                description: "d",
                validateStack: (args) => {
                    for (const r of args.resources) {
                        seen.push([
                            "witness",
                            r.name,
                            JSON.parse(JSON.stringify(r.props)),
                            r.dependencies.map((d) => d.name),
                            (r.propertyDependencies.bucket ?? []).map((d) => d.name),
                            r.parent?.name,
                            { ...r.provider?.props },
                        ]);
                    }
                },
            };
            const provider = resource("pulumi:providers:aws", "west", { region: "eu-west-1" }, { id: "p1", custom: true });
            const a = resource(BUCKET_T, "a", { bucket: "logs-a", tags: { Name: "a" } }, { provider: `${provider.urn}::p1` });
            const b = resource(
                BUCKET_T,
                "b",
                { bucket: "logs-b", tags: { Name: "b" } },
                { parent: a.urn, dependencies: [a.urn], propertyDependencies: { bucket: [a.urn] } },
            );
            const expected = (aBucket: string, bBucket: string) => [
                ["vandal", "west", { region: "eu-west-1", id: "p1" }, 0, {}],
                ["vandal", "a", { bucket: aBucket, tags: { Name: "a" } }, 0, { region: "eu-west-1" }],
                ["vandal", "b", { bucket: bBucket, tags: { Name: "b" } }, 1, {}],
                ["witness", "west", { region: "eu-west-1", id: "p1" }, [], [], undefined, {}],
                ["witness", "a", { bucket: aBucket, tags: { Name: "a" } }, [], [], undefined, { region: "eu-west-1" }],
                ["witness", "b", { bucket: bBucket, tags: { Name: "b" } }, ["a"], ["a"], "a", {}],
            ];
            await runPolicies([provider, a, b], { policies: [vandal, witness] });
            assert.deepEqual(seen, expected("logs-a", "logs-b"));
            // A second run in the same process, on other values: nothing of the first run's answers.
            seen.length = 0;
            a.inputs.bucket = "logs-a2";
            b.inputs = { bucket: "logs-b2", tags: { Name: "b" } };
            await runPolicies([provider, a, b], { policies: [vandal, witness] });
            assert.deepEqual(seen, expected("logs-a2", "logs-b2"));
        });

        it("give stack-level violations the stack's URN", async () => {
            const stackLevel: StackValidationPolicy = {
                name: "stack-level",
                description: "d",
                enforcementLevel: "mandatory",
                validateStack: (_a, report) => report("whole stack"),
            };
            const v = await runPolicies([], { policies: [stackLevel], stackName: "prod", projectName: "patch-manager" });
            assert.deepEqual(v, [
                {
                    policy: "stack-level",
                    level: "mandatory",
                    urn: "urn:pulumi:prod::patch-manager::pulumi:pulumi:Stack::patch-manager-prod",
                    message: "whole stack",
                },
            ]);
        });

        it("run the pack's stack rules on a stack export's resources: a production task joined to its window by id", async () => {
            const resources = prodResources();
            const task = resources.find((r) => r.type === TYPES.windowTask)!;
            task.inputs = { ...taskInputs(), maxConcurrency: "60%" };
            task.outputs = { ...task.outputs, maxConcurrency: "60%" };
            const v = await runPolicies(resources);
            assert.deepEqual(
                v.map((x) => [x.policy, x.level, x.urn]),
                [["task-production-concurrency", "mandatory", task.urn]],
            );
        });
    });

    describe("what the engine hands the rules (pulumi/pulumi analyzer_plugin.go, step_generator.go)", () => {
        it("no top-level internal key (`__defaults`), nested ones kept; resources read with .get reach no rule", async () => {
            const seen: unknown[] = [];
            const peek: ResourceValidationPolicy = {
                name: "peek",
                description: "peek",
                enforcementLevel: "advisory",
                validateResource: (args) => {
                    seen.push(JSON.parse(JSON.stringify(args.props)));
                },
            };
            const stackSeen: string[] = [];
            const peekStack: StackValidationPolicy = {
                name: "peek-stack",
                description: "peek",
                enforcementLevel: "advisory",
                validateStack: (args) => {
                    stackSeen.push(...args.resources.map((r) => r.name));
                },
            };
            const checked = { bucket: "logs-1a2b3c4", tags: { Name: "x", __defaults: [] }, __defaults: ["bucket"] };
            await runPolicies(
                [resource(BUCKET_T, "logs", checked), resource(BUCKET_T, "existing", { bucket: "other" }, { external: true, id: "other" })],
                { policies: [peek, peekStack] },
            );
            assert.deepEqual(seen, [{ bucket: "logs-1a2b3c4", tags: { Name: "x", __defaults: [] } }]);
            assert.deepEqual(stackSeen, ["logs"]);
        });
    });

    it("each resource validation gets the resource's props of its own: what one changes no other sees", async () => {
        const seen: unknown[] = [];
        const vandal = (name: string): ResourceValidationPolicy => ({
            name,
            description: name,
            validateResource: [
                (args) => {
                    seen.push([name, JSON.parse(JSON.stringify(args.props))]);
                    args.props.bucket = `${name} was here`;
                    args.props.tags.Name = name;
                    args.props.list.push(name);
                },
                (args) => {
                    seen.push([name, JSON.parse(JSON.stringify(args.props))]);
                },
            ],
        });
        const inputs = { bucket: "logs", tags: { Name: "logs" }, list: [1] };
        await runPolicies([resource(BUCKET_T, "logs", inputs)], { policies: [vandal("first"), vandal("second")] });
        assert.deepEqual(seen, [
            ["first", inputs],
            ["first", inputs],
            ["second", inputs],
            ["second", inputs],
        ]);
        assert.deepEqual(inputs, { bucket: "logs", tags: { Name: "logs" }, list: [1] });
    });

    it("props are read when a rule first reads them: a rule that returns at the type reads none; one that assigns keeps its value", async () => {
        let reads = 0;
        // A resource whose inputs count every read of their one key (deserializing reads every key).
        const counted = () => {
            const inputs: Record<string, unknown> = {};
            Object.defineProperty(inputs, "bucket", { get: () => (reads++, "logs"), enumerable: true });
            return inputs;
        };
        const seen: unknown[] = [];
        const policies: Policies = [
            {
                name: "by-type",
                description: "d",
                validateResource: (args) => void (args.type === "aws:s3/bucketV2:BucketV2" && seen.push(args.props)),
            },
            {
                name: "stack-by-type",
                description: "d",
                validateStack: (args) => void args.resources.filter((r) => r.type === "nothing").forEach((r) => seen.push(r.props)),
            },
        ];
        await runPolicies([resource(BUCKET_T, "logs", counted()), resource(BUCKET_T, "more", counted())], { policies });
        assert.equal(reads, 0);
        assert.deepEqual(seen, []);

        const kept: unknown[] = [];
        const assigning: Policies = [
            {
                name: "assigns",
                description: "d",
                validateResource: (args) => {
                    // Where server.ts puts it: second, after the type.
                    kept.push(Object.keys(args).indexOf("props") === 1, { ...args }.props.bucket);
                    args.props = { bucket: "mine" };
                    kept.push(args.props.bucket, args.asType as unknown as string);
                },
            },
            {
                name: "reads",
                description: "d",
                validateStack: (args) => {
                    const [r] = args.resources;
                    kept.push(r.props.bucket, r.props === r.props && Object.keys(r).indexOf("props") === 1);
                    r.props = { bucket: "stack's" };
                    kept.push(r.props.bucket);
                },
            },
        ];
        await runPolicies([resource(BUCKET_T, "logs", counted())], { policies: assigning });
        assert.deepEqual(kept.slice(0, 3), [true, "logs", "mine"]);
        assert.deepEqual(kept.slice(4), ["logs", true, "stack's"]);
        assert.equal(reads, 2);
    });

    describe("the rules' own plain copy (policies/util.ts OWN_PROPS)", () => {
        const SIG = "4dabf18193072939515e22adb298388d";
        const { unknownStringValue, unknownArrayValue, unknownObjectValue } = require("@pulumi/policy/proxy") as Record<string, string>;
        const leaf = fc.oneof(
            fc.constantFrom(unknownStringValue, unknownArrayValue, unknownObjectValue, null, true, "", 0),
            fc.string(),
            fc.double({ noNaN: true }),
            // What a state file holds: a secret (plaintext or not), an output, a resource reference.
            fc.constantFrom(
                { [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: '{"a":["x"]}' },
                { [SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" },
                { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: { k: unknownStringValue } },
                { [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", id: "i-1" },
            ),
        );
        // The proxy answers its own two keys at every depth; "__defaults" is dropped at the top only.
        const key = fc.oneof(
            fc.constantFrom("__isSpecialProxy", "__getSpecialProxyTarget", "__defaults", "__proto__", "region", "tags", "id"),
            fc.string(),
        );
        const { value } = fc.letrec<{ value: unknown }>((tie) => ({
            value: fc.oneof(
                { depthSize: "small" },
                leaf,
                fc.array(tie("value"), { maxLength: 3 }),
                fc.dictionary(key, tie("value"), { maxKeys: 4 }),
            ),
        }));
        const props = fc.dictionary(key, value, { maxKeys: 5 });

        /** What each kind of rule gets from `materializeProps` (the own copy) and from `materialize` of its props, in that order. */
        async function bothWays(
            inputs: Record<string, unknown>,
            providerInputs: Record<string, unknown>,
            outputs?: Record<string, unknown>,
        ) {
            const got: Array<[unknown, unknown]> = [];
            const provider = resource("pulumi:providers:aws", "p", providerInputs, { id: "p1" });
            const r = resource(BUCKET_T, "b", inputs, { provider: `${provider.urn}::p1`, id: "b-1", ...(outputs ? { outputs } : {}) });
            const policies: Policies = [
                {
                    name: "resource",
                    description: "d",
                    validateResource: (args) => void got.push([materializeProps(args as never), materialize(args.props)]),
                },
                {
                    name: "stack",
                    description: "d",
                    validateStack: (args) => {
                        const [, b] = args.resources;
                        got.push([materializeProps(b as never), materialize(b.props)]);
                        got.push([materializeProps(b.provider as never), materialize(b.provider?.props)]);
                    },
                },
            ];
            await runPolicies([provider, r], { policies });
            return got;
        }

        it("is what materialize reads through the analyzer's proxy, for any inputs, outputs or provider", async () => {
            await fc.assert(
                fc.asyncProperty(props, props, fc.option(props, { nil: undefined }), async (inputs, providerInputs, outputs) => {
                    const got = await bothWays(inputs, providerInputs, outputs);
                    assert.equal(got.length, 4);
                    for (const [own, read] of got) assert.deepStrictEqual(own, read);
                }),
            );
        });

        it("is offered only while props are neither read nor assigned, and is a copy of the rule's own", async () => {
            const seen: unknown[] = [];
            const inputs = { bucket: "logs", tags: { Name: unknownStringValue } };
            const policies: Policies = [
                {
                    name: "reads-then-changes",
                    description: "d",
                    validateResource: (args) => {
                        const own = (args as never as Record<typeof OWN_PROPS, () => any>)[OWN_PROPS];
                        const first = own();
                        first.bucket = "mine"; // the copy is the rule's: the next is fresh
                        seen.push(own().bucket, materializeProps(args as never).tags.Name === materialize(args.props).tags.Name);
                        args.props.bucket = "changed";
                        seen.push(own(), materializeProps(args as never).bucket);
                    },
                },
                {
                    name: "assigns",
                    description: "d",
                    validateStack: (args) => {
                        const [r] = args.resources;
                        r.props = { bucket: "assigned" };
                        seen.push((r as never as Record<typeof OWN_PROPS, () => any>)[OWN_PROPS](), materializeProps(r as never).bucket);
                    },
                },
            ];
            await runPolicies([resource(BUCKET_T, "logs", inputs)], { policies });
            assert.deepEqual(seen, ["logs", true, undefined, "changed", undefined, "assigned"]);
            assert.deepEqual(inputs, { bucket: "logs", tags: { Name: unknownStringValue } });
        });

        it("is not on the analyzer's args: materializeProps is then materialize of the props", () => {
            assert.deepEqual(materializeProps({ props: { a: [unknownStringValue] } }), materialize({ a: [unknownStringValue] }));
            assert.equal(materializeProps(undefined), undefined);
        });
    });

    describe("the run's stack resources (policies/util.ts RUN_RESOURCES)", () => {
        it("are what stackResources makes of each rule's own resources, made once for the rules of a run", async () => {
            const lists: StackResource[][] = [];
            const own: StackResource[][] = [];
            const rule = (name: string): StackValidationPolicy => ({
                name,
                description: "d",
                validateStack: (args) => {
                    lists.push(stackResources(args));
                    own.push(materializedResources(args.resources));
                },
            });
            await runPolicies(prodResources(), { policies: [rule("first"), rule("second")] });
            assert.equal(lists.length, 2);
            assert.equal(lists[0], lists[1], "one list for the run");
            assert.equal(lists[0].length, prodResources().length);
            for (const [i, list] of lists.entries()) assert.deepStrictEqual(list, own[i]);
        });

        it("have one patching scope for the run, frozen; a rule's own list, frozen or not, gets a scope of its own each time", async () => {
            const scopes: PatchingScope[] = [];
            const own: PatchingScope[] = [];
            const rule = (name: string): StackValidationPolicy => ({
                name,
                description: "d",
                validateStack: (args) => {
                    scopes.push(patchingScope(stackResources(args)));
                    const mine = materializedResources(args.resources);
                    own.push(patchingScope(mine), patchingScope(mine));
                    const frozen = Object.freeze(materializedResources(args.resources)) as StackResource[];
                    own.push(patchingScope(frozen), patchingScope(frozen));
                },
            });
            await runPolicies(prodResources(), { policies: [rule("first"), rule("second")] });
            assert.equal(scopes[0], scopes[1]);
            assert.ok(Object.isFrozen(scopes[0]) && Object.isFrozen(scopes[0].tasks) && scopes[0].tasks.length > 0);
            assert.notEqual(own[0], own[1]);
            assert.ok(!Object.isFrozen(own[0]));
            // The same resources found, by URN.
            const urns = (scope: PatchingScope) => Object.values(scope).map((list: StackResource[]) => list.map((r) => r.urn));
            assert.deepEqual(urns(own[0]), urns(scopes[0]));
            // A list a rule froze itself (its parts still open to change) is looked at anew each time.
            assert.notEqual(own[2], own[3]);
            assert.ok(!Object.isFrozen(own[2]));
            assert.deepEqual(urns(own[2]), urns(scopes[0]));
        });

        it("are frozen: a rule that changes them fails (PolicyRunError) instead of changing what the next rule sees", async () => {
            const changes: Array<(r: StackResource[]) => void> = [
                (r) => r.push(r[0]),
                (r) => r.sort(),
                (r) => void (r[0].props = {}),
                (r) => void (r.find((x) => x.props.tags)!.props.tags.Name = "x"),
                (r) => void Object.assign(r[0].propertyDependencies, { x: [] }),
            ];
            for (const change of changes) {
                const vandal: StackValidationPolicy = {
                    name: "vandal",
                    description: "d",
                    validateStack: (args) => change(stackResources(args)),
                };
                await assert.rejects(
                    runPolicies(prodResources(), { policies: [vandal] }),
                    (e: unknown) => e instanceof PolicyRunError && e.policy === "vandal" && /read only|not extensible/.test(e.message),
                );
            }
        });

        it("are not offered to a rule that read or assigned its resources: stackResources then makes its own from them", async () => {
            const seen: unknown[] = [];
            const policies: Policies = [
                {
                    name: "changes-then-asks",
                    description: "d",
                    validateStack: (args) => {
                        const [first] = args.resources;
                        first.props = { bucket: "mine" };
                        const list = stackResources(args);
                        seen.push(list[0].props.bucket, Object.isFrozen(list));
                        list[0].props.bucket = "changed"; // its own copy
                    },
                },
                {
                    name: "assigns-then-asks",
                    description: "d",
                    validateStack: (args) => {
                        args.resources = [];
                        seen.push(stackResources(args).length);
                    },
                },
                {
                    name: "asks",
                    description: "d",
                    validateStack: (args) => void seen.push(stackResources(args)[0].props.bucket, Object.isFrozen(stackResources(args))),
                },
            ];
            await runPolicies([resource(BUCKET_T, "logs", { bucket: "logs" })], { policies });
            assert.deepEqual(seen, ["mine", false, 0, "logs", true]);
        });
    });

    describe("values from a state file", () => {
        it("reads plaintext secrets and treats ciphertext as unknown (skipped, not a false violation)", async () => {
            const secret = (plaintext: unknown) => ({
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                plaintext: JSON.stringify(plaintext),
            });
            const resources = prodResources();
            const task = resources.find((r) => r.type === TYPES.windowTask)!;
            task.inputs.serviceRoleArn = secret("arn:aws:iam::123456789012:user/not-a-role");
            assert.deepEqual(
                (await runPolicies(resources)).map((v) => v.policy),
                ["task-service-role"],
            );
            task.inputs.serviceRoleArn = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:xyz" };
            assert.deepEqual(await runPolicies(resources), []);
        });

        it("knows each value by the signature the Pulumi SDK writes (taken from the SDK, not typed again)", () => {
            const rpc = require("@pulumi/pulumi/runtime/rpc") as Record<string, string>;
            const signed = (sig: string, rest: Record<string, unknown>) => ({ [rpc.specialSigKey]: sig, ...rest });
            assert.equal(
                deserialize(signed(rpc.specialResourceSig, { urn: "urn:pulumi:s::p::aws:s3/bucket:Bucket::b", id: "b-1" })),
                "b-1",
            );
            assert.equal(
                deserialize(signed(rpc.specialResourceSig, { urn: "urn:pulumi:s::p::aws:s3/bucket:Bucket::b" })),
                "urn:pulumi:s::p::aws:s3/bucket:Bucket::b",
            );
            assert.deepEqual(deserialize(signed(rpc.specialSecretSig, { plaintext: '["x"]' })), ["x"]);
            assert.equal(deserialize(signed(rpc.specialSecretSig, { ciphertext: "v1:x" })), UNKNOWN_STRING);
            assert.deepEqual(deserialize(signed(rpc.specialOutputValueSig, { value: { a: 1 } })), { a: 1 });
            assert.equal(deserialize(signed(rpc.specialOutputValueSig, {})), UNKNOWN_STRING);
        });
    });

    it("the pack's policies have unique names, descriptions, levels, and none is called `all`", () => {
        const names = packPolicies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of packPolicies) {
            assert.notEqual(p.name, "all");
            assert.ok(p.description.length > 40, p.name);
            assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
            assert.ok(!p.configSchema?.properties?.enforcementLevel, p.name);
        }
    });
});
