import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { manualFunctionName } from "../../functions/lib/deployment.ts";
import {
  auditParameterArns,
  dataPlaneParameterArns,
  hostedZoneArn,
  managedChangeActions,
  managedRecordNames,
  managedRecordTypes,
  slackParameterArns,
  wildcardResourceExceptions,
} from "../../stacks/iam.ts";
import { signalParameterNames } from "../../functions/lib/dataplane/signal-store.ts";
import { slackWebhookParameterName, WEBHOOK_PLACEHOLDER } from "../../functions/lib/slack/webhook.ts";
import {
  logRetention,
  maxConfigEnvBytes,
  signalConcurrencyEnv,
  signalReservedConcurrency,
} from "../../stacks/settings.ts";
import { roundsTimeoutSeconds } from "../../functions/lib/decider/schedule.ts";
import { mockAccountId, type BuiltApp, type MockResource } from "./sst-harness.ts";

/**
 * Checks over the resources the app registered under mocks. Each returns
 * the problems it found (empty = fine), so the tests can also run them on
 * deliberately broken resource lists and prove they bite.
 */

export type FunctionKind = "probe" | "decider" | "manual" | "notify" | "signal" | "slack";

/** A deployed Lambda function with the resources SST made for it. */
export interface FunctionView {
  kind: FunctionKind;
  functionID: string;
  region: string | undefined;
  links: string[];
  fn: MockResource;
  role: MockResource | undefined;
  logGroup: MockResource | undefined;
}

const kindByHandler: Record<string, FunctionKind> = {
  "functions/probe.handler": "probe",
  "functions/decide.handler": "decider",
  "functions/failover.handler": "manual",
  "functions/notify.handler": "notify",
  "functions/signal.handler": "signal",
  "functions/slack-command.handler": "slack",
};

const ofType = (resources: MockResource[], type: string) => resources.filter((r) => r.type === type);
const lambdaType = "aws:lambda/function:Function";
const basicExecutionPolicy = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/** Joins SST's builds to the Lambda, role and log group resources (SST names them `<functionID>Function|Role|LogGroup`). */
export function functionViews(app: Pick<BuiltApp, "resources" | "builds">): FunctionView[] {
  const byName = new Map(app.resources.map((r) => [`${r.type}|${r.name}`, r]));
  return app.builds.flatMap((build) => {
    const fn = byName.get(`${lambdaType}|${build.functionID}Function`);
    const kind = kindByHandler[build.handler];
    if (!fn || !kind) return [];
    return [
      {
        kind,
        functionID: build.functionID,
        region: fn.region,
        links: build.links,
        fn,
        role: byName.get(`aws:iam/role:Role|${build.functionID}Role`),
        logGroup: byName.get(`aws:cloudwatch/logGroup:LogGroup|${build.functionID}LogGroup`),
      },
    ];
  });
}

/** One probe function per vantage, in that region, on a 1-minute schedule, with the vantage, timeout, arm64 and log retention. */
export function checkProbes(app: Pick<BuiltApp, "resources" | "builds">, config: FailoverConfig): string[] {
  const problems: string[] = [];
  const probes = functionViews(app).filter((f) => f.kind === "probe");
  const rules = ofType(app.resources, "aws:cloudwatch/eventRule:EventRule");
  for (const vantage of config.vantages) {
    const here = probes.filter((p) => p.region === vantage);
    if (here.length !== 1) {
      problems.push(`vantage ${vantage}: expected 1 probe function in ${vantage}, found ${here.length}`);
      continue;
    }
    const probe = here[0]!;
    const env = probe.fn.inputs.environment?.variables ?? {};
    if (env.FAILOVER_VANTAGE !== vantage)
      problems.push(`vantage ${vantage}: FAILOVER_VANTAGE is ${env.FAILOVER_VANTAGE}`);
    if (!(probe.fn.inputs.timeout >= roundsTimeoutSeconds(config)))
      problems.push(
        `vantage ${vantage}: timeout ${probe.fn.inputs.timeout} s does not fit probe.budgetSeconds + a check + slack (${roundsTimeoutSeconds(config)} s)`,
      );
    const rule = rules.find((r) => r.region === vantage && r.name === probe.functionID.replace(/Handler$/, "Rule"));
    if (rule?.inputs.scheduleExpression !== "rate(1 minute)")
      problems.push(
        `vantage ${vantage}: expected a rate(1 minute) schedule in ${vantage}, got ${rule?.inputs.scheduleExpression ?? "none"}`,
      );
  }
  for (const probe of probes)
    if (!config.vantages.includes(probe.region ?? ""))
      problems.push(`probe ${probe.functionID} runs in ${probe.region ?? "the default region"}, not a vantage`);
  return problems;
}

