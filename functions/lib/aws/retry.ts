import { systemClock } from "../clock.ts";

/**
 * Retry with exponential backoff and full jitter, within a time budget, for
 * every AWS adapter. The SDK's own retries are switched off (maxAttempts 1,
 * see client-config.ts) so that the budget, the attempt timeout and the call
 * counts are ours, and a test can inject `sleep`/`now`.
 */

/** How a failed AWS call should be treated. */
export type AwsFailureKind =
  /** Throttling, PriorRequestNotComplete, HTTP 429: retry after a backoff. */
  | "throttled"
  /** HTTP 5xx, timeout, reset or refused connection: retry; the call may or may not have been applied. */
  | "unavailable"
  /** The answer could not be parsed (not XML/JSON, or not the expected shape): do not retry. */
  | "bad-answer"
  /** A 4xx the caller must handle (conflict, validation, not found): do not retry. */
  | "rejected";

export interface RetryOptions {
  /** Total time allowed for all attempts and backoffs of one operation, in ms. @default 8000 */
  budgetMs?: number;
  /** Each attempt is aborted after this many ms. @default 3000 */
  attemptTimeoutMs?: number;
  /** First backoff ceiling in ms; doubles per attempt (full jitter). @default 100 */
  baseDelayMs?: number;
  /** Backoff ceiling in ms. @default 2000 */
  maxDelayMs?: number;
  /** Hard cap on attempts, so a frozen clock cannot loop forever. @default 8 */
  maxAttempts?: number;
  /** Waits between attempts (injectable for tests). @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Clock in epoch ms used for the budget. @default Date.now */
  now?: () => number;
  /** Random source in [0, 1) for jitter. @default Math.random */
  random?: () => number;
}

/** Resolved retry settings. */
export type RetrySettings = Required<RetryOptions>;

export function retrySettings(options: RetryOptions = {}): RetrySettings {
  return {
    budgetMs: options.budgetMs ?? 8000,
    attemptTimeoutMs: options.attemptTimeoutMs ?? 3000,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2000,
    maxAttempts: options.maxAttempts ?? 8,
    sleep: options.sleep ?? systemClock.sleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

const throttleCodes = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "PriorRequestNotComplete",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);
const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

interface LooseAwsError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  $responseBodyText?: string;
}

/** HTTP status of a failed call, when the server answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = (error ?? {}) as LooseAwsError;
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/** Sorts an error thrown by an AWS SDK call into what the adapter should do with it. */
export function classifyAwsError(error: unknown): AwsFailureKind {
  const e = (error ?? {}) as LooseAwsError;
  const name = e.name ?? "";
  const status = httpStatusOf(error);
  if (throttleCodes.has(name) || throttleCodes.has(e.code ?? "") || status === 429) return "throttled";
  if (
    name === "AbortError" ||
    name === "TimeoutError" ||
    networkCodes.has(e.code ?? "") ||
    /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|timed? ?out/i.test(e.message ?? "")
  )
    return "unavailable";
  if (status !== undefined && status >= 500) return "unavailable";
  // An unparseable body: SyntaxError from JSON, the XML parser's error, or the SDK's "Deserialization error".
  if (
    name === "SyntaxError" ||
    e.$responseBodyText !== undefined ||
    /deserializ|parse|unexpected token|not valid json|invalid xml|xml/i.test(`${name} ${e.message ?? ""}`)
  )
    return "bad-answer";
  if (status === undefined && e.$fault === undefined) return "unavailable";
  return "rejected";
}

/** What `withRetry` hands to the error factory once it gives up. */
export interface GiveUp {
  kind: AwsFailureKind;
  attempts: number;
  elapsedMs: number;
  cause: unknown;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the
 * budget/attempt cap is spent; then throws `fail(giveUp)`. Each attempt gets
 * an AbortSignal that fires after `attemptTimeoutMs` (or the rest of the
 * budget, whichever is first).
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
  settings: RetrySettings,
  fail: (giveUp: GiveUp) => Error,
  retryIf: (kind: AwsFailureKind, cause: unknown) => boolean = (kind) => kind === "throttled" || kind === "unavailable",
): Promise<T> {
  const started = settings.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    const remaining = settings.budgetMs - (settings.now() - started);
    const signal = AbortSignal.timeout(Math.max(1, Math.min(settings.attemptTimeoutMs, remaining)));
    try {
      return await attempt(signal, attemptNumber);
    } catch (cause) {
      const kind = classifyAwsError(cause);
      const elapsedMs = settings.now() - started;
      const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attemptNumber - 1));
      const delay = Math.floor(settings.random() * ceiling);
      const retryable = retryIf(kind, cause);
      if (!retryable || attemptNumber >= settings.maxAttempts || elapsedMs + delay >= settings.budgetMs) {
        throw fail({ kind, attempts: attemptNumber, elapsedMs, cause });
      }
      await settings.sleep(delay);
    }
  }
}

/**
 * True when a failed call certainly never reached the service (refused
 * connection, unresolvable name), so repeating it cannot repeat its effect.
 * A timeout, a reset or a 5xx may follow a request the service acted on.
 */
export function neverSent(error: unknown): boolean {
  const e = (error ?? {}) as LooseAwsError;
  return (
    ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"].includes(e.code ?? "") || /ECONNREFUSED|ENOTFOUND/.test(e.message ?? "")
  );
}

/** A short, secret-free description of an SDK error for messages. */
export function describeAwsError(error: unknown): string {
  const e = (error ?? {}) as LooseAwsError;
  const status = httpStatusOf(error);
  const text = (e.message ?? String(error)).replace(/\s+/g, " ").slice(0, 300);
  return `${e.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${text}`;
}
