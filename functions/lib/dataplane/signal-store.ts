import * as z from "zod";
import type { FailoverConfig } from "../config.ts";
import { describeError, FailoverError } from "../errors.ts";
import { storedLeaseSchema } from "../lease.ts";
import { stateDocumentSchema } from "../state-document.ts";
import { parseWith } from "../validate.ts";

const epochSeconds = z.int().nonnegative();
const weightsSchema = z.record(z.string(), z.int().min(0).max(255));

/**
 * One decider's document, one per writer (control region) in every control
 * region's store: the targets it drains and the view that explains them, in
 * one parameter so no crash can write one without the other. A decider
 * writes only its own; the endpoint drains on the union of fresh ones
 * (./signal-union.ts), so two deciders cannot take back each other's drains.
 */
export const deciderDocumentSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(2),
    /** Epoch seconds it was written (rewritten every minute while it drains anything). */
    at: epochSeconds,
    /** Control region of the decider that wrote it: the document's writer. */
    by: z.string().min(1),
    /** Target ids whose health checks must fail (drain). */
    drain: z.array(z.string().min(1)).max(64),
    /**
     * Per target: epoch seconds this writer's document last switched it. For a drained target, when the
     * document first carried the drain; for one it no longer drains, when it stopped (who announces an
     * undrain: ./signal-union.ts). Readers that know only the first meaning look at drained targets alone.
     */
    since: z.record(z.string(), epochSeconds),
    view: viewSchema,
  }),
);
export type DeciderDocument = z.output<typeof deciderDocumentSchema>;

/**
 * The deciders' own copy of what is in effect, so a round can decide while
 * the Route 53 API is down (it cannot read the weights, the state or the
 * lease records then) and the records can catch up when it returns.
 */
const viewSchema = z.lazy(() =>
  z.strictObject({
    /** Epoch seconds of the round it was made in. */
    at: epochSeconds,
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
export type DeciderView = z.output<typeof viewSchema>;

/**
 * What on-call's lease says about the signal (written by the manual
 * function with the lease, in every control region): while it lasts, its
 * `serve` targets are not drained whatever the deciders' documents say.
 */
export const overrideDocumentSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(2),
    at: epochSeconds,
    /** Always "manual": who wrote it is in the lease's audit entry. */
    by: z.literal("manual"),
    /** The lease (audit id) it carries out. */
    lease: z.string().min(1).max(64),
    /** Targets the lease gives traffic: never drained while it lasts. */
    serve: z.array(z.string().min(1)).max(64),
    /** Epoch seconds it ends (the lease's expiry; a release ends it at once). */
    until: epochSeconds,
  }),
);
export type OverrideDocument = z.output<typeof overrideDocumentSchema>;

/** SSM parameter names: each decider's document (by writer control region) and the override, the same in every control region. */
export function signalParameterNames(config: FailoverConfig): { deciders: Record<string, string>; override: string } {
  return {
    deciders: Object.fromEntries(
      config.controlRegions.map((writer) => [writer, `/${config.name}/dataplane/decider/${writer}`]),
    ),
    override: `/${config.name}/dataplane/override`,
  };
}

/** What one control region's store holds, as read (its endpoint answers from exactly this). */
export interface SignalRead {
  region: string;
  /** Every decider's document in that store that parsed. */
  docs: DeciderDocument[];
  override?: OverrideDocument | undefined;
  /** The store could not be read: its endpoint answers 503, which the inverted check counts as serve. */
  error?: string | undefined;
  /** Documents that did not parse (each counts as serve). */
  problems?: string[];
  /** Per writer: when this store took its document (epoch ms, the store's own clock), where the store says. */
  writtenMs?: Record<string, number>;
}

/** A standard parameter holds 4 KB; older switch events are dropped from the view to fit. */
const MAX_PARAMETER_BYTES = 4096;

/**
 * What the signal store needs of one region's parameter store (implemented
 * by ../aws/ssm.ts's ParameterStore): defined here so the store's policy of
 * what to keep does not depend on the AWS adapter.
 */
export interface ParameterPort {
  /**
   * Several parameters in one call (at most 10 names): name → value and the store's time of its last write
   * (epoch ms; undefined when the store does not say), a name that does not exist left out.
   */
  getMany(names: readonly string[]): Promise<Map<string, { value: string; modifiedMs: number | undefined }>>;
  /** Writes (overwrites) one parameter. */
  put(name: string, value: string): Promise<void>;
}

/** Per control region: was a write accepted. */
export interface StoreWrite {
  region: string;
  ok: boolean;
  error?: string;
}

/**
 * The decider documents and the override in every control region's
 * parameter store. Each decider writes its own document to every control
 * region, so either region's endpoint carries its drains when the other
 * region is lost, and a region that comes back finds the latest documents.
 */
export class SignalStore {
  private readonly names: ReturnType<typeof signalParameterNames>;

