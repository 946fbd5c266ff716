import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSignalEndpoint } from "../../drill/signal-endpoint.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { linkDataPlane, verifyDataPlane } from "../../functions/lib/dataplane-link/link.ts";
import { controlZone, emulatorPerFile } from "../support/control-fixtures.ts";
import { startSignalEndpoints } from "../support/signal-endpoints.ts";
import { CreateHealthCheckCommand, DeleteHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
  CANARY_TARGET,
  cutHealthCheckReference,
  signalCheckSpec,
} from "../../functions/lib/dataplane/health-checks.ts";
import { fastRetry, testTargets } from "./aws-fixtures.ts";
import { startFaultProxy } from "../../emulator/aws-fault-proxy.ts";

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
const endpoints = (config: Awaited<ReturnType<typeof controlZone>>["config"]) =>
  startSignalEndpoints(config, emulator.url, closers);

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
    expect(first.created).toHaveLength(8);
    expect(first.problems).toEqual([]);
    expect([...first.tied].sort()).toEqual(["api.example.com A failover", "api.example.com A primary"]);
    expect(again).toMatchObject({ created: [], tied: [] });
    const after = await switcher.read();
    expect(after.weights).toEqual(before.weights);
    expect(after.records["api.example.com"]?.primary?.HealthCheckId).toBe(first.calculated.primary);
    const checks = await admin.list();
    const signal = checks.find((check) => check.reference.endsWith(":primary:us-east-2:v1"));
    expect(signal?.spec).toMatchObject({
      Type: "HTTP",
      Inverted: true,
      RequestInterval: 10,
      FailureThreshold: 1,
      ResourcePath: "/?target=primary",
    });
    expect(signal?.spec.SearchString).toBeUndefined();
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

  it("creates one canary check per control region, tied to no record, that the signal endpoint always answers drain, and verify names a missing or serving canary", async () => {
    // Prepare
    const { config, switcher } = await controlZone(emulator.url);
    const urls = await endpoints(config);
    const admin = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    // Act
    const linked = await linkDataPlane(config, urls, admin, switcher);
    const answer = await fetch(`${urls["us-east-2"]}/?target=${CANARY_TARGET}`);
    // Assess
    expect(Object.keys(linked.canary).sort()).toEqual(["us-east-2", "us-west-1"]);
    const checks = await admin.list();
    const canary = checks.find((check) => check.id === linked.canary["us-west-1"]);
    expect(canary?.spec).toMatchObject({
      Type: "HTTP",
      RequestInterval: 30,
      Inverted: true,
      ResourcePath: "/?target=_canary",
      Port: Number(new URL(urls["us-west-1"] as string).port),
    });
    const tiedTo = Object.values((await switcher.read()).records).flatMap((sets) =>
      Object.values(sets).map((set) => set.HealthCheckId),
    );
    expect(tiedTo.some((id) => Object.values(linked.canary).includes(id as string))).toBe(false);
    expect(await answer.text()).toBe("drain _canary\n");
    expect(await verifyDataPlane(config, urls, admin, switcher)).toEqual([]);

    // Act: the west canary check deleted, and the east endpoint replaced by one that answers serve for it.
    await new Route53Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }).send(new DeleteHealthCheckCommand({ HealthCheckId: linked.canary["us-west-1"] }));
    const serving = await startSignalEndpoint("us-east-2", async (event) => ({
      statusCode: 200,
      headers: {},
      body: `serve ${event.queryStringParameters?.target}\n`,
    }));
    closers.push(() => serving.close());
    const broken = await verifyDataPlane(config, { ...urls, "us-east-2": serving.url }, admin, switcher);
    // Assess
    const canaryLinks = broken.filter((link) => link.link === "canary").map((link) => link.message);
    expect(canaryLinks).toEqual([
      expect.stringMatching(
        /^canary health check \S+ \(us-east-2\) points at the wrong thing: Port \d+, expected \d+$/,
      ),
      'the signal endpoint of us-east-2 does not answer 200 "drain _canary" for the canary (HTTP 200): the canary check reads "serve" and its alarm fires',
      "no canary health check for control region us-west-1",
    ]);
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

  it("gives every check its own caller reference with a long name and long target ids: a rerun creates nothing, each calculated check has one child per region, and an older cut-reference check is named for deletion", async () => {
    // Prepare: 32-character name and target ids that only differ after the 60th character of the reference.
    const ids = ["checkout-primary-us-east-1-blue", "checkout-primary-us-east-1-green"];
    const targets = testTargets({ primary: 90, failover: 10 }).map((target, index) => ({
      ...target,
      id: ids[index] as string,
    }));
    const { config, switcher } = await controlZone(emulator.url, { name: "payments-platform-eu-production1", targets });
    const urls = await endpoints(config);
    const admin = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    // An older version's check, made under the reference cut at 60 characters that every check shared.
    const cut = cutHealthCheckReference(config, ids[0] as string, "us-east-2") as string;
    const route53 = new Route53Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const old = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: cut,
        HealthCheckConfig: signalCheckSpec(ids[0] as string, urls["us-east-2"] as string),
      }),
    );
    // Act
    const first = await linkDataPlane(config, urls, admin, switcher);
    const again = await linkDataPlane(config, urls, admin, switcher);
    const problems = await verifyDataPlane(config, urls, admin, switcher);
    // Assess
    expect(new Set(first.created).size).toBe(8);
    expect(first.created.every((reference) => reference.length <= 60)).toBe(true);
    expect(again).toMatchObject({ created: [], repaired: [], tied: [] });
    const checks = await admin.list();
    expect(checks).toHaveLength(9);
    for (const id of ids) {
      const children = checks.find((check) => check.id === first.calculated[id])?.spec.ChildHealthChecks ?? [];
      expect(new Set(children).size).toBe(2);
    }
    expect(first.calculated[ids[0] as string]).not.toBe(first.calculated[ids[1] as string]);
    expect(first.problems).toEqual([
      expect.stringContaining(`health check ${old.HealthCheck?.Id} (${cut}) was made by an older version`),
    ]);
    expect(problems).toEqual([]);
  }, 60_000);

  it("a tie batch applied whose answer was lost reads the records back tied and completes, not 'another writer'", async () => {
    // Prepare: the health-check admin talks through a proxy that forwards the first tie batch, then drops its answer
    const { config, switcher } = await controlZone(emulator.url);
    const urls = await endpoints(config);
    const proxy = await startFaultProxy(emulator.url);
    closers.push(() => proxy.close());
    const admin = new HealthCheckAdmin(config, { endpoint: proxy.url, retry: fastRetry });
    proxy.inject([{ kind: "drop-after-forward" }], /^POST .*\/rrset/);
    // Act
    const linked = await linkDataPlane(config, urls, admin, switcher);
    // Assess
    expect([...linked.tied].sort()).toEqual(["api.example.com A failover", "api.example.com A primary"]);
    expect(linked.problems).toEqual([
      expect.stringMatching(
        /^tying primary's records to health check .* lost Route 53's answer .*reading them back shows them tied, weights unchanged$/,
      ),
    ]);
    const after = await switcher.read();
    expect(after.weights).toEqual({ primary: 90, failover: 10 });
    expect(after.records["api.example.com"]?.primary?.HealthCheckId).toBe(linked.calculated.primary);
  }, 60_000);
});
