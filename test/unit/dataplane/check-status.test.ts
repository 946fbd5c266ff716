import { describe, expect, it } from "vitest";
import { checkerReport } from "../../../functions/lib/aws/route53-health-checks.ts";
import { calculatedHealthy, endpointStatus, recordAnswers } from "../../../functions/lib/dataplane/check-status.ts";
import { signalEndpointsFrom } from "../../../functions/lib/dataplane/endpoints.ts";
import { FailoverError, ValidationError } from "../../../functions/lib/errors.ts";

const set = (id: string, weight: number, check?: string) => ({
  Name: "api.example.com",
  Type: "A",
  SetIdentifier: id,
  Weight: weight,
  ...(check ? { HealthCheckId: check } : {}),
});

describe("health-check status from checkers", () => {
  it("calls an endpoint healthy when more than 18% of checkers saw success, then inverts", () => {
    // Act / Assess: 3 of 16 is 18.75%; 2 of 16 is 12.5%
    expect(endpointStatus(16, 3, false)).toBe("healthy");
    expect(endpointStatus(16, 2, false)).toBe("unhealthy");
    expect(endpointStatus(16, 3, true)).toBe("unhealthy");
    expect(endpointStatus(16, 0, true)).toBe("healthy");
    expect(endpointStatus(0, 0, true)).toBe("unknown");
  });

  it("keeps a calculated check healthy while its threshold of children is not unhealthy (unknown counts healthy)", () => {
    // Prepare
    const child = (status: "healthy" | "unhealthy" | "unknown") => ({
      region: "r",
      id: "c",
      checkers: 1,
      succeeded: 0,
      status,
    });
    // Act / Assess
    expect(calculatedHealthy([child("healthy"), child("unknown")], 2)).toBe(true);
    expect(calculatedHealthy([child("healthy"), child("unhealthy")], 2)).toBe(false);
    expect(calculatedHealthy([child("unhealthy"), child("healthy")], 1)).toBe(true);
  });

  it("answers by the records' weights and their checks' health (a record without a check is healthy)", () => {
    // Prepare
    const records = { primary: set("primary", 90, "hc-p"), failover: set("failover", 10) };
    // Act
    const drained = recordAnswers(records, (id) => id !== "hc-p", ["primary", "failover"]);
    const serving = recordAnswers(records, () => true, ["primary", "failover"]);
    // Assess
    expect(drained).toEqual({ primary: 0, failover: 1 });
    expect(serving).toEqual({ primary: 0.9, failover: 0.1 });
  });
});

describe("malformed input", () => {
  it("refuses a GetHealthCheckStatus answer without a Success/Failure status, naming the field", () => {
    // Act
    const bad = (() => {
      try {
        return checkerReport("hc-1", [{ StatusReport: { Status: "Success: ok" } }, { StatusReport: {} }]);
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(bad).toBeInstanceOf(FailoverError);
    expect((bad as FailoverError).code).toBe("ROUTE53_BAD_ANSWER");
    expect((bad as FailoverError).message).toMatch(/HealthCheckObservations\[1\]\.StatusReport\.Status expected/);
    expect(checkerReport("hc-1", [{ Region: "us-east-1", StatusReport: { Status: "Failure: x" } }])).toEqual({
      checkers: 1,
      succeeded: 0,
      failures: [{ region: "us-east-1", status: "Failure: x" }],
    });
    expect(() => checkerReport("hc-1", undefined)).toThrow(/HealthCheckObservations expected a list/);
  });

  it("refuses FAILOVER_SIGNAL_ENDPOINTS that is not JSON, names no control region, or holds a path", () => {
    // Prepare
    const config = { controlRegions: ["us-east-2"] };
    // Act / Assess
    expect(signalEndpointsFrom(undefined, config)).toBeUndefined();
    expect(signalEndpointsFrom('{"us-east-2":"https://abc.lambda-url.us-east-2.on.aws/"}', config)).toEqual({
      "us-east-2": "https://abc.lambda-url.us-east-2.on.aws/",
    });
    expect(() => signalEndpointsFrom("us-east-2=x", config)).toThrow(/FAILOVER_SIGNAL_ENDPOINTS is not JSON/);
    expect(() => signalEndpointsFrom('{"us-east-2":"https://x/health"}', config)).toThrow(ValidationError);
    expect(() => signalEndpointsFrom('{"us-east-2":"https://x/health"}', config)).toThrow(
      /us-east-2: expected an http\(s\) URL without a path/,
    );
  });
});
