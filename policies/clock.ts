// The one place the policy pack reads the clock. A rule that compares dates takes "now" from its
// policy config (`now`, an RFC 3339 time: tests and reproducible audits set it), and only without
// one from the machine, here.
import type { PolicyConfigSchema } from "@pulumi/policy";

/** The `now` property a date-comparing rule's configSchema offers. */
export const NOW_PROPERTY = {
    now: {
        type: "string",
        format: "date-time",
        description: "The time the rule compares dates with (default: the time of the run). Set it to reproduce an audit.",
    },
} as const satisfies PolicyConfigSchema["properties"];

/** The evaluation time, in ms: the config's `now` when set, else the machine's clock. */
export function evaluationTime(config: { now?: unknown }): number {
    const at = typeof config.now === "string" ? Date.parse(config.now) : NaN;
    return Number.isNaN(at) ? Date.now() : at;
}
