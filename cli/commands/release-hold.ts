import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "release-hold",
  summary: "release one target held drained by its flap budget (the lease is left alone)",
  description:
    "A target that was drained too often within the flap budget's window stays drained until a person\nreleases it. This releases <target>: it comes back through the normal recovery time and ramp.",
  positional: "target",
  changes: true,
  lease: false,
  examples: ['failover release-hold primary --reason "root cause fixed (deploy 4711)"'],
});
