import { alertTopicName, functionMemoryMb, manualFunctionName } from "../functions/lib/deployment.ts";
import { roundsTimeoutSeconds } from "../functions/lib/decider/schedule.ts";
import { signalReservedConcurrency, type Settings } from "./settings.ts";
import type { Secrets } from "./secrets.ts";
import {
  auditStatements,
  dataPlaneStoreStatements,
  deciderPermissions,
  manualExtraPermissions,
  notifyPermissions,
  signalPermissions,
} from "./iam.ts";
import { functionArgs, logicalName, providerFor } from "./regions.ts";
import { createSlackCommand } from "./slack-command.ts";

/** What one control region runs. */
export interface ControlRegion {
  region: string;
  decider: sst.aws.Cron;
  manualFailover: sst.aws.Function;
  alarmTopic: sst.aws.SnsTopic;
  /** The data-plane signal endpoint Route 53's health checks ask (public function URL). */
  signal: sst.aws.Function;
  /** The `/failover` Slack command (public function URL, Slack-signed requests); only with config `slack`. */
  slackCommand?: sst.aws.Function;
  /** ARN of the Slack notifier subscribed to `alarmTopic` (the first region's also hears the canary topic). */
  notifierArn: $util.Output<string>;
}

/**
 * In each control region: the decider Cron, the manual failover function
 * (IAM invoke only: no function URL) and the alarm topic with the notifier
 * subscribed.
 *
 * The weighted records are deliberately NOT resources of this app: `failover
 * init` creates them once (refusing to overwrite), and only the deciders and
 * the manual function change them afterwards. A deploy, redeploy or
 * rollback therefore never resets weights in the middle of a failover.
 */
export function createControl(settings: Settings, secrets: Secrets): ControlRegion[] {
  const { config, configJson } = settings;
  // Every region's alert topic first: whoever makes a change publishes its event to its own region's topic, and
  // to the next region's when that fails (functions/lib/control/announcer.ts), so each writer knows them all.
  const topics = createAlertTopics(config);
  const topicArns = $output(Object.fromEntries([...topics].map(([region, topic]) => [region, topic.arn])));
  const alertTopics = $jsonStringify(topicArns);
  const writerPermissions = (region: string) =>
    topicArns.apply((arns) => [
      ...deciderPermissions(config, region),
      { actions: ["sns:Publish"], resources: Object.values(arns) },
    ]);
  // Every region's signal endpoint first: the manual function's `verify` checks them all.
  const { signals, signalEndpoints } = createSignalEndpoints(settings);
  return config.controlRegions.map((region) => {
    const provider = providerFor(region);
    const environment = { FAILOVER_CONTROL_REGION: region };
    const writerEnvironment = { ...environment, FAILOVER_ALERT_TOPICS: alertTopics };
    const { accountId } = aws.getCallerIdentityOutput({}, { provider });

    const decider = new sst.aws.Cron(
      logicalName("Decider", region),
      {
        schedule: "rate(1 minute)",
        function: functionArgs({
          handler: "functions/decide.handler",
          description: `regional-failover decider (control region ${region})`,
          configJson,
          environment: writerEnvironment,
          permissions: writerPermissions(region).apply((statements) => [
            ...statements,
            ...dataPlaneStoreStatements(config, region),
            ...auditStatements(config, "read"),
          ]),
          timeoutSeconds: roundsTimeoutSeconds(config),
          memoryMb: functionMemoryMb.decider,
        }),
      },
      { provider },
    );

    // Same permissions as the decider (it writes the lease and weights by
    // the same CAS), plus writing the audit entries and the signal override. No `url`: on-call invokes it with IAM (lambda:InvokeFunction).
    const manualFailover = new sst.aws.Function(
      logicalName("ManualFailover", region),
      {
        ...functionArgs({
          handler: "functions/failover.handler",
          description: `regional-failover manual failover (control region ${region}); invoked by the failover CLI`,
          configJson,
          environment: { ...writerEnvironment, FAILOVER_SIGNAL_ENDPOINTS: signalEndpoints },
          permissions: writerPermissions(region).apply((statements) =>
            accountId.apply((account) => [...statements, ...manualExtraPermissions(config, region, account)]),
          ),
          timeoutSeconds: 60,
          memoryMb: functionMemoryMb.manual,
        }),
        name: manualFunctionName(config, $app.stage),
      },
      { provider },
    );

    const alarmTopic = topics.get(region) as sst.aws.SnsTopic;
    const notifierArn = subscribeNotifier(settings, secrets, region, alarmTopic, accountId);

    const signal = signals.get(region) as sst.aws.Function;
    const slackCommand =
      config.slack === undefined
        ? undefined
        : createSlackCommand(
            settings,
            region,
            { ...writerEnvironment, FAILOVER_SIGNAL_ENDPOINTS: signalEndpoints },
            writerPermissions(region),
          );

    return {
      region,
      decider,
      manualFailover,
      alarmTopic,
      signal,
      notifierArn,
      ...(slackCommand ? { slackCommand } : {}),
    };
  });
}

