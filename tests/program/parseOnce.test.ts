// One parse per evaluation: the program reads the stack config into its model once, the
// deployments (one per region) take that model, and the offline plan reuses it. The count is
// taken at the parser itself, whoever calls it.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateProgram, loadProgram, readStackFile } from "../../tools/mock/mockProgram";
import { planStack, PROJECT_DIR } from "../../tools/plan/plan";
import { SHIPPED_STACKS } from "../helpers";

/** Counts the calls of one module's export until restored (callers look the export up at each call). */
function spy(modulePath: string, name: string): { calls: () => number; restore: () => void } {
    const mod = require(modulePath) as Record<string, (...args: unknown[]) => unknown>;
    const original = mod[name];
    let calls = 0;
    mod[name] = (...args: unknown[]) => {
        calls++;
        return original(...args);
    };
    return { calls: () => calls, restore: () => void (mod[name] = original) };
}

describe("program: one parse per evaluation", function () {
    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the program parses the stack config once and decodes each key once, for every region`, async function () {
            const config = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
            const keys = Object.keys(config.values).filter((k) => k.startsWith("patch-manager:")).length;
            const parses = spy("../../config/parse", "parseConfig");
            const decodes = spy("../../config/decode", "decodeValue");
            try {
                // An explicit program is evaluated afresh (no evaluation cache).
                const evaluation = await evaluateProgram({ stack, config, program: loadProgram() });
                assert.ok(evaluation.model, "the program reports its model");
                assert.equal(evaluation.model.stack, stack);
                assert.equal(parses.calls(), 1, "parseConfig calls");
                assert.equal(decodes.calls(), keys, "values decoded (one per patch-manager key)");
            } finally {
                parses.restore();
                decodes.restore();
            }
        });
    }

    it("the offline plan takes the program's model and parses nothing itself", async function () {
        // A stack of its own name, so no earlier evaluation in this process is reused.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parse-once-"));
        const file = path.join(dir, "Pulumi.prod-copy.yaml");
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.prod-private.yaml"), file);
        const parses = spy("../../config/parse", "parseConfig");
        try {
            const plan = await planStack({ stack: "prod-copy", configFile: file, from: new Date("2026-12-01T00:00:00Z"), occurrences: 1 });
            assert.equal(parses.calls(), 1);
            assert.equal(plan.model?.stack, "prod-copy");
            assert.ok(plan.preconditions?.patchSources?.length, "the preconditions come from the program's model");
        } finally {
            parses.restore();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
