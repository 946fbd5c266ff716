import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Slack's v0 request signature ("Verifying requests from Slack"): the
 * `X-Slack-Signature` header is `v0=` and the hex HMAC-SHA256 of
 * `v0:<X-Slack-Request-Timestamp>:<raw body>` with the app's signing
 * secret. Pure: the clock is an argument.
 */

/** Oldest (and furthest ahead) a request's timestamp may be, in seconds: Slack's documented 5 minutes. */
export const SIGNATURE_MAX_AGE_SECONDS = 300;

/** Why a request's signature was refused (logged and counted; never the secret or the signature). */
export type SignatureProblem =
  | "missing-signature"
  | "missing-timestamp"
  | "bad-timestamp"
  | "stale-timestamp"
  | "future-timestamp"
  | "bad-signature";

/** `v0=<hex>` for `body` sent at `timestamp` (what Slack puts in X-Slack-Signature). */
export function slackSignature(secret: string, timestamp: string, body: string | Buffer): string {
  const mac = createHmac("sha256", secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest("hex")}`;
}

/**
 * Checks a request's signature headers against the raw body (before any
 * parsing), in constant time; undefined when genuine and fresh.
 *
 * @param headers - request headers with lower-case names (function URLs deliver them so)
 * @param nowSeconds - the clock, epoch seconds
 */
export function signatureProblem(
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  rawBody: Buffer,
  nowSeconds: number,
): SignatureProblem | undefined {
  const signature = headers["x-slack-signature"];
  const timestamp = headers["x-slack-request-timestamp"];
  if (signature === undefined || signature === "") return "missing-signature";
  if (timestamp === undefined || timestamp === "") return "missing-timestamp";
  if (!/^\d{1,12}$/.test(timestamp)) return "bad-timestamp";
  const age = nowSeconds - Number(timestamp);
  if (age > SIGNATURE_MAX_AGE_SECONDS) return "stale-timestamp";
  if (age < -SIGNATURE_MAX_AGE_SECONDS) return "future-timestamp";
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), "utf8");
  const given = Buffer.from(signature, "utf8");
  // timingSafeEqual needs equal lengths; a length mismatch reveals only the length of a public format.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad-signature";
  return undefined;
}
