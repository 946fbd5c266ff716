import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import { probePublisher } from "../../functions/lib/wiring/votes.ts";
import { auditTrailFor } from "../../functions/lib/audit-trail.ts";
import { patientRetry } from "../support/control-fixtures.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { loadNotifyContext } from "../../functions/lib/slack/context.ts";
import type { SlackMessage } from "../../functions/lib/slack/blocks.ts";
import { emptyStateDocument, recordSwitch, type SwitchEvent } from "../../functions/lib/state-document.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { createProbeHandler } from "../../functions/probe.ts";
import { type Emulator, startEmulator } from "../../emulator/harness.ts";
import { type LocalServer, startServer } from "../support/local-servers.ts";
import { startSlackServer } from "../support/slack-server.ts";
import { manualClock } from "../support/manual-clock.ts";
import { configForTargets } from "../support/probe-config.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

describe("probe and notify handlers against the AWS emulator", () => {
  let emulator: Emulator;
  let app: LocalServer;
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });

  beforeAll(async () => {
    [emulator, app] = await Promise.all([
      startEmulator(),
      startServer((req, res) => {
        res.writeHead(req.url === "/down" ? 503 : 200);
        res.end(req.method === "POST" ? "ok" : "healthy");
      }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
  });

  it("publishes a probe round that the decider's window read sees as votes, in every control region", async () => {
    const config = configForTargets([`${app.url}/up`, `${app.url}/down`], { timeoutMs: 1000 });
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    // Items stamped by the probe's clock, as deployed (it runs ahead of the real time while it waits for a round).
    const clock = manualClock(Date.now());
    const votes = new VoteTable(config, { endpoint: emulator.url, retry: fastRetry, now: () => clock.now() });
    await Promise.all(config.controlRegions.map((region) => votes.createTable(region)));
    const run = createProbeHandler({
      config,
      vantage: "eu-west-1",
      clock,
      publish: probePublisher(votes, bus, config.controlRegions),
      log,
    });

    const summary = await run({ maxRounds: 1 });

    expect(summary.published).toBe(1);
    const at = summary.rounds[0] ?? 0;
    for (const region of config.controlRegions) {
      const rounds = await votes.readWindow(region, at, config.probe.intervalSeconds);
      expect(rounds.find((round) => round.at === at)?.votes["eu-west-1"]).toEqual({ t0: true, t1: false });
    }
  });

  it("posts an alarm to Slack with the weights and the votes of the last switch read from Route 53", async () => {
    const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
    const config = testConfig(zoneId);
    const switcher = new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry });
    await switcher.init();
    const lastSwitch: SwitchEvent = {
      at: 1754481620,
      mode: "automatic",
      from: { primary: 90, failover: 10 },
      to: { primary: 0, failover: 10 },
      reason: "primary down from 2/3 vantages for 2 rounds",
      votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" } },
    };
    await switcher.apply(await switcher.read(), {
      weights: { primary: 0 },
      state: recordSwitch(emptyStateDocument(), lastSwitch),
    });
    const posts: SlackMessage[] = [];
    const slack = await startSlackServer({ onPost: (post) => posts.push(post.body) });
    try {
      const notify = createNotifyHandler({
        webhookUrl: async () => `${slack.url}/services/T/B/token-abcdef`,
        loadContext: () => loadNotifyContext(config, { switcher, log }),
        log,
      });
      const alarm = {
        AlarmName: `${config.name}-switchover`,
        NewStateValue: "ALARM",
        OldStateValue: "OK",
        NewStateReason: "Threshold Crossed",
        StateChangeTime: "2025-08-06T12:00:30.000+0000",
        Trigger: { MetricName: "Switchover" },
      };

      const result = await notify({ Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(alarm) } }] });

      expect(result).toEqual({ posted: 1, skipped: 0, withContext: true });
      expect(posts[0]?.text).toBe(
        "[ALARM] Traffic switched automatically: primary 90 → 0, failover 10 → 10. Reason: primary down from 2/3 vantages for 2 rounds",
      );
      expect(JSON.stringify(posts[0]?.blocks)).toContain(":red_circle: us-west-2 down");
    } finally {
      await slack.close();
    }
  });

  it("shows the lease and the last manual switch with who and why read from the audit trail", async () => {
    // Prepare: a lease and its manual switch in Route 53 (ids only), their audit entry in SSM
    const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
    const config = testConfig(zoneId);
    const switcher = new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry });
    await switcher.init();
    const audit = auditTrailFor(config, "us-east-2", { endpoint: emulator.url, retry: patientRetry });
    await audit.write({ v: 1, id: "lease-7", action: "promote", actor: "alice", reason: "use1 5xx", at: 1754481600 });
    await switcher.apply(await switcher.read(), {
      weights: { primary: 0 },
      lease: { id: "lease-7", action: "promote", target: "failover", createdAt: 1754481600, expiresAt: 4102444800 },
      state: recordSwitch(emptyStateDocument(), {
        at: 1754481620,
        mode: "manual",
        from: { primary: 90, failover: 10 },
        to: { primary: 0, failover: 10 },
        reason: "override lease lease-7 (promote failover)",
        votes: {},
        audit: "lease-7",
      }),
    });

    // Act
    const context = await loadNotifyContext(config, { switcher, log, audit });

    // Assess
    expect(context.lease).toMatchObject({ id: "lease-7", actor: "alice", reason: "use1 5xx" });
    expect(context.lastSwitch).toMatchObject({ audit: "lease-7", actor: "alice" });
  });
});
