// The approval rules a baseline gets when it spells out none, and which rule settings an OS takes.
import { OperatingSystem } from "@patch-manager/ssm";
import type { ApprovalRule } from "./baselines";

/**
 * Operating systems whose approval can wait (all but the Debian family). SSM ignores
 * ApproveAfterDays and ApproveUntilDate for Ubuntu and Debian ("not supported": their repos carry
 * no reliable release dates), yet a rule must carry one of them; the provider sends
 * ApproveAfterDays 0 when it is left out, so the rules say 0 where the plan shows them.
 */
export function supportsApprovalDelay(os: OperatingSystem): boolean {
    return !DEBIAN_FAMILY.has(os);
}

const DEBIAN_FAMILY = new Set<OperatingSystem>(["UBUNTU", "DEBIAN", "RASPBIAN"]);

/**
 * Why a patch filter key does not apply to an OS, or undefined where it may. Only the clear
 * cases of the SSM API reference (PatchFilter, DescribePatchProperties): MSRC_SEVERITY,
 * PATCH_SET and PRODUCT_FAMILY are Windows keys; PRIORITY and SECTION Debian-family keys;
 * SEVERITY is neither Windows' (MSRC_SEVERITY) nor the Debian family's (PRIORITY).
 */
export function filterKeyProblem(os: OperatingSystem, key: string): string | undefined {
    const windowsOnly = ["MSRC_SEVERITY", "PATCH_SET", "PRODUCT_FAMILY"];
    const debianOnly = ["PRIORITY", "SECTION"];
    if (windowsOnly.includes(key) && os !== "WINDOWS") return `${key} is a Windows filter key; ${os} baselines cannot use it`;
    if (debianOnly.includes(key) && !DEBIAN_FAMILY.has(os))
        return `${key} is a filter key of Ubuntu, Debian and Raspberry Pi OS; ${os} baselines cannot use it`;
    if (key === "SEVERITY" && os === "WINDOWS") return "Windows baselines filter severity with MSRC_SEVERITY, not SEVERITY";
    if (key === "SEVERITY" && DEBIAN_FAMILY.has(os)) return `${os} baselines filter by PRIORITY (and SECTION), not SEVERITY`;
    return undefined;
}
const RPM_FAMILY = new Set<OperatingSystem>([
    "AMAZON_LINUX",
    "AMAZON_LINUX_2",
    "AMAZON_LINUX_2022",
    "AMAZON_LINUX_2023",
    "REDHAT_ENTERPRISE_LINUX",
    "CENTOS",
    "ORACLE_LINUX",
    "ROCKY_LINUX",
    "ALMA_LINUX",
]);

/**
 * The approval rules a careful operator starts from: security patches rated
 * critical/important first (compliance CRITICAL), the other security patches
 * next (HIGH), bug fixes last (MEDIUM), each only after `approveAfterDays`
 * so that a bad patch is withdrawn before it reaches the fleet. Filter values
 * are the ones the user guide lists per OS ("patch baseline filter values");
 * the severities used are valid for every OS of the family.
 * Returns undefined for an OS without a sensible default (macOS): its
 * baseline must spell out its rules.
 */
export function defaultApprovalRules(os: OperatingSystem, approveAfterDays: number): ApprovalRule[] | undefined {
    const delay = { approveAfterDays: supportsApprovalDelay(os) ? approveAfterDays : 0 };
    if (os === "WINDOWS") {
        return [
            {
                patchFilters: [
                    { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
                    { key: "MSRC_SEVERITY", values: ["Critical", "Important"] },
                ],
                complianceLevel: "CRITICAL",
                ...delay,
            },
            {
                patchFilters: [
                    { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
                    { key: "MSRC_SEVERITY", values: ["Moderate", "Low", "Unspecified"] },
                ],
                complianceLevel: "HIGH",
                ...delay,
            },
            {
                patchFilters: [{ key: "CLASSIFICATION", values: ["UpdateRollups", "Updates"] }],
                complianceLevel: "MEDIUM",
                ...delay,
            },
        ];
    }
    if (RPM_FAMILY.has(os) || os === "SUSE") {
        return [
            {
                patchFilters: [
                    { key: "CLASSIFICATION", values: ["Security"] },
                    { key: "SEVERITY", values: ["Critical", "Important"] },
                ],
                complianceLevel: "CRITICAL",
                ...delay,
            },
            {
                patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }],
                complianceLevel: "HIGH",
                ...delay,
            },
            {
                patchFilters: [{ key: "CLASSIFICATION", values: os === "SUSE" ? ["Recommended"] : ["Bugfix"] }],
                complianceLevel: "MEDIUM",
                ...delay,
            },
        ];
    }
    if (DEBIAN_FAMILY.has(os)) {
        return [
            {
                patchFilters: [{ key: "PRIORITY", values: ["Required", "Important"] }],
                complianceLevel: "CRITICAL",
                ...delay,
            },
            {
                patchFilters: [{ key: "PRIORITY", values: ["Standard"] }],
                complianceLevel: "MEDIUM",
                ...delay,
            },
        ];
    }
    return undefined;
}

/**
 * The `windows2012-security` preset, the Windows2012 group's baseline, installs all security
 * patches: every security classification of the Windows Server 2012 products, whatever their
 * MSRC rating.
 */
export function windows2012SecurityRules(approveAfterDays: number): ApprovalRule[] {
    return [
        {
            patchFilters: [
                { key: "PRODUCT", values: ["WindowsServer2012", "WindowsServer2012R2"] },
                { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
            ],
            complianceLevel: "CRITICAL",
            approveAfterDays,
        },
    ];
}
