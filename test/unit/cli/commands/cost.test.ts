import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../../../cli/main.ts";
import { exampleConfigPath, readJsonFile } from "../../../../functions/lib/config.ts";

/** Runs `failover <argv>` in-process and keeps what it printed. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    isTTY: false,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const example = exampleConfigPath.pathname;

describe("failover cost", () => {
  it("prints every profile and Route 53's own checks as JSON", async () => {
    // Act
    const { code, stdout } = await run(["cost", "--config", example, "--json"]);
    // Assess
    const report = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(Object.keys(report.profiles)).toEqual(["default", "economy"]);
    expect(report.profiles.default.monthlyUsd).toBe(64.88);
    expect(report.profiles.default.dataPlaneUsd).toBe(29.69);
    expect(report.profiles.economy.monthlyUsd).toBe(23.61);
    // The example's primary runs on Google Cloud: Route 53 bills its check at the non-AWS rate.
    expect(report.route53Native.monthlyUsd).toBe(11.95);
    expect(report.profiles.economy.lines.length).toBeGreaterThan(10);
  });

  it("prints a table per profile with quantity, unit price and monthly USD", async () => {
    // Act
    const { code, stdout } = await run(["cost", "--config", example, "--profile", "economy", "--queries", "0"]);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/Profile economy/);
    expect(stdout).not.toMatch(/Profile default/);
    expect(stdout).toMatch(
      /DynamoDB: vote reads \(deciders\)\s+87,600\s+\$0\.125 per 1,000,000 read request units\s+\$0\.01/,
    );
    expect(stdout).toMatch(
      /Route 53: data plane: option fast interval \(10 s\) \(signal checks\)\s+2\s+\$2 per option-months\s+\$4\.00/,
    );
    expect(stdout).toMatch(
      /Total \$19\.61 a month \(\$19\.11 without the \* lines; \$15\.34 of it the data-plane path\)/,
    );
    expect(stdout).toMatch(
      /economy: \$19\.61 vs \$7\.95, .*drains in 4-64 s vs 20-30 s, out of DNS answers in 12-82 s vs 27-37 s/,
    );
  });

  it("prices the config's own profile", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "cost-cli-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...(readJsonFile(exampleConfigPath, "config") as object),
        profiles: { half: { probe: { intervalSeconds: 20 } } },
      }),
    );
    // Act
    const { code, stdout } = await run(["cost", "--config", file, "--json"]);
    // Assess
    const report = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(report.profiles.half.monthlyUsd).toBeLessThan(report.profiles.default.monthlyUsd);
    expect(report.profiles.half.monthlyUsd).toBeGreaterThan(report.profiles.economy.monthlyUsd);
  });

  it.each([
    [["--bogus"], /--bogus: unknown flag/],
    [["--queries", "lots"], /--queries: expected a whole count such as 10000000, .*10M.*, got "lots"/],
    [["--route53-endpoint", "azure"], /--route53-endpoint: expected one of by-target, aws, non-aws, got "azure"/],
    [["--profile", "cheap"], /--profile: expected one of default, economy, got "cheap"/],
    [["--config", "/nonexistent/failover.json"], /cannot read config file \/nonexistent\/failover.json: no such file/],
  ])("refuses %j with exit 2 and a message naming it", async (flags, message) => {
    // Act
    const { code, stdout, stderr } = await run(["cost", "--config", example, ...flags]);
    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });
});
