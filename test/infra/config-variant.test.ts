import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exampleConfigPath, loadConfig, mergeConfig, readJsonFile } from "../../functions/lib/config.ts";
import { checkAlarms, checkProbes } from "./checks.ts";
import { buildAppUnderMocks, type BuiltApp } from "./sst-harness.ts";

// The app built from a config with eu-west-1 dropped: it must follow its
// config, and the checks must notice when it no longer matches the full one.
const dir = mkdtempSync(join(tmpdir(), "infra-variant-"));
const variantFile = join(dir, "two-vantages.json");
let app: BuiltApp;

beforeAll(async () => {
  writeFileSync(
    variantFile,
    JSON.stringify(mergeConfig(readJsonFile(exampleConfigPath, "config"), { vantages: ["us-east-1", "us-west-2"] })),
  );
  app = await buildAppUnderMocks({ configFile: variantFile });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("builds probes and vantage alarms for the configured vantages only", () => {
  const variant = loadConfig(variantFile);

  expect(checkProbes(app, variant)).toEqual([]);
  expect(checkAlarms(app.resources, variant)).toEqual([]);
});

it("is flagged against the full config: the eu-west-1 probe and its alarms are missing", () => {
  const full = loadConfig();

  expect(checkProbes(app, full)).toEqual(["vantage eu-west-1: expected 1 probe function in eu-west-1, found 0"]);
  expect(checkAlarms(app.resources, full)).toEqual(
    expect.arrayContaining([
      "us-east-2: alarm regional-failover-vantage-silent-eu-west-1 is missing",
      "us-west-1: alarm regional-failover-vantage-silent-eu-west-1 is missing",
    ]),
  );
});
