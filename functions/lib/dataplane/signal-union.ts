import type { DeciderDocument, OverrideDocument, SignalRead } from "./signal-store.ts";

/**
 * A decider rewrites its document at least this often while it drains
 * anything, so a document that stops being rewritten (its decider dead,
 * blind or cut off from that store) can be told from one that still holds.
 * The decider runs rounds every 10 s inside a once-a-minute invocation.
 */
export const SIGNAL_REFRESH_SECONDS = 60;

/**
 * A decider document older than this counts as "serve": its drains end by
 * themselves within this bound after their decider stops rewriting them.
 * Five refresh periods: four missed invocations in a row (EventBridge late,
 * a cold start, a throttled write) still do not undrain a live decision.
 */
export const SIGNAL_STALE_SECONDS = 300;

/** A document dated further ahead than this (clock skew) is not trusted. */
const FUTURE_SKEW_SECONDS = 60;

/** True while a decider document still counts: written within {@link SIGNAL_STALE_SECONDS}, not from the future. */
export function isFresh(doc: { at: number }, now: number): boolean {
  return now - doc.at <= SIGNAL_STALE_SECONDS && doc.at <= now + FUTURE_SKEW_SECONDS;
}

/** True while an override document (an on-call lease) decides over the deciders' drains. */
export function overrideActive(override: OverrideDocument | undefined, now: number): override is OverrideDocument {
  return override !== undefined && override.at <= now + FUTURE_SKEW_SECONDS && now < override.until;
}

/**
 * The targets one store says to drain at `now`: the union of its fresh
 * decider documents (a decider can add a drain, never remove another's),
 * then an active override's `serve` taken out (a lease decides what DNS
 * answers, the signal included).
 */
export function drainedIn(read: Pick<SignalRead, "docs" | "override">, now: number): Set<string> {
  const drained = new Set(read.docs.filter((doc) => isFresh(doc, now)).flatMap((doc) => doc.drain));
  if (overrideActive(read.override, now)) for (const id of read.override.serve) drained.delete(id);
  return drained;
}

/**
 * What Route 53 drains at `now` given every control region's store: a
 * target's calculated check needs every region's check healthy, so one
 * region saying drain is enough; a region whose store cannot be read
 * answers 503, which counts as serve.
 */
export function drainedAnywhere(reads: readonly SignalRead[], now: number): Set<string> {
  const drained = new Set<string>();
  for (const read of reads) if (read.error === undefined) for (const id of drainedIn(read, now)) drained.add(id);
  return drained;
}

/**
 * The fresh documents of writers other than `writer` in any readable store,
 * newest per writer: drains this decider cannot take back.
 */
export function othersFresh(reads: readonly SignalRead[], writer: string, now: number): DeciderDocument[] {
  const newest = new Map<string, DeciderDocument>();
  for (const read of reads)
    for (const doc of read.docs)
      if (doc.by !== writer && isFresh(doc, now) && (newest.get(doc.by)?.at ?? -1) < doc.at) newest.set(doc.by, doc);
  return [...newest.values()];
}

/** `writer`'s own newest document across the stores (a crash part-way leaves some stores newer than others). */
export function ownNewest(reads: readonly SignalRead[], writer: string): DeciderDocument | undefined {
  let newest: DeciderDocument | undefined;
  for (const read of reads)
    for (const doc of read.docs) if (doc.by === writer && (newest === undefined || doc.at > newest.at)) newest = doc;
  return newest;
}

/**
 * Who announces the drain of `target` made through the data plane: the
 * writer whose fresh document carried it first (`since`), ties to the
 * earlier control region in `order`. Every decider reads it after its own
 * write, so of two that drained at once the later one sees the earlier one's
 * document and stays quiet.
 */
export function drainAnnouncer(
  reads: readonly SignalRead[],
  target: string,
  order: readonly string[],
  now: number,
): string | undefined {
  let best: { by: string; since: number } | undefined;
  const rank = (by: string) => (order.includes(by) ? order.indexOf(by) : order.length);
  for (const read of reads) {
    if (read.error !== undefined) continue;
    for (const doc of read.docs) {
      const since = doc.since[target];
      if (!isFresh(doc, now) || !doc.drain.includes(target) || since === undefined) continue;
      if (best === undefined || since < best.since || (since === best.since && rank(doc.by) < rank(best.by)))
        best = { by: doc.by, since };
    }
  }
  return best?.by;
}

/**
 * Who announces the undrain of `target` made through the data plane (a
 * fail-open, an emergency undrain): of the writers whose fresh document
 * stopped draining it, the one that stopped last (`since`), since the last
 * clearing is what took it out of DNS. Two that stopped in the same second:
 * the one whose write a store took last (of two deciders clearing at once,
 * the one that read back first saw the other still draining and stayed
 * quiet), judged on the first control region in `order` whose store says
 * when it took both; else the earlier control region. Judged after its own
 * write like {@link drainAnnouncer}.
 */
export function undrainAnnouncer(
  reads: readonly SignalRead[],
  target: string,
  order: readonly string[],
  now: number,
): string | undefined {
  const rank = (by: string) => (order.includes(by) ? order.indexOf(by) : order.length);
  const readable = reads.filter((read) => read.error === undefined);
  const latest = new Map<string, number>();
  for (const read of readable)
    for (const doc of read.docs) {
      const since = doc.since[target];
      if (!isFresh(doc, now) || doc.drain.includes(target) || since === undefined) continue;
      if ((latest.get(doc.by) ?? -1) < since) latest.set(doc.by, since);
    }
  const last = Math.max(...latest.values());
  const tied = [...latest].filter(([, since]) => since === last).map(([by]) => by);
  tied.sort((a, b) => rank(a) - rank(b));
  const dated = [...readable]
    .sort((a, b) => rank(a.region) - rank(b.region))
    .find((read) => tied.every((by) => read.writtenMs?.[by] !== undefined))?.writtenMs;
  if (dated !== undefined) tied.sort((a, b) => (dated[b] ?? 0) - (dated[a] ?? 0) || rank(a) - rank(b));
  return tied[0];
}
