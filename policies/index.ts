// Entry point for `pulumi preview --policy-pack policies`. Constructing the PolicyPack starts the
// analyzer's gRPC server, so nothing else (tests, the offline audit) may import this file: they
// import ./pack or the rule modules instead.

import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./pack";

new PolicyPack(PACK_NAME, packArgs);
