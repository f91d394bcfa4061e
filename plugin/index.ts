// The component package's provider: Pulumi's plugin runner requires this module and waits on
// its export, the SDK's component provider host, which derives the package schema from
// PatchManager's TypeScript types and constructs the component for programs in any language.
// Its dependencies resolve from the repository's node_modules (`npm ci` at the root).
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { PatchManager } from "../components";

export = componentProviderHost({ components: [PatchManager], name: "patch-manager", dirname: __dirname });
