import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../functions/lib/config.ts";
import {
  currentCheck,
  cutHealthCheckReference,
  healthCheckReference,
  REFERENCE_LENGTH,
  replacementReference,
} from "../../../functions/lib/dataplane/health-checks.ts";

const target = (id: string, region: string) => ({
  id,
  region,
  healthUrl: `https://${id}.example.com/health`,
  weight: 50,
  records: { "api.example.com": { values: ["192.0.2.1"] } },
});
const config = (name: string, ids: [string, string]) =>
  parseConfig({
    name,
    hostedZone: { id: "Z123", name: "example.com" },
    records: [{ name: "api.example.com", type: "A", ttl: 60 }],
    targets: [target(ids[0], "us-east-1"), target(ids[1], "us-west-2")],
    vantages: ["us-east-1", "us-west-2", "eu-west-1"],
    controlRegions: ["us-east-2", "us-west-1"],
  });

describe("health-check caller references", () => {
  it("keeps a reference that fits as it always was (existing deployments find their checks)", () => {
    const short = config("regional-failover", ["primary", "failover"]);
    expect(healthCheckReference(short, "primary", "us-east-2")).toBe("regional-failover:primary:us-east-2:v1");
    expect(healthCheckReference(short, "primary")).toBe("regional-failover:primary:all:v1");
    expect(cutHealthCheckReference(short, "primary", "us-east-2")).toBeUndefined();
  });

  it("gives every target and region its own reference at the longest name and ids, within 60 characters", () => {
    const ids: [string, string] = ["a-target-id-of-thirty-two-chars1", "a-target-id-of-thirty-two-chars2"];
    const long = config("a-deployment-name-of-32-chars-ok", ids);
    const references = ids.flatMap((id) =>
      [...long.controlRegions, undefined].map((region) => healthCheckReference(long, id, region)),
    );
    expect(new Set(references).size).toBe(6);
    for (const reference of references) expect(reference.length).toBe(REFERENCE_LENGTH);
    // The cut references of older versions were all one.
    const cut = ids.flatMap((id) => long.controlRegions.map((region) => cutHealthCheckReference(long, id, region)));
    expect(new Set(cut).size).toBe(1);
  });

  it("finds a hashed reference's replacement under the .2, .3 suffixes, within AWS's 64 characters", () => {
    const long = config("a-deployment-name-of-32-chars-ok", ["a-target-id-of-thirty-two-chars1", "b"]);
    const reference = healthCheckReference(long, "a-target-id-of-thirty-two-chars1", "us-east-2");
    const second = replacementReference(reference, reference);
    const third = replacementReference(reference, second);
    const checks = [{ reference }, { reference: second }, { reference: third }];
    expect(third).toBe(`${reference}.3`);
    expect(third.length).toBeLessThanOrEqual(64);
    expect(currentCheck(checks, reference)).toEqual({ reference: third });
  });
});
