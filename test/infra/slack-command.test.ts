import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleConfigPath, loadConfig, mergeConfig, readJsonFile } from "../../functions/lib/config.ts";
import { functionMemoryMb, slackCommandFunctionName } from "../../functions/lib/deployment.ts";
import { slackParameterNames } from "../../functions/lib/slack-command/secrets.ts";
import { WEBHOOK_PLACEHOLDER } from "../../functions/lib/slack/webhook.ts";
import { checkAlarms, checkControl, checkIam, functionViews, type FunctionView } from "./checks.ts";
import { buildAppUnderMocks, type BuiltApp } from "./sst-harness.ts";

// The app built from the example config with a slack block: a Slack command in each control region.
const dir = mkdtempSync(join(tmpdir(), "infra-slack-"));
const configFile = join(dir, "slack.json");
const stage = "ci";
let app: BuiltApp;
let views: FunctionView[];

beforeAll(async () => {
  writeFileSync(
    configFile,
    JSON.stringify(mergeConfig(readJsonFile(exampleConfigPath, "config"), { slack: { teamId: "T0123ABCD" } })),
  );
  app = await buildAppUnderMocks({ configFile, stage });
  views = functionViews(app);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the Slack command in the stacks (config with a slack block)", () => {
  it("runs one Slack command per control region behind a function URL without IAM, with no reserved concurrency by default", () => {
    const config = loadConfig(configFile);
    const slack = views.filter((view) => view.kind === "slack");

    expect(slack.map((view) => view.region).sort()).toEqual([...config.controlRegions].sort());
    for (const view of slack) {
      expect(view.fn.inputs.name).toBe(slackCommandFunctionName(config, stage));
      // A reservation fails the deploy on a new account (quota 10): only FAILOVER_SLACK_RESERVED_CONCURRENCY sets one.
      expect(view.fn.inputs.reservedConcurrentExecutions).toBeUndefined();
      // One full vCPU: the cold answer must fit Slack's 3 s (docs/performance.md, Slack command acknowledgement).
      expect(view.fn.inputs.memorySize).toBe(functionMemoryMb.slack);
      const url = app.resources.find(
        (r) =>
          r.type === "aws:lambda/functionUrl:FunctionUrl" &&
          r.region === view.region &&
          r.name.startsWith("SlackCommand"),
      );
      expect(url?.inputs.authorizationType).toBe("NONE");
      // Secrets are never in the function's configuration: only the config and where to find things.
      expect(JSON.stringify(view.fn.inputs.environment.variables)).not.toMatch(/xoxb-|signing|slack-oncall/);
    }
    expect(checkControl(app, config, stage)).toEqual([]);
  });

  it("lets Lambda retry no asynchronous job (a release sent twice would be two releases)", () => {
    const configs = app.resources.filter(
      (r) => r.type === "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    );

    expect(configs.map((r) => [r.region, r.inputs.maximumRetryAttempts]).sort()).toEqual([
      ["us-east-2", 0],
      ["us-west-1", 0],
    ]);
  });

  it("creates the signing secret, bot token and on-call list as SecureStrings with the placeholder in each control region", () => {
    const config = loadConfig(configFile);
    const names = Object.values(slackParameterNames(config.name));
    const parameters = app.resources.filter(
      (r) => r.type === "aws:ssm/parameter:Parameter" && names.includes(r.inputs.name),
    );

    expect(parameters).toHaveLength(names.length * config.controlRegions.length);
    for (const parameter of parameters) {
      expect(parameter.inputs.type).toBe("SecureString");
      // Pulumi marks a SecureString's value secret: under mocks it arrives wrapped as { <sig>: ..., value }.
      expect(parameter.inputs.value?.value ?? parameter.inputs.value).toBe(WEBHOOK_PLACEHOLDER);
    }
  });

  it("gives the Slack command the manual function's rights, its own secrets and invoking itself, nothing more", () => {
    const config = loadConfig(configFile);

    expect(checkIam(views, config)).toEqual([]);
  });

  it("alarms on refused Slack requests in each control region, to the alert topic", () => {
    const config = loadConfig(configFile);
    const alarms = app.resources.filter(
      (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.name === `${config.name}-slack-refused`,
    );

    expect(checkAlarms(app.resources, config)).toEqual([]);
    expect(alarms.map((alarm) => alarm.region).sort()).toEqual([...config.controlRegions].sort());
    expect(alarms.every((alarm) => alarm.inputs.metricName === "SlackRequestRefused")).toBe(true);
  });

  it("is caught by the IAM check when the Slack command may invoke another function", () => {
    const config = loadConfig(configFile);
    const [slack] = views.filter((view) => view.kind === "slack");
    const role = structuredClone(slack?.role);
    const policies = role?.inputs.inlinePolicies as Array<{ policy: string }>;
    for (const policy of policies) policy.policy = policy.policy.replace(/function:[^"]+-slack/, "function:other");

    expect(checkIam([{ ...(slack as FunctionView), role }], config)).toEqual([
      expect.stringContaining("lambda:InvokeFunction on arn:aws:lambda:"),
    ]);
  });
});
