import * as path from "path";

/**
 * A path the user typed, resolved against the directory they ran `npm run ...` from: npm runs
 * scripts in the package root and leaves the caller's directory in INIT_CWD.
 */
export function userPath(p: string): string {
    return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}
