/**
 * Counts AWS API calls and bytes per operation, for the closing figures
 * (calls per decider round) and the cost model's drift test. Each adapter
 * installs {@link CallStats.middleware} on its SDK client; every HTTP attempt
 * is counted once, retries included.
 */

/** Calls and bytes of one operation (e.g. `ListResourceRecordSets`). */
export interface OperationStats {
  calls: number;
  /** Attempts that ended in an error (HTTP or network). */
  errors: number;
  /** Request body bytes sent. */
  requestBytes: number;
  /** Response body bytes received (Content-Length). */
  responseBytes: number;
}

/** Bytes of one call, also attached to the SDK output/error as `$metadata.failoverBytes`. */
export interface CallBytes {
  requestBytes: number;
  responseBytes: number;
}

// Minimal shapes of the SDK middleware API, so this file imports no SDK.
interface MiddlewareArgs {
  request?: { body?: unknown };
}
interface MiddlewareResult {
  response?: { headers?: Record<string, string | undefined> };
  output?: { $metadata?: Record<string, unknown> };
}
type Handler = (args: MiddlewareArgs) => Promise<MiddlewareResult>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;

export class CallStats {
  /** Counters by operation name. */
  readonly byOperation: Record<string, OperationStats> = {};

  /** Adds one call. */
  record(operation: string, bytes: CallBytes, failed: boolean): void {
    const entry = this.byOperation[operation] ?? { calls: 0, errors: 0, requestBytes: 0, responseBytes: 0 };
    this.byOperation[operation] = entry;
    entry.calls += 1;
    if (failed) entry.errors += 1;
    entry.requestBytes += bytes.requestBytes;
    entry.responseBytes += bytes.responseBytes;
  }

  /** Sum over every operation. */
  total(): OperationStats {
    const sum: OperationStats = { calls: 0, errors: 0, requestBytes: 0, responseBytes: 0 };
    for (const entry of Object.values(this.byOperation)) {
      sum.calls += entry.calls;
      sum.errors += entry.errors;
      sum.requestBytes += entry.requestBytes;
      sum.responseBytes += entry.responseBytes;
    }
    return sum;
  }

  /** A deep copy, e.g. to diff before and after a round. */
  snapshot(): Record<string, OperationStats> {
    return Object.fromEntries(Object.entries(this.byOperation).map(([op, entry]) => [op, { ...entry }]));
  }

  /** Clears every counter. */
  reset(): void {
    for (const key of Object.keys(this.byOperation)) delete this.byOperation[key];
  }

  /** Installs {@link middleware} on an SDK client (any client of the v3 SDK). */
  attachTo(client: { middlewareStack: { add(middleware: never, options: Record<string, unknown>): void } }): void {
    client.middlewareStack.add(this.middleware() as never, {
      step: "finalizeRequest",
      priority: "low",
      name: "failoverCallStats",
      override: true,
    });
  }

  /**
   * SDK middleware (add at step `finalizeRequest`, priority `low`: inside the
   * signer, around the HTTP call and the parser) that records each attempt.
   */
  middleware(): Middleware {
    return (next, context) => async (args) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const requestBytes = bodyBytes(args.request?.body);
      try {
        const result = await next(args);
        const bytes = { requestBytes, responseBytes: contentLength(result.response?.headers) };
        this.record(operation, bytes, false);
        if (result.output?.$metadata) result.output.$metadata.failoverBytes = bytes;
        return result;
      } catch (error) {
        const raw = (error ?? {}) as {
          $response?: { headers?: Record<string, string | undefined> };
          $metadata?: Record<string, unknown>;
        };
        const bytes = { requestBytes, responseBytes: contentLength(raw.$response?.headers) };
        this.record(operation, bytes, true);
        if (raw.$metadata && typeof raw.$metadata === "object") raw.$metadata.failoverBytes = bytes;
        throw error;
      }
    };
  }
}

/** Bytes of one call, read back from an SDK output or error (0 when unknown). */
export function callBytesOf(outputOrError: unknown): CallBytes {
  const bytes = (outputOrError as { $metadata?: { failoverBytes?: CallBytes } } | undefined)?.$metadata?.failoverBytes;
  return bytes ?? { requestBytes: 0, responseBytes: 0 };
}

function bodyBytes(body: unknown): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

function contentLength(headers: Record<string, string | undefined> | undefined): number {
  if (!headers) return 0;
  const value = headers["content-length"] ?? headers["Content-Length"];
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

/** Calls (HTTP attempts) and request plus response bytes an adapter exchanged with one region: a RegionResult's counts. */
export interface CallTally {
  calls: number;
  bytes: number;
}

/** Runs one attempt of a call, adding it (answered or failed) and its bytes to `tally` when there is one. */
export async function tallied<T>(tally: CallTally | undefined, send: () => Promise<T>): Promise<T> {
  const add = (outputOrError: unknown) => {
    if (!tally) return;
    const bytes = callBytesOf(outputOrError);
    tally.calls += 1;
    tally.bytes += bytes.requestBytes + bytes.responseBytes;
  };
  try {
    const output = await send();
    add(output);
    return output;
  } catch (error) {
    add(error);
    throw error;
  }
}

/** An adapter's client for each region: made on first use with `make`, counted into `stats`, then reused. */
export function clientsPerRegion<Client extends Parameters<CallStats["attachTo"]>[0]>(
  make: (region: string) => Client,
  stats: CallStats,
): (region: string) => Client {
  const clients = new Map<string, Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = make(region);
      stats.attachTo(client);
      clients.set(region, client);
    }
    return client;
  };
}
