import { describe, expect, it } from "vitest";
import {
  ageSurvival,
  kindShares,
  publishedPerSecond,
  resolverHoldSeconds,
} from "../../../offline/replay/client-kinds.ts";
import { convergenceFigures, moveProgress } from "../../../offline/replay/convergence.ts";

describe("the replay's client kinds", () => {
  it("ages answers by the resolver's cache alone for a client without its own: linear over the TTL", () => {
    expect(ageSurvival(0, 60, 0)).toBeCloseTo(1, 2);
    expect(ageSurvival(30, 60, 0)).toBeCloseTo(0.5, 2);
    expect(ageSurvival(60, 60, 0)).toBe(0);
  });

  it("adds a JVM client's 30 s to the resolver's TTL: half still old at 45 s, none at 90 s", () => {
    expect(ageSurvival(45, 60, 30)).toBeCloseTo(0.5, 2);
    expect(ageSurvival(30, 60, 30)).toBeGreaterThan(0.5);
    expect(ageSurvival(90, 60, 30)).toBe(0);
  });

  it("keeps a short TTL 60 s behind a resolver with cache-min-ttl 60, and a long one as it is", () => {
    expect(resolverHoldSeconds("cache-min-ttl-60", 10)).toBe(60);
    expect(resolverHoldSeconds("cache-min-ttl-60", 300)).toBe(300);
    expect(resolverHoldSeconds("default", 10)).toBe(10);
  });

  it("moves kept-alive clients only while their connections break, and then as DNS answers", () => {
    const published = publishedPerSecond(["a", "b"], 400, [
      { at: 0, shares: { a: 1, b: 0 } },
      { at: 10, shares: { a: 0, b: 1 } },
    ]);
    const stay = kindShares("keep-alive", "default", { ttl: 60, published, breaks: () => 0, intervalSeconds: 15 });
    expect(stay[0]?.[399]).toBe(1);
    const broken = kindShares("keep-alive", "default", {
      ttl: 60,
      published,
      breaks: (second, target) => (target === 0 && second >= 200 ? 1 : 0),
      intervalSeconds: 15,
    });
    expect(broken[0]?.[199]).toBe(1);
    expect(broken[1]?.[399]).toBeGreaterThan(0.99);
    const perRequest = kindShares("per-request", "default", {
      ttl: 60,
      published,
      breaks: () => 0,
      intervalSeconds: 15,
    });
    expect(perRequest[1]?.[40]).toBeCloseTo(0.5, 1);
    expect(perRequest[1]?.[80]).toBe(1);
  });
});

describe("convergence figures", () => {
  it("measures a drain as the share no longer on the drained target, and a ramp as the part of the rise arrived", () => {
    expect(moveProgress(0.55, { a: 0.9, b: 0.1 }, { a: 0, b: 1 })).toBeCloseTo(0.5);
    expect(moveProgress(0.575, { a: 0.25, b: 0.75 }, { a: 0.9, b: 0.1 })).toBeCloseTo(0.5);
    expect(moveProgress(0.05, { a: 0.9, b: 0.1 }, { a: 0, b: 1 })).toBe(0);
  });

  it("dates each fraction at the first window from which every later window has reached it", () => {
    // Progress per 15 s window: 0, 0.6, 0.4, 0.95, 1, 1.
    const steps = [0, 0.6, 0.4, 0.95, 1, 1];
    const figures = convergenceFigures((from) => steps[Math.floor(from / 15_000)] ?? null, 0, 90_000, 15_000, 30);
    expect(figures.seconds).toEqual({ p50: 45, p90: 45, p99: 60, p100: 60 });
    // At 1x the TTL (30 s) the window centred there, from 22.5 s, reads 0.6; at 2x (60 s), from 52.5 s, 0.95.
    expect(figures.oldShare.ttl1).toBeCloseTo(0.4);
    expect(figures.oldShare.ttl2).toBeCloseTo(0.05);
    expect(figures.oldShare.ttl5).toBeNull();
  });

  it("gives no time for a fraction never held to the end of the span", () => {
    const figures = convergenceFigures(() => 0.5, 0, 60_000, 15_000, 60);
    expect(figures.seconds).toEqual({ p50: 0, p90: null, p99: null, p100: null });
  });
});
