// The organisation's deploy role and KMS keys (issue 18 §1 "kms:PutKeyPolicy on any key", §2 sufficient).
// KMS authorizes a creation's Tags as kms:TagResource "in an IAM policy that isn't restricted to
// particular KMS keys" (https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html),
// so the deploy role holds kms:TagResource on "*" for the program's tags: that grant alone would let it
// tag any key of the account ManagedBy=patch-manager and then rewrite its key policy. These requests,
// simulated with the deploy role's real policies, prove it cannot: each denial beside the request of
// the program's own that must be allowed, and the same adoption allowed once the Deny is taken out
// (so the Deny is what refuses it, and this test fails if it goes).
import { strict as assert } from "assert";
import { MANAGED_BY, PROGRAM_TAG_KEYS } from "../../org/stackSetTemplate";
import { Decision, decide, literally, Request } from "./iam";
import { defaultKeyPolicy, foreignKey, keyAdoption } from "./escalation";
import { ACCOUNT, deployRoleFor, Role, statements } from "./world";

const REGION = "eu-west-1";
const STAND_IN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OWN_KEY = {
    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/2a2a2a2a-0000-4000-8000-000000000000`,
    resourcePolicy: defaultKeyPolicy(ACCOUNT),
};
const programTags = { [MANAGED_BY.key]: MANAGED_BY.value, Environment: "production", Stack: "prod" };
const requestTags = (tags: Record<string, string>) => ({
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    "aws:TagKeys": Object.keys(tags),
});
/** A creation's tagging, on each text AWS may authorize it on (tests/authz/sufficient.test.ts CREATION_TAGGING). */
const creationTagging = (tags: Record<string, string>): Request[] =>
    ["*", `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`].map((text) => ({
        action: "kms:TagResource",
        resource: text,
        context: requestTags(tags),
        literal: { standIn: STAND_IN },
        resourcePolicy: defaultKeyPolicy(ACCOUNT),
    }));

describe("authorization model: the deploy role creates the program's keys and adopts no other", function () {
    this.timeout(120_000);
    let deploy: Role;
    const is = async (role: Role, request: Request, expected: Decision | "denied", why: string) => {
        const d = await decide(role, request);
        if (expected === "denied") assert.notEqual(d, "Allowed", `${why}: ${request.action} on ${request.resource}`);
        else assert.equal(d, expected, `${why}: ${request.action} on ${request.resource}`);
    };
    before(async () => {
        deploy = await deployRoleFor(ACCOUNT);
    });

    it("creates a key with the program's tags: CreateKey and its tagging, on * and on every key of the account and Region", async () => {
        await is(deploy, { action: "kms:CreateKey", resource: "*", context: requestTags(programTags) }, "Allowed", "the alerts key");
        for (const r of creationTagging(programTags)) await is(deploy, r, "Allowed", "the alerts key's tags");
        // Not with another owner's tag, nor with tag keys the program does not set (ABAC on someone else's keys).
        for (const r of creationTagging({ ...programTags, [MANAGED_BY.key]: "another-tool" }))
            await is(deploy, r, "denied", "another ManagedBy");
        for (const r of creationTagging({ ...programTags, Team: "payments" })) await is(deploy, r, "denied", "a tag key not the program's");
        await is(
            deploy,
            { action: "kms:CreateKey", resource: "*", context: requestTags({ ...programTags, Team: "payments" }) },
            "denied",
            "CreateKey with a tag key not the program's",
        );
        assert.deepEqual(
            [...PROGRAM_TAG_KEYS].sort(),
            Object.keys(programTags).sort(),
            "the program's tag keys (components/patchManager.ts)",
        );
    });

    it("retags and rewrites its own keys (positive control)", async () => {
        const own = { ...OWN_KEY, context: { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value } };
        await is(deploy, { action: "kms:PutKeyPolicy", ...own }, "Allowed", "its own key's policy");
        await is(
            deploy,
            { action: "kms:TagResource", ...own, context: { ...own.context, ...requestTags({ Environment: "staging" }) } },
            "Allowed",
            "its own key's Environment tag",
        );
    });

    it("cannot adopt a key: tag it ManagedBy=patch-manager, then rewrite its key policy (explicitly denied)", async () => {
        const [tagUntagged, tagOthers, untagOthers, putOthers] = keyAdoption(REGION, ACCOUNT);
        for (const e of [tagUntagged, tagOthers, untagOthers, putOthers]) await is(deploy, e.request, "ExplicitlyDenied", e.id);
        // Step 1 refused, the key is still untagged: its policy stays out of reach.
        await is(deploy, { action: "kms:PutKeyPolicy", ...foreignKey(REGION, ACCOUNT) }, "denied", "PutKeyPolicy after the refused tag");
        // Had it been tagged, PutKeyPolicy would be the program's: the tagging is what the Deny must refuse.
        await is(
            deploy,
            { action: "kms:PutKeyPolicy", ...foreignKey(REGION, ACCOUNT, MANAGED_BY.value) },
            "Allowed",
            "a key tagged the program's",
        );
        // Without PatchManagerNeverAdoptKeys the creation grant on "*" would tag the untagged key.
        const withoutDeny: Role = {
            ...deploy,
            identity: deploy.identity.map((p) => ({
                name: p.name,
                policy: { ...p.policy, Statement: statements(p.policy).filter((s) => s.Sid !== "PatchManagerNeverAdoptKeys") },
            })),
        };
        assert.ok(
            withoutDeny.identity.some((p, i) => statements(p.policy).length < statements(deploy.identity[i].policy).length),
            "the deploy role has PatchManagerNeverAdoptKeys",
        );
        await is(withoutDeny, tagUntagged.request, "Allowed", "without the Deny");
    });

    it("matches a creation's text literally: a Deny of every key ARN would refuse the creation, the key-id Deny does not", () => {
        const denyAll = {
            identity: [
                {
                    name: "probe",
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Deny" as const, Action: "kms:TagResource", Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` },
                            { Effect: "Deny" as const, Action: "kms:TagResource", Resource: `arn:aws:kms:*:${ACCOUNT}:key/????????-*` },
                            { Effect: "Allow" as const, Action: "kms:TagResource", Resource: "*" },
                        ],
                    },
                },
            ],
        };
        const kept = (text: string) => statements(literally(denyAll, text, STAND_IN).identity[0].policy).map((s) => s.Effect);
        // `*` text: only the `*` statement applies; `key/*` text: the `key/*` Deny applies too, the key-id one never.
        assert.deepEqual(kept("*"), ["Allow"]);
        assert.deepEqual(kept(`arn:aws:kms:${REGION}:${ACCOUNT}:key/*`), ["Deny", "Allow"]);
        assert.throws(
            () =>
                literally(
                    {
                        identity: [
                            {
                                name: "v",
                                policy: {
                                    Statement: [
                                        {
                                            Effect: "Allow",
                                            Action: "kms:TagResource",
                                            Resource: "arn:aws:kms:*:${aws:PrincipalAccount}:key/*",
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                    "*",
                    STAND_IN,
                ),
            /policy variable/,
        );
    });
});
