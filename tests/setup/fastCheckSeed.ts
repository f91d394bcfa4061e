// Property tests draw their cases from one seed per run. CI and `npm test` use a fixed seed, so a
// run is reproducible and a failure names cases anyone can replay; set FC_SEED to another number
// (or FC_SEED=random) to explore new cases locally.
import fc from "fast-check";

const requested = process.env.FC_SEED;
if (requested !== "random") {
    const seed = requested === undefined ? 20261129 : Number(requested);
    if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be a whole number or "random", got ${JSON.stringify(requested)}`);
    fc.configureGlobal({ seed });
}
