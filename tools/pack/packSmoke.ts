// Starts policies/ the way `pulumi preview --policy-pack policies` does (the analyzer runs
// @pulumi/pulumi's run-policy-pack, which compiles the pack with ts-node *with* type-checking
// against policies/tsconfig.json) and checks that it comes up and announces its port.
// Slow (the type-check), so it runs in .ci/run, not in `npm test`.
import { POLICIES, startPack, stopPack } from "./analyzerClient";

const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no port announced within 120 s")), 120_000).unref());

Promise.race([startPack(POLICIES, require.resolve("@pulumi/pulumi/cmd/run-policy-pack")), timeout]).then(
    (pack) => {
        stopPack(pack);
        process.stdout.write(`policy pack starts: analyzer listening on port ${pack.port} after ${(pack.ms / 1000).toFixed(1)} s\n`);
        process.exit(0);
    },
    (e: Error) => {
        process.stdout.write(`policy pack does NOT start: ${e.message}\n`);
        process.exit(1);
    },
);
