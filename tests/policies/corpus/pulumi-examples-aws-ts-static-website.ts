// pulumi/examples aws-ts-static-website: an S3 content bucket behind CloudFront with an ACM certificate,
// Route 53 records and a logs bucket. Unrelated to patching: the pack must report nothing.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { CorpusEntry } from "./types";

export const entry: CorpusEntry = {
    source: {
        repository: "pulumi/examples",
        path: "aws-ts-static-website/index.ts, aws-ts-static-website/acl.ts",
        commit: "12b89bd113e436e41b6e7f9a99ab38150ee4e17c",
        url: "https://github.com/pulumi/examples/tree/12b89bd113e436e41b6e7f9a99ab38150ee4e17c/aws-ts-static-website",
        translation:
            "index.ts and acl.ts translated resource by resource, logical names kept. Config: pathToWebsiteContents and includeWWW " +
            "take their defaults (./www, true), certificateArn is unset (so the certificate, its two validation records and the " +
            "CertificateValidation are created on the us-east-1 provider `east`), and targetDomain, which has no default, is " +
            "site.example.org (the program refuses *example.com outside a preview; its guard is kept). The crawl of ./www is " +
            "written out as the two files the repository's www/ holds (404.html, index.html), each a BucketObject parented to the " +
            "content bucket with a FileAsset path relative to the project and the content type mime gives. getDomainAndSubdomain " +
            "and the alias-record helpers are kept. The hosted zone id is the source's: 'Z000000' during a preview, else the " +
            "aws.route53.getZone lookup (kept; under the mock runtime, which is not a preview, the lookup returns no zoneId).",
    },
    unrelated: true,
    expected: [],
    rejected: [
        {
            policy: "log-bucket-protected",
            resource: "site.example.org-content",
            verdict: "false-positive",
            reason:
                "No server-side encryption configuration: the website's content bucket, which no maintenance-window task or " +
                "association writes to. Issue #23: bucket rules apply only to the bucket a task/association writes output to, and an " +
                "unrelated stack gets zero findings. (S3 also encrypts every new object with SSE-S3 by default since January 2023: " +
                "S3 User Guide, 'Setting default server-side encryption behavior'.)",
        },
        {
            policy: "log-bucket-protected",
            resource: "site.example.org-content",
            verdict: "false-positive",
            reason:
                "No public access block: the content bucket is read by CloudFront through an origin access identity (the bucket " +
                "policy grants s3:GetObject to the OAI only) and serves no patching output. Out of the rule's scope (issue #23).",
        },
        {
            policy: "log-bucket-protected",
            resource: "site.example.org-logs",
            verdict: "false-positive",
            reason:
                "No server-side encryption configuration: this 'logs' bucket holds CloudFront standard access logs, not Run Command " +
                "or association output; no task or association names it. Issue #23: bucket rules apply only to the buckets patching " +
                "writes to (and S3's default SSE-S3 encrypts the objects anyway).",
        },
        {
            policy: "log-bucket-protected",
            resource: "site.example.org-logs",
            verdict: "false-positive",
            reason:
                "Public access block all false on the bucket that receives CloudFront standard access logs (ACLs enabled with " +
                "BucketOwnerPreferred ownership and a private ACL, as CloudFront Developer Guide, 'Standard logging', asks; the " +
                "block itself is not needed for that, since the log-delivery grant is not a public ACL). A reviewer of the website " +
                "might question it, but it is not a bucket patching writes to: out of the rule's scope, and an unrelated stack gets " +
                "zero findings (issue #23).",
        },
    ],
    program: () => {
        const config = {
            pathToWebsiteContents: "./www",
            targetDomain: "site.example.org",
            certificateArn: undefined as string | undefined,
            includeWWW: true,
        };

        // Apply-time guard to prevent placeholder domain usage
        if (!pulumi.runtime.isDryRun() && (config.targetDomain.includes("preview-") || config.targetDomain.endsWith("example.com"))) {
            throw new Error("Configure a real targetDomain before 'pulumi up'.");
        }

        function configureACL(bucketName: string, bucket: aws.s3.Bucket, acl: string): aws.s3.BucketAcl {
            const ownership = new aws.s3.BucketOwnershipControls(bucketName, {
                bucket: bucket.bucket,
                rule: { objectOwnership: "BucketOwnerPreferred" },
            });
            const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(bucketName, {
                bucket: bucket.bucket,
                blockPublicAcls: false,
                blockPublicPolicy: false,
                ignorePublicAcls: false,
                restrictPublicBuckets: false,
            });
            return new aws.s3.BucketAcl(bucketName, { bucket: bucket.bucket, acl }, { dependsOn: [ownership, publicAccessBlock] });
        }

        function getDomainAndSubdomain(domain: string): { subdomain: string; parentDomain: string } {
            const parts = domain.split(".");
            if (parts.length < 2) {
                throw new Error(`No TLD found on ${domain}`);
            }
            if (parts.length === 2) {
                return { subdomain: "", parentDomain: domain };
            }
            let subdomain = "";
            for (let i = 0; i < parts.length - 2; i++) {
                subdomain += parts[i] + ".";
            }
            subdomain = subdomain.slice(0, -1);
            const parentDomain = parts.slice(-2).join(".");
            return { subdomain, parentDomain: parentDomain + "." };
        }

        const hostedZoneIdFor = (domain: string): pulumi.Input<string> =>
            pulumi.runtime.isDryRun()
                ? pulumi.output("Z000000")
                : aws.route53.getZone({ name: getDomainAndSubdomain(domain).parentDomain }, { async: true }).then((zone) => zone.zoneId);

        // contentBucket is the S3 bucket that the website's contents will be stored in.
        const contentBucket = new aws.s3.Bucket(`${config.targetDomain}-content`);

        const contentBucketWebsite = new aws.s3.BucketWebsiteConfiguration("contentBucketWebsite", {
            bucket: contentBucket.bucket,
            indexDocument: { suffix: "index.html" },
            errorDocument: { key: "404.html" },
        });

        // The crawl of ./www: the repository's two files.
        for (const [relativeFilePath, contentType] of [
            ["404.html", "text/html"],
            ["index.html", "text/html"],
        ]) {
            new aws.s3.BucketObject(
                relativeFilePath,
                {
                    key: relativeFilePath,
                    bucket: contentBucket.bucket,
                    contentType,
                    source: new pulumi.asset.FileAsset(`www/${relativeFilePath}`),
                },
                { parent: contentBucket },
            );
        }

        // logsBucket is an S3 bucket that will contain the CDN's request logs.
        const logsBucket = new aws.s3.Bucket(`${config.targetDomain}-logs`);
        configureACL("requestLogs", logsBucket, "private");

        const tenMinutes = 60 * 10;

        let certificateArn: pulumi.Input<string> = config.certificateArn!;
        if (!config.certificateArn) {
            const eastRegion = new aws.Provider("east", {
                profile: aws.config.profile,
                region: "us-east-1",
            });
            const certificate = new aws.acm.Certificate(
                "certificate",
                {
                    domainName: config.targetDomain,
                    validationMethod: "DNS",
                    subjectAlternativeNames: config.includeWWW ? [`www.${config.targetDomain}`] : [],
                },
                { provider: eastRegion },
            );
            const hostedZoneId = hostedZoneIdFor(config.targetDomain);
            const certificateValidationDomain = new aws.route53.Record(`${config.targetDomain}-validation`, {
                name: certificate.domainValidationOptions[0].resourceRecordName,
                zoneId: hostedZoneId,
                type: certificate.domainValidationOptions[0].resourceRecordType,
                records: [certificate.domainValidationOptions[0].resourceRecordValue],
                ttl: tenMinutes,
            });
            let subdomainCertificateValidationDomain;
            if (config.includeWWW) {
                subdomainCertificateValidationDomain = new aws.route53.Record(`${config.targetDomain}-validation2`, {
                    name: certificate.domainValidationOptions[1].resourceRecordName,
                    zoneId: hostedZoneId,
                    type: certificate.domainValidationOptions[1].resourceRecordType,
                    records: [certificate.domainValidationOptions[1].resourceRecordValue],
                    ttl: tenMinutes,
                });
            }
            const validationRecordFqdns =
                subdomainCertificateValidationDomain === undefined
                    ? [certificateValidationDomain.fqdn]
                    : [certificateValidationDomain.fqdn, subdomainCertificateValidationDomain.fqdn];
            const certificateValidation = new aws.acm.CertificateValidation(
                "certificateValidation",
                { certificateArn: certificate.arn, validationRecordFqdns },
                { provider: eastRegion },
            );
            certificateArn = certificateValidation.certificateArn;
        }

        // Generate Origin Access Identity to access the private s3 bucket.
        const originAccessIdentity = new aws.cloudfront.OriginAccessIdentity("originAccessIdentity", {
            comment: "this is needed to setup s3 polices and make s3 not public.",
        });

        const distributionAliases = config.includeWWW ? [config.targetDomain, `www.${config.targetDomain}`] : [config.targetDomain];

        const cdn = new aws.cloudfront.Distribution("cdn", {
            enabled: true,
            aliases: distributionAliases,
            origins: [
                {
                    originId: contentBucket.arn,
                    domainName: contentBucket.bucketRegionalDomainName,
                    s3OriginConfig: { originAccessIdentity: originAccessIdentity.cloudfrontAccessIdentityPath },
                },
            ],
            defaultRootObject: "index.html",
            defaultCacheBehavior: {
                targetOriginId: contentBucket.arn,
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                cachedMethods: ["GET", "HEAD", "OPTIONS"],
                forwardedValues: { cookies: { forward: "none" }, queryString: false },
                minTtl: 0,
                defaultTtl: tenMinutes,
                maxTtl: tenMinutes,
            },
            priceClass: "PriceClass_100",
            customErrorResponses: [{ errorCode: 404, responseCode: 404, responsePagePath: "/404.html" }],
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only" },
            loggingConfig: {
                bucket: logsBucket.bucketDomainName,
                includeCookies: false,
                prefix: `${config.targetDomain}/`,
            },
        });

        new aws.s3.BucketPolicy("bucketPolicy", {
            bucket: contentBucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: originAccessIdentity.iamArn },
                        Action: ["s3:GetObject"],
                        Resource: [pulumi.interpolate`${contentBucket.arn}/*`],
                    },
                ],
            }),
        });

        // createAliasRecord and createWWWAliasRecord.
        const domainParts = getDomainAndSubdomain(config.targetDomain);
        new aws.route53.Record(config.targetDomain, {
            name: domainParts.subdomain,
            zoneId: hostedZoneIdFor(config.targetDomain),
            type: "A",
            aliases: [{ name: cdn.domainName, zoneId: cdn.hostedZoneId, evaluateTargetHealth: true }],
        });
        if (config.includeWWW) {
            new aws.route53.Record(`${config.targetDomain}-www-alias`, {
                name: `www.${config.targetDomain}`,
                zoneId: hostedZoneIdFor(config.targetDomain),
                type: "A",
                aliases: [{ name: cdn.domainName, zoneId: cdn.hostedZoneId, evaluateTargetHealth: true }],
            });
        }

        return {
            contentBucketUri: pulumi.interpolate`s3://${contentBucket.bucket}`,
            contentBucketWebsiteEndpoint: contentBucketWebsite.websiteEndpoint,
            cloudFrontDomain: cdn.domainName,
            targetDomainEndpoint: `https://${config.targetDomain}/`,
        };
    },
};
