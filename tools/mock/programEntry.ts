// Where a project's program starts and what it yields, decided exactly as Pulumi's
// Node.js runtime decides it (@pulumi/pulumi cmd/run/run.js): the `main` option of
// Pulumi.yaml if set, else package.json `exports` ("." or the string), else its
// `main`, else the project directory itself (its index); the module is `require`d
// and its export is called when it is a function, otherwise used as the outputs.
// `default` is not looked into for a CommonJS module, so an `export default` program
// yields no resources under Pulumi, and here too.
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import type { PatchManagerConfig } from "../../config";

/** The file or directory Pulumi would `require` for the project in `dir`. */
export function programEntry(dir: string): string {
    const pulumiYaml = path.join(dir, "Pulumi.yaml");
    if (fs.existsSync(pulumiYaml)) {
        const project = YAML.parse(fs.readFileSync(pulumiYaml, "utf8")) as { main?: unknown } | null;
        if (typeof project?.main === "string") return path.resolve(dir, project.main);
    }
    const pkgFile = path.join(dir, "package.json");
    const pkg = fs.existsSync(pkgFile) ? (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as Record<string, any>) : {};
    if (pkg.type === "module") throw new Error(`${pkgFile}: an ES module program ("type": "module") cannot be evaluated offline`);
    const exported = typeof pkg.exports === "object" && pkg.exports !== null ? pkg.exports["."] : pkg.exports;
    const entry =
        typeof exported === "string"
            ? exported
            : typeof exported === "object" && exported !== null
              ? (exported.default ?? exported.require ?? exported.import)
              : pkg.main;
    // A directory is required through its index, as `node <dir>/` would.
    return typeof entry === "string" ? path.resolve(dir, entry) : `${dir}${path.sep}`;
}

/** What an evaluation offers the program beyond Pulumi's call: this project's program reports the model it parsed. */
export interface ProgramObserver {
    readonly model?: (model: PatchManagerConfig) => void;
    /** The instant the program plans for (exemptions in force, freezes to come). */
    readonly now?: Date;
}

/** A program as evaluateProgram runs it: Pulumi calls it with no argument, the offline tools with an observer. */
export type Program = (observer?: ProgramObserver) => unknown;

/** The project's program as a function, to hand to evaluateProgram. */
export function loadProgramAt(dir: string): Program {
    const mod = require(programEntry(dir));
    return (observer) => (mod instanceof Function ? mod(observer) : mod);
}
