import type { HealthCheckRead } from "../functions/lib/aws/route53-health-checks.ts";
import type { DataPlaneTiming } from "../functions/lib/dataplane/timing.ts";
import { FailoverError } from "../functions/lib/errors.ts";

/**
 * The drill's stand-in for Route 53's health checkers (moto stores health
 * checks but evaluates none): the pure rules, step by step. Times are
 * virtual epoch ms; the shell (./health-check-evaluator.ts) asks the
 * endpoints and feeds the answers in.
 */

/** A health check as the stand-in evaluates it. */
export type EvaluatedCheck =
  | {
      id: string;
      kind: "endpoint";
      /** What a checker asks: `http(s)://<FQDN>:<port><path>`. */
      url: string;
      /** Must be found in the first 5,120 bytes of the body (STR_MATCH types); undefined: any 2xx/3xx passes. */
      searchString: string | undefined;
      inverted: boolean;
      /** Consecutive opposite results that change the status (1-10). */
      failureThreshold: number;
    }
  | { id: string; kind: "calculated"; children: string[]; healthThreshold: number };

/** One checker's ask: the HTTP status and body, or undefined when nothing came back (refused, reset, timed out). */
export type CheckAnswer = { status: number; body: string } | undefined;

/** Bytes of the body Route 53 searches for the string. */
const SEARCHED_BYTES = 5120;

/** The stand-in's view of a stored health check; throws a FailoverError for a type it does not evaluate. */
export function evaluatedCheck(check: HealthCheckRead): EvaluatedCheck {
  const { spec } = check;
  if (spec.Type === "CALCULATED")
    return {
      id: check.id,
      kind: "calculated",
      children: [...(spec.ChildHealthChecks ?? [])],
      healthThreshold: spec.HealthThreshold ?? 0,
    };
  if (
    spec.Type === "HTTP" ||
    spec.Type === "HTTPS" ||
    spec.Type === "HTTP_STR_MATCH" ||
    spec.Type === "HTTPS_STR_MATCH"
  ) {
    const scheme = spec.Type.startsWith("HTTPS") ? "https" : "http";
    const port = spec.Port ?? (scheme === "https" ? 443 : 80);
    return {
      id: check.id,
      kind: "endpoint",
      url: `${scheme}://${spec.FullyQualifiedDomainName ?? ""}:${port}${spec.ResourcePath ?? "/"}`,
      // A status check (HTTP/HTTPS) passes on any 2xx/3xx; only the STR_MATCH types search the body.
      searchString: spec.Type.endsWith("STR_MATCH") ? spec.SearchString : undefined,
      inverted: spec.Inverted === true,
      failureThreshold: spec.FailureThreshold ?? 3,
    };
  }
  throw new FailoverError(
    "CONFIG_INVALID",
    `health check ${check.id} has type ${String(spec.Type)}: the drill evaluates HTTP(S), HTTP(S)_STR_MATCH and CALCULATED only`,
  );
}

/**
 * What one checker concludes from one answer: healthy when it answered
 * 2xx/3xx and, for a string match, the first 5,120 bytes hold the string;
 * an inverted check flips that, so no answer at all counts as healthy.
 */
export function checkerSaysHealthy(check: Extract<EvaluatedCheck, { kind: "endpoint" }>, answer: CheckAnswer): boolean {
  const passed =
    answer !== undefined &&
    answer.status >= 200 &&
    answer.status < 400 &&
    (check.searchString === undefined ||
      Buffer.from(answer.body).subarray(0, SEARCHED_BYTES).toString("latin1").includes(check.searchString));
  return check.inverted ? !passed : passed;
}

/** A change of one endpoint check's status, from the ask that caused it. */
export interface StatusChange {
  id: string;
  /** When the ask that changed it was answered. */
  at: number;
  healthy: boolean;
}

/**
 * When a change of an endpoint check reaches DNS through the calculated
 * check over it: the ask, the calculated check's status (`aggregateSeconds`
 * later) and the answers (`answerSeconds` after that).
 */
export interface AnswerChange {
  /** The calculated check. */
  id: string;
  healthy: boolean;
  /** The ask that changed the endpoint check. */
  checkedAt: number;
  /** The endpoint check that changed. */
  child: string;
  calculatedAt: number;
  answersAt: number;
}

