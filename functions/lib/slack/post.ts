import { FailoverError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { SlackMessage } from "./blocks.ts";
import { systemClock } from "../clock.ts";

export interface PostOptions {
  /** HTTP client. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Attempts in all, first included. @default 4 */
  maxAttempts?: number;
  /** Waits between attempts (tests pass a recorder). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait between attempts: the backoff's cap, and the longest Retry-After honoured (a longer one ends the post, for SNS to redeliver later). @default 10000 */
  maxRetryDelayMs?: number;
  /** First backoff when Slack gives no Retry-After; doubles per attempt. @default 500 */
  baseDelayMs?: number;
  /** Per-attempt timeout. @default 5000 */
  timeoutMs?: number;
  /** Where retries are logged (never with the URL). @default none: retries are not logged */
  log?: Logger;
  /**
   * Milliseconds the caller has left (the Lambda's `context.getRemainingTimeInMillis`).
   * No attempt and no wait reaches past it minus `reserveMs`: the notifier
   * gives up, logs why and lets SNS redeliver, instead of being killed mid-wait.
   * @default no limit but the attempts' own
   */
  remainingMs?: () => number;
  /** Time kept back from `remainingMs` to log the failure and return. @default 2000 */
  reserveMs?: number;
}

export interface PostResult {
  /** Attempts made, the successful one included. */
  attempts: number;
  status: number;
}

/** Shortest attempt worth starting: less than this left and the post is left to SNS's redelivery. */
const MIN_ATTEMPT_MS = 500;

/**
 * Posts a message to a Slack incoming webhook, retrying 429 and 5xx answers
 * and network failures a bounded number of times and honouring Retry-After
 * (capped), all within `remainingMs`: every attempt is aborted before the
 * caller's time is up, so nothing is still in flight (and cannot land later,
 * beside SNS's redelivery) when it returns. Redirects are never followed: a
 * webhook does not redirect, and following one would send the message to
 * another host. The URL is a secret: no error or log line contains it; they
 * say "Slack webhook" only.
 */
export async function postToSlack(
  webhookUrl: string,
  message: SlackMessage,
  options: PostOptions = {},
): Promise<PostResult> {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? systemClock.sleep;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  const baseDelay = options.baseDelayMs ?? 500;
  let scrub: (text: string) => string;
  try {
    if (!/^https?:$/.test(new URL(webhookUrl).protocol)) throw new Error("not http(s)");
    scrub = scrubberFor(webhookUrl);
  } catch {
    // No cause: URL errors carry the input, which is the secret.
    throw new FailoverError("SLACK_WEBHOOK_INVALID", "the Slack webhook URL is not an http(s) URL", {
      hint: 'Set the webhook parameter to https://hooks.slack.com/services/… (README, "Slack webhook").',
    });
  }
  const body = JSON.stringify(message);
  const reserveMs = options.reserveMs ?? 2000;
  const leftMs = () => (options.remainingMs === undefined ? Infinity : options.remainingMs() - reserveMs);

  let last = "";
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (leftMs() < MIN_ATTEMPT_MS) {
      throw outOfTime(attempts, last, "no time left for another attempt");
    }
    attempts = attempt;
    let retryAfter: string | null = null;
    try {
      const response = await send(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(Math.min(options.timeoutMs ?? 5000, leftMs())),
      });
      const answer = scrub((await response.text().catch(() => "")).slice(0, 200));
      if (response.ok) return { attempts: attempt, status: response.status };
      if (response.status >= 300 && response.status < 400) {
        throw new FailoverError(
          "SLACK_REJECTED",
          `the Slack webhook answered ${response.status} with a redirect${redirectHost(response.headers.get("location"), webhookUrl)}; redirects are not followed`,
          {
            hint: 'A Slack webhook never redirects: check the webhook URL in the webhook parameter (README, "Slack webhook").',
          },
        );
      }
      if (response.status === 404 || response.status === 410) {
        // Slack answers these for a revoked or deleted webhook: the notifier reads the parameter again.
        throw new FailoverError(
          "SLACK_WEBHOOK_GONE",
          `the Slack webhook is gone: ${response.status} ${answer}`.trim(),
          {
            hint: 'The webhook was revoked or mistyped: set a new one with `aws ssm put-parameter --type SecureString --overwrite` (README, "Slack webhook"); notifiers read it again at once.',
          },
        );
      }
      if (response.status !== 429 && response.status < 500) {
        throw new FailoverError(
          "SLACK_REJECTED",
          `the Slack webhook refused the message: ${response.status} ${answer}`.trim(),
          {
            hint: 'A 403 means the webhook was revoked or mistyped: set a new one with `aws ssm put-parameter --type SecureString --overwrite` (README, "Slack webhook"); a 400 names the payload problem.',
          },
        );
      }
      last = `${response.status}${answer ? ` ${answer}` : ""}`;
      retryAfter = response.headers.get("retry-after");
    } catch (error) {
      if (error instanceof FailoverError) throw error;
      last = scrub(networkReason(error));
    }
    if (attempt === maxAttempts) break;
    const asked = retryAfterMs(retryAfter);
    // Retrying sooner than Slack asked only earns another 429: a longer wait than allowed is left to SNS's redelivery.
    if (asked !== undefined && asked > maxDelay)
      throw outOfTime(
        attempts,
        last,
        `Retry-After ${Math.round(asked / 1000)} s is longer than the ${maxDelay} ms allowed`,
      );
    const delayMs = asked ?? Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    if (delayMs + MIN_ATTEMPT_MS > leftMs()) {
      const wait = asked === undefined ? `a ${delayMs} ms back-off` : `Retry-After ${Math.round(asked / 1000)} s`;
      throw outOfTime(attempts, last, `${wait} does not fit in the ${Math.max(0, Math.floor(leftMs()))} ms left`);
    }
    options.log?.warn("Slack webhook retry", { attempt, answer: last, delayMs });
    await sleep(delayMs);
  }
  throw new FailoverError("SLACK_UNAVAILABLE", `the Slack webhook failed ${attempts} time(s); last answer: ${last}`, {
    hint: "Slack may be down or rate-limiting; the alarm is still visible in CloudWatch and in `failover status`.",
  });
}

