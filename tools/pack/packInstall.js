// The policy pack as Pulumi enforces a published one: `npm pack` in policies/ (what
// `pulumi policy publish` uploads), the tarball unpacked into an empty directory and `npm install`
// run there (what the CLI does before starting a pack from a policy group). Shared by
// `npm run test:pack-tarball` and `npm run bench`; plain JavaScript so the bench needs no compiler.
"use strict";
const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const POLICIES = path.join(ROOT, "policies");
/** The analyzer's entry point, relative to a pack's directory. */
const RUN_POLICY_PACK = path.join("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");

function run(cmd, args, cwd) {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** Packs policies/ into `work` and installs it in `work/pack`; returns the tarball's name and that directory. */
function packAndInstall(work) {
    run("npm", ["pack", "--pack-destination", work, "--loglevel=warn"], POLICIES);
    const tarball = fs.readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error("npm pack wrote no tarball");
    const dir = path.join(work, "pack");
    fs.mkdirSync(dir);
    run("tar", ["xzf", path.join(work, tarball), "--strip-components=1", "-C", dir], work);
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
    return { tarball, dir };
}

/**
 * Starts `node <args>` in `cwd` and resolves once it prints its port on stdout, as a policy pack
 * announces its gRPC server: with the child, the port and the milliseconds it took. Rejects with
 * its stderr if it exits first.
 */
function startListening(args, cwd) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve({ child, port: Number(m[1]), ms: Date.now() - started, stderr: () => err });
        });
        child.stderr.on("data", (d) => (err += d.toString()));
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before announcing a port: ${err}`)));
    });
}

/**
 * Starts the pack in `dir` as the analyzer does: `node <run-policy-pack> <engine address> .` in
 * `dir`, run-policy-pack from `dir`'s node_modules unless given.
 */
function startPack(dir, runPolicyPack = path.join(dir, RUN_POLICY_PACK)) {
    return startListening([runPolicyPack, "127.0.0.1:1", "."], dir);
}

module.exports = { POLICIES, packAndInstall, startListening, startPack };
