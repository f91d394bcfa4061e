import { strict as assert } from "assert";
import YAML from "yaml";
import { parseOrgConfig } from "../../org/config";
import { autoRemediate, driftCron, policyLevel } from "../../org/controlPlane";
import { predecessors, rollout } from "../../org/rollout";
import { parseConfig } from "../../config";
import { ENVIRONMENTS } from "../../config/environment";
import { plan } from "../helpers";
import { exampleValues, encode, parseOrg } from "./helpers";

interface Resource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string | null;
    inputs: Record<string, any>;
    deleteBeforeReplace?: boolean;
    retainOnDelete?: boolean;
}

const S = {
    stack: "pulumiservice:index:Stack",
    tags: "pulumiservice:index:StackTags",
    env: "pulumiservice:index:Environment",
    deploy: "pulumiservice:index:DeploymentSettings",
    drift: "pulumiservice:index:DriftSchedule",
    webhook: "pulumiservice:index:Webhook",
    pack: "pulumiservice:index:PolicyPack",
    group: "pulumiservice:index:PolicyGroup",
    stackSet: "aws:cloudformation/stackSet:StackSet",
    instance: "aws:cloudformation/stackSetInstance:StackSetInstance",
};

describe("org control plane: the example organisation planned offline", () => {
    let doc: { project: string; stack: string; resources: Resource[]; windows: unknown[]; violations: unknown[] };
    const org = parseOrg(exampleValues());
    const of = (type: string) => doc.resources.filter((r) => r.type === type);

    before(async () => {
        const out = await plan("--project", "org", "--stack", "example", "--json");
        assert.equal(out.code, 0, out.stderr);
        doc = JSON.parse(out.stdout);
    });

    it("prints the plan's JSON contract for project patch-manager-org", () => {
        assert.equal(doc.project, "patch-manager-org");
        assert.equal(doc.stack, "example");
        assert.deepEqual(doc.windows, []);
        assert.deepEqual(doc.violations, []);
        for (const r of doc.resources) assert.match(r.urn, /^urn:pulumi:example::patch-manager-org::/);
    });

    it("creates one patch-manager stack per cell, kept when the control plane is destroyed", () => {
        const stacks = of(S.stack);
        assert.deepEqual(stacks.map((s) => s.inputs.stackName).sort(), org.cells.map((c) => c.stack).sort());
        for (const s of stacks) {
            assert.equal(s.inputs.projectName, "patch-manager");
            assert.equal(s.inputs.organizationName, "example-org");
            assert.equal(s.retainOnDelete, true);
        }
    });

    it("tags each stack with its environment, account and region(s)", () => {
        const tags = of(S.tags).find((t) => t.inputs.stack === "development-222222222222-eu-west-1")!;
        assert.deepEqual(tags.inputs.tags, { environment: "development", account: "222222222222", region: "eu-west-1,eu-central-1" });
        assert.equal(of(S.tags).length, org.cells.length);
    });

    it("holds each cell's settings in an ESC environment that imports its account's credentials", () => {
        const env = of(S.env).find((e) => e.inputs.name === "production-666666666666-eu-central-1")!;
        assert.equal(env.inputs.project, "patch-manager-666666666666");
        const yaml = YAML.parse(env.inputs.yaml.text);
        assert.deepEqual(yaml.imports, ["patch-manager-666666666666/credentials"]);
        assert.equal(yaml.values.pulumiConfig["patch-manager:environment"], "production");
        assert.equal(yaml.values.pulumiConfig["patch-manager:timezone"], "Europe/Berlin");
        assert.equal(yaml.values.pulumiConfig["aws:region"], "eu-central-1");
        assert.deepEqual(yaml.values.pulumiConfig["aws:allowedAccountIds"], ["666666666666"]);
        // The settings in ESC, passed as the CLI passes stack config, give the model the org config validated.
        const cfg = yaml.values.pulumiConfig as Record<string, unknown>;
        const asCli = Object.fromEntries(
            Object.entries(cfg)
                .filter(([k]) => k.startsWith("patch-manager:"))
                .map(([k, v]) => [k.slice("patch-manager:".length), typeof v === "string" ? v : JSON.stringify(v)]),
        );
        assert.deepEqual(parseConfig(asCli, org.cells[5].stack), org.cells[5].model);
    });

    it("creates one aws-login ESC environment per account, through the StackSet's role, one hour at most", () => {
        const accounts = of(S.env).filter((e) => e.inputs.name === "credentials");
        assert.deepEqual(
            accounts.map((a) => a.inputs.project).sort(),
            [...new Set(org.cells.map((c) => `patch-manager-${c.account}`))].sort(),
        );
        const credentials = accounts.find((a) => a.inputs.project === "patch-manager-444444444444")!;
        const login = YAML.parse(credentials.inputs.yaml.text).values.aws.login["fn::open::aws-login"].oidc;
        assert.equal(login.roleArn, "arn:aws:iam::444444444444:role/patch-manager-deployments");
        assert.equal(login.duration, "60m");
    });

    it("deploys each cell from the repository's branch, lock file installed, with OIDC into the cell's own account", () => {
        for (const cell of org.cells) {
            const d = of(S.deploy).find((x) => x.inputs.stack === cell.stack)!;
            // `vcs`, not the deprecated `github` block.
            assert.equal(d.inputs.github, undefined);
            assert.deepEqual([d.inputs.vcs.provider, d.inputs.vcs.repository], ["github", "example-org/patch-manager"]);
            if (cell.environment === "production")
                assert.deepEqual(d.inputs.sourceContext.git, { commit: org.release!.commit, repoDir: "." });
            else assert.equal(d.inputs.sourceContext.git.branch, "refs/heads/main");
            assert.equal(d.inputs.operationContext.options.skipInstallDependencies, true);
            assert.equal(d.inputs.operationContext.preRunCommands[0], "npm ci --loglevel=warn");
            assert.equal(
                d.inputs.operationContext.preRunCommands[1],
                `pulumi config env add patch-manager-${cell.account}/${cell.stack} --yes --stack ${cell.stack}`,
            );
            assert.equal(d.inputs.operationContext.oidc.aws.roleARN, `arn:aws:iam::${cell.account}:role/patch-manager-deployments`);
            assert.equal(d.inputs.operationContext.oidc.aws.duration, "1h0m0s");
        }
    });

    it("checks drift daily, remediating only below acceptance", () => {
        assert.equal(of(S.drift).length, org.cells.length);
        for (const cell of org.cells) {
            const d = of(S.drift).find((x) => x.inputs.stack === cell.stack)!;
            // A remediation is an update to a webhook: only a cell that starts no other remediates.
            const feeds = of(S.webhook).some((w) => w.inputs.stackName === cell.stack);
            assert.equal(d.inputs.autoRemediate, !["acceptance", "production"].includes(cell.environment) && !feeds, cell.stack);
            assert.match(d.inputs.scheduleCron, /^\d{1,2} 5 \* \* \*$/);
        }
        assert.deepEqual(
            ENVIRONMENTS.map((e) => autoRemediate({ environment: e })),
            [true, true, true, false, false],
        );
        assert.notEqual(driftCron("0 5 * * *", "a-stack"), driftCron("0 5 * * *", "another-stack"));
        assert.equal(driftCron("30 5 * * *", "a-stack"), "30 5 * * *");
    });

    it("enforces the pack through two policy groups: mandatory for acceptance and production, advisory elsewhere", () => {
        assert.equal(of(S.pack).length, 1);
        assert.equal(of(S.pack)[0].inputs.name, "patch-manager");
        assert.match(of(S.pack)[0].inputs.sourcePath, /policies$/);
        const groups = Object.fromEntries(of(S.group).map((g) => [g.inputs.name, g.inputs]));
        const members = (name: string) => groups[name].stacks.map((s: { name: string }) => s.name).sort();
        assert.deepEqual(
            members("patch-manager-mandatory"),
            org.cells
                .filter((c) => ["acceptance", "production"].includes(c.environment))
                .map((c) => c.stack)
                .sort(),
        );
        assert.deepEqual(
            members("patch-manager-advisory"),
            org.cells
                .filter((c) => ["sandbox", "development", "test"].includes(c.environment))
                .map((c) => c.stack)
                .sort(),
        );
        assert.deepEqual(groups["patch-manager-mandatory"].policyPacks[0].config, { all: "mandatory" });
        assert.deepEqual(groups["patch-manager-advisory"].policyPacks[0].config, { all: "advisory" });
        assert.deepEqual(
            ENVIRONMENTS.map((e) => policyLevel({ environment: e })),
            ["advisory", "advisory", "advisory", "mandatory", "mandatory"],
        );
    });

    it("rolls a change out through the non-production cells before any production cell", () => {
        const hooks = of(S.webhook).map((w) => ({
            from: w.inputs.stackName,
            to: String(w.inputs.payloadUrl).replace("patch-manager/", ""),
        }));
        for (const w of of(S.webhook)) {
            assert.equal(w.inputs.format, "pulumi_deployments");
            assert.deepEqual(w.inputs.filters, ["update_succeeded"]);
        }
        const r = {
            onPush: of(S.deploy)
                .filter((d) => d.inputs.vcs.deployCommits)
                .map((d) => d.inputs.stack),
            steps: hooks,
        };
        assert.deepEqual(r.onPush, ["sandbox-111111111111-eu-west-1"]);
        // No webhook reaches production: it deploys only the released commit (org/rollout.ts).
        const production = org.cells.filter((c) => c.environment === "production").map((c) => c.stack);
        for (const h of hooks) assert.ok(!production.includes(h.to), `${h.from} -> ${h.to}`);
        const nonProduction = org.cells.filter((c) => c.environment !== "production").map((c) => c.stack);
        assert.deepEqual(new Set([r.onPush[0], ...hooks.map((h) => h.to)]), new Set(nonProduction));
    });

    it("orders the chain by environment and lets production deploy on push when there is nothing to wait for", () => {
        const r = rollout([
            { stack: "p", environment: "production", account: "1" },
            { stack: "t", environment: "test", account: "2" },
            { stack: "s", environment: "sandbox", account: "3" },
            { stack: "a", environment: "acceptance", account: "0" },
        ]);
        assert.deepEqual(r.onPush, ["s"]);
        assert.deepEqual(predecessors(r, "a"), ["s", "t"]);
        assert.deepEqual(predecessors(r, "p"), []);
        assert.deepEqual(rollout([{ stack: "p", environment: "production", account: "1" }]), { onPush: [], steps: [] });
    });

    it("puts the OIDC provider and deploy role into every account of the OUs through a service-managed StackSet", () => {
        const [set] = of(S.stackSet);
        assert.equal(set.inputs.permissionModel, "SERVICE_MANAGED");
        assert.deepEqual(set.inputs.autoDeployment, { enabled: true, retainStacksOnAccountRemoval: false });
        assert.deepEqual(set.inputs.capabilities, ["CAPABILITY_NAMED_IAM"]);
        assert.equal(set.deleteBeforeReplace, true); // a fixed name: a replacement would collide
        // Replacing it deletes every account's provider and roles first: protected.
        assert.equal(((set as any).options ?? set).protect, true);
        const instances = of(S.instance);
        // Each account with cells its own instance (OU ∩ account); each OU's others one (OU − those accounts).
        const targets = instances.map((i) => i.inputs.deploymentTargets);
        for (const [account, a] of Object.entries(org.accounts)) {
            const own = targets.filter((t) => t.accountFilterType === "INTERSECTION" && t.accounts.includes(account));
            assert.equal(own.length, 1, account);
            assert.deepEqual(own[0].organizationalUnitIds, [a.organizationalUnit]);
            const rest = targets.find((t) => t.organizationalUnitIds[0] === a.organizationalUnit && t.accountFilterType === "DIFFERENCE")!;
            assert.ok(rest.accounts.includes(account), account);
        }
        assert.deepEqual([...new Set(targets.map((t) => t.organizationalUnitIds[0]))].sort(), [...org.organizationalUnits].sort());
        for (const i of instances) {
            // hashicorp/terraform-provider-aws#40675: no in-place update of an OU-targeted instance.
            const o = (i as any).options ?? i;
            assert.equal(o.deleteBeforeReplace, true);
            assert.ok(o.replaceOnChanges?.includes("parameterOverrides") && o.replaceOnChanges.includes("deploymentTargets"));
            // Not protected as the StackSet is (children inherit protect): a new cell replaces its account's instance.
            assert.notEqual(o.protect, true);
            assert.equal(i.inputs.operationPreferences.maxConcurrentPercentage, 25);
            assert.equal(i.inputs.operationPreferences.failureTolerancePercentage, 5);
            assert.equal(i.inputs.operationPreferences.concurrencyMode, "SOFT_FAILURE_TOLERANCE");
        }
        const template = JSON.parse(set.inputs.templateBody);
        const trust = template.Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition;
        assert.deepEqual(trust.StringLike["api.pulumi.com/oidc:sub"], { Ref: "DeploymentsSubjects" });
        // The account that already has Pulumi's provider does not get another.
        const existing = instances.find((i) => i.inputs.deploymentTargets.accounts?.[0] === "555555555555" && i.inputs.parameterOverrides)!;
        assert.equal(existing.inputs.parameterOverrides.CreateOidcProvider, "false");
    });

    it("answers what a replacement would do: fixed names delete first, OU targets one instance each, stacks kept", () => {
        // aws_cloudformation_stack_set: `name` forces a new StackSet and the name is fixed, so the old
        // one must go first; aws_cloudformation_stack_set_instance: `deployment_targets` is ForceNew,
        // so one instance per OU keeps a new OU from replacing (deleting the role in) all the others.
        const [set] = of(S.stackSet);
        assert.equal(set.inputs.name, "patch-manager-pulumi-deploy-role");
        assert.equal(set.deleteBeforeReplace, true);
        for (const i of of(S.instance)) {
            assert.equal(i.inputs.deploymentTargets.organizationalUnitIds.length, 1);
            assert.equal(i.parent, set.urn);
        }
        // A stack renamed or removed from the config leaves the Pulumi Cloud stack (and its state) in place.
        for (const st of of(S.stack)) assert.equal(st.retainOnDelete, true);
    });

    it("refuses a bad org config with exit 2 and every problem on stderr, before evaluating anything", async () => {
        const values = exampleValues();
        values.cells[0].account = "123";
        values.cells[1].environment = "staging";
        const fs = require("fs");
        const os = require("os");
        const path = require("path");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "org-")), "Pulumi.bad.yaml");
        fs.writeFileSync(
            file,
            YAML.stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`patch-manager-org:${k}`, v])) }),
        );
        const out = await plan("--project", "org", "--stack", "bad", "--config", file, "--json");
        assert.equal(out.code, 2);
        assert.equal(out.stdout, "");
        assert.match(out.stderr, /Pulumi\.bad\.yaml: patch-manager-org:cells\[0\]\.account: /);
        assert.match(out.stderr, /Pulumi\.bad\.yaml: patch-manager-org:cells\[1\]\.environment: /);
        assert.doesNotThrow(() => parseOrgConfig(encode(exampleValues()), "x"));
    });
});
