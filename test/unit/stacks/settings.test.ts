import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleConfigPath, loadConfig, mergeConfig, readJsonFile } from "../../../functions/lib/config.ts";
import { FailoverError } from "../../../functions/lib/errors.ts";
import { manualFunctionName } from "../../../functions/lib/deployment.ts";
import { configEnvValue, configPath, loadSettings, maxConfigEnvBytes } from "../../../stacks/settings.ts";
import { roundsTimeoutSeconds } from "../../../functions/lib/decider/schedule.ts";
import { deciderPermissions, managedRecordNames, onCallPolicy, partitionOf } from "../../../stacks/iam.ts";

const config = loadConfig();

describe("stack settings", () => {
  it("passes the validated config as minified JSON that parses back to the same config", () => {
    const json = configEnvValue(config);

    expect(json).not.toContain("\n");
    expect(JSON.parse(json)).toEqual(config);
  });

  it("refuses a config too large for Lambda's 4 KB environment, saying how to fix it", () => {
    const headers = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x-header-${i}`, "v".repeat(50)]));
    const huge = loadConfigFrom(mergeConfig(readJsonFile(exampleConfigPath, "config"), { probe: { headers } }));

    const attempt = () => configEnvValue(huge);

    expect(attempt).toThrow(FailoverError);
    expect(attempt).toThrow(
      new RegExp(
        `probe\\.headers: takes \\d+ of the config's \\d+ bytes as minified JSON; expected at most ${maxConfigEnvBytes} bytes`,
      ),
    );
  });

  it("reads FAILOVER_CONFIG_FILE relative to the project root", () => {
    expect(configPath("/repo", { FAILOVER_CONFIG_FILE: "configs/prod.json" })).toBe("/repo/configs/prod.json");
    expect(configPath("/repo", {})).toBe("/repo/failover.config.json");
  });

  it("fails on an invalid config file with the field path", () => {
    const dir = mkdtempSync(join(tmpdir(), "settings-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(mergeConfig(readJsonFile(exampleConfigPath, "config"), { vantages: [] })));
    try {
      expect(() => loadSettings(file)).toThrow(/vantages/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives round-running functions the budget, one check and 10 s of slack", () => {
    expect(roundsTimeoutSeconds(config)).toBe(55 + 4 + 10);
  });

  it("names the manual failover function after the deployment and stage, within Lambda's 64 characters", () => {
    expect(manualFunctionName(config, "production")).toBe("regional-failover-production-failover");
    expect(() => manualFunctionName(config, "s".repeat(40))).toThrow(FailoverError);
  });
});

describe("stack IAM statements", () => {
  it("limits record changes to the weighted names and the lease and state records", () => {
    expect(managedRecordNames(config)).toEqual([
      "api.example.com",
      "_lease._failover.api.example.com",
      "_state._failover.api.example.com",
    ]);
  });

  it("allows record changes only as CREATE and DELETE (an UPSERT would overwrite without compare-and-swap)", () => {
    // Act
    const [change] = deciderPermissions(config, "us-east-2");
    // Assess
    expect(change?.conditions).toContainEqual({
      test: "ForAllValues:StringEquals",
      variable: "route53:ChangeResourceRecordSetsActions",
      values: ["CREATE", "DELETE"],
    });
  });

  it("uses the GovCloud partition in GovCloud regions", () => {
    expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(deciderPermissions(config, "us-gov-west-1")[0]!.resources).toEqual([
      "arn:aws-us-gov:route53:::hostedzone/Z0EXAMPLE0ZONE0ID",
    ]);
  });

  it("gives on-call invoke on the manual functions and nothing else", () => {
    const arns = ["arn:aws:lambda:us-east-2:1:function:f", "arn:aws:lambda:us-west-1:1:function:f"];

    expect(onCallPolicy(arns).Statement).toEqual([
      { Sid: "InvokeManualFailover", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: arns },
    ]);
  });
});

function loadConfigFrom(raw: unknown) {
  const dir = mkdtempSync(join(tmpdir(), "settings-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(raw));
  try {
    return loadConfig(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
