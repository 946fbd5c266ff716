import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/lib/config.ts";
import { auditParameterArns, hostedZoneArn, wildcardResourceExceptions } from "../../stacks/iam.ts";
import {
  checkAlarms,
  checkControl,
  checkFunctionDefaults,
  checkIam,
  checkNoRecordResources,
  checkProbes,
  checkRegions,
  checkWebhookSecret,
  functionViews,
  roleStatements,
  type FunctionView,
} from "./checks.ts";
import { buildAppUnderMocks, mockAccountId, type BuiltApp, type MockResource } from "./sst-harness.ts";

// The whole app, built once under Pulumi mocks from the example config.
const config = loadConfig();
const stage = "ci";
let app: BuiltApp;
let views: FunctionView[];

beforeAll(async () => {
  app = await buildAppUnderMocks({ stage });
  views = functionViews(app);
});

/** A copy of the resources with one of them changed. */
function mutate(resources: MockResource[], name: string, change: (resource: MockResource) => void): MockResource[] {
  const index = resources.findIndex((r) => r.name === name);
  if (index < 0) throw new Error(`no resource ${name}`);
  const target = { ...resources[index]!, inputs: structuredClone(resources[index]!.inputs) };
  change(target);
  return resources.map((resource, i) => (i === index ? target : resource));
}

