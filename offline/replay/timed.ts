import { applyDecision } from "../../functions/lib/decider/apply-decision.ts";
import {
  deciderBudgetMs,
  FAST_POLL_MS,
  planDecisionRounds,
  roundsTimeoutSeconds,
} from "../../functions/lib/decider/schedule.ts";
import { decide, windowSeconds, type Decision } from "../../functions/lib/policy/decide.ts";
import type { OverrideLease } from "../../functions/lib/lease.ts";
import type { PolicyMemory } from "../../functions/lib/policy/memory.ts";
import { normalWeights, sameWeights } from "../../functions/lib/policy/weights.ts";
import { recheckTimeoutMs } from "../../functions/lib/probe/round.ts";
import { planRounds } from "../../functions/lib/probe/schedule.ts";
import type { ProbeRound, Weights } from "../../functions/lib/types.ts";
import { applyPracticeChange, type PracticeRecord } from "../../functions/lib/policy/practice-record.ts";
import {
  controlRegionsDown,
  manualLeaseAt,
  practiceAlarmStates,
  route53ApiDown,
  signalStoresUnwritable,
  type Scenario,
  votesDownRegions,
} from "../scenario.ts";
import { dnsTimeline, type RecordChange } from "./dns-timeline.ts";
import { ReplaySignalStores, type ChangeWhy } from "./signal-stores.ts";
import { TimingDraws } from "../timing.ts";
import { checkDurationMs, probeVote } from "./faults.ts";
import { SCENARIO_EPOCH, type TimelineEntry } from "./timeline.ts";

/** Time from the last check's answer to the PutMetricData answer. */
const PUBLISH_MS = 100;

/** One vantage's datum for one round: its votes and when it was published (scenario ms). */
interface Datum {
  vantage: string;
  votes: Record<string, boolean>;
  /** When it is readable in each control region (scenario ms), by region index. */
  readableMs: number[];
}

/**
 * Our deployed system on AWS's timing (the scenario's `timing`), event by
 * event in milliseconds: each probe function invoked every minute at its
 * second plus jitter (sometimes cold, sometimes never), planning its rounds
 * with the deployed `planRounds`; each check started with network jitter,
 * lasting as its fault makes it, a failed check re-checked
 * `probe.recheckAfterMs` later when that fits the round (as
 * functions/lib/probe/round.ts does); each round's datum readable in each
 * control region after a sampled CloudWatch delay. Each decider invoked
 * likewise, deciding on the deployed `planDecisionRounds` schedule and, while
 * a decision needs attention, every {@link FAST_POLL_MS} until its next
 * planned round (as functions/decide.ts does), on exactly the votes readable
 * in its region at that moment. Both deciders share Route 53's state; a
 * change is applied `timing.decideMs` after the round began. Returns the
 * weight timeline (first entry: the normal weights at 0). Pure and seeded.
 */
export function runTimed(scenario: Scenario): TimelineEntry[] {
  return runTimedWithPractice(scenario).timeline;
}

/** What {@link runTimedWithPractice} returns: the DNS timeline and the practice runs' records. */
export interface TimedRun {
  timeline: TimelineEntry[];
  practice: PracticeRecord[];
}

/**
 * {@link runTimed}, with the practice runs the deciders started (the config's
 * `practice`, the scenario's `alarms`, on-call's leases from its `manual`
 * steps) and their records: each change as the writer that applied it
 * recorded it, the DNS moments from the timeline, traffic one record TTL
 * after DNS (clients follow answers after the TTL, ./clients.ts).
 */
