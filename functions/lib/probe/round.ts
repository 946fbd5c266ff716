import type { FailoverConfig } from "../config.ts";
import type { ProbeCheckResult, ProbeRoundReport } from "./report.ts";
import { probeHttp } from "./http.ts";
import type { ProbeRequest, Prober } from "./types.ts";

export interface ProbeRoundArgs {
  config: FailoverConfig;
  /** This probe's region. */
  vantage: string;
  /** Aligned round start, epoch seconds. */
  at: number;
  /** @default probeHttp */
  prober?: Prober;
  /**
   * Clock for the round's own bound (epoch ms): a check still queued when it
   * could no longer finish within the interval is left out (no vote) rather
   * than run late. @default Date.now
   */
  now?: () => number;
  /** Waits before a re-check (the handler passes its clock's). @default a timer */
  sleep?: (ms: number) => Promise<void>;
}

// A canary is a known-good page, not the application: any non-error answer means the vantage can reach the internet.
const canaryStatuses = Array.from({ length: 200 }, (_, index) => 200 + index);

/**
 * One probe round from one vantage: every target checked concurrently (at
 * most `probe.concurrency` in flight) and the canary alongside; the round
 * votes only if the canary answered. A failed check is checked again
 * `probe.recheckAfterMs` after it started (or at once when it took longer);
 * the re-check's result is the vote, so a blip or a lost packet shorter than
 * the gap is not a down vote, and a down vote is two failures that far
 * apart. Only failing targets cost a second check. The re-check must end a
 * second before the round's slot does, so it gets the time left, up to the
 * timeout (see {@link recheckTimeoutMs}).
 */
export async function runProbeRound(args: ProbeRoundArgs): Promise<ProbeRoundReport> {
  const { config, vantage, at } = args;
  const prober = args.prober ?? probeHttp;
  const now = args.now ?? Date.now;
  const sleep = args.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const probe = config.probe;
  const base: ProbeRequest = {
    url: "",
    timeoutMs: probe.timeoutMs,
    expectedStatuses: probe.expectedStatuses,
    bodyMatchBytes: probe.bodyMatchBytes,
    headers: probe.headers,
    ...(probe.bodyMatch === undefined ? {} : { bodyMatch: probe.bodyMatch }),
    ...(probe.maxLatencyMs === undefined ? {} : { maxLatencyMs: probe.maxLatencyMs }),
  };
  const lastStart = now() + probe.intervalSeconds * 1000 - probe.timeoutMs;

  const canary =
    probe.canaryUrl === undefined
      ? undefined
      : prober({
          url: probe.canaryUrl,
          timeoutMs: probe.timeoutMs,
          expectedStatuses: canaryStatuses,
          bodyMatchBytes: 1,
          headers: {},
        });

  const results: Array<ProbeCheckResult | undefined> = new Array(config.targets.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < config.targets.length; index = next++) {
      const target = config.targets[index];
      if (target === undefined || now() > lastStart) continue;
      const startedAt = now();
      const request = {
        ...base,
        url: target.healthUrl,
        ...(target.skipCertificateCheck ? { verifyCertificate: false } : {}),
      };
      let result = await prober(request);
      if (!result.ok && probe.recheckAfterMs > 0) {
        const again = Math.max(startedAt + probe.recheckAfterMs, now());
        if (recheckTimeoutMs(probe, at * 1000, again) !== undefined) {
          if (again > now()) await sleep(again - now());
          // The time left is measured again after the wait, which a busy process can stretch.
          const timeoutMs = recheckTimeoutMs(probe, at * 1000, now());
          if (timeoutMs !== undefined) result = await prober({ ...request, timeoutMs });
        }
      }
      results[index] = {
        target: target.id,
        ok: result.ok,
        latencyMs: result.latencyMs,
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(result.errorKind === undefined ? {} : { errorKind: result.errorKind }),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(probe.concurrency, config.targets.length) }, worker));

  const canaryResult = canary && (await canary);
  return {
    vantage,
    at,
    voting: canaryResult === undefined || canaryResult.ok,
    ...(canaryResult === undefined ? {} : { canary: { ok: canaryResult.ok, latencyMs: canaryResult.latencyMs } }),
    results: results.filter((result): result is ProbeCheckResult => result !== undefined),
  };
}

/**
 * The timeout of a re-check starting at `startMs` in the round that started
 * at `roundStartMs` (both epoch ms), or undefined when there is too little
 * time left for one. A re-check must end a second before the next round, so
 * the round's datum is published in its own slot; it gets the time left up to
 * `probe.timeoutMs`, but at least `probe.maxLatencyMs` (a slower answer fails
 * either way, so the vote is the one a full timeout would give) or, without a
 * latency limit, half the timeout. A first check that hung to its timeout
 * thus still gets its re-check when it started up to a second late (a cold
 * start, a busy vantage), instead of voting down on one failure. The replay
 * (offline/replay/timed.ts) applies the same rule.
 */
export function recheckTimeoutMs(
  probe: FailoverConfig["probe"],
  roundStartMs: number,
  startMs: number,
): number | undefined {
  const endsBy = roundStartMs + probe.intervalSeconds * 1000 - 1000;
  const timeoutMs = Math.min(probe.timeoutMs, endsBy - startMs);
  const shortestMs = probe.maxLatencyMs ?? Math.ceil(probe.timeoutMs / 2);
  return timeoutMs >= shortestMs ? timeoutMs : undefined;
}
