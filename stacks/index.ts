import { createAlerts, createCanaryTopic } from "./alerts.ts";
import { createControl } from "./control.ts";
import { onCallPolicy } from "./iam.ts";
import { createProbes } from "./probes.ts";
import { resetProviders } from "./regions.ts";
import { createSecrets } from "./secrets.ts";
import { loadSettings } from "./settings.ts";
import { createVoteTables } from "./votes.ts";

/**
 * The whole app: probes in every vantage region, a votes table, deciders, manual failover,
 * alarm topics, notifiers and alarms in every control region. Returns the
 * stack outputs (`sst deploy` prints them).
 */
export function buildApp() {
  resetProviders();
  const settings = loadSettings();
  const secrets = createSecrets(settings);
  createVoteTables(settings);
  createProbes(settings);
  const control = createControl(settings, secrets);
  createAlerts(settings, control);
  const canaryTopic = createCanaryTopic(settings, control);

  const manualArns = $output(control.map((c) => c.manualFailover.arn));
  return {
    manualFailoverFunctions: Object.fromEntries(control.map((c) => [c.region, c.manualFailover.arn])),
    alarmTopics: Object.fromEntries(control.map((c) => [c.region, c.alarmTopic.arn])),
    /** us-east-1: the canary alarms `failover init` puts announce here (found from alertTopics; shown for reference). */
    canaryTopic: canaryTopic.arn,
    signalEndpoints: Object.fromEntries(control.map((c) => [c.region, c.signal.url])),
    /** For `failover … --direct`: `export FAILOVER_ALERT_TOPICS='<this>'` so its changes reach Slack too. */
    alertTopics: $jsonStringify($output(Object.fromEntries(control.map((c) => [c.region, c.alarmTopic.arn])))),
    onCallPolicy: manualArns.apply((arns) => JSON.stringify(onCallPolicy(arns))),
    /** The Slack command's URL per control region (config `slack`): `failover slack-manifest --urls '<this>'` prints the app manifest. */
    slackCommandUrls: $jsonStringify(
      $output(Object.fromEntries(control.flatMap((c) => (c.slackCommand ? [[c.region, c.slackCommand.url]] : [])))),
    ),
  };
}