export function runTimedWithPractice(scenario: Scenario): TimedRun {
  const config = scenario.resolvedConfig;
  const draws = new TimingDraws(scenario.timing, scenario.seed);
  const intervalMs = config.probe.intervalSeconds * 1000;
  const durationMs = scenario.durationSeconds * 1000;
  const minutes = Math.ceil(scenario.durationSeconds / 60) + 1;
  const datums = probeDatums(scenario, draws);

  // Decider rounds planned by every invocation, per control region (ms), without repeats.
  const planned = config.controlRegions.map((_, c) => {
    const starts = new Set<number>();
    for (let minute = 0; minute < minutes; minute++) {
      const invocation = draws.invocationMs("decider", c, minute);
      if (invocation === undefined) continue;
      const nowMs = minute * 60_000 + invocation.arriveMs + invocation.coldMs;
      const budgetMs = Math.min(
        deciderBudgetMs(config),
        roundsTimeoutSeconds(config) * 1000 - invocation.coldMs - 3000,
      );
      for (const start of planDecisionRounds(config, nowMs, budgetMs)) if (start < durationMs) starts.add(start);
    }
    return [...starts].sort((a, b) => a - b);
  });

  const normal = normalWeights(config.targets);
  const ids = Object.keys(normal);
  const window = windowSeconds(config);
  const shared: SharedPaths = {
    current: normal,
    records: normal,
    stores: new ReplaySignalStores(),
    answered: normal,
    inForce: {},
    recordChanges: [],
    practice: [],
  };
  const epochAt = (second: number) => SCENARIO_EPOCH + second;
  const events = planned.flatMap((starts, c) => starts.map((ms) => ({ ms, c })));
  events.sort((a, b) => a.ms - b.ms || a.c - b.c);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event === undefined) continue;
    const nowSeconds = Math.floor(event.ms / 1000);
    // A decider whose region's votes table is down reads nothing and decides nothing.
    if (votesDownRegions(scenario.faults, event.ms / 1000).has(config.controlRegions[event.c] ?? "")) continue;
    const rounds = readableRounds(datums, event.c, event.ms, nowSeconds - window, intervalMs);
    const lease = manualLeaseAt(scenario, epochAt, nowSeconds);
    const decision = decideUnlessCalm(scenario, shared, { nowSeconds, rounds, lease, normal });
    if (decision === undefined) continue;
    const apiUp = !route53ApiDown(scenario.faults, event.ms / 1000);
    const onCall =
      decision.kind === "override" || decision.kind === "override-ended"
        ? (lease?.id ?? shared.memory?.lease ?? "manual")
        : undefined;
    const switched = carryOut(shared, decision, {
      ids,
      scenario,
      writer: config.controlRegions[event.c] ?? "",
      apiUp,
      decidedMs: event.ms + scenario.timing.decideMs,
      onCall,
    });
    if (decision.attention && !switched) {
      const starts = planned[event.c] ?? [];
      const next = starts.find((ms) => ms > event.ms) ?? Infinity;
      const poll = event.ms + FAST_POLL_MS;
      if (poll <= next - FAST_POLL_MS / 2 && poll < durationMs) insertSorted(events, { ms: poll, c: event.c }, i + 1);
    }
  }
  const timeline = dnsTimeline({
    normal,
    ids,
    faults: scenario.faults,
    records: shared.recordChanges,
    writes: shared.stores.writes,
  });
  return { timeline, practice: measured(scenario, shared.practice, timeline) };
}

/**
 * The records with the DNS moments of each run's start and end from the timeline, traffic a TTL later, and
 * the practice alarms' changes during the run from the scenario.
 */
function measured(scenario: Scenario, records: PracticeRecord[], timeline: TimelineEntry[]): PracticeRecord[] {
  const ttl = scenario.resolvedConfig.records[0]?.ttl ?? 60;
  return records.map((record) => {
    const from = record.startedAt - SCENARIO_EPOCH;
    const to = (record.endedAt ?? Infinity) - SCENARIO_EPOCH;
    const alarms = scenario.alarms
      .filter((step) => step.at >= from && step.at <= to)
      .map((step) => ({ at: epochOf(step.at), alarm: `${step.name} (${step.region})`, state: step.state }));
    const dns = (kind: string) => timeline.find((e) => e.practice === record.id && e.kind === kind)?.at;
    const times = { ...record.times };
    const started = dns("practice-start");
    const ended = dns("practice-end");
    if (started !== undefined)
      Object.assign(times, { dnsChanged: epochOf(started), trafficMoved: epochOf(started + ttl) });
    if (ended !== undefined)
      Object.assign(times, { restoreDnsChanged: epochOf(ended), restoreTrafficMoved: epochOf(ended + ttl) });
    return { ...record, times, alarms };
  });
}

const epochOf = (second: number) => SCENARIO_EPOCH + second;

/**
 * The deployed policy's decision at `nowSeconds`, or undefined when it would
 * keep everything: every readable vote up, every target in service at its
 * normal weight, no lease and no practice runs (a shortcut for speed only).
 */
function decideUnlessCalm(
  scenario: Scenario,
  shared: SharedPaths,
  at: { nowSeconds: number; rounds: ProbeRound[]; lease: OverrideLease | undefined; normal: Weights },
): Decision | undefined {
  const config = scenario.resolvedConfig;
  const { nowSeconds, rounds, lease, normal } = at;
  const ids = Object.keys(normal);
  const calm =
    config.practice === undefined &&
    lease === undefined &&
    shared.memory?.lease === undefined &&
    Object.keys(shared.memory?.targets ?? {}).length === 0 &&
    sameWeights(shared.current, normal, ids) &&
    sameWeights(shared.answered, normal, ids) &&
    rounds.every((round) => Object.values(round.votes).every((votes) => Object.values(votes).every(Boolean)));
  if (calm) return undefined;
  return decide({
    now: SCENARIO_EPOCH + nowSeconds,
    config,
    rounds,
    current: shared.current,
    memory: shared.memory,
    lease,
    practice: config.practice === undefined ? undefined : { alarms: practiceAlarmStates(scenario, nowSeconds) },
  });
}

