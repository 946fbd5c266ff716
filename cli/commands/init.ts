import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "init",
  summary: "create the weighted records once (never overwrites) and tie them to the data-plane health checks",
  description:
    "Creates one weighted record per target for every record name in the config, with the normal\nweights, in one change batch that also deletes, exactly as read, any other set of those names and\ntypes (a live simple record is taken over with no gap: Route 53 applies the batch all or nothing).\nWithout --yes it prints that batch first. Never overwrites a weighted record of a target (records are not stack resources, so a deploy\nnever resets weights in the middle of a failover): when all exist it changes nothing and says so;\nwhen only some exist it refuses.\nWith FAILOVER_SIGNAL_ENDPOINTS (the deploy's signalEndpoints output) it then creates the data-plane\nhealth checks (per target an inverted check per control region and a calculated check over them) and\nties every record to its target's calculated check, one change batch per target, weights unchanged;\nrecords that all exist are adopted as they are. Running it again changes nothing.\nIt first asks every signal endpoint for every target and refuses, changing nothing, an endpoint it\ncannot reach, one that does not answer as a signal endpoint, or one endpoint given for two regions.",
  changes: true,
  lease: false,
  examples: [
    "failover init --direct --yes",
    'FAILOVER_SIGNAL_ENDPOINTS=\'{"us-east-2":"https://…/","us-west-1":"https://…/"}\' failover init --direct --yes',
  ],
});
