// Starts policies/ the way `pulumi preview --policy-pack policies` does (the analyzer runs
// @pulumi/pulumi's run-policy-pack, which compiles the pack with ts-node *with* type-checking
// against policies/tsconfig.json) and checks that it comes up and announces its port.
// Slow (the type-check), so it runs in .ci/run, not in `npm test`.
import { spawn } from "child_process";
import * as path from "path";

const dir = path.resolve(__dirname, "..", "policies");
const started = Date.now();
const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: dir });
let stderr = "";
const timer = setTimeout(() => finish(false, "no port announced within 120 s"), 120_000);

function finish(ok: boolean, message: string): void {
    clearTimeout(timer);
    child.kill();
    process.stdout.write(`policy pack ${ok ? "starts" : "does NOT start"}: ${message}\n`);
    if (!ok && stderr) process.stdout.write(stderr);
    process.exit(ok ? 0 : 1);
}

child.stdout.on("data", (chunk: Buffer) => {
    const port = String(chunk).trim();
    if (/^\d+$/.test(port)) finish(true, `analyzer listening on port ${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
child.stderr.on("data", (chunk: Buffer) => (stderr += String(chunk)));
child.on("exit", (code) => finish(false, `exited with code ${code} before announcing a port`));
