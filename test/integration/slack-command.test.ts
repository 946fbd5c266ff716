import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { systemClock } from "../../functions/lib/clock.ts";
import type { ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { FailoverEvent } from "../../functions/lib/slack/failover-event.ts";
import { createSlackCommand } from "../../functions/lib/slack-command/handler.ts";
import { slackParameterNames, slackSecretsFrom } from "../../functions/lib/slack-command/secrets.ts";
import { slackApi } from "../../functions/lib/slack-command/slack-api.ts";
import { Metric } from "../../functions/lib/metrics.ts";
import {
  commandBody,
  inProcessDefer,
  runSlackCommand,
  signedEvent,
  submissionBody,
  type SlackPerson,
} from "../../drill/slack-oncall.ts";
import { startSlackStandIn, type SlackStandIn } from "../../drill/slack-stand-in.ts";
import {
  allUp,
  capturedLog,
  controlZone,
  emulatorPerFile,
  metricValues,
  patientRetry,
  publishVotes,
  recordSets,
} from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";

const emulator = emulatorPerFile();
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;
const secret = "test-signing-secret-0123456789abcdef";
const alice: SlackPerson = {
  teamId: "T0DRILL01",
  userId: "U0ALICE01",
  userName: "alice",
  channelId: "C0INCIDENT",
  channelName: "incident-42",
};

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(async () => {
  await slack.close();
});

/** The Slack command over the emulator (Route 53, CloudWatch, SSM) and the Slack stand-in; changes announced into a list. */
async function setup() {
  const zone = await controlZone(emulator.url, { slack: { teamId: alice.teamId, apiUrl: slack.apiUrl } });
  await publishVotes(zone.votes, t0, allUp);
  const region = "us-east-2";
  const store = new ParameterStore({ region, endpoint: emulator.url, retry: patientRetry });
  const names = slackParameterNames(zone.config.name);
  await store.put(names.signingSecret, secret, { secure: true });
  await store.put(names.botToken, "xoxb-drill", { secure: true });
  await store.put(names.onCall, "U0ALICE01, U0BOB0001", { secure: true });
  const announced: FailoverEvent[] = [];
  const manual = {
    config: zone.config,
    region,
    clock: manualClock((t0 + 6) * 1000),
    switcher: zone.switcher,
    bus: zone.bus,
    votes: zone.votes,
    log: capturedLog().log,
    syncTimeoutMs: 0,
    audit: zone.audit,
    announce: async (event) => {
      announced.push(event);
      return { region, problems: [] };
    },
  } satisfies ManualDeps;
  const log = capturedLog();
  let command: ReturnType<typeof createSlackCommand> | undefined;
  const jobs = inProcessDefer((job) => (command as ReturnType<typeof createSlackCommand>).job(job));
  command = createSlackCommand({
    config: zone.config,
    manual,
    secrets: slackSecretsFrom(store, zone.config.name, systemClock),
    slack: slackApi({ apiUrl: slack.apiUrl }),
    defer: jobs.defer,
    countRefused: async (at) => {
      await zone.bus.publishSlackRefused(region, at);
    },
    log: log.log,
  });
  const run = (text: string, values: Parameters<typeof runSlackCommand>[6] = () => ({})) =>
    runSlackCommand(command, jobs.settle, slack, { secret, nowSeconds }, alice, text, values);
  return { ...zone, command, jobs, announced, run, log, region };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const fill =
  (reason: string, extra: Record<string, string> = {}) =>
  () => ({ reason, ...extra });

describe("/failover from Slack (emulator and Slack stand-in)", () => {
  it("answers status only to the caller, with the facts of `failover status`", async () => {
    const { run } = await setup();
    const before = slack.responses.length;

    const step = await run("status");

    expect(step.commandAnswer.statusCode).toBe(200);
    expect(JSON.parse(step.commandAnswer.body)).toMatchObject({ response_type: "ephemeral" });
    const answer = slack.responses.slice(before);
    expect(answer).toHaveLength(1);
    expect(answer[0]?.body).toMatchObject({ response_type: "ephemeral" });
    expect(answer[0]?.text).toMatch(/Status at .*\n[\s\S]*primary\s+\S+\s+90/);
    expect(answer[0]?.text).toContain("Lease: none");
  });

  it("drains through the modal: nothing changes until it is submitted, then one lease named after the Slack user", async () => {
    const { command, jobs, announced, zoneId, switcher, audit } = await setup();
    const untouched = await recordSets(emulator.url, zoneId);
    const opened = slack.views.length;
    const body = commandBody(alice, "drain primary", slack.responseUrl(), "trigger-drain");

    const commandAnswer = await command.http(signedEvent(secret, body, nowSeconds()));
    const view = slack.views.slice(opened).find((candidate) => candidate.triggerId === "trigger-drain");
    const modalText = JSON.stringify(view?.view);
    expect(commandAnswer).toMatchObject({ statusCode: 200, body: "" });
    expect(modalText).toContain("Now: primary 90, failover 10");
    expect(modalText).toContain("After: primary 0, failover 100");
    expect(modalText).toContain("Lease now: none");
    expect(modalText).toContain("type failover to confirm");
    expect(await recordSets(emulator.url, zoneId)).toEqual(untouched);
    const values = { reason: "primary 5xx since 03:02", ttl: "45m", confirm: "failover" };
    const submitted = submissionBody(alice, view as NonNullable<typeof view>, values);
    const submitAnswer = await command.http(signedEvent(secret, submitted, nowSeconds(), { base64: true }));
    await jobs.settle();

    expect(submitAnswer).toMatchObject({ statusCode: 200, body: "" });
    const snapshot = await switcher.read();
    expect(snapshot.weights).toMatchObject({ primary: 0, failover: 100 });
    expect(snapshot.lease?.id).toBe(`slack-${view?.id}`);
    expect(snapshot.lease?.expiresAt).toBe((snapshot.lease?.createdAt ?? 0) + 45 * 60);
    const entry = (await audit.read(snapshot.lease?.id ?? "")).entry;
    expect(entry).toMatchObject({ action: "drain", actor: "slack:U0ALICE01", reason: "primary 5xx since 03:02" });
    expect(entry?.caller).toBe("Slack user alice (U0ALICE01) in #incident-42 (C0INCIDENT), team T0DRILL01");
    expect(announced).toHaveLength(1);
    expect(announced[0]?.by).toMatchObject({ mode: "manual", actor: "slack:U0ALICE01" });
    expect(slack.responses.at(-1)?.text).toContain("drain by Slack user alice");
  });

  it("changes nothing when the modal's fields are wrong, and says which field", async () => {
    const { command, jobs, zoneId, announced } = await setup();
    const before = await recordSets(emulator.url, zoneId);
    const opened = slack.views.length;
    const trigger = "trigger-wrong-fields";
    await command.http(
      signedEvent(secret, commandBody(alice, "drain primary", slack.responseUrl(), trigger), nowSeconds()),
    );
    const view = slack.views.slice(opened).find((candidate) => candidate.triggerId === trigger);
    expect(view).toBeDefined();

    const answers = [];
    for (const values of [
      { reason: "x", ttl: "45m", confirm: "primary" },
      { reason: "x", ttl: "forever", confirm: "failover" },
      { reason: "x", ttl: "30d", confirm: "failover" },
      { reason: "   ", ttl: "1h", confirm: "failover" },
    ]) {
      const body = submissionBody(alice, view as NonNullable<typeof view>, values);
      answers.push(JSON.parse((await command.http(signedEvent(secret, body, nowSeconds()))).body));
    }
    await jobs.settle();

    expect(answers[0]).toMatchObject({
      response_action: "errors",
      errors: { confirm: expect.stringContaining("type failover") },
    });
    expect(answers[1]).toMatchObject({
      response_action: "errors",
      errors: { ttl: expect.stringContaining("duration") },
    });
    expect(answers[2]).toMatchObject({
      response_action: "errors",
      errors: { ttl: expect.stringContaining("maxTtlSeconds") },
    });
    expect(answers[3]).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.stringContaining("reason") },
    });
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
    expect(announced).toHaveLength(0);
  });

  it("takes one lease when the same modal is submitted twice", async () => {
    const { command, jobs, switcher, announced } = await setup();
    const step = await runSlackCommand(
      command,
      jobs.settle,
      slack,
      { secret, nowSeconds },
      alice,
      "promote failover",
      () => ({
        reason: "moving off primary",
        ttl: "1h",
        confirm: "failover",
      }),
    );
    const first = await switcher.read();

    const again = submissionBody(alice, step.view as NonNullable<typeof step.view>, {
      reason: "moving off primary",
      ttl: "1h",
      confirm: "failover",
    });
    await command.http(signedEvent(secret, again, nowSeconds()));
    await jobs.settle();

    const second = await switcher.read();
    expect(second.lease).toEqual(first.lease);
    expect(second.weights).toEqual(first.weights);
    expect(announced).toHaveLength(1);
    expect(slack.responses.at(-1)?.text).toContain("already applied");
  });

  it("releases from Slack, handing back to the policy", async () => {
    const { run, switcher, announced } = await setup();
    await run("drain primary", fill("drill", { ttl: "1h", confirm: "failover" }));

    const step = await run("release", fill("incident over"));

    expect(JSON.stringify(step.view?.view)).toContain("After: primary 90, failover 10");
    const snapshot = await switcher.read();
    expect(snapshot.lease).toBeUndefined();
    expect(snapshot.weights).toMatchObject({ primary: 90, failover: 10 });
    expect(announced.map((event) => event.by)).toEqual([
      { mode: "manual", actor: "slack:U0ALICE01" },
      { mode: "manual", actor: "slack:U0ALICE01" },
    ]);
  });
});

