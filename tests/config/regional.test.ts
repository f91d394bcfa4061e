// What the stack's regions must offer and hold: the Config managed rules, and KMS keys in the
// region of what they encrypt. Checked on the whole stack config (aws:region and regions), and
// what the program then does with a multi-Region key.
import { strict as assert } from "assert";
import { keyInRegion, keyRegion, MANAGED_RULE_UNAVAILABLE, PATCH_COMPLIANCE_RULE } from "../../config/regional";
import { evaluate, shippedConfig, T, stackRefusal } from "../helpers";

const prodPrivate = () => ({ ...shippedConfig("prod-private").values });
const dev = () => ({ ...shippedConfig("dev").values });
const KEY = (region: string, id = "1234abcd-12ab-34cd-56ef-1234567890ab") => `arn:aws:kms:${region}:123456789012:key/${id}`;
const MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";

const compliance = (extra: object = {}) => JSON.stringify({ configRule: true, configRecorder: "existing", ...extra });

describe("config: what each region of the stack must offer", function () {
    describe("AWS Config managed rules", function () {
        it("refuses the patch-compliance rule where AWS Config does not offer it, naming the key and the region", function () {
            const lines = stackRefusal({ ...dev(), "aws:region": "ap-northeast-3", "patch-manager:compliance": compliance() });
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.match(
                lines[0],
                /patch-manager:compliance\.configRule: AWS Config does not offer the managed rule EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK in ap-northeast-3; leave that region out/,
            );
        });

        it("checks every listed region, and each rule by its own list", function () {
            const lines = stackRefusal({
                ...dev(),
                "patch-manager:regions": '["eu-west-1","eu-south-1","ca-west-1"]',
                "patch-manager:compliance": compliance(),
                "patch-manager:deniedApplications": '{"applications":["telnet"]}',
            });
            assert.deepEqual(
                lines.map((l) => l.replace(/^[^:]+: /, "").split(";")[0]),
                [
                    "patch-manager:compliance.configRule: AWS Config does not offer the managed rule EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK in eu-south-1",
                    "patch-manager:deniedApplications: AWS Config does not offer the managed rule EC2_MANAGEDINSTANCE_APPLICATIONS_BLACKLISTED in ca-west-1",
                ],
            );
        });

        it("takes the rules in a region that offers them, and no rule anywhere", function () {
            assert.deepEqual(stackRefusal({ ...dev(), "patch-manager:compliance": compliance() }), []);
            assert.deepEqual(
                stackRefusal({ ...dev(), "aws:region": "ap-northeast-3", "patch-manager:compliance": '{"dailyScan":true}' }),
                [],
            );
        });

        it("lists only regions the provider knows", function () {
            const { AWS_REGIONS } = require("../../config/namespaces");
            for (const regions of Object.values(MANAGED_RULE_UNAVAILABLE)) for (const r of regions) assert.ok(AWS_REGIONS.includes(r), r);
            assert.ok(MANAGED_RULE_UNAVAILABLE[PATCH_COMPLIANCE_RULE].length > 0);
        });
    });

    describe("an existing alerts topic is regional", function () {
        it("refuses a topic of another region than the stack's one region, naming the key", function () {
            const alerts = (arn: string) => JSON.stringify({ topicArn: arn });
            const lines = stackRefusal({ ...dev(), "patch-manager:alerts": alerts("arn:aws:sns:us-east-1:123456789012:patching") });
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.match(
                lines[0],
                /patch-manager:alerts\.topicArn: is a topic in us-east-1, but the stack deploys to eu-west-1: EventBridge rules and Run Command notify only topics of their own region/,
            );
            assert.deepEqual(stackRefusal({ ...dev(), "patch-manager:alerts": alerts("arn:aws:sns:eu-west-1:123456789012:patching") }), []);
        });
    });

    describe("KMS keys are regional", function () {
        it("refuses a log key in another region than the log bucket", function () {
            const lines = stackRefusal({ ...dev(), "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("us-east-1") }) });
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.match(
                lines[0],
                /patch-manager:logging\.kmsKeyArn: is a key in us-east-1, but the log bucket is in eu-west-1: KMS keys encrypt only in their own region/,
            );
        });

        it("with regions, one bucket per region needs the key in each; a central bucket needs it in the first region only", function () {
            const all = { ...prodPrivate(), "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("eu-west-1") }) };
            assert.deepEqual(stackRefusal(all), [], "central bucket in eu-west-1");
            const lines = stackRefusal({ ...all, "patch-manager:centralLogBucket": "false" });
            assert.ok(
                lines.some((l) => l.includes("the log bucket is in eu-central-1")),
                lines.join("\n"),
            );
            assert.ok(stackRefusal({ ...all, "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("eu-central-1") }) }).length > 0);
        });

        it("an alerts key must be in every region's topic region; a multi-Region key is taken everywhere", function () {
            const alerts = (arn: string) => JSON.stringify({ emails: ["ops@example.com"], kmsKeyArn: arn });
            const lines = stackRefusal({ ...prodPrivate(), "patch-manager:alerts": alerts(KEY("eu-west-1")) });
            assert.ok(
                lines.some((l) =>
                    l.includes("patch-manager:alerts.kmsKeyArn: is a key in eu-west-1, but the alerts topic is in eu-central-1"),
                ),
            );
            assert.deepEqual(stackRefusal({ ...prodPrivate(), "patch-manager:alerts": alerts(KEY("eu-west-1", MRK)) }), []);
        });

        it("leaves an existing bucket's key alone (its region is not in the config)", function () {
            const logging = JSON.stringify({ bucketName: "central-logs", kmsKeyArn: KEY("us-east-1") });
            assert.deepEqual(stackRefusal({ ...dev(), "patch-manager:logging": logging }), []);
        });

        it("refuses a key of another partition than a region's", function () {
            const lines = stackRefusal({
                ...dev(),
                "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("eu-west-1").replace("arn:aws:", "arn:aws-cn:") }),
            });
            assert.ok(
                lines.some((l) => l.includes("patch-manager:logging.kmsKeyArn: is a key of the aws-cn partition, but eu-west-1 is in aws")),
                lines.join("\n"),
            );
        });

        it("keyInRegion: a multi-Region key's replica in the region; any other key as given", function () {
            assert.equal(keyInRegion(KEY("eu-west-1", MRK), "eu-central-1"), KEY("eu-central-1", MRK));
            assert.equal(keyInRegion(KEY("eu-west-1", MRK), "eu-west-1"), KEY("eu-west-1", MRK));
            assert.equal(keyInRegion(KEY("eu-west-1"), "eu-central-1"), KEY("eu-west-1"));
            assert.equal(keyRegion(KEY("ap-east-2")), "ap-east-2");
            assert.equal(keyRegion("arn:aws:kms:eu-west-1:123456789012:alias/x"), undefined);
        });

        it("a single-region stack uses a multi-Region key through the replica in its region", async function () {
            const config = {
                values: { ...dev(), "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("us-east-1", MRK) }) },
                secretKeys: [],
            };
            const [encryption] = (await evaluate("dev", config)).ofType(T.encryption);
            assert.equal((encryption.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, KEY("eu-west-1", MRK));
        });

        it("each region's alerts topic is encrypted with that region's replica of a multi-Region key", async function () {
            const config = {
                values: {
                    ...prodPrivate(),
                    "patch-manager:alerts": JSON.stringify({ emails: ["ops@example.com"], kmsKeyArn: KEY("eu-west-1", MRK) }),
                },
                secretKeys: [],
            };
            const topics = (await evaluate("prod-private", config)).ofType("aws:sns/topic:Topic");
            assert.deepEqual(topics.map((t) => [t.region, t.inputs.kmsMasterKeyId]).sort(), [
                ["eu-central-1", KEY("eu-central-1", MRK)],
                ["eu-west-1", KEY("eu-west-1", MRK)],
            ]);
        });

        it("the program encrypts each region's bucket, and grants each region's roles, with that region's replica", async function () {
            const config = {
                values: {
                    ...prodPrivate(),
                    "patch-manager:centralLogBucket": "false",
                    "patch-manager:logging": JSON.stringify({ kmsKeyArn: KEY("eu-west-1", MRK) }),
                },
                secretKeys: [],
            };
            const stack = await evaluate("prod-private", config);
            const encryption = stack.ofType(T.encryption);
            assert.deepEqual(
                encryption.map((e) => [e.region, (e.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId]).sort(),
                [
                    ["eu-central-1", KEY("eu-central-1", MRK)],
                    ["eu-west-1", KEY("eu-west-1", MRK)],
                ],
            );
            const grants = stack.ofType(T.rolePolicy).filter((r) => String(r.inputs.policy).includes(MRK));
            assert.deepEqual([...new Set(grants.map((g) => g.region))].sort(), ["eu-central-1", "eu-west-1"]);
            for (const g of grants)
                for (const arn of String(g.inputs.policy).match(/arn:aws:kms:[^"]+/g) ?? []) assert.equal(keyRegion(arn), g.region, g.name);
        });
    });
});
