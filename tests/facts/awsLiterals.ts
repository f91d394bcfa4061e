// The AWS literals a test may not write out itself: detail-types, the agent's reboot exit codes
// and the IAM condition keys, all read off the facts fixture (so this file holds none either).
import { FACTS } from "./facts";

/** Every AWS literal the fixture defines, with a pattern that finds it in a source file. */
export function awsLiterals(): { literal: string; pattern: RegExp }[] {
    const out = new Map<string, RegExp>();
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const walk = (v: unknown, key?: string): void => {
        if (typeof v === "string") {
            if (key === "detail-type") out.set(v, new RegExp(escape(v)));
            if (/^(aws|s3|iam|kms|ec2):[A-Za-z-]+$/.test(v) && /[A-Z]/.test(v.split(":")[1][0] ?? ""))
                out.set(v, new RegExp(escape(v), "i"));
        } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v !== null && typeof v === "object")
            for (const [k, x] of Object.entries(v)) {
                if (/^(aws|s3|iam):[A-Za-z-]+$/.test(k)) out.set(k, new RegExp(escape(k), "i"));
                walk(x, k);
            }
    };
    for (const f of FACTS) {
        walk(f.value);
        if (f.id.startsWith("agent-reboot-exit-code-")) out.set(`exit ${f.value}`, new RegExp(`exit\\s+${f.value}\\b`));
    }
    return [...out].map(([literal, pattern]) => ({ literal, pattern }));
}
