// One parse per evaluation: the program reads the stack config into its model once, the
// deployments (one per region) take that model, and the offline plan reuses it. The count is
// taken at the parser itself, whoever calls it (it tells each parse on a diagnostics channel).
import { strict as assert } from "assert";
import * as diagnostics_channel from "node:diagnostics_channel";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateProgram, loadProgram, readStackFile } from "../../tools/mock/mockProgram";
import { planStack, PROJECT_DIR } from "../../tools/plan/plan";
import { DECODES } from "../../config/decode";
import { PARSES } from "../../config/parse";
import { SHIPPED_STACKS } from "../helpers";

/** Counts what the parser tells on a channel (config/parse.ts PARSES, config/decode.ts DECODES) until restored. */
function spy(channel: diagnostics_channel.Channel): { calls: () => number; restore: () => void } {
    let calls = 0;
    const count = () => void calls++;
    channel.subscribe(count);
    return { calls: () => calls, restore: () => void channel.unsubscribe(count) };
}

describe("program: one parse per evaluation", function () {
    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the program parses the stack config once and decodes each key once, for every region`, async function () {
            const config = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
            const keys = Object.keys(config.values).filter((k) => k.startsWith("patch-manager:")).length;
            const parses = spy(PARSES);
            const decodes = spy(DECODES);
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
        const parses = spy(PARSES);
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
