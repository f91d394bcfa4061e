// Ways to stop or wrap patching safely: an alarm that disables the windows, hook documents around the install.
import * as z from "zod";
import { DOCUMENT_NAME_PATTERN } from "@patch-manager/ssm";

/** SSM document names (DocumentARN pattern of the API model, names only). */
const documentName = (description: string) =>
    z
        .string()
        .regex(DOCUMENT_NAME_PATTERN, { error: "must be an SSM document name (3–128 letters, digits, _-.:/)" })
        .optional()
        .meta({ description });

export const hookDocumentsSchema = z
    .object({
        preInstall: documentName("The document run before patches are installed."),
        postInstall: documentName("The document run after patches are installed."),
        onExit: documentName(
            "The document run after the install and its reboot, or after a failed step. A cancel is not documented to reach it: " +
                "groups with hooks run with CONTINUE_TASK.",
        ),
    })
    .strict()
    .meta({ id: "HookDocumentsSettings", description: "SSM documents run around a group's install (AWS-RunPatchBaselineWithHooks)." });

export type HookDocuments = z.output<typeof hookDocumentsSchema>;

export const safeStopsFields = z
    .object({
        alarmName: z
            .string()
            .regex(/^[^:]{1,255}$/, { error: 'must be a CloudWatch alarm name: 1–255 characters without ":"' })
            .optional()
            .meta({ description: "A CloudWatch alarm, by name, whose ALARM state disables the deployment's maintenance windows." }),
        hooks: z
            .record(z.string(), hookDocumentsSchema, { error: "must be a map of patch group name to {preInstall?, postInstall?, onExit?}" })
            .optional()
            .meta({ description: "Hook documents by patch group name." }),
    })
    .strict()
    .meta({ id: "SafeStopsSettings", description: "Ways to stop or wrap patching safely." });

export function safeStopsConfig(s: z.output<typeof safeStopsFields>) {
    return {
        /** A CloudWatch alarm (by name, in each region deployed to) whose ALARM state disables the stack's windows. */
        ...(s.alarmName !== undefined ? { alarmName: s.alarmName } : {}),
        /** Hook documents per patch group name; such a group's task runs AWS-RunPatchBaselineWithHooks. */
        hooks: s.hooks ?? {},
    };
}

export const safeStopsSchema = safeStopsFields.transform(safeStopsConfig);
export type SafeStopsConfig = z.output<typeof safeStopsSchema>;
