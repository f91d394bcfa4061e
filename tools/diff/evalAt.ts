// Child-process entry of `plan --diff-against`: evaluates the program found in
// --dir (an extracted git ref) for one stack under this checkout's mock
// runtime, and prints the plan's resources and windows as JSON. A separate
// process keeps the old code's module cache, globals and mock runtime away
// from the working tree's evaluation.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { evaluateProgram, readStackFile } from "../mockProgram";
import { windowsOf } from "../plan";

async function main() {
    const { values } = parseArgs({
        options: { dir: { type: "string" }, stack: { type: "string" }, from: { type: "string" }, occurrences: { type: "string" } },
    });
    const dir = path.resolve(values.dir!);
    const stack = values.stack!;
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        process.stdout.write(JSON.stringify({ stack, resources: [], windows: [], missing: true }));
        return;
    }
    const program = require(path.join(dir, "index")).default as () => unknown;
    const { resources } = await evaluateProgram({ stack, config: readStackFile(file), program });
    const windows = windowsOf(resources, new Date(values.from!), Number(values.occurrences ?? "1"));
    process.stdout.write(JSON.stringify({ stack, resources: resources.map(({ outputs: _o, ...r }) => r), windows }));
}

main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
