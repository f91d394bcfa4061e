// The stacks CI previews and deploys, read from the stack files
// (`Pulumi.<stack>.yaml`), never from a list in the workflow: a new stack
// file is a new matrix entry. Production or not comes from each stack's
// `patch-manager:environment`, not from its name.
// A stack file with the line `# ci: example` (an example stack of this project: it shares
// the account and patch-group names of the real ones and uses placeholder VPC ids) is left out.
// `npm run -s ci:stacks` prints GitHub Actions step outputs (key=JSON lines).
import * as fs from "fs";
import * as path from "path";
import { PROJECT } from "../../config";
import { readStackFile } from "../mock/mockProgram";
import { PROJECT_ROOT } from "../cli/projectRoot";

export interface CiStack {
    stack: string;
    environment: string;
}

/** The line that keeps an example stack file out of CI's previews and deployments. */
export const EXAMPLE_MARKER = /^# ci: example\b/m;

/** Every `Pulumi.<stack>.yaml` in `dir` but the examples, with its environment; throws if a stack names none. */
export function listStacks(dir: string): CiStack[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.([^.]+)\.ya?ml$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .filter((m) => !EXAMPLE_MARKER.test(fs.readFileSync(path.join(dir, m[0]), "utf8")))
        .map((m) => {
            const environment = readStackFile(path.join(dir, m[0])).values[`${PROJECT}:environment`];
            if (!environment) throw new Error(`${m[0]}: ${PROJECT}:environment is not set; CI cannot tell whether the stack is production`);
            return { stack: m[1], environment };
        })
        .sort((a, b) => a.stack.localeCompare(b.stack));
}

/** The matrices: all stacks, then non-production ones (deployed first), then production (behind approval). */
export function stackOutputs(stacks: CiStack[]): Record<"all" | "nonproduction" | "production", CiStack[]> {
    return {
        all: stacks,
        nonproduction: stacks.filter((s) => s.environment !== "production"),
        production: stacks.filter((s) => s.environment === "production"),
    };
}

if (require.main === module) {
    const outputs = stackOutputs(listStacks(PROJECT_ROOT));
    for (const [key, value] of Object.entries(outputs)) process.stdout.write(`${key}=${JSON.stringify(value)}\n`);
}
