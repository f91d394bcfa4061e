// The repository's root, for tools that read its files (stack files, the program, the org).
import * as fs from "fs";
import * as path from "path";

/**
 * The checkout's root above `dir`: the nearest folder holding a Pulumi.yaml and a package.json,
 * searched from the folder that holds node_modules when `dir` is inside it. So it is the same
 * whether a tool runs from its TypeScript source or compiled into one file under
 * node_modules/.cache (boot/compileCache.js), where `__dirname` is the cache's folder, and
 * whatever the project's package is named.
 */
export function projectRootAbove(dir: string): string | undefined {
    const parts = path.resolve(dir).split(path.sep);
    const modules = parts.indexOf("node_modules");
    const start = modules > 0 ? parts.slice(0, modules).join(path.sep) || path.sep : path.resolve(dir);
    for (let at = start; ; at = path.dirname(at)) {
        if (fs.existsSync(path.join(at, "Pulumi.yaml")) && fs.existsSync(path.join(at, "package.json"))) return at;
        if (path.dirname(at) === at) return undefined;
    }
}

/** This checkout's root. */
export const PROJECT_ROOT = projectRootAbove(__dirname) ?? path.resolve(__dirname, "..", "..");
