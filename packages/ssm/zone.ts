/**
 * A time zone's UTC offsets, read from the zone's offset changes, which are found once per zone
 * and year with a few hundred Intl calls, instead of an Intl conversion at every step as croner
 * makes them: the cheap path of `nextStarts` for a zone other than UTC (see schedule.ts).
 *
 * Offsets are croner 11's (node_modules/croner, its `N`): the wall clock of an instant to the
 * second, from the same Intl.DateTimeFormat options, minus the instant to the second. The tz
 * database changes a zone's offset at whole seconds, and since 1970 never twice within a week
 * (`zdump -v -c 1970,2200` over Intl's 418 zones: the closest are 166 h apart,
 * America/Cambridge_Bay in 2000), so offsets sampled every 3 days (72 h), with a bisection to the
 * second where two samples differ, find every change: about 160 Intl calls a zone and year.
 *
 * Pure: no clock, no I/O.
 */

const DAY_MS = 86_400_000;
/** The step between two samples of a zone's offset (less than half the shortest time between two changes). */
const SAMPLE_MS = 3 * DAY_MS;
/** The span each list of changes covers (whole samples, so samples stay on whole seconds). */
const BLOCK_MS = 120 * SAMPLE_MS;
/** croner's window for telling a repeated wall time (its `W`). */
const AMBIGUITY_MS = 3 * 3_600_000;

interface Block {
    /** The instants (ms, whole seconds) where the offset changes inside the block, ascending. */
    changes: number[];
    /** offsets[0] holds at the block's start, offsets[i + 1] from changes[i]. */
    offsets: number[];
}

export class ZoneOffsets {
    private formatterMade: Intl.DateTimeFormat | undefined;
    private readonly blocks = new Map<number, Block>();

    /** `fixedOffset`: a zone whose offset never changes (UTC: 0), read without Intl. */
    constructor(
        readonly timezone: string,
        private readonly fixedOffset?: number,
    ) {}

    /**
     * croner's own options, so that each offset is the one croner's conversion gives. Made when a
     * block is first found through Intl: the first formatter of a process costs ICU's date
     * formatting set-up, 15-25 ms, which a block remembered from an earlier run (rememberZones) spares.
     */
    private get formatter(): Intl.DateTimeFormat {
        return (this.formatterMade ??= new Intl.DateTimeFormat("en-US", {
            timeZone: this.timezone,
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
            hour12: false,
        }));
    }

    /** The offset of a zone whose offset never changes (UTC: 0), else undefined. */
    get fixed(): number | undefined {
        return this.fixedOffset;
    }

    /** The zone's offset (ms) at an instant (ms). */
    offsetAt(ms: number): number {
        if (this.fixedOffset !== undefined) return this.fixedOffset;
        // Lookups come in runs near one instant: the last span of one offset answers most of them.
        if (ms >= this.spanStart && ms < this.spanEnd) return this.spanOffset;
        const index = Math.floor(ms / BLOCK_MS);
        const block = this.blocks.get(index) ?? this.block(index);
        let i = 0;
        while (i < block.changes.length && block.changes[i] <= ms) i++;
        this.spanStart = i === 0 ? index * BLOCK_MS : block.changes[i - 1];
        this.spanEnd = i === block.changes.length ? (index + 1) * BLOCK_MS : block.changes[i];
        this.spanOffset = block.offsets[i];
        return this.spanOffset;
    }

    private spanStart = 0;
    private spanEnd = 0;
    private spanOffset = 0;

    /** The wall-clock time of an instant, to the second, as ms of a UTC date. */
    wallAt(ms: number): number {
        return Math.floor(ms / 1000) * 1000 + this.offsetAt(ms);
    }

