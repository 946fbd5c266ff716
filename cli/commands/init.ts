import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "init",
  summary: "create the weighted records once, with the config's weights (never overwrites)",
  description:
    "Creates one weighted record per target for every record name in the config, with the normal\nweights. Refuses when any of them already exists: records are not stack resources, so a deploy\nnever resets weights in the middle of a failover.",
  changes: true,
  lease: false,
  examples: ["failover init --direct --yes"],
});
