import type { Route53Switcher } from "../aws/route53.ts";
import type { Clock } from "../clock.ts";
import { describeError } from "../errors.ts";
import type { LogFields, Logger } from "../log.ts";

/** How far an applied Route 53 change got: INSYNC (every name server has it) or still PENDING when the wait ended. */
export interface ChangeSync {
  /** Route 53 change id, e.g. `/change/C2682N5HXP0BZ4`. */
  changeId: string;
  /** Route 53 reported INSYNC within the wait. */
  insync: boolean;
  /** Seconds waited (0.1 s resolution): until INSYNC, or until the wait ended. */
  waitedSeconds: number;
}

/**
 * Follows an applied change until Route 53 reports it INSYNC or `timeoutMs`
 * passes. Never throws and never re-sends: the change is already applied
 * (batches are all or nothing), so a slow sync or a failing GetChange is
 * only reported, as `problem`.
 */
export async function waitForChangeSync(
  switcher: Route53Switcher,
  changeId: string,
  timeoutMs: number,
  clock: Clock,
): Promise<{ sync: ChangeSync; problem: string | undefined }> {
  const started = clock.now();
  try {
    const { insync, waitedMs } = await switcher.waitInsync(changeId, { timeoutMs: Math.max(0, timeoutMs) });
    return { sync: { changeId, insync, waitedSeconds: tenths(waitedMs) }, problem: undefined };
  } catch (error) {
    const sync = { changeId, insync: false, waitedSeconds: tenths(clock.now() - started) };
    return {
      sync,
      problem: `Route 53 change ${changeId} was applied, but its propagation could not be followed (nothing is re-sent): ${describeError(error)}`,
    };
  }
}

/** One JSON line per followed change: `route 53 change INSYNC` (info), `route 53 change still PENDING` (warn), or why it could not be followed (warn). */
export function logChangeSync(
  log: Logger,
  { sync, problem }: { sync: ChangeSync; problem: string | undefined },
  fields: LogFields = {},
): void {
  const line = { ...fields, changeId: sync.changeId, seconds: sync.waitedSeconds };
  if (problem !== undefined) log.warn("route 53 change sync not followed", { ...line, problem });
  else if (sync.insync) log.info("route 53 change INSYNC", line);
  else
    log.warn("route 53 change still PENDING", {
      ...line,
      note: "applied; name servers catch up within about 60 s; nothing is re-sent",
    });
}

function tenths(ms: number): number {
  return Math.round(Math.max(0, ms) / 100) / 10;
}
