import type { FailoverError } from "./errors.ts";

/** What one write to one control region came to (a decision's metrics, a probe round's votes): the adapters return one per region. */
export interface RegionResult {
  region: string;
  ok: boolean;
  error?: FailoverError;
  /** Calls (HTTP attempts) made to this region. */
  calls: number;
  /** Request plus response bytes exchanged with this region. */
  bytes: number;
}
