// The plan's `--json` documents, as users and other programs read them: the types here are the
// single source of docs/plan.schema.json (`npm run gen:plan-schema`, tools/codegen/genPlanSchema.ts), whose
// descriptions are these doc comments; docs/plan-json.md explains each field with an example.
// Type imports only, and none of the components: the generator parses what these types reach.
import type { CONFIG_RECORDER_CHOICES } from "../../config/compliance";
import type { PatchSource } from "../../config/network";
import type { ActionableViolation } from "../audit/findings";
import type { ClashFinding, FleetReport, FleetStackInfo, FreezeGapFinding, ShownWindow, WaveOrderFinding } from "../fleet/types";
import type { WindowTimeline } from "../../config/runtime/windowRun";
import type { PlannedResource } from "../mock/mockProgram";

/**
 * An instant as ISO-8601 in UTC, e.g. `2026-12-05T05:00:00.000Z`.
 * @format date-time
 */
export type Instant = string;

/** One maintenance window of the plan: the window as the offline tools show it, named by URN, with its next starts. */
export interface PlannedWindow extends ShownWindow {
    /** The URN of the `aws:ssm/maintenanceWindow:MaintenanceWindow` resource. */
    urn: string;
    /** The next starts after `--from` (default: now), `--occurrences` of them (default 3). */
    next: Instant[];
    /**
     * One run of the window replayed by the scheduler model (config/runtime/windowRun.ts): each task's
     * start and end in minutes after the window opens, under stated duration estimates; what the cutoff
     * cancels, what never starts, and the groups that wait on another group's tasks.
     */
    timeline?: WindowTimeline;
    /** Those of `next` that a change freeze (`patch-manager:freezes`) skips, with the freeze; absent when none. */
    skipped?: { start: Instant; freeze: string }[];
}

/** A change freeze of the stack (`patch-manager:freezes`) and where it falls next, from `--from`. */
export interface PlannedFreeze {
    /** Its key in the stack file, e.g. `patch-manager:freezes[0]`. */
    configKey: string;
    name: string;
    reason: string;
    /** The recurrence (iCalendar RRULE) when it repeats. */
    rrule?: string;
    /** The next occurrence that has not ended at `--from`; absent when none is left. */
    next?: { start: Instant; end: Instant };
}

/** The stack's answers to the account's preconditions, as its config states them (docs/preconditions.md). */
export interface Preconditions {
    /** Per VPC with private endpoints: how its instances reach patch sources. */
    patchSources?: {
        /** The VPC's region; absent for the stack's `aws:region`. */
        region?: string;
        /** The VPC whose instances reach AWS through the private endpoints. */
        vpcId: string;
        /** How those instances reach the operating system's patch repositories (docs/preconditions.md). */
        patchSource: PatchSource;
    }[];
    /** With AWS Config rules: whether the stack creates the recorder (`create`) or relies on the account's (`existing`). */
    configRecorder?: (typeof CONFIG_RECORDER_CHOICES)[number];
}

/** An exemption of the stack (`patch-manager:exemptions`), as it stands at `--from` (docs/exemptions.md). */
export interface PlannedExemption {
    /** Its key in the stack file, e.g. `patch-manager:exemptions[0]`. */
    configKey: string;
    /** The patch ids or package names held back. */
    patches: string[];
    /** The patch groups it names, when it names groups. */
    groups?: string[];
    /** The baselines that reject the patches while it holds. */
    baselines: string[];
    /** Why the patches are held back. */
    reason?: string;
    /** The ticket that approved it. */
    ticket?: string;
    /**
     * The day from which the patches are no longer rejected, as written (YYYY-MM-DD, the stack's time zone).
     * @format date
     */
    until: string;
    /** `until` at 00:00 in the stack's time zone. */
    endsAt: Instant;
    /** Whether the baselines reject the patches at `--from`; false once it ended (the program left the patches out). */
    inForce: boolean;
    /** Whole days from `--from` to `endsAt`, rounded up; 0 or less once it ended. */
    daysLeft: number;
}

