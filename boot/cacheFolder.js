// The folder under node_modules/.cache/patch-manager/ where this checkout keeps what it computes
// once for later runs (boot/compileCache.js: compiled programs; tools/cli/zoneMemo.ts: a zone's
// offsets), used only when it is the user's own, and files written there whole or not at all.
// Plain JavaScript, as compileCache.js: it runs before anything is compiled.
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * node_modules/.cache/patch-manager/<name> under `root` (`name` one folder name) when it may be
 * used: every folder on that way that exists is a folder of its own (no link: the offline diff
 * links an earlier commit's node_modules entries to this checkout's) owned by this user and not
 * writable by everyone (a cache another user can write would run their code); undefined otherwise.
 */
function ownCacheFolder(root, name) {
    const dir = path.join(root, "node_modules", ".cache", "patch-manager", name);
    let at = root;
    for (const part of ["node_modules", ".cache", "patch-manager", name]) {
        at = path.join(at, part);
        let stat;
        try {
            stat = fs.lstatSync(at);
        } catch {
            // Not there yet: write creates it, below folders checked here (node_modules itself must exist).
            return part === "node_modules" ? undefined : dir;
        }
        // Not a folder, another user's, or one anyone may write into (its files would run here).
        if (!stat.isDirectory() || (typeof process.getuid === "function" && stat.uid !== process.getuid()) || (stat.mode & 0o002) !== 0)
            return undefined;
    }
    return dir;
}

/** Writes and flushes to the disk, so that the manifest written after it never names a file cut short. */
function writeDurably(file, text) {
    const fd = fs.openSync(file, "w");
    try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

module.exports = { ownCacheFolder, writeDurably };
