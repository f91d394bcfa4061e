// One window layout: the windows the program registers for every shipped stack are, region by
// region, the ones windowPlan lays out from the stack's model (which the config checks count and
// the organisation's fleet checks use), and the shipped stacks cover each kind of window.
import { strict as assert } from "assert";
import * as path from "path";
import { evaluateProgram, readStackFile } from "../../tools/mock/mockProgram";
import { modelWindows } from "../../org/tools/cells";
import { PROJECT_DIR } from "../../tools/plan/plan";
import { windowsOf } from "../../tools/plan/windows";
import { windowPlan } from "../../config/windowPlan";
import { SHIPPED_STACKS } from "../helpers";

const FROM = new Date("2026-12-01T00:00:00Z");

describe("config: one window layout (windowPlan)", function () {
    const kinds = new Set<string>();
    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the program's windows are windowPlan's, in every region`, async function () {
            const config = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
            const { resources, model } = await evaluateProgram({ stack, config });
            assert.ok(model);
            for (const w of windowPlan(model)) kinds.add(w.kind);
            const regions = model.operations.regions ?? [config.values["aws:region"]];
            const key = (w: { region?: string; name: string }) => `${w.region} ${w.name}`;
            const comparable = ({ urn: _u, next: _n, cutoffHours: _c, timeline: _t, ...w }: ReturnType<typeof windowsOf>[number]) => w;
            const registered = windowsOf(resources, FROM, 1).map(comparable);
            const laidOut = regions.flatMap((r) => modelWindows(model, r));
            assert.deepEqual(
                laidOut.sort((a, b) => key(a).localeCompare(key(b))),
                registered.sort((a, b) => key(a).localeCompare(key(b))),
            );
        });
    }
    it("the shipped stacks have an environment window, groups' own windows and a reboot window", function () {
        assert.deepEqual([...kinds].sort(), ["environment", "group", "reboot"]);
    });
});
