// Start-up of the policy pack, process start until the analyzer listens, each started as the
// Pulumi CLI starts a pack (`node <run-policy-pack> <engine address> .` in the pack's folder):
//   checkout - policies/ from this checkout (TypeScript: ts-node type-checks it on every start)
//   tarball  - the published tarball, unpacked and installed (compiled JavaScript)
// each against a floor: an empty PolicyPack with the same SDK started the same way (an empty
// TypeScript pack on this checkout's node_modules; an empty JavaScript pack on the tarball's).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { POLICIES, packAndInstall, startPack } = require("../pack/packInstall");

const ROOT = path.resolve(__dirname, "..", "..");
const EMPTY_PACK = 'new (require("@pulumi/policy").PolicyPack)("empty", { policies: [] });\n';

/** A folder holding an empty pack whose node_modules is `nodeModules`. */
function emptyPack(dir, nodeModules, typescript) {
    fs.mkdirSync(dir);
    fs.symlinkSync(nodeModules, path.join(dir, "node_modules"), "dir");
    const main = typescript ? "index.ts" : "index.js";
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty", version: "0.0.0", main }));
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    if (typescript) {
        fs.copyFileSync(path.join(POLICIES, "tsconfig.json"), path.join(dir, "tsconfig.json"));
        fs.writeFileSync(
            path.join(dir, main),
            `import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("empty", { policies: [] });\n`,
        );
    } else fs.writeFileSync(path.join(dir, main), EMPTY_PACK);
    return dir;
}

/** Median start of `runs` fresh starts, in ms. */
async function medianStart(dir, runPolicyPack, runs) {
    const times = [];
    for (let i = 0; i < runs; i++) {
        const pack = await startPack(dir, runPolicyPack);
        pack.child.removeAllListeners("exit");
        pack.child.kill();
        times.push(pack.ms);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
}

/** { checkout, checkoutFloor, tarball, tarballFloor } in ms, medians of `runs`. */
async function packStarts(runs) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "patch-manager-bench-pack-"));
    try {
        const { dir } = packAndInstall(work);
        const checkoutRunner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [ROOT] });
        const emptyTs = emptyPack(path.join(work, "empty-ts"), path.join(ROOT, "node_modules"), true);
        const emptyJs = emptyPack(path.join(work, "empty-js"), path.join(dir, "node_modules"), false);
        return {
            checkout: await medianStart(POLICIES, checkoutRunner, runs),
            checkoutFloor: await medianStart(emptyTs, checkoutRunner, runs),
            tarball: await medianStart(dir, undefined, runs),
            tarballFloor: await medianStart(emptyJs, undefined, runs),
        };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

module.exports = { packStarts };
