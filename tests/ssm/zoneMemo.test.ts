// A zone's offsets kept between runs (packages/ssm/zone.ts rememberZones / zonesToRemember,
// tools/cli/zoneMemo.ts): remembered blocks give Intl's own offsets without building an
// Intl.DateTimeFormat (whose first one costs a process 15-25 ms), a memo of another version or of
// any other shape is not used, and the zone check knows every listed name without Intl's formatter.
import * as assert from "node:assert/strict";
import * as diagnostics_channel from "node:diagnostics_channel";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
    ZONE_MEMO_VERSION,
    checkTimezone,
    forgetZones,
    rememberZones,
    timezoneProblemsThroughIntl,
    zonesToRemember,
} from "@patch-manager/ssm";
import { zoneOffsets } from "../../packages/ssm/zone";
import { INTL_SOURCE, readZoneMemo, writeZoneMemo } from "../../tools/cli/zoneMemo";

const ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago"];
const FROM = Date.UTC(2024, 0, 1);
const UNTIL = Date.UTC(2031, 0, 1);

/** The Intl.DateTimeFormat objects built while `run` runs. */
function formattersDuring<T>(run: () => T): { value: T; built: number } {
    const Original = Intl.DateTimeFormat;
    let built = 0;
    Intl.DateTimeFormat = new Proxy(Original, {
        construct(target, args) {
            built++;
            return new target(...(args as ConstructorParameters<typeof Original>));
        },
    });
    try {
        return { value: run(), built };
    } finally {
        Intl.DateTimeFormat = Original;
    }
}

const instants = fc.array(fc.integer({ min: FROM, max: UNTIL - 1 }), { minLength: 1, maxLength: 20 });

