import { DeleteAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { mkdtempSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  Route53Client,
  UpdateHealthCheckCommand,
  type ChangeResourceRecordSetsCommandInput,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { startSignalEndpoint, type SignalEndpoint } from "../../drill/signal-endpoint.ts";
import { CloudWatchAdmin } from "../../emulator/cloudwatch-admin.ts";
import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FetchText } from "../../functions/lib/dataplane-link/link.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { InitResult, ManualResponse, StatusResult, VerifyResult } from "../../functions/lib/manual/result.ts";
import {
  CANARY_TARGET,
  calculatedCheckSpec,
  drainMarker,
  healthCheckReference,
  signalCheckSpec,
} from "../../functions/lib/dataplane/health-checks.ts";
import { canaryAlarmName, canaryAlarmSpec } from "../../functions/lib/dataplane/canary-alarm.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { slackWebhookParameterName, WEBHOOK_PLACEHOLDER, webhookState } from "../../functions/lib/slack/webhook.ts";
import { capturedLog, controlZone, drainDocument, emulatorPerFile } from "../support/control-fixtures.ts";
import { recordSets } from "../support/control-fixtures.ts";
import { closedPort, selfSignedCertificate, startServer } from "../support/local-servers.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry } from "./aws-fixtures.ts";

// `failover init`, `status` and `verify` on the data-plane path, through the manual logic the CLI and
// the function share, against the emulator (health checks evaluated by emulator/moto_launcher.py's
// GetHealthCheckStatus patch, which asks these local signal endpoints, honouring EnableSNI). A signal path
// that cannot carry a drain is silent: with an inverted check, "the checkers cannot read the endpoint" reads
// exactly like "serve"; the last tests break it the ways setup and redeploys do.

const emulator = emulatorPerFile();
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});
beforeAll(async () => {
  await new ParameterStore({ region: "us-east-2", endpoint: emulator.url, retry: { budgetMs: 30_000 } }).get("/w");
}, 60_000);

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** GET over HTTPS trusting the test certificate (IPv4: the endpoints listen on 127.0.0.1). */
function fetchTrusting(ca: string): FetchText {
  return (url) =>
    new Promise((resolve, reject) => {
      const request = https.get(url, { ca, family: 4, timeout: 4000 }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on("timeout", () => request.destroy(new Error("timed out")));
      request.on("error", reject);
    });
}

/** The Slack webhook the tests set: its secret part must never show in an output. */
const webhookSecret = "T0/B0/webhook-secret-token";

/**
 * A zone with records, one real signal endpoint per control region (HTTPS needing SNI with `tls`), and the
 * manual deps. The config is named `name` (its own SSM parameters); its Slack webhook is set unless `webhook` is false.
 */
async function setup(options: { tls?: { key: string; cert: string }; name?: string; webhook?: boolean } = {}) {
  const { tls } = options;
  const zone = await controlZone(emulator.url, options.name ? { name: options.name } : {});
  const { config } = zone;
  const parameters = new Map(
    config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })]),
  );
  const webhookParameter = slackWebhookParameterName(config.name);
  if (options.webhook !== false)
    for (const store of parameters.values())
      await store.put(webhookParameter, `https://hooks.slack.test/services/${webhookSecret}`, { secure: true });
  const store = new SignalStore(config, parameters);
  const servers: Record<string, SignalEndpoint> = {};
  const endpoints: Record<string, string> = {};
  for (const region of config.controlRegions) {
    const handler = createSignalHandler({ config, region, store, cacheMs: 0, log: createLogger({ write: () => {} }) });
    const endpoint = await startSignalEndpoint(region, handler, tls);
    closers.push(() => endpoint.close());
    servers[region] = endpoint;
    endpoints[region] = endpoint.url;
  }
  const healthChecks = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
  const manual = {
    config,
    region: "us-east-2",
    clock: manualClock(Date.UTC(2026, 10, 3, 2, 0, 0)),
    switcher: zone.switcher,
    bus: zone.bus,
    votes: zone.votes,
    log: capturedLog().log,
    healthChecks,
    signalEndpoints: endpoints,
    audit: zone.audit,
    // As the manual function finds it from its alert topics: the canary alarms announce there.
    canaryTopic: "arn:aws:sns:us-east-1:123456789012:failover-ci-signal-canary",
    webhook: (region: string) => webhookState(parameters.get(region) as ParameterStore, webhookParameter),
    ...(tls ? { fetchText: fetchTrusting(tls.cert) } : {}),
  } satisfies ManualDeps;
  const route53 = new Route53Client({ endpoint: emulator.url, region: "us-east-1", credentials });
  return { ...zone, store, servers, endpoints, healthChecks, manual, route53, parameters, webhookParameter };
}

function ok<T>(response: ManualResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response as unknown as T;
}

