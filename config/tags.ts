// The stack's own tags, added to every resource that takes tags.
import * as z from "zod";

/** Tag keys and values as SSM, IAM and S3 all accept them (TagKey/TagValue in the SSM API model). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const tagsSchema = z
    .record(
        z.string(),
        // YAML reads `CostCenter: 1234` as a number; a tag value is its text.
        z
            .union([z.string(), z.number(), z.boolean()], { error: "must be a string (or number) tag value" })
            // A program passes text; the number is the YAML reading only.
            .meta({ argsType: "string" })
            .transform(String)
            .pipe(
                z
                    .string()
                    .max(256, { error: "tag values have at most 256 characters" })
                    .regex(TAG_TEXT, { error: "tag values may hold letters, digits, spaces and _.:/=+-@ only" }),
            ),
        { error: "must be a map of tag key to value" },
    )
    .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags)) {
            const problem =
                key.length === 0 || key.length > 128
                    ? "tag keys have 1 to 128 characters"
                    : !TAG_TEXT.test(key)
                      ? "tag keys may hold letters, digits, spaces and _.:/=+-@ only"
                      : key.toLowerCase().startsWith("aws:")
                        ? 'tag keys starting with "aws:" are reserved by AWS'
                        : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
        if (Object.keys(tags).length > 47) {
            ctx.addIssue({
                code: "custom",
                message: "at most 47 tags: IAM allows 50 per role and the program adds ManagedBy, Environment and Stack",
            });
        }
    });
