// Windows of one region that overlap, patch groups two stacks register in one account and region, the window quota.
import { QUOTAS } from "@patch-manager/ssm";
import { located, windowOccurrences } from "./calendar";
import { isoMinute } from "./rolloutOrder";
import { ClashFinding, DAY_MS, FleetOptions, FleetStack, QuotaFinding, QuotaUsage, SharedGroupFinding } from "./types";

/**
 * Windows of one stack in one region whose occurrences overlap in time (prod's monthly role
 * waves are a week apart on purpose). A stack that deploys into several regions has the same windows in
 * each; windows in different regions patch different instances and never clash.
 */
export function checkClashes(stacks: readonly FleetStack[], opts: Pick<FleetOptions, "from" | "days">): ClashFinding[] {
    const until = new Date(opts.from.getTime() + opts.days * DAY_MS);
    const findings: ClashFinding[] = [];
    for (const s of stacks) {
        // A start skipped by a change freeze runs nothing, so it clashes with nothing.
        const byWindow = s.windows.map((w) => ({
            w: located(s, w),
            occ: windowOccurrences(s.stack, located(s, w), opts.from, until).filter((o) => o.skipped === undefined),
        }));
        for (let i = 0; i < byWindow.length; i++) {
            for (let j = i + 1; j < byWindow.length; j++) {
                const a = byWindow[i];
                const b = byWindow[j];
                if (a.w.region !== b.w.region) continue;
                const overlaps = a.occ.filter((x) => b.occ.some((y) => x.start < y.end && y.start < x.end));
                if (overlaps.length === 0) continue;
                const o = overlaps[0];
                const y = b.occ.find((y) => o.start < y.end && y.start < o.end)!;
                findings.push({
                    check: "clash",
                    level: "advisory",
                    stack: s.stack,
                    region: a.w.region ?? null,
                    windows: [a.w.name, b.w.name],
                    overlaps: overlaps.map((x) => x.start.toISOString()),
                    message:
                        `${s.stack}${a.w.region !== undefined ? ` (${a.w.region})` : ""}: windows "${a.w.name}" (${a.w.patchGroups.join(", ") || "no groups"}) and "${b.w.name}" ` +
                        `(${b.w.patchGroups.join(", ") || "no groups"}) overlap ${overlaps.length} time${overlaps.length === 1 ? "" : "s"} ` +
                        `in the next ${opts.days} days, first ${isoMinute(o.start)}–${isoMinute(o.end)} against ${isoMinute(y.start)}–${isoMinute(y.end)}; ` +
                        `stagger them so that the waves do not patch at once`,
                });
            }
        }
    }
    return findings;
}

const joinAnd = (items: readonly string[]) =>
    items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

/**
 * Patch-group names that two or more stacks register in one region. Maintenance-window targets
 * select instances by the Patch Group tag alone, so in one account each stack's windows patch
 * the other's instances of the group, and SSM holds one baseline per OS for a patch group per
 * account and region, so the second stack's registration fails. Blocking when both stacks pin
 * the same account (`aws:allowedAccountIds`), advisory when either does not pin one; stacks
 * pinned to different accounts do not meet.
 */