/** What both deciders share: Route 53's records, the signal stores, and the policy's state. */
interface SharedPaths {
  /** The weights the policy last put in effect, by either path. */
  current: Weights;
  /** The weights in the Route 53 records. */
  records: Weights;
  /** Every control region's signal store. */
  stores: ReplaySignalStores;
  /** What DNS answers once every change so far has taken effect. */
  answered: Weights;
  memory?: PolicyMemory;
  /** Why `current` is what it is: the decision that last put weights in effect. */
  inForce: ChangeWhy;
  /** Every record change, for the DNS timeline. */
  recordChanges: RecordChange[];
  /** The practice runs' records, as the writers that applied their changes kept them. */
  practice: PracticeRecord[];
}

/** Who decided, when, and with which paths up. */
interface DecisionContext {
  ids: string[];
  scenario: Scenario;
  /** The deciding decider's control region. */
  writer: string;
  apiUp: boolean;
  /** Scenario ms the decision is applied. */
  decidedMs: number;
  /** The lease behind an override decision (on-call's change). */
  onCall: string | undefined;
}

/**
 * Carries a decision out in the shared world with the deployed step
 * (functions/lib/decider/apply-decision.ts): Route 53's records take it
 * while the API answers; this decider's signal document goes to every
 * writable store. Returns whether the weights in effect changed.
 */
function carryOut(shared: SharedPaths, decision: Decision, context: DecisionContext): boolean {
  const { ids, scenario, writer, apiUp, decidedMs, onCall } = context;
  const regions = scenario.resolvedConfig.controlRegions;
  const second = decidedMs / 1000;
  const lost = controlRegionsDown(scenario.faults, second);
  const { records: recordsBefore, current: before } = shared;
  const unwritable = signalStoresUnwritable(scenario.faults, second);
  const { plan, inEffect, applied } = applyDecision({
    ids,
    wanted: decision.weights,
    records: recordsBefore,
    // As deployed (signal-half.ts nextSignalState): a drain clears with its records only while every store takes the write.
    ...(apiUp && lost.size === 0 && unwritable.size === 0 ? { recordsAfter: decision.weights } : {}),
    before,
    apiUp,
    draining: shared.stores.own(writer, decidedMs, lost)?.drain ?? [],
    others: shared.stores.others(writer, decidedMs, lost),
  });
  if (apiUp) shared.records = decision.weights;
  shared.current = applied;
  if (inEffect && decision.memoryChanged) {
    shared.memory = decision.memory;
    recordPractice(shared.practice, decision, decidedMs);
  }
  const switched = !sameWeights(before, shared.current, ids);
  const why = {
    decidedAt: Math.round(decidedMs / 100) / 10,
    kind: decision.kind,
    reason: decision.reason,
    ...tags(decision, onCall),
  };
  if (switched) shared.inForce = why;
  // A path catching up with the other (records after a drain through the health checks, a drain signal
  // cleared a round after a failback's records) carries out the decision in force, not a new one.
  const catchingUp = (what: string) =>
    switched || shared.inForce.reason === undefined
      ? why
      : { ...shared.inForce, reason: `${what}: ${shared.inForce.reason}` };
  if (!sameWeights(recordsBefore, shared.records, ids))
    shared.recordChanges.push({
      ms: decidedMs,
      records: shared.records,
      why: catchingUp("records catch up with the health checks"),
    });
  shared.stores.write(
    { ms: decidedMs, writer, drain: plan.draining, why: catchingUp("drain signal cleared after the records") },
    regions,
    unwritable,
  );
  const drained = shared.stores.drained(decidedMs, lost);
  shared.answered = Object.fromEntries(ids.map((id) => [id, drained.includes(id) ? 0 : (shared.records[id] ?? 0)]));
  return switched;
}

/** Who made a change that is not an incident: on-call's lease, or a practice run's start or end. */
function tags(decision: Decision, onCall: string | undefined): Pick<TimelineEntry, "onCall" | "practice"> {
  if (onCall !== undefined) return { onCall };
  const practice = decision.practice;
  const ownKind = decision.kind === "practice-start" || decision.kind === "practice-end";
  return ownKind && practice !== undefined && practice.kind !== "skip" ? { practice: practice.run.id } : {};
}

