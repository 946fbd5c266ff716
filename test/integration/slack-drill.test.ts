import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrill, type DrillResult } from "../../drill/run-drill.ts";
import { loadScenario } from "../../offline/scenario.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slack-drill-test-"));

describe("drill with on-call working only from Slack (scenarios/slack-drill.json)", () => {
  let result: DrillResult;
  beforeAll(async () => {
    result = await runDrill({
      scenario: loadScenario(join(root, "scenarios/slack-drill.json")),
      speed: 20,
      outDir: join(work, "slack"),
      write: () => undefined,
      // What reaches Slack does not depend on speed: a busy machine runs the steps late instead of stopping.
      loadGuard: false,
    });
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("meets the Slack expectation: one lease per confirmed change, one alert message each, audit naming the Slack user", () => {
    const slack = result.summary.expectations.find((expectation) => expectation.name === "slackChanges");

    // The detail first: it says what went wrong.
    expect(slack?.detail).toBe(
      "2 confirmed Slack change(s) (expected 2), each with one lease, one alert-channel message and the Slack user in its audit entry",
    );
    expect(slack?.ok).toBe(true);
  });

  it("tells the alert channel the drain and the release once each, by the Slack user", () => {
    const texts = result.summary.slackMessages.map((message) => message.text);

    expect(texts.filter((text) => text.startsWith("Override taken"))).toEqual([
      expect.stringMatching(/^Override taken: drain primary: primary 90 → 0, failover 10 → 100\. By slack:U0DRILL01: /),
    ]);
    expect(texts.filter((text) => text.startsWith("Override released"))).toEqual([
      expect.stringMatching(/By slack:U0DRILL01: drill: practice over\.$/),
    ]);
  });
});
