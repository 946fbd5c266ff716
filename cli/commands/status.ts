import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "status",
  summary: "weights, health with votes per vantage, the override lease and the last switchovers",
  description:
    "Shows the weights in Route 53, each target's health with the vote of every vantage in the latest\nround, the policy's mode (in service, drained, ramping, held), the override lease and the last\nswitchovers. Changes nothing.",
  changes: false,
  lease: false,
  examples: ["failover status", "failover status --json | jq .lease"],
});
