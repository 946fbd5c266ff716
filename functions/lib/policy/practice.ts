import type { PracticeAlarm, PracticeSettings } from "../config.ts";
import { parseWindow, spanInsideWindow, utcDate, type PracticeWindow } from "../practice-window.ts";
import type { PolicyMemory, PracticeMemory, PracticeRun } from "./memory.ts";
import type { TargetVerdict } from "./verdict.ts";

/**
 * Practice runs: a scheduled (or on-call's) bounded drain of one target in
 * production, judged by CloudWatch alarms, as Route 53 ARC's practice runs
 * are. A run is the lowest-precedence lease: it starts only when every
 * pre-check passes, a person's lease, a real failover decision, on-call's
 * cancel or a blocking alarm ends it (INTERRUPTED), an outcome alarm ends it
 * (FAILED), and its end (SUCCEEDED) gives the target back through the
 * normal ramp. Its state lives in the policy memory, written in the same
 * compare-and-swap batch as the weights, so two deciders start and end a run
 * once. Pure: the decider reads the alarms and passes them in.
 */

/** A CloudWatch alarm's state as the decider read it; absent from {@link PracticeView}: unreadable. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** What the practice step reads beside the policy's own inputs. */
export interface PracticeView {
  /** The configured alarms' states by {@link alarmKey}; an alarm missing here could not be read. */
  alarms: Record<string, AlarmState>;
}

export type PracticeOutcome = "SUCCEEDED" | "FAILED" | "INTERRUPTED";

/** What the practice step did in one decision, to record and announce (once: by the writer that applied it). */
export type PracticeChange =
  | { kind: "start"; run: PracticeRun }
  | { kind: "end"; run: PracticeRun; outcome: PracticeOutcome; reason: string; at: number }
  | { kind: "skip"; id: string; target: string; by: string; reason: string; at: number };

/** Key of an alarm in {@link PracticeView.alarms}: its region and name (a region name has no colon). */
export function alarmKey(alarm: PracticeAlarm): string {
  return `${alarm.region}:${alarm.name}`;
}

const DAY = 86400;

/** The schedule slot holding `now`: the UTC day, or the week (Monday 00:00 UTC) since the epoch. */
export function practiceSlot(settings: PracticeSettings, now: number): number {
  const day = Math.floor(now / DAY);
  // 1970-01-01 was a Thursday: day 3 of its ISO week.
  return settings.every === "day" ? day : Math.floor((day + 3) / 7);
}

/** The target a slot's run drains: the targets in turn. */
export function slotTarget(settings: PracticeSettings, slot: number): string {
  return settings.targets[slot % settings.targets.length] ?? settings.targets[0] ?? "";
}

/** Why a scheduled run may not start at `now` (outside every allowed window, on a blocked date), or undefined. */
export function outsideSchedule(settings: PracticeSettings, now: number): string | undefined {
  const seconds = settings.durationMinutes * 60;
  const last = now + seconds - 1;
  for (const day of new Set([utcDate(now), utcDate(last)]))
    if (settings.blockedDates.includes(day)) return `${day} is a blocked date`;
  if (settings.allowedWindows.length === 0) return undefined;
  const windows = settings.allowedWindows.map(parseWindow).filter((w): w is PracticeWindow => typeof w !== "string");
  if (windows.some((window) => spanInsideWindow(window, now, seconds))) return undefined;
  return `a ${settings.durationMinutes} min run from now would not fit in an allowed window (${settings.allowedWindows.join(", ")})`;
}

/** What the pre-checks read. */
export interface PreCheckInput {
  settings: PracticeSettings;
  view: PracticeView;
  memory: PolicyMemory;
  verdicts: Record<string, TargetVerdict>;
  ids: readonly string[];
  leaseActive: boolean;
  target: string;
}

/** The first pre-check that fails, as `{ check, reason }`, or undefined when a run may start. */
export function failedPreCheck(input: PreCheckInput): { check: string; reason: string } | undefined {
  const { settings, view, memory, verdicts, ids, target } = input;
  if (input.leaseActive) return { check: "lease", reason: "an override lease is active" };
  if (memory.practice?.run !== undefined)
    return { check: "running", reason: `practice run ${memory.practice.run.id} is in progress` };
  if (!ids.includes(target)) return { check: "target", reason: `${target} is not a target` };
  const out = ids.filter((id) => memory.targets[id] !== undefined);
  if (out.length > 0)
    return { check: "drain", reason: `${out.join(", ")} drained, ramping or held: not every target is in service` };
  const unhealthy = ids.filter((id) => verdicts[id]?.health !== "up");
  if (unhealthy.length > 0) return { check: "health", reason: `${unhealthy.join(", ")} not healthy by the probes` };
  const blocking = alarmsIn(settings.blockingAlarms, view, (state) => state !== "OK");
  if (blocking.length > 0) return { check: "blocking-alarm", reason: `blocking alarm ${blocking.join(", ")} not OK` };
  return undefined;
}

