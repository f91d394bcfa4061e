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
