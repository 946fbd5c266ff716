import type { LagMonitor } from "./lag-monitor.ts";

/**
 * How close a run came to the guard's bounds, over every simulated minute it checked: a passing run's
 * margin (summary.json `drill.loadGuard`), so a verdict at some speed shows how much room it had.
 */
export interface LoadHeadroom {
  /** Simulated minutes checked. */
  windows: number;
  /** Minutes over a bound (a single one is tolerated while the drill runs). */
  windowsOver: number;
  /** The emulator's answer time at the 90th percentile per minute, wall ms: median and worst minute. */
  emulatorMs: { median: number; max: number };
  /** The emulator bound in wall ms at this speed. */
  emulatorBoundMs: number;
  /** The drill's longest event-loop stall per minute, wall ms: median and worst minute. */
  loopStallMs: { median: number; max: number };
  /** The loop bound in wall ms at this speed. */
  loopBoundMs: number;
  /** Probe and decider rounds skipped because the one before overran its slot. */
  skippedRounds: number;
}

/** Why a drill stopped early: the machine could not keep the compressed clock. */
export interface TooBusy {
  /**
   * Whether the drill stopped early (two minutes in a row over a bound), or ran to the end and failed an
   * expectation after minutes over a bound (its failure may describe this machine). @default true
   */
  stoppedEarly: boolean;
  /** Scenario second at which the drill stopped, or of the last minute over a bound. */
  atSecond: number;
  /** Longest stall of the drill's event loop in the last windows, wall ms. */
  loopStallMs: number;
  /** The emulator's answer time at the 90th percentile in the last windows, wall ms (stalls of the drill excluded). */
  emulatorMs: number;
  /** The same lags in simulated seconds at the drill's speed. */
  simulatedSeconds: { loop: number; emulator: number };
  /** Rounds of the probes and deciders skipped in the last window because the round before overran its slot. */
  skippedRounds: number;
  /** The highest speed at which these lags would have stayed within bounds (at least 1). */
  fittingSpeed: number;
  /** One sentence for people: what was measured, and what to do. */
  message: string;
}

export interface LoadGuardOptions {
  speed: number;
  lag: LagMonitor;
  /** Base URL of the emulator; a trivial request to it every `pulseMs` measures how fast it answers. */
  emulatorUrl: string;
  /**
   * Simulated ms the emulator may take (90th percentile): a probe round's
   * publish must land before the deciders read, 5.5 s into the round, and
   * the round itself may take the 4 s timeout plus 0.4 s. 1 s was too tight: a quiet 2-core machine
   * answers in about 29 ms, 1.2 s simulated at 40x, and the drill stopped at once. @default 2500
   */
  emulatorBoundMs?: number;
  /** Simulated ms the drill's event loop may stall at once: half a probe round. @default 5000 */
  loopBoundMs?: number;
  /** Consecutive simulated minutes over a bound before the drill stops. @default 2 */
  windows?: number;
  /** Wall ms between two emulator pulses. @default 100 */
  pulseMs?: number;
}

/**
 * Watches whether the machine keeps up with the drill's compressed clock.
 * Every part of the drill shares one process and one emulator: when that
 * process stalls or the emulator answers slowly, a second of delay is 40
 * simulated seconds at 40x, and the drill would score this machine instead
 * of the failover system. {@link check}, called once a simulated minute,
 * answers {@link TooBusy} once the emulator's answer time or the loop's
 * stalls passed their bound for `windows` minutes in a row.
 */
export class LoadGuard {
  private readonly pulses: Array<{ at: number; ms: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastCheck = performance.now();
  private overInARow = 0;
  /** The last `windows` windows' measures, the newest last. */
  private readonly recent: GuardWindow[] = [];
  /** Every window over a bound, the newest last. */
  private readonly overWindows: GuardWindow[] = [];
  /** Every window checked. */
  private readonly allWindows: GuardWindow[] = [];
  private skipped: string[] = [];

  constructor(private readonly options: LoadGuardOptions) {}

  /** Starts the emulator pulse. */
  start(): void {
    if (this.timer) return;
    this.lastCheck = performance.now();
    let inFlight = false;
    this.timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      const started = performance.now();
      // A GET of a POST-only moto endpoint: answered at once (400), changes nothing.
      fetch(`${this.options.emulatorUrl}/moto-api/reset-auth`, { signal: AbortSignal.timeout(5000) })
        .then((response) => response.arrayBuffer())
        .catch(() => undefined)
        .finally(() => {
          const ended = performance.now();
          const own = ended - started - this.options.lag.stalledBetween(started, ended);
          this.pulses.push({ at: ended, ms: Math.max(0, own) });
          if (this.pulses.length > 2000) this.pulses.splice(0, 1000);
          inFlight = false;
        });
    }, this.options.pulseMs ?? 100);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Notes rounds the system's own functions skipped because the round before
   * overran its slot (`who`: "probe us-east-1", "decider us-west-1"). A
   * probe round ends a second before the next and a decider round takes a
   * few emulator calls, so overruns minute after minute mean the machine
   * starves them: a window with a skipped round counts as over its bound,
   * like a slow emulator or a stalled loop. (One overrun alone, such as the
   * round after a drain, which also writes the signals and announces, at
   * 20x on a quiet machine, is logged and tolerated: the next round reads
   * the same votes.)
   */
  noteSkippedRounds(who: string, count: number): void {
    for (let index = 0; index < count; index++) this.skipped.push(who);
  }

