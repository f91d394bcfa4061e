// The stack-wide settings: which environment a stack is, when its window opens, what it does.
import * as z from "zod";
import { IAM_ROLE_ARN_PATTERN, PATCH_GROUP_TAG_KEYS } from "@patch-manager/ssm";
import { oneOf } from "./fields";

export const ENVIRONMENTS = ["sandbox", "development", "test", "acceptance", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const WINDOW_KINDS = ["weekday", "weekend"] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];
export const OPERATIONS = ["Scan", "Install"] as const;
export type Operation = (typeof OPERATIONS)[number];
export const CUTOFF_BEHAVIORS = ["CONTINUE_TASK", "CANCEL_TASK"] as const;
export type CutoffBehavior = (typeof CUTOFF_BEHAVIORS)[number];

export const environmentSchema = oneOf(ENVIRONMENTS);
export const windowKindSchema = oneOf(WINDOW_KINDS);
export const operationSchema = oneOf(OPERATIONS);
export const cutoffBehaviorSchema = oneOf(CUTOFF_BEHAVIORS);
export const patchGroupTagKeySchema = oneOf(PATCH_GROUP_TAG_KEYS);
export const maintenanceWindowRoleArnSchema = z.string().regex(IAM_ROLE_ARN_PATTERN, {
    error: "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>",
});

/** A customer-managed IAM policy ARN: the permissions boundary every role the program creates carries. */
export const permissionsBoundaryArnSchema = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@\-/]{1,512}$/, {
    error: "must be a customer-managed IAM policy ARN, arn:aws:iam::<12-digit account>:policy/<name>",
});

export function isProductionLike(environment: Environment): boolean {
    return environment === "production" || environment === "acceptance";
}
