import { describe, expect, it } from "vitest";
import { chunkDatums } from "../../../functions/lib/metric-datums.ts";
import { classifyAwsError, retrySettings, withRetry } from "../../../functions/lib/aws/retry.ts";

const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } });
const conflict = Object.assign(new Error("[Tried to delete ...]"), {
  name: "InvalidChangeBatch",
  $fault: "client",
  $metadata: { httpStatusCode: 400 },
});

describe("withRetry", () => {
  it("retries throttling with growing jittered backoff until it succeeds", async () => {
    const slept: number[] = [];
    let attempts = 0;
    const settings = retrySettings({
      sleep: async (ms) => void slept.push(ms),
      random: () => 0.999,
      baseDelayMs: 100,
      maxDelayMs: 350,
    });

    const result = await withRetry(
      async () => (++attempts < 4 ? Promise.reject(throttled) : "ok"),
      settings,
      () => new Error("gave up"),
    );

    expect(result).toBe("ok");
    expect(slept).toEqual([99, 199, 349]);
  });

  it("gives up when the next backoff would overrun the budget, naming what it saw", async () => {
    let clock = 0;
    const settings = retrySettings({
      budgetMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0.999,
      baseDelayMs: 400,
      maxDelayMs: 400,
    });

    const error = await withRetry(
      () => Promise.reject(throttled),
      settings,
      (g) => new Error(`${g.kind} after ${g.attempts}`),
    ).catch((e: Error) => e.message);

    expect(error).toBe("throttled after 3");
  });

  it("does not retry a conflict", async () => {
    let attempts = 0;

    const error = await withRetry(
      () => {
        attempts++;
        return Promise.reject(conflict);
      },
      retrySettings({ sleep: async () => {} }),
      (g) => new Error(g.kind),
    ).catch((e: Error) => e.message);

    expect([error, attempts]).toEqual(["rejected", 1]);
  });
});

describe("classifyAwsError", () => {
  it("sorts SDK errors into retry classes", () => {
    expect(classifyAwsError(throttled)).toBe("throttled");
    expect(
      classifyAwsError(
        Object.assign(new Error("x"), { name: "PriorRequestNotComplete", $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe("throttled");
    expect(classifyAwsError(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 503 } }))).toBe("unavailable");
    expect(classifyAwsError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe("unavailable");
    expect(classifyAwsError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe("unavailable");
    expect(
      classifyAwsError(Object.assign(new SyntaxError("Unexpected token <"), { $metadata: { httpStatusCode: 200 } })),
    ).toBe("bad-answer");
    expect(classifyAwsError(conflict)).toBe("rejected");
  });
});

describe("chunkDatums", () => {
  it("keeps PutMetricData calls at 1,000 datums or fewer", () => {
    const chunks = chunkDatums(Array.from({ length: 2500 }, (_, i) => ({ MetricName: "ProbeSuccess", Value: i })));

    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
  });

  it("splits by size before 1 MB", () => {
    const chunks = chunkDatums(Array.from({ length: 300 }, () => ({ MetricName: "x".repeat(5000) })));

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => JSON.stringify(c).length < 1_000_000)).toBe(true);
  });
});
