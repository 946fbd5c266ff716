import { describe, expect, it } from "vitest";
import {
  checkerSaysHealthy,
  evaluatedCheck,
  HealthCheckBoard,
  type EvaluatedCheck,
} from "../../../drill/health-check-board.ts";
import { calculatedCheckSpec, signalCheckSpec } from "../../../functions/lib/dataplane/health-checks.ts";

const timing = { aggregateSeconds: 2, answerSeconds: 5 };
const east = evaluatedCheck({ id: "east", reference: "r1", spec: signalCheckSpec("primary", "http://127.0.0.1:4001") });
const west = evaluatedCheck({ id: "west", reference: "r2", spec: signalCheckSpec("primary", "http://127.0.0.1:4002") });
const both = evaluatedCheck({ id: "both", reference: "r3", spec: calculatedCheckSpec(["east", "west"]) });
const endpoint = east as Extract<EvaluatedCheck, { kind: "endpoint" }>;
const drain = { status: 200, body: "drain primary\n" };
const serve = { status: 404, body: "serve primary\n" };
/** A string-match check as versions before 2026-12 made it (existing deployments until init replaces it). */
const oldCheck = evaluatedCheck({
  id: "old",
  reference: "r0",
  spec: {
    Type: "HTTP_STR_MATCH",
    FullyQualifiedDomainName: "127.0.0.1",
    Port: 4001,
    ResourcePath: "/?target=primary",
    SearchString: "drain primary",
    Inverted: true,
    FailureThreshold: 1,
  },
}) as Extract<EvaluatedCheck, { kind: "endpoint" }>;

describe("drill health-check stand-in", () => {
  it("reads the project's signal check as an inverted status check on the endpoint's target URL, threshold 1", () => {
    expect(east).toEqual({
      id: "east",
      kind: "endpoint",
      url: "http://127.0.0.1:4001/?target=primary",
      searchString: undefined,
      inverted: true,
      failureThreshold: 1,
    });
    expect(both).toEqual({ id: "both", kind: "calculated", children: ["east", "west"], healthThreshold: 2 });
  });

  it("refuses a check type it does not evaluate, naming it", () => {
    expect(() => evaluatedCheck({ id: "tcp", reference: "r", spec: { Type: "TCP" } as never })).toThrow(
      /tcp has type TCP: the drill evaluates HTTP\(S\), HTTP\(S\)_STR_MATCH and CALCULATED only/,
    );
  });

  it("reads status codes as Route 53 does, inverted: any 2xx/3xx is unhealthy (drain); 4xx, 5xx and silence are healthy", () => {
    expect(checkerSaysHealthy(endpoint, drain)).toBe(false);
    expect(checkerSaysHealthy(endpoint, { status: 204, body: "" })).toBe(false);
    expect(checkerSaysHealthy(endpoint, { status: 302, body: "" })).toBe(false);
    expect(checkerSaysHealthy(endpoint, serve)).toBe(true);
    for (const status of [403, 429, 500, 502, 503])
      expect(checkerSaysHealthy(endpoint, { status, body: "drain primary" })).toBe(true);
    expect(checkerSaysHealthy(endpoint, undefined)).toBe(true);
  });

  it("still evaluates an older string-match check: the marker in the first 5,120 bytes of a 2xx body", () => {
    expect(checkerSaysHealthy(oldCheck, drain)).toBe(false);
    expect(checkerSaysHealthy(oldCheck, serve)).toBe(true);
    expect(checkerSaysHealthy(oldCheck, { status: 200, body: "serve primary\n" })).toBe(true);
    expect(checkerSaysHealthy(oldCheck, { status: 200, body: `${"x".repeat(5120)}drain primary` })).toBe(true);
    expect(checkerSaysHealthy(oldCheck, { status: 200, body: `${"x".repeat(5107)}drain primary` })).toBe(false);
  });

  it("changes an endpoint check after failureThreshold consecutive opposite results, round by round", () => {
    // Prepare: the same check with threshold 3.
    const slow = { ...endpoint, id: "slow", failureThreshold: 3 };
    const board = new HealthCheckBoard([slow], timing);

    // Act: drain, drain, serve (the run breaks), drain, drain, drain.
    const steps = [drain, drain, serve, drain, drain, drain].map((answer, round) =>
      board.record("slow", round * 10_000, answer),
    );

    // Assess: only the third drain in a row changes the status, at that ask.
    expect(steps).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      { id: "slow", at: 50_000, healthy: false },
    ]);
    expect(board.statusAt("slow", 49_999)).toBe(true);
    expect(board.statusAt("slow", 50_000)).toBe(false);
  });

  it("drains through the calculated check when either control region's endpoint says drain, then aggregate and answer delays later", () => {
    // Prepare: both regions serve at 0 s; east says drain at its ask at 13 s.
    const board = new HealthCheckBoard([east, west, both], timing);
    board.record("east", 3_000, serve);
    board.record("west", 8_000, serve);

    // Act
    const change = board.record("east", 13_000, drain);
    board.record("west", 18_000, serve);

    // Assess: east unhealthy at 13 s; the calculated check (threshold 2 of 2) at 15 s; DNS answers at 20 s.
    expect(change).toEqual({ id: "east", at: 13_000, healthy: false });
    expect(board.statusAt("both", 14_999)).toBe(true);
    expect(board.statusAt("both", 15_000)).toBe(false);
    expect(board.answeredAt("both", 19_999)).toBe(true);
    expect(board.answeredAt("both", 20_000)).toBe(false);
    expect(board.answerChanges("both")).toEqual([
      { id: "both", healthy: false, child: "east", checkedAt: 13_000, calculatedAt: 15_000, answersAt: 20_000 },
    ]);
  });

  it("keeps a drain while one region still says drain, and undrains only when the last one stops", () => {
    // Prepare: both regions drain, then east clears at 33 s and west at 38 s.
    const board = new HealthCheckBoard([east, west, both], timing);
    board.record("east", 3_000, drain);
    board.record("west", 8_000, drain);

    // Act
    board.record("east", 33_000, serve);
    board.record("west", 38_000, serve);

    // Assess: one change to unhealthy (from east's ask) and one back (from west's, the last).
    expect(board.answerChanges("both")).toEqual([
      { id: "both", healthy: false, child: "east", checkedAt: 3_000, calculatedAt: 5_000, answersAt: 10_000 },
      { id: "both", healthy: true, child: "west", checkedAt: 38_000, calculatedAt: 40_000, answersAt: 45_000 },
    ]);
  });

  it("counts a record set without a known health check as healthy", () => {
    const board = new HealthCheckBoard([east], timing);
    expect(board.answeredAt("missing", 1_000)).toBe(true);
    expect(board.parentsOf("east")).toEqual([]);
  });
});
