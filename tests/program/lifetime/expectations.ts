// What each lifetime edit may do to a stack, as the provider would carry it out. Shared by the
// lifetime test files (split by stack so that mocha's workers run them side by side).
import { strict as assert } from "assert";
import { ResourceChange } from "../../../tools/diff/planDiff";
import { shippedConfig } from "../../helpers";
import { applyEdit, collisions, EDITS, EditResult, projectValues } from "./edits";

const WINDOW_TYPES = new Set([
    "aws:ssm/maintenanceWindow:MaintenanceWindow",
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
]);
const ACTIVATION = "aws:ssm/activation:Activation";
const ROTATING = "time:index/rotating:Rotating";
const DATA_SYNC = "aws:ssm/resourceDataSync:ResourceDataSync";

const of = (r: EditResult, action: ResourceChange["action"]) => r.changes.filter((c) => c.action === action);
const types = (cs: ResourceChange[]) => [...new Set(cs.map((c) => c.type))].sort();

/** Per edit, what the diff must say beyond the checks every edit gets. */
const EXPECT: Record<string, (r: EditResult, stack: string) => void> = {
    "move a group's cron": (r) => {
        assert.deepEqual([of(r, "replace"), of(r, "add"), of(r, "remove")].flat(), []);
        const windows = of(r, "update").filter((c) => WINDOW_TYPES.has(c.type));
        assert.ok(windows.length > 0, "the window is updated in place");
        for (const w of windows)
            assert.deepEqual(
                w.changes.map((c) => c.path),
                ["schedule"],
            );
        // Daily compliance scans move with the window they stay clear of.
        assert.deepEqual(
            types(of(r, "update")).filter((t) => !WINDOW_TYPES.has(t)),
            types(of(r, "update").filter((c) => c.type === "aws:ssm/association:Association")),
        );
    },
    "add a group": (r) => {
        assert.deepEqual([of(r, "replace"), of(r, "remove")].flat(), []);
        assert.ok(of(r, "add").length >= 6, "its registration, schedule, window, target and task");
    },
    "rename a group": (r) => {
        assert.deepEqual(of(r, "replace"), []);
        assert.equal(of(r, "add").length, of(r, "remove").length, "the group's resources under the new name, the old ones deleted");
    },
    "remove a group": (r) => {
        assert.deepEqual([of(r, "replace"), of(r, "add")].flat(), []);
        assert.ok(of(r, "remove").length > 0);
    },
    "change tags": (r) => {
        // An activation's tags force a new one (TagsSchemaForceNew): its settings are in its name, so the
        // edit creates the new activation (counting the registered servers afresh) and deletes the old one.
        assert.deepEqual(
            [of(r, "add"), of(r, "remove")].flat().filter((c) => c.type !== ACTIVATION),
            [],
        );
        assert.equal(of(r, "add").length, of(r, "remove").length, "each activation for one");
        assert.deepEqual(of(r, "replace"), []);
        for (const c of of(r, "update"))
            assert.ok(
                c.changes.every((x) => x.path.startsWith("tags")),
                `${c.name}: ${c.changes.map((x) => x.path)}`,
            );
    },
    "change the log prefix": (r) => {
        assert.deepEqual([of(r, "replace"), of(r, "add"), of(r, "remove")].flat(), []);
        assert.ok(
            of(r, "update").some((c) => c.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask"),
            "tasks write under the new prefix",
        );
    },
    "change the data-sync prefix": (r) => {
        assert.deepEqual([of(r, "add"), of(r, "remove")].flat(), []);
        assert.deepEqual(types(of(r, "replace")), [DATA_SYNC], "a data sync has no Update");
    },
    "change the KMS key": (r) => {
        assert.deepEqual([of(r, "add"), of(r, "remove")].flat(), []);
        assert.ok(
            types(of(r, "replace")).every((t) => t === DATA_SYNC),
            types(of(r, "replace")).join(),
        );
        assert.ok(of(r, "update").some((c) => c.type.includes("bucketServerSideEncryptionConfiguration")));
    },
    "turn centralLogBucket on or off": (r) => {
        assert.ok(
            types(of(r, "replace")).every((t) => t === DATA_SYNC),
            types(of(r, "replace")).join(),
        );
        assert.ok(of(r, "add").length + of(r, "remove").length > 0, "a region's own bucket comes or goes");
    },
    "add a region": (r) => {
        assert.deepEqual([of(r, "replace"), of(r, "remove")].flat(), []);
        // With one central bucket, the report tables of the other regions also read the new region's files.
        for (const c of of(r, "update")) {
            assert.equal(c.type, "aws:glue/catalogTable:CatalogTable", c.urn);
            assert.deepEqual(
                c.changes.map((x) => x.path),
                ["parameters.projection.region.values"],
            );
        }
        assert.ok(of(r, "add").length > 0);
        // The new region's resources come through their own provider, in that region.
        const added = new Set(of(r, "add").map((c) => c.urn));
        const regions = new Set(
            r.after.filter((x) => added.has(x.urn) && x.custom && !x.type.startsWith("pulumi:providers:")).map((x) => x.region),
        );
        assert.equal(regions.size, 1, [...regions].join());
        assert.ok(!r.before.some((x) => regions.has(x.region)), "a region the stack did not have");
    },
};

/** One mocha `it` per applicable edit of the stack. */
export function lifetimeOf(stack: string): void {
    describe(`lifetime of the shipped stack ${stack}: each edit as the offline diff sees it`, function () {
        const base = shippedConfig(stack);
        const values = projectValues(base);
        const region = base.values["aws:region"] ?? "us-east-1";
        for (const edit of EDITS) {
            const changes = edit.apply(values, region);
            if (changes === undefined) continue;
            it(edit.name, async function () {
                const r = await applyEdit(stack, base, changes);
                assert.ok(r.changes.length > 0, "the edit changes something");
                // Every edit: nothing collides, no window/target/task is replaced (an update or a new URN suffices),
                // and a replaced activation always gets a new rotation base.
                assert.deepEqual(collisions(r), []);
                assert.deepEqual(
                    of(r, "replace")
                        .filter((c) => WINDOW_TYPES.has(c.type))
                        .map((c) => c.urn),
                    [],
                );
                // An activation is never replaced: a changed setting names a new one, created with the count read then.
                assert.deepEqual(
                    of(r, "replace")
                        .filter((c) => c.type === ACTIVATION || c.type === ROTATING)
                        .map((c) => c.urn),
                    [],
                );
                EXPECT[edit.name](r, stack);
            });
        }
    });
}
