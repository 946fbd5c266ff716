import type { RoundOutcome } from "../functions/lib/decider/decider.ts";

/** What a decider round did, for its figures: wrote nothing, moved the weights, or wrote without moving them. */
export type RoundKind = "steady" | "switch" | "otherWrite" | "failed";

/** One decider round as the drill measured it. */
export interface MeasuredRound {
  controlRegion: string;
  kind: RoundKind;
  /** AWS calls the decider made during the round (attempts, retries included). */
  calls: number;
  /** Of {@link calls}, by SigV4 service. */
  byService: Record<string, number>;
  wallMs: number;
}

/** Figures of the rounds of one kind. */
export interface RoundKindFigures {
  rounds: number;
  calls: { mean: number; max: number };
  /** Mean calls per round by service. */
  callsByService: Record<string, number>;
  wallMs: { median: number; p95: number; max: number };
}

/**
 * The deciders' rounds during the scenario: AWS calls and wall time per
 * steady round (wrote nothing), per switch round (moved the weights), per
 * round that wrote without moving them (memory, signals, a lease), and of
 * the rounds that failed; and how many overran their slot's wall time (a
 * probe interval at the drill's speed: 250 ms for 10 s at 40x).
 */
export interface DeciderRoundFigures {
  /** A round's slot in wall ms: the probe interval divided by the speed. */
  slotWallMs: number;
  /** Rounds whose wall time exceeded {@link slotWallMs}. */
  overSlot: number;
  steady?: RoundKindFigures;
  switch?: RoundKindFigures;
  otherWrite?: RoundKindFigures;
  failed?: RoundKindFigures;
}

/**
 * Measures each decider round the drill runs, once the scenario's faults are
 * armed: wall time, and the calls its decider made through its own route
 * meanwhile (a change's INSYNC poll, which runs in the background, counts in
 * the round it overlaps, usually the switch round).
 */
export class DeciderRoundMeter {
  readonly rounds: MeasuredRound[] = [];

  /** Whether rounds count: the set-up round before the scenario does not. */
  constructor(private readonly counting: () => boolean) {}

  /** The decide handler's `aroundRound` for the decider of `controlRegion`, whose calls by service are `calls`. */
  around(
    controlRegion: string,
    calls: Readonly<Record<string, number>>,
  ): (round: () => Promise<RoundOutcome>) => Promise<RoundOutcome> {
    return async (round) => {
      const before = { ...calls };
      const started = performance.now();
      const done = (kind: RoundKind) => {
        if (!this.counting()) return;
        const byService: Record<string, number> = {};
        for (const [service, count] of Object.entries(calls))
          if (count > (before[service] ?? 0)) byService[service] = count - (before[service] ?? 0);
        const total = Object.values(byService).reduce((sum, count) => sum + count, 0);
        this.rounds.push({ controlRegion, kind, calls: total, byService, wallMs: performance.now() - started });
      };
      try {
        const outcome = await round();
        done(outcome.switched ? "switch" : outcome.applied ? "otherWrite" : "steady");
        return outcome;
      } catch (error) {
        done("failed");
        throw error;
      }
    };
  }
}

/** The figures of measured rounds, by kind (kinds with no round left out). Pure. */
export function deciderRoundFigures(rounds: readonly MeasuredRound[], slotWallMs: number): DeciderRoundFigures {
  const figures: DeciderRoundFigures = {
    slotWallMs: Math.round(slotWallMs),
    overSlot: rounds.filter((round) => round.wallMs > slotWallMs).length,
  };
  for (const kind of ["steady", "switch", "otherWrite", "failed"] as const) {
    const ofKind = rounds.filter((round) => round.kind === kind);
    if (ofKind.length > 0) figures[kind] = kindFigures(ofKind);
  }
  return figures;
}

function kindFigures(rounds: readonly MeasuredRound[]): RoundKindFigures {
  const calls = rounds.map((round) => round.calls);
  const walls = rounds.map((round) => round.wallMs).sort((a, b) => a - b);
  const services = [...new Set(rounds.flatMap((round) => Object.keys(round.byService)))].sort();
  return {
    rounds: rounds.length,
    calls: { mean: round1(mean(calls)), max: Math.max(...calls) },
    callsByService: Object.fromEntries(
      services.map((service) => [service, round1(mean(rounds.map((round) => round.byService[service] ?? 0)))]),
    ),
    wallMs: {
      median: Math.round(quantile(walls, 0.5)),
      p95: Math.round(quantile(walls, 0.95)),
      max: Math.round(walls.at(-1) ?? 0),
    },
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
