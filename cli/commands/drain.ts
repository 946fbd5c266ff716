import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "drain",
  summary: "take one target out of service (weight 0), overriding the policy until the lease expires",
  description:
    "Takes an override lease that sets <target> to weight 0 and shares its traffic among the other\ntargets by their normal weights; applied at once, in one compare-and-swap with the lease. Refused\nwhen no other target could take the traffic.",
  positional: "target",
  changes: true,
  lease: true,
  examples: ['failover drain primary --reason "bad deploy in us-east-1" --ttl 30m'],
});