/** The data-plane lines of a verify (the alarms are not deployed in the tests that use it). */
function pathLines(result: VerifyResult): string[] {
  return result.broken.filter((link) => link.link !== "alarm").map((link) => `${link.message} => ${link.fix}`);
}

/** Counts the Route 53 change batches `client` sends (the SDK's middleware sees every call). */
function countBatches(admin: HealthCheckAdmin): () => number {
  const before = admin.stats.byOperation.ChangeResourceRecordSets?.calls ?? 0;
  return () => (admin.stats.byOperation.ChangeResourceRecordSets?.calls ?? 0) - before;
}

describe("failover init on the data plane (emulator)", () => {
  it("adopts an existing zone: weights unchanged, one change batch per target, nothing done on a rerun", async () => {
    // Prepare: a live zone at 50/50 (not the config's weights), records without health checks.
    const { manual, switcher, healthChecks } = await setup();
    await switcher.apply(await switcher.read(), { weights: { primary: 50, failover: 50 } });
    const batches = countBatches(healthChecks);
    // Act
    const first = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const tiedBatches = batches();
    const again = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    // Assess
    expect(first.adopted).toBe(true);
    expect(first.created).toEqual([]);
    expect(first.dataPlane?.created).toHaveLength(8);
    expect([...(first.dataPlane?.tied ?? [])].sort()).toEqual([
      "api.example.com A failover",
      "api.example.com A primary",
    ]);
    expect(tiedBatches).toBe(2);
    const after = await switcher.read();
    expect(after.weights).toEqual({ primary: 50, failover: 50 });
    expect(after.records["api.example.com"]?.primary?.HealthCheckId).toBe(first.dataPlane?.calculated.primary);
    expect(after.records["api.example.com"]?.failover?.HealthCheckId).toBe(first.dataPlane?.calculated.failover);
    expect(again.dataPlane).toMatchObject({ created: [], repaired: [], tied: [] });
    expect(batches()).toBe(2);
  }, 60_000);

  it("leaves a target untied while its signal says drain and its records still give it traffic", async () => {
    // Prepare
    const { manual, store, switcher } = await setup();
    await store.publish(drainDocument("us-east-2", ["primary"]));
    // Act
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    // Assess
    expect(init.dataPlane?.tied).toEqual(["api.example.com A failover"]);
    expect(init.problems.join("\n")).toMatch(/primary: not tied: the signal in us-east-2, us-west-1 says drain/);
    const after = await switcher.read();
    expect(after.records["api.example.com"]?.primary?.HealthCheckId).toBeUndefined();
    expect(after.weights).toEqual({ primary: 90, failover: 10 });
  }, 60_000);
});

