import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "plan",
  summary: "what the decider would do now and why (changes nothing)",
  description:
    "Runs the policy on the current probe window, weights, memory and lease, and shows the weights the\ndecider would set and why. Changes nothing.",
  changes: false,
  lease: false,
  examples: ["failover plan"],
});
