// Exemptions that expire: patches a group or baseline must not get for a while (a patch that
// breaks an application), rejected in the baselines until a date and left out from that date on,
// so that nobody has to remember to lift them.
import * as z from "zod";
import { REJECTED_PATCHES_ACTIONS, zonedInstant } from "@patch-manager/ssm";
export { EXEMPTION_TAG_PREFIX } from "@patch-manager/ssm";
import { dateString, oneOf, text } from "./fields";
import { patchList } from "./baselines";

const names = (what: string) =>
    z
        .array(z.string({ error: `must be a ${what} name` }), { error: `must be a list of ${what} names` })
        .min(1, { error: `must name at least one ${what}` });

export const exemptionFields = z
    .object({
        patches: patchList
            .min(1, { error: "must name at least one patch" })
            .meta({ description: "The patch ids or package names (KB5034441, openssl-3.0.8*) held back, as rejectedPatches takes them." }),
        groups: names("patch group")
            .optional()
            .meta({ description: "The patch groups exempted: the patches are rejected in the baselines these groups use." }),
        baselines: names("baseline").optional().meta({
            description: "Instead of groups: the baselines (by their name in baselines, or a generated one) that reject the patches.",
        }),
        reason: text(1024, "the reason").optional().meta({ description: "Why the patches are held back; required in production." }),
        ticket: text(128, "a ticket id")
            .optional()
            .meta({ description: "The change or risk ticket that approved it; required in production." }),
        until: dateString.meta({
            description: "The day (YYYY-MM-DD, 00:00 in the stack's time zone) from which the patches are no longer rejected.",
        }),
        action: oneOf(REJECTED_PATCHES_ACTIONS)
            .optional()
            .meta({ description: "rejectedPatchesAction of the baselines while the exemption holds; default: the baseline's (BLOCK)." }),
    })
    .strict()
    .meta({ id: "ExemptionSettings", description: "Patches held back from some groups or baselines until a date." });

export const exemptionsSchema = z.array(exemptionFields, {
    error: "must be a list of {patches, groups | baselines, reason, ticket?, until, action?}",
});

/** One entry of `exemptions` as validated. */
export type ParsedExemption = z.output<typeof exemptionFields>;