describe("failover status on the data plane (emulator)", () => {
  it("shows each target's health-check status and what DNS clients get, before and after a drain signal", async () => {
    // Prepare
    const { manual, store } = await setup();
    ok(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    // Act
    const serving = ok<StatusResult>(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    await store.publish(drainDocument("us-west-1", ["primary"]));
    const drained = ok<StatusResult>(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    // Assess
    expect(serving.weights).toEqual({ primary: 90, failover: 10 });
    expect(serving.dataPlane?.targets.map((t) => [t.id, t.status])).toEqual([
      ["primary", "healthy"],
      ["failover", "healthy"],
    ]);
    expect(serving.dataPlane?.answers["api.example.com"]).toEqual({ primary: 0.9, failover: 0.1 });
    expect(drained.weights).toEqual({ primary: 90, failover: 10 });
    const primary = drained.dataPlane?.targets[0];
    expect(primary?.status).toBe("unhealthy");
    expect(primary?.signals.map((s) => [s.region, s.status, s.succeeded, s.checkers])).toEqual([
      ["us-east-2", "unhealthy", 1, 1],
      ["us-west-1", "unhealthy", 1, 1],
    ]);
    expect(drained.dataPlane?.answers["api.example.com"]).toEqual({ primary: 0, failover: 1 });
  }, 60_000);
});

describe("failover verify (emulator)", () => {
  it("finds the chain sound after init with the alarms deployed", async () => {
    // Prepare
    const { manual, config } = await setup();
    ok(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const alarms = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    for (const region of config.controlRegions) await alarms.putAlarms(region, alarmDefinitions(config, region));
    // Act
    const verify = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    // Assess
    expect(verify.broken).toEqual([]);
    expect(verify.problems).toEqual([]);
  }, 60_000);

  it("names each broken link with what to run, and init puts the repairable ones right", async () => {
    // Prepare: linked, alarms deployed, then every link broken one way.
    const { manual, config, bus, route53, zoneId, switcher, healthChecks, endpoints } = await setup();
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const alarms = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    for (const region of config.controlRegions) await alarms.putAlarms(region, alarmDefinitions(config, region));
    const blind = alarmDefinitions(config, "us-west-1")[0]?.name ?? "";
    await bus.send("us-west-1", "DeleteAlarms", (client) =>
      client.send(new DeleteAlarmsCommand({ AlarmNames: [blind] })),
    );
    const checks = await healthChecks.list();
    const signal = (target: string, region: string) =>
      checks.find((check) => check.reference.endsWith(`:${target}:${region}:v1`))?.id ?? "";
    const update = (id: string, fields: Record<string, unknown>) =>
      route53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, ...fields }));
    await update(signal("primary", "us-east-2"), { Port: 9 });
    await update(signal("primary", "us-west-1"), { Inverted: false, FailureThreshold: 3 });
    await update(signal("failover", "us-east-2"), { ResourcePath: "/?target=primary" });
    await update(signal("failover", "us-west-1"), { FullyQualifiedDomainName: "127.0.0.2" });
    await update(init.dataPlane?.calculated.failover ?? "", { ChildHealthChecks: [signal("failover", "us-east-2")] });
    const primary = (await switcher.read()).records["api.example.com"]?.primary;
    const untie: ChangeResourceRecordSetsCommandInput = {
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          { Action: "DELETE", ResourceRecordSet: primary as never },
          { Action: "CREATE", ResourceRecordSet: { ...primary, HealthCheckId: undefined } as never },
        ],
      },
    };
    await route53.send(new ChangeResourceRecordSetsCommand(untie));
    const noEndpoint = { ...manual, signalEndpoints: { "us-east-2": endpoints["us-east-2"] as string } };
    // Act
    const broken = ok<VerifyResult>(await handleManualEvent(noEndpoint, { action: "verify", actor: "bob" }));
    const withBoth = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const repair = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const after = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    // Assess
    const lines = broken.broken.map((link) => `${link.link}: ${link.message} => ${link.fix}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^endpoint: no signal endpoint known for control region us-west-1 => npx sst deploy/),
        expect.stringMatching(
          /^signal-check: primary: health check .* \(us-east-2\) points at the wrong thing: Port 9, expected \d+ => failover init --direct --yes/,
        ),
        expect.stringMatching(
          /^calculated-check: failover: calculated health check .* misses child .* => failover init/,
        ),
        expect.stringMatching(
          /^record: primary: record api\.example\.com is without a health check, not to .* => failover init/,
        ),
        `alarm: alarm ${blind} missing in us-west-1 => npx sst deploy (the stacks create every alarm in every control region)`,
      ]),
    );
    const text = withBoth.broken.map((link) => link.message).join("\n");
    expect(text).toMatch(
      /\(us-west-1\) points at the wrong thing: .*FailureThreshold 3, expected 1; Inverted false, expected true/,
    );
    expect(text).toMatch(
      /failover: health check .* \(us-east-2\) points at the wrong thing: ResourcePath "\/\?target=primary"/,
    );
    expect(text).toMatch(
      /failover: health check .* \(us-west-1\) points at the wrong thing: FullyQualifiedDomainName "127\.0\.0\.2"/,
    );
    expect(repair.dataPlane?.repaired).toHaveLength(5);
    expect(repair.dataPlane?.tied).toEqual(["api.example.com A primary"]);
    expect(after.broken.map((link) => link.message)).toEqual([`alarm ${blind} missing in us-west-1`]);
  }, 90_000);
});

describe("replacing a check that cannot be changed in place (emulator)", () => {
  it("verify names a signal check with the wrong interval, and init replaces it under a new caller reference and rewires the calculated check", async () => {
    // Prepare: someone created primary's us-east-2 check with our caller reference but the 30 s interval.
    const { manual, config, route53, endpoints } = await setup();
    const reference = healthCheckReference(config, "primary", "us-east-2");
    const wrong = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: reference,
        HealthCheckConfig: { ...signalCheckSpec("primary", endpoints["us-east-2"] as string), RequestInterval: 30 },
      }),
    );
    // Act
    const before = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const again = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const after = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    // Assess
    const wrongId = wrong.HealthCheck?.Id ?? "";
    expect(before.broken.find((link) => link.message.includes(wrongId))).toMatchObject({
      link: "signal-check",
      fix: "failover init --direct --yes (replaces it: Type and RequestInterval cannot be changed in place; the old check is deleted once nothing refers to it)",
    });
    expect(before.broken.find((link) => link.message.includes(wrongId))?.message).toMatch(
      /RequestInterval 30, expected 10/,
    );
    expect(init.dataPlane?.created).toContain(`${reference}.2`);
    expect(init.dataPlane?.replaced).toEqual([
      expect.stringMatching(new RegExp(`^${wrongId} by \\S+: RequestInterval$`)),
    ]);
    expect(init.dataPlane?.deleted).toEqual([`${wrongId} (${reference})`]);
    expect(init.problems).toEqual([]);
    expect(again.dataPlane).toMatchObject({ created: [], repaired: [], tied: [] });
    expect(after.broken.filter((link) => link.link !== "alarm")).toEqual([]);
  }, 60_000);
});

describe("upgrading from string-match checks (emulator)", () => {
  /** The signal function before 2026-12: `200 serve <id>`, which a status check would read as drain. */
  function oldFunction(handler: ReturnType<typeof createSignalHandler>): ReturnType<typeof createSignalHandler> {
    return async (event) => {
      const answer = await handler(event);
      return answer.body.startsWith("serve ") ? { ...answer, statusCode: 200 } : answer;
    };
  }

  it("init refuses endpoints still answering 200 serve; after the deploy verify names every old check, and init replaces them, rewires the calculated checks, deletes the old ones only once nothing refers to them, and never leaves a record on a missing check", async () => {
    // Prepare: the zone as an older version left it: inverted HTTP_STR_MATCH checks per target and region and per
    // canary (10 s), a calculated check per target over them, the records tied to it; plus someone's own calculated
    // check listing primary's us-east-2 check.
    const { manual, config, route53, endpoints, healthChecks, switcher, store } = await setup();
    const create = async (reference: string, spec: object) =>
      (
        await route53.send(
          new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: spec as never }),
        )
      ).HealthCheck?.Id ?? "";
    const oldSpec = (target: string, region: string) => ({
      ...signalCheckSpec(target, endpoints[region] as string),
      Type: "HTTP_STR_MATCH",
      SearchString: drainMarker(target),
      RequestInterval: 10,
    });
    const old: Record<string, string> = {};
    const calculated: Record<string, string> = {};
    for (const target of ["primary", "failover"]) {
      const children: string[] = [];
      for (const region of config.controlRegions) {
        old[`${target} ${region}`] = await create(
          healthCheckReference(config, target, region),
          oldSpec(target, region),
        );
        children.push(old[`${target} ${region}`] as string);
      }
      calculated[target] = await create(healthCheckReference(config, target), calculatedCheckSpec(children));
    }
    for (const region of config.controlRegions)
      old[`canary ${region}`] = await create(
        healthCheckReference(config, CANARY_TARGET, region),
        oldSpec(CANARY_TARGET, region),
      );
    const foreign = await create("someone-else:v1", calculatedCheckSpec([old["primary us-east-2"] as string]));
    const zone = await switcher.read();
    await healthChecks.tieRecords(
      Object.values(zone.records).flatMap((sets) => Object.values(sets)),
      calculated,
    );
    const undeployed: Record<string, string> = {};
    for (const region of config.controlRegions) {
      const handler = createSignalHandler({
        config,
        region,
        store,
        cacheMs: 0,
        log: createLogger({ write: () => {} }),
      });
      const endpoint = await startSignalEndpoint(region, oldFunction(handler));
      closers.push(() => endpoint.close());
      undeployed[region] = endpoint.url;
    }
    const before = await healthChecks.list();

    // Act: init before the deploy (old function), then verify, init and verify with the new function.
    const refused = await handleManualEvent(
      { ...manual, signalEndpoints: undeployed },
      { action: "init", actor: "alice" },
    );
    const unchanged = await healthChecks.list();
    const named = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const after = await healthChecks.list();
    const records = await switcher.read();
    const verified = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));

    // Assess: nothing changed by the refused init, which names the 200 serve.
    expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    expect(JSON.stringify(refused)).toMatch(/answered 200 \\"serve primary\\", which a health check reads as drain/);
    expect(unchanged).toEqual(before);
    // verify names each old check (4 signal checks, 2 canaries) with the command that replaces it.
    const typeLines = named.broken.filter((link) => /Type "HTTP_STR_MATCH", expected "HTTP"/.test(link.message));
    expect(typeLines.map((link) => link.link).sort()).toEqual([
      "canary",
      "canary",
      "signal-check",
      "signal-check",
      "signal-check",
      "signal-check",
    ]);
    for (const link of typeLines) expect(link.fix).toMatch(/^failover init --direct --yes \(replaces it: /);
    // init: 6 replacements, the same calculated checks (now over the new ones), the records on them throughout.
    expect(init.dataPlane?.replaced).toHaveLength(6);
    expect(init.dataPlane?.calculated).toEqual(calculated);
    const ids = new Set(after.map((check) => check.id));
    for (const sets of Object.values(records.records))
      for (const [target, set] of Object.entries(sets)) {
        expect(set.HealthCheckId).toBe(calculated[target]);
        expect(ids.has(set.HealthCheckId as string)).toBe(true);
      }
    for (const check of after)
      for (const child of check.spec.ChildHealthChecks ?? []) expect(ids.has(child)).toBe(true);
    // The old checks are gone, but the one someone else's calculated check still lists, which init names.
    const kept = old["primary us-east-2"] as string;
    expect([...Object.values(old)].filter((id) => ids.has(id))).toEqual([kept]);
    expect(init.dataPlane?.deleted).toHaveLength(5);
    expect(init.problems.join("\n")).toMatch(
      new RegExp(`health check ${kept} \\(.*\\) was replaced but is still referred to by calculated check ${foreign}`),
    );
    expect(after.filter((check) => check.id !== kept && check.spec.Type?.endsWith("STR_MATCH"))).toEqual([]);
    expect(pathLines(verified)).toEqual([]);
  }, 90_000);
});

describe("the failover CLI on the data plane (--direct, emulator)", () => {
  async function cli(args: string[], env: Record<string, string>) {
    const out = { stdout: "", stderr: "" };
    const code = await main(args, {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
      env,
      isTTY: false,
    });
    return { code, ...out };
  }

  it("verify exits 1 saying the data plane is not set up yet, init links it, then status --json shows the health checks and DNS answers", async () => {
    // Prepare: a zone with records but no health checks, the alarms deployed, the endpoints in the environment.
    const { config, endpoints } = await setup();
    const file = join(mkdtempSync(join(tmpdir(), "dp-cli-")), "failover.config.json");
    writeFileSync(file, JSON.stringify(config));
    const alarms = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    for (const region of config.controlRegions) await alarms.putAlarms(region, alarmDefinitions(config, region));
    const env = {
      ...emulator.env,
      FAILOVER_CONFIG_FILE: file,
      USER: "alice",
      FAILOVER_SIGNAL_ENDPOINTS: JSON.stringify(endpoints),
    };
    // Act
    const before = await cli(["verify", "--direct"], env);
    const init = await cli(["init", "--direct", "--yes"], env);
    const after = await cli(["verify", "--direct"], env);
    const again = await cli(["init", "--direct", "--yes"], env);
    const status = await cli(["status", "--direct", "--json"], env);
    const text = await cli(["status", "--direct"], env);
    const badEndpoints = await cli(["verify", "--direct"], { ...env, FAILOVER_SIGNAL_ENDPOINTS: '{"eu-west-9":"x"}' });
    // Assess
    expect(before.code).toBe(1);
    expect(before.stdout).toBe(
      "Not set up yet (1 step(s); run each, then verify again):\n  data plane: no data-plane health check yet. Run: failover init --direct --yes\n",
    );
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/adopted as they are \(weights unchanged\)/);
    expect(init.stdout).toMatch(/Tied to their health checks \(weights unchanged\): /);
    expect(after).toMatchObject({ code: 0, stderr: "" });
    expect(after.stdout).toMatch(/^Data-plane chain sound/);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^Nothing changed: the weighted records exist \(weights kept\) and every data-plane link was in place\.$/m,
    );
    expect(again.stdout).toMatch(/Health checks: 0 created;/);
    const json = JSON.parse(status.stdout);
    expect(json.ok).toBe(true);
    expect(json.dataPlane.answers).toEqual({ "api.example.com": { primary: 0.9, failover: 0.1 } });
    expect(json.dataPlane.targets.map((t: { status: string }) => t.status)).toEqual(["healthy", "healthy"]);
    expect(text.stdout).toMatch(/Data plane \(health checks; what DNS clients get\):/);
    expect(text.stdout).toMatch(
      /primary\s+\S+\s+healthy\s+us-east-2 healthy \(0\/1 checkers see drain\), us-west-1 healthy .*90%/,
    );
    expect(badEndpoints.code).toBe(2);
    expect(badEndpoints.stderr).toMatch(/FAILOVER_SIGNAL_ENDPOINTS/);
    expect(badEndpoints.stderr).toMatch(/eu-west-9: unknown field/);
    expect(badEndpoints.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 90_000);

  it("verify on an empty emulator says what is not set up yet and the command for each; followed, verify passes", async () => {
    // Prepare: a zone with no record, no health check, no alarm and no webhook parameter (the records setup made, removed).
    const { config, endpoints, switcher, route53, zoneId, parameters, webhookParameter } = await setup({
      name: "tryout",
      webhook: false,
    });
    const sets = Object.values((await switcher.read()).records["api.example.com"] ?? {});
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: sets.map((set) => ({ Action: "DELETE", ResourceRecordSet: set as never })) },
      }),
    );
    const file = join(mkdtempSync(join(tmpdir(), "dp-empty-")), "failover.config.json");
    writeFileSync(file, JSON.stringify(config));
    const env = { ...emulator.env, FAILOVER_CONFIG_FILE: file, USER: "alice" };

    // Act: verify; then each step as printed (the deploy's part done as the stacks do it: alarms, endpoints)
    const empty = await cli(["verify", "--direct"], env);
    const alarms = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    for (const region of config.controlRegions) await alarms.putAlarms(region, alarmDefinitions(config, region));
    for (const store of parameters.values())
      await store.put(webhookParameter, `https://hooks.slack.test/services/${webhookSecret}`, { secure: true });
    const deployed = { ...env, FAILOVER_SIGNAL_ENDPOINTS: JSON.stringify(endpoints) };
    const init = await cli(["init", "--direct", "--yes"], deployed);
    const after = await cli(["verify", "--direct"], deployed);

    // Assess
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/^Not set up yet \(6 step\(s\); run each, then verify again\):$/m);
    expect(empty.stdout).toMatch(/^ {2}records: no weighted record yet .*\. Run: failover init --direct --yes$/m);
    expect(empty.stdout).toMatch(
      /^ {2}data plane: .*no signal endpoint known .*Run: npx sst deploy, then FAILOVER_SIGNAL_ENDPOINTS=.* failover init --direct --yes$/m,
    );
    expect(empty.stdout).toMatch(/^ {2}alarms: no alarm in us-west-1 yet\. Run: npx sst deploy/m);
    for (const region of config.controlRegions)
      expect(empty.stdout).toContain(
        `  Slack webhook: /tryout/slack-webhook in ${region} does not exist. Run: aws ssm put-parameter --region ${region} --name /tryout/slack-webhook --type SecureString`,
      );
    expect(empty.stdout).not.toMatch(/broken/);
    expect(init.code).toBe(0);
    expect(after).toMatchObject({ code: 0, stderr: "" });
    expect(after.stdout).toMatch(/^Data-plane chain sound/);
    expect(`${empty.stdout}${empty.stderr}${after.stdout}${init.stdout}`).not.toContain(webhookSecret);
  }, 90_000);

  it("verify on a set-up zone with a health check deleted says broken and names it, not 'not set up yet'", async () => {
    // Prepare: everything set up, then primary's us-east-2 signal check deleted by hand.
    const { config, endpoints, healthChecks, route53 } = await setup({ name: "broken" });
    const file = join(mkdtempSync(join(tmpdir(), "dp-broken-")), "failover.config.json");
    writeFileSync(file, JSON.stringify(config));
    const env = {
      ...emulator.env,
      FAILOVER_CONFIG_FILE: file,
      USER: "alice",
      FAILOVER_SIGNAL_ENDPOINTS: JSON.stringify(endpoints),
    };
    const alarms = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    for (const region of config.controlRegions) await alarms.putAlarms(region, alarmDefinitions(config, region));
    await cli(["init", "--direct", "--yes"], env);
    const reference = healthCheckReference(config, "primary", "us-east-2");
    const deleted = (await healthChecks.list()).find((check) => check.reference === reference)?.id ?? "";
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: deleted }));

    // Act
    const verify = await cli(["verify", "--direct"], env);

    // Assess
    expect(verify.code).toBe(1);
    expect(verify.stdout).not.toContain("Not set up yet");
    expect(verify.stdout).toMatch(/^\d+ broken link\(s\):$/m);
    expect(verify.stdout).toMatch(
      /^ {2}signal-check: primary: no signal health check for control region us-east-2\. Fix: failover init --direct --yes$/m,
    );
  }, 90_000);

  it("verify names the webhook parameter and its command per control region: missing, the placeholder, not a SecureString, set", async () => {
    // Prepare: us-east-2's parameter missing, us-west-1's the deploy's placeholder.
    const { manual, parameters, webhookParameter } = await setup({ name: "hooks", webhook: false });
    const [east, west] = ["us-east-2", "us-west-1"].map((region) => parameters.get(region) as ParameterStore);
    const verify = async () => ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const webhookOf = (result: VerifyResult) => [
      ...result.notSetUp
        .filter((step) => step.part === "Slack webhook")
        .map((step) => `${step.message} => ${step.run}`),
      ...result.broken.filter((link) => link.link === "webhook").map((link) => `broken: ${link.message}`),
    ];
    await west?.put(webhookParameter, WEBHOOK_PLACEHOLDER, { secure: true });

    // Act
    const unset = await verify();
    await east?.put(webhookParameter, `https://hooks.slack.test/services/${webhookSecret}`);
    const plain = await verify();
    await east?.put(webhookParameter, `https://hooks.slack.test/services/${webhookSecret}`, { secure: true });
    await west?.put(webhookParameter, `https://hooks.slack.test/services/${webhookSecret}`, { secure: true });
    const set = await verify();

    // Assess
    expect(webhookOf(unset)).toEqual([
      '/hooks/slack-webhook in us-east-2 does not exist => aws ssm put-parameter --region us-east-2 --name /hooks/slack-webhook --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"',
      '/hooks/slack-webhook in us-west-1 holds the placeholder "unset" => aws ssm put-parameter --region us-west-1 --name /hooks/slack-webhook --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"',
    ]);
    expect(webhookOf(plain)).toEqual([
      '/hooks/slack-webhook in us-west-1 holds the placeholder "unset" => aws ssm put-parameter --region us-west-1 --name /hooks/slack-webhook --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"',
      expect.stringMatching(/^broken: \/hooks\/slack-webhook in us-east-2 is not a SecureString/),
    ]);
    expect(webhookOf(set)).toEqual([]);
    expect(JSON.stringify([unset, plain, set])).not.toContain(webhookSecret);
  }, 90_000);

  it("init exits 2 naming the dead host, the endpoint that is not a signal endpoint and the endpoint given twice, and changes nothing", async () => {
    // Prepare: real endpoints, a closed port, and a server that answers 200 but is not a signal endpoint.
    const { config, endpoints, healthChecks, zoneId } = await setup();
    const file = join(mkdtempSync(join(tmpdir(), "signal-path-")), "failover.config.json");
    writeFileSync(file, JSON.stringify(config));
    const website = await startServer((_, response) => response.end("<html>welcome</html>"));
    closers.push(() => website.close());
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const env = (given: Record<string, string>) => ({
      ...emulator.env,
      FAILOVER_CONFIG_FILE: file,
      USER: "alice",
      FAILOVER_SIGNAL_ENDPOINTS: JSON.stringify(given),
    });
    const records = await recordSets(emulator.url, zoneId);
    // Act
    const unreachable = await cli(["init", "--direct", "--yes"], env({ ...endpoints, "us-west-1": dead }));
    const notSignal = await cli(["init", "--direct", "--yes"], env({ ...endpoints, "us-west-1": website.url }));
    const twice = await cli(
      ["init", "--direct", "--yes"],
      env({ "us-east-2": endpoints["us-east-2"] as string, "us-west-1": endpoints["us-east-2"] as string }),
    );
    // Assess
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(
      /FAILOVER_SIGNAL_ENDPOINTS cannot be used: primary: signal endpoint in us-west-1 unreachable/,
    );
    expect(unreachable.stderr).toMatch(
      /^Nothing was changed\. Set FAILOVER_SIGNAL_ENDPOINTS to the deploy.s signalEndpoints output/m,
    );
    expect(notSignal.code).toBe(2);
    expect(notSignal.stderr).toMatch(/signal endpoint in us-west-1 answered 200 "<html>welcome<\/html>"/);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(
      /control regions us-east-2 and us-west-1 are given the same signal endpoint 127\.0\.0\.1:\d+/,
    );
    for (const run of [unreachable, notSignal, twice]) expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(await healthChecks.list()).toEqual([]);
    expect(await recordSets(emulator.url, zoneId)).toEqual(records);
  }, 90_000);
});

