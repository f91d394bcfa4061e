import { lifetimeOf } from "./expectations";

lifetimeOf("dev");
