import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../functions/lib/config.ts";
import { signalConcurrencyEnv } from "../../stacks/settings.ts";
import { checkControl, functionViews } from "./checks.ts";
import { buildAppUnderMocks, type BuiltApp } from "./sst-harness.ts";

// Reserved concurrency of the signal endpoints is opt-in: the default app (app.test.ts) reserves none,
// so a new account (quota 10) can deploy; this one asks for 10.
let app: BuiltApp;
const before = process.env[signalConcurrencyEnv];

beforeAll(async () => {
  process.env[signalConcurrencyEnv] = "10";
  app = await buildAppUnderMocks({ stage: "ci" });
});
afterAll(() => {
  if (before === undefined) delete process.env[signalConcurrencyEnv];
  else process.env[signalConcurrencyEnv] = before;
});

it("reserves the asked concurrency on every signal endpoint when the deploy sets it", () => {
  const config = loadConfig();
  const reserved = functionViews(app)
    .filter((view) => view.kind === "signal")
    .map((view) => [view.region, view.fn.inputs.reservedConcurrentExecutions]);

  expect(reserved).toEqual(config.controlRegions.map((region) => [region, 10]));
  expect(checkControl(app, config, "ci")).toEqual([]);
});

it("is flagged when the deploy asked for none", () => {
  delete process.env[signalConcurrencyEnv];

  expect(checkControl(app, loadConfig(), "ci").filter((p) => p.includes("reserves 10"))).toHaveLength(2);
});
