import { randomUUID } from "node:crypto";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { SnsPublisher } from "../../functions/lib/aws/sns.ts";
import { loadConfig, type FailoverConfig } from "../../functions/lib/config.ts";
import { ValidationError } from "../../functions/lib/errors.ts";
import {
  parseSlackTestDelivery,
  slackTestMessage,
  slackTestParameterName,
  type SlackTestDelivery,
} from "../../functions/lib/slack/slack-test.ts";
import {
  describeWebhookState,
  setWebhookCommand,
  slackWebhookParameterName,
  webhookState,
  type WebhookState,
} from "../../functions/lib/slack/webhook.ts";
import { parseArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { controlRegionFlag, deployOutputEntry } from "../deploy-output.ts";

const usage = `Usage: failover slack-test [--region <control region>] [--topics '<alarmTopics>'] [--wait <seconds>] [--config <file>]

Sends a test message through the deployed alert path and reports each hop:
  0. the Slack webhook parameter (/<config name>/slack-webhook) exists and is not the
     placeholder in every control region (its value is never printed); if not, the exact
     command to set it, and nothing is sent;
  1. the message published to the region's alert topic (SNS message id);
  2. the region's notifier posted it: the delivery record it writes (/<config name>/slack-test)
     with the HTTP status the webhook answered.
The message appears in the Slack channel as "regional-failover Slack test <id>".
Also prints the put-parameter commands for every control region with --commands.

Options:
  --region <region>    control region whose topic and notifier to test (default: the first control region)
  --topics <json>      the deploy's alarmTopics output, region → topic ARN (default: $FAILOVER_ALERT_TOPICS)
  --wait <seconds>     how long to wait for the notifier's delivery record (default: 30)
  --commands           only print the command that sets the webhook in each control region
  --actor <name>       who sends it (default: $FAILOVER_ACTOR, else $USER)
  --config <file>      config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json)
  -h, --help           show this help

AWS_ENDPOINT_URL points it at the emulator. Exit codes: 0 delivered, 1 a hop failed (named), 2 bad input.
`;

const flags = {
  region: { type: "string" },
  topics: { type: "string" },
  wait: { type: "string" },
  commands: { type: "boolean" },
  actor: { type: "string" },
  config: { type: "string" },
} as const;

const command: CliCommand = {
  name: "slack-test",
  summary: "send a test message through SNS → notifier → Slack webhook and report each hop",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(args, flags, { names: [] });
    if (parsed.help) {
      io.stdout(usage);
      return 0;
    }
    const config = loadConfig(parsed.flags.config ?? io.env.FAILOVER_CONFIG_FILE ?? "failover.config.json");
    const parameter = slackWebhookParameterName(config.name);
    if (parsed.flags.commands) {
      io.stdout(`${config.controlRegions.map((region) => setWebhookCommand(parameter, region)).join("\n")}\n`);
      return 0;
    }
    const { region, topic, waitMs } = checkedFlags(parsed.flags, config, io.env);
    const aws = io.env.AWS_ENDPOINT_URL ? { endpoint: io.env.AWS_ENDPOINT_URL } : {};
    const unset = await unsetWebhooks(config, parameter, aws);
    for (const line of webhookLines(config, unset)) io.stdout(`${line}\n`);
    if (unset.length > 0) {
      io.stderr(
        `failover slack-test: the Slack webhook is not set in ${unset.map((u) => u.region).join(", ")}; nothing was sent.\nSet it (the URL from your shell, never a file):\n${unset.map((u) => `  ${setWebhookCommand(parameter, u.region)}`).join("\n")}\n`,
      );
      return 1;
    }
    const id = randomUUID();
    const actor = (parsed.flags.actor ?? io.env.FAILOVER_ACTOR ?? io.env.USER ?? "on-call").trim() || "on-call";
    const sent = Date.now();
    const { messageId } = await new SnsPublisher({ ...aws, region }).publish(
      topic,
      slackTestMessage(id, region, actor),
    );
    io.stdout(`1. published to SNS in ${region} (${topic}): message id ${messageId}\n`);
    const delivery = await deliveryOf(new ParameterStore({ ...aws, region }), config, id, waitMs);
    if (delivery === undefined) {
      io.stdout(
        `2. no delivery record from the ${region} notifier after ${Math.round(waitMs / 1000)} s: it did not post the message. Its log (CloudWatch Logs, the ${region} notifier function) says why ("Slack webhook unavailable" names the parameter; "Slack post failed" the webhook's answer).\n`,
      );
      return 1;
    }
    io.stdout(
      `2. the ${delivery.region} notifier was invoked and posted it ${((delivery.at - sent) / 1000).toFixed(1)} s after the publish\n3. the webhook answered ${delivery.status} (${delivery.attempts} post(s)): look for "regional-failover Slack test ${id}" in the channel\n`,
    );
    return delivery.status >= 200 && delivery.status < 300 ? 0 : 1;
  },
};

/** The region to test, its topic ARN and the wait, or a ValidationError naming the flag. */
function checkedFlags(
  flagValues: { region?: string; topics?: string; wait?: string },
  config: FailoverConfig,
  env: CliIO["env"],
): { region: string; topic: string; waitMs: number } {
  const fail = (path: string, message: string) =>
    new ValidationError("arguments", [{ path, message }], { hint: usage.split("\n")[0] });
  const region = controlRegionFlag(flagValues.region, config, fail);
  const wait = Number(flagValues.wait ?? "30");
  if (!Number.isInteger(wait) || wait < 1 || wait > 600)
    throw fail("--wait", `expected whole seconds from 1 to 600, got "${flagValues.wait}"`);
  const topic = deployOutputEntry(
    flagValues.topics ?? env.FAILOVER_ALERT_TOPICS,
    region,
    {
      flag: "--topics",
      output: "alarmTopics",
      envName: "FAILOVER_ALERT_TOPICS",
      example: '{"us-east-2":"arn:aws:sns:us-east-2:…:…-alarms"}',
      expected: `the SNS topic ARN of ${region} (alarmTopics)`,
      valid: (arn) => arn.startsWith(`arn:aws:sns:${region}:`),
    },
    fail,
  );
  return { region, topic, waitMs: wait * 1000 };
}

/** The control regions whose webhook parameter is not usable (missing, the placeholder, not a SecureString); values never kept. */
async function unsetWebhooks(
  config: FailoverConfig,
  parameter: string,
  aws: { endpoint?: string },
): Promise<Array<{ region: string; state: Exclude<WebhookState, "set"> }>> {
  const states = await Promise.all(
    config.controlRegions.map(async (region) => ({
      region,
      state: await webhookState(new ParameterStore({ ...aws, region }), parameter),
    })),
  );
  return states.flatMap((s) => (s.state === "set" ? [] : [{ region: s.region, state: s.state }]));
}

function webhookLines(config: FailoverConfig, unset: Array<{ region: string; state: WebhookState }>): string[] {
  const parameter = slackWebhookParameterName(config.name);
  return config.controlRegions.map((region) => {
    const state = unset.find((u) => u.region === region)?.state;
    const what = state === undefined ? "set" : describeWebhookState(state);
    return `0. webhook parameter ${parameter} in ${region}: ${what}`;
  });
}

/** Polls the notifier's delivery record until it names test `id`, or `waitMs` ran out. */
async function deliveryOf(
  store: ParameterStore,
  config: FailoverConfig,
  id: string,
  waitMs: number,
): Promise<SlackTestDelivery | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const record = parseSlackTestDelivery(await store.get(slackTestParameterName(config.name)).catch(() => undefined));
    if (record?.id === id) return record;
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export default command;
