// NOT ESCALATABLE: no role any shipped stack or the organisation creates can be turned into more.
// Every escalation request is simulated with the role's real policies and must be denied (or be a
// known gap of today, tests/authz/knownGaps.ts, that must still be allowed until its fix lands).
import { strict as assert } from "assert";
import { awsManagedPolicy, list, organisation, programStacks, Role, statements } from "./world";
import { BOUNDARY_POLICY_NAME } from "../../org/config";
import { decide, Request } from "./iam";
import {
    escalations,
    FOREIGN_WINDOW_CALLS,
    foreignWindow,
    isNodeRole,
    positiveControl,
    RoleSite,
    sitesOf,
    ssmMayAssume,
} from "./escalation";
import { MANAGED_BY } from "../../org/stackSetTemplate";
import { MANAGED_NODE_SESSION } from "../../components/iam";
import { judge } from "./knownGaps";

const ADMIN = { name: "AdministratorAccess", policy: awsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")! };

describe("authorization model: no role can escalate", function () {
    this.timeout(120_000);
    let sites: RoleSite[];
    before(async () => {
        const org = await organisation();
        const orgSites = [...org.accounts, ...org.github].flatMap((a) =>
            a.roles.map((role) => ({ role, siblings: [] as Role[], fleetReads: [] })),
        );
        // The githubActions variant repeats the deploy role: keep each role key once.
        const seen = new Set<string>();
        sites = [...(await programStacks()).flatMap(sitesOf), ...orgSites].filter((s) => !seen.has(s.role.key) && seen.add(s.role.key));
    });

    it("models every role: the program's in each shipped stack and the StackSet template's in each account", () => {
        const keys = sites.map((s) => s.role.key);
        for (const k of [
            "dev:maintenance-window-role",
            "dev:patched-instance-role",
            "prod-hybrid:hybrid-nodes-role",
            "org:DeployRole@555555555555",
            "org:GitHubActionsRole@555555555555",
        ])
            assert.ok(keys.includes(k), `${k} in ${keys.join(", ")}`);
    });

    it("positive controls: each role is allowed a request its own policies grant, and AdministratorAccess every escalation request", async () => {
        // A simulation that denied everything would pass every denial below: these must be allowed.
        for (const { role } of sites) {
            const control = await positiveControl(role);
            assert.ok(control, `${role.key}: no concrete Allow statement to control with`);
            assert.equal(await decide(role, control), "Allowed", `${role.key}: ${control.action} on ${control.resource}`);
        }
        const byId = new Map<string, Request>();
        for (const s of sites) for (const e of escalations(s)) byId.set(e.id, e.request);
        for (const [id, request] of byId) {
            const admin = {
                arn: `arn:aws:iam::${request.resource.split(":")[4] || "123456789012"}:role/admin`,
                account: request.resource.split(":")[4] || "123456789012",
                identity: [ADMIN],
            };
            // A bucket policy that denies the admin (TLS-only) is satisfied by a TLS request.
            const tls = request.action.startsWith("s3:") ? { context: { ...(request.context ?? {}), "aws:SecureTransport": "true" } } : {};
            assert.equal(await decide(admin, { ...request, ...tls }), "Allowed", `AdministratorAccess: ${id}`);
        }
    });

    it("denies every escalation request to every role (apart from today's known gaps, which must still be open)", async () => {
        const decisions: { role: string; request: string; allowed: boolean }[] = [];
        for (const site of sites)
            for (const e of escalations(site)) {
                const tls = e.request.action.startsWith("s3:")
                    ? { context: { ...(e.request.context ?? {}), "aws:SecureTransport": "true" } }
                    : {};
                decisions.push({
                    role: site.role.key,
                    request: e.id,
                    allowed: (await decide(site.role, { ...e.request, ...tls })) === "Allowed",
                });
            }
        const { findings, fixed } = judge(decisions, (g) => !g.trust);
        assert.deepEqual(findings, [], "escalation paths no known gap lists");
        assert.deepEqual(fixed, [], "known gaps that are fixed");
    });

    // ssm:CreateActivation takes any role SSM may assume, and its iam:PassRole carries the same
    // iam:PassedToService (ssm.amazonaws.com) as a window task's: IAM cannot keep the window role out of an
    // activation. So every role SSM may assume that is not a node's refuses a node's session: SSM names a
    // hybrid node's session by its managed-instance id (`assumed-role/<role>/mi-<17 hex>`, awslabs/aws-support-tools
    // "Systems Manager/SSMAgent-Toolkit-Windows/README.md"), so its aws:userid is `<role id>:mi-...`.
    it("a role SSM may assume serves no hybrid node it is given to through an activation (positive control: its own grant)", async () => {
        const roles = sites.map((s) => s.role).filter((r) => r.origin === "program" && ssmMayAssume(r) && !isNodeRole(r));
        assert.ok(
            roles.some((r) => r.key.endsWith(":maintenance-window-role")) && roles.some((r) => r.key.endsWith(":strategies-runbook")),
            roles.map((r) => r.key).join(", "),
        );
        const node = { "aws:userid": "AROAEXAMPLEROLEID0001:mi-0123456789abcdef0" };
        const window = { "aws:userid": "AROAEXAMPLEROLEID0001:window-task" };
        assert.ok(
            new RegExp(`^${MANAGED_NODE_SESSION.replace(/\*/g, ".*")}$`).test(node["aws:userid"]),
            "the node's session is the pattern's",
        );
        const problems: string[] = [];
        for (const role of roles) {
            const control = (await positiveControl(role))!;
            const as = (userid: Record<string, string>) => decide(role, { ...control, context: { ...(control.context ?? {}), ...userid } });
            if ((await as(window)) !== "Allowed") problems.push(`${role.key}: ${control.action} denied to its own service session`);
            if ((await as(node)) === "Allowed") problems.push(`${role.key}: ${control.action} allowed to a hybrid node's session`);
        }
        assert.deepEqual(problems, []);
    });

    // Review C #2: a deploying principal registered a task with any document on any window of the account.
    // The window's ManagedBy tag decides (org/stackSetTemplate.ts PatchManagerWindows); the positive control
    // is the same request on a window the program tagged, and the ARNs are of the account the role serves.
    it("the deploy role registers tasks and targets on the program's windows (ManagedBy) only, and cannot adopt another's", async () => {
        const org = await organisation();
        const deploy = org.accounts[0].roles.find((r) => r.key.startsWith("org:DeployRole@"))!;
        const window = foreignWindow("eu-west-1", deploy.account);
        const ours = { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value };
        for (const [action, context] of FOREIGN_WINDOW_CALLS) {
            assert.equal(
                await decide(deploy, { action, resource: window, context }),
                "ImplicitlyDenied",
                `${action} ${JSON.stringify(context)}`,
            );
            // The provider never retags ManagedBy: the program's own retagging names its other tags.
            const own = action === "ssm:AddTagsToResource" ? { ...ours, "aws:RequestTag/Team": "ops", "aws:TagKeys": ["Team"] } : ours;
            assert.equal(await decide(deploy, { action, resource: window, context: own }), "Allowed", `${action} on the program's window`);
        }
        // A task's own id names no window: its calls are decided on the window they also name.
        const task = window.replace(/maintenancewindow\/.*$/, "windowtask/0f0f0f0f-0f0f-0f0f-0f0f-0f0f0f0f0f0f");
        assert.equal(await decide(deploy, { action: "ssm:UpdateMaintenanceWindowTask", resource: task }), "Allowed");
        // Untagging ManagedBy from the program's window would let it go (and a later adoption in).
        assert.equal(
            await decide(deploy, {
                action: "ssm:RemoveTagsFromResource",
                resource: window,
                context: { ...ours, "aws:TagKeys": [MANAGED_BY.key] },
            }),
            "ImplicitlyDenied",
        );
    });

    // Positive control for the anchored role names (org/stackSetTemplate.ts roleNamePatterns) and the
    // per-service PassRole: the deploy role may create every role of every shipped stack (with the
    // boundary) and pass it to the service its trust names, unless only a runbook passes it (Lambda).
    // The program's own runbooks' automation roles (alarm stop, freezes, patch now) are named only in a
    // document or an event target's input: the deploy never passes them, and must not be able to
    // (passing patch now's role is what starting a fleet-wide install takes).
    it("the deploy role may create every role of every shipped stack with the boundary, and pass it to its service (never an own runbook's)", async () => {
        const org = await organisation();
        const deploy = org.accounts[0].roles.find((r) => r.key.startsWith("org:DeployRole@"))!;
        const problems: string[] = [];
        let checked = 0;
        for (const stack of await programStacks())
            for (const role of stack.roles) {
                const arn = role.arn.replace(`:${role.account}:`, `:${deploy.account}:`);
                const create = {
                    action: "iam:CreateRole",
                    resource: arn,
                    context: { "iam:PermissionsBoundary": `arn:aws:iam::${deploy.account}:policy/${BOUNDARY_POLICY_NAME}` },
                };
                if ((await decide(deploy, create)) !== "Allowed") problems.push(`${role.key}: CreateRole ${arn}`);
                const services = statements(role.trust).flatMap((st) => list((st.Principal as { Service?: string | string[] })?.Service));
                const ownRunbooks = /-automation-role$/.test(
                    role.key
                        .split(":")
                        .pop()!
                        .replace(/^[a-z]{2}(-[a-z]+)+-\d-/, ""),
                );
                for (const service of services.filter((x) => x !== "lambda.amazonaws.com")) {
                    const pass = { action: "iam:PassRole", resource: arn, context: { "iam:PassedToService": service } };
                    const allowed = (await decide(deploy, pass)) === "Allowed";
                    if (allowed === ownRunbooks) problems.push(`${role.key}: PassRole to ${service} ${allowed ? "allowed" : "denied"}`);
                }
                checked++;
            }
        assert.ok(checked > 20, `${checked} roles`);
        assert.deepEqual(problems, []);
    });
});