  /** Measures the window since the last check; returns why the drill must stop, or undefined. */
  check(atSecond: number): TooBusy | undefined {
    const { speed } = this.options;
    const now = performance.now();
    const from = this.lastCheck;
    this.lastCheck = now;
    const answers = this.pulses
      .filter((pulse) => pulse.at > from)
      .map((pulse) => pulse.ms)
      .sort((a, b) => a - b);
    // No answer at all in the window: the emulator took at least the whole window.
    const emulatorMs =
      answers.length === 0
        ? now - from
        : (answers[Math.min(answers.length - 1, Math.floor(answers.length * 0.9))] ?? 0);
    const loopStallMs = this.options.lag.longestStallBetween(from, now);
    const skipped = this.skipped;
    this.skipped = [];
    const window = { atSecond, loopStallMs, emulatorMs, skipped };
    this.recent.push(window);
    this.allWindows.push(window);
    const windows = this.options.windows ?? 2;
    if (this.recent.length > windows) this.recent.shift();
    const emulatorBound = (this.options.emulatorBoundMs ?? 2500) / speed;
    const loopBound = (this.options.loopBoundMs ?? 5000) / speed;
    const over = emulatorMs > emulatorBound || loopStallMs > loopBound || skipped.length > 0;
    if (over) this.overWindows.push(window);
    this.overInARow = over ? this.overInARow + 1 : 0;
    if (this.overInARow < windows) return undefined;
    return this.tooBusy(atSecond, this.recent, true);
  }

  /**
   * For a drill that ran to the end and failed an expectation: if any simulated minute was over a bound (a
   * single one is tolerated while the drill runs), the failure may describe this machine rather than the
   * failover system, so there is no verdict (exit 3, never 1). Undefined when every minute kept the clock.
   */
  failedUnderStrain(): TooBusy | undefined {
    const last = this.overWindows.at(-1);
    return last === undefined ? undefined : this.tooBusy(last.atSecond, this.overWindows, false);
  }

  /** The margin over every minute checked so far; undefined before the first check. */
  headroom(): LoadHeadroom | undefined {
    const all = this.allWindows;
    if (all.length === 0) return undefined;
    const { speed } = this.options;
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: Math.round(sorted.at(-1) ?? 0) };
    };
    return {
      windows: all.length,
      windowsOver: this.overWindows.length,
      emulatorMs: spread(all.map((w) => w.emulatorMs)),
      emulatorBoundMs: round1((this.options.emulatorBoundMs ?? 2500) / speed),
      loopStallMs: spread(all.map((w) => w.loopStallMs)),
      loopBoundMs: round1((this.options.loopBoundMs ?? 5000) / speed),
      skippedRounds: all.reduce((sum, w) => sum + w.skipped.length, 0),
    };
  }

  private tooBusy(atSecond: number, over: readonly GuardWindow[], stoppedEarly: boolean): TooBusy {
    const { speed } = this.options;
    const skipped = over.flatMap((w) => w.skipped);

    const worstLoop = Math.max(...over.map((w) => w.loopStallMs));
    const worstEmulator = Math.max(...over.map((w) => w.emulatorMs));
    const fittingSpeed = Math.max(
      1,
      Math.floor(
        Math.min(
          worstEmulator > 0 ? (this.options.emulatorBoundMs ?? 2500) / worstEmulator : speed,
          worstLoop > 0 ? (this.options.loopBoundMs ?? 5000) / worstLoop : speed,
          skipped.length > 0 ? speed / 2 : speed,
          speed - 1,
        ),
      ),
    );
    const who = [...new Set(skipped)].join(", ");
    const skips =
      skipped.length === 0
        ? ""
        : `${skipped.length} round(s) of ${who} were skipped because the round before overran its slot. `;
    const simulated = { loop: round1((worstLoop * speed) / 1000), emulator: round1((worstEmulator * speed) / 1000) };
    const when = stoppedEarly
      ? `Over the last ${over.length} simulated minutes`
      : `In ${over.length} simulated minute(s) (the last at second ${Math.round(atSecond)})`;
    return {
      stoppedEarly,
      atSecond,
      loopStallMs: Math.round(worstLoop),
      emulatorMs: Math.round(worstEmulator),
      simulatedSeconds: simulated,
      skippedRounds: skipped.length,
      fittingSpeed,
      message:
        `the machine is too busy for the drill at ${speed}x: ${skips}${when} the emulator answered in ` +
        `${Math.round(worstEmulator)} ms (90th percentile; ${simulated.emulator} s simulated, bound ${round1((this.options.emulatorBoundMs ?? 2500) / 1000)} s) ` +
        `and the drill's event loop stalled up to ${Math.round(worstLoop)} ms (${simulated.loop} s simulated, bound ${round1((this.options.loopBoundMs ?? 5000) / 1000)} s). ` +
        (stoppedEarly
          ? "A verdict would describe this machine, not the failover system, so the drill stopped. "
          : "The drill failed an expectation, and its failure may describe this machine, not the failover system, so there is no verdict. ") +
        `Rerun with --speed ${fittingSpeed}, or when the machine is quieter.`,
    };
  }
}

/** What one simulated minute measured. */
interface GuardWindow {
  atSecond: number;
  loopStallMs: number;
  emulatorMs: number;
  skipped: string[];
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