/** In each control region: a scheduled decider, a manual failover function (fixed name, no URL), a topic with the notifier subscribed. */
export function checkControl(
  app: Pick<BuiltApp, "resources" | "builds">,
  config: FailoverConfig,
  stage: string,
): string[] {
  const problems: string[] = [];
  const views = functionViews(app);
  const rules = ofType(app.resources, "aws:cloudwatch/eventRule:EventRule");
  const subscriptions = ofType(app.resources, "aws:sns/topicSubscription:TopicSubscription");
  for (const region of config.controlRegions) {
    const of = (kind: FunctionKind) => views.filter((v) => v.kind === kind && v.region === region);
    const [deciders, manuals, notifiers] = [of("decider"), of("manual"), of("notify")];
    if (deciders.length !== 1) problems.push(`${region}: expected 1 decider, found ${deciders.length}`);
    for (const decider of deciders) {
      const rule = rules.find((r) => r.region === region && r.name === decider.functionID.replace(/Handler$/, "Rule"));
      if (rule?.inputs.scheduleExpression !== "rate(1 minute)")
        problems.push(`${region}: decider is not scheduled every minute`);
    }
    if (manuals.length !== 1) problems.push(`${region}: expected 1 manual failover function, found ${manuals.length}`);
    for (const manual of manuals)
      if (manual.fn.inputs.name !== manualFunctionName(config, stage))
        problems.push(
          `${region}: manual failover function is named ${manual.fn.inputs.name}, expected ${manualFunctionName(config, stage)}`,
        );
    if (ofType(app.resources, "aws:sns/topic:Topic").filter((t) => t.region === region).length !== 1)
      problems.push(`${region}: expected 1 alarm topic`);
    if (notifiers.length !== 1) problems.push(`${region}: expected 1 notifier, found ${notifiers.length}`);
    if (!subscriptions.some((s) => s.region === region && s.inputs.protocol === "lambda"))
      problems.push(`${region}: the notifier is not subscribed to the alarm topic`);
    const signals = of("signal");
    if (signals.length !== 1)
      problems.push(`${region}: expected 1 data-plane signal endpoint, found ${signals.length}`);
    for (const signal of signals) {
      const url = ofType(app.resources, "aws:lambda/functionUrl:FunctionUrl").find((u) => u.region === region);
      if (url?.inputs.authorizationType !== "NONE")
        problems.push(`${region}: the signal endpoint needs a function URL without auth (Route 53 checkers send none)`);
      // ~18 million invocations a month: Lambda's START/REPORT lines would cost more than the function itself.
      const logging = signal.fn.inputs.loggingConfig;
      if (logging?.logFormat !== "JSON" || logging?.systemLogLevel !== "WARN")
        problems.push(
          `${region}: the signal endpoint logs Lambda's system lines (format ${logging?.logFormat ?? "unset"}, system level ${logging?.systemLogLevel ?? "unset"}), expected JSON at WARN`,
        );
      const reserved = signalReservedConcurrency();
      if (signal.fn.inputs.reservedConcurrentExecutions !== reserved)
        problems.push(
          `${region}: the signal endpoint reserves ${signal.fn.inputs.reservedConcurrentExecutions ?? "no"} concurrency, expected ${reserved ?? "none"} (${signalConcurrencyEnv})`,
        );
    }
    for (const view of [...deciders, ...manuals, ...notifiers, ...signals]) {
      if (view.fn.inputs.environment?.variables?.FAILOVER_CONTROL_REGION !== region)
        problems.push(`${view.functionID}: FAILOVER_CONTROL_REGION is not ${region}`);
    }
  }
  // Public URLs: the signal endpoints, and the Slack command when the config has a slack block (Slack signs its requests).
  const publicKinds = config.slack === undefined ? ["signal"] : ["signal", "slack"];
  const signalFunctions = new Set(views.filter((v) => publicKinds.includes(v.kind)).map((v) => v.fn.name));
  for (const url of ofType(app.resources, "aws:lambda/functionUrl:FunctionUrl"))
    if (![...signalFunctions].some((name) => url.name.startsWith(name.replace(/Function$/, ""))))
      problems.push(
        `function URL ${url.name}: only the data-plane signal endpoint (and the Slack command) may be reachable without IAM`,
      );
  return problems;
}

