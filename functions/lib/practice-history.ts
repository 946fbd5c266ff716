import type { AwsClientOptions } from "./aws/client-config.ts";
import { ParameterStore, type ParameterStoreOptions } from "./aws/ssm.ts";
import { describeError } from "./errors.ts";
import { practiceRecordSchema, type PracticeRecord } from "./policy/practice-record.ts";

/**
 * The practice runs' history: one standard SSM parameter per run (and per
 * skipped try), `/<config name>/practice/<run id>`, in every control
 * region, as the audit trail keeps its entries (./audit.ts). A record is
 * rewritten as the run goes on (started, measured, ended) by the writer
 * that applied each change; `failover practice history` lists them.
 */

/** Largest value of a standard parameter, in bytes. */
const VALUE_MAX_BYTES = 4096;

/** The parameter path of a deployment's practice records. */
export function practicePath(configName: string): string {
  return `/${configName}/practice`;
}

/** What listing found: the records newest first, and each region that could not be read. */
export interface PracticeListing {
  records: PracticeRecord[];
  problems: string[];
}

/** Where practice records are kept. */
export interface PracticeHistory {
  /** Stores the record in every control region (replacing the run's earlier one); answers the problems, never throws. */
  write(record: PracticeRecord): Promise<string[]>;
  /** Every record, newest first: per run the furthest along of the regions' copies. */
  list(): Promise<PracticeListing>;
  /** The record of one run (the furthest along of the regions' copies), or undefined. Never throws. */
  read(id: string): Promise<PracticeRecord | undefined>;
}

/** How far along a record is: an ended run over a pending one, more measured times over fewer. */
function progress(record: PracticeRecord): number {
  return (record.outcome === "PENDING" ? 0 : 100) + Object.keys(record.times).length;
}

/** The record as a parameter value: its oldest alarm changes dropped until it fits a standard parameter. */
function storedValue(record: PracticeRecord): string {
  let fitted = practiceRecordSchema.parse(record);
  let value = JSON.stringify(fitted);
  while (Buffer.byteLength(value, "utf8") > VALUE_MAX_BYTES && fitted.alarms.length > 0) {
    fitted = { ...fitted, alarms: fitted.alarms.slice(1) };
    value = JSON.stringify(fitted);
  }
  return value;
}

/** Practice records in the control regions' parameter stores. */
export class ParameterPracticeHistory implements PracticeHistory {
  constructor(
    private readonly configName: string,
    private readonly stores: ReadonlyMap<string, ParameterStore>,
  ) {}

  async write(record: PracticeRecord): Promise<string[]> {
    const name = `${practicePath(this.configName)}/${record.id}`;
    const value = storedValue(record);
    const results = await Promise.all(
      [...this.stores].map(async ([region, store]) => {
        try {
          await store.put(name, value);
          return undefined;
        } catch (error) {
          return `practice record ${record.id} not stored in ${region}: ${describeError(error)}`;
        }
      }),
    );
    return results.filter((problem) => problem !== undefined);
  }

  async read(id: string): Promise<PracticeRecord | undefined> {
    const name = `${practicePath(this.configName)}/${id}`;
    const copies = await Promise.all(
      [...this.stores.values()].map((store) =>
        store.get(name).then(
          (value) => (value === undefined ? undefined : parseStored(value)),
          () => undefined,
        ),
      ),
    );
    return copies.reduce<PracticeRecord | undefined>(
      (best, copy) => (copy !== undefined && (best === undefined || progress(copy) > progress(best)) ? copy : best),
      undefined,
    );
  }

  async list(): Promise<PracticeListing> {
    const byId = new Map<string, PracticeRecord>();
    const problems: string[] = [];
    for (const [region, store] of this.stores) {
      let values: Map<string, string>;
      try {
        values = await store.listByPath(practicePath(this.configName));
      } catch (error) {
        problems.push(`${region}: ${describeError(error)}`);
        continue;
      }
      for (const [name, value] of values) {
        const parsed = parseStored(value);
        if (parsed === undefined) {
          problems.push(`${region}: ${name} is not a practice record; left out`);
          continue;
        }
        const held = byId.get(parsed.id);
        if (held === undefined || progress(parsed) > progress(held)) byId.set(parsed.id, parsed);
      }
    }
    const records = [...byId.values()].sort((a, b) => b.startedAt - a.startedAt);
    return { records, problems };
  }
}

function parseStored(value: string): PracticeRecord | undefined {
  try {
    const parsed = practiceRecordSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The practice history of a deployment in its control regions' parameter stores. */
export function practiceHistoryFor(
  config: { name: string; controlRegions: readonly string[] },
  aws: AwsClientOptions & Pick<ParameterStoreOptions, "retry"> = {},
): ParameterPracticeHistory {
  const stores = new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })]));
  return new ParameterPracticeHistory(config.name, stores);
}
