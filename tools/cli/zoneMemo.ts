// A time zone's offsets kept between runs of the offline plan. A plan of a stack in a zone other
// than UTC finds the zone's offset changes through Intl (packages/ssm/zone.ts), and the first
// Intl.DateTimeFormat of a process costs 15-25 ms of ICU's date formatting set-up, more than
// everything else the zone needs. The changes found are kept in node_modules/.cache/patch-manager/
// zones/, beside the compiled program (boot/cacheFolder.js: the same checks of whose folder it
// is), under the tz database and ICU versions Intl answered from; the next run reads them instead.
import * as fs from "fs";
import * as path from "path";
import { rememberZones, zonesToRemember } from "@patch-manager/ssm";

const { ownCacheFolder, writeDurably } = require("../../boot/cacheFolder") as {
    ownCacheFolder(root: string, name: string): string | undefined;
    writeDurably(file: string, text: string): void;
};

/** What Intl answers from in this process: a memo found under another is not used. */
export const INTL_SOURCE = `icu ${process.versions.icu ?? "none"}; tz ${process.versions.tz ?? "none"}`;

/** The roots whose memo this process has read (and writes at exit). */
const started = new Set<string>();

/**
 * Reads the offsets kept under `root` (a checkout: the folder holding node_modules) and keeps, when
 * the process exits, what it found through Intl besides. Nothing is read or written with
 * PATCH_MANAGER_COMPILE_CACHE=off or where the compile cache would not write; a file that cannot
 * be read or is not one this version of the code wrote is not used (and written anew).
 */
export function useZoneMemo(root: string): void {
    if (started.has(root) || process.env.PATCH_MANAGER_COMPILE_CACHE === "off") return;
    started.add(root);
    readZoneMemo(root);
    process.once("exit", () => writeZoneMemo(root));
}

/** The memo's file under `root`, where the compile cache would write; undefined where it would not. */
function memoFile(root: string): string | undefined {
    const dir = ownCacheFolder(root, "zones");
    return dir === undefined ? undefined : path.join(dir, "offsets.json");
}

/** Remembers the offsets kept under `root`; false when there are none it could use. */
export function readZoneMemo(root: string): boolean {
    const file = memoFile(root);
    if (file === undefined) return false;
    try {
        return rememberZones(JSON.parse(fs.readFileSync(file, "utf8")), INTL_SOURCE);
    } catch {
        // None yet, or not readable: found through Intl, and kept at exit.
        return false;
    }
}

/**
 * Keeps what this process found through Intl (with what it remembered) under `root`, renamed into
 * place (a reader sees the old file or the new one whole); nothing when it found nothing.
 */
export function writeZoneMemo(root: string): void {
    const memo = zonesToRemember(INTL_SOURCE);
    const file = memoFile(root);
    if (memo === undefined || file === undefined) return;
    const temporary = `${file}-${process.pid}-${Date.now()}`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writeDurably(temporary, JSON.stringify(memo));
        fs.renameSync(temporary, file);
    } catch {
        // A memo that cannot be written is only slower.
        try {
            fs.rmSync(temporary, { force: true });
        } catch {
            // Nothing more to do at exit.
        }
    }
}