/** The alarms whose state (`undefined`: unreadable) matches, as `name (region): STATE`. */
function alarmsIn(
  alarms: readonly PracticeAlarm[],
  view: PracticeView,
  match: (state: AlarmState | undefined) => boolean,
): string[] {
  return alarms
    .filter((alarm) => match(view.alarms[alarmKey(alarm)]))
    .map((alarm) => `${alarm.name} (${alarm.region}): ${view.alarms[alarmKey(alarm)] ?? "unreadable"}`);
}

/** How a run in progress ends at `now`, from on-call's cancel and the alarms; undefined while it goes on. */
export function runEnding(
  settings: PracticeSettings,
  practice: PracticeMemory,
  view: PracticeView | undefined,
  now: number,
): { outcome: PracticeOutcome; reason: string } | undefined {
  const run = practice.run;
  if (run === undefined) return undefined;
  if (practice.cancel !== undefined)
    return { outcome: "INTERRUPTED", reason: `cancelled by on-call (request ${practice.cancel.id})` };
  // Without the alarms' states (a caller that does not read them) the run goes on; only time is certain.
  if (view === undefined) return undefined;
  const blocking = alarmsIn(settings.blockingAlarms, view, (state) => state === "ALARM");
  if (blocking.length > 0) return { outcome: "INTERRUPTED", reason: `blocking alarm ${blocking.join(", ")}` };
  const failed = alarmsIn(settings.outcomeAlarms, view, (state) => state === "ALARM");
  if (failed.length > 0) return { outcome: "FAILED", reason: `outcome alarm ${failed.join(", ")}` };
  if (now < run.until) return undefined;
  const unsure = alarmsIn(settings.outcomeAlarms, view, (state) => state !== "OK");
  if (unsure.length > 0)
    return { outcome: "INTERRUPTED", reason: `inconclusive at the end: outcome alarm ${unsure.join(", ")}` };
  return { outcome: "SUCCEEDED", reason: "the outcome alarms stayed OK for the whole run" };
}

/** Id of a run (and of its record): `practice-<target>-<start, epoch seconds>`, the same at both deciders. */
export function practiceRunId(target: string, at: number): string {
  return `practice-${target}-${at}`.slice(0, 64);
}

/**
 * Whether a run starts at `now`, or why it is skipped: on-call's request
 * first (any time; the other pre-checks hold), else the slot's scheduled
 * run once `now` is inside an allowed window and off blocked dates. Returns
 * the new practice memory and what happened (undefined: nothing to record).
 */
export function tryStart(
  input: Omit<PreCheckInput, "target">,
  now: number,
): { practice: PracticeMemory; change: PracticeChange | undefined } {
  const { settings, memory } = input;
  const prior = memory.practice ?? {};
  const { request, ...rest } = prior;
  const slot = practiceSlot(settings, now);
  let by = "schedule";
  let target: string;
  if (request !== undefined) {
    by = request.id;
    target = request.target;
  } else {
    if (prior.slot !== undefined && prior.slot >= slot) return { practice: prior, change: undefined };
    if (outsideSchedule(settings, now) !== undefined) return { practice: prior, change: undefined };
    target = slotTarget(settings, slot);
  }
  const id = practiceRunId(target, now);
  const failed = failedPreCheck({ ...input, target });
  if (failed !== undefined) {
    // Each check a slot (or request) fails is told once, even when two deciders' views alternate between two.
    const key = `${request === undefined ? slot : request.id}:`;
    const told = prior.skipped?.startsWith(key) ? prior.skipped.slice(key.length).split(",") : [];
    if (told.includes(failed.check)) return { practice: prior, change: undefined };
    const skipped = key + [...told, failed.check].join(",");
    const change: PracticeChange = { kind: "skip", id, target, by, reason: failed.reason, at: now };
    return { practice: { ...rest, skipped }, change };
  }
  const run: PracticeRun = {
    id,
    target,
    percent: settings.shiftPercent,
    since: now,
    until: now + settings.durationMinutes * 60,
    by,
  };
  const { skipped: _done, ...kept } = rest;
  return { practice: { ...kept, run, ...(request === undefined ? { slot } : {}) }, change: { kind: "start", run } };
}

/**
 * The ramp step a target given back by a run starts at: the first step
 * above the share it kept (a full drain resumes at the first step, an 80%
 * shift at the first above 20%); undefined when that is the last step
 * (back at once).
 */
export function resumeStep(rampPercents: readonly number[], percent: number): number | undefined {
  const kept = 100 - percent;
  const step = rampPercents.findIndex((p) => p > kept);
  return step < 0 || step >= rampPercents.length - 1 ? undefined : step;
}

/**
 * Whether a decision at `now` needs the alarms read: a run in progress or
 * asked for or cancelled, or a scheduled run that could start now. Reading
 * them only then keeps a DescribeAlarms call per round off the bill in the
 * weeks between runs. `memory` undefined (not known before the round):
 * read them.
 */
export function alarmsNeeded(settings: PracticeSettings, memory: PolicyMemory | undefined, now: number): boolean {
  const practice = memory?.practice;
  if (memory === undefined || practice?.run !== undefined || practice?.request !== undefined) return true;
  if (practice?.slot !== undefined && practice.slot >= practiceSlot(settings, now)) return false;
  return outsideSchedule(settings, now) === undefined;
}
