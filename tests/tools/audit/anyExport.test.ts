// The audit on any export (issue #23 §4): whatever JSON a stack export of another program holds
// (targets as an object, a string or null, a `.get` resource with no inputs, values that are not
// lists), the finding mapping never throws and the audit never ends in "unexpected error". A rule
// of the pack that throws on a shape is reported as the pack's bug (PolicyRunError, exit 2), which
// these properties allow: they are about the audit's own code.
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { main } from "../../../tools/audit/audit";
import type { Violation } from "../../../tools/audit/engine";
import { withConfigKeys } from "../../../tools/audit/findings";

const T = {
    task: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
    target: "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    window: "aws:ssm/maintenanceWindow:MaintenanceWindow",
    baseline: "aws:ssm/patchBaseline:PatchBaseline",
    activation: "aws:ssm/activation:Activation",
};
const TYPE_POOL = [
    ...Object.values(T),
    "aws:ssm/patchGroup:PatchGroup",
    "aws:iam/role:Role",
    "aws:s3/bucketV2:BucketV2",
    "pulumi:pulumi:Stack",
    "pulumi:providers:aws",
    "aws-native:ssm:MaintenanceWindowTask",
    "AWS::SSM::PatchBaseline",
    "aws:cloudformation/stack:Stack",
];
const IDS = ["mw-1", "mwt-1", "mwt-2", "task-1", "pb-1"];
/** Policies of the pack, and names that are Object.prototype's. */
const POLICIES = ["task-production-concurrency", "task-rate-control", "window-has-task", "constructor", "__proto__", "toString"];
/** The properties the rules name that withConfigKeys maps to config keys, others, and Object.prototype's. */
const PROPERTIES = [
    "maxConcurrency",
    "maxErrors",
    "approvalRules[1].approveAfterDays",
    "approvalRules[0].approveUntilDate",
    "expirationDate",
    "registrationLimit",
    "serviceRoleArn",
    "constructor",
    "__proto__",
];

/** A `targets` value: the real shape with odd parts, or any JSON at all. */
const targets = fc.oneof(
    fc.jsonValue(),
    fc.array(
        fc.oneof(
            fc.record({ key: fc.constantFrom("WindowTargetIds", "tag:Patch Group", "InstanceIds"), values: fc.jsonValue() }),
            fc.record({ key: fc.constantFrom("WindowTargetIds"), values: fc.array(fc.constantFrom(...IDS, "")) }),
            fc.jsonValue(),
        ),
        { maxLength: 3 },
    ),
);

/** Inputs of any shape, often with the fields the mapping and the rules read. */
const inputs = fc.oneof(
    fc.jsonValue(),
    fc.record(
        {
            targets,
            windowId: fc.oneof(fc.constantFrom(...IDS), fc.jsonValue()),
            taskArn: fc.oneof(fc.constantFrom("AWS-RunPatchBaseline", "AWS-ApplyPatchBaseline"), fc.jsonValue()),
            maxConcurrency: fc.oneof(fc.constantFrom("100%", "50", "1"), fc.jsonValue()),
            // A JSON object with its own toString where a string belongs: some rules throw on it (the pack's bug).
            maxErrors: fc.oneof(fc.jsonValue(), fc.constant({ toString: null })),
            tags: fc.oneof(fc.constant({ Environment: "production", "Patch Group": "Web" }), fc.jsonValue()),
            name: fc.jsonValue(),
            approvalRules: fc.jsonValue(),
            taskInvocationParameters: fc.oneof(
                fc.jsonValue(),
                fc.record({ runCommandParameters: fc.record({ parameters: fc.jsonValue() }, { requiredKeys: [] }) }),
            ),
        },
        { requiredKeys: [] },
    ),
);

interface RawResource {
    type: string;
    name: string;
    id?: string | null;
    custom?: boolean;
    external?: boolean;
    inputs?: unknown;
    outputs?: unknown;
    checkedInputs?: unknown;
}

const resource: fc.Arbitrary<RawResource> = fc.record(
    {
        type: fc.oneof(fc.constantFrom(...TYPE_POOL), fc.string({ minLength: 1, maxLength: 12 })),
        name: fc.constantFrom("a", "b", "c", "d"),
        id: fc.option(fc.constantFrom(...IDS)),
        custom: fc.boolean(),
        external: fc.boolean(),
        inputs,
        outputs: fc.oneof(fc.constant(undefined), inputs),
        checkedInputs: fc.oneof(fc.constant(undefined), inputs),
    },
    { requiredKeys: ["type", "name"] },
);

const document = fc.record({
    stack: fc.constantFrom("prod", "dev"),
    project: fc.constantFrom("patch-manager", "other-app"),
    asPlan: fc.boolean(),
    resources: fc.array(resource, { maxLength: 6 }),
});

const urnOf = (stack: string, project: string, r: RawResource) => `urn:pulumi:${stack}::${project}::${r.type}::${r.name}`;

