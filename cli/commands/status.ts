import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "status",
  summary: "weights, health with votes per vantage, health checks and DNS answers, the lease and the last switchovers",
  description:
    "Shows the weights in Route 53, each target's health with the vote of every vantage in the latest\nround, the policy's mode (in service, drained, ramping, held), the override lease and the last\nswitchovers; then each target's health-check status (from what Route 53's checkers report) and,\nper record name, each target's share of DNS answers by Route 53's rules. Changes nothing.",
  changes: false,
  lease: false,
  examples: ["failover status", "failover status --json | jq .lease"],
});
