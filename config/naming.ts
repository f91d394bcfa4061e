// Derived names and prefixes, each computed in one place so that every resource
// named after a patch group, baseline or task gets the same name part.

/** "Web Server" -> "web-server": a logical/physical name part from a patch-group name. */
export function slug(value: string): string {
    const s = value
        .normalize("NFKD")
        .replace(/\p{M}/gu, "")
        .replace(/[^\p{L}\p{N}]+/gu, "-")
        .replace(/[^a-zA-Z0-9-]/g, "")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "")
        .toLowerCase();
    return s.length > 0 ? s : "group";
}

/**
 * A physical SSM name (window, target, task, baseline): `^[a-zA-Z0-9_\-.]{3,128}$`.
 * Long names keep their end (the part that tells groups apart) and a short
 * hash of the whole, so that two long names never collide.
 */
export function ssmName(...parts: string[]): string {
    const name = parts.map(slug).join("-");
    if (name.length <= 128) return name.length >= 3 ? name : `${name}---`.slice(0, 3);
    return `${name.slice(0, 119)}-${fnv1a(name)}`;
}

/** Where one task's command output goes: environment, patch group and operation apart. */
export function taskLogPrefix(keyPrefix: string, environment: string, patchGroup: string, operation: string): string {
    return [keyPrefix.replace(/\/+$/, ""), environment, slug(patchGroup), operation.toLowerCase()].filter((p) => p !== "").join("/");
}

/** The name of the baseline the program generates for groups of this OS that name none. */
export function generatedBaselineName(os: string): string {
    return `default-${slug(os)}`;
}

function fnv1a(s: string): string {
    let h = 0x811c9dc5;
    for (const ch of s) {
        h ^= ch.codePointAt(0)!;
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, "0");
}
