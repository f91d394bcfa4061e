import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ConfigError, parseStackConfig, PROJECT } from "../config";
import { DEFAULT_OPERATION, DEFAULT_PATCH_GROUP_TAG_KEY, DEFAULT_TIMEZONE } from "../config/defaults";
import { ENVIRONMENTS, WINDOW_KINDS } from "../config/environment";
import { ROOT, SHIPPED_STACKS } from "./helpers";

interface Declared {
    type?: "string" | "integer" | "boolean" | "array" | "object";
    items?: { type: string };
    description?: string;
    default?: unknown;
}

const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, Declared>;
    template?: { description?: string; config?: Record<string, { description?: string; default?: unknown }> };
};

/** A project-config key as a stack file holds it: the project's own keys under its namespace. */
const stackKey = (key: string) => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** Whether `value` (as YAML gave it) is of the declared type: the types Pulumi's project schema has. */
function ofType(value: unknown, d: Declared): boolean {
    switch (d.type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value) && (!d.items || value.every((v) => ofType(v, { type: d.items!.type as Declared["type"] })));
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
        default:
            return false;
    }
}

/**
 * The two rules the Pulumi CLI applies to a stack against the project's `config:` declarations
 * before it runs the program (pulumi/pulumi pkg/workspace/config.go, with the types of
 * sdk/go/common/workspace/project.go): a declared key without a default that the stack does not
 * set fails with "Stack '<stack>' is missing configuration value '<key>'"; a value of another
 * type than declared fails. A declared default fills in a key the stack lacks.
 */
function pulumiValidate(stack: string, values: Record<string, unknown>): { problems: string[]; values: Record<string, unknown> } {
    const problems: string[] = [];
    const out = { ...values };
    for (const [key, d] of Object.entries(project.config ?? {})) {
        const full = stackKey(key);
        if (!(full in values)) {
            if (d.default === undefined) problems.push(`Stack '${stack}' is missing configuration value '${full}'`);
            else out[full] = d.default;
        } else if (!ofType(values[full], d)) problems.push(`Stack '${stack}': ${full} is not of type ${d.type}`);
    }
    return { problems, values: out };
}

/** As the CLI hands values to the program: strings, lists and maps JSON-encoded. */
const asCli = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

const stackValues = (file: string) => (YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;

describe("Pulumi.yaml: what the Pulumi CLI checks before the program runs", function () {
    it("declares only types Pulumi's project schema has, and only environment without a default", function () {
        const declared = Object.entries(project.config ?? {});
        assert.ok(declared.length > 0);
        for (const [key, d] of declared) {
            assert.ok(["string", "integer", "boolean", "array", "object"].includes(d.type ?? ""), key);
            assert.ok(d.description, `${key} has a description`);
        }
        assert.deepEqual(
            declared.filter(([, d]) => d.default === undefined).map(([k]) => k),
            ["environment"],
        );
    });

    it("declares a default only where it is the program's own for every environment", function () {
        const programDefaults: Record<string, unknown> = {
            timezone: DEFAULT_TIMEZONE,
            operation: DEFAULT_OPERATION,
            patchGroupTagKey: DEFAULT_PATCH_GROUP_TAG_KEY,
            centralLogBucket: false,
            keepSingleRegionNames: false,
        };
        for (const [key, d] of Object.entries(project.config ?? {})) {
            if (d.default === undefined) continue;
            assert.ok(
                key in programDefaults,
                `${key}: a declared default Pulumi writes into every stack; is it the program's for every environment?`,
            );
            assert.deepEqual(d.default, programDefaults[key], key);
            // And the program, given only an environment, settles on the same value in each.
            for (const environment of ENVIRONMENTS) {
                const model = parseStackConfig({ "aws:region": "eu-west-1", [`${PROJECT}:environment`]: environment }, "t");
                const modelValue = key in model.operations ? Reflect.get(model.operations, key) : Reflect.get(model, key);
                assert.deepEqual(modelValue, d.default, `${key} in ${environment}`);
            }
        }
    });

    for (const stack of SHIPPED_STACKS) {
        it(`Pulumi.${stack}.yaml passes the CLI's checks, and the program accepts it with the declared defaults filled in`, function () {
            const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
            const { problems, values } = pulumiValidate(stack, stackValues(file));
            assert.deepEqual(problems, []);
            parseStackConfig(asCli(values), stack);
        });
    }

    it("the checker catches what the CLI would: a missing environment, a value of another type", function () {
        const { problems } = pulumiValidate("t", { "aws:region": "eu-west-1", [`${PROJECT}:timezone`]: 5 });
        assert.deepEqual(problems, [
            `Stack 't' is missing configuration value '${PROJECT}:environment'`,
            `Stack 't': ${PROJECT}:timezone is not of type string`,
        ]);
    });
});

describe("Pulumi.yaml template: what pulumi new asks a new user", function () {
    const prompts = project.template?.config ?? {};

    it("asks for the region, the environment, the window and the time zone, each with a description and a default", function () {
        assert.deepEqual(Object.keys(prompts).sort(), ["aws:region", "environment", "timezone", "window"]);
        for (const [key, p] of Object.entries(prompts)) {
            assert.ok(p.description, key);
            assert.notEqual(p.default, undefined, key);
        }
        assert.ok(project.template?.description);
    });

    /** The stack file `pulumi new` writes from the answers, as the CLI then hands it to the program. */
    const answered = (answers: Record<string, string>) => {
        const written = Object.fromEntries(
            Object.entries({ ...Object.fromEntries(Object.entries(prompts).map(([k, p]) => [k, String(p.default)])), ...answers }).map(
                ([k, v]) => [stackKey(k), v],
            ),
        );
        const { problems, values } = pulumiValidate("new", written);
        assert.deepEqual(problems, []);
        return asCli(values);
    };

    it("its defaults, and every environment and window a user may type, give a stack the program accepts", function () {
        parseStackConfig(answered({}), "new");
        for (const environment of ENVIRONMENTS) {
            for (const window of WINDOW_KINDS) {
                const model = parseStackConfig(answered({ environment, window, timezone: "Europe/Amsterdam" }), "new");
                assert.equal(model.environment, environment);
                assert.equal(model.windowKind, window);
            }
        }
    });

    it("a mistyped answer is refused at its key, not accepted", function () {
        assert.throws(
            () => parseStackConfig(answered({ environment: "prod", "aws:region": "eu-west-9" }), "new"),
            (e: unknown) =>
                e instanceof ConfigError &&
                e.lines().length === 2 &&
                /environment: "prod" is not valid/.test(e.lines()[0]) &&
                /aws:region: "eu-west-9"/.test(e.lines()[1]),
        );
    });
});
