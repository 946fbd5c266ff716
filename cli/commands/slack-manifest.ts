import { loadConfig } from "../../functions/lib/config.ts";
import { ValidationError } from "../../functions/lib/errors.ts";
import { slackAppManifest } from "../../functions/lib/slack-command/manifest.ts";
import { slackParameterNames } from "../../functions/lib/slack-command/secrets.ts";
import { setSecretCommand } from "../../functions/lib/slack/webhook.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { parseArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { controlRegionFlag, deployOutputEntry } from "../deploy-output.ts";

const usage = `Usage: failover slack-manifest --urls '<slackCommandUrls>' [--region <control region>] [--config <file>]
       failover slack-manifest --commands [--config <file>]

Prints the Slack app manifest (JSON) of the /failover command, with the
slash command's and the interactivity request URL set to one control
region's Slack command function. Paste it into api.slack.com/apps →
Create New App → From a manifest (or the app's App Manifest page). When
that region is down, print it again with --region <the other one> and
update the app's manifest (README, "Acting from Slack").

Options:
  --urls <json>        the deploy's slackCommandUrls output, region → URL
                       (default: $FAILOVER_SLACK_URLS)
  --region <region>    the control region Slack should call (default: the config's first control region)
  --commands           only print the commands that set the Slack command's signing secret, bot token
                       and on-call list in every control region of the config (from $SLACK_SIGNING_SECRET,
                       $SLACK_BOT_TOKEN and $SLACK_ONCALL_IDS: values never written in a file)
  --config <file>      config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json)
  -h, --help           show this help

Exit codes: 0 printed, 2 bad input (flags, config without a slack block).
`;

const command: CliCommand = {
  name: "slack-manifest",
  summary: "print the Slack app manifest of /failover with the deploy's URL filled in",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(
      args,
      {
        urls: { type: "string" },
        region: { type: "string" },
        config: { type: "string" },
        commands: { type: "boolean" },
      },
      { names: [] },
    );
    if (parsed.help) {
      io.stdout(usage);
      return 0;
    }
    const config = loadConfig(parsed.flags.config ?? io.env.FAILOVER_CONFIG_FILE ?? "failover.config.json");
    const fail = (path: string, message: string) =>
      new ValidationError("arguments", [{ path, message }], { hint: usage.split("\n")[0] });
    if (config.slack === undefined)
      throw fail(
        "--config",
        'expected a config with a "slack" block ({ "teamId": "T…" }); deploy it, then print the manifest',
      );
    if (parsed.flags.commands) {
      io.stdout(`${secretCommands(config).join("\n")}\n`);
      return 0;
    }
    const region = controlRegionFlag(parsed.flags.region, config, fail);
    const url = deployOutputEntry(
      parsed.flags.urls ?? io.env.FAILOVER_SLACK_URLS,
      region,
      {
        flag: "--urls",
        output: "slackCommandUrls",
        envName: "FAILOVER_SLACK_URLS",
        example: '{"us-east-2":"https://….lambda-url.us-east-2.on.aws/"}',
        expected: `an https URL for ${region} (the deploy's slackCommandUrls output)`,
        valid: (value) => /^https:\/\/[^\s]+$/.test(value),
      },
      fail,
    );
    io.stdout(`${JSON.stringify(slackAppManifest(config, url), null, 2)}\n`);
    return 0;
  },
};

/** The put-parameter commands of the Slack command's three secrets, per control region of `config`. */
function secretCommands(config: FailoverConfig): string[] {
  const names = slackParameterNames(config.name);
  return config.controlRegions.flatMap((region) => [
    setSecretCommand(names.signingSecret, region, "SLACK_SIGNING_SECRET"),
    setSecretCommand(names.botToken, region, "SLACK_BOT_TOKEN"),
    setSecretCommand(names.onCall, region, "SLACK_ONCALL_IDS"),
  ]);
}

export default command;
