import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "promote",
  summary: "send all traffic to one target, overriding the policy until the lease expires",
  description:
    "Takes an override lease that sends all traffic to <target> (every other target to 0) and applies\nthe weights at once, in one compare-and-swap with the lease. The deciders keep it until the lease\nexpires or `failover release`.",
  positional: "target",
  changes: true,
  lease: true,
  examples: [
    'failover promote failover --reason "primary 5xx, Google Cloud status page" --ttl 2h',
    'failover promote primary --reason "failback after incident 123" --ttl 10m --yes',
  ],
});