/** Every function: arm64, log retention, the config in its environment within Lambda's 4 KB. */
export function checkFunctionDefaults(app: Pick<BuiltApp, "resources" | "builds">): string[] {
  const problems: string[] = [];
  for (const view of functionViews(app)) {
    const { inputs } = view.fn;
    if (JSON.stringify(inputs.architectures) !== JSON.stringify(["arm64"]))
      problems.push(`${view.functionID}: architecture ${JSON.stringify(inputs.architectures)}, expected arm64`);
    if (view.logGroup?.inputs.retentionInDays !== 14)
      problems.push(
        `${view.functionID}: log retention ${view.logGroup?.inputs.retentionInDays ?? "unset"} days, expected 14 (${logRetention})`,
      );
    const variables: Record<string, string> = inputs.environment?.variables ?? {};
    if (Buffer.byteLength(variables.FAILOVER_CONFIG ?? "") > maxConfigEnvBytes || !variables.FAILOVER_CONFIG)
      problems.push(`${view.functionID}: FAILOVER_CONFIG missing or over ${maxConfigEnvBytes} bytes`);
    const envBytes = Object.entries(variables).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
      0,
    );
    if (envBytes > 4096) problems.push(`${view.functionID}: environment is ${envBytes} bytes, over Lambda's 4 KB`);
  }
  return problems;
}

/** Each control region's alarms are exactly alarmDefinitions(), with alarm AND OK actions to that region's topic. */
export function checkAlarms(resources: MockResource[], config: FailoverConfig): string[] {
  const problems: string[] = [];
  const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
  for (const region of config.controlRegions) {
    const topic = ofType(resources, "aws:sns/topic:Topic").find((t) => t.region === region);
    const topicArn = topic ? `arn:aws:sns:${region}:` : undefined;
    const here = alarms.filter((a) => a.region === region);
    const expected = alarmDefinitions(config, region);
    if (here.length !== expected.length) problems.push(`${region}: ${here.length} alarms, expected ${expected.length}`);
    for (const definition of expected) {
      const alarm = here.find((a) => a.inputs.name === definition.name);
      if (!alarm) {
        problems.push(`${region}: alarm ${definition.name} is missing`);
        continue;
      }
      const want: Record<string, unknown> = {
        namespace: config.metricNamespace,
        metricName: definition.metricName,
        dimensions: definition.dimensions,
        statistic: definition.statistic,
        period: definition.periodSeconds,
        evaluationPeriods: definition.evaluationPeriods,
        datapointsToAlarm: definition.datapointsToAlarm,
        threshold: definition.threshold,
        comparisonOperator: definition.comparisonOperator,
        treatMissingData: definition.treatMissingData,
      };
      for (const [field, value] of Object.entries(want)) {
        // Dimension order carries no meaning in CloudWatch: compare them with sorted keys.
        if (canonical(alarm.inputs[field] ?? {}) !== canonical(value))
          problems.push(
            `${region} ${definition.name}: ${field} is ${JSON.stringify(alarm.inputs[field])}, expected ${JSON.stringify(value)}`,
          );
      }
      for (const actions of ["alarmActions", "okActions"] as const) {
        const list: unknown[] = alarm.inputs[actions] ?? [];
        // Switchover and flap-budget reach Slack as events from whoever made the change: no actions.
        if (!definition.announce) {
          if (list.length > 0)
            problems.push(
              `${region} ${definition.name}: ${actions} must be empty (told by events), got ${JSON.stringify(list)}`,
            );
          continue;
        }
        const toTopic =
          list.length === 1 &&
          typeof list[0] === "string" &&
          topicArn !== undefined &&
          list[0].startsWith(topicArn) &&
          list[0].endsWith(`:${topic!.inputs.name}`);
        if (!toTopic)
          problems.push(
            `${region} ${definition.name}: ${actions} must be exactly the ${region} alarm topic, got ${JSON.stringify(list)}`,
          );
      }
    }
  }
  return problems;
}