describe("the audit on any export (any JSON shape)", function () {
    this.timeout(120000);
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(tmpdir(), "audit-any-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("withConfigKeys never throws, and keeps each violation's own fields, whatever the resources' inputs hold", function () {
        fc.assert(
            fc.property(
                document,
                fc.array(
                    fc.record({
                        policy: fc.constantFrom(...POLICIES),
                        at: fc.nat(),
                        message: fc.string(),
                        property: fc.option(fc.constantFrom(...PROPERTIES), { nil: undefined }),
                    }),
                    { maxLength: 6 },
                ),
                fc.dictionary(
                    fc.constantFrom("patch-manager:patchGroups", "patch-manager:baselines"),
                    fc.jsonValue().map((v) => JSON.stringify(v)),
                ),
                (doc, picks, values) => {
                    const resources = doc.resources.map((r) => ({
                        urn: urnOf(doc.stack, doc.project, r),
                        type: r.type,
                        name: r.name,
                        id: r.id ?? null,
                        inputs: r.inputs as Record<string, unknown>,
                    }));
                    const violations: Violation[] = picks.map((p) => ({
                        policy: p.policy,
                        level: "mandatory",
                        urn: resources.length > 0 ? resources[p.at % resources.length].urn : "",
                        message: p.message,
                        ...(p.property !== undefined ? { property: p.property, valid: "as the rule accepts" } : {}),
                    }));
                    const out = withConfigKeys(violations, resources, values as Record<string, string>, doc.project);
                    assert.equal(out.length, violations.length);
                    out.forEach((v, i) => {
                        const { policy, level, urn, message } = violations[i];
                        assert.deepEqual(
                            { policy: v.policy, level: v.level, urn: v.urn, message: v.message },
                            { policy, level, urn, message },
                        );
                        // Only this project's documents name a `patch-manager:` key; others name a property.
                        if (doc.project !== "patch-manager") {
                            assert.equal(v.configKey, undefined);
                            assert.equal(v.property, violations[i].property);
                        } else assert.equal(v.property, undefined);
                        if (v.configKey !== undefined || v.property !== undefined) assert.equal(typeof v.valid, "string");
                    });
                },
            ),
            { numRuns: 150 },
        );
    });

    it("main never ends in 'unexpected error' on a written export or plan of any shape; a rule that throws is named as the pack's bug", async function () {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(document, fc.boolean(), async (doc, json) => {
                const resources = doc.resources.map((r) => ({ ...r, urn: urnOf(doc.stack, doc.project, r) }));
                const content = doc.asPlan
                    ? { project: doc.project, stack: doc.stack, resources }
                    : { version: 3, deployment: { manifest: {}, resources } };
                const file = path.join(dir, `doc-${n++}.json`);
                writeFileSync(file, JSON.stringify(content));
                let stdout = "";
                let stderr = "";
                const code = await main(json ? [file, "--json"] : [file], {
                    stdout: (t) => void (stdout += t),
                    stderr: (t) => void (stderr += t),
                });
                assert.doesNotMatch(stderr, /unexpected error/, stderr);
                assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
                assert.ok([0, 1, 2].includes(code), `exit ${code}`);
                if (code === 2) {
                    assert.equal(stdout, "");
                    // An empty document, or a rule that threw (the pack's bug, named with the rule).
                    assert.match(
                        stderr,
                        /^policy:audit: (file .*: no resources: nothing was checked|Error validating .* with policy '[\w-]+')/,
                    );
                    if (/Error validating/.test(stderr)) {
                        assert.match(stderr, /a bug in the pack: .*disable the rule with --config and \{"[\w-]+": "disabled"\}/);
                    }
                } else if (json) {
                    const out = JSON.parse(stdout);
                    assert.ok(Array.isArray(out.violations));
                    const notChecked = out.notChecked ?? [];
                    // Every resource read with .get is listed as not analysed.
                    const external = resources.filter((r) => r.external === true).map((r) => r.urn);
                    assert.deepEqual(
                        notChecked.filter((x: any) => x.kind === "external").map((x: any) => x.urn),
                        external,
                    );
                } else {
                    assert.match(stdout, /^Policy pack patch-manager on /);
                }
            }),
            { numRuns: 60 },
        );
    });

    it("main reads any top-level JSON as a document or refuses it with exit 2 and a message, never 'unexpected error'", async function () {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(
                fc.oneof(
                    fc.jsonValue(),
                    fc.record({ version: fc.oneof(fc.constant(3), fc.jsonValue()), deployment: fc.jsonValue() }),
                    fc.record({ version: fc.constant(3), deployment: fc.record({ resources: fc.jsonValue() }) }),
                    fc.record({ project: fc.jsonValue(), resources: fc.array(fc.jsonValue(), { maxLength: 3 }) }),
                ),
                async (content) => {
                    const file = path.join(dir, `top-${n++}.json`);
                    writeFileSync(file, JSON.stringify(content));
                    let stderr = "";
                    const code = await main([file, "--json"], { stdout: () => undefined, stderr: (t) => void (stderr += t) });
                    assert.doesNotMatch(stderr, /unexpected error/, stderr);
                    assert.ok([0, 1, 2].includes(code));
                    if (code === 2) assert.match(stderr, /^policy:audit: \S/);
                },
            ),
            { numRuns: 100 },
        );
    });
});
