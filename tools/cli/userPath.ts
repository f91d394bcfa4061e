import * as path from "path";

/** The directory the user ran `npm run ...` from: npm runs scripts in the package root and leaves it in INIT_CWD. */
function userDir(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

/** A path the user typed, resolved against the directory they ran the command from. */
export function userPath(p: string): string {
    return path.resolve(userDir(), p);
}

/**
 * A path as every message prints it: relative to the directory the user ran the command from
 * (so it can be pasted back into a command there), absolute only when that is shorter.
 */
export function displayPath(p: string): string {
    const absolute = path.resolve(p);
    const relative = path.relative(userDir(), absolute);
    if (relative === "") return ".";
    return relative.length <= absolute.length ? relative : absolute;
}