/** The region's Slack notifier, subscribed to its alert topic; its ARN (the first region's also hears the canary topic). */
function subscribeNotifier(
  { config, configJson }: Settings,
  secrets: Secrets,
  region: string,
  alarmTopic: sst.aws.SnsTopic,
  accountId: $util.Output<string>,
): $util.Output<string> {
  const notifier = alarmTopic.subscribe(logicalName("Notify", region), {
    ...functionArgs({
      handler: "functions/notify.handler",
      description: `regional-failover Slack notifier (control region ${region})`,
      configJson,
      // The parameter's name, not its value: the URL is read from SSM at cold start.
      environment: {
        FAILOVER_CONTROL_REGION: region,
        FAILOVER_SLACK_WEBHOOK_PARAMETER: secrets.webhookParameter,
      },
      permissions: accountId.apply((account) => notifyPermissions(config, region, account)),
      timeoutSeconds: 30,
      memoryMb: functionMemoryMb.notify,
    }),
  });
  return notifier.apply((subscriber) => subscriber.nodes.function.arn);
}

/** Each control region's alert topic (the alarms' and the failover events'), by region. */
function createAlertTopics(config: Settings["config"]): Map<string, sst.aws.SnsTopic> {
  return new Map(
    config.controlRegions.map((region) => [
      region,
      new sst.aws.SnsTopic(
        logicalName("Alarms", region),
        {
          transform: {
            topic: (args) => {
              args.name = alertTopicName(config, $app.stage);
            },
          },
        },
        { provider: providerFor(region) },
      ),
    ]),
  );
}

/** Each control region's signal endpoint, and their URLs as JSON (region → URL) for the manual function. */
function createSignalEndpoints(settings: Settings) {
  const signals = new Map(
    settings.config.controlRegions.map((region) => [
      region,
      createSignalEndpoint(settings, region, providerFor(region), { FAILOVER_CONTROL_REGION: region }),
    ]),
  );
  const urls = $output(Object.fromEntries([...signals].map(([region, signal]) => [region, signal.url])));
  return { signals, signalEndpoints: $jsonStringify(urls) };
}

/**
 * The one function with a URL: Route 53's health checkers send no credentials. It only reads this
 * region's signal parameter and answers 200 "drain <id>" or 404 "serve <id>"; an error or a throttle
 * answers 4xx/5xx too, which the inverted status check counts as serve (only a 2xx/3xx is a drain).
 */
function createSignalEndpoint(
  { config, configJson }: Settings,
  region: string,
  provider: ReturnType<typeof providerFor>,
  environment: Record<string, string>,
): sst.aws.Function {
  const args = functionArgs({
    handler: "functions/signal.handler",
    description: `regional-failover data-plane signal (control region ${region}); asked by Route 53 health checks`,
    configJson,
    environment,
    permissions: signalPermissions(config, region),
    timeoutSeconds: 3,
    memoryMb: functionMemoryMb.signal,
  });
  return new sst.aws.Function(
    logicalName("Signal", region),
    {
      ...args,
      // Asked ~18 million times a month: Lambda's START/REPORT lines alone would be ~6.4 GB of logs ($3.22).
      // System logs at WARN (JSON format needed) drop them; the handler's own lines carry "level" and stay.
      logging: { ...(args.logging as object), format: "json" },
      transform: {
        ...args.transform,
        function: (fn) => {
          // SST builds loggingConfig as a plain object (format, log group); only the system level is added.
          fn.loggingConfig = {
            ...(fn.loggingConfig as aws.types.input.lambda.FunctionLoggingConfig),
            systemLogLevel: "WARN",
          };
        },
      },
      url: { authorization: "none", cors: false },
      // Optional (docs/dataplane.md): a reservation caps a flood's bill (it is throttled, 429, read as serve)
      // but fails the deploy on an account whose concurrency quota is 10.
      ...(signalReservedConcurrency() !== undefined ? { concurrency: { reserved: signalReservedConcurrency() } } : {}),
    },
    { provider },
  );
}
