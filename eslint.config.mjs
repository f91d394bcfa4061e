// ESLint flat config: typescript-eslint with type information (the Pulumi
// rules need the type checker to tell an Output from a string).
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";
import eslint from "@eslint/js";
import noImportOutsidePackage from "./tools/ci/eslint/noImportOutsidePackage.js";

export default tseslint.config(
    { ignores: ["node_modules/**", "policies/node_modules/**", "policies/*.js", "packages/*/node_modules/**", "bin/**"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            // An Output in a template literal renders as a warning text, not its value.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // Mock-runtime internals and parsed YAML are untyped by nature; `any` there is deliberate.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
            "no-unused-expressions": "off",
            "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
        },
    },
    {
        // Published on their own (the pack's tarball bundles @patch-manager/ssm): no path out of the folder.
        files: ["policies/**/*.ts", "packages/**/*.ts"],
        plugins: { local: { rules: { "no-import-outside-package": noImportOutsidePackage } } },
        rules: { "local/no-import-outside-package": "error" },
    },
    {
        // Plain CommonJS scripts (the bench runs without TypeScript on purpose).
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                __dirname: "readonly",
                __filename: "readonly",
                Buffer: "readonly",
                console: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.mjs"],
        languageOptions: { sourceType: "module" },
    },
);
