import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { drainMarker } from "../../functions/lib/dataplane/health-checks.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { parseConfig, readJsonFile, exampleConfigPath } from "../../functions/lib/config.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
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

const ask = (handler: ReturnType<typeof createSignalHandler>, target: string) =>
  handler({ queryStringParameters: { target } });

describe("signal endpoint over SSM Parameter Store (emulator)", () => {
  it("answers serve while nothing was ever signalled", async () => {
    // Prepare
    const handler = createSignalHandler({ config, region: east, store, cacheMs: 0, log: quiet });
    // Act
    const answer = await ask(handler, "primary");
    // Assess
    expect(answer).toMatchObject({ statusCode: 200, body: "serve primary\n" });
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
    expect(other.body).toBe("serve failover\n");
    expect(other.body).not.toContain(drainMarker("failover"));
  });

  it("answers 503 (never drain) when its store cannot be read", async () => {
    // Prepare: a store pointed at a closed port.
    const dead = new SignalStore(
      config,
      new Map(
        config.controlRegions.map((region) => [
          region,
          new ParameterStore({ region, endpoint: "http://127.0.0.1:9", retry: { budgetMs: 300 } }),
        ]),
      ),
    );
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
});
