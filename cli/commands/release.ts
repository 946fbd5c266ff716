import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "release",
  summary: "end the override lease (and flap holds): the automatic policy decides again, at once",
  description:
    "Deletes the override lease, clears every flap hold (held targets come back through the normal\nrecovery time and ramp) and applies what the automatic policy decides now, in one\ncompare-and-swap. Without a lease it only clears holds; nothing else changes.",
  changes: true,
  lease: false,
  examples: ['failover release --reason "incident 123 over"'],
});
