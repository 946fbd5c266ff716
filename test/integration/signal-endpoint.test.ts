import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { CANARY_TARGET, checkerSucceeds, drainMarker } from "../../functions/lib/dataplane/health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { parseConfig, readJsonFile, exampleConfigPath } from "../../functions/lib/config.ts";
import { SignalStore, signalParameterNames } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { SIGNAL_STALE_SECONDS } from "../../functions/lib/dataplane/signal-union.ts";
import { drainDocument } from "../support/control-fixtures.ts";

const config = parseConfig(readJsonFile(exampleConfigPath, "config"));
const [east, west] = config.controlRegions as [string, string];
const quiet = createLogger({ write: () => {}, level: "error" });

let emulator: Emulator;
let store: SignalStore;
beforeAll(async () => {
  emulator = await startEmulator();
  // moto imports its SSM backend on the first call (seconds on a busy machine): warm it outside the tests.
  const warm = new ParameterStore({
    region: east,
    endpoint: emulator.url,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  });
  await warm.get("/warm-up");
}, 60_000);
beforeEach(async () => {
  await emulator.reset();
  store = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })])),
  );
});
afterAll(async () => {
  await emulator?.stop();
});

/** A signal store whose every read fails: its SSM is a closed port. */
const unreadableStore = () =>
  new SignalStore(
    config,
    new Map(
      config.controlRegions.map((region) => [
        region,
        new ParameterStore({ region, endpoint: "http://127.0.0.1:9", retry: { budgetMs: 300 } }),
      ]),
    ),
  );

const ask = (handler: ReturnType<typeof createSignalHandler>, target: string) =>
  handler({ queryStringParameters: { target } });

