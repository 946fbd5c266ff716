import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { practiceHistoryFor, practicePath } from "../../functions/lib/practice-history.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { replay } from "../../offline/replay/replay.ts";
import { loadScenario } from "../../offline/scenario.ts";
import { runCli } from "../support/cli-process.ts";
import { testConfig } from "./aws-fixtures.ts";

let emulator: Emulator;
let dir: string;
let env: Record<string, string>;
const config = testConfig("Z0PRACTICE");
const scenarios = new URL("../../scenarios/", import.meta.url);

beforeAll(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "failover-practice-"));
  const configPath = join(dir, "failover.config.json");
  writeFileSync(configPath, JSON.stringify(testConfig("Z0PRACTICE")));
  env = { ...emulator.env, FAILOVER_CONFIG_FILE: configPath };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await emulator?.stop();
});

describe("failover practice history against the emulator", () => {
  it("lists the runs newest first with outcome and the measured drain and restore times", async () => {
    // Prepare: the records of two replayed runs, stored by the deployed history adapter in both control regions
    const history = practiceHistoryFor(config, { endpoint: emulator.url });
    const runs = ["practice-succeeds", "practice-outcome-alarm"].map(
      (name) => replay(loadScenario(new URL(`${name}.json`, scenarios))).summary.practiceRuns[0],
    );
    const [succeeded, failed] = runs;
    if (succeeded === undefined || failed === undefined) throw new Error("expected a run in each scenario");
    // The second a day later, so the order is by start
    const later = { ...failed, id: "practice-primary-later", startedAt: failed.startedAt + 86400 };
    expect(await history.write(succeeded)).toEqual([]);
    expect(await history.write(later)).toEqual([]);
    // Act
    const text = await runCli(["practice", "history"], env);
    const json = await runCli(["practice", "history", "--json"], env);
    // Assess
    expect(text).toMatchObject({ code: 0, stderr: "" });
    const lines = text.stdout.split("\n");
    const row = (id: string) => lines.find((line) => line.includes(id)) ?? "";
    expect(lines.findIndex((l) => l.includes("practice-primary-later"))).toBeLessThan(
      lines.findIndex((l) => l.includes(succeeded.id)),
    );
    expect(row(succeeded.id)).toMatch(/SUCCEEDED\s+300\.0\s+0\.0\s+18\.0/);
    expect(row("practice-primary-later")).toContain("FAILED");
    expect(row("practice-primary-later")).toContain("outcome alarm app-5xx-rate (us-west-2): ALARM");
    const listed = JSON.parse(json.stdout) as Array<{ id: string; outcome: string; times: Record<string, number> }>;
    expect(listed.map((r) => [r.id, r.outcome])).toEqual([
      ["practice-primary-later", "FAILED"],
      [succeeded.id, "SUCCEEDED"],
    ]);
    expect(listed[1]?.times).toEqual(succeeded.times);
  });

  it("keeps the furthest-along copy when the control regions differ, and names a copy that is not a record", async () => {
    // Prepare: one region still holds the run as PENDING, the other as ended; a stray parameter beside them
    const [east, west] = config.controlRegions;
    const stores = new Map(
      config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })]),
    );
    const history = practiceHistoryFor({ ...config, name: "split" }, { endpoint: emulator.url });
    const pending = {
      v: 1 as const,
      id: "practice-failover-1",
      target: "failover",
      percent: 100,
      by: "schedule",
      outcome: "PENDING" as const,
      reason: "in progress",
      startedAt: 1_800_000_000,
      alarms: [],
      times: { drainDecided: 1_800_000_000 },
    };
    await stores.get(east ?? "")?.put(`${practicePath("split")}/${pending.id}`, JSON.stringify(pending));
    const ended = {
      ...pending,
      outcome: "SUCCEEDED" as const,
      endedAt: 1_800_001_800,
      times: { ...pending.times, restoreDecided: 1_800_001_800 },
    };
    await stores.get(west ?? "")?.put(`${practicePath("split")}/${pending.id}`, JSON.stringify(ended));
    await stores.get(west ?? "")?.put(`${practicePath("split")}/stray`, "not json");
    // Act
    const { records, problems } = await history.list();
    // Assess
    expect(records).toEqual([ended]);
    expect(problems).toEqual([`${west}: ${practicePath("split")}/stray is not a practice record; left out`]);
  });
});
