import type { SignalRead } from "./signal-store.ts";
import { drainedAnywhere, isFresh, overrideActive } from "./signal-union.ts";

/** One decider document as one control region's store holds it, for on-call. */
export interface SignalDocumentView {
  /** The control region whose store holds it (its endpoint answers from it). */
  store: string;
  /** The decider (control region) that wrote it. */
  writer: string;
  at: number;
  ageSeconds: number;
  /** Still counts (younger than the staleness bound); a stale document drains nothing. */
  fresh: boolean;
  drain: string[];
}

/** What `failover status` shows of the data-plane signal. */
export interface SignalStatus {
  documents: SignalDocumentView[];
  /** On-call's override in each store, if any. */
  overrides: Array<{ store: string; lease: string; serve: string[]; until: number; active: boolean }>;
  /** Stores that could not be read (their endpoints answer 503: serve) or held a document that did not parse. */
  problems: string[];
  /** What DNS drains now because of the signal (any region's fresh documents, less an active override). */
  drained: string[];
}

/** Every signal document in every control region's store, with its age and writer. Pure. */
export function signalStatus(reads: readonly SignalRead[], now: number, ids: readonly string[]): SignalStatus {
  const drained = drainedAnywhere(reads, now);
  return {
    documents: reads.flatMap((read) =>
      read.docs.map((doc) => ({
        store: read.region,
        writer: doc.by,
        at: doc.at,
        ageSeconds: Math.max(0, now - doc.at),
        fresh: isFresh(doc, now),
        drain: doc.drain,
      })),
    ),
    overrides: reads.flatMap((read) =>
      read.override
        ? [
            {
              store: read.region,
              lease: read.override.lease,
              serve: read.override.serve,
              until: read.override.until,
              active: overrideActive(read.override, now),
            },
          ]
        : [],
    ),
    problems: reads.flatMap((read) => [
      ...(read.error !== undefined
        ? [`${read.region} store unreadable (its endpoint answers serve): ${read.error}`]
        : []),
      ...(read.problems ?? []),
    ]),
    drained: ids.filter((id) => drained.has(id)),
  };
}
