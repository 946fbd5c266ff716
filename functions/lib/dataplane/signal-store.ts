import * as z from "zod";
import type { ParameterStore } from "../aws/ssm.ts";
import type { FailoverConfig } from "../config.ts";
import { describeError, FailoverError } from "../errors.ts";
import { storedLeaseSchema } from "../lease.ts";
import { stateDocumentSchema } from "../state.ts";
import { parseWith } from "../validate.ts";

const epochSeconds = z.int().nonnegative();
const weightsSchema = z.record(z.string(), z.int().min(0).max(255));

/** What each control region's signal endpoint answers from: the targets to drain. Small, read on every health check. */
export const signalDocumentSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(1),
    /** Epoch seconds it was written. */
    at: epochSeconds,
    /** Control region of the decider that wrote it. */
    by: z.string().min(1),
    /** Target ids whose health checks must fail (drain). */
    drain: z.array(z.string().min(1)).max(64),
  }),
);
export type SignalDocument = z.output<typeof signalDocumentSchema>;

/**
 * The deciders' own copy of what is in effect, so a round can decide while
 * the Route 53 API is down (it cannot read the weights, the state or the
 * lease records then) and the records can catch up when it returns.
 */
export const deciderViewSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(1),
    at: epochSeconds,
    by: z.string().min(1),
    /** The weights the policy last put in effect, through either path. */
    applied: weightsSchema,
    /** The weights in the Route 53 records, as last read or written. */
    records: weightsSchema,
    /** Memory and switch history as of `applied` (the state record's shape). */
    state: stateDocumentSchema,
    /** The override lease last read from Route 53, if any. */
    lease: storedLeaseSchema.optional(),
  }),
);
export type DeciderView = z.output<typeof deciderViewSchema>;

/** SSM parameter names of the signal and the view (one of each per control region). */
export function signalParameterNames(config: FailoverConfig): { signal: string; view: string } {
  return { signal: `/${config.name}/dataplane/signal`, view: `/${config.name}/dataplane/view` };
}

/** A standard parameter holds 4 KB; older switch events are dropped from the view to fit. */
const MAX_PARAMETER_BYTES = 4096;

/** Per control region: was a write accepted. */
export interface StoreWrite {
  region: string;
  ok: boolean;
  error?: string;
}

/**
 * The signal and view in every control region's parameter store. Deciders
 * write both to every control region, so either region's endpoint carries
 * a drain even when the other decider is lost, and a region that comes back
 * finds the other's latest signal instead of an old one.
 */
export class SignalStore {
  private readonly names: { signal: string; view: string };

  constructor(
    config: FailoverConfig,
    private readonly stores: ReadonlyMap<string, ParameterStore>,
  ) {
    this.names = signalParameterNames(config);
    for (const region of config.controlRegions)
      if (!stores.has(region))
        throw new FailoverError("CONFIG_INVALID", `no parameter store for control region ${region}`);
  }

  /** The signal in `region`'s store; undefined when none was written. Throws a FailoverError when unreadable or malformed. */
  async readSignal(region: string): Promise<SignalDocument | undefined> {
    return this.read(region, this.names.signal, signalDocumentSchema, "data-plane signal");
  }

  /** The deciders' view in `region`'s store; undefined when none was written. */
  async readView(region: string): Promise<DeciderView | undefined> {
    return this.read(region, this.names.view, deciderViewSchema, "decider view");
  }

  /** Writes the signal (first, it is what drains) and the view to every control region; never throws. */
  async publish(signal: SignalDocument, view: DeciderView | undefined): Promise<StoreWrite[]> {
    const body = fitView(view);
    return Promise.all(
      [...this.stores.entries()].map(async ([region, store]) => {
        try {
          await store.put(this.names.signal, JSON.stringify(signal));
          if (body !== undefined) await store.put(this.names.view, body);
          return { region, ok: true };
        } catch (error) {
          return { region, ok: false, error: describeError(error) };
        }
      }),
    );
  }

  private async read<S extends z.ZodType>(
    region: string,
    name: string,
    schema: S,
    what: string,
  ): Promise<z.output<S> | undefined> {
    const store = this.stores.get(region);
    if (store === undefined) throw new FailoverError("CONFIG_INVALID", `${region} is not a control region`);
    const text = await store.get(name);
    if (text === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new FailoverError("SIGNAL_MALFORMED", `${what} ${name} in ${region} is not JSON`, { cause });
    }
    return parseWith(schema, raw, what);
  }
}

function fitView(view: DeciderView | undefined): string | undefined {
  if (view === undefined) return undefined;
  for (let kept = view.state.switches.length; kept >= 0; kept--) {
    const text = JSON.stringify({ ...view, state: { ...view.state, switches: view.state.switches.slice(0, kept) } });
    if (Buffer.byteLength(text) <= MAX_PARAMETER_BYTES) return text;
  }
  return JSON.stringify({ ...view, state: { ...view.state, switches: [] } });
}
