import { defineConfig } from "vitest/config";

// The unit tests that judge the decision core, for `npm run mutation` (stryker.config.mjs):
// Stryker reruns them for every mutant, so the emulator-backed projects stay out.
export default defineConfig({
  test: {
    setupFiles: ["test/support/mutation-setup.ts"],
    env: { FAILOVER_MUTATION: "1" },
    // Pure code: the test files need no fresh module graph each, and re-importing them per mutant costs more than the tests.
    isolate: false,
    include: ["test/unit/policy/**/*.test.ts", "test/unit/dataplane/answers.test.ts", "test/unit/records/**/*.test.ts"],
  },
});
