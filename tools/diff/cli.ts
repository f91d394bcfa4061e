// `npm run plan -- --stack <name> --diff-against <ref> | --diff <plan.json> [--markdown | --json]`
import * as fs from "fs";
import { planAtRef, RefError } from "./atRef";
import { DiffablePlan, diffPlans, PlanDiff, renderDiffMarkdown, renderDiffText } from "./planDiff";

export interface DiffOptions {
    stack: string;
    from: Date;
    occurrences: number;
    diffAgainst?: string;
    diffFile?: string;
    markdown: boolean;
    json: boolean;
}

/** Raised for an unreadable old plan or an unusable ref; the plan exits 2 with it. */
export class DiffInputError extends Error {}

/** A saved plan of this project and stack; another one would diff unrelated resources. */
export function readPlanFile(file: string, expect?: { project: string; stack: string }): DiffablePlan {
    let doc: any;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new DiffInputError(`--diff ${file}: cannot read it as JSON (${(e as Error).message.split("\n")[0]})`);
    }
    if (!doc || !Array.isArray(doc.resources) || !Array.isArray(doc.windows)) {
        throw new DiffInputError(`--diff ${file}: not a plan; write one with \`npm run -s plan -- --stack <name> --json > plan.json\``);
    }
    if (expect) {
        const holds = `project ${JSON.stringify(doc.project)}, stack ${JSON.stringify(doc.stack)}`;
        if (doc.project !== expect.project || doc.stack !== expect.stack)
            throw new DiffInputError(
                `--diff ${file}: the file holds the plan of ${holds}, not of project "${expect.project}", stack "${expect.stack}"; ` +
                    `diff it with --stack ${typeof doc.stack === "string" ? doc.stack : "<its stack>"}, or write this stack's plan with \`npm run -s plan -- --stack ${expect.stack} --json > plan.json\``,
            );
    }
    return doc as DiffablePlan;
}

/** The old side, the diff against the working tree's plan, rendered as asked. */
export async function planDiff(
    current: DiffablePlan & { project: string },
    opts: DiffOptions,
): Promise<{ diff: PlanDiff; output: string }> {
    let old: DiffablePlan;
    let from: string;
    if (opts.diffFile) {
        old = readPlanFile(opts.diffFile, { project: current.project, stack: current.stack });
        from = opts.diffFile;
    } else {
        try {
            const atRef = await planAtRef({ ref: opts.diffAgainst!, stack: opts.stack, from: opts.from, occurrences: opts.occurrences });
            old = atRef;
            from = `${opts.diffAgainst} (${atRef.commit.slice(0, 12)})`;
        } catch (e) {
            if (e instanceof RefError) throw new DiffInputError(e.message);
            throw e;
        }
    }
    const diff = diffPlans(old, current, { from, to: "working tree" });
    const output = opts.json ? JSON.stringify(diff, null, 2) : opts.markdown ? renderDiffMarkdown(diff) : renderDiffText(diff);
    return { diff, output };
}
