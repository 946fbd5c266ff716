import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { exampleConfigPath } from "../../../functions/lib/config.ts";

const config = fileURLToPath(exampleConfigPath);

/** Runs the CLI in-process without a terminal; every case ends before any AWS call. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { FAILOVER_CONFIG_FILE: config, FAILOVER_ACTOR: "oncall-alice" },
    isTTY: false,
  });
  return { code, out, err };
}

describe("failover: what a new user stumbles on", () => {
  it("prints its version", async () => {
    // Prepare
    const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    // Act
    const run = await cli("--version");
    // Assess
    expect(run).toMatchObject({ code: 0, out: `failover ${version}\n` });
  });

  it("suggests the command meant by a typo", async () => {
    // Act
    const run = await cli("promot", "failover");
    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain('unknown command "promot" (did you mean promote?)');
  });

  it("suggests the flag meant by a typo, and suggests nothing for a word unlike any flag", async () => {
    // Act
    const run = await cli("promote", "failover", "--reasn", "x", "--xyzzy");
    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain("--reasn: unknown flag (did you mean --reason?)");
    expect(run.err).toMatch(/--xyzzy: unknown flag \(expected one of/);
  });

  it("takes -y for --yes", async () => {
    // Act: -y is accepted; the unknown target is what stops the command (before any AWS call).
    const run = await cli("promote", "mars", "--reason", "drill", "-y");
    // Assess
    expect(run.code).toBe(2);
    expect(run.err).not.toContain("-y");
    expect(run.err).toContain('<target>: expected one of "primary", "failover", got "mars"');
  });

  it("accepts counts such as 10M and refuses others listing the accepted forms", async () => {
    // Act
    const short = await cli("cost", "--queries", "10M", "--json");
    const long = await cli("cost", "--queries", "10,000,000", "--json");
    const bad = await cli("cost", "--queries", "ten");
    // Assess
    expect(short.code).toBe(0);
    expect(JSON.parse(short.out).assumptions.queriesPerMonth).toBe(10_000_000);
    expect(JSON.parse(long.out).assumptions.queriesPerMonth).toBe(10_000_000);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--queries: expected a whole count such as 10000000, 10,000,000, 10_000_000, 500k, 10M");
  });
});