/** Statements of a role's inline policies, parsed. */
export function roleStatements(role: MockResource | undefined): Array<{
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}> {
  const policies: Array<{ policy: string }> = role?.inputs.inlinePolicies ?? [];
  return policies
    .flatMap((p) => (JSON.parse(p.policy) as { Statement: any[] }).Statement)
    .map((s) => ({ ...s, Action: [s.Action].flat(), Resource: [s.Resource].flat() }));
}

const manualActions = [
  "cloudwatch:DescribeAlarms",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:PutMetricData",
  "dynamodb:Query",
  "route53:ChangeResourceRecordSets",
  "route53:GetChange",
  "route53:GetHealthCheckStatus",
  "route53:ListHealthChecks",
  "route53:ListResourceRecordSets",
  "sns:Publish",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:PutParameter",
];

const expectedActions: Record<FunctionKind, string[]> = {
  probe: ["cloudwatch:PutMetricData", "dynamodb:GetItem", "dynamodb:PutItem"],
  decider: [
    "cloudwatch:PutMetricData",
    "dynamodb:Query",
    "route53:ChangeResourceRecordSets",
    "route53:GetChange",
    "route53:ListResourceRecordSets",
    "sns:Publish",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:PutParameter",
  ],
  manual: manualActions,
  notify: ["kms:Decrypt", "route53:ListResourceRecordSets", "ssm:GetParameter", "ssm:PutParameter"],
  signal: ["ssm:GetParameters"],
  // The manual function's rights (it runs the same logic), its secrets, and invoking itself.
  slack: [...manualActions, "kms:Decrypt", "lambda:InvokeFunction"].sort(),
};

/**
 * The data-plane documents an action may reach: the endpoint reads its own region's; deciders and the
 * manual function read every region's; a decider writes only its own document, the manual function only
 * the override.
 */
function dataPlaneResources(config: FailoverConfig, kind: FunctionKind, region: string, action: string): string[] {
  const names = signalParameterNames(config);
  if (kind === "signal") return dataPlaneParameterArns(config, region);
  if (action !== "ssm:PutParameter") return config.controlRegions.flatMap((r) => dataPlaneParameterArns(config, r));
  const own = kind === "manual" || kind === "slack" ? names.override : (names.deciders[region] ?? "?");
  return config.controlRegions.flatMap((r) => dataPlaneParameterArns(config, r, [own]));
}

/** Actions of a function in `region`: a control region's notifier (of two or more) also asks every control region's alarms (DescribeAlarms). */
function actionsExpected(kind: FunctionKind, region: string, config: FailoverConfig): string[] {
  const asksRegions = kind === "notify" && config.controlRegions.length > 1 && config.controlRegions.includes(region);
  return asksRegions ? ["cloudwatch:DescribeAlarms", ...expectedActions.notify] : expectedActions[kind];
}

