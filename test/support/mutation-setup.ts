import fc from "fast-check";

// `npm run mutation` only: every property from one fixed seed (see ./property-runs.ts), and a failing
// property only needs to fail, not to shrink to a small counterexample (that reruns the decider hundreds of times).
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20261206, endOnFailure: true });
