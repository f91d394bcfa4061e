// The shipped stacks: every Pulumi.<name>.yaml at a checkout's root, by name.
"use strict";
const fs = require("fs");

/** The names of the stack files at `root` (`Pulumi.prod.yaml` → "prod"), sorted. */
function shippedStacks(root) {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f))
        .filter(Boolean)
        .map((m) => m[1])
        .sort();
}

module.exports = { shippedStacks };
