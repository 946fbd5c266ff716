/**
 * How many cases a property test runs: `numRuns`, or an eighth of them under
 * `npm run mutation` (vitest.mutation.config.ts sets FAILOVER_MUTATION=1),
 * which reruns the tests for every mutant; there every property starts from
 * the fixed seed test/support/mutation-setup.ts sets, so each mutant meets the
 * same cases and the unchanged code is known to pass them (Stryker's first run).
 */
export function propertyRuns(numRuns: number): number {
  return process.env.FAILOVER_MUTATION === "1" ? Math.ceil(numRuns / 8) : numRuns;
}
