import { describe, expect, it } from "vitest";
import { renderReport } from "../../../drill/report.ts";
import { faults } from "./fixtures.ts";

describe("drill report", () => {
  it("renders a self-contained report with both charts", () => {
    // Prepare
    const startMs = Date.UTC(2025, 7, 6, 2, 30);
    // Act
    const html = renderReport({
      scenario: { name: "unit", durationSeconds: 1000 },
      startMs,
      targets: ["primary", "failover"],
      vantages: ["us-east-1", "us-west-2", "eu-west-1"],
      weights: [
        { at: startMs, weights: { primary: 90, failover: 10 } },
        { at: startMs + 120_000, weights: { primary: 0, failover: 100 } },
      ],
      faults,
      switches: [{ at: startMs + 120_000, text: "drained primary (90→0), failover 10→100" }],
      clientMinutes: [{ at: startMs + 60_000, target: "primary", requests: 20, errors: 7 }],
      slackMessages: [{ at: startMs + 121_000, text: "ALARM <switchover>" }],
      timeline: [],
      figures: { failovers: "1" },
      ok: true,
    });
    // Assess
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain("ALARM &lt;switchover&gt;");
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it("shows the Route 53 API outage in the fault lane, apart from the faults that hit clients", () => {
    // Prepare
    const startMs = Date.UTC(2025, 7, 6, 2, 30);
    // Act
    const html = renderReport({
      scenario: { name: "unit", durationSeconds: 1000 },
      startMs,
      targets: ["primary", "failover"],
      vantages: ["us-east-1"],
      weights: [{ at: startMs, weights: { primary: 90, failover: 10 } }],
      faults: [{ start: 0, end: 600, kind: "route53-api-down" }],
      switches: [],
      clientMinutes: [],
      slackMessages: [],
      timeline: [],
      figures: {},
      ok: true,
    });
    // Assess: labelled and titled in the lane, purple, and no client-fault shading in the errors chart.
    expect(html).toContain(">Route 53 API down<title>");
    expect(html).toContain("Route 53 API down: every control-plane call fails");
    expect(html).toContain('fill="#6a3d9a"');
    expect(html).not.toContain('fill-opacity="0.16"');
  });
});
