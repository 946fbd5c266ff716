import { describe, expect, it } from "vitest";
import { signalEndpointsFrom } from "../../../functions/lib/dataplane/endpoints.ts";
import { awsRegionOfHost, isSignalAnswer, misplacedEndpoints } from "../../../functions/lib/dataplane/signal-path.ts";

const config = { controlRegions: ["us-east-2", "us-west-1"] };

describe("where the signal path points", () => {
  it("reads the region from function URL, S3 website and API Gateway host names, and nothing from others", () => {
    expect(awsRegionOfHost("abcdef.lambda-url.us-east-2.on.aws")).toBe("us-east-2");
    expect(awsRegionOfHost("signals.s3-website-us-west-1.amazonaws.com")).toBe("us-west-1");
    expect(awsRegionOfHost("signals.s3-website.eu-central-1.amazonaws.com")).toBe("eu-central-1");
    expect(awsRegionOfHost("x1.execute-api.us-gov-west-1.amazonaws.com")).toBe("us-gov-west-1");
    expect(awsRegionOfHost("127.0.0.1")).toBeUndefined();
    expect(awsRegionOfHost("signal.example.com")).toBeUndefined();
  });

  it("names two regions given one endpoint and an endpoint in another region; distinct local ports are fine", () => {
    expect(misplacedEndpoints({ "us-east-2": "http://127.0.0.1:4001", "us-west-1": "http://127.0.0.1:4002" })).toEqual(
      [],
    );
    expect(
      misplacedEndpoints({
        "us-east-2": "https://a.lambda-url.us-east-2.on.aws/",
        "us-west-1": "https://A.lambda-url.us-east-2.on.aws:443",
      }).map((wrong) => wrong.message),
    ).toEqual([
      "control regions us-east-2 and us-west-1 are given the same signal endpoint a.lambda-url.us-east-2.on.aws: each region's checks must ask that region's endpoint, or one region's store decides both",
      "the signal endpoint given for us-west-1 (a.lambda-url.us-east-2.on.aws) is in us-east-2",
    ]);
  });

  it("refuses FAILOVER_SIGNAL_ENDPOINTS that gives both control regions one endpoint, naming the variable", () => {
    const same = JSON.stringify({
      "us-east-2": "https://a.lambda-url.us-east-2.on.aws/",
      "us-west-1": "https://a.lambda-url.us-east-2.on.aws/",
    });
    expect(() => signalEndpointsFrom(same, config)).toThrow(
      /^FAILOVER_SIGNAL_ENDPOINTS: control regions us-east-2 and us-west-1 are given the same signal endpoint/,
    );
  });

  it("counts only the signal answers as a working path: success (drain), status 404 (serve), or an older check's search string not found", () => {
    expect(isSignalAnswer("Success: HTTP Status Code 200, OK")).toBe(true);
    expect(isSignalAnswer("Failure: Search string (drain primary) was not found in the response body")).toBe(true);
    expect(isSignalAnswer("Failure: The string was not found in the first 5120 bytes")).toBe(true);
    expect(isSignalAnswer("Failure: HTTP Status Code 404, Not Found. Resolved IP: 192.0.2.1")).toBe(true);
    expect(isSignalAnswer("Failure: HTTP Status Code 403, Forbidden")).toBe(false);
    expect(isSignalAnswer("Failure: HTTP Status Code 503, Service Unavailable")).toBe(false);
    expect(isSignalAnswer("Failure: HTTP Status Code 429, Too Many Requests")).toBe(false);
    expect(isSignalAnswer("Failure: Connection failed (ConnectionRefusedError)")).toBe(false);
    expect(isSignalAnswer("Failure: SSL alert handshake_failure")).toBe(false);
  });
});
