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
    private readonly formatter: Intl.DateTimeFormat;
    private readonly blocks = new Map<number, Block>();

    /** `fixedOffset`: a zone whose offset never changes (UTC: 0), read without Intl. */
    constructor(
        readonly timezone: string,
        private readonly fixedOffset?: number,
    ) {
        // croner's own options, so that each offset is the one croner's conversion gives.
        this.formatter = new Intl.DateTimeFormat("en-US", {
            timeZone: timezone,
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
            hour12: false,
        });
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

    /** The offset changes in block `index`: a sample every SAMPLE_MS, each change bisected to the second. */
    private block(index: number): Block {
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
