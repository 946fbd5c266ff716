/**
 * Measures how long this process's event loop was stalled (busy elsewhere,
 * or not scheduled on a loaded machine) over any interval.
 *
 * In the drill every Lambda shares one Node process, and time is compressed:
 * a 50 ms stall is 2 s of virtual time at 40x, enough to fail a latency
 * check that a probe in its own Lambda would pass. The drill's scaled prober
 * and clients discount the stall measured during each request.
 */
export class LagMonitor {
  private readonly ticks: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Longest single stall seen, wall ms. */
  maxStallMs = 0;
  /** Sum of stalls, wall ms. */
  totalStallMs = 0;

  constructor(
    /** Tick interval, wall ms. @default 5 */
    private readonly tickMs = 5,
    /** Ticks kept (covers tickMs × keep ms). @default 2000 */
    private readonly keep = 2000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.ticks.push(performance.now());
    this.timer = setInterval(() => {
      const now = performance.now();
      const last = this.ticks.at(-1) ?? now;
      const stall = Math.max(0, now - last - this.tickMs);
      if (stall > 1) {
        this.totalStallMs += stall;
        this.maxStallMs = Math.max(this.maxStallMs, stall);
      }
      this.ticks.push(now);
      if (this.ticks.length > this.keep * 1.5) this.ticks.splice(0, this.ticks.length - this.keep);
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Resolves once `ms` wall ms of this process's own time have passed since
   * `from` (a performance.now() value): stalls of the event loop do not count.
   * A plain timer would fire right after a stall, before the answer that
   * arrived meanwhile is read (Node runs due timers before it polls sockets),
   * turning every request in flight into a timeout at once.
   */
  waitOwn(from: number, ms: number): { done: Promise<void>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const done = new Promise<void>((resolve) => {
      const check = (expectedAt: number) => {
        if (cancelled) return;
        const now = performance.now();
        // A timer that fires late was held up by a stall the monitor may not have ticked over yet.
        const stalled = Math.max(this.stalledBetween(from, now), now - expectedAt);
        const left = ms - (now - from - stalled);
        if (left <= 0) return resolve();
        arm(left);
      };
      const arm = (delay: number) => {
        const expectedAt = performance.now() + delay;
        timer = setTimeout(() => check(expectedAt), delay);
      };
      arm(Math.max(0, ms - (performance.now() - from)));
    });
    return {
      done,
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }

  /** The longest single stall (wall ms) that ended between `from` and `to` (performance.now() values). */
  longestStallBetween(from: number, to: number): number {
    let longest = 0;
    for (let i = this.ticks.length - 1; i > 0; i--) {
      const end = this.ticks[i] ?? 0;
      if (end <= from) break;
      if (end > to) continue;
      longest = Math.max(longest, end - (this.ticks[i - 1] ?? end) - this.tickMs);
    }
    return longest;
  }

  /** Wall ms the loop was stalled between `from` and `to` (performance.now() values), beyond the tick interval. */
  stalledBetween(from: number, to: number): number {
    let stalled = 0;
    for (let i = this.ticks.length - 1; i > 0; i--) {
      const end = this.ticks[i] ?? 0;
      const begin = this.ticks[i - 1] ?? 0;
      if (end <= from) break;
      if (begin >= to) continue;
      const gap = end - begin - this.tickMs;
      if (gap > 1) stalled += Math.max(0, Math.min(gap, Math.min(end, to) - Math.max(begin, from)));
    }
    return stalled;
  }
}
