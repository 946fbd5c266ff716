import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../../../cli/args.ts";
import { main, type CliIO } from "../../../../cli/main.ts";
import { ValidationError } from "../../../../functions/lib/errors.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const clerk = join(root, "scenarios/clerk-2025-08-06.json");

/** Runs the CLI in-process, capturing its output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

function badScenarioFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "failover-replay-"));
  const path = join(dir, "bad.json");
  writeFileSync(
    path,
    JSON.stringify({
      name: "bad",
      durationSeconds: 600,
      faults: [{ start: 0, end: 60, kind: "down", target: "tertiary" }],
      config: { targets: [{ id: "primary", weight: 300 }] },
    }),
  );
  return path;
}

describe("failover replay (bin)", () => {
  it("exits 2 with the named problems and no stack trace for a bad scenario", () => {
    // Prepare
    const path = badScenarioFile();
    // Act
    const child = spawnSync(process.execPath, [join(root, "cli/failover.mjs"), "replay", path], {
      encoding: "utf8",
      cwd: root,
      timeout: 60_000,
    });
    // Assess
    expect(child.status).toBe(2);
    expect(child.stderr).toContain("invalid scenario");
    expect(child.stderr).toContain("config.targets[0].weight: expected an integer from 0 to 255, got 300");
    expect(child.stderr).not.toMatch(/\n\s+at /);
    expect(child.stdout).toBe("");
  }, 30_000);

  it("prints the JSON summary of the Clerk scenario and exits 0", () => {
    const child = spawnSync(process.execPath, [join(root, "cli/failover.mjs"), "replay", clerk, "--json"], {
      encoding: "utf8",
      cwd: root,
      timeout: 60_000,
    });
    const summary = JSON.parse(child.stdout) as Record<string, unknown>;
    expect(child.status).toBe(0);
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        "scenario",
        "policy",
        "failovers",
        "failbacks",
        "weightChanges",
        "detectSeconds",
        "missedOutages",
        "falseSwitches",
        "clientErrorRate",
        "finalWeights",
        "expectations",
        "ok",
      ]),
    );
    expect(summary.ok).toBe(true);
  }, 30_000);
});

describe("failover replay (in process)", () => {
  it("exits 1 when the chosen policy misses an expectation", async () => {
    const result = await cli("replay", clerk, "--policy", "none");
    expect(result.code).toBe(1);
    expect(result.out).toContain("Result: FAILED");
    expect(result.out).toMatch(/FAIL {2}maxMissedOutages/);
  }, 30_000);

  it("replays Clerk's Google Cloud primary beside its AWS failover, times as +h:mm:ss.s", async () => {
    // Act
    const result = await cli("replay", clerk);
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain("Targets: primary (gcp us-east4, weight 90), failover (aws us-west-2, weight 10)");
    expect(result.out).toMatch(/^\+0:25:14\.1 +0\/100 .* drain /m);
    // The ramp's records change at 0:45:04.1; the restoring decider clears its drain signal in that round (the
    // records held the primary at 0), the other in its next round, and the checks answer "serve" 18 s later.
    expect(result.out).toMatch(/^\+0:45:22\.1 +9\/91 +health checks \(decided \+0:45:04\.1\) +ramp /m);
    expect(result.out).toContain("Result: ok");
  }, 30_000);

  it("compares every policy side by side with their client error rates", async () => {
    const result = await cli("replay", clerk, "--compare");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^\s+default\s+route53-native\s+oracle\s+none$/m);
    expect(result.out).toMatch(/^client error rate\s+\d+\.\d\d%\s+\d+\.\d\d%\s+\d+\.\d\d%\s+\d+\.\d\d%$/m);
  }, 30_000);

  it("exits 2 naming an unknown flag, a bad policy and a missing scenario", async () => {
    const flag = await cli("replay", clerk, "--polcy", "none");
    const policy = await cli("replay", clerk, "--policy", "magic");
    const missing = await cli("replay");
    const file = await cli("replay", join(root, "scenarios/does-not-exist.json"));
    expect([flag.code, policy.code, missing.code, file.code]).toEqual([2, 2, 2, 2]);
    expect(flag.err).toContain("--polcy: unknown flag");
    expect(policy.err).toContain('--policy: expected one of default, route53-native, oracle, none, got "magic"');
    expect(missing.err).toContain("<scenario>: is required");
    expect(file.err).toContain("cannot read scenario file");
  });

  it("exits 2 with the usage for an unknown command, 0 for --help", async () => {
    const unknown = await cli("teleport");
    const help = await cli("--help");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "teleport"');
    expect(unknown.err).toContain("Usage: failover <command>");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/replay\s+replay a scenario/);
  });
});

describe("parseArgs", () => {
  const spec = {
    policy: { type: "string", choices: ["a", "b"] },
    json: { type: "boolean" },
    out: { type: "string" },
  } as const;

  it.each([
    { args: ["x", "--policy", "a", "--json"], flags: { policy: "a", json: true, out: undefined }, positionals: ["x"] },
    { args: ["--out=f.md", "x"], flags: { policy: undefined, json: false, out: "f.md" }, positionals: ["x"] },
    { args: ["--", "--json"], flags: { policy: undefined, json: false, out: undefined }, positionals: ["--json"] },
  ])("parses $args", ({ args, flags, positionals }) => {
    const parsed = parseArgs(args, spec, { names: ["file"] });
    expect(parsed.flags).toEqual(flags);
    expect(parsed.positionals).toEqual(positionals);
  });

  it.each([
    { args: ["x", "--out"], path: "--out", message: "expected a value" },
    { args: ["x", "--json=yes"], path: "--json", message: "takes no value" },
    { args: ["x", "-q"], path: "-q", message: "unknown flag" },
    { args: ["x", "y"], path: "y", message: "unexpected argument" },
  ])("rejects $args naming $path", ({ args, path, message }) => {
    const error = (() => {
      try {
        parseArgs(args, spec, { names: ["file"] });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toContain(message);
  });
});

/** A user's own config: other target ids, names and regions than the example's. */
function userConfigFile(): string {
  const example = JSON.parse(readFileSync(join(root, "failover.config.json"), "utf8"));
  const config = {
    ...example,
    name: "acme-api",
    hostedZone: { id: "Z0ACME", name: "acme.test" },
    records: [{ name: "api.acme.test", type: "A", ttl: 60 }],
    targets: [
      {
        id: "aws-west",
        region: "us-west-2",
        healthUrl: "https://usw2.api.acme.test/health",
        weight: 10,
        records: { "api.acme.test": { values: ["203.0.113.7"] } },
      },
      {
        id: "gcp-east",
        provider: "gcp",
        region: "us-east4",
        healthUrl: "https://use4.api.acme.test/health",
        weight: 90,
        records: { "api.acme.test": { values: ["198.51.100.7"] } },
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), "failover-config-")), "mine.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe("failover replay with your own config", () => {
  it("runs Clerk's incident on other target ids: primary is the highest weight, failover the next", async () => {
    const mine = userConfigFile();
    const result = await cli("replay", "--config", mine, clerk, "--compare");
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("Targets: aws-west (aws us-west-2, weight 10), gcp-east (gcp us-east4, weight 90)");
    expect(result.out).toMatch(/^failovers +2 /m);
    // The default policy's column: every expectation of the scenario holds with the user's targets.
    expect(result.out).toMatch(/^expectations +ok /m);
  }, 60_000);

  it("takes the config from FAILOVER_CONFIG_FILE when no --config is given", async () => {
    let out = "";
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: () => {},
      env: { FAILOVER_CONFIG_FILE: userConfigFile() },
      isTTY: false,
    };
    expect(await main(["replay", clerk, "--json"], io)).toBe(0);
    expect(JSON.parse(out).finalWeights).toEqual({ "aws-west": 10, "gcp-east": 90 });
  }, 60_000);

  it("names the targets and roles it knows when a scenario names neither", async () => {
    const dir = mkdtempSync(join(tmpdir(), "failover-replay-"));
    const path = join(dir, "tertiary.json");
    writeFileSync(
      path,
      JSON.stringify({
        name: "t",
        durationSeconds: 600,
        faults: [{ start: 0, end: 60, kind: "down", target: "tertiary" }],
      }),
    );
    const result = await cli("replay", "--config", userConfigFile(), path);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'faults[0].target: expected a target of the config (aws-west, gcp-east, or a role: primary = gcp-east, failover = aws-west), got "tertiary"',
    );
  });

  it("refuses a config file that does not exist, naming it, before reading the scenario", async () => {
    const result = await cli("replay", "--config", "/nonexistent/mine.json", clerk);
    expect(result.code).toBe(2);
    expect(result.err).toContain("/nonexistent/mine.json");
    expect(result.out).toBe("");
  });
});
