/**
 * Compressed time for the drill: virtual = t0 + wall elapsed × speed.
 *
 * Every handler the drill runs (probes, deciders, the notifier's context)
 * takes a Clock; giving them this one lets two hours of an incident pass in
 * a few minutes while each part still sees consistent epoch milliseconds.
 * `sleep` waits the virtual duration divided by the speed. `stop()` wakes
 * every pending sleeper at once so the drill's loops can wind down.
 */
export class DrillClock {
  /** Virtual epoch ms at the start of the drill. */
  readonly startMs: number;
  /** Virtual milliseconds per wall millisecond. */
  readonly speed: number;
  private readonly wallNow: () => number;
  private wallStart: number;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private markStopped: () => void = () => undefined;
  /** Resolves when {@link stop} is called. */
  readonly whenStopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(options: {
    /** Virtual epoch ms the drill starts at (the scenario's second 0). */
    startMs: number;
    /** Compression factor; 1 is real time. */
    speed: number;
    /** Wall clock in ms (monotonic). @default performance.now */
    wallNow?: () => number;
  }) {
    if (!(options.speed > 0)) throw new RangeError(`speed must be above 0, got ${options.speed}`);
    this.startMs = options.startMs;
    this.speed = options.speed;
    this.wallNow = options.wallNow ?? (() => performance.now());
    this.wallStart = this.wallNow();
  }

  /** Restarts the virtual time at `startMs` (call once everything is started, so set-up does not eat scenario time). */
  restart(): void {
    this.wallStart = this.wallNow();
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return this.startMs + (this.wallNow() - this.wallStart) * this.speed;
  }

  /** Virtual seconds since the scenario start. */
  elapsedSeconds(): number {
    return (this.now() - this.startMs) / 1000;
  }

  /** Wall milliseconds that `virtualMs` virtual milliseconds take. */
  toWallMs(virtualMs: number): number {
    return virtualMs / this.speed;
  }

  /** Sleeps `ms` virtual milliseconds; resolves at once after {@link stop}. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      // Rounded up: Node's timers may otherwise wake a fraction of a ms early.
      const timer = setTimeout(wake, Math.max(0, Math.ceil(ms / this.speed)));
      this.sleepers.add(wake);
    });
  }

  /** Sleeps until the virtual epoch ms `atMs` (at once when it has passed); never wakes early. */
  async sleepUntil(atMs: number): Promise<void> {
    for (let attempt = 0; attempt < 100 && !this.stopped && this.now() < atMs; attempt++)
      await this.sleep(atMs - this.now());
  }

  /** True once {@link stop} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Wakes every sleeper and makes later sleeps return at once. */
  stop(): void {
    this.stopped = true;
    this.markStopped();
    for (const wake of [...this.sleepers]) wake();
  }

  /**
   * The clock the handlers get: the same time, but a sleep that is pending
   * when the drill stops (or begins after) never returns, like a Lambda
   * frozen at the end of the drill: no handler starts another round after
   * the scenario's end. Callers race their invocations with {@link whenStopped}.
   */
  frozenAtStop(): { now(): number; sleep(ms: number): Promise<void> } {
    return {
      now: () => this.now(),
      sleep: async (ms) => {
        await this.sleep(ms);
        if (this.stopped) {
          this.frozen++;
          await new Promise<never>(() => undefined);
        }
      },
    };
  }

  /** Sleeps of {@link frozenAtStop} clocks parked for good since the stop. */
  frozen = 0;
}
