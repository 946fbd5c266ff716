import { describe, expect, it } from "vitest";
import { dataPlaneDelaySeconds } from "../../../../functions/lib/dataplane/timing.ts";
import { ValidationError } from "../../../../functions/lib/errors.ts";
import { replay, SCENARIO_EPOCH } from "../../../../offline/replay/replay.ts";
import { loadScenario, parseScenario } from "../../../../offline/scenario.ts";

const dir = new URL("../../../../scenarios/", import.meta.url);
const load = (name: string) => loadScenario(new URL(`${name}.json`, dir));
/** Scenario seconds of an epoch time. */
const sec = (epoch: number | undefined) => (epoch ?? Number.NaN) - SCENARIO_EPOCH;

describe("practice runs in the replay", () => {
  it("runs a practice run that succeeds: the configured length within one round, weights back through the ramp, no failover counted", () => {
    // Prepare
    const scenario = load("practice-succeeds");
    const interval = scenario.resolvedConfig.probe.intervalSeconds;
    // Act
    const { summary, timeline } = replay(scenario);
    // Assess
    const [run] = summary.practiceRuns;
    expect(run).toMatchObject({ outcome: "SUCCEEDED", target: "primary", by: "schedule" });
    const length = sec(run?.times.restoreDecided) - sec(run?.times.drainDecided);
    expect(length).toBeGreaterThanOrEqual(300);
    expect(length).toBeLessThanOrEqual(300 + interval);
    expect(summary).toMatchObject({ failovers: 0, failbacks: 0, falseSwitches: 0 });
    expect(summary.finalWeights).toEqual({ primary: 90, failover: 10 });
    // The run's start and end are on the timeline as practice, apart from incidents
    expect(timeline.filter((e) => e.practice === run?.id).map((e) => e.kind)).toEqual([
      "practice-start",
      "practice-end",
    ]);
    expect(sec(run?.times.dnsChanged)).toBeGreaterThanOrEqual(sec(run?.times.drainDecided));
  });

  it("ends a run FAILED on its outcome alarm and restores the weights within a round plus the health checks' change", () => {
    // Prepare
    const scenario = load("practice-outcome-alarm");
    const alarmAt = scenario.alarms[0]?.at ?? 0;
    const interval = scenario.resolvedConfig.probe.intervalSeconds;
    // Act
    const { summary, timeline } = replay(scenario);
    // Assess
    const [run] = summary.practiceRuns;
    expect(run).toMatchObject({ outcome: "FAILED", reason: "outcome alarm app-5xx-rate (us-west-2): ALARM" });
    expect(run?.alarms).toEqual([{ at: SCENARIO_EPOCH + alarmAt, alarm: "app-5xx-rate (us-west-2)", state: "ALARM" }]);
    expect(sec(run?.times.restoreDecided) - alarmAt).toBeLessThanOrEqual(interval + 1);
    // Records at once; the practice's drain signal is cleared a round after them and seen by the checks later
    expect(sec(run?.times.restoreDnsChanged) - alarmAt).toBeLessThanOrEqual(2 * interval + dataPlaneDelaySeconds() + 1);
    expect(timeline.at(-1)?.weights).toEqual({ primary: 90, failover: 10 });
  });

  it("ends a run INTERRUPTED by a real outage, whose drain is as fast as without the practice run", () => {
    // Prepare
    const scenario = load("practice-real-outage");
    const without = { ...scenario, resolvedConfig: { ...scenario.resolvedConfig, practice: undefined } };
    // Act
    const practised = replay(scenario).summary;
    const plain = replay(without).summary;
    // Assess
    expect(practised.practiceRuns[0]).toMatchObject({ outcome: "INTERRUPTED", reason: "a real failover decision" });
    expect(practised.detectSeconds).toEqual(plain.detectSeconds);
    expect(practised.failovers).toBe(1);
    expect(practised.missedOutages).toBe(0);
    expect(sec(practised.practiceRuns[0]?.times.restoreDecided)).toBeLessThanOrEqual(
      150 + (plain.detectSeconds[0] ?? 0),
    );
  });

  it("ends a run INTERRUPTED by on-call's override, whose weights win", () => {
    // Prepare
    const scenario = load("practice-override");
    const interval = scenario.resolvedConfig.probe.intervalSeconds;
    // Act
    const { summary } = replay(scenario);
    // Assess
    const [run] = summary.practiceRuns;
    expect(run).toMatchObject({ outcome: "INTERRUPTED", reason: "override lease manual-120" });
    expect(sec(run?.times.restoreDecided) - 120).toBeLessThanOrEqual(interval + 1);
    expect(summary).toMatchObject({ failovers: 0, falseSwitches: 0, finalWeights: { primary: 90, failover: 10 } });
  });

  it("refuses an alarm step naming no practice alarm, naming the field and the alarms there are", () => {
    // Prepare
    const raw = {
      name: "x",
      durationSeconds: 60,
      alarms: [{ at: 5, name: "other", region: "us-east-1", state: "ALARM" }],
    };
    // Act
    const withoutPractice = () => parseScenario(raw);
    const withPractice = () =>
      parseScenario({
        ...raw,
        config: { practice: { targets: ["primary"], outcomeAlarms: [{ name: "app-5xx", region: "us-west-2" }] } },
      });
    // Assess
    expect(withoutPractice).toThrow(ValidationError);
    expect(withoutPractice).toThrow("alarms[0]: expected a practice alarm, but the config has no practice block");
    expect(withPractice).toThrow(
      "alarms[0]: expected one of the config's practice alarms (app-5xx (us-west-2)), got other (us-east-1)",
    );
  });
});