describe("failover verify names a broken signal path (emulator)", () => {
  it("names a check without SNI, a check on a wrong host, two regions' checks on one endpoint and an endpoint gone, each with what to run", async () => {
    // Prepare: HTTPS endpoints that, like function URLs, need SNI; linked by init.
    const tls = selfSignedCertificate();
    const { manual, config, route53, servers, healthChecks } = await setup({ tls });
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const sound = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const checks = await healthChecks.list();
    const signal = (target: string, region: string) =>
      checks.find((check) => check.reference === healthCheckReference(config, target, region))?.id ?? "";
    const eastPort = Number(new URL(servers["us-east-2"]?.url ?? "").port);
    // Act: SNI off on one check; another region's check moved onto us-east-2's endpoint; one on a wrong host.
    await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: signal("primary", "us-east-2"), EnableSNI: false }),
    );
    const update = (id: string, fields: Record<string, unknown>) =>
      route53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, ...fields }));
    await update(signal("failover", "us-west-1"), { Port: eastPort });
    await update(signal("primary", "us-west-1"), { FullyQualifiedDomainName: "127.0.0.2" });
    const wired = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const repair = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const repaired = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    // A redeploy replaced us-west-1's signal function: its old host no longer answers.
    await servers["us-west-1"]?.close();
    const gone = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const refused = await handleManualEvent(manual, { action: "init", actor: "alice" });
    // Assess
    expect(init.problems).toEqual([]);
    expect(pathLines(sound)).toEqual([]);
    expect(pathLines(wired)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^primary: health check \S+ \(us-east-2\) points at the wrong thing: EnableSNI false, expected true => failover init --direct --yes \(puts the settings right in place\)$/,
        ),
        expect.stringMatching(
          /^primary: Route 53's checkers cannot read the signal in us-east-2 \(health check \S+ asks localhost:\d+\): 1 of 1 report "Failure: SSL alert handshake_failure"; .* => failover init --direct --yes \(turns EnableSNI on/,
        ),
        expect.stringMatching(
          /^failover: signal health checks: control regions us-east-2 and us-west-1 are given the same signal endpoint localhost:\d+/,
        ),
        expect.stringMatching(
          /^primary: Route 53's checkers cannot read the signal in us-west-1 \(health check \S+ asks 127\.0\.0\.2:\d+\): 1 of 1 report "Failure: Connection failed/,
        ),
        expect.stringMatching(
          /^primary: health check \S+ \(us-west-1\) points at the wrong thing: FullyQualifiedDomainName "127\.0\.0\.2", expected "localhost"/,
        ),
      ]),
    );
    expect(repair.dataPlane?.repaired).toHaveLength(3);
    expect(pathLines(repaired)).toEqual([]);
    const goneText = pathLines(gone).join("\n");
    expect(goneText).toMatch(/primary: signal endpoint in us-west-1 unreachable/);
    expect(goneText).toMatch(
      /primary: Route 53's checkers cannot read the signal in us-west-1 \(health check \S+ asks localhost:\d+\): 1 of 1 report "Failure: Connection failed \(\w+\)"; an inverted check reads that as serve.* => npx sst deploy if the signal endpoint in us-west-1 is gone/,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    expect(await healthChecks.list()).toHaveLength(checks.length);
  }, 90_000);
});

