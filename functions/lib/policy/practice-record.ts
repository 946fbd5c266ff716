import * as z from "zod";
import { parseWith } from "../validate.ts";
import type { PracticeChange } from "./practice.ts";

/**
 * The record of one practice run (or one skipped try), as
 * `failover practice history` lists it: who or what started it, the target,
 * times, outcome, the alarm timeline, and the measured times of the drain
 * and the restore. Built from the decisions' {@link PracticeChange}s and
 * the measured moments; stored by the writer that applied them. Pure.
 */

const epoch = z.number().nonnegative();
const id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: "expected 1-64 letters, digits and dashes" });

/** Measured moments, epoch seconds (fractions kept): each unset until measured. */
const timesSchema = z.strictObject({
  /** The decision that drained (or shifted) the target. */
  drainDecided: epoch.optional(),
  /** DNS answers changed by the drain (records in sync, or the health checks' answers). */
  dnsChanged: epoch.optional(),
  /** The probes' (clients') share of traffic to the target moved. */
  trafficMoved: epoch.optional(),
  restoreDecided: epoch.optional(),
  restoreDnsChanged: epoch.optional(),
  restoreTrafficMoved: epoch.optional(),
});

export const practiceRecordSchema = z.strictObject({
  v: z.literal(1),
  id,
  target: z.string().min(1).max(32),
  /** Share of the target's weight moved. */
  percent: z.int().min(1).max(100),
  /** `schedule`, or the audit id of on-call's request. */
  by: id,
  /** PENDING while it runs; SKIPPED: its pre-checks failed (`reason`). */
  outcome: z.enum(["PENDING", "SUCCEEDED", "FAILED", "INTERRUPTED", "SKIPPED"]),
  reason: z.string().max(500),
  startedAt: epoch,
  /** When it was meant to end. */
  until: epoch.optional(),
  endedAt: epoch.optional(),
  /** The practice alarms' changes seen during the run. */
  alarms: z.array(z.strictObject({ at: epoch, alarm: z.string().max(300), state: z.string().max(20) })).max(20),
  times: timesSchema,
});

export type PracticeRecord = z.output<typeof practiceRecordSchema>;
export type PracticeTimes = PracticeRecord["times"];

/** Validates a stored record. Throws ValidationError naming each bad field. */
export function parsePracticeRecord(raw: unknown): PracticeRecord {
  return parseWith(practiceRecordSchema, raw, "practice record");
}

/**
 * The record after one change: a start opens it (PENDING, drain decided),
 * an end closes it (outcome, reason, restore decided), a skip is a record of
 * its own. `prior` is the run's record so far, if any.
 */
export function applyPracticeChange(change: PracticeChange, prior?: PracticeRecord): PracticeRecord {
  if (change.kind === "skip")
    return {
      v: 1,
      id: change.id,
      target: change.target,
      percent: 100,
      by: change.by,
      outcome: "SKIPPED",
      reason: change.reason.slice(0, 500),
      startedAt: change.at,
      alarms: [],
      times: {},
    };
  const { run } = change;
  const base: PracticeRecord = prior ?? {
    v: 1,
    id: run.id,
    target: run.target,
    percent: run.percent,
    by: run.by,
    outcome: "PENDING",
    reason: "in progress",
    startedAt: run.since,
    until: run.until,
    alarms: [],
    times: { drainDecided: run.since },
  };
  if (change.kind === "start") return base;
  return {
    ...base,
    outcome: change.outcome,
    reason: change.reason.slice(0, 500),
    endedAt: change.at,
    times: { ...base.times, restoreDecided: change.at },
  };
}
