import type { RegionResult } from "../functions/lib/region-result.ts";
import type { FailoverConfig } from "../functions/lib/config.ts";
import { describeError } from "../functions/lib/errors.ts";
import type { Logger } from "../functions/lib/log.ts";
import type { ProbeRoundReport } from "../functions/lib/probe/report.ts";
import type { Prober } from "../functions/lib/probe/types.ts";
import { SCENARIO_EPOCH } from "../offline/replay/run.ts";
import type { TimingDraws } from "../offline/timing.ts";
import type { DrillClock } from "./clock.ts";

/**
 * The drill's share of AWS's timing (offline/timing.ts), drawn from the same
 * seeded draws as the replay, so both run one scenario under the same delays:
 * a probe round's datum becomes readable in each control region after its
 * readable delay, and each first check of a round starts after its probe
 * jitter. (Invocation arrival and cold starts are applied where the drill
 * invokes the functions, ./scenario-loop.ts; the replay's answer and decide
 * durations are not drawn here: the drill's checks and deciders take what
 * they really take.)
 */
export class DrillAwsTiming {
  constructor(
    private readonly draws: TimingDraws,
    private readonly clock: DrillClock,
    private readonly config: FailoverConfig,
    private readonly log: Logger,
  ) {}

  /**
   * A probe publisher as CloudWatch behaves: PutMetricData answers at once,
   * and the datum is readable in control region number `c` only after the
   * round's readable delay there. The write into the emulator happens then
   * (the emulator makes a datum readable the moment it is written); a write
   * that fails is logged, as the probe would have seen no error either.
   */
  readablePublisher(
    vantage: string,
    publish: (report: ProbeRoundReport, regions: string[]) => Promise<RegionResult[]>,
  ): (report: ProbeRoundReport) => Promise<RegionResult[]> {
    const v = this.config.vantages.indexOf(vantage);
    const intervalSeconds = this.config.probe.intervalSeconds;
    return async (report) => {
      const round = Math.floor((report.at - SCENARIO_EPOCH) / intervalSeconds);
      for (const [c, region] of this.config.controlRegions.entries()) {
        const delayMs = this.draws.readableDelayMs(round, v, c);
        void this.writeLater(delayMs, () => publish(report, [region]), { vantage, region, at: report.at });
      }
      return this.config.controlRegions.map((region) => ({ region, ok: true, calls: 0, bytes: 0 }));
    };
  }

  /**
   * The vantage's prober with each round's first check of a target starting
   * after its probe jitter (a re-check starts when the round says).
   * `targetUrls` are the vantage's own health URLs, in config order.
   */
  jitteredProber(vantage: string, targetUrls: readonly string[], inner: Prober): Prober {
    const v = this.config.vantages.indexOf(vantage);
    const intervalSeconds = this.config.probe.intervalSeconds;
    let currentRound = -1;
    const checked = new Set<number>();
    return async (request) => {
      const t = targetUrls.indexOf(request.url);
      const round = Math.floor((this.clock.now() / 1000 - SCENARIO_EPOCH) / intervalSeconds);
      if (round !== currentRound) {
        currentRound = round;
        checked.clear();
      }
      if (t >= 0 && !checked.has(t)) {
        checked.add(t);
        const jitterMs = this.draws.probeJitterMs(round, v, t);
        if (jitterMs > 0) await this.clock.sleep(jitterMs);
      }
      return inner(request);
    };
  }

  private async writeLater(
    delayMs: number,
    write: () => Promise<RegionResult[]>,
    where: { vantage: string; region: string; at: number },
  ): Promise<void> {
    if (delayMs > 0) await this.clock.sleep(delayMs);
    if (this.clock.isStopped) return;
    try {
      const [result] = await write();
      if (result !== undefined && !result.ok)
        this.log.warn("probe round not readable", { ...where, error: result.error?.message });
    } catch (error) {
      this.log.warn("probe round not readable", { ...where, error: describeError(error) });
    }
  }
}
