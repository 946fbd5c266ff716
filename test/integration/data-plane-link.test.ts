import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSignalEndpoint } from "../../drill/signal-endpoint.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { linkDataPlane, verifyDataPlane } from "../../functions/lib/control/link-data-plane.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { controlZone, emulatorPerFile } from "../support/control-fixtures.ts";
import { fastRetry } from "./aws-fixtures.ts";

const emulator = emulatorPerFile();
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});
beforeAll(async () => {
  await new ParameterStore({
    region: "us-east-2",
    endpoint: emulator.url,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  }).get("/warm-up");
}, 60_000);

/** One local signal endpoint per control region, running the real handler over the emulator's SSM. */
async function endpoints(config: Awaited<ReturnType<typeof controlZone>>["config"]) {
  const store = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })])),
  );
  const urls: Record<string, string> = {};
  for (const region of config.controlRegions) {
    const handler = createSignalHandler({ config, region, store, log: createLogger({ write: () => {} }) });
    const endpoint = await startSignalEndpoint(region, handler);
    closers.push(() => endpoint.close());
    urls[region] = endpoint.url;
  }
  return urls;
}

describe("linking the data-plane path (emulator)", () => {
  it("creates inverted signal checks and a calculated check per target, ties every record without moving a weight, and verifies clean", async () => {
    // Prepare
    const { config, switcher } = await controlZone(emulator.url);
    const urls = await endpoints(config);
    const admin = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    const before = await switcher.read();
    // Act
    const first = await linkDataPlane(config, urls, admin, switcher);
    const again = await linkDataPlane(config, urls, admin, switcher);
    const problems = await verifyDataPlane(config, urls, admin, switcher);
    // Assess
    expect(first.created).toHaveLength(6);
    expect(first.problems).toEqual([]);
    expect([...first.tied].sort()).toEqual(["api.example.com A failover", "api.example.com A primary"]);
    expect(again).toMatchObject({ created: [], tied: [] });
    const after = await switcher.read();
    expect(after.weights).toEqual(before.weights);
    expect(after.records["api.example.com"]?.primary?.HealthCheckId).toBe(first.calculated.primary);
    const checks = await admin.list();
    const signal = checks.find((check) => check.reference.endsWith(":primary:us-east-2:v1"));
    expect(signal?.spec).toMatchObject({
      Type: "HTTP_STR_MATCH",
      SearchString: "drain primary",
      Inverted: true,
      RequestInterval: 10,
      FailureThreshold: 1,
      ResourcePath: "/?target=primary",
    });
    expect(checks.find((check) => check.id === first.calculated.primary)?.spec).toMatchObject({
      Type: "CALCULATED",
      HealthThreshold: 2,
    });
    expect(problems).toEqual([]);
    // A compare-and-swap after linking keeps the records tied.
    await switcher.apply(after, { weights: { primary: 0, failover: 100 } });
    const moved = await switcher.read();
    expect(moved.weights).toEqual({ primary: 0, failover: 100 });
    expect(moved.records["api.example.com"]?.primary?.HealthCheckId).toBe(first.calculated.primary);
  }, 60_000);

  it("names a missing endpoint and a record without its health check", async () => {
    // Prepare: linked, then one endpoint moves and a fresh zone's records were never tied.
    const { config, switcher } = await controlZone(emulator.url);
    const urls = await endpoints(config);
    const admin = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    await linkDataPlane(config, urls, admin, switcher);
    const other = await controlZone(emulator.url);
    // Act
    const moved = (await verifyDataPlane(config, { ...urls, "us-west-1": "http://127.0.0.1:9" }, admin, switcher)).map(
      (link) => link.message,
    );
    const untied = (await verifyDataPlane(other.config, urls, admin, other.switcher)).map((link) => link.message);
    // Assess
    expect(moved.join("\n")).toMatch(/health check .* \(us-west-1\) points at the wrong thing: .*Port/);
    expect(moved.join("\n")).toMatch(/signal endpoint in us-west-1 unreachable/);
    expect(untied.join("\n")).toMatch(/record api\.example\.com is without a health check/);
  }, 60_000);
});
