import { describe, expect, it } from "vitest";
import { FailoverError } from "../../functions/lib/errors.ts";
import { createLogger } from "../../functions/lib/log.ts";

function capture(level?: "debug" | "info") {
  const lines: string[] = [];
  const log = createLogger({
    write: (line) => lines.push(line),
    now: () => Date.UTC(2025, 7, 6, 12),
    ...(level ? { level } : {}),
  });
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level, msg, time and fields", () => {
    const { log, lines, parsed } = capture();
    log.info("probe round", { vantage: "eu-west-1", down: [] });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    expect(parsed()[0]).toEqual({
      level: "info",
      msg: "probe round",
      time: "2025-08-06T12:00:00.000Z",
      vantage: "eu-west-1",
      down: [],
    });
  });

  it("drops lines below the level", () => {
    const { log, lines } = capture("info");
    log.debug("noise");
    log.warn("kept");
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["kept"]);
  });

  it("masks registered secrets, secret-named fields and Slack webhook URLs wherever they appear", () => {
    const { log, lines } = capture();
    const secret = "https://example.test/services/T0/B0/s3cr3t-value";
    log.addSecret(secret);
    log.warn(`failed to post to ${secret}`, {
      detail: { nested: `url=${secret}` },
      webhookUrl: "anything",
      token: "abc",
      other: "https://hooks.slack.com/services/T1/B1/xyz",
    });
    const output = lines.join("");
    expect(output).not.toContain("s3cr3t");
    expect(output).not.toContain("xyz");
    expect(output).not.toContain("anything");
    expect(JSON.parse(output)).toMatchObject({ webhookUrl: "[redacted]", token: "[redacted]", other: "[redacted]" });
  });

  it("writes errors as code, message and hint without a stack", () => {
    const { log, parsed } = capture();
    log.error("failed", {
      error: new FailoverError("ROUTE53_THROTTLED", "throttled", { hint: "wait", cause: new Error("inner") }),
      plain: new TypeError("bad"),
    });
    expect(parsed()[0]).toMatchObject({
      error: { code: "ROUTE53_THROTTLED", message: "throttled", hint: "wait" },
      plain: { name: "TypeError", message: "bad" },
    });
    expect(JSON.stringify(parsed()[0])).not.toContain("at ");
  });
});
