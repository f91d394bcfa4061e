// mocha's config: every tests/**/*.test.ts but the component package's (npm run test:component-package),
// on two workers. The files are handed to the workers longest first (measured one by one, seconds of
// CPU in a warm worker), then the rest by name: with the long files last, one worker would finish
// while the other still ran them. A file missing from this list only runs later; a name in it that
// no longer exists fails here.
const fs = require("fs");
const path = require("path");

const LONGEST_FIRST = [
    "tests/tools/plan/planSchema.test.ts",
    "tests/docs/commands.test.ts",
    "tests/tools/plan/plan.test.ts",
    "tests/config/messages.property.test.ts",
    "tests/tools/plan/planAll.test.ts",
    "tests/policies/conformance.test.ts",
    "tests/tools/diff/planDiffCli.test.ts",
    "tests/program/lifetime/prod-private.test.ts",
    "tests/tools/diff/diffAtRef.test.ts",
    "tests/ssm/schedule.test.ts",
    "tests/authz/escalation.test.ts",
    "tests/authz/sufficient.test.ts",
    "tests/config/shapes.property.test.ts",
    "tests/components/preconditions.test.ts",
];

const all = fs
    .readdirSync(path.join(__dirname, "tests"), { recursive: true })
    .map((f) => path.posix.join("tests", f.split(path.sep).join("/")))
    .filter((f) => f.endsWith(".test.ts") && !f.startsWith("tests/package/"))
    .sort();
for (const f of LONGEST_FIRST) if (!all.includes(f)) throw new Error(`.mocharc.js: ${f} is not a test file`);

module.exports = {
    require: ["tests/setup/register.js", "tests/setup/fastCheckSeed.ts"],
    spec: [...LONGEST_FIRST, ...all.filter((f) => !LONGEST_FIRST.includes(f))],
    timeout: 60000,
    reporter: "spec",
    parallel: true,
    jobs: 2,
};
