// `npm run plan`: the offline plan (tools/plan/plan.ts), compiled once into one file with
// everything it loads, the program among them, and kept until a source changes
// (boot/compileCache.js). TypeScript is compiled as `pulumi preview` compiles it (ts-node with
// tsconfig.pulumi.json) only when a TypeScript file is still to be loaded: another project's
// program (`--project`), a commit's (`--diff-against`), or the plan itself when it cannot be compiled.
"use strict";
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");

/** ts-node registered on the first TypeScript file required, as `ts-node -P tsconfig.pulumi.json` would. */
function registerTypeScriptOnDemand() {
    const extensions = require.extensions;
    extensions[".ts"] = function compileOnDemand(module, filename) {
        delete extensions[".ts"];
        require("ts-node").register({ project: path.join(ROOT, "tsconfig.pulumi.json") });
        return extensions[".ts"](module, filename);
    };
}

registerTypeScriptOnDemand();
require("../../boot/compileCache").load({ root: ROOT, entry: "tools/plan/plan.ts" }).run(process.argv.slice(2));
