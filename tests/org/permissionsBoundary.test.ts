import { strict as assert } from "assert";
import { evaluate, refused, shippedConfig, withConfig } from "../helpers";

// The org/ deploy role may create or change a role only with its boundary (iam:PermissionsBoundary),
// so every role a cell's program creates must carry it: a role without one fails at CreateRole.
const BOUNDARY = "arn:aws:iam::111111111111:policy/patch-manager-boundary";

describe("permissionsBoundaryArn: the boundary on every role the program creates", () => {
    // prod-private: roles of four components (window, instances, alerts, alarm stop), in two regions.
    for (const stack of ["prod-private"]) {
        it(`${stack}: every aws.iam.Role carries the boundary, whichever component creates it`, async () => {
            const s = await evaluate(stack, withConfig(shippedConfig(stack), { permissionsBoundaryArn: BOUNDARY }));
            const roles = s.ofType("aws:iam/role:Role");
            // Positive control: the stack creates roles in more than one component.
            assert.ok(new Set(roles.map((r) => r.parent)).size >= 4, `${stack} creates roles in ${roles.length} places`);
            for (const r of roles) assert.equal(r.inputs.permissionsBoundary, BOUNDARY, r.urn);
        });
    }

    it("sets none when the key is absent", async () => {
        const s = await evaluate("prod");
        for (const r of s.ofType("aws:iam/role:Role")) assert.equal(r.inputs.permissionsBoundary, undefined, r.urn);
    });

    it("refuses what is not a customer-managed policy ARN, at its key", () => {
        refused(
            { environment: "production", permissionsBoundaryArn: "arn:aws:iam::111111111111:role/x" },
            "patch-manager:permissionsBoundaryArn",
            "customer-managed IAM policy ARN",
        );
    });
});

describe("the StackSet's boundary leaves the program's own roles what their policies grant", () => {
    it("allows every action of every inline role policy of the shipped stacks, on its resources", async function () {
        const { boundaryPolicyDocument } = await import("../../org/stackSetTemplate");
        const { allowed, resolve } = await import("./iamEval");
        const account = "111111111111";
        const boundary = resolve(boundaryPolicyDocument(), { account, parameters: {} }).Statement;
        let checked = 0;
        for (const stack of ["prod-strategies", "prod-private", "prod-hybrid"]) {
            const s = await evaluate(stack);
            for (const p of s.ofType("aws:iam/rolePolicy:RolePolicy")) {
                const doc = typeof p.inputs.policy === "string" ? JSON.parse(p.inputs.policy) : p.inputs.policy;
                for (const st of doc.Statement.filter((x: any) => x.Effect === "Allow"))
                    for (const action of [st.Action].flat() as string[])
                        for (const resource of [st.Resource].flat() as string[]) {
                            // The plan's ARNs name the mock account; the boundary is resolved for one account.
                            const r = String(resource).replace(/:\d{12}:/, `:${account}:`);
                            assert.ok(allowed(boundary, action, r), `${stack} ${p.name}: ${action} on ${r}`);
                            checked++;
                        }
            }
        }
        assert.ok(checked > 20, `checked ${checked} grants`);
    });
});
