import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../../cli/main.ts";
import { exampleConfigPath, mergeConfig, readJsonFile } from "../../../functions/lib/config.ts";

const config = fileURLToPath(exampleConfigPath);

/** Runs the CLI in-process without a terminal; every case fails before any AWS call. */
async function cli(env: CliIO["env"], ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { FAILOVER_CONFIG_FILE: config, ...env },
    isTTY: false,
  });
  return { code, out, err };
}

describe("failover manual commands: bad arguments", () => {
  it("names every bad argument of a change at once, with exit 2", async () => {
    // Act
    const run = await cli({}, "promote", "mars", "--ttl", "10x");
    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain("--actor: is required");
    expect(run.err).toContain("--ttl: expected a duration such as 600 (seconds), 90s, 10m, 1.5h, 2h, 1h30m, 1d");
    expect(run.err).toContain('got "10x"');
    expect(run.err).toContain("export FAILOVER_ACTOR=<your name>");
    expect(run.err).toContain('<target>: expected one of "primary", "failover", got "mars"');
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it("reports a malformed pin argument once, not again as missing weights", async () => {
    const run = await cli({ USER: "alice" }, "pin", "primary=50;failover=50", "--reason", "x", "--yes");
    expect(run.code).toBe(2);
    expect(run.err.match(/<weights>/g)).toHaveLength(1);
  });

  it("refuses flags the command does not take, listing the ones it does", async () => {
    const run = await cli({ USER: "alice" }, "status", "--yes");
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "--yes: unknown flag (expected one of --config, --actor, --direct, --function, --region, --stage, --json, --verbose)",
    );
  });
});

describe("failover manual commands: a config the functions could not receive", () => {
  it("refuses a config over Lambda's 4 KB environment before sending anything, naming the field, exit 2", async () => {
    // Prepare
    const headers = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x-header-${i}`, "v".repeat(50)]));
    const dir = mkdtempSync(join(tmpdir(), "cli-config-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify(mergeConfig(readJsonFile(exampleConfigPath, "config"), { probe: { headers } })));
    try {
      // Act: no AWS endpoint is reachable, so anything sent would fail with exit 1, not 2
      const run = await cli(
        { USER: "alice", AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
        "status",
        "--config",
        file,
        "--direct",
      );
      // Assess
      expect(run.code).toBe(2);
      expect(run.err).toMatch(
        /probe\.headers: takes \d+ of the config's \d+ bytes as minified JSON; expected at most 3584 bytes/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("failover --json errors", () => {
  it("prints a bad argument as { ok: false, error } on stdout, nothing on stderr", async () => {
    const run = await cli({ USER: "alice" }, "pin", "primary=0,failover=0", "--reason", "x", "--yes", "--json");
    const answer = JSON.parse(run.out);
    expect(run.code).toBe(2);
    expect(run.err).toBe("");
    expect(answer).toMatchObject({ ok: false, error: { code: "INVALID_INPUT", issues: [{ path: "<weights>" }] } });
  });

  it("prints a change refused for want of a terminal as CONFIRMATION_REQUIRED, exit 2", async () => {
    const run = await cli({ USER: "alice" }, "promote", "failover", "--reason", "x", "--json");
    expect(run.code).toBe(2);
    expect(JSON.parse(run.out)).toMatchObject({
      ok: false,
      error: { code: "CONFIRMATION_REQUIRED", hint: expect.stringContaining("--yes") },
    });
  });
});
