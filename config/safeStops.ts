// Ways to stop or wrap patching safely: an alarm that disables the windows, hook documents around the install.
import { z } from "zod";

/** SSM document names (DocumentARN pattern of the API model, names only). */
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const documentName = () =>
    z.string().regex(DOCUMENT_NAME, { error: "must be an SSM document name (3–128 letters, digits, _-.:/)" }).optional();

export const hookDocumentsSchema = z
    .object({
        preInstall: documentName(),
        postInstall: documentName(),
        onExit: documentName(),
    })
    .strict();

export type HookDocuments = z.output<typeof hookDocumentsSchema>;

export const safeStopsFields = z
    .object({
        alarmName: z
            .string()
            .regex(/^[^:]{1,255}$/, { error: 'must be a CloudWatch alarm name: 1–255 characters without ":"' })
            .optional(),
        hooks: z
            .record(z.string(), hookDocumentsSchema, { error: "must be a map of patch group name to {preInstall?, postInstall?, onExit?}" })
            .optional(),
    })
    .strict();

export function safeStopsSettings(s: z.output<typeof safeStopsFields>) {
    return {
        /** A CloudWatch alarm (by name, in each region deployed to) whose ALARM state disables the stack's windows. */
        ...(s.alarmName !== undefined ? { alarmName: s.alarmName } : {}),
        /** Hook documents per patch group name; such a group's task runs AWS-RunPatchBaselineWithHooks. */
        hooks: s.hooks ?? {},
    };
}

export const safeStopsSchema = safeStopsFields.transform(safeStopsSettings);
export type SafeStopsConfig = z.output<typeof safeStopsSchema>;
