// Today's known escalation paths: requests the model requires IAM to deny that main still allows,
// each with the issue item that fixes it. The escalation and trust tests treat a listed
// (role, request) as expected to fail AND assert that it still does: when a fix lands, the test
// fails with "remove the entry". The lead empties this list as the fixes merge; never add to it to
// make a new finding pass.
//
// `roles` and `requests` are globs (`*` any text) over a role's key (`<stack>:<logical name>`, or
// `org:<logical id>@<account>` for the StackSet template's roles) and a request's id.

export interface KnownGap {
    readonly roles: string;
    readonly requests: string;
    /** The issue item that removes it. */
    readonly fixedBy: string;
    /** A trust request (tests/authz/trust.test.ts), not an escalation (tests/authz/escalation.test.ts). */
    readonly trust?: true;
}

export const KNOWN_GAPS: readonly KnownGap[] = [];

const glob = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`);

/** The entry that expects this (role, request) to be allowed today, if any. */
export function knownGap(roleKey: string, requestId: string): KnownGap | undefined {
    return KNOWN_GAPS.find((g) => glob(g.roles).test(roleKey) && glob(g.requests).test(requestId));
}

/**
 * Judges a set of decisions: a denial is right; an allowed request is a finding unless a known gap
 * lists it; a known gap none of whose requests is still allowed is fixed and must be removed.
 * `subset` names the gaps this set of requests is responsible for (the escalation or the trust suite).
 */
export function judge(
    decisions: { role: string; request: string; allowed: boolean }[],
    subset: (g: KnownGap) => boolean,
): { findings: string[]; fixed: string[] } {
    const stillOpen = new Set<KnownGap>();
    const findings: string[] = [];
    for (const d of decisions) {
        if (!d.allowed) continue;
        const gap = knownGap(d.role, d.request);
        if (gap) stillOpen.add(gap);
        else findings.push(`${d.role}: ${d.request} is allowed`);
    }
    const fixed = KNOWN_GAPS.filter(subset)
        .filter((g) => !stillOpen.has(g))
        .map((g) => `${g.roles} | ${g.requests} (${g.fixedBy}): now denied everywhere: remove it from tests/authz/knownGaps.ts`);
    return { findings, fixed };
}

/**
 * The shipped stacks the pack's `iam-no-escalation` rule fails today, for the same gaps. The
 * shipped-stack tests accept exactly these findings and require that they are still reported.
 */
export const KNOWN_RULE_FINDINGS: readonly { project: string; stack: string; policy: string; fixedBy: string }[] = [];

/** Splits a stack's violations into today's known findings and the rest (which the caller asserts empty). */
export function withoutKnownFindings<T extends { policy: string }>(
    project: string,
    stack: string,
    violations: T[],
): { rest: T[]; known: T[] } {
    const expected = KNOWN_RULE_FINDINGS.filter((k) => k.project === project && k.stack === stack).map((k) => k.policy);
    return { rest: violations.filter((v) => !expected.includes(v.policy)), known: violations.filter((v) => expected.includes(v.policy)) };
}

/** The known findings of a stack that it no longer reports: fixed, remove them. */
export function fixedFindings(project: string, stack: string, known: { policy: string }[]): string[] {
    return KNOWN_RULE_FINDINGS.filter((k) => k.project === project && k.stack === stack && !known.some((v) => v.policy === k.policy)).map(
        (k) =>
            `${k.project} ${k.stack}: ${k.policy} no longer reported (${k.fixedBy}): remove it from KNOWN_RULE_FINDINGS in tests/authz/knownGaps.ts`,
    );
}

/** The exit status the plan of a shipped stack has today: 1 while a known mandatory finding is open, else 0. */
export function expectedPlanExit(project: string, stack: string): number {
    return KNOWN_RULE_FINDINGS.some((k) => k.project === project && k.stack === stack) ? 1 : 0;
}
