import * as z from "zod";
import { seededUniform } from "./replay/random.ts";

/**
 * How AWS's timing deviates from an ideal clock, as a scenario states it:
 * the replay samples every delay from these settings (seeded), and the drill
 * draws the same numbers (../drill/aws-timing.ts, ../drill/scenario-loop.ts).
 * What comes from AWS documentation and what is an assumption is said on each
 * field and in docs/performance.md.
 */
const ms = (max: number) =>
  z
    .int({ error: `expected whole milliseconds from 0 to ${max}` })
    .min(0)
    .max(max);
const ratio = z.number({ error: "expected a number from 0 to 1" }).min(0).max(1);

const invocationSchema = z.strictObject({
  /**
   * Second of the minute at which EventBridge invokes the function, fixed per
   * function (sampled once per function in `[min, max]`). Assumption: AWS
   * documents one-minute precision for rate rules, not the second.
   * @default { min: 0, max: 2 }
   */
  second: z
    .strictObject({ min: z.number().min(0).max(59), max: z.number().min(0).max(59) })
    .default({ min: 0, max: 2 }),
  /** Each invocation arrives up to this much later than its second (uniform). Assumption. @default 1000 */
  jitterMs: ms(30000).default(1000),
  /** Share of scheduled invocations that never arrive (EventBridge delivers at least once, but a throttled or failed invocation is lost for that minute). Assumption. @default 0.0005 */
  missedRatio: ratio.default(0.0005),
  /** Share of invocations that start cold. Assumption (a function invoked every minute stays mostly warm). @default 0.02 */
  coldStartRatio: ratio.default(0.02),
  /** Added before a cold invocation's first round (Node.js on arm64, 128 MB, bundle of a few hundred kB). Assumption. @default 800 */
  coldStartMs: ms(30000).default(800),
});

export const timingSchema = z.strictObject({
  /**
   * Delay from the end of a probe round until a decider's read returns its
   * vote: log-normal with this median and 99th percentile, capped at
   * `maxMs`. Votes are items in each control region's DynamoDB table, read
   * strongly consistent, so a vote is readable the moment its PutItem
   * returns: the delay is that write's cross-region round trip (median
   * 100 ms, p99 400 ms; assumption), at most the adapter's 4 s retry budget.
   * (CloudWatch's custom metrics, the channel before issue 22, documented no
   * bound; the replay modelled them as median 1 s, p99 4 s, at most 15 s.)
   * @default { medianMs: 100, p99Ms: 400, maxMs: 4000 }
   */
  readableDelay: z
    .strictObject({ medianMs: ms(600000), p99Ms: ms(600000), maxMs: ms(600000) })
    .default({ medianMs: 100, p99Ms: 400, maxMs: 4000 }),
  /** The probe functions' schedule (one EventBridge rule per vantage). @default see the fields */
  probeInvocation: invocationSchema.default(invocationSchema.parse({})),
  /** The deciders' schedule (one rule per control region). @default see the fields */
  deciderInvocation: invocationSchema.default(invocationSchema.parse({})),
  /** A check starts up to this much after its round's start (event loop, DNS, connection set-up), uniform. Assumption. @default 150 */
  probeJitterMs: ms(10000).default(150),
  /** How long an answered check takes (connection refused, an HTTP status): a cross-region round trip plus TLS. Assumption. @default 250 */
  answerMs: ms(10000).default(250),
  /** From a decider's round start to its weight change applied: the votes Query, the Route 53 read and the compare-and-swap. Assumption. @default 600 */
  decideMs: ms(30000).default(600),
});

/** The timing a scenario runs under, every default filled in. */
export type TimingSettings = z.output<typeof timingSchema>;

/** The realistic defaults. */
export const defaultTiming: TimingSettings = timingSchema.parse({});

/** No delays at all: what the replay assumed before it modelled AWS's timing (for comparisons). */
export const idealTiming: TimingSettings = timingSchema.parse({
  readableDelay: { medianMs: 0, p99Ms: 0, maxMs: 0 },
  probeInvocation: { second: { min: 0, max: 0 }, jitterMs: 0, missedRatio: 0, coldStartRatio: 0 },
  deciderInvocation: { second: { min: 0, max: 0 }, jitterMs: 0, missedRatio: 0, coldStartRatio: 0 },
  probeJitterMs: 0,
  answerMs: 0,
  decideMs: 0,
});

/** Which part of the system an invocation belongs to, for seeding. */
type FunctionKind = "probe" | "decider";

/**
 * Seeded draws of every timing quantity. Hash-based (../replay/random.ts),
 * so a draw depends only on its coordinates, and the replay and the drill
 * draw the same numbers for the same seed.
 */
export class TimingDraws {
  constructor(
    readonly settings: TimingSettings,
    private readonly seed: number,
  ) {}

  /** When the invocation of `kind` function number `index` for minute `minute` arrives, ms after the minute began; undefined when it is missed. */
  invocationMs(kind: FunctionKind, index: number, minute: number): { arriveMs: number; coldMs: number } | undefined {
    const settings = kind === "probe" ? this.settings.probeInvocation : this.settings.deciderInvocation;
    const k = kind === "probe" ? 1 : 2;
    if (this.draw(10, k, index, minute) < settings.missedRatio) return undefined;
    const { min, max } = settings.second;
    const second = min + (Math.max(min, max) - min) * this.draw(11, k, index);
    const arriveMs = Math.round(second * 1000 + settings.jitterMs * this.draw(12, k, index, minute));
    const coldMs = this.draw(13, k, index, minute) < settings.coldStartRatio ? settings.coldStartMs : 0;
    return { arriveMs, coldMs };
  }

  /** Milliseconds after its round's start that a check of (vantage, target, attempt) starts. */
  probeJitterMs(round: number, vantage: number, target: number): number {
    return Math.round(this.settings.probeJitterMs * this.draw(20, round, vantage, target));
  }

  /** Milliseconds until a datum published by `vantage` for `round` is readable in control region `region`. */
  readableDelayMs(round: number, vantage: number, region: number): number {
    const { medianMs, p99Ms, maxMs } = this.settings.readableDelay;
    if (medianMs === 0) return 0;
    // Log-normal: the 99th percentile is 2.326 standard deviations above the median in log space.
    const sigma = Math.log(Math.max(p99Ms, medianMs) / medianMs) / 2.326;
    const u = Math.min(Math.max(this.draw(30, round, vantage, region), 1e-9), 1 - 1e-9);
    return Math.min(maxMs, Math.round(medianMs * Math.exp(sigma * normalQuantile(u))));
  }

  private draw(...coordinates: number[]): number {
    return seededUniform(this.seed, ...coordinates);
  }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error under 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211639];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (coef: number[], x: number) => coef.reduce((sum, k) => sum * x + k, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