describe("signal endpoint over SSM Parameter Store (emulator)", () => {
  it("answers serve while nothing was ever signalled", async () => {
    // Prepare
    const handler = createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet });
    // Act
    const answer = await ask(handler, "primary");
    // Assess
    expect(answer).toMatchObject({ statusCode: 404, body: "serve primary\n" });
  });

  it("answers drain for a target the deciders signalled, in every control region", async () => {
    // Prepare
    const writes = await store.publish(drainDocument(east, ["primary"]));
    // Act
    const answers = await Promise.all(
      config.controlRegions.map((region) =>
        ask(createSignalHandler({ config, region, store, cacheMs: 0, log: quiet }), "primary"),
      ),
    );
    const other = await ask(createSignalHandler({ config, region: west, store, cacheMs: 0, log: quiet }), "failover");
    // Assess
    expect(writes.every((write) => write.ok)).toBe(true);
    for (const answer of answers) expect(answer.body).toContain(drainMarker("primary"));
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    expect(other).toMatchObject({ statusCode: 404, body: "serve failover\n" });
    expect(other.body).not.toContain(drainMarker("failover"));
  });

  it("answers 503 (never drain) when its store cannot be read", async () => {
    // Prepare: a store pointed at a closed port.
    const dead = unreadableStore();
    const handler = createSignalHandler({ config, region: east, store: dead, cacheMs: 0, log: quiet });
    // Act
    const answer = await ask(handler, "primary");
    // Assess
    expect(answer.statusCode).toBe(503);
    expect(answer.body).not.toContain("drain");
  });

  it("refuses an unknown target with 404, naming the known ones", async () => {
    const handler = createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet });
    const answer = await ask(handler, "mars");
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain("primary, failover");
  });

  it("reuses one store read within the cache time", async () => {
    // Prepare
    const handler = createSignalHandler({ config, region: east, store, cacheMs: 60_000, log: quiet });
    await ask(handler, "primary");
    await store.publish(drainDocument(east, ["primary"]));
    // Act
    const cachedAnswer = await ask(handler, "primary");
    // Assess: the cached read still says serve; a fresh handler sees the drain.
    expect(cachedAnswer.body).toBe("serve primary\n");
    const fresh = await ask(createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet }), "primary");
    expect(fresh.body).toBe("drain primary\n");
  });

  it("drains on the union of the deciders' documents: one decider writing serve cannot take back the other's drain", async () => {
    // Prepare: east drains primary; west, with an older view, writes its own document draining nothing.
    await store.publish(drainDocument(east, ["primary"]));
    await store.publish(drainDocument(west, []));
    // Act
    const answers = await Promise.all(
      config.controlRegions.map((region) =>
        ask(createSignalHandler({ config, region, store, cacheMs: 0, log: quiet }), "primary"),
      ),
    );
    // Assess
    expect(answers.map((answer) => answer.body)).toEqual(["drain primary\n", "drain primary\n"]);
  });

  it("counts a document older than the staleness bound as serve (a drain nobody rewrites ends by itself)", async () => {
    // Prepare: a drain written just over five minutes ago and never rewritten (its decider died).
    const now = Math.floor(Date.now() / 1000);
    await store.publish(drainDocument(east, ["primary"], now - SIGNAL_STALE_SECONDS - 1));
    await store.publish(drainDocument(west, ["failover"], now - SIGNAL_STALE_SECONDS + 30));
    // Act
    const handler = createSignalHandler({ config, region: west, store, cacheMs: 0, log: quiet });
    const [primary, failover] = [await ask(handler, "primary"), await ask(handler, "failover")];
    // Assess: the stale one serves, the fresh one still drains.
    expect(primary.body).toBe("serve primary\n");
    expect(failover.body).toBe("drain failover\n");
  });

  it("serves a target an active override lease gives traffic, whatever the deciders' documents say, until it ends", async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    await store.publish(drainDocument(east, ["primary"]));
    await store.publishOverride({ v: 2, at: now, by: "manual", lease: "lease-1", serve: ["primary"], until: now + 60 });
    const handler = createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet });
    // Act
    const during = await ask(handler, "primary");
    await store.publishOverride({ v: 2, at: now, by: "manual", lease: "lease-1", serve: ["primary"], until: now });
    const after = await ask(handler, "primary");
    // Assess
    expect(during.body).toBe("serve primary\n");
    expect(after.body).toBe("drain primary\n");
  });

  it("answers 2xx only for a fresh drain and the canary: serve, unknown or malformed queries, stale documents, an override and a garbled store all answer 4xx/5xx", async () => {
    // Prepare: east drains primary (fresh); west's document drains failover but is stale; a lease serves primary
    // in one handler's view; a store holding a garbled document; a store that cannot be read.
    const now = Math.floor(Date.now() / 1000);
    const handler = () => createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet });
    const dead = unreadableStore();
    const malformed = [
      undefined,
      {},
      { queryStringParameters: null },
      { queryStringParameters: {} },
      { queryStringParameters: { target: "" } },
      { queryStringParameters: { target: "PRIMARY" } },
      { queryStringParameters: { target: " primary" } },
      { queryStringParameters: { target: "primary,failover" } },
      { queryStringParameters: { target: "drain primary" } },
      { queryStringParameters: { target: "_canary2" } },
      { queryStringParameters: { target: "__proto__" } },
      { queryStringParameters: { other: "primary" } },
      { queryStringParameters: { target: 1 as unknown as string } },
    ];

    // Act
    await store.publish(drainDocument(east, ["primary"], now));
    await store.publish(drainDocument(west, ["failover"], now - SIGNAL_STALE_SECONDS - 1));
    const drained = await ask(handler(), "primary");
    const canary = await ask(handler(), CANARY_TARGET);
    const stale = await ask(handler(), "failover");
    const odd = await Promise.all(malformed.map((event) => handler()(event)));
    await store.publishOverride({ v: 2, at: now, by: "manual", lease: "l", serve: ["primary"], until: now + 60 });
    const overridden = await ask(handler(), "primary");
    const unreadable = await ask(
      createSignalHandler({ config, region: east, store: dead, cacheMs: 0, log: quiet }),
      "primary",
    );
    const parameters = new ParameterStore({ region: east, endpoint: emulator.url });
    for (const name of Object.values(signalParameterNames(config).deciders)) await parameters.put(name, "{not json");
    const garbled = await ask(handler(), "failover");

    // Assess: Route 53 reads 2xx/3xx as success, which the inverted check turns into a drain.
    expect([drained.statusCode, canary.statusCode]).toEqual([200, 200]);
    const others = {
      stale,
      overridden,
      unreadable,
      garbled,
      ...Object.fromEntries(odd.map((a, i) => [`malformed ${i}`, a])),
    };
    for (const [name, answer] of Object.entries(others))
      expect({ name, drains: checkerSucceeds(answer.statusCode), body: answer.body.startsWith("drain") }).toEqual({
        name,
        drains: false,
        body: false,
      });
  });
});