/** Resource DescribeAlarms must be limited to: this deployment's alarms in `region` (any account id). */
function regionAlarms(config: FailoverConfig, region: string): RegExp {
  return alarmsNamed(region, `${config.name}-`);
}

/** Resource of the canary alarms init puts: `<name>-signal-canary-*` in us-east-1 (any account id). */
function canaryAlarms(config: FailoverConfig): RegExp {
  return alarmsNamed("us-east-1", `${config.name}-signal-canary-`);
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<prefix>*`, exactly. */
function alarmsNamed(region: string, prefix: string): RegExp {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^arn:aws:cloudwatch:${escaped(region)}:\\d{12}:alarm:${escaped(prefix)}\\*$`);
}

/** Least privilege: named actions only, each scoped as documented in stacks/iam.ts; roles trust Lambda only. */
export function checkIam(views: FunctionView[], config: FailoverConfig): string[] {
  const problems: string[] = [];
  for (const view of views) {
    const where = view.functionID;
    const region = view.region ?? "us-east-1";
    if (!view.role) {
      problems.push(`${where}: no role`);
      continue;
    }
    const trust =
      typeof view.role.inputs.assumeRolePolicy === "string"
        ? JSON.parse(view.role.inputs.assumeRolePolicy)
        : view.role.inputs.assumeRolePolicy;
    const principals = (trust?.Statement ?? []).map((s: any) => JSON.stringify(s.Principal));
    if (JSON.stringify(principals) !== JSON.stringify([JSON.stringify({ Service: "lambda.amazonaws.com" })]))
      problems.push(`${where}: role trusts ${principals.join(", ")}, expected only lambda.amazonaws.com`);
    const managed: string[] = view.role.inputs.managedPolicyArns ?? [];
    for (const arn of managed)
      if (arn !== basicExecutionPolicy) problems.push(`${where}: managed policy ${arn} is not allowed`);
    const statements = roleStatements(view.role);
    const actions = [...new Set(statements.flatMap((s) => s.Action))].sort();
    const expected = actionsExpected(view.kind, region, config);
    if (JSON.stringify(actions) !== JSON.stringify(expected))
      problems.push(`${where}: actions ${actions.join(", ")}, expected ${expected.join(", ")}`);
    for (const statement of statements) {
      if (statement.Effect !== "Allow") problems.push(`${where}: unexpected effect ${statement.Effect}`);
      for (const action of statement.Action) {
        if (action.includes("*")) problems.push(`${where}: wildcard action ${action}`);
        const resources = statement.Resource;
        if (resources.includes("*") && !(action in wildcardResourceExceptions))
          problems.push(
            `${where}: ${action} on resource "*" (only ${Object.keys(wildcardResourceExceptions).join(", ")} may)`,
          );
        if (
          action === "sns:Publish" &&
          !resources.every((arn: string) =>
            config.controlRegions.some((topicRegion) => arn.startsWith(`arn:aws:sns:${topicRegion}:`)),
          )
        )
          problems.push(
            `${where}: sns:Publish on ${resources.join(", ")}, expected only the control regions' alert topics`,
          );
        const zoneOnly = JSON.stringify(resources) === JSON.stringify([hostedZoneArn(config, region)]);
        if ((action === "route53:ChangeResourceRecordSets" || action === "route53:ListResourceRecordSets") && !zoneOnly)
          problems.push(`${where}: ${action} on ${resources.join(", ")}, expected only the hosted zone`);
        // The notifier asks every control region's alarms; so does the manual function's verify.
        const manualLike = view.kind === "manual" || view.kind === "slack";
        const alarmRegions = config.controlRegions;
        // ...and init puts (and verify reads) the canary alarms in us-east-1.
        const alarmPatterns = [
          ...alarmRegions.map((r) => regionAlarms(config, r)),
          ...(manualLike ? [canaryAlarms(config)] : []),
        ];
        if (
          action === "cloudwatch:DescribeAlarms" &&
          !(
            resources.length === alarmPatterns.length &&
            alarmPatterns.every((pattern, i) => pattern.test(resources[i] ?? ""))
          )
        )
          problems.push(
            `${where}: cloudwatch:DescribeAlarms on ${resources.join(", ")}, expected only the ${config.name}-* alarms of ${alarmRegions.join(", ")}${manualLike ? " and the canary alarms" : ""}`,
          );
        if (
          action === "cloudwatch:PutMetricAlarm" &&
          !(resources.length === 1 && canaryAlarms(config).test(resources[0] ?? ""))
        )
          problems.push(
            `${where}: cloudwatch:PutMetricAlarm on ${resources.join(", ")}, expected only the canary alarms`,
          );
        if (
          action === "route53:GetHealthCheckStatus" &&
          JSON.stringify(resources) !== JSON.stringify(["arn:aws:route53:::healthcheck/*"])
        )
          problems.push(`${where}: route53:GetHealthCheckStatus on ${resources.join(", ")}`);
        const audit = auditParameterArns(config);
        const onAudit = JSON.stringify(resources) === JSON.stringify(audit);
        if (onAudit && !(action === "ssm:GetParameter" || (action === "ssm:PutParameter" && manualLike)))
          problems.push(`${where}: ${action} on the audit entries (only the manual function writes them)`);
        if (
          onAudit &&
          action === "ssm:PutParameter" &&
          manualLike &&
          JSON.stringify(statement.Condition) !== JSON.stringify({ StringEquals: { "ssm:Overwrite": ["false"] } })
        )
          problems.push(
            `${where}: ssm:PutParameter on the audit entries may overwrite one (expected ssm:Overwrite false)`,
          );
        if (onAudit && !manualLike && view.kind !== "decider" && view.kind !== "notify")
          problems.push(
            `${where}: ${action} on the audit entries; only the manual function, deciders and notifiers read them`,
          );
        if (view.kind === "notify") {
          if (!onAudit) problems.push(...checkWebhookStatement(where, region, statement, config));
        } else if (view.kind === "slack" && isSlackSecretStatement(statement)) {
          problems.push(...checkSlackSecretStatement(where, region, statement, config));
        } else if (view.kind === "slack" && action === "lambda:InvokeFunction") {
          if (JSON.stringify(resources) !== JSON.stringify([slackFunctionArn(region, view)]))
            problems.push(`${where}: lambda:InvokeFunction on ${resources.join(", ")}, expected only itself`);
        } else if (!onAudit) {
          const parameters = dataPlaneResources(config, view.kind, region, action);
          if (action.startsWith("ssm:") && JSON.stringify(resources) !== JSON.stringify(parameters))
            problems.push(
              `${where}: ${action} on ${resources.join(", ")}, expected only ${parameters.join(", ")} or ${audit.join(", ")}`,
            );
          if (action.startsWith("kms:")) problems.push(`${where}: ${action}; only the notifier decrypts (the webhook)`);
        }
        if (
          action === "route53:GetChange" &&
          JSON.stringify(resources) !== JSON.stringify(["arn:aws:route53:::change/*"])
        )
          problems.push(`${where}: route53:GetChange on ${resources.join(", ")}`);
        if (
          action === "cloudwatch:PutMetricData" &&
          JSON.stringify(statement.Condition) !==
            JSON.stringify({ StringEquals: { "cloudwatch:namespace": [config.metricNamespace] } })
        )
          problems.push(`${where}: PutMetricData is not limited to namespace ${config.metricNamespace}`);
        if (action === "route53:ChangeResourceRecordSets") {
          const condition = statement.Condition?.["ForAllValues:StringEquals"] ?? {};
          if (
            JSON.stringify(condition["route53:ChangeResourceRecordSetsNormalizedRecordNames"]) !==
            JSON.stringify(managedRecordNames(config))
          )
            problems.push(`${where}: ChangeResourceRecordSets is not limited to the managed record names`);
          if (
            JSON.stringify(condition["route53:ChangeResourceRecordSetsRecordTypes"]) !==
            JSON.stringify(managedRecordTypes(config))
          )
            problems.push(`${where}: ChangeResourceRecordSets is not limited to the managed record types`);
          if (
            JSON.stringify(condition["route53:ChangeResourceRecordSetsActions"]) !==
            JSON.stringify(managedChangeActions)
          )
            problems.push(
              `${where}: ChangeResourceRecordSets is not limited to the actions the code sends (CREATE, DELETE)`,
            );
        }
      }
      if (statement.Action.length > 1)
        problems.push(
          `${where}: statement mixes ${statement.Action.join(", ")}; keep one action per statement so each scope is checked`,
        );
    }
  }
  return problems;
}