describe("the canary alarms (emulator)", () => {
  it("init puts each control region's canary alarm on its canary check in us-east-1, a rerun writes nothing, a replaced check moves it, and verify names one missing or mis-pointed", async () => {
    // Prepare
    const { manual, config, bus, route53, endpoints } = await setup();
    const topic = manual.canaryTopic;
    const puts = () => bus.stats.byOperation.PutMetricAlarm?.calls ?? 0;
    const alarm = (region: string) => bus.metricAlarm("us-east-1", canaryAlarmName(config, region));

    // Act: init, init again, then us-west-1's canary check needs replacing (interval 10 under the next reference).
    const first = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const putsAfterFirst = puts();
    const again = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const putsAfterRerun = puts();
    const reference = healthCheckReference(config, CANARY_TARGET, "us-west-1");
    await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `${reference}.2`,
        HealthCheckConfig: { ...signalCheckSpec(CANARY_TARGET, endpoints["us-west-1"] as string), RequestInterval: 10 },
      }),
    );
    const replaced = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const moved = await alarm("us-west-1");

    // Assess: on the canary check, Maximum >= 1 (the canary reads healthy = "serve"), to the topic, both ways.
    for (const region of config.controlRegions)
      expect(await alarm(region)).toMatchObject(
        region === "us-west-1"
          ? { Dimensions: [{ Name: "HealthCheckId", Value: replaced.dataPlane?.canary[region] }] }
          : {
              Namespace: "AWS/Route53",
              MetricName: "HealthCheckStatus",
              Dimensions: [{ Name: "HealthCheckId", Value: first.dataPlane?.canary[region] }],
              Statistic: "Maximum",
              Threshold: 1,
              ComparisonOperator: "GreaterThanOrEqualToThreshold",
              AlarmActions: [topic],
              OKActions: [topic],
            },
      );
    expect(first.canaryAlarms?.put).toHaveLength(2);
    expect(putsAfterFirst).toBe(2);
    expect(again.canaryAlarms).toMatchObject({ put: [], problems: [] });
    expect(again.unchanged).toBe(true);
    expect(putsAfterRerun).toBe(putsAfterFirst);
    expect(replaced.dataPlane?.created).toEqual([`${reference}.3`]);
    expect(replaced.canaryAlarms?.put).toEqual([
      expect.stringMatching(new RegExp(`^${canaryAlarmName(config, "us-west-1")}: .*Dimensions`)),
    ]);
    expect(moved?.Dimensions?.[0]?.Value).not.toBe(first.dataPlane?.canary["us-west-1"]);

    // Act: one alarm deleted, the other pointed at another check.
    await bus.send("us-east-1", "DeleteAlarms", (client) =>
      client.send(new DeleteAlarmsCommand({ AlarmNames: [canaryAlarmName(config, "us-west-1")] })),
    );
    await bus.putMetricAlarm(
      "us-east-1",
      canaryAlarmSpec(config, "us-east-2", first.dataPlane?.canary["us-west-1"] ?? "", topic),
    );
    const verify = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));

    // Assess
    const canaryLines = verify.broken.filter((link) => link.message.startsWith("canary alarm"));
    expect(canaryLines.map((link) => `${link.message} => ${link.fix}`)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^canary alarm ${canaryAlarmName(config, "us-east-2")} in us-east-1 is not as init puts it \\(Dimensions\\): it watches .*, not the canary check ${first.dataPlane?.canary["us-east-2"]} => failover init`,
        ),
      ),
      `canary alarm ${canaryAlarmName(config, "us-west-1")} missing in us-east-1: a broken signal path in us-west-1 would go unnoticed => failover init --direct --yes (puts them)`,
    ]);
  }, 90_000);
});