describe("the SST app under mocks", () => {
  it("runs one probe per vantage region, every minute, with its own provider", () => {
    // Act
    const problems = checkProbes(app, config);
    const probeRegions = views
      .filter((v) => v.kind === "probe")
      .map((v) => v.region)
      .sort();

    // Assess
    expect(problems).toEqual([]);
    expect(probeRegions).toEqual([...config.vantages].sort());
  });

  it("runs a decider, a manual failover function without URL, a notified topic and a signal endpoint in both control regions", () => {
    expect(checkControl(app, config, stage)).toEqual([]);
    expect(
      views
        .filter((v) => v.kind === "decider")
        .map((v) => v.region)
        .sort(),
    ).toEqual([...config.controlRegions].sort());
    // The only URLs: one public signal endpoint per control region (Route 53's checkers send no credentials).
    const urls = app.resources.filter((r) => r.type === "aws:lambda/functionUrl:FunctionUrl");
    expect(urls.map((u) => u.region).sort()).toEqual([...config.controlRegions].sort());
    expect(urls.every((u) => u.inputs.authorizationType === "NONE" && u.name.startsWith("Signal"))).toBe(true);
    // The manual function knows every region's signal endpoint, for `failover verify`.
    for (const manual of views.filter((v) => v.kind === "manual")) {
      const endpoints = JSON.parse(manual.fn.inputs.environment.variables.FAILOVER_SIGNAL_ENDPOINTS);
      expect(Object.keys(endpoints).sort()).toEqual([...config.controlRegions].sort());
    }
  });

  it("gives every function arm64, 2-week logs and the config within Lambda's 4 KB environment", () => {
    expect(views).toHaveLength(config.vantages.length + 4 * config.controlRegions.length);
    expect(checkFunctionDefaults(app)).toEqual([]);
  });

  it("creates exactly alarmDefinitions() in each control region with alarm and OK actions to that region's topic", () => {
    const alarms = app.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");

    expect(checkAlarms(app.resources, config)).toEqual([]);
    // Per control region: 4 fixed, one decider-blind and one signal-write-failed per control region, one silent and
    // one suspect per vantage (not per vantage × target), one signal-stale-or-disagrees.
    const perRegion = 5 + 2 * config.controlRegions.length + 2 * config.vantages.length;
    expect(alarms).toHaveLength(config.controlRegions.length * perRegion);
    const blind = alarms.find(
      (a) => a.region === "us-east-2" && a.inputs.name === "regional-failover-decider-blind-us-west-1",
    );
    expect(blind?.inputs).toMatchObject({
      metricName: "DeciderHeartbeat",
      dimensions: { ControlRegion: "us-west-1" },
      treatMissingData: "breaching",
    });
    const signalAlarms = alarms.filter((a) => a.region === "us-west-1" && /-signal-/.test(String(a.inputs.name)));
    expect(
      signalAlarms
        .map((a) => [a.inputs.name, a.inputs.metricName, a.inputs.threshold, a.inputs.evaluationPeriods])
        .sort(),
    ).toEqual([
      ["regional-failover-signal-stale-or-disagrees", "SignalUnsound", 1, 2],
      ["regional-failover-signal-write-failed-us-east-2", "SignalWriteFailed", 1, 1],
      ["regional-failover-signal-write-failed-us-west-1", "SignalWriteFailed", 1, 1],
    ]);
    expect(signalAlarms.every((a) => a.inputs.alarmActions?.length === 1 && a.inputs.okActions?.length === 1)).toBe(
      true,
    );
  });

  it("scopes every IAM statement: named actions, the zone's ARN, the namespace condition", () => {
    const resourceStar = views
      .flatMap((v) => roleStatements(v.role))
      .filter((s) => s.Resource.includes("*"))
      .flatMap((s) => s.Action);

    expect(checkIam(views, config)).toEqual([]);
    expect(new Set(resourceStar)).toEqual(new Set(Object.keys(wildcardResourceExceptions)));
  });

  it("announces the canary alarms through a us-east-1 topic subscribed to the first control region's notifier, and lets the manual logic put only those alarms", () => {
    const [first] = config.controlRegions;
    const topics = app.resources.filter((r) => r.type === "aws:sns/topic:Topic" && r.region === "us-east-1");
    const notifier = views.find((v) => v.kind === "notify" && v.region === first);
    const notifierArn = `arn:aws:lambda:${first}:${mockAccountId}:function:${notifier?.fn.inputs.name}`;
    const topicArn = `arn:aws:sns:us-east-1:${mockAccountId}:${config.name}-${stage}-signal-canary`;
    const subscriptions = app.resources.filter(
      (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.region === "us-east-1",
    );
    const permissions = app.resources.filter(
      (r) => r.type === "aws:lambda/permission:Permission" && r.inputs.sourceArn === topicArn,
    );
    const putAlarm = (kind: string) =>
      views
        .filter((v) => v.kind === kind)
        .flatMap((v) => roleStatements(v.role))
        .filter((s) => s.Action.includes("cloudwatch:PutMetricAlarm"))
        .map((s) => s.Resource);
    const canaryAlarms = `arn:aws:cloudwatch:us-east-1:${mockAccountId}:alarm:${config.name}-signal-canary-*`;

    expect(topics.map((t) => t.inputs.name)).toEqual([`${config.name}-${stage}-signal-canary`]);
    expect(subscriptions.map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint])).toEqual([
      [topicArn, "lambda", notifierArn],
    ]);
    expect(permissions.map((p) => [p.region, p.inputs.function, p.inputs.principal, p.inputs.action])).toEqual([
      [first, notifierArn, "sns.amazonaws.com", "lambda:InvokeFunction"],
    ]);
    expect(putAlarm("manual")).toEqual(config.controlRegions.map(() => [canaryAlarms]));
    expect(putAlarm("decider")).toEqual([]);
  });

  it("lets each control region's notifier read this deployment's alarms in every control region, and nothing else", () => {
    const [first, second] = config.controlRegions;
    const describeAlarms = (region: string | undefined) =>
      views
        .filter((v) => v.kind === "notify" && v.region === region)
        .flatMap((v) => roleStatements(v.role))
        .filter((s) => s.Action.includes("cloudwatch:DescribeAlarms"))
        .map((s) => s.Resource);

    const both = [first, second].map(
      (region) => `arn:aws:cloudwatch:${region}:${mockAccountId}:alarm:${config.name}-*`,
    );
    expect(describeAlarms(second)).toEqual([both]);
    expect(describeAlarms(first)).toEqual([both]);
  });

  it("keeps the Slack webhook in a SecureString parameter per control region that only that region's notifier reads", () => {
    const webhookReaders = views
      .filter((v) => roleStatements(v.role).some((s) => s.Resource.some((arn) => arn.endsWith("/slack-webhook"))))
      .map((v) => `${v.kind} ${v.region}`);

    expect(checkWebhookSecret(views, app.resources, config)).toEqual([]);
    expect(webhookReaders.sort()).toEqual(config.controlRegions.map((region) => `notify ${region}`).sort());
  });

  it("keeps the votes in an on-demand table per control region whose items expire, each probe writing only its own vantage's", () => {
    const tables = app.resources.filter((r) => r.type === "aws:dynamodb/table:Table");
    const probeVotes = views
      .filter((v) => v.kind === "probe")
      .map((v) => {
        const write = roleStatements(v.role).find((s) => s.Action.includes("dynamodb:PutItem"));
        return [v.region, write?.Condition?.["ForAllValues:StringEquals"]?.["dynamodb:LeadingKeys"], write?.Resource];
      });
    const readers = views
      .filter((v) => roleStatements(v.role).some((s) => s.Action.includes("dynamodb:Query")))
      .map((v) => `${v.kind} ${v.region}`);

    expect(tables.map((t) => [t.region, t.inputs.name, t.inputs.billingMode, t.inputs.ttl])).toEqual(
      config.controlRegions.map((region) => [
        region,
        `${config.name}-votes`,
        "PAY_PER_REQUEST",
        { attributeName: "expiresAt", enabled: true },
      ]),
    );
    expect(probeVotes.sort()).toEqual(
      [...config.vantages]
        .sort()
        .map((vantage) => [
          vantage,
          [vantage],
          config.controlRegions.map((region) => `arn:aws:dynamodb:${region}:*:table/${config.name}-votes`),
        ]),
    );
    expect(readers.sort()).toEqual(
      config.controlRegions
        .flatMap((r) => [`decider ${r}`, `manual ${r}`, ...(config.slack ? [`slack ${r}`] : [])])
        .sort(),
    );
  });

  it("owns no Route 53 record, so a deploy or rollback never resets weights", () => {
    expect(checkNoRecordResources(app.resources)).toEqual([]);
  });

  it("puts every AWS resource in a configured region through an explicit provider", () => {
    expect(checkRegions(app.resources, config)).toEqual([]);
  });

  it("outputs the manual function ARNs and an on-call policy allowing only their invocation", () => {
    const policy = JSON.parse(String(app.outputs.onCallPolicy));

    expect(Object.keys(app.outputs.manualFailoverFunctions as object).sort()).toEqual(
      [...config.controlRegions].sort(),
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "InvokeManualFailover",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: Object.values(app.outputs.manualFailoverFunctions as object),
      },
    ]);
  });
});

