// The tests compile TypeScript through ts-node, transpile-only, with SWC as the transpiler: the
// same JavaScript for this code base at a fraction of TypeScript's cost per file, which is most of
// a test worker's start. Type errors are `npm run typecheck`'s job. The program itself (Pulumi,
// `npm run plan`) keeps ts-node's default transpiler: @swc/core is a devDependency only.
require("ts-node").register({ transpileOnly: true, swc: true });
