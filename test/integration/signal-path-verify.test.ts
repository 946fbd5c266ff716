import { mkdtempSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Route53Client, UpdateHealthCheckCommand } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { startSignalEndpoint, type SignalEndpoint } from "../../drill/signal-endpoint.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FetchText } from "../../functions/lib/control/link-data-plane.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/control/manual.ts";
import type { InitResult, ManualResponse, VerifyResult } from "../../functions/lib/control/manual-result.ts";
import { healthCheckReference } from "../../functions/lib/dataplane/health-checks.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { capturedLog, controlZone, emulatorPerFile, recordSets } from "../support/control-fixtures.ts";
import { closedPort, selfSignedCertificate, startServer } from "../support/local-servers.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry } from "./aws-fixtures.ts";

// A signal path that cannot carry a drain is silent: with an inverted check, "the checkers cannot read the
// endpoint" reads exactly like "serve". These tests break it the ways setup and redeploys do (a wrong
// FAILOVER_SIGNAL_ENDPOINTS, one endpoint for both regions, SNI off, an endpoint gone) and show that init
// refuses and verify names it. Route 53's checkers are emulator/moto_launcher.py's GetHealthCheckStatus patch,
// which asks the checks' own hosts (honouring EnableSNI).

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

/** A zone with records, one real signal endpoint per control region (HTTPS needing SNI with `tls`), and the manual deps. */
async function setup(tls?: { key: string; cert: string }) {
  const zone = await controlZone(emulator.url);
  const { config } = zone;
  const parameters = new Map(
    config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })]),
  );
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
    log: capturedLog().log,
    healthChecks,
    signalEndpoints: endpoints,
    audit: zone.audit,
    ...(tls ? { fetchText: fetchTrusting(tls.cert) } : {}),
  } satisfies ManualDeps;
  const route53 = new Route53Client({ endpoint: emulator.url, region: "us-east-1", credentials });
  return { ...zone, servers, endpoints, healthChecks, manual, route53 };
}

function ok<T>(response: ManualResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response as unknown as T;
}

/** The data-plane lines of a verify (the alarms are not deployed in these tests). */
function pathLines(result: VerifyResult): string[] {
  return result.broken.filter((link) => link.link !== "alarm").map((link) => `${link.message} => ${link.fix}`);
}

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

describe("failover init refuses signal endpoints that cannot carry a drain (emulator)", () => {
  it("exits 2 naming the dead host, the endpoint that is not a signal endpoint and the endpoint given twice, and changes nothing", async () => {
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
  it("names a check without SNI, two regions' checks on one endpoint and an endpoint gone, each with what to run", async () => {
    // Prepare: HTTPS endpoints that, like function URLs, need SNI; linked by init.
    const tls = selfSignedCertificate();
    const { manual, config, route53, servers, healthChecks } = await setup(tls);
    const init = ok<InitResult>(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const sound = ok<VerifyResult>(await handleManualEvent(manual, { action: "verify", actor: "bob" }));
    const checks = await healthChecks.list();
    const signal = (target: string, region: string) =>
      checks.find((check) => check.reference === healthCheckReference(config, target, region))?.id ?? "";
    const eastPort = Number(new URL(servers["us-east-2"]?.url ?? "").port);
    // Act: SNI off on one check; another region's check moved onto us-east-2's endpoint.
    await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: signal("primary", "us-east-2"), EnableSNI: false }),
    );
    await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: signal("failover", "us-west-1"), Port: eastPort }),
    );
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
      ]),
    );
    expect(repair.dataPlane?.repaired).toHaveLength(2);
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
