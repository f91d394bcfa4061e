// The pack's contents, importable without starting it (index.ts is the only place that does).

import type { EnforcementLevel, PolicyPackArgs } from "@pulumi/policy";
import { baselinePolicies, exemptionPolicies } from "./baselines";
import { escalationPolicies } from "./escalation";
import { hybridPolicies } from "./hybrid";
import { iamPolicies } from "./iam";
import { loggingPolicies } from "./logging";
import { operationsPolicies } from "./operations";
import { replacementPolicies } from "./replacement";
import { stackPolicies } from "./stack";
import { strategyPolicies } from "./strategies";
import { taskPolicies } from "./tasks";
import { windowPolicies } from "./windows";

export const PACK_NAME = "patch-manager";

/** For a policy without its own level; every policy here sets one. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

/** The rules, judging time by `clock` (the exemption rules): the pack's entry passes the instant it runs, the offline plan its --from. */
export function policiesAt(clock: () => Date): PolicyPackArgs["policies"] {
    return [
        ...taskPolicies,
        ...windowPolicies,
        ...baselinePolicies,
        ...exemptionPolicies(clock),
        ...iamPolicies,
        ...escalationPolicies,
        ...loggingPolicies,
        ...stackPolicies,
        ...hybridPolicies,
        ...operationsPolicies,
        ...replacementPolicies,
        ...strategyPolicies,
    ];
}

// The one clock of the pack: the instant a rule runs (a rule takes time only from here).
export const policies: PolicyPackArgs["policies"] = policiesAt(() => new Date());

export const packArgs: PolicyPackArgs = {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    displayName: "AWS Systems Manager Patch Manager",
    provider: "aws",
    tags: ["aws", "ssm", "patching"],
};