/** Gave up because the invocation's time is nearly spent: SNS redelivers the notification to a new invocation. */
function outOfTime(attempts: number, last: string, why: string): FailoverError {
  return new FailoverError(
    "SLACK_OUT_OF_TIME",
    `the Slack webhook post gave up after ${attempts} attempt(s) within this invocation's time (${why})${last ? `; last answer: ${last}` : ""}`,
    { hint: "SNS redelivers the notification to a new invocation, which posts it once." },
  );
}

/** ` to another host (h)` or ` to the same host`, never the path or query (they may carry the token). */
function redirectHost(location: string | null, webhookUrl: string): string {
  if (location === null) return "";
  try {
    const target = new URL(location, webhookUrl);
    return target.host === new URL(webhookUrl).host ? " to the same host" : ` to another host (${target.host})`;
  } catch {
    return "";
  }
}

/** Removes the URL, its path and its token (the last path segment) from text that might echo them. */
function scrubberFor(webhookUrl: string): (text: string) => string {
  const url = new URL(webhookUrl);
  const token = url.pathname.split("/").pop() ?? "";
  const secrets = [webhookUrl, `${url.pathname}${url.search}`, token].filter((secret) => secret.length >= 8);
  return (text) => secrets.reduce((clean, secret) => clean.split(secret).join("[Slack webhook]"), text);
}

/** Retry-After in seconds or as an HTTP date; `undefined` when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** fetch rejects with "fetch failed" and the reason in `cause`; keep only the code/message, never the request. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === "TimeoutError") return "timed out";
  return (error as Error).message ?? String(error);
}
