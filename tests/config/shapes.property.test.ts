// Any value of any shape at any key of a stack file gets a model or a refusal at its key path,
// never a crash: the shipped stacks mutated at random, through the path the plan and the program take.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import YAML from "yaml";
import { ConfigError, parseStackConfig } from "../../config";
import { readStackFile } from "../../tools/mock/mockProgram";
import { displayPath } from "../../tools/cli/userPath";
import { plan } from "../helpers";
import { Json, mutate, mutatedStack, shipped } from "./configShapes";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shapes-"));
let n = 0;
/** The mutated config written as a stack file, as a user would leave it. */
function write(config: Record<string, Json>): string {
    const file = path.join(dir, `Pulumi.m${n++}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    return file;
}

/**
 * Every refusal line names the file and a key path: in patch-manager: or aws:, or in the
 * namespace of a key the stack file holds (a misspelt or unknown one).
 */
function assertKeyPathRefusal(lines: readonly string[], file: string, keys: readonly string[]) {
    assert.ok(lines.length > 0);
    const namespaces = new Set(["patch-manager", "aws", ...keys.map((k) => k.split(":")[0])]);
    for (const line of lines) {
        assert.ok(line.startsWith(`${file}: `), line);
        const rest = line.slice(file.length + 2);
        assert.ok(
            [...namespaces].some((ns) => rest.startsWith(`${ns}:`)),
            line,
        );
    }
}

const input = mutatedStack;

describe("config: any value of any shape at any key gets a plan or a key-path refusal", function () {
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("readStackFile → parseStackConfig: a model or a ConfigError, never another exception (300 mutated stacks)", function () {
        fc.assert(
            fc.property(input, ({ base, edits }) => {
                const file = write(mutate(shipped[base].config, edits));
                try {
                    parseStackConfig(readStackFile(file).values, "m", file);
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    assertKeyPathRefusal(e.lines(), file, Object.keys(readStackFile(file).values));
                }
            }),
            { numRuns: 300 },
        );
    });

    it("the whole offline plan: exit 0 or 1 with a plan, or exit 2 with key-path lines, never 3 (10 mutated stacks)", async function () {
        await fc.assert(
            fc.asyncProperty(input, async ({ base, edits }) => {
                const file = write(mutate(shipped[base].config, edits));
                // A crash would reject here (the CLI turns it into exit 3).
                const { code, stdout, stderr } = await plan("--stack", "m", "--config", file, "--json");
                assert.ok(code === 0 || code === 1 || code === 2, `exit ${code}: ${stderr}`);
                // The CLI prints the file as the user would type it: relative to where npm ran, when shorter.
                if (code === 2) assertKeyPathRefusal(stderr.trim().split("\n"), displayPath(file), Object.keys(readStackFile(file).values));
                else assert.ok(JSON.parse(stdout).resources.length > 0);
            }),
            { numRuns: 10 },
        );
    });
});