/** A Slack command statement on its SecureStrings: GetParameter, or kms:Decrypt for them. */
function isSlackSecretStatement(statement: ReturnType<typeof roleStatements>[number]): boolean {
  const [action] = statement.Action;
  return (
    (action === "ssm:GetParameter" &&
      statement.Resource.some((arn) => arn.includes(":parameter/") && arn.includes("/slack-"))) ||
    action === "kms:Decrypt"
  );
}

/** GetParameter on exactly this region's three Slack SecureStrings; kms:Decrypt only via SSM in this region, for them. */
function checkSlackSecretStatement(
  where: string,
  region: string,
  statement: ReturnType<typeof roleStatements>[number],
  config: FailoverConfig,
): string[] {
  const [action] = statement.Action;
  const expected = JSON.stringify(slackParameterArns(config, region, mockAccountId));
  if (action === "ssm:GetParameter")
    return JSON.stringify(statement.Resource) === expected
      ? []
      : [`${where}: ssm:GetParameter on ${statement.Resource.join(", ")}, expected only ${expected}`];
  const equals = statement.Condition?.StringEquals ?? {};
  const problems: string[] = [];
  if (JSON.stringify(equals["kms:ViaService"]) !== JSON.stringify([`ssm.${region}.amazonaws.com`]))
    problems.push(`${where}: kms:Decrypt is not limited to SSM in ${region} (kms:ViaService)`);
  if (JSON.stringify(equals["kms:EncryptionContext:PARAMETER_ARN"]) !== expected)
    problems.push(`${where}: kms:Decrypt is not limited to the Slack parameters (kms:EncryptionContext:PARAMETER_ARN)`);
  return problems;
}

