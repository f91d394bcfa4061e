// Config the account could not honour is refused before anything is created, by key path.
import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { problems, raw } from "../helpers";

const env = { environment: "production" };
const ALIAS = "arn:aws:kms:eu-west-1:123456789012:alias/patching";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function refused(values: Record<string, unknown>, path: string, text: string) {
    const lines = problems(values);
    assert.ok(
        lines.some((l) => l.includes(`${path}: `) && l.includes(text)),
        `expected ${path} … ${text}, got:\n${lines.join("\n")}`,
    );
}

describe("preconditions the account must meet (config)", function () {
    describe("KMS keys", function () {
        it("refuses an alias ARN wherever a key ARN is taken, naming the key path", function () {
            refused({ ...env, logging: { kmsKeyArn: ALIAS } }, "patch-manager:logging.kmsKeyArn", "alias ARN");
            refused({ ...env, alerts: { emails: ["a@example.com"], kmsKeyArn: ALIAS } }, "patch-manager:alerts.kmsKeyArn", "alias ARN");
        });
        it("takes a key ARN", function () {
            const c = parseConfig(raw({ ...env, logging: { kmsKeyArn: KEY } }), "test");
            assert.equal(c.logging.kmsKeyArn, KEY);
        });
    });

    describe("Debian-family baselines", function () {
        it("refuses a hold SSM ignores for Ubuntu/Debian, and takes approveAfterDays 0", function () {
            const rule = (extra: object) => ({
                ...env,
                baselines: [
                    {
                        name: "ubu",
                        operatingSystem: "UBUNTU",
                        approvalRules: [{ patchFilters: [{ key: "PRIORITY", values: ["Required"] }], ...extra }],
                    },
                ],
            });
            refused(
                rule({ approveUntilDate: "2027-01-31" }),
                "patch-manager:baselines[0].approvalRules[0].approveUntilDate",
                "cannot delay",
            );
            refused(rule({ approveAfterDays: 3 }), "patch-manager:baselines[0].approvalRules[0].approveAfterDays", "cannot delay");
            const c = parseConfig(raw(rule({ approveAfterDays: 0 })), "test");
            assert.deepEqual(
                c.baselines.find((b) => b.name === "ubu")!.approvalRules.map((r) => r.approveAfterDays),
                [0],
            );
        });
    });
});

describe("compliance.configRecorder", function () {
    it("is required with a Config rule, and says what each choice means", function () {
        refused({ ...env, compliance: { configRule: true } }, "patch-manager:compliance.configRecorder", 'Set "create"');
        refused(
            { ...env, deniedApplications: { applications: ["telnet"] } },
            "patch-manager:compliance.configRecorder",
            "one per account and region",
        );
    });
    it("applies only with a Config rule, and takes no value but create or existing", function () {
        refused(
            { ...env, compliance: { dailyScan: true, configRecorder: "create" } },
            "patch-manager:compliance.configRecorder",
            "applies only",
        );
        refused(
            { ...env, compliance: { configRule: true, configRecorder: "yes" } },
            "patch-manager:compliance.configRecorder",
            '"create", "existing"',
        );
    });
    it('"create" needs the log bucket the program creates (its policy gets Config\'s statements)', function () {
        refused(
            { ...env, logging: { bucketName: "my-logs" }, compliance: { configRule: true, configRecorder: "create" } },
            "patch-manager:compliance.configRecorder",
            "logging.bucketName",
        );
    });
    it("is in the model", function () {
        const c = parseConfig(raw({ ...env, compliance: { configRule: true, configRecorder: "existing" } }), "test");
        assert.equal(c.operations.compliance.configRecorder, "existing");
    });
});

describe("private endpoints: patch sources and where output goes", function () {
    const vpc = (region: string, patchSource?: string) => ({
        region,
        vpcId: "vpc-0a1b2c3d4e5f60718",
        subnetIds: ["subnet-0a1b2c3d4e5f60719"],
        ...(patchSource ? { patchSource } : {}),
    });
    const twoRegions = { ...env, regions: ["eu-west-1", "eu-central-1"] };
    const linuxOnly = { patchGroups: [{ name: "AL", operatingSystem: "AMAZON_LINUX_2023" }] };

    it("a VPC with private endpoints states how its instances reach patch sources", function () {
        refused(
            { ...twoRegions, privateEndpoints: [vpc("eu-west-1")] },
            "patch-manager:privateEndpoints[0].patchSource",
            '"nat", "proxy", "mirror", "s3-only"',
        );
    });

    it('"s3-only" only when every group runs Amazon Linux 2 or 2023, naming the groups that cannot', function () {
        refused(
            {
                ...twoRegions,
                patchGroups: [{ name: "Windows", operatingSystem: "WINDOWS" }],
                privateEndpoints: [vpc("eu-west-1", "s3-only")],
            },
            "patch-manager:privateEndpoints[0].patchSource",
            '"Windows" (WINDOWS) needs "nat", "proxy" or "mirror"',
        );
        const c = parseConfig(raw({ ...twoRegions, ...linuxOnly, privateEndpoints: [vpc("eu-west-1", "s3-only")] }), "test");
        assert.equal(c.operations.privateEndpoints[0].patchSource, "s3-only");
    });

    it("refuses a region without egress writing to a central log bucket in another region", function () {
        const lines = problems({
            ...twoRegions,
            ...linuxOnly,
            centralLogBucket: true,
            privateEndpoints: [vpc("eu-west-1", "s3-only"), { ...vpc("eu-central-1", "mirror"), vpcId: "vpc-0f1e2d3c4b5a69788" }],
        });
        assert.deepEqual(
            lines.filter((l) => l.includes("central log bucket")).map((l) => l.split(": ")[1]),
            ["patch-manager:privateEndpoints[1]"],
        );
        assert.match(lines.join("\n"), /eu-central-1.*central log bucket in eu-west-1.*centralLogBucket: false.*"nat" or "proxy"/);
    });

    it("takes that region with egress (nat, proxy), or with its own bucket", function () {
        for (const source of ["nat", "proxy"]) {
            parseConfig(
                raw({ ...twoRegions, centralLogBucket: true, privateEndpoints: [vpc("eu-west-1", "mirror"), vpc("eu-central-1", source)] }),
                "test",
            );
        }
        parseConfig(raw({ ...twoRegions, privateEndpoints: [vpc("eu-west-1", "mirror"), vpc("eu-central-1", "mirror")] }), "test");
    });
});