export function checkSharedGroups(stacks: readonly FleetStack[]): SharedGroupFinding[] {
    // region -> group name -> stacks registering it there
    const byRegion = new Map<string, Map<string, FleetStack[]>>();
    for (const s of stacks) {
        for (const g of s.groups) {
            for (const region of new Set(g.regions ?? [s.region ?? ""])) {
                const names = byRegion.get(region) ?? new Map<string, FleetStack[]>();
                const registering = names.get(g.name) ?? [];
                if (!registering.includes(s)) registering.push(s);
                names.set(g.name, registering);
                byRegion.set(region, names);
            }
        }
    }
    const findings: SharedGroupFinding[] = [];
    for (const [region, names] of byRegion) {
        // account ("" for the unpinned, advisory) -> group name -> stacks
        const buckets = new Map<string, Map<string, Set<string>>>();
        const add = (bucket: string, name: string, ...pair: string[]) => {
            const groups = buckets.get(bucket) ?? new Map<string, Set<string>>();
            const set = groups.get(name) ?? new Set<string>();
            for (const p of pair) set.add(p);
            groups.set(name, set);
            buckets.set(bucket, groups);
        };
        for (const [name, registering] of names) {
            for (let i = 0; i < registering.length; i++) {
                for (let j = i + 1; j < registering.length; j++) {
                    const [a, b] = [registering[i], registering[j]];
                    if (a.account !== undefined && b.account !== undefined) {
                        if (a.account === b.account) add(a.account, name, a.stack, b.stack);
                    } else add("", name, a.stack, b.stack);
                }
            }
        }
        const where = region === "" ? "one region (aws:region not set)" : `region ${region}`;
        const order = [...buckets.keys()].sort((x, y) => (x === "" ? 1 : y === "" ? -1 : x.localeCompare(y)));
        for (const account of order) {
            const groups = [...buckets.get(account)!.entries()].map(([name, set]) => ({
                name,
                stacks: stacks.map((s) => s.stack).filter((st) => set.has(st)),
            }));
            const involved = stacks.map((s) => s.stack).filter((st) => groups.some((g) => g.stacks.includes(st)));
            // "Windows", "RHEL" (dev, prod); "Web Server" (dev, prod, test): names grouped by the stacks that share them.
            const bySharers = new Map<string, string[]>();
            for (const g of groups) bySharers.set(g.stacks.join(", "), [...(bySharers.get(g.stacks.join(", ")) ?? []), `"${g.name}"`]);
            const listed = [...bySharers].map(([sharers, names]) => `${names.join(", ")} (${sharers})`).join("; ");
            const harm =
                `maintenance-window targets select instances by the Patch Group tag alone, so each stack's windows would patch the ` +
                `others' instances of these groups (a non-production window installing on production voids the rollout order), and SSM ` +
                `registers one baseline per operating system for a patch group per account and region, so the second stack's ` +
                `patch-group registration fails`;
            const fix = `deploy the stacks into separate accounts and pin each with aws:allowedAccountIds, or give the groups distinct names`;
            if (account !== "") {
                findings.push({
                    check: "shared-patch-group",
                    level: "blocking",
                    region: region === "" ? null : region,
                    account,
                    stacks: involved,
                    patchGroups: groups,
                    message:
                        `${joinAnd(involved)} deploy into account ${account}, ${where}, and register the same patch group${groups.length === 1 ? "" : "s"} ` +
                        `${listed}: ${harm}. Either ${fix}.`,
                });
            } else {
                const unpinned = involved.filter((st) => stacks.find((s) => s.stack === st)?.account === undefined);
                findings.push({
                    check: "shared-patch-group",
                    level: "advisory",
                    region: region === "" ? null : region,
                    account: null,
                    stacks: involved,
                    patchGroups: groups,
                    message:
                        `${joinAnd(involved)} register the same patch group${groups.length === 1 ? "" : "s"} in ${where}: ${listed}; ` +
                        `aws:allowedAccountIds does not pin the account of ${joinAnd(unpinned)}, so they may share one. If they do, ${harm}. ` +
                        `To rule it out, ${fix}.`,
                });
            }
        }
    }
    return findings;
}

/**
 * Windows per account and region. Offline the account is known only when a
 * stack pins it (`aws:allowedAccountIds` with one id); stacks that do not are
 * counted together per region, as if they shared one account (the safe guess).
 * A window counts in its own region when it has one, else in the stack's.
 */
export function quotaUsage(stacks: readonly FleetStack[], limit: number = QUOTAS.windowsPerRegion): QuotaUsage[] {
    const groups = new Map<string, { -readonly [K in keyof QuotaUsage]: QuotaUsage[K] } & { stacks: string[] }>();
    for (const s of stacks) {
        for (const w of s.windows) {
            const region = w.region ?? s.region;
            const key = `${s.account ?? ""}\u0000${region ?? ""}`;
            const g = groups.get(key) ?? { account: s.account ?? null, region: region ?? null, stacks: [], windows: 0, limit };
            if (!g.stacks.includes(s.stack)) g.stacks.push(s.stack);
            g.windows += 1;
            groups.set(key, g);
        }
    }
    return [...groups.values()];
}

export function checkQuota(stacks: readonly FleetStack[], limit: number = QUOTAS.windowsPerRegion): QuotaFinding[] {
    return quotaUsage(stacks, limit)
        .filter((u) => u.windows > u.limit)
        .map((u) => ({
            ...u,
            check: "quota" as const,
            level: "advisory" as const,
            message:
                `${u.windows} maintenance windows in ${u.account ? `account ${u.account}` : "one account (assumed: no aws:allowedAccountIds)"}, ` +
                `region ${u.region ?? "(aws:region not set)"} (stacks ${u.stacks.join(", ")}) exceed the SSM default quota of ${u.limit} ` +
                `per account and region; request a quota increase or merge windows`,
        }));
}
