import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replay } from "../../offline/replay/replay.ts";
import { loadScenario } from "../../offline/scenario.ts";
import { runDrill, type DrillResult } from "../../drill/run-drill.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const shortScenario = join(root, "scenarios/short-drill.json");
const work = mkdtempSync(join(tmpdir(), "drill-test-"));

/** Runs `npm run drill`'s entry point as a child in its own process group. */
function spawnDrill(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "drill/main.ts"), ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("drill with on-call's manual changes (scenarios/manual-drill.json)", () => {
  let manual: DrillResult;
  beforeAll(async () => {
    manual = await runDrill({
      scenario: loadScenario(join(root, "scenarios/manual-drill.json")),
      speed: 20,
      outDir: join(work, "manual"),
      write: () => undefined,
      // What is told to Slack does not depend on speed: a busy machine runs the steps late instead of stopping before the release.
      loadGuard: false,
    });
  }, 90_000);

  it("tells Slack a manual promote and its release exactly once each (who, why, from → to, until when) and counts each as one on-call change", () => {
    const texts = manual.summary.slackMessages.map((message) => message.text);
    const taken = texts.filter((text) => text.startsWith("Override taken"));
    const released = texts.filter((text) => text.startsWith("Override released"));
    expect(taken).toEqual([
      expect.stringMatching(
        /^Override taken: promote failover: primary 90 → 0, failover 10 → 100\. By drill-oncall: drill: practising a manual failover\. Until 2025-08-06 02:4\d:\d\d UTC\.$/,
      ),
    ]);
    // The weights it moves depend on the probes' votes at that moment; the message is what must be there once.
    expect(released).toEqual([
      expect.stringMatching(
        /^Override released: the automatic policy decides again: .*\. By drill-oncall: drill: practice over\.$/,
      ),
    ]);
    // Each of on-call's changes counted once as intended, whatever the deciders did meanwhile.
    expect(manual.summary.onCallChanges).toBe(2);
    // No count of all events nor final-weights check: with the guard off, a busy machine's probes time out, so the
    // deciders may switch (their own events) and the release may rightly keep 0/100. The drill's verdict checks those.
  });
});