  constructor(
    private readonly config: FailoverConfig,
    private readonly stores: ReadonlyMap<string, ParameterPort>,
    /** A round's copy ({@link SignalStore.forRound}): regions called so far and those whose first call failed. @default none: every call is made */
    private readonly round?: { called: Set<string>; failed: Map<string, string> },
  ) {
    this.names = signalParameterNames(config);
    for (const region of config.controlRegions)
      if (!stores.has(region))
        throw new FailoverError("CONFIG_INVALID", `no parameter store for control region ${region}`);
  }

  /**
   * This store for one decider round: a control region whose store failed
   * the round's first call to it is not called again in that round (its
   * reads and writes fail at once, with that error), so a lost region costs
   * a round one retry budget (SSM: 3 s), not one per call, and the round
   * ends within its slot. The next round asks it again.
   */
  forRound(): SignalStore {
    return new SignalStore(this.config, this.stores, { called: new Set(), failed: new Map() });
  }

  /** Control regions whose store failed its first call of this round (a {@link SignalStore.forRound} copy; none otherwise). */
  failedThisRound(): string[] {
    return [...(this.round?.failed.keys() ?? [])];
  }

  /** Every document in `region`'s store, in one call; a document that does not parse is left out and named in `problems`. Never throws. */
  async read(region: string): Promise<SignalRead> {
    const store = this.stores.get(region);
    if (store === undefined) return { region, docs: [], error: `${region} is not a control region` };
    let values: Map<string, { value: string; modifiedMs: number | undefined }>;
    try {
      values = await this.once(region, () =>
        store.getMany([...Object.values(this.names.deciders), this.names.override]),
      );
    } catch (error) {
      return { region, docs: [], error: describeError(error) };
    }
    const docs: DeciderDocument[] = [];
    const problems: string[] = [];
    const writtenMs: Record<string, number> = {};
    const parse = <S extends z.ZodType>(name: string, schema: S, what: string): z.output<S> | undefined => {
      const text = values.get(name)?.value;
      if (text === undefined) return undefined;
      try {
        return parseWith(schema, JSON.parse(text), what);
      } catch (error) {
        problems.push(`${name} in ${region}: ${describeError(error)}`);
        return undefined;
      }
    };
    for (const [writer, name] of Object.entries(this.names.deciders)) {
      const doc = parse(name, deciderDocumentSchema, "decider document");
      // A document filed under another writer's name is not trusted as either.
      const modified = values.get(name)?.modifiedMs;
      if (doc !== undefined && doc.by === writer) {
        docs.push(doc);
        if (modified !== undefined) writtenMs[writer] = modified;
      } else if (doc !== undefined) problems.push(`${name} in ${region}: written by ${doc.by}, not ${writer}`);
    }
    const override = parse(this.names.override, overrideDocumentSchema, "signal override");
    return {
      region,
      docs,
      ...(override ? { override } : {}),
      ...(problems.length > 0 ? { problems } : {}),
      ...(Object.keys(writtenMs).length > 0 ? { writtenMs } : {}),
    };
  }

  /** Every control region's store, read at once. */
  readAll(): Promise<SignalRead[]> {
    return Promise.all(this.config.controlRegions.map((region) => this.read(region)));
  }

  /** Writes a decider's own document to every control region; never throws. */
  async publish(doc: DeciderDocument): Promise<StoreWrite[]> {
    const name = this.names.deciders[doc.by];
    if (name === undefined)
      return [...this.stores.keys()].map((region) => ({
        region,
        ok: false,
        error: `${doc.by} is not a control region`,
      }));
    return this.putEverywhere(name, fitDocument(doc));
  }

  /** Writes on-call's override to every control region; never throws. */
  async publishOverride(doc: OverrideDocument): Promise<StoreWrite[]> {
    return this.putEverywhere(this.names.override, JSON.stringify(doc));
  }

  private putEverywhere(name: string, body: string): Promise<StoreWrite[]> {
    return Promise.all(
      [...this.stores.entries()].map(async ([region, store]) => {
        try {
          await this.once(region, () => store.put(name, body));
          return { region, ok: true };
        } catch (error) {
          return { region, ok: false, error: describeError(error) };
        }
      }),
    );
  }

  /** Runs a call to `region`'s store, unless its first call of this round failed (then fails at once). */
  private async once<T>(region: string, call: () => Promise<T>): Promise<T> {
    const round = this.round;
    if (round === undefined) return call();
    const failed = round.failed.get(region);
    if (failed !== undefined)
      throw new FailoverError("SSM_UNAVAILABLE", `not asked again this round: its first call failed (${failed})`);
    const first = !round.called.has(region);
    round.called.add(region);
    try {
      return await call();
    } catch (error) {
      if (first) round.failed.set(region, describeError(error).split("\n")[0] ?? "");
      throw error;
    }
  }
}

function fitDocument(doc: DeciderDocument): string {
  const { view } = doc;
  for (let kept = view.state.switches.length; kept >= 0; kept--) {
    const text = JSON.stringify({
      ...doc,
      view: { ...view, state: { ...view.state, switches: view.state.switches.slice(0, kept) } },
    });
    if (Buffer.byteLength(text) <= MAX_PARAMETER_BYTES) return text;
  }
  return JSON.stringify({ ...doc, view: { ...view, state: { ...view.state, switches: [] } } });
}