    /**
     * The instant croner 11 starts a fixed-time job at for a wall-clock time (ms of a UTC date, whole
     * seconds) if it is after `after`, or undefined when croner passes that wall time by (its `_runAt`
     * and `k`, read with these offsets): a time that occurs once, at it; twice (fall back), at the
     * first; never (spring forward), at the end of the gap if that is still the same local date.
     */
    startAt(wall: number, after: number): number | undefined {
        const offset = (ms: number) => this.offsetAt(ms);
        const guess = wall - offset(wall);
        let start: number | undefined;
        if (this.wallAt(guess) === wall) {
            // This wall time exists; croner looks 3 h either side for a second instant of it.
            const here = this.wallAt(guess) - guess;
            const earlier = guess - (offset(guess - AMBIGUITY_MS) - here);
            start = earlier < guess && this.wallAt(earlier) === wall ? earlier : guess;
        } else {
            const other = wall - (this.wallAt(guess) - guess);
            if (this.wallAt(other) === wall) {
                start = other;
            } else {
                // In a gap: the first second after it, on the same local date or not at all.
                const end = this.changeBetween(Math.min(guess, other), Math.max(guess, other));
                if (Math.floor(this.wallAt(end) / DAY_MS) === Math.floor(wall / DAY_MS)) start = end;
            }
        }
        return start !== undefined && start > after ? start : undefined;
    }

    /** The first whole second after `low` whose offset is not the one at `low`, up to `high` (croner's `M`). */
    private changeBetween(low: number, high: number): number {
        const initial = this.offsetAt(low);
        while (high - low > 1000) {
            const middle = low + Math.floor((high - low) / 2000) * 1000;
            if (this.offsetAt(middle) === initial) low = middle;
            else high = middle;
        }
        return high;
    }

    /** The offset changes in block `index`: remembered from an earlier run, else found through Intl. */
    private block(index: number): Block {
        const remembered = MEMO.remembered.get(this.timezone)?.get(index);
        if (remembered !== undefined) {
            if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
            this.blocks.set(index, remembered);
            return remembered;
        }
        const block = this.intlBlock(index);
        if (MEMO.found.size < MAX_ZONES) {
            const found = MEMO.found.get(this.timezone) ?? new Map<number, Block>();
            if (found.size < MAX_BLOCKS) found.set(index, block);
            MEMO.found.set(this.timezone, found);
        }
        return block;
    }

    /** The offset changes in block `index` through Intl: a sample every SAMPLE_MS, each change bisected to the second. */
    private intlBlock(index: number): Block {
        const start = index * BLOCK_MS;
        const end = start + BLOCK_MS;
        const changes: number[] = [];
        const offsets = [this.intlOffset(start)];
        let low = start;
        for (let sample = start + SAMPLE_MS; sample <= end; sample += SAMPLE_MS) {
            const offset = this.intlOffset(sample);
            // More than one change between two samples (never seen since 1970) is found one after another.
            while (offset !== offsets[offsets.length - 1]) {
                const known = offsets[offsets.length - 1];
                let high = sample;
                while (high - low > 1000) {
                    const middle = low + Math.floor((high - low) / 2000) * 1000;
                    if (this.intlOffset(middle) === known) low = middle;
                    else high = middle;
                }
                // A change at the block's end belongs to the next block (its offsets[0]).
                if (high >= end) break;
                changes.push(high);
                offsets.push(this.intlOffset(high));
                low = high;
            }
            low = sample;
        }
        if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
        const block = { changes, offsets };
        this.blocks.set(index, block);
        return block;
    }

    /** croner's offset at an instant, through Intl. */
    private intlOffset(ms: number): number {
        const second = Math.floor(ms / 1000) * 1000;
        const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
        for (const part of this.formatter.formatToParts(second)) {
            if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
        }
        const hour = fields.hour === 24 ? 0 : fields.hour;
        return Date.UTC(fields.year, fields.month - 1, fields.day, hour, fields.minute, fields.second) - second;
    }
}

// ---------------------------------------------------------------------------------------------
// Offsets remembered between runs
// ---------------------------------------------------------------------------------------------

/**
 * How a block is found: this file's sampling and block length (and croner's options, in the
 * number). A memo also names the tz database and ICU that Intl answered from (the `source` its
 * reader gives: tools/cli/zoneMemo.ts, this package knowing no runtime); blocks remembered under
 * another version or source are not used.
 */
export const ZONE_MEMO_VERSION = `zone-offsets 2; a sample every ${SAMPLE_MS} ms; blocks of ${BLOCK_MS} ms`;

/** Blocks found through Intl in this process, and those remembered from earlier ones. */
const MEMO = { found: new Map<string, Map<number, Block>>(), remembered: new Map<string, Map<number, Block>>() };