/**
 * Every check's status over time. A new check is healthy (Route 53: "until
 * there is enough data"). An endpoint check changes after
 * `failureThreshold` consecutive opposite results; a calculated check is
 * healthy while at least `healthThreshold` children are, as it sees them
 * `aggregateSeconds` late; DNS answers follow a check's status
 * `answerSeconds` late (timing.ts: those two are assumptions).
 */
export class HealthCheckBoard {
  private readonly checks = new Map<string, EvaluatedCheck>();
  /** Endpoint checks: status changes in time order (before the first: healthy). */
  private readonly history = new Map<string, StatusChange[]>();
  /** Endpoint checks: the status now and the run of opposite results so far. */
  private readonly current = new Map<string, { healthy: boolean; streak: number }>();

  constructor(
    checks: readonly EvaluatedCheck[],
    private readonly timing: Pick<DataPlaneTiming, "aggregateSeconds" | "answerSeconds">,
  ) {
    for (const check of checks) {
      this.checks.set(check.id, check);
      if (check.kind === "endpoint") {
        this.history.set(check.id, []);
        this.current.set(check.id, { healthy: true, streak: 0 });
      }
    }
  }

  /** The endpoint checks, to ask. */
  endpoints(): Array<Extract<EvaluatedCheck, { kind: "endpoint" }>> {
    return [...this.checks.values()].filter((check) => check.kind === "endpoint");
  }

  /** The calculated checks over `child`. */
  parentsOf(child: string): string[] {
    return [...this.checks.values()]
      .filter((check) => check.kind === "calculated" && check.children.includes(child))
      .map((check) => check.id);
  }

  /** Takes one ask's answer (asks come in time order per check); returns the status change it caused, if any. */
  record(id: string, at: number, answer: CheckAnswer): StatusChange | undefined {
    const check = this.checks.get(id);
    const state = this.current.get(id);
    if (check?.kind !== "endpoint" || state === undefined) throw new RangeError(`${id} is not an endpoint check`);
    const healthy = checkerSaysHealthy(check, answer);
    if (healthy === state.healthy) {
      state.streak = 0;
      return undefined;
    }
    state.streak++;
    if (state.streak < Math.max(1, check.failureThreshold)) return undefined;
    state.healthy = healthy;
    state.streak = 0;
    const change = { id, at, healthy };
    this.history.get(id)?.push(change);
    return change;
  }

  /** A check's status at `at` as Route 53 holds it (a calculated check sees its children `aggregateSeconds` late). */
  statusAt(id: string, at: number): boolean {
    const check = this.checks.get(id);
    if (check === undefined) return true; // no such check: the record set counts as healthy
    if (check.kind === "endpoint") {
      const changes = this.history.get(id) ?? [];
      let healthy = true;
      for (const change of changes) {
        if (change.at > at) break;
        healthy = change.healthy;
      }
      return healthy;
    }
    const seen = at - this.timing.aggregateSeconds * 1000;
    const healthyChildren = check.children.filter((child) => this.statusAt(child, seen)).length;
    return healthyChildren >= check.healthThreshold;
  }

  /** The status DNS answers by at `at` (`answerSeconds` behind {@link statusAt}). */
  answeredAt(id: string, at: number): boolean {
    return this.statusAt(id, at - this.timing.answerSeconds * 1000);
  }

  /** Every change of what DNS answers by for calculated check `id`, in time order, with the ask that caused it. */
  answerChanges(id: string): AnswerChange[] {
    const check = this.checks.get(id);
    if (check?.kind !== "calculated") return [];
    const aggregateMs = this.timing.aggregateSeconds * 1000;
    const answerMs = this.timing.answerSeconds * 1000;
    const causes = check.children
      .flatMap((child) => (this.history.get(child) ?? []).map((change) => ({ child, checkedAt: change.at })))
      .sort((a, b) => a.checkedAt - b.checkedAt);
    const changes: AnswerChange[] = [];
    let healthy = true;
    for (const cause of causes) {
      const calculatedAt = cause.checkedAt + aggregateMs;
      const now = this.statusAt(id, calculatedAt);
      if (now === healthy) continue;
      healthy = now;
      changes.push({ id, healthy, ...cause, calculatedAt, answersAt: calculatedAt + answerMs });
    }
    return changes;
  }
}
