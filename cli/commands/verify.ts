import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "verify",
  summary: "check the data-plane chain (signal endpoints, health checks, records tied, alarms); exit 1 if broken",
  description:
    "Checks every link a drain through health checks needs: each control region's signal endpoint answers\nfor every target (its own endpoint, not another region's); each target has an inverted signal check per\ncontrol region with the expected FQDN, path, search string, interval, threshold and SNI, whose checkers\ncan read the signal (Route 53's own status: anything but drain/serve means the path is broken, and an\ninverted check would read it as serve), and a calculated check requiring all of them; every weighted\nrecord carries its target's calculated check; every alarm exists in every control region.\nPrints one line per broken link with what to run to fix it. Changes nothing.",
  changes: false,
  lease: false,
  examples: ["failover verify", 'FAILOVER_SIGNAL_ENDPOINTS=\'{"us-east-2":"https://…/"}\' failover verify --direct'],
  exitCode: (result) => (result.action === "verify" && result.broken.length > 0 ? 1 : 0),
});
