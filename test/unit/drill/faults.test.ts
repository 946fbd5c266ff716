import { describe, expect, it } from "vitest";
import { faultAction, faultsOnPath, seededRandom, silentVantages, type DrillFault } from "../../../drill/faults.ts";
import { faults } from "./fixtures.ts";

describe("drill faults", () => {
  it("applies target faults to every vantage and to clients", () => {
    const onVantage = faultsOnPath(faults, { target: "primary", vantage: "us-east-1" }, 120).map((f) => f.kind);
    const onClients = faultsOnPath(faults, { target: "primary" }, 120).map((f) => f.kind);
    expect(onVantage).toEqual(["down", "status", "loss"]);
    expect(onClients).toEqual(["down", "status"]);
  });

  it("keeps vantage-limited faults off the clients' path and other vantages", () => {
    expect(faultsOnPath(faults, { target: "primary", vantage: "eu-west-1" }, 350).map((f) => f.kind)).toEqual([
      "latency",
      "loss",
    ]);
    expect(faultsOnPath(faults, { target: "primary", vantage: "us-east-1" }, 350).map((f) => f.kind)).toEqual(["loss"]);
    expect(faultsOnPath(faults, { target: "primary" }, 350)).toEqual([]);
  });

  it("refuses before anything else while a target is down", () => {
    expect(faultAction(faultsOnPath(faults, { target: "primary" }, 120), () => 0)).toEqual({ kind: "refuse" });
    expect(faultAction(faultsOnPath(faults, { target: "primary" }, 250), () => 0)).toEqual({
      kind: "forward",
      delayMs: 0,
    });
  });

  it("answers the injected status for the ratio of rolls below it", () => {
    const status: DrillFault[] = [{ start: 0, end: 10, kind: "status", status: 429, ratio: 0.7 }];
    expect(faultAction(status, () => 0.69)).toEqual({ kind: "respond", status: 429, delayMs: 0 });
    expect(faultAction(status, () => 0.7)).toEqual({ kind: "forward", delayMs: 0 });
  });

  it("silences only the named vantages during vantage-down", () => {
    expect([...silentVantages(faults, ["us-east-1", "us-west-2", "eu-west-1"], 550)]).toEqual(["us-west-2"]);
    expect(silentVantages(faults, ["us-east-1", "us-west-2", "eu-west-1"], 600).size).toBe(0);
  });

  it("repeats the same rolls for the same seed", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