/** The blocks as a file keeps them: `{ version, zones: { zone: { index: { changes, offsets } } } }`, the version naming the source. */
export interface ZoneMemo {
    version: string;
    zones: Record<string, Record<string, Block>>;
}

/**
 * The blocks this process found through Intl and those it remembered, to keep for the next run
 * (tools/cli/zoneMemo.ts); undefined when it found none (nothing new to keep).
 */
export function zonesToRemember(source: string): ZoneMemo | undefined {
    if (MEMO.found.size === 0) return undefined;
    const zones: ZoneMemo["zones"] = {};
    for (const source of [MEMO.remembered, MEMO.found]) {
        for (const [zone, blocks] of source) {
            const kept = (zones[zone] ??= {});
            for (const [index, block] of blocks) kept[String(index)] = block;
        }
    }
    return { version: `${ZONE_MEMO_VERSION}; ${source}`, zones };
}

/**
 * Blocks an earlier run found (what `zonesToRemember` gave it), used instead of asking Intl:
 * only under this ZONE_MEMO_VERSION and the same `source` (what Intl answers from), and only
 * blocks shaped as this file makes them (changes whole seconds, ascending, inside the block; one
 * offset more than changes, each whole seconds within ±18 h and unlike the one before it); anything
 * else in it is not used. False when none of it is.
 */
export function rememberZones(memo: unknown, source: string): boolean {
    if (memo === null || typeof memo !== "object") return false;
    const { version, zones } = memo as Partial<ZoneMemo>;
    if (version !== `${ZONE_MEMO_VERSION}; ${source}` || zones === null || typeof zones !== "object" || Array.isArray(zones)) return false;
    let used = false;
    for (const [zone, blocks] of Object.entries(zones).slice(0, MAX_ZONES)) {
        if (blocks === null || typeof blocks !== "object" || Array.isArray(blocks)) continue;
        for (const [key, block] of Object.entries(blocks).slice(0, MAX_BLOCKS)) {
            const index = Number(key);
            if (String(index) !== key || !Number.isSafeInteger(index) || !isBlock(block, index)) continue;
            const kept = MEMO.remembered.get(zone) ?? new Map<number, Block>();
            kept.set(index, { changes: [...block.changes], offsets: [...block.offsets] });
            MEMO.remembered.set(zone, kept);
            used = true;
        }
    }
    return used;
}

function isBlock(block: unknown, index: number): block is Block {
    if (block === null || typeof block !== "object") return false;
    const { changes, offsets } = block as Partial<Block>;
    if (!Array.isArray(changes) || !Array.isArray(offsets) || offsets.length !== changes.length + 1) return false;
    const start = index * BLOCK_MS;
    const end = start + BLOCK_MS;
    let last = start;
    for (const change of changes) {
        if (!Number.isSafeInteger(change) || change % 1000 !== 0 || change <= last || change >= end) return false;
        last = change;
    }
    return offsets.every(
        (offset, i) =>
            Number.isSafeInteger(offset) &&
            offset % 1000 === 0 &&
            Math.abs(offset) <= 18 * 3_600_000 &&
            (i === 0 || offset !== offsets[i - 1]),
    );
}

/** Forgets what was found and remembered (tests). */
export function forgetZones(): void {
    MEMO.found.clear();
    MEMO.remembered.clear();
    ZONES.clear();
}

/** Blocks kept per zone (360 days each). */
const MAX_BLOCKS = 64;
const ZONES = new Map<string, ZoneOffsets>();
const MAX_ZONES = 64;

/** The offsets of a zone (an IANA name Intl knows), kept per zone. */
export function zoneOffsets(timezone: string): ZoneOffsets {
    let zone = ZONES.get(timezone);
    if (!zone) {
        if (ZONES.size >= MAX_ZONES) ZONES.clear();
        // UTC: croner's fixed offset 0 has always stood for it (no DST), and Etc/UTC's Intl offsets are 0.
        zone = timezone === "UTC" ? new ZoneOffsets(timezone, 0) : new ZoneOffsets(timezone);
        ZONES.set(timezone, zone);
    }
    return zone;
}