describe("the checks bite", () => {
  it("flags a vantage whose probe is gone", () => {
    const withoutEu = { ...app, resources: app.resources.filter((r) => r.region !== "eu-west-1") };

    expect(checkProbes(withoutEu, config)).toEqual([
      "vantage eu-west-1: expected 1 probe function in eu-west-1, found 0",
    ]);
  });

  it("flags a signal endpoint that logs Lambda's START/REPORT lines (system logs above WARN, or text format)", () => {
    const signal = functionViews(app).find((view) => view.kind === "signal" && view.region === "us-west-1")!;
    const broken = mutate(app.resources, signal.fn.name, (fn) => (fn.inputs.loggingConfig = { logFormat: "Text" }));

    expect(checkControl({ ...app, resources: broken }, config, stage)).toEqual([
      "us-west-1: the signal endpoint logs Lambda's system lines (format Text, system level unset), expected JSON at WARN",
    ]);
  });

  it("flags an alarm that lost its OK action", () => {
    const broken = mutate(app.resources, "AlarmUsWest1AllDown", (alarm) => (alarm.inputs.okActions = []));

    expect(checkAlarms(broken, config)).toEqual([
      "us-west-1 regional-failover-all-down: okActions must be exactly the us-west-1 alarm topic, got []",
    ]);
  });

  it("flags a switchover alarm that would tell Slack a second time", () => {
    const east = app.resources.find((r) => r.name === "AlarmUsEast2AllDown")!;
    const broken = mutate(
      app.resources,
      "AlarmUsEast2Switchover",
      (alarm) => (alarm.inputs.alarmActions = east.inputs.alarmActions),
    );

    expect(checkAlarms(broken, config)).toHaveLength(1);
  });

  it("flags an alarm pointing at the other region's topic", () => {
    const east = app.resources.find((r) => r.name === "AlarmUsEast2AllDown")!;
    const broken = mutate(
      app.resources,
      "AlarmUsWest1AllDown",
      (alarm) => (alarm.inputs.alarmActions = east.inputs.alarmActions),
    );

    expect(checkAlarms(broken, config)).toHaveLength(1);
  });

  it("flags a heartbeat alarm that treats missing data as fine", () => {
    const broken = mutate(
      app.resources,
      "AlarmUsEast2DeciderBlindUsEast2",
      (alarm) => (alarm.inputs.treatMissingData = "notBreaching"),
    );

    expect(checkAlarms(broken, config)).toEqual([
      'us-east-2 regional-failover-decider-blind-us-east-2: treatMissingData is "notBreaching", expected "breaching"',
    ]);
  });

  it.each([
    ["a wildcard action", (s: any) => (s.Action = ["route53:*"])],
    ["the zone change widened to every resource", (s: any) => (s.Resource = ["*"])],
    ["the record-name condition dropped", (s: any) => delete s.Condition],
    [
      "UPSERT allowed beside CREATE and DELETE",
      (s: any) => s.Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsActions"].push("UPSERT"),
    ],
  ])("flags a decider policy with %s", (_, widen) => {
    const decider = views.find((v) => v.kind === "decider")!;
    const role = structuredClone(decider.role!);
    const document = JSON.parse(role.inputs.inlinePolicies[0].policy);
    widen(document.Statement.find((s: any) => [s.Action].flat().includes("route53:ChangeResourceRecordSets")));
    role.inputs.inlinePolicies[0].policy = JSON.stringify(document);

    expect(checkIam([{ ...decider, role }], config).length).toBeGreaterThan(0);
  });

  it.each([
    ["every alarm", ["*"]],
    [
      "its own region's alarms",
      [`arn:aws:cloudwatch:${config.controlRegions[1]}:${mockAccountId}:alarm:${config.name}-*`],
    ],
    ["every alarm of the first region", [`arn:aws:cloudwatch:${config.controlRegions[0]}:${mockAccountId}:alarm:*`]],
  ])("flags a second-region notifier reading %s", (_, resources) => {
    const notifier = views.find((v) => v.kind === "notify" && v.region === config.controlRegions[1])!;
    const role = structuredClone(notifier.role!);
    const document = JSON.parse(role.inputs.inlinePolicies[0].policy);
    document.Statement.find((s: any) => [s.Action].flat().includes("cloudwatch:DescribeAlarms")).Resource = resources;
    role.inputs.inlinePolicies[0].policy = JSON.stringify(document);

    expect(checkIam([{ ...notifier, role }], config).length).toBeGreaterThan(0);
  });

  it("flags a first-region notifier that cannot ask the control regions about alarms", () => {
    const first = views.find((v) => v.kind === "notify" && v.region === config.controlRegions[0])!;
    const role = structuredClone(first.role!);
    const document = JSON.parse(role.inputs.inlinePolicies[0].policy);
    document.Statement = document.Statement.filter(
      (s: any) => ![s.Action].flat().includes("cloudwatch:DescribeAlarms"),
    );
    role.inputs.inlinePolicies[0].policy = JSON.stringify(document);

    expect(checkIam([{ ...first, role }], config)).toContain(
      `${first.functionID}: actions kms:Decrypt, route53:ListResourceRecordSets, ssm:GetParameter, ssm:PutParameter, expected cloudwatch:DescribeAlarms, kms:Decrypt, route53:ListResourceRecordSets, ssm:GetParameter, ssm:PutParameter`,
    );
  });

  it("flags PutMetricData without the namespace condition", () => {
    const probe = views.find((v) => v.kind === "probe")!;
    const role = structuredClone(probe.role!);
    const votes = roleStatements(probe.role).filter((s) => !s.Action.includes("cloudwatch:PutMetricData"));
    role.inputs.inlinePolicies = [
      {
        name: "inline",
        policy: JSON.stringify({
          Statement: [...votes, { Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"] }],
        }),
      },
    ];

    expect(checkIam([{ ...probe, role }], config)).toEqual([
      `${probe.functionID}: PutMetricData is not limited to namespace RegionalFailover`,
    ]);
  });

  it("flags a secret linked to a decider, a webhook URL in an environment, and a deploy that sets the webhook", () => {
    const decider = views.find((v) => v.kind === "decider")!;
    const notifier = views.find((v) => v.kind === "notify")!;
    const leaky = structuredClone(notifier.fn);
    leaky.inputs.environment.variables.SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T/B/x";
    const parameter = app.resources.find((r) => r.type === "aws:ssm/parameter:Parameter")!;

    expect(checkWebhookSecret([{ ...decider, links: ["SlackWebhookUrl"] }], app.resources, config)).toHaveLength(1);
    expect(checkWebhookSecret([{ ...notifier, fn: leaky }], app.resources, config)).toEqual([
      `${notifier.functionID}: a webhook URL is in its environment`,
    ]);
    expect(
      checkWebhookSecret(
        views,
        mutate(app.resources, parameter.name, (r) => {
          r.inputs.value = { value: "https://hooks.slack.com/services/T/B/x" };
        }),
        config,
      ),
    ).toEqual([`${parameter.name}: the deploy sets a value other than the placeholder`]);
  });

  it("flags a decider that may write the audit entries (only the manual function writes them)", () => {
    const decider = views.find((v) => v.kind === "decider")!;
    const role = structuredClone(decider.role!);
    const audit = auditParameterArns(config);
    role.inputs.inlinePolicies.push({
      policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: audit }] }),
    });

    expect(checkIam([{ ...decider, role }], config)).toEqual([
      `${decider.functionID}: ssm:PutParameter on the audit entries (only the manual function writes them)`,
    ]);
  });

  it("flags a manual function that may overwrite an audit entry (only create: who and why are written once)", () => {
    const manual = views.find((v) => v.kind === "manual")!;
    const role = structuredClone(manual.role!);
    role.inputs.inlinePolicies.push({
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: auditParameterArns(config) }],
      }),
    });

    expect(checkIam([{ ...manual, role }], config)).toEqual([
      `${manual.functionID}: ssm:PutParameter on the audit entries may overwrite one (expected ssm:Overwrite false)`,
    ]);
  });

  it("flags a notifier that may decrypt with any key or read another parameter", () => {
    const notifier = views.find((v) => v.kind === "notify")!;
    const role = structuredClone(notifier.role!);
    role.inputs.inlinePolicies = [
      {
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Action: ["ssm:GetParameter"],
              Resource: ["arn:aws:ssm:us-east-2:123456789012:parameter/*"],
            },
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:us-east-2:123456789012:key/*"] },
            {
              Effect: "Allow",
              Action: ["route53:ListResourceRecordSets"],
              Resource: [hostedZoneArn(config, notifier.region!)],
            },
          ],
        }),
      },
    ];

    const problems = checkIam([{ ...notifier, role }], config);

    expect(problems.some((p) => p.includes("ssm:GetParameter on arn:aws:ssm:us-east-2:123456789012:parameter/*"))).toBe(
      true,
    );
    expect(problems).toContain(
      `${notifier.functionID}: kms:Decrypt is not limited to SSM in ${notifier.region} (kms:ViaService)`,
    );
  });

  it("flags weighted records owned by the deploy", () => {
    const record: MockResource = {
      type: "aws:route53/record:Record",
      name: "ApiPrimary",
      inputs: { weightedRoutingPolicies: [{ weight: 90 }] },
      region: "us-east-2",
      custom: true,
    };

    expect(checkNoRecordResources([...app.resources, record])).toHaveLength(1);
  });

  it("flags a manual failover function with a URL", () => {
    const url: MockResource = {
      type: "aws:lambda/functionUrl:FunctionUrl",
      name: "ManualFailoverUsEast2Url",
      inputs: { authorizationType: "NONE" },
      region: "us-east-2",
      custom: true,
    };

    expect(checkControl({ ...app, resources: [...app.resources, url] }, config, stage)).toHaveLength(1);
  });
});