/** An exemption of the model: the baselines it applies to, and whether it holds at the model's instant. */
export interface ExemptionConfig {
    /** Its index in `exemptions`, which findings name. */
    readonly index: number;
    readonly patches: readonly string[];
    /** The groups it names, when it names groups. */
    readonly groups?: readonly string[];
    /** The baselines that reject the patches while it holds. */
    readonly baselines: readonly string[];
    readonly reason?: string;
    readonly ticket?: string;
    /** The date as written. */
    readonly until: string;
    /** 00:00 of `until` in the stack's time zone, ISO-8601 UTC: from this instant the patches are left out. */
    readonly endsAt: string;
    readonly action?: (typeof REJECTED_PATCHES_ACTIONS)[number];
    /** Whether the patches are rejected at the instant the model was built for. */
    readonly inForce: boolean;
    /** Whole days from that instant to `endsAt`, rounded up; 0 or less once it ended. */
    readonly daysLeft: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The exemptions at `now`: each with the baselines it applies to (a group's baseline when it names
 * groups; names that resolve to nothing are the cross-checks' to report, and apply to nothing here).
 */
export function exemptionConfigs(
    list: readonly ParsedExemption[],
    groupBaseline: (group: string) => string | undefined,
    timezone: string,
    now: Date,
): ExemptionConfig[] {
    return list.map((e, index) => {
        const endsAt = zonedInstant(e.until, "00:00", timezone);
        const baselines = e.groups
            ? [...new Set(e.groups.map(groupBaseline).filter((b): b is string => b !== undefined))]
            : [...new Set(e.baselines ?? [])];
        return {
            index,
            patches: e.patches,
            ...(e.groups ? { groups: e.groups } : {}),
            baselines,
            ...(e.reason !== undefined ? { reason: e.reason } : {}),
            ...(e.ticket !== undefined ? { ticket: e.ticket } : {}),
            until: e.until,
            endsAt: endsAt.toISOString(),
            ...(e.action !== undefined ? { action: e.action } : {}),
            inForce: now.getTime() < endsAt.getTime(),
            daysLeft: Math.ceil((endsAt.getTime() - now.getTime()) / DAY_MS),
        };
    });
}

/** What a baseline holds back for the exemptions in force: the patches, the action they ask for, and which exemptions (for its tags). */
export function baselineExemptions(baseline: string, exemptions: readonly ExemptionConfig[]) {
    const holding = exemptions.filter((e) => e.inForce && e.baselines.includes(baseline));
    const action = holding.find((e) => e.action !== undefined)?.action;
    return {
        patches: [...new Set(holding.flatMap((e) => e.patches))],
        ...(action !== undefined ? { action } : {}),
        exemptions: holding.map((e) => ({ index: e.index, endsAt: e.endsAt })),
    };
}

/** A problem of `exemptions`, at its path below the key. */
export interface ExemptionProblem {
    readonly path: (string | number)[];
    readonly message: string;
}

/**
 * The rules across keys for `exemptions`: each names groups or baselines that exist (not both),
 * production states its reason and ticket, and what a baseline rejects stays within SSM's limit
 * and asks for one rejectedPatchesAction. `groups`/`baselines` are undefined where the keys that
 * define them were refused (nothing is checked against them then).
 */
export function exemptionProblems(
    list: readonly ParsedExemption[],
    ctx: {
        readonly production: boolean;
        readonly groups?: readonly { name: string; baseline: string }[];
        readonly baselines?: readonly { name: string; rejectedPatches: readonly string[]; explicitAction?: string }[];
        readonly rejectedLimit: number;
    },
): ExemptionProblem[] {
    const problems: ExemptionProblem[] = [];
    const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(", ");
    /** Per baseline: the exemptions that apply to it, by index. */
    const onBaseline = new Map<string, number[]>();
    list.forEach((e, i) => {
        if ((e.groups === undefined) === (e.baselines === undefined)) {
            problems.push({
                path: [i],
                message:
                    "names the patch groups (groups) or the baselines (baselines) the patches are held back from: set exactly one of them",
            });
        }
        if (ctx.production) {
            for (const field of ["reason", "ticket"] as const) {
                if (e[field] === undefined)
                    problems.push({
                        path: [i, field],
                        message: `is required in production: an auditor asks why a patch is held back and who approved it (e.g. ${field === "reason" ? '"KB5034441 breaks the recovery partition of the app servers"' : '"CHG-1234"'})`,
                    });
            }
        }
        const targets: string[] = [];
        e.groups?.forEach((name, j) => {
            const group = ctx.groups?.find((g) => g.name === name);
            if (ctx.groups && !group)
                problems.push({
                    path: [i, "groups", j],
                    message: `"${name}" is not a patch group in patch-manager:patchGroups (groups: ${quoted(ctx.groups.map((g) => g.name))})`,
                });
            if (group) targets.push(group.baseline);
        });
        e.baselines?.forEach((name, j) => {
            if (ctx.baselines && !ctx.baselines.some((b) => b.name === name))
                problems.push({
                    path: [i, "baselines", j],
                    message: `"${name}" is not a baseline of this stack (baselines: ${quoted(ctx.baselines.map((b) => b.name))})`,
                });
            else targets.push(name);
        });
        for (const b of new Set(targets)) onBaseline.set(b, [...(onBaseline.get(b) ?? []), i]);
    });
    for (const [name, indexes] of onBaseline) {
        const baseline = ctx.baselines?.find((b) => b.name === name);
        // SSM allows one rejectedPatchesAction per baseline: the exemptions on it, and the baseline itself, must agree.
        const actions = new Map<string, string>();
        if (baseline?.explicitAction !== undefined) actions.set(baseline.explicitAction, `baselines "${name}".rejectedPatchesAction`);
        for (const i of indexes) {
            const action = list[i].action;
            if (action === undefined) continue;
            if (actions.size > 0 && !actions.has(action))
                problems.push({
                    path: [i, "action"],
                    message: `"${action}" differs from ${[...actions.values()].join(", ")} ("${[...actions.keys()].join('", "')}"): a baseline has one rejectedPatchesAction for all its rejected patches; use the same action`,
                });
            if (!actions.has(action)) actions.set(action, `exemptions[${i}].action`);
        }
        // Every exemption counted, whenever it holds: a list that fits only because one has ended would fail again when it is renewed.
        const all = new Set([...(baseline?.rejectedPatches ?? []), ...indexes.flatMap((i) => list[i].patches)]);
        if (all.size > ctx.rejectedLimit)
            problems.push({
                path: [indexes[indexes.length - 1], "patches"],
                message: `baseline "${name}" would reject ${all.size} patches (its own rejectedPatches and exemptions ${indexes.map((i) => `[${i}]`).join(", ")}); SSM allows at most ${ctx.rejectedLimit} (botocore ssm PatchIdList max)`,
            });
    }
    return problems;
}
