import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "pin",
  summary: "set exact weights (e.g. primary=50,failover=50), overriding the policy until the lease expires",
  description:
    "Takes an override lease with exact weights, one per target (0-255, not all 0), applied at once in\none compare-and-swap with the lease.",
  positional: "weights",
  changes: true,
  lease: true,
  examples: ['failover pin primary=50,failover=50 --reason "split load during the migration" --ttl 1h'],
});
