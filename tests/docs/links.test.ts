// Every relative link in the docs points at a file that exists, so a moved or renamed page
// fails here rather than in a reader's browser.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, docFiles, links } from "./markdown";

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
                .filter((l) => !fs.existsSync(path.join(ROOT, l.resolved)));
            assert.deepEqual(
                broken.map((l) => `${file}:${l.line}: ${l.target}`),
                [],
            );
        });
    }

    it("the README's map links every page of docs/", () => {
        const readme = new Set(links("README.md").map((l) => l.target.split("#")[0]));
        const pages = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
        assert.deepEqual(
            pages.filter((p) => !readme.has(`docs/${p}`)),
            [],
        );
    });
});
