import type { Prober, ProbeResult } from "../functions/lib/probe/types.ts";
import type { LagMonitor } from "./lag-monitor.ts";

/**
 * Runs the real prober in compressed time, as if it had a Lambda to itself.
 *
 * The request's timeout and latency limit (virtual ms, from the config) are
 * divided by the speed, and the measured latency multiplied back, so the
 * probe code and its metrics see virtual milliseconds. Injected latencies are
 * scaled the same way by the fault proxies, so a 4000 ms fault against a
 * 2000 ms limit fails at any speed.
 *
 * Every probe of the drill shares one Node process with everything else; a
 * stall of that process's event loop (or of the machine) during a check would
 * count as latency, 40 times magnified at 40x. So the check times out after
 * its timeout plus `graceMs` (virtual) of this process's own time, stalls
 * excluded, and runs with no latency limit; the wrapper judges the limit on the
 * latency minus the stall measured during the check: the same rule the prober
 * applies (`latency > limit` fails with `latency`), on the time a dedicated
 * Lambda would have measured.
 */
export function scaledProber(
  inner: Prober,
  options: {
    speed: number;
    lag: LagMonitor;
    /**
     * Extra virtual ms the inner check may take for stalls. Small: a check that
     * hangs to its timeout delays the round's publish by this much, and the
     * decider reads 1.5 s after the timeout. @default 400
     */
    graceMs?: number;
  },
): Prober {
  const { speed, lag } = options;
  const graceWallMs = (options.graceMs ?? 400) / speed;
  return async (request) => {
    const timeoutWall = request.timeoutMs / speed;
    const limitWall = request.maxLatencyMs === undefined ? undefined : request.maxLatencyMs / speed;
    const { maxLatencyMs: _limit, ...rest } = request;
    const started = performance.now();
    // The check's own timeout is left long; it times out on this process's own time, stalls excluded (LagMonitor.waitOwn).
    const deadline = lag.waitOwn(started, timeoutWall + graceWallMs);
    const check = inner({ ...rest, timeoutMs: Math.ceil((timeoutWall + graceWallMs) * 4) });
    check.catch(() => undefined); // abandoned after the deadline: its late failure is nobody's
    const result = await Promise.race([check, deadline.done.then(() => undefined)]);
    deadline.cancel();
    if (result === undefined)
      return {
        ok: false,
        latencyMs: request.timeoutMs,
        errorKind: "timeout",
        detail: `no answer within ${request.timeoutMs} ms`,
      };
    const overLimit = result.latencyMs > Math.min(timeoutWall, limitWall ?? Infinity);
    // Only a verdict the stall could change waits for the lag monitor's next tick (so a stall that ended just now is counted).
    if (result.ok && overLimit) await new Promise((resolve) => setTimeout(resolve, 6));
    const stalled = lag.stalledBetween(started, started + result.latencyMs + 1);
    const ownMs = Math.max(0, result.latencyMs - stalled);
    const scaled: ProbeResult = { ...result, latencyMs: Math.round(ownMs * speed) };
    if (!result.ok && result.errorKind === "timeout") return { ...scaled, latencyMs: request.timeoutMs };
    if (!result.ok) return scaled;
    if (ownMs > timeoutWall)
      return {
        ok: false,
        ...(result.status === undefined ? {} : { status: result.status }),
        latencyMs: request.timeoutMs,
        errorKind: "timeout",
        detail: `no answer within ${request.timeoutMs} ms`,
      };
    if (limitWall !== undefined && ownMs > limitWall) {
      return {
        ok: false,
        ...(result.status === undefined ? {} : { status: result.status }),
        latencyMs: scaled.latencyMs,
        errorKind: "latency",
        detail: `answered in ${scaled.latencyMs} ms, over the ${request.maxLatencyMs} ms limit`,
      };
    }
    return scaled;
  };
}
