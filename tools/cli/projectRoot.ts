// The repository's root, for tools that read its files (stack files, the program, the org).
import * as fs from "fs";
import * as path from "path";
import { PROJECT } from "../../config/project";

/**
 * The nearest directory above `dir` whose package.json is this project's: the repository's root
 * whether a tool runs from its TypeScript source or compiled into one file under
 * node_modules/.cache (boot/compileCache.js), where `__dirname` is the cache's folder.
 */
export function projectRootAbove(dir: string): string | undefined {
    for (let at = dir; ; at = path.dirname(at)) {
        try {
            const pkg = JSON.parse(fs.readFileSync(path.join(at, "package.json"), "utf8")) as { name?: unknown };
            if (pkg.name === PROJECT && fs.existsSync(path.join(at, "Pulumi.yaml"))) return at;
        } catch {
            // No package.json here (or not JSON): look further up.
        }
        if (path.dirname(at) === at) return undefined;
    }
}

/** This checkout's root. */
export const PROJECT_ROOT = projectRootAbove(__dirname) ?? path.resolve(__dirname, "..", "..");
