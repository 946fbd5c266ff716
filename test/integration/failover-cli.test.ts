import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { runCli } from "../support/cli-process.ts";
import { recordSets } from "../support/control-fixtures.ts";
import { testConfig } from "./aws-fixtures.ts";

let emulator: Emulator;
let dir: string;
let env: Record<string, string>;
let zoneId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
  dir = mkdtempSync(join(tmpdir(), "failover-cli-"));
  const configPath = join(dir, "failover.config.json");
  writeFileSync(configPath, JSON.stringify(testConfig(zoneId)));
  env = { ...emulator.env, FAILOVER_CONFIG_FILE: configPath, USER: "oncall-alice" };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await emulator?.stop();
});

// One zone through a whole on-call session, in order: each step builds on the previous one.
describe("failover CLI --direct against the emulator", () => {
  it("init creates the weighted records once; run again it changes nothing and says so", async () => {
    const first = await runCli(["init", "--direct", "--yes"], env);
    const again = await runCli(["init", "--direct", "--yes"], env);

    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain("Created 2 weighted record(s)");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing changed: the weighted records exist (weights kept)");
    expect(again.stdout).not.toContain("Created");
  });

  it("refuses a change without --yes when there is no terminal to confirm on, with exit 2 and nothing changed", async () => {
    const before = await recordSets(emulator.url, zoneId);

    const run = await runCli(["promote", "failover", "--reason", "test", "--direct"], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Pass --yes to confirm");
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("rejects bad input with exit 2 naming the flag, and changes nothing", async () => {
    const before = await recordSets(emulator.url, zoneId);

    const runs = await Promise.all([
      runCli(["promote", "mars", "--reason", "x", "--direct", "--yes"], env),
      runCli(["promote", "failover", "--direct", "--yes"], env),
      runCli(["promote", "failover", "--reason", "x", "--ttl", "2d", "--direct", "--yes"], env),
      runCli(["pin", "primary=0,failover=0", "--reason", "x", "--direct", "--yes"], env),
    ]);

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]?.stderr).toContain('<target>: expected one of "primary", "failover", got "mars"');
    expect(runs[1]?.stderr).toContain("--reason: is required for promote");
    expect(runs[2]?.stderr).toContain(
      "--ttl: expected whole seconds from 1 to lease.maxTtlSeconds (86400), got 172800",
    );
    expect(runs[3]?.stderr).toContain("<weights>: expected at least one weight above 0");
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("promote with --ttl 10m pins traffic, status shows the lease as a table and as JSON, release hands back", async () => {
    const promote = await runCli(
      ["promote", "failover", "--reason", "use1 degraded", "--ttl", "10m", "--direct", "--yes"],
      env,
    );
    const table = await runCli(["status", "--direct"], env);
    const json = await runCli(["status", "--direct", "--json"], env);
    const release = await runCli(["release", "--reason", "over", "--direct", "--yes", "--json"], env);

    expect(promote.code).toBe(0);
    expect(promote.stdout).toMatch(/^Promote: primary 90 → 0, failover 10 → \d+/);
    expect(promote.stdout).toMatch(/Lease: promote failover by oncall-alice until .* \(in 10m\): "use1 degraded"/);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /TARGET\s+REGION\s+WEIGHT\s+NORMAL\s+HEALTH\s+MODE\s+us-east-1\s+us-west-2\s+eu-west-1/,
    );
    expect(table.stdout).toMatch(/primary\s+us-east-1\s+0\s+90\s+unknown/);
    expect(table.stdout).toMatch(/Last switchovers \(newest first\):[\s\S]*manual\s+oncall-alice/);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({
      ok: true,
      action: "status",
      lease: { action: "promote", target: "failover", actor: "oncall-alice", reason: "use1 degraded", active: true },
    });
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({ ok: true, action: "release", lease: { actor: "oncall-alice" } });
    // No probe data: the weights stay, and release says so itself.
    expect(JSON.parse(release.stdout).kept).toMatch(
      /^The weights stay at primary=0 failover=\d+ \(normal: primary=90 failover=10\) with no lease: .*unknown never moves it/,
    );
  });

  it("asks on a terminal before a change: 'n' changes nothing (exit 1), 'y' applies", async () => {
    const session = (answer: string) => {
      const out: string[] = [];
      const io = {
        stdout: (text: string) => void out.push(text),
        stderr: (text: string) => void out.push(text),
        env,
        stdin: Readable.from([`${answer}\n`]),
        isTTY: true,
      };
      return { out, run: () => main(["drain", "primary", "--reason", "bad deploy", "--ttl", "30m", "--direct"], io) };
    };
    const before = await recordSets(emulator.url, zoneId);
    const declined = session("n");
    const accepted = session("y");

    const declinedCode = await declined.run();
    const unchanged = await recordSets(emulator.url, zoneId);
    const acceptedCode = await accepted.run();

    expect(declinedCode).toBe(1);
    expect(declined.out.join("")).toMatch(
      /About to take primary out of service \(weights primary=0 failover=\d+\) for 30m[\s\S]*Now: primary=\d+ failover=\d+; lease: none\.[\s\S]*Proceed\? \[y\/N\] Aborted; nothing was changed\./,
    );
    expect(unchanged).toEqual(before);
    expect(acceptedCode).toBe(0);
    expect(accepted.out.join("")).toMatch(
      /Drain: [\s\S]*Lease: drain primary by oncall-alice until .* \(in 30m\): "bad deploy"/,
    );
    expect(await recordSets(emulator.url, zoneId)).not.toEqual(before);
    expect(await runCli(["release", "--reason", "done", "--direct", "--yes"], env)).toMatchObject({ code: 0 });
  });

  it("plan prints what the decider would do without changing anything", async () => {
    const before = await recordSets(emulator.url, zoneId);

    const plan = await runCli(["plan", "--direct"], env);

    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^The decider would (shift|change nothing)/);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });
});