/** One region's compliance reports (`patch-manager:reporting`, docs/reports.md): where to run the named queries, and how. */
export interface PlannedReports {
    /** The region of the workgroup, the database and the queries. */
    region: string;
    /** The Glue database whose tables read the resource data sync. */
    database: string;
    /** The Athena workgroup the queries run in (its results configuration is enforced). */
    workgroup: string;
    /** Where the workgroup writes results, `s3://<log bucket>/<resultsPrefix>/`. */
    resultsLocation: string;
    /** Each named query, with the command that runs it. */
    queries: {
        /** The named query's name in the workgroup. */
        name: string;
        /** What it answers. */
        description: string;
        /** The named query's id. */
        id: string;
        /** An AWS CLI command that runs it in the workgroup; `aws athena get-query-results --query-execution-id <id>` reads its rows. */
        command: string;
    }[];
}

/** One stack's plan, as the program builds it (the single-stack document adds `findings`). */
export interface Plan {
    /** The Pulumi project, `patch-manager`. */
    project: string;
    /** The stack planned (`--stack`). */
    stack: string;
    /** Every resource the program registers, components included, in registration order. */
    resources: Omit<PlannedResource, "outputs">[];
    /** Each maintenance window with its next starts. */
    windows: PlannedWindow[];
    /** The policy pack's results, one entry per finding; empty when none. */
    violations: ActionableViolation[];
    /** What the account must provide that the plan cannot check (docs/preconditions.md); absent when nothing. */
    preconditions?: Preconditions;
    /** The stack's exemptions, in force or ended, at `--from`; absent when it has none. */
    exemptions?: PlannedExemption[];
    /** The stack's change freezes, and the existing calendar it follows (`patch-manager:freezeCalendar`); absent when none. */
    freezes?: { periods: PlannedFreeze[]; calendar?: string };
    /** The compliance reports per region (`patch-manager:reporting`); absent when the stack has none. */
    reports?: PlannedReports[];
}

/** One resource of the plan document: a component (`custom: false`) or a cloud resource. */
export type PlanResource = Omit<PlannedResource, "outputs">;

/** `npm run -s plan -- --stack <name> --json`: one stack's plan. */
export interface PlanDocument extends Omit<Plan, "resources"> {
    /** Every resource the program registers, components included, in registration order. */
    resources: PlanResource[];
    /** The fleet's checks on this stack alone: waves out of order, windows that overlap in one region, groups a freeze keeps from an install too long; empty when none. */
    findings: (WaveOrderFinding | ClashFinding | FreezeGapFinding)[];
}

/** `npm run -s plan -- --all --json`: every stack of the project and the fleet checks over them. */
export interface FleetPlan extends Omit<FleetReport, "calendar"> {
    /** The Pulumi project, `patch-manager`. */
    project: string;
    /** Each stack planned (the examples only with `--include-examples`), in file-name order. */
    stacks: (Omit<Plan, "project" | "resources" | "preconditions"> &
        Omit<FleetStackInfo, "stack"> & {
            /** The stack file, relative to the project directory (or to `--dir`). */
            file: string;
        })[];
    /** Every window occurrence of every stack in the `--days` after `--from`, in start order. */
    calendar: (Omit<FleetReport["calendar"][number], "start" | "end"> & {
        start: Instant;
        end: Instant;
    })[];
}

/** Either plan document: what docs/plan.schema.json describes. */
export type PlanJson = PlanDocument | FleetPlan;

/** The single-stack document, as `--json` prints it. */
export function planDocument(plan: Plan, findings: readonly (WaveOrderFinding | ClashFinding | FreezeGapFinding)[]): PlanDocument {
    return {
        ...plan,
        resources: plan.resources,
        findings: [...findings],
    };
}
