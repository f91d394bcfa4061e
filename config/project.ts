/** The Pulumi project name: the `patch-manager:` config namespace, the ManagedBy tag and the physical name prefix. */
export const PROJECT = "patch-manager";
