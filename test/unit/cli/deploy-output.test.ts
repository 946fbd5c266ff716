import { describe, expect, it } from "vitest";
import { controlRegionFlag, deployOutputEntry, type DeployOutputSpec } from "../../../cli/deploy-output.ts";
import { loadConfig } from "../../../functions/lib/config.ts";

const config = loadConfig(new URL("../../../failover.config.json", import.meta.url).pathname);
const fail = (path: string, message: string) => new Error(`${path}: ${message}`);
const topics: DeployOutputSpec = {
  flag: "--topics",
  output: "alarmTopics",
  envName: "FAILOVER_ALERT_TOPICS",
  example: '{"us-east-2":"arn:aws:sns:us-east-2:…:…-alarms"}',
  expected: "the SNS topic ARN of us-east-2 (alarmTopics)",
  valid: (arn) => arn.startsWith("arn:aws:sns:us-east-2:"),
};

describe("deploy outputs given to the CLI", () => {
  it("takes the first control region when --region is absent, and refuses one that is not a control region", () => {
    expect(controlRegionFlag(undefined, config, fail)).toBe(config.controlRegions[0]);
    expect(controlRegionFlag("us-west-1", config, fail)).toBe("us-west-1");
    expect(() => controlRegionFlag("eu-west-1", config, fail)).toThrow(
      '--region: expected one of the control regions us-east-2, us-west-1, got "eu-west-1"',
    );
  });

  it("returns the region's entry of the JSON map", () => {
    const arn = "arn:aws:sns:us-east-2:123456789012:x-alarms";

    expect(deployOutputEntry(JSON.stringify({ "us-east-2": arn }), "us-east-2", topics, fail)).toBe(arn);
  });

  it.each([
    [undefined, "--topics: is required: the deploy's alarmTopics output (or $FAILOVER_ALERT_TOPICS)"],
    ["not json", '--topics: expected JSON such as {"us-east-2":"arn:aws:sns:us-east-2:…:…-alarms"}'],
    [
      '{"us-west-1":"arn:aws:sns:us-west-1:1:x"}',
      "--topics: expected the SNS topic ARN of us-east-2 (alarmTopics), got null",
    ],
    [
      '{"us-east-2":"arn:aws:sns:us-west-1:1:x"}',
      '--topics: expected the SNS topic ARN of us-east-2 (alarmTopics), got "arn:aws:sns:us-west-1:1:x"',
    ],
    ["null", "--topics: expected the SNS topic ARN of us-east-2 (alarmTopics), got null"],
  ])("refuses %j naming the flag and what was expected", (text, message) => {
    expect(() => deployOutputEntry(text, "us-east-2", topics, fail)).toThrow(message);
  });
});