/** Adds an applied decision's practice change to the records (the writer that applied it records it). */
function recordPractice(records: PracticeRecord[], decision: Decision, decidedMs: number): void {
  const change = decision.practice;
  if (change === undefined) return;
  const at = SCENARIO_EPOCH + decidedMs / 1000;
  const timed = change.kind === "skip" ? { ...change, at } : change.kind === "end" ? { ...change, at } : change;
  const index = change.kind === "skip" ? -1 : records.findIndex((record) => record.id === change.run.id);
  const record = applyPracticeChange(timed, index < 0 ? undefined : records[index]);
  const withStart = change.kind === "start" ? { ...record, startedAt: at, times: { drainDecided: at } } : record;
  if (index < 0) records.push(withStart);
  else records[index] = withStart;
}

/** Every vantage's datum per round (keyed by round start, scenario ms), from the probe functions' schedule and the faults. */
function probeDatums(scenario: Scenario, draws: TimingDraws): Map<number, Map<number, Datum>> {
  const config = scenario.resolvedConfig;
  const probe = config.probe;
  const intervalMs = probe.intervalSeconds * 1000;
  const durationMs = scenario.durationSeconds * 1000;
  const answerMs = scenario.timing.answerMs;
  const datums = new Map<number, Map<number, Datum>>();
  const minutes = Math.ceil(scenario.durationSeconds / 60) + 1;
  config.vantages.forEach((vantage, v) => {
    for (let minute = 0; minute < minutes; minute++) {
      const invocation = draws.invocationMs("probe", v, minute);
      if (invocation === undefined) continue;
      const nowMs = minute * 60_000 + invocation.arriveMs + invocation.coldMs;
      const starts = planRounds({
        nowMs,
        ...probe,
        remainingMs: roundsTimeoutSeconds(config) * 1000,
      });
      for (const start of starts) {
        if (start >= durationMs) break;
        const byVantage = datums.get(start) ?? new Map<number, Datum>();
        if (byVantage.has(v)) continue; // an earlier invocation already ran this round
        const round = start / intervalMs;
        const votes: Record<string, boolean> = {};
        let endMs = start;
        let silent = false;
        config.targets.forEach((target, t) => {
          if (silent) return;
          const first = start + draws.probeJitterMs(round, v, t);
          const ok = probeVote(config, scenario.faults, scenario.seed, first / 1000, vantage, target.id, "limit");
          if (ok === undefined) {
            silent = true;
            return;
          }
          const firstMs = checkDurationMs(config, scenario.faults, first / 1000, vantage, target.id, answerMs);
          let vote = ok;
          let end = first + firstMs;
          if (!ok && probe.recheckAfterMs > 0) {
            const again = Math.max(first + probe.recheckAfterMs, first + firstMs);
            const timeoutMs = recheckTimeoutMs(probe, start, again);
            if (timeoutMs !== undefined) {
              const second = again / 1000;
              const recheck = { timeoutMs, attempt: 1 };
              vote =
                probeVote(config, scenario.faults, scenario.seed, second, vantage, target.id, "limit", recheck) ??
                false;
              end = again + checkDurationMs(config, scenario.faults, second, vantage, target.id, answerMs, timeoutMs);
            }
          }
          votes[target.id] = vote;
          endMs = Math.max(endMs, end);
        });
        if (silent) continue;
        const publishedMs = endMs + PUBLISH_MS;
        const down = votesDownRegions(scenario.faults, publishedMs / 1000);
        const readableMs = config.controlRegions.map((region, c) =>
          down.has(region) ? Infinity : publishedMs + draws.readableDelayMs(round, v, c),
        );
        byVantage.set(v, { vantage, votes, readableMs });
        datums.set(start, byVantage);
      }
    }
  });
  return datums;
}

/** The probe window as control region `c` can read it at `nowMs`: rounds after `fromSeconds`, each vantage's votes once readable there. */
function readableRounds(
  datums: Map<number, Map<number, Datum>>,
  c: number,
  nowMs: number,
  fromSeconds: number,
  intervalMs: number,
): ProbeRound[] {
  const rounds: ProbeRound[] = [];
  const last = Math.floor(nowMs / intervalMs) * intervalMs;
  for (
    let start = Math.max(0, Math.floor((fromSeconds * 1000) / intervalMs + 1) * intervalMs);
    start <= last;
    start += intervalMs
  ) {
    const votes: ProbeRound["votes"] = {};
    const byVantage = datums.get(start);
    for (const datum of byVantage?.values() ?? []) {
      if ((datum.readableMs[c] ?? Infinity) <= nowMs) votes[datum.vantage] = datum.votes;
    }
    rounds.push({ at: SCENARIO_EPOCH + start / 1000, votes });
  }
  return rounds;
}

function insertSorted(events: Array<{ ms: number; c: number }>, event: { ms: number; c: number }, from: number): void {
  let i = from;
  while (i < events.length && (events[i]?.ms ?? Infinity) <= event.ms) i++;
  events.splice(i, 0, event);
}
