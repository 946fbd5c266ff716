import { FailoverError } from "../errors.ts";

/** Stable codes of {@link Route53Error}. */
export type Route53ErrorCode =
  | "ROUTE53_CONFLICT"
  | "ROUTE53_THROTTLED"
  | "ROUTE53_UNAVAILABLE"
  | "ROUTE53_BAD_ANSWER"
  | "ROUTE53_UNEXPECTED_RECORD"
  | "ROUTE53_MISSING_RECORD"
  | "ROUTE53_ALL_ZERO"
  | "ROUTE53_REJECTED"
  | "ROUTE53_NO_ZONE"
  | "ROUTE53_EXISTS"
  | "ROUTE53_INVALID_CHANGE";

/**
 * A Route 53 read or change failed, or the zone does not hold what the config says. Nothing was changed,
 * except where `outcome` says otherwise: a change whose every answer was lost is read back, and `outcome`
 * says what that read proved.
 */
export class Route53Error extends FailoverError {
  declare readonly code: Route53ErrorCode;
  /** Route 53's messages for a rejected change batch, one per problem. */
  readonly messages: string[];
  /** For a change whose answers were all lost: what reading the records back proved. Unset for other errors. */
  readonly outcome: "not-applied" | "unknown" | undefined;

  constructor(
    code: Route53ErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; messages?: string[]; outcome?: "not-applied" | "unknown" } = {},
  ) {
    super(code, message, options);
    this.messages = options.messages ?? [];
    this.outcome = options.outcome;
  }
}
