// The component package's schema, from the same analysis the SDK's component provider host runs
// on `pulumi package add` (its Analyzer reads the TypeScript types of PatchManager's args and
// output properties). The analysis type-checks the component against all of @pulumi/aws's
// typings (about 14 s of CPU), so it runs as `npm run test:component-package` in .ci/run and the
// pull-request checks, beside the other package tests, and not in every `npm test`.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../helpers";
import { ENVIRONMENTS } from "../../config/environment";
import { KEYS } from "../../config/keys";

const PLUGIN = path.join(ROOT, "plugin");
const T = "patch-manager:index:";

describe("PatchManager as a component package (plugin/)", function () {
    this.timeout(120_000);
    let schema: any;
    before(function () {
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer");
        const { generateSchema } = require("@pulumi/pulumi/provider/experimental/schema");
        const packageJSON = JSON.parse(fs.readFileSync(path.join(PLUGIN, "package.json"), "utf8"));
        const analysis = new Analyzer(PLUGIN, "patch-manager", packageJSON, new Set(["PatchManager"])).analyze();
        schema = generateSchema(
            "patch-manager",
            packageJSON.version,
            packageJSON.description,
            analysis.components,
            analysis.typeDefinitions,
            analysis.dependencies,
        );
    });

    it("declares the runtime and names the package as the component's type token does", function () {
        assert.match(fs.readFileSync(path.join(PLUGIN, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
        assert.equal(schema.name, "patch-manager");
        assert.deepEqual(Object.keys(schema.resources), [`${T}PatchManager`]);
        assert.equal(schema.resources[`${T}PatchManager`].isComponent, true);
    });

    it("inputs: the deployment's settings, plain, only environment required", function () {
        const r = schema.resources[`${T}PatchManager`];
        assert.deepEqual(r.requiredInputs, ["environment"]);
        // The doc comes from the config schema's description, with the values an enum allows.
        assert.deepEqual(Object.keys(r.inputProperties.environment).sort(), ["description", "plain", "type"]);
        assert.equal(r.inputProperties.environment.type, "string");
        assert.ok(r.inputProperties.environment.description.startsWith(KEYS.environment.meta()!.description!));
        for (const e of ENVIRONMENTS) assert.ok(r.inputProperties.environment.description.includes(`"${e}"`), e);
        assert.deepEqual(r.inputProperties.patchGroups.items, { $ref: `#/types/${T}PatchGroupSettings`, plain: true });
        assert.deepEqual(r.inputProperties.tags.additionalProperties, { type: "string", plain: true });
        for (const key of ["window", "timezone", "baselines", "logging", "alerts", "compliance", "privateEndpoints", "centralLogBucket"]) {
            assert.ok(r.inputProperties[key], `input ${key}`);
        }
        const group = schema.types[`${T}PatchGroupSettings`];
        assert.deepEqual(group.required.sort(), ["name", "operatingSystem"]);
        assert.equal(group.properties.schedule.$ref, `#/types/${T}ScheduleSettings`);
        assert.equal(group.properties.schedule.plain, true);
        // A schedule gives a cron or patchTuesday, so only its length is required.
        const schedule = schema.types[`${T}ScheduleSettings`];
        assert.deepEqual(schedule.required, ["durationHours"]);
        assert.deepEqual(schedule.properties.cron, { ...schedule.properties.cron, type: "string", optional: true });
        assert.equal(schedule.properties.patchTuesday.$ref, `#/types/${T}PatchTuesdaySettings`);
        assert.deepEqual(schema.types[`${T}PatchTuesdaySettings`].required.sort(), ["at", "daysAfter"]);
        // Whole-stack settings are the program's, not a deployment's.
        for (const key of ["regions", "keepSingleRegionNames"]) assert.equal(r.inputProperties[key], undefined, key);
        assert.equal(schema.types[`${T}PrivateEndpointSettings`].properties.region, undefined);
        // The central bucket's name is an output of another PatchManager: an input, not plain.
        assert.deepEqual(schema.types[`${T}LogBucketReference`].properties.name, { type: "string", description: "The bucket's name." });
    });

    it("outputs: ids, ARNs and names a program wires into instances and other stacks", function () {
        const r = schema.resources[`${T}PatchManager`];
        assert.deepEqual(Object.keys(r.properties).sort(), [
            "baselineIds",
            "environment",
            "instanceProfileName",
            "instanceRoleArn",
            "logBucketName",
            "logKeyPrefix",
            "maintenanceWindowRoleArn",
            "maintenanceWindows",
            "patchGroupTagKey",
        ]);
        assert.deepEqual(r.properties.instanceProfileName, { type: "string" });
        assert.deepEqual(r.properties.maintenanceWindows.additionalProperties, { $ref: `#/types/${T}MaintenanceWindowInfo` });
        // The window type extends the one window summary; its fields and their docs reach the schema.
        const info = schema.types[`${T}MaintenanceWindowInfo`];
        assert.deepEqual(Object.keys(info.properties).sort(), [
            "cutoffHours",
            "durationHours",
            "id",
            "name",
            "patchGroups",
            "schedule",
            "scheduleOffset",
            "timezone",
        ]);
        assert.deepEqual(info.properties.patchGroups, {
            type: "array",
            items: { type: "string" },
            description: "The patch groups its targets select.",
        });
        assert.deepEqual(r.properties.baselineIds.additionalProperties, { type: "string" });
    });
});
