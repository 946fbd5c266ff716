import { replay } from "../offline/replay/replay.ts";
import { twoDeciderOutages } from "../offline/replay/sweep.ts";
import type { Benchmark } from "./run.ts";

/**
 * Two deciders as one mind (issue 18): every run of the sweep
 * (offline/replay/sweep.ts twoDeciderOutages, 560 single outages under the
 * default config and timing) must give one drain and one failback. Prints
 * how many do, and how many drained more than once. Seeded: one run is the figure.
 */
const bench: Benchmark = {
  name: "two-deciders",
  runs: 1,
  async run() {
    const cases = twoDeciderOutages();
    let oneEach = 0;
    let drainedAgain = 0;
    for (const { scenario } of cases) {
      const { summary } = replay(scenario, "default");
      if (summary.failovers === 1 && summary.failbacks === 1) oneEach++;
      if (summary.failovers > 1) drainedAgain++;
    }
    return {
      runs: cases.length,
      "runs with one drain and one failback": oneEach,
      "runs drained more than once": drainedAgain,
    };
  },
};
export default bench;
