import type { HealthCheckRead } from "../functions/lib/aws/route53-health-checks.ts";
import { answerSharesFor } from "../functions/lib/dataplane/answers.ts";
import { DEFAULT_DATA_PLANE_TIMING, type DataPlaneTiming } from "../functions/lib/dataplane/timing.ts";
import type { Weights } from "../functions/lib/types.ts";
import {
  evaluatedCheck,
  HealthCheckBoard,
  type AnswerChange,
  type CheckAnswer,
  type StatusChange,
} from "./health-check-board.ts";

/** The part of the drill clock the evaluator needs. */
export interface EvaluatorClock {
  now(): number;
  sleepUntil(atMs: number): Promise<void>;
  toWallMs(virtualMs: number): number;
  readonly isStopped: boolean;
}

export interface HealthCheckEvaluatorOptions {
  clock: EvaluatorClock;
  /** The health checks stored in the emulator (HealthCheckAdmin.list()). */
  checks: readonly HealthCheckRead[];
  /** Each target's calculated check, the one its record sets carry (linkDataPlane's `calculated`). */
  calculated: Readonly<Record<string, string>>;
  /** Delays of the data-plane path. @default DEFAULT_DATA_PLANE_TIMING */
  timing?: DataPlaneTiming;
  /** Uniform [0, 1), seeded: each check's phase within its interval (Route 53's checkers do not coordinate). */
  random: () => number;
  /** One checker's request. @default fetch with a timeout */
  ask?: (url: string, timeoutWallMs: number) => Promise<CheckAnswer>;
  /** Told each endpoint check's status change, at the ask that caused it. */
  onStatusChange?: (change: StatusChange) => void;
}

/**
 * The drill's stand-in for Route 53's health checkers: asks each endpoint
 * check's URL every `checkIntervalSeconds` (virtual, at a seeded phase; one
 * checker per check), feeds the answers to the pure {@link HealthCheckBoard}
 * and says which record sets DNS answers. A request gets Route 53's 6 s
 * (4 s to connect, 2 s to answer) on the drill clock but at least 2 s of
 * wall time, so a stall of this busy process is not taken for a silent
 * endpoint (which an inverted check would count as "serve" anyway).
 */
export class HealthCheckEvaluator {
  readonly board: HealthCheckBoard;
  /** Asks made, and those that got no answer. */
  asks = 0;
  unanswered = 0;
  private readonly timing: DataPlaneTiming;
  private loops: Array<Promise<void>> = [];

  constructor(private readonly options: HealthCheckEvaluatorOptions) {
    this.timing = options.timing ?? DEFAULT_DATA_PLANE_TIMING;
    this.board = new HealthCheckBoard(options.checks.map(evaluatedCheck), this.timing);
  }

  /** Starts asking every endpoint check until `untilMs` (virtual epoch ms) or the clock stops. */
  start(untilMs: number): void {
    this.loops = this.board.endpoints().map((check) => this.askLoop(check.id, check.url, untilMs));
  }

  /** Waits for the ask loops (the clock stopping ends them). */
  async stop(): Promise<void> {
    await Promise.all(this.loops);
  }

  /** Targets whose record sets DNS leaves out at `at` (their calculated check answered unhealthy). */
  unhealthyAt(at: number): string[] {
    return Object.entries(this.options.calculated)
      .filter(([, id]) => !this.board.answeredAt(id, at))
      .map(([target]) => target);
  }

  /** Each target's share of DNS answers at `at` for record weights `weights` (functions/lib/dataplane/answers.ts). */
  answerShares(weights: Weights, at: number): Weights {
    return answerSharesFor(weights, this.unhealthyAt(at), Object.keys(this.options.calculated));
  }

  /** Every change of each target's calculated check as DNS answers by it, in time order. */
  answerChanges(): Array<AnswerChange & { target: string }> {
    return Object.entries(this.options.calculated)
      .flatMap(([target, id]) => this.board.answerChanges(id).map((change) => ({ ...change, target })))
      .sort((a, b) => a.answersAt - b.answersAt);
  }

  private async askLoop(id: string, url: string, untilMs: number): Promise<void> {
    const { clock } = this.options;
    const intervalMs = this.timing.checkIntervalSeconds * 1000;
    const timeoutWallMs = Math.max(2000, clock.toWallMs(6000));
    const ask = this.options.ask ?? fetchAnswer;
    let next = clock.now() + this.options.random() * intervalMs;
    for (let round = 0; round < 10_000_000; round++) {
      await clock.sleepUntil(next);
      if (clock.isStopped || clock.now() >= untilMs) return;
      this.asks++;
      const answer = await ask(url, timeoutWallMs);
      if (answer === undefined) this.unanswered++;
      const change = this.board.record(id, clock.now(), answer);
      if (change !== undefined) this.options.onStatusChange?.(change);
      // A slow answer skips the slots it overran, as a checker keeps its own schedule.
      next += intervalMs * Math.max(1, Math.ceil((clock.now() - next) / intervalMs));
    }
  }
}

/** GET `url`; undefined when there is no answer within `timeoutWallMs`. */
async function fetchAnswer(url: string, timeoutWallMs: number): Promise<CheckAnswer> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutWallMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}