describe("/failover refuses what Slack did not send, or who is not on call (emulator)", () => {
  const otherTeam = { ...alice, teamId: "T0ELSEWHERE" };
  const mallory = { ...alice, userId: "U0MALLORY", userName: "mallory" };
  const drain = (person: SlackPerson) => commandBody(person, "drain primary", "http://127.0.0.1:9/commands/x", "t-1");
  const tamper = (body: string) => body.replace("drain+primary", "drain+failover");
  const cases: Array<[string, () => Parameters<ReturnType<typeof createSlackCommand>["http"]>[0], number, string]> = [
    [
      "a tampered body",
      () => ({ ...signedEvent(secret, drain(alice), nowSeconds()), body: tamper(drain(alice)) }),
      401,
      "bad-signature",
    ],
    ["the wrong secret", () => signedEvent("not-the-secret", drain(alice), nowSeconds()), 401, "bad-signature"],
    ["an old timestamp", () => signedEvent(secret, drain(alice), nowSeconds() - 301), 401, "stale-timestamp"],
    ["a future timestamp", () => signedEvent(secret, drain(alice), nowSeconds() + 301), 401, "future-timestamp"],
    [
      "a missing signature header",
      () => {
        const event = signedEvent(secret, drain(alice), nowSeconds());
        const { "x-slack-signature": _gone, ...headers } = event.headers ?? {};
        return { ...event, headers };
      },
      401,
      "missing-signature",
    ],
    [
      "a missing timestamp header",
      () => {
        const event = signedEvent(secret, drain(alice), nowSeconds());
        const { "x-slack-request-timestamp": _gone, ...headers } = event.headers ?? {};
        return { ...event, headers };
      },
      401,
      "missing-timestamp",
    ],
    ["another team", () => signedEvent(secret, drain(otherTeam), nowSeconds()), 403, "another-team"],
    ["a user not on the on-call list", () => signedEvent(secret, drain(mallory), nowSeconds()), 200, "not-on-call"],
  ];

  it.each(cases)("refuses %s: nothing changed, no modal, logged and counted", async (_what, event, status, reason) => {
    const { command, jobs, zoneId, announced, log, config, region } = await setup();
    const before = await recordSets(emulator.url, zoneId);
    const views = slack.views.length;
    const responses = slack.responses.length;
    const from = nowSeconds() - 60;

    const answer = await command.http(event());
    await jobs.settle();

    expect(answer.statusCode).toBe(status);
    expect(answer.body).toMatch(/nothing was changed/);
    expect(answer.body).not.toContain(secret);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
    expect(slack.views.length).toBe(views);
    expect(slack.responses.length).toBe(responses);
    expect(announced).toHaveLength(0);
    const refused = log.entries().filter((entry) => entry.msg === "Slack request refused");
    expect(refused.map((entry) => entry.reason)).toEqual([reason]);
    expect(JSON.stringify(log.entries())).not.toContain(secret);
    const counted = await metricValues(
      emulator.url,
      config,
      region,
      Metric.SlackRequestRefused,
      {},
      from,
      nowSeconds() + 60,
    );
    expect(counted.reduce((sum, value) => sum + value, 0)).toBe(1);
  });

  it("answers that it is not set up while a secret still holds the deploy's placeholder, naming no secret", async () => {
    const { command, zoneId, log, config, region } = await setup();
    const store = new ParameterStore({ region, endpoint: emulator.url, retry: patientRetry });
    await store.put(slackParameterNames(config.name).botToken, "unset", { secure: true });
    const before = await recordSets(emulator.url, zoneId);

    const answer = await command.http(signedEvent(secret, drain(alice), nowSeconds()));

    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain("not set up");
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
    const logged = JSON.stringify(log.entries());
    expect(logged).toContain("/regional-failover/slack-bot-token");
    expect(logged).not.toContain(secret);
  });

  it("refuses a forged modal submission (signed with another secret) without acting", async () => {
    const { command, jobs, zoneId, announced } = await setup();
    const opened = slack.views.length;
    await command.http(
      signedEvent(secret, commandBody(alice, "drain primary", slack.responseUrl(), "t-forged"), nowSeconds()),
    );
    const view = slack.views.slice(opened)[0];
    const before = await recordSets(emulator.url, zoneId);

    const body = submissionBody(alice, view as NonNullable<typeof view>, {
      reason: "x",
      ttl: "1h",
      confirm: "failover",
    });
    const answer = await command.http(signedEvent("forged", body, nowSeconds(), { base64: true }));
    await jobs.settle();

    expect(answer.statusCode).toBe(401);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
    expect(announced).toHaveLength(0);
  });
});
