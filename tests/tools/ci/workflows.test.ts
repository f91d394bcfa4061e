import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { listStacks, stackOutputs } from "../../../tools/ci/ciStacks";
import { checkExpression, lintWorkflow, lintWorkflowDir } from "../../../tools/ci/workflowLint";
import { ROOT } from "../../helpers";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const read = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");

/** A small valid workflow to break on purpose. */
const GOOD = `name: t
on: push
jobs:
  list:
    runs-on: ubuntu-latest
    outputs:
      all: \${{ steps.l.outputs.all }}
    steps:
      - id: l
        run: echo "all=[]" >> "$GITHUB_OUTPUT"
  use:
    needs: [list]
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include: \${{ fromJSON(needs.list.outputs.all) }}
    env:
      HAS: \${{ secrets.TOKEN != '' }}
    steps:
      - if: env.HAS == 'true' && !cancelled()
        run: echo \${{ matrix.stack }} \${{ format('{0}/{1}', vars.ORG, github.sha) }}
`;

const messages = (text: string) => lintWorkflow("t.yml", text).map((p) => `${p.path}: ${p.message}`);

describe("GitHub Actions workflows (.github/workflows)", () => {
    it("every shipped workflow passes the schema (action-validator) and the expression checks", () => {
        assert.deepEqual(fs.readdirSync(WORKFLOWS).sort(), ["canary.yml", "deploy.yml", "pr-comment.yml", "pull-request.yml"]);
        assert.deepEqual(lintWorkflowDir(ROOT), []);
    });

    it("the canary runs only when started by hand: it creates instances in a sandbox account (docs/canary.md)", () => {
        const canary = YAML.parse(read("canary.yml"));
        assert.deepEqual(Object.keys(canary.on), ["workflow_dispatch"]);
        assert.deepEqual(canary.jobs.canary.strategy.matrix.stack, ["canary-strategies", "canary-private"]);
        assert.ok(canary.jobs.canary.steps.some((s: any) => s.name === "Destroy" && String(s.if).includes("always()")));
    });

    it("every npm script whose output a step keeps runs with -s (npm's banner goes to stdout; the project does not silence npm)", () => {
        assert.ok(
            !fs.existsSync(path.join(ROOT, ".npmrc")) || !/loglevel\s*=\s*silent/.test(fs.readFileSync(path.join(ROOT, ".npmrc"), "utf8")),
        );
        const kept: string[] = [];
        for (const f of fs.readdirSync(WORKFLOWS)) {
            for (const line of read(f).split("\n")) {
                if (/\bnpm run\b/.test(line) && /(>>?|\|)\s*\S/.test(line.replace(/\$\{\{.*?\}\}/g, ""))) {
                    kept.push(line.trim());
                    assert.match(line, /\bnpm run -s\b/, `${f}: ${line.trim()}`);
                }
            }
        }
        assert.ok(kept.length >= 2, kept.join("\n"));
    });

    it("the small workflow used below is valid, so each broken copy fails for its own reason", () => {
        assert.deepEqual(messages(GOOD), []);
    });

    it("rejects a deliberately broken workflow: schema errors and a needs that names no job", () => {
        const broken = GOOD.replace("needs: [list]", "needs: [lists]").replace(
            "runs-on: ubuntu-latest\n    strategy",
            "runs_on: ubuntu-latest\n    strategy",
        );
        const found = messages(broken);
        assert.ok(
            found.some((m) => /^\/jobs\/use\/needs: Unresolved job: unresolved job lists/.test(m)),
            found.join("\n"),
        );
        assert.ok(
            found.some((m) => /Additional property 'runs_on' is not allowed/.test(m)),
            found.join("\n"),
        );
    });

    it("rejects broken expressions: syntax, unclosed ${{, unknown context and function", () => {
        assert.deepEqual(messages(GOOD.replace("matrix.stack }}", "matrix.stack ) }}")), [
            '/jobs/use/steps/0/run: unexpected ")" after the expression in "matrix.stack )"',
        ]);
        assert.deepEqual(messages(GOOD.replace("${{ matrix.stack }}", "${{ matrix.stack }")), [
            // The unclosed one swallows the next opening: reported as the syntax error it is.
            '/jobs/use/steps/0/run: unexpected character "}" in "matrix.stack } ${{ format(\'{0}/{1}\', vars.ORG, github.sha)"',
        ]);
        assert.match(messages(GOOD.replace("vars.ORG", "var.ORG"))[0], /unknown context "var"/);
        assert.match(messages(GOOD.replace("fromJSON(", "fromJson2("))[0], /unknown function "fromJson2\(\)"/);
    });

    it("rejects references the job cannot see: needs not listed, a later step, matrix without a matrix, secrets in if", () => {
        assert.deepEqual(messages(GOOD.replace("needs.list.outputs", "needs.other.outputs")), [
            '/jobs/use/strategy/matrix/include: needs.other: the job does not list "other" in needs',
        ]);
        assert.deepEqual(messages(GOOD.replace("steps.l.outputs", "steps.m.outputs")), []);
        assert.deepEqual(
            messages(
                GOOD.replace("- id: l\n        run:", "- run:")
                    .replace("${{ steps.l.outputs.all }}", "x")
                    .replace("echo ${{ matrix", "echo ${{ steps.later.outputs.x }} ${{ matrix"),
            ),
            ['/jobs/use/steps/0/run: steps.later: no earlier step in this job has id "later"'],
        );
        assert.match(messages(GOOD.replace("name: t", "name: ${{ matrix.x }}"))[0], /"matrix" is used in a job without a strategy.matrix/);
        assert.match(
            messages(GOOD.replace("if: env.HAS == 'true'", "if: secrets.TOKEN != ''"))[0],
            /"secrets" cannot be used in an if: condition/,
        );
    });

    it("expression grammar: operators, literals, indexing, calls on results", () => {
        const scope = { needs: ["a"], hasMatrix: true, isIf: false };
        for (const ok of [
            "github.event_name == 'push' || (needs.a.result != 'failure' && !cancelled())",
            "fromJSON(needs.a.outputs.x)[0].stack",
            "github.event.pull_request.labels.*.name",
            "contains(github.ref, 'refs/tags/') && 1 < 2.5",
            "'it''s'",
        ]) {
            assert.deepEqual(checkExpression(ok, scope), [], ok);
        }
        assert.match(checkExpression("github.sha ==", scope)[0], /unexpected end/);
        assert.match(checkExpression("'open", scope)[0], /unterminated string/);
        assert.match(checkExpression("", scope)[0], /empty expression/);
    });

    it("the PR workflow previews every stack with the pack, by OIDC, and falls back to the offline diff without secrets", () => {
        const pr = YAML.parse(read("pull-request.yml"));
        const preview = pr.jobs.preview;
        assert.deepEqual(preview.needs, ["checks", "stacks"]);
        assert.equal(preview.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.all) }}");
        assert.equal(preview.permissions["id-token"], "write");
        const step = (uses: string) => preview.steps.find((s: any) => typeof s.uses === "string" && s.uses.startsWith(uses));
        const pulumi = step("pulumi/actions@");
        assert.equal(pulumi.with.command, "preview");
        assert.equal(pulumi.with.policyPacks, "policies");
        assert.equal(pulumi.with.diff, true);
        assert.equal(pulumi.with["comment-on-pr"], true);
        assert.equal(pulumi.if, "env.CLOUD_PREVIEW == 'true'");
        assert.equal(step("aws-actions/configure-aws-credentials@").with["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        const offline = preview.steps.find((s: any) => typeof s.run === "string" && s.run.includes("--diff-against"));
        assert.match(
            offline.run,
            /npm run -s plan -- --stack "\$\{\{ matrix.stack \}\}" --diff-against "\$\{\{ github.event.pull_request.base.sha \}\}" --markdown/,
        );
        const note = preview.steps.find((s: any) => s.name === "Note that the cloud preview was skipped");
        assert.equal(note.if, "env.CLOUD_PREVIEW != 'true'");
        assert.match(note.run, /Cloud preview skipped/);
        const fleet = pr.jobs.fleet.steps.find((s: any) => typeof s.run === "string" && s.run.includes("--all"));
        assert.match(fleet.run, /npm run -s plan -- --all --markdown --out fleet\.md \|\| status=\$\?/);
        assert.match(fleet.run, /cat fleet\.md >> "\$GITHUB_STEP_SUMMARY"\nexit "\$status"/);
    });

    it("the PR workflow's checks run every command of .ci/run, in its order", () => {
        // .ci/run's commands: each line that is not blank, a comment or shell setup (set, cd).
        const ciRun = fs
            .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("#") && !/^(set|cd)\s/.test(l));
        assert.ok(ciRun.includes("npm run test:pack-tarball"), ciRun.join("\n"));
        const checks = YAML.parse(read("pull-request.yml")).jobs.checks.steps.filter((s: any) => typeof s.run === "string");
        assert.deepEqual(
            checks.map((s: any) => s.run.trim()),
            ciRun,
        );
    });

    it("main deploys non-production stacks first, then production behind the approval environment, the pack on every up", () => {
        const deploy = YAML.parse(read("deploy.yml"));
        const { "up-nonproduction": nonprod, "up-production": prod } = deploy.jobs;
        assert.equal(nonprod.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.nonproduction) }}");
        assert.equal(prod.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.production) }}");
        assert.ok(prod.needs.includes("up-nonproduction"));
        assert.equal(prod.environment, "production");
        for (const job of [nonprod, prod]) {
            const up = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
            assert.equal(up.with.command, "up");
            assert.equal(up.with.policyPacks, "policies");
        }
    });

    it("the stack matrix comes from the stack files, production from patch-manager:environment", () => {
        const stacks = listStacks(ROOT);
        // Every stack file is in the matrix but the examples (`# ci: example`).
        const files = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
        const examples = files.filter((f) => /^# ci: example\b/m.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepEqual(examples.sort(), ["Pulumi.prod-hybrid.yaml", "Pulumi.prod-private.yaml", "Pulumi.prod-strategies.yaml"]);
        assert.deepEqual(stacks.map((s) => `Pulumi.${s.stack}.yaml`).sort(), files.filter((f) => !examples.includes(f)).sort());
        assert.deepEqual(
            stacks.find((s) => s.stack === "dev"),
            { stack: "dev", environment: "development" },
        );
        assert.deepEqual(
            stacks.find((s) => s.stack === "prod"),
            { stack: "prod", environment: "production" },
        );
        const devAndProd = stacks.filter((s) => s.stack === "dev" || s.stack === "prod");
        const renamed = stackOutputs([
            ...devAndProd,
            { stack: "live-eu", environment: "production" },
            { stack: "prod-like", environment: "acceptance" },
        ]);
        assert.deepEqual(
            renamed.production.map((s) => s.stack),
            ["prod", "live-eu"],
        );
        assert.deepEqual(
            renamed.nonproduction.map((s) => s.stack),
            ["dev", "prod-like"],
        );
    });

    it("a stack file without patch-manager:environment stops the matrix with the file named", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: patch-manager\nruntime: nodejs\n");
            fs.writeFileSync(path.join(dir, "Pulumi.edge.yaml"), "config:\n  aws:region: eu-west-1\n");
            assert.throws(
                () => listStacks(dir),
                /^Error: Pulumi\.edge\.yaml: patch-manager:environment is not set; CI cannot tell whether the stack is production$/,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
