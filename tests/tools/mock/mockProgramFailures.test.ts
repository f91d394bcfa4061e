// A program that fails inside an `apply` (a lookup that finds nothing, a value it refuses) must end
// the offline evaluation with that error, not crash the process or leave it waiting for outputs.
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { evaluateProgram } from "../../../tools/mock/mockProgram";

const config = { values: { "aws:region": "eu-west-1" }, secretKeys: [] };

describe("offline evaluation of a program that fails in an apply", function () {
    it("rejects with the apply's error when a resource input fails", async function () {
        const program = () => {
            const name = pulumi.output("w").apply((): string => {
                throw new Error('patch-manager:safeStops.alarmName: alarm "x" does not exist in eu-west-1');
            });
            new aws.ssm.MaintenanceWindow("w", { name, schedule: "cron(0 6 ? * SAT *)", duration: 2, cutoff: 1 });
            return {};
        };
        await assert.rejects(evaluateProgram({ stack: "failing", config, program }), /alarm "x" does not exist in eu-west-1/);
    });

    it("rejects when a stack output fails, and the next evaluation runs normally", async function () {
        const failing = () => ({
            out: pulumi.output(1).apply((): number => {
                throw new Error("refused at apply time");
            }),
        });
        await assert.rejects(evaluateProgram({ stack: "failing", config, program: failing }), /refused at apply time/);
        const fine = () => {
            new aws.ssm.MaintenanceWindow("w", { name: "w", schedule: "cron(0 6 ? * SAT *)", duration: 2, cutoff: 1 });
            return { ok: true };
        };
        const r = await evaluateProgram({ stack: "fine", config, program: fine });
        assert.deepEqual(r.outputs, { ok: true });
        assert.equal(r.resources.filter((x) => x.custom).length, 1);
    });
});

describe("offline evaluation and the SDK's stack traces", function () {
    it("skips them during an evaluation and gives them back after, for whatever else runs in the process", async function () {
        const sdk = pulumi.Resource as unknown as { callsites: () => unknown[] };
        const debuggable = require("@pulumi/pulumi/runtime/debuggable");
        const own = { callsites: sdk.callsites, promise: debuggable.debuggablePromise };
        let during: { callsites: unknown[]; traced: unknown } | undefined;
        await evaluateProgram({
            stack: "traces",
            config: { values: { "aws:region": "eu-west-1" }, secretKeys: [] },
            program: () => {
                during = { callsites: sdk.callsites(), traced: debuggable.debuggablePromise(Promise.resolve(1), "test")._debugStackTrace };
                return {};
            },
        });
        assert.deepEqual(during, { callsites: [], traced: undefined });
        assert.equal(sdk.callsites, own.callsites);
        assert.equal(debuggable.debuggablePromise, own.promise);
        assert.ok(sdk.callsites().length > 0, "the SDK's own callsites again");
    });
});
