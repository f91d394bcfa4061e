// Every relative link in the docs points at a file that exists, so a moved or renamed page
// fails here rather than in a reader's browser.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, docFiles, links } from "./markdown";

/**
 * Pages written on other branches at the same time as the README's map that links them; a
 * link to one of them passes while the file is missing, and is checked like any other once it
 * exists.
 */
export const EXPECTED_TO_ARRIVE = ["docs/strategies.md"];

const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#");

describe("docs: relative links", () => {
    it("finds the links of README.md and docs/", () => {
        const readme = links("README.md").map((l) => l.target);
        assert.ok(readme.includes("docs/configuration.md"), `README.md links: ${readme.join(", ")}`);
        assert.ok(readme.includes("policies/README.md"));
    });

    for (const file of docFiles()) {
        it(`${file}: every relative link points at an existing file`, () => {
            const broken = links(file)
                .filter((l) => !external(l.target))
                .map((l) => ({ ...l, resolved: path.normalize(path.join(path.dirname(file), decodeURI(l.target.split("#")[0]))) }))
                .filter((l) => !fs.existsSync(path.join(ROOT, l.resolved)))
                .filter((l) => !EXPECTED_TO_ARRIVE.includes(l.resolved.split(path.sep).join("/")));
            assert.deepEqual(
                broken.map((l) => `${file}:${l.line}: ${l.target}`),
                [],
            );
        });
    }

    it("a page expected from another branch is linked from the README's map", () => {
        const readme = links("README.md").map((l) => l.target);
        for (const page of EXPECTED_TO_ARRIVE) assert.ok(readme.includes(page), `README.md does not link ${page}`);
    });
});
