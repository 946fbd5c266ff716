import { describeAwsError, type AwsFailureKind, type GiveUp } from "./retry.ts";

/**
 * The one AWS failure mapper: every adapter turns a call that gave up into
 * an error of its service the same way (code and hint per failure kind,
 * one message form), and keeps only its service-specific cases (a
 * conflicting Route 53 batch, a missing function) to itself.
 */

/** How one service names its failures. */
export interface AwsFailureSpec {
  /** Service name for people, e.g. `Route 53`. */
  service: string;
  /** The call, e.g. `ChangeResourceRecordSets`. */
  operation: string;
  /** Where the call went, e.g. `in us-east-2`. @default "" (a global service) */
  where?: string;
  /** Error code per failure kind. */
  codes: Record<AwsFailureKind, string>;
  /** What to do, per failure kind. */
  hints: Record<AwsFailureKind, string>;
}

/** Code, message and options of the error for a call that gave up; the adapter builds its own error class from them. */
export function awsFailure(
  spec: AwsFailureSpec,
  giveUp: GiveUp,
): { code: string; message: string; options: { cause: unknown; hint: string } } {
  const { kind, attempts, elapsedMs, cause } = giveUp;
  const call = `${spec.service} ${spec.operation}${spec.where ? ` ${spec.where}` : ""}`;
  const detail = describeAwsError(cause);
  const tries = `${attempts} attempt${attempts === 1 ? "" : "s"} in ${elapsedMs} ms`;
  const message =
    kind === "throttled"
      ? `${call} was throttled (${tries}): ${detail}`
      : kind === "unavailable"
        ? `${call} failed (${tries}): ${detail}`
        : kind === "bad-answer"
          ? `${call} answered something that is not a valid ${spec.service} response: ${detail}`
          : `${call} was refused: ${detail}`;
  return { code: spec.codes[kind], message, options: { cause, hint: spec.hints[kind] } };
}

/** Codes `<PREFIX>_THROTTLED`, `_UNAVAILABLE`, `_BAD_ANSWER`, `_REJECTED`. */
export function failureCodes(prefix: string): Record<AwsFailureKind, string> {
  return {
    throttled: `${prefix}_THROTTLED`,
    unavailable: `${prefix}_UNAVAILABLE`,
    "bad-answer": `${prefix}_BAD_ANSWER`,
    rejected: `${prefix}_REJECTED`,
  };
}