/** The Slack command function's own ARN (what it may invoke). */
function slackFunctionArn(region: string, view: FunctionView): string {
  return `arn:aws:lambda:${region}:${mockAccountId}:function:${view.fn.inputs.name}`;
}

/** ARN pattern of the webhook parameter in `region`, any account id. */
function webhookArnPattern(config: FailoverConfig, region: string): RegExp {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^arn:aws:ssm:${escaped(region)}:\\d{12}:parameter${escaped(slackWebhookParameterName(config.name))}$`,
  );
}

/** A notifier statement: GetParameter on its region's webhook parameter, kms:Decrypt only via SSM for that parameter. */
function checkWebhookStatement(
  where: string,
  region: string,
  statement: ReturnType<typeof roleStatements>[number],
  config: FailoverConfig,
): string[] {
  const [action] = statement.Action;
  const pattern = webhookArnPattern(config, region);
  if (action === "ssm:GetParameter" && !(statement.Resource.length === 1 && pattern.test(statement.Resource[0] ?? "")))
    return [`${where}: ssm:GetParameter on ${statement.Resource.join(", ")}, expected only ${pattern.source}`];
  const testRecord = new RegExp(`^arn:aws:ssm:${region}:\\d{12}:parameter/${config.name}/slack-test$`);
  if (
    action === "ssm:PutParameter" &&
    !(statement.Resource.length === 1 && testRecord.test(statement.Resource[0] ?? ""))
  )
    return [`${where}: ssm:PutParameter on ${statement.Resource.join(", ")}, expected only ${testRecord.source}`];
  if (action !== "kms:Decrypt") return [];
  const equals = statement.Condition?.StringEquals ?? {};
  const problems: string[] = [];
  if (JSON.stringify(equals["kms:ViaService"]) !== JSON.stringify([`ssm.${region}.amazonaws.com`]))
    problems.push(`${where}: kms:Decrypt is not limited to SSM in ${region} (kms:ViaService)`);
  const context = equals["kms:EncryptionContext:PARAMETER_ARN"] ?? [];
  if (!(context.length === 1 && pattern.test(context[0] ?? "")))
    problems.push(
      `${where}: kms:Decrypt is not limited to the webhook parameter (kms:EncryptionContext:PARAMETER_ARN)`,
    );
  return problems;
}

/**
 * The Slack webhook lives in an SSM SecureString per control region, never in
 * a function's configuration: no function is linked to an SST secret or has a
 * Slack URL in its environment, each notifier is told the parameter's name,
 * and the parameter is created with the placeholder only.
 */
export function checkWebhookSecret(views: FunctionView[], resources: MockResource[], config: FailoverConfig): string[] {
  const problems: string[] = [];
  const name = slackWebhookParameterName(config.name);
  for (const view of views) {
    if (view.links.length > 0) problems.push(`${view.functionID} is linked to ${view.links.join(", ")}`);
    const variables: Record<string, string> = view.fn.inputs.environment?.variables ?? {};
    if (Object.values(variables).some((value) => /hooks\.slack|https?:\/\/[^"]*\/services\//.test(String(value))))
      problems.push(`${view.functionID}: a webhook URL is in its environment`);
    if (view.kind === "notify" && variables.FAILOVER_SLACK_WEBHOOK_PARAMETER !== name)
      problems.push(`${view.functionID}: FAILOVER_SLACK_WEBHOOK_PARAMETER is not ${name}`);
  }
  const parameters = ofType(resources, "aws:ssm/parameter:Parameter").filter((r) => r.inputs.name === name);
  for (const region of config.controlRegions) {
    const here = parameters.filter((p) => p.region === region);
    if (here.length !== 1) problems.push(`${region}: expected one webhook parameter ${name}, found ${here.length}`);
    for (const parameter of here) {
      if (parameter.inputs.type !== "SecureString")
        problems.push(`${parameter.name}: type ${parameter.inputs.type}, expected SecureString`);
      // Pulumi marks a SecureString's value secret: under mocks it arrives wrapped as { <sig>: ..., value }.
      const value = parameter.inputs.value;
      if ((typeof value === "object" && value !== null ? value.value : value) !== WEBHOOK_PLACEHOLDER)
        problems.push(`${parameter.name}: the deploy sets a value other than the placeholder`);
    }
  }
  return problems;
}

/** The app owns no Route 53 resource: the weighted records belong to `failover init` and the deciders, so a deploy or rollback cannot reset weights. */
export function checkNoRecordResources(resources: MockResource[]): string[] {
  return resources
    .filter((r) => r.type.startsWith("aws:route53/"))
    .map(
      (r) =>
        `${r.type} ${r.name}: the deploy must not own Route 53 records (weights would reset on deploy or rollback)`,
    );
}

/** Every AWS resource names a provider for a configured region (nothing lands in the SST home region by accident). */
export function checkRegions(resources: MockResource[], config: FailoverConfig): string[] {
  const allowed = new Set([...config.vantages, ...config.controlRegions]);
  return resources
    .filter((r) => r.custom && r.type.startsWith("aws:") && !allowed.has(r.region ?? ""))
    .map((r) => `${r.type} ${r.name} is in ${r.region ?? "the default region"}`);
}

/** JSON with object keys sorted, so two objects that differ only in key order compare equal. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
}
