// The pack's contents, importable without starting it (index.ts is the only place that does).

import type { EnforcementLevel, PolicyPackArgs } from "@pulumi/policy";
import { baselinePolicies } from "./baselines";
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

export const policies: PolicyPackArgs["policies"] = [
    ...taskPolicies,
    ...windowPolicies,
    ...baselinePolicies,
    ...iamPolicies,
    ...escalationPolicies,
    ...loggingPolicies,
    ...stackPolicies,
    ...hybridPolicies,
    ...operationsPolicies,
    ...replacementPolicies,
    ...strategyPolicies,
];

export const packArgs: PolicyPackArgs = {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    displayName: "AWS Systems Manager Patch Manager",
    provider: "aws",
    tags: ["aws", "ssm", "patching"],
};
