// The fleet as a whole (`npm run plan -- --all`): every stack's windows on one calendar, checked
// for rollout order, clashes, patch groups that two stacks register in one account and region,
// and the per-region window quota. Pure functions over plain data; the plan's CLI only gathers
// the input (input.ts) and prints the report (render.ts).
export * from "./types";
export * from "./input";
export * from "./calendar";
export * from "./rolloutOrder";
export * from "./waveOrder";
export * from "./clashes";
export * from "./freezeGaps";
export * from "./analyze";
export * from "./render";
