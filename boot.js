// The project's program as Pulumi's Node.js runtime starts it (Pulumi.yaml `main`): index.ts,
// compiled once into one file and kept until a source changes (boot/compileCache.js, docs/speed.md).
"use strict";
module.exports = require("./boot/compileCache").load({ root: __dirname, entry: "index.ts" });
