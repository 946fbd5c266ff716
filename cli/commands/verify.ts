import { defineManualCommand } from "../manual/define.ts";

export default defineManualCommand({
  action: "verify",
  summary:
    "check what is set up and sound (records, data-plane chain, alarms, Slack webhook); exit 1 if not set up or broken",
  description:
    "Checks every link a drain through health checks needs: each control region's signal endpoint answers\nfor every target (its own endpoint, not another region's); each target has an inverted signal check per\ncontrol region with the expected FQDN, path, search string, interval, threshold and SNI, whose checkers\ncan read the signal (Route 53's own status: anything but drain/serve means the path is broken, and an\ninverted check would read it as serve), and a calculated check requiring all of them; every weighted\nrecord carries its target's calculated check; every alarm exists in every control region; with --direct,\nthe Slack webhook parameter is a SecureString other than the placeholder in every control region (its\nvalue is never printed). Tells what is not set up yet (nothing of a part exists: one line per part with\nthe command that sets it up) from what is broken (one line per link with its fix). Exit 1 if either.\nChanges nothing.",
  changes: false,
  lease: false,
  examples: ["failover verify", 'FAILOVER_SIGNAL_ENDPOINTS=\'{"us-east-2":"https://…/"}\' failover verify --direct'],
  exitCode: (result) =>
    result.action === "verify" && (result.broken.length > 0 || result.notSetUp.length > 0) ? 1 : 0,
});