describe("ssm: a zone's offsets remembered between runs", () => {
    afterEach(() => forgetZones());

    it("remembered, they are Intl's offsets at any instant, without building a formatter", () => {
        fc.assert(
            fc.property(fc.constantFrom(...ZONES), instants, (zone, at) => {
                forgetZones();
                const found = at.map((ms) => zoneOffsets(zone).offsetAt(ms));
                const memo = JSON.parse(JSON.stringify(zonesToRemember(INTL_SOURCE)));
                assert.equal(memo.version, `${ZONE_MEMO_VERSION}; ${INTL_SOURCE}`);
                forgetZones();
                assert.equal(rememberZones(memo, INTL_SOURCE), true);
                const again = formattersDuring(() => at.map((ms) => zoneOffsets(zone).offsetAt(ms)));
                assert.deepEqual(again.value, found);
                assert.equal(again.built, 0);
                // Nothing new found: nothing to keep.
                assert.equal(zonesToRemember(INTL_SOURCE), undefined);
            }),
            { numRuns: 30 },
        );
    });

    it("a memo of another version, or a block of any other shape, is not used: those offsets come from Intl", () => {
        const zone = "Europe/Amsterdam";
        const at = Date.UTC(2026, 6, 1);
        zoneOffsets(zone).offsetAt(at);
        const good = zonesToRemember(INTL_SOURCE)!;
        const [index, block] = Object.entries(good.zones[zone])[0];
        const bad = (change: (b: { changes: number[]; offsets: number[] }) => unknown) => ({
            version: good.version,
            zones: { [zone]: { [index]: change(structuredClone(block)) } },
        });
        const memos: unknown[] = [
            { ...good, version: `${ZONE_MEMO_VERSION}; icu 0; tz 0` },
            { ...good, version: `zone-offsets 1; ${INTL_SOURCE}` },
            { ...good, version: ZONE_MEMO_VERSION },
            null,
            [],
            { version: good.version, zones: [] },
            bad((b) => ({ ...b, offsets: b.offsets.slice(1) })),
            bad((b) => ({ ...b, changes: [...b.changes].reverse() })),
            bad((b) => ({ ...b, changes: b.changes.map((c) => c + 1) })),
            bad((b) => ({ ...b, changes: b.changes.map((c) => c + 400 * 86_400_000) })),
            bad((b) => ({ ...b, offsets: b.offsets.map(() => 19 * 3_600_000) })),
            bad((b) => ({ ...b, offsets: b.offsets.map(() => "3600000") })),
            bad((b) => ({ ...b, offsets: b.offsets.map((o) => o + 1) })),
            bad((b) => ({ ...b, offsets: b.offsets.map(() => 3_600_000) })),
            { version: good.version, zones: { [zone]: { [`0${index}`]: block } } },
        ];
        for (const memo of memos) {
            forgetZones();
            assert.equal(rememberZones(memo, INTL_SOURCE), false, JSON.stringify(memo));
            const read = formattersDuring(() => zoneOffsets(zone).offsetAt(at));
            assert.equal(read.built, 1, JSON.stringify(memo));
            assert.equal(read.value, 7_200_000);
        }
    });

    it("kept under a checkout's node_modules/.cache and read back by the next run; none where the cache would not write", () => {
        const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "zone-memo-")));
        try {
            fs.mkdirSync(path.join(root, "node_modules"));
            const at = Date.UTC(2027, 2, 28, 12);
            const offset = zoneOffsets("Europe/Amsterdam").offsetAt(at);
            writeZoneMemo(root);
            const file = path.join(root, "node_modules", ".cache", "patch-manager", "zones", "offsets.json");
            assert.ok(fs.existsSync(file));
            forgetZones();
            assert.equal(readZoneMemo(root), true);
            const read = formattersDuring(() => zoneOffsets("Europe/Amsterdam").offsetAt(at));
            assert.deepEqual(read, { value: offset, built: 0 });

            // A cache folder everyone may write into is not read (nor written).
            forgetZones();
            fs.chmodSync(path.dirname(file), 0o777);
            assert.equal(readZoneMemo(root), false);
            fs.chmodSync(path.dirname(file), 0o755);
            // A file cut short or of another shape: not used.
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 40));
            assert.equal(readZoneMemo(root), false);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("a plan of a stack with dates (exemptions, freezes) and windows in its zone asks Intl nothing once the zone is remembered", async function () {
        this.timeout(20_000);
        const { planStack } = await import("../../tools/plan/plan");
        for (const stack of ["prod-strategies", "prod-private"]) {
            forgetZones();
            // A first plan finds the zone's offsets through Intl; a later run remembers them. An instant
            // no other test plans for: an evaluation another test of this worker kept would not run
            // the program, and the memo would miss what the program asks for. Both plans must run
            // the program (counted by its config parse), or the count below would prove nothing.
            const from = new Date("2026-12-01T00:00:07Z");
            let parses = 0;
            const parsed = () => void parses++;
            diagnostics_channel.channel("patch-manager:config:parse").subscribe(parsed);
            await planStack({ stack, from, occurrences: 3 });
            assert.equal(parses, 1, `${stack}: the first plan ran the program`);
            const memo = JSON.parse(JSON.stringify(zonesToRemember(INTL_SOURCE)));
            forgetZones();
            assert.equal(rememberZones(memo, INTL_SOURCE), true, stack);
            // Another instant: the program is evaluated again (an evaluation is kept per instant).
            // Counted as formatters built and as Intl conversions (croner keeps its formatter per zone).
            const Original = Intl.DateTimeFormat;
            const formatToParts = Original.prototype.formatToParts;
            let built = 0;
            Intl.DateTimeFormat = new Proxy(Original, {
                construct(target, args) {
                    built++;
                    return new target(...(args as ConstructorParameters<typeof Original>));
                },
            });
            Original.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
                built++;
                return formatToParts.call(this, date);
            };
            try {
                await planStack({ stack, from: new Date(from.getTime() + 60_000), occurrences: 3 });
            } finally {
                Intl.DateTimeFormat = Original;
                Original.prototype.formatToParts = formatToParts;
            }
            diagnostics_channel.channel("patch-manager:config:parse").unsubscribe(parsed);
            assert.equal(parses, 2, `${stack}: the second plan ran the program`);
            assert.equal(built, 0, stack);
        }
    });

    it("the zone check: every name Intl lists, and UTC, is valid as the check through Intl's formatter says", () => {
        const listed = [...Intl.supportedValuesOf("timeZone"), "UTC"];
        const checked = formattersDuring(() => listed.map((zone) => checkTimezone(zone)));
        assert.ok(checked.value.every((problems) => problems.length === 0));
        assert.equal(checked.built, 0);
        for (const zone of listed) assert.deepEqual(timezoneProblemsThroughIntl(zone), [], zone);
        // Names it does not list still go through Intl: an alias is accepted, a wrong case refused.
        assert.deepEqual(checkTimezone("US/Eastern"), timezoneProblemsThroughIntl("US/Eastern"));
        assert.match(checkTimezone("europe/Amsterdam")[0], /case-sensitive/);
    });
});
