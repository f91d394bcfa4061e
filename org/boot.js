// The control plane's program as Pulumi's Node.js runtime starts it (org/Pulumi.yaml `main`):
// org/index.ts, compiled once into one file and kept until a source changes (boot/compileCache.js).
"use strict";
const path = require("path");
module.exports = require("../boot/compileCache").load({ root: path.join(__dirname, ".."), entry: "org/index.ts" });