describe("drill", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let result: DrillResult;
  beforeAll(async () => {
    // 300 simulated seconds at 20x: about 17 s of wall time.
    result = await runDrill({
      scenario: loadScenario(shortScenario),
      speed: 20,
      outDir: join(work, "short"),
      write: () => undefined,
    });
  }, 60_000);

  it("runs the short scenario end to end and meets its expectations", () => {
    const { summary } = result;
    expect(summary.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.failovers).toBe(1);
    expect(summary.finalWeights).toEqual({ primary: 90, failover: 10 });
    expect(summary.drill.clientRequests).toBeGreaterThan(100);
    expect(summary.slackMessages.some((message) => message.text.startsWith("Failover: primary drained"))).toBe(true);
    expect(summary.drill.problems).toEqual([]);
  });

  it("tells Slack each weight change once, in order, and never says Cleared while traffic is off its normal weights", () => {
    const { summary } = result;
    const events = summary.slackMessages.filter((message) => !message.text.startsWith("["));
    expect(events.map((message) => message.text.split(":")[0])).toEqual(["Failover", "Failback", "Failback complete"]);
    // One event per change of the record weights; DNS answers change once more, when the health check clears.
    expect(events).toHaveLength(summary.drill.dnsChanges.filter((change) => change.path === "records").length);
    const lastAt = (prefix: string) => summary.slackMessages.findIndex((message) => message.text.startsWith(prefix));
    const cleared = summary.slackMessages.findIndex((message) => message.text.includes("Cleared"));
    if (cleared >= 0) expect(cleared).toBeGreaterThan(lastAt("Failback complete"));
  });

  it("announces each alarm change once in Slack, from the first control region, though both regions alarm", () => {
    const { summary } = result;
    const [first, second] = loadScenario(shortScenario).resolvedConfig.controlRegions;
    const changesIn = (region: string | undefined) =>
      summary.drill.alarms.filter((alarm) => alarm.region === region).map((alarm) => `${alarm.alarm} ${alarm.to}`);
    const announcing = new Set(
      alarmDefinitions(loadScenario(shortScenario).resolvedConfig, first ?? "")
        .filter((alarm) => alarm.announce)
        .map((alarm) => alarm.name),
    );
    expect(changesIn(first).length).toBeGreaterThan(0);
    expect(changesIn(second)).toEqual(changesIn(first));
    const alarmMessages = summary.slackMessages.filter((message) => message.text.startsWith("["));
    expect(alarmMessages).toHaveLength(
      changesIn(first).filter((change) => announcing.has(change.split(" ")[0] ?? "")).length,
    );
    expect(summary.slackMessages.filter((message) => message.text.includes("did not announce"))).toEqual([]);
  });

  it("agrees with the replay on failovers, failbacks and detection within one probe round", () => {
    // Prepare
    const scenario = loadScenario(shortScenario);
    // Act
    const replayed = replay(scenario).summary;
    // Assess
    const drilled = result.summary;
    expect(Object.keys(drilled)).toEqual(expect.arrayContaining(Object.keys(replayed)));
    expect(drilled.failovers).toBe(replayed.failovers);
    expect(drilled.failbacks).toBe(replayed.failbacks);
    expect(drilled.detectSeconds).toHaveLength(replayed.detectSeconds.length);
    drilled.detectSeconds.forEach((seconds, index) => {
      expect(Math.abs(seconds - (replayed.detectSeconds[index] ?? Infinity))).toBeLessThanOrEqual(
        scenario.resolvedConfig.probe.intervalSeconds,
      );
    });
  });

  it("measures the AWS calls and wall time of each steady and switch round of the deciders", () => {
    const { roundCost } = result.summary.drill;
    const switchRounds = result.summary.drill.dnsChanges.filter((change) => change.path === "records").length;
    // Every steady round reads the records and the votes; a switch round also writes the records and announces.
    expect(roundCost.steady?.rounds).toBeGreaterThan(20);
    expect(roundCost.steady?.callsByService.route53).toBeGreaterThanOrEqual(1);
    expect(roundCost.steady?.callsByService.monitoring).toBeGreaterThan(0);
    expect(roundCost.switch?.rounds).toBe(switchRounds);
    expect(roundCost.switch?.calls.mean).toBeGreaterThan(roundCost.steady?.calls.mean ?? Infinity);
    expect(roundCost.switch?.callsByService.sns).toBeGreaterThanOrEqual(1);
    expect(roundCost.steady?.wallMs.median).toBeGreaterThan(0);
    expect(roundCost.slotWallMs).toBe(500);
  });

  it("writes summary.json and a self-contained report.html with the charts", () => {
    const summary = JSON.parse(readFileSync(result.files.summary, "utf8")) as {
      wallSeconds: number;
      slackMessages: unknown[];
    };
    const html = readFileSync(result.files.report, "utf8");
    expect(summary.wallSeconds).toBeGreaterThan(0);
    expect(summary.slackMessages.length).toBeGreaterThan(0);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it("refuses a malformed scenario with exit 2, naming the field", async () => {
    // Prepare
    const bad = join(work, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ name: "bad", durationSeconds: 60, faults: [{ start: 0, end: 10, kind: "meteor" }] }),
    );
    // Act
    const drill = spawnDrill(["--scenario", bad, "--out", join(work, "bad-out")]);
    const code = await drill.exited;
    // Assess
    const { stderr } = drill.output();
    expect(code).toBe(2);
    expect(stderr).toContain("faults[0].kind");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(work, "bad-out"))).toBe(false);
  }, 30_000);

  it("leaves no process behind when interrupted", async () => {
    // Prepare: start a drill and wait until its emulator runs.
    const drill = spawnDrill(["--scenario", shortScenario, "--speed", "5", "--out", join(work, "interrupted")]);
    const pgid = drill.child.pid as number;
    for (let i = 0; i < 300 && !/emulator started \(pid \d+\)/.test(drill.output().stdout); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const emulatorPid = Number(/emulator started \(pid (\d+)\)/.exec(drill.output().stdout)?.[1]);
    expect(emulatorPid).toBeGreaterThan(0);
    // Act
    process.kill(pgid, "SIGINT");
    const code = await drill.exited;
    // Assess
    expect(code).toBe(130);
    expect(groupAlive(pgid)).toBe(false);
    expect(() => process.kill(emulatorPid, 0)).toThrow();
  }, 45_000);
});
