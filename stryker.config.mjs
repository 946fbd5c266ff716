// Mutation testing of the decision core (`npm run mutation`, docs/mutation.md):
// the policy, Route 53's answer rules and the compare-and-swap batch builder.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  coverageAnalysis: "perTest",
  // Text for people (decision reasons, error messages) is not a decision: its tests compare whole
  // sentences where it matters, and a mutant per string literal would double the run time.
  mutator: { excludedMutations: ["StringLiteral"] },
  // Module-level constants would need every test rerun per mutant; the one that matters
  // (change-batch.ts GUARD_ALL_LIMIT) is pinned by test/unit/records/change-batch.test.ts.
  ignoreStatic: true,
  mutate: [
    "functions/lib/policy/**/*.ts",
    "functions/lib/dataplane/answers.ts",
    "functions/lib/records/change-batch.ts",
  ],
  // The sandbox needs only the code and the unit tests, not the SST platform, drill output or docs.
  ignorePatterns: [
    "/*",
    "!/functions",
    "!/test",
    "!/failover.config.json",
    "!/package.json",
    "!/tsconfig.json",
    "!/vitest.mutation.config.ts",
  ],
  // The machine is shared: two workers at most.
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 90 },
};
