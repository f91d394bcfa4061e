// ESLint rule: a relative import must stay inside the package of the file that makes it (the
// nearest folder with a package.json). A package is published and installed on its own (the
// policy pack's tarball, @patch-manager/ssm bundled in it), where a path out of its folder names
// nothing; code it needs from elsewhere comes in as a dependency, by package name.
"use strict";
const fs = require("fs");
const path = require("path");

/** The nearest folder at or above `dir` that holds a package.json. */
function packageRoot(dir) {
    for (let d = dir; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "package.json"))) return d;
        if (path.dirname(d) === d) return undefined;
    }
}

module.exports = {
    meta: {
        type: "problem",
        docs: { description: "forbid relative imports that leave the file's package" },
        schema: [],
        messages: {
            outside:
                '"{{source}}" leaves the package {{pkg}}; a published package has nothing outside its folder. Depend on the code as a package (by name) or move it in.',
        },
    },
    create(context) {
        const filename = context.filename;
        const root = packageRoot(path.dirname(filename));
        if (!root) return {};
        const check = (node, source) => {
            if (typeof source !== "string" || !source.startsWith(".")) return;
            const target = path.resolve(path.dirname(filename), source);
            const rel = path.relative(root, target);
            if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
                context.report({ node, messageId: "outside", data: { source, pkg: path.basename(root) } });
            }
        };
        const fromSource = (node) => node.source && check(node.source, node.source.value);
        return {
            ImportDeclaration: fromSource,
            ExportNamedDeclaration: fromSource,
            ExportAllDeclaration: fromSource,
            ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
            TSImportEqualsDeclaration: (node) =>
                node.moduleReference.type === "TSExternalModuleReference" &&
                check(node.moduleReference, node.moduleReference.expression.value),
            CallExpression: (node) => {
                const [arg] = node.arguments;
                const isRequire = node.callee.type === "Identifier" && node.callee.name === "require";
                const isResolve =
                    node.callee.type === "MemberExpression" &&
                    node.callee.object.type === "Identifier" &&
                    node.callee.object.name === "require" &&
                    node.callee.property.type === "Identifier" &&
                    node.callee.property.name === "resolve";
                if ((isRequire || isResolve) && arg && arg.type === "Literal") check(arg, arg.value);
            },
        };
    },
};
