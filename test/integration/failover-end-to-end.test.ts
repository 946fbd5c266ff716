import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { probePublisher, voteChannel } from "../../functions/lib/wiring/votes.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import { parseConfig, type FailoverConfig } from "../../functions/lib/config.ts";
import { loadNotifyContext } from "../../functions/lib/slack/context.ts";
import type { SlackMessage } from "../../functions/lib/slack/blocks.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { createProbeHandler } from "../../functions/probe.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { runCli } from "../support/cli-process.ts";
import { capturedLog, emulatorVotes, switchoverSum } from "../support/control-fixtures.ts";
import { startServer, type LocalServer } from "../support/local-servers.ts";
import { startSlackServer } from "../support/slack-server.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

/**
 * issue 4's "Done when": local HTTP servers stand in for the two application
 * regions and for Slack, moto for Route 53 and CloudWatch. The primary's
 * server fails the checks of two of the three vantages (each vantage's probe
 * sends its name in a header, as a per-vantage config), so only a quorum
 * sees it down.
 */
describe("end to end: probes → decider → switchover metric → Slack → failover CLI", () => {
  let emulator: Emulator;
  let primary: LocalServer;
  let standby: LocalServer;
  let slack: LocalServer;
  let dir: string;
  const posts: SlackMessage[] = [];
  const failingFrom = new Set(["us-east-1", "us-west-2"]);

  beforeAll(async () => {
    [emulator, primary, standby, slack] = await Promise.all([
      startEmulator(),
      startServer((req, res) => {
        res.writeHead(failingFrom.has(String(req.headers["x-vantage"])) ? 503 : 200);
        res.end("primary");
      }),
      startServer((_req, res) => res.end("failover")),
      startSlackServer({ onPost: (post) => posts.push(post.body) }),
    ]);
    dir = mkdtempSync(join(tmpdir(), "failover-e2e-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([primary?.close(), standby?.close(), slack?.close()]);
    await emulator?.stop();
  });

  it("drains primary seen down from 2 of 3 vantages, alerts Slack with the votes, then on-call promotes, checks and releases", async () => {
    // Prepare: the zone, a config whose targets are the local servers, the records created by `failover init`.
    const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
    const base = testConfig(zoneId, { probe: { timeoutMs: 1000 } });
    const config = parseConfig({
      ...base,
      targets: base.targets.map((target) => ({
        ...target,
        healthUrl: `${target.id === "primary" ? primary.url : standby.url}/health`,
      })),
    });
    const configPath = join(dir, "failover.config.json");
    writeFileSync(configPath, JSON.stringify(config));
    const cliEnv = { ...emulator.env, FAILOVER_CONFIG_FILE: configPath, USER: "oncall-bob" };
    expect((await runCli(["init", "--direct", "--yes"], cliEnv)).code).toBe(0);
    const switcher = new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry });
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    // The votes go through the votes table of each control region, as deployed, each stamped as written a second
    // into its round as the probe's clock would (the rounds played ahead of the real time are not "written early").
    const votes = await emulatorVotes(emulator.url, config);
    const publish = probePublisher(votes, bus, config.controlRegions);
    const probeRound = async (at: number) => {
      for (const vantage of config.vantages) {
        const perVantage: FailoverConfig = parseConfig({
          ...config,
          probe: { ...config.probe, headers: { "x-vantage": vantage } },
        });
        const probe = createProbeHandler({
          config: perVantage,
          vantage,
          clock: manualClock(at * 1000),
          publish: (report) => publish(report),
          log: capturedLog().log,
        });
        const summary = await probe({ maxRounds: 1 });
        expect(summary).toMatchObject({ rounds: [at], published: 1 });
      }
    };

    // Act 1: two probe rounds see primary failing from us-east-1 and us-west-2; a decider runs after each.
    const at = Math.floor(Date.now() / 10_000) * 10 - 30;
    const clock = manualClock((at + 6) * 1000);
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock,
      switcher,
      bus: voteChannel(votes, bus),
      log: capturedLog().log,
    });
    await probeRound(at);
    const first = await decider.runRound();
    await probeRound(at + 10);
    clock.advance(10_000);
    const second = await decider.runRound();

    // Assess 1: drained by compare-and-swap, switchover published in both control regions.
    expect(first.switched).toBe(false);
    expect(second).toMatchObject({ kind: "drain", switched: true, from: { primary: 90, failover: 10 } });
    expect((await switcher.read()).weights.primary).toBe(0);
    for (const region of config.controlRegions)
      expect(await switchoverSum(emulator.url, config, region, at, at + 60)).toBeGreaterThan(0);

    // Act 2: the switchover alarm's SNS notification reaches the notifier, which posts to the Slack stand-in.
    const definition = alarmDefinitions(config, "us-east-2").find((alarm) => alarm.kind === "switchover");
    const alarm = {
      AlarmName: `${config.name}-${definition?.key ?? "switchover"}`,
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      NewStateReason: "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).",
      StateChangeTime: new Date((at + 20) * 1000).toISOString().replace("Z", "+0000"),
      Region: "US East (Ohio)",
      Trigger: { MetricName: definition?.metricName, Namespace: config.metricNamespace, Dimensions: [] },
    };
    const notify = createNotifyHandler({
      webhookUrl: async () => `${slack.url}/services/T000/B000/secret-token`,
      loadContext: () => loadNotifyContext(config, { switcher }),
      log: capturedLog().log,
    });
    const notified = await notify({
      Records: [
        { EventSource: "aws:sns", Sns: { Type: "Notification", Subject: "ALARM", Message: JSON.stringify(alarm) } },
      ],
    });

    // Assess 2: one Slack post, with the move and every vantage's vote on primary.
    expect(notified).toEqual({ posted: 1, skipped: 0, withContext: true });
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toMatch(/primary 90 → 0/);
    const blocks = JSON.stringify(posts[0]?.blocks);
    for (const vote of [":red_circle: us-east-1", ":red_circle: us-west-2", ":large_green_circle: eu-west-1"])
      expect(blocks).toContain(vote);

    // Act 3: on-call pins traffic back to primary for 10 minutes, checks, and releases.
    const promote = await runCli(
      ["promote", "primary", "--reason", "failback test: use1 verified by hand", "--ttl", "600", "--direct", "--yes"],
      cliEnv,
    );
    const pinned = (await switcher.read()).weights;
    const status = await runCli(["status", "--direct", "--json"], cliEnv);
    const statusTable = await runCli(["status", "--direct"], cliEnv);
    // Fresh rounds for the moment of the release: primary still fails from two vantages.
    const now = Math.floor(Date.now() / 10_000) * 10;
    await probeRound(now);
    await probeRound(now + 10);
    const release = await runCli(["release", "--reason", "drill over", "--direct", "--yes", "--json"], cliEnv);
    const afterRelease = await switcher.read();
    clock.advance(Date.now() + 1000 - clock.now());
    const nextRound = await decider.runRound();

    // Assess 3: the lease pinned traffic, status showed it, release gave control back and the decider agrees.
    expect(promote.code).toBe(0);
    expect(promote.stdout).toMatch(/^Promote: primary 0 → \d+, failover \d+ → 0/);
    expect(pinned.failover).toBe(0);
    expect(pinned.primary).toBeGreaterThan(0);
    const shown = JSON.parse(status.stdout);
    expect(shown).toMatchObject({
      ok: true,
      lease: {
        action: "promote",
        target: "primary",
        actor: "oncall-bob",
        reason: "failback test: use1 verified by hand",
        active: true,
      },
    });
    expect(shown.lease.expiresInSeconds).toBeGreaterThan(540);
    expect(shown.switches.map((event: { mode: string }) => event.mode)).toEqual(["manual", "automatic"]);
    expect(statusTable.stdout).toMatch(
      /Lease: promote primary by oncall-bob until .*: "failback test: use1 verified by hand"/,
    );
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({
      ok: true,
      action: "release",
      lease: { target: "primary" },
      to: { primary: 0 },
    });
    expect(afterRelease.lease).toBeUndefined();
    expect(afterRelease.weights.primary).toBe(0);
    expect(nextRound).toMatchObject({ switched: false, kind: "steady" });
    expect(JSON.stringify(posts)).not.toContain("secret-token");
  });
});
