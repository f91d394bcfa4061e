// The program's one reach into @pulumi/pulumi beyond its public API, kept here so that an SDK
// change underneath shows in one place and one test (tests/sdkInternals.test.ts).

/** The SDK module that knows which config keys the engine passed as secrets. */
export const CONFIG_MODULE = "@pulumi/pulumi/runtime/config";

/**
 * Whether the stack file holds this key as a secret (`pulumi config set --secret`, or a secure
 * value inside a structured one such as an assumed role's external id). The SDK's config module
 * knows (the engine passes the secret keys); its getters return plain values. Without that
 * function in the SDK, every setting counts as secret: the safe side.
 */
export function isSecretConfig(key: string): boolean {
    const check: unknown = require(CONFIG_MODULE).isConfigSecret;
    return typeof check === "function" ? Boolean(check(key)) : true;
}
