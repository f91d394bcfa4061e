import { lifetimeOf } from "./expectations";

lifetimeOf("prod");
