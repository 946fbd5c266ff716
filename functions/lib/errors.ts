/**
 * The one error base class of regional-failover.
 *
 * Every failure that reaches a person (CLI, Lambda result, log line) is a
 * `FailoverError`: it has a stable `code` to branch on, a message that says
 * what failed, an optional `hint` that says what to do, and keeps the
 * underlying `cause` for logs. Entry points print `message` and `hint`,
 * never a stack trace.
 */
export class FailoverError extends Error {
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`, `ROUTE53_CONFLICT`. */
  readonly code: string;
  /** What the operator can do about it, if anything. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  /** A one-paragraph text for people: message, then the hint. No stack. */
  toUserText(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}

/** One problem found while validating input, named by its field path. */
export interface ValidationIssue {
  /** Field path in dotted/bracket form, e.g. `targets[1].weight`; `(root)` for the whole value. */
  path: string;
  /** What was expected and what was found, e.g. `expected an integer from 0 to 255, got 300`. */
  message: string;
}

/**
 * Bad input (config, scenario, CLI arguments, Lambda event, API answer).
 * Lists every problem found, not only the first.
 */
export class ValidationError extends FailoverError {
  readonly issues: readonly ValidationIssue[];

  constructor(what: string, issues: readonly ValidationIssue[], options: { cause?: unknown; hint?: string } = {}) {
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
    super("INVALID_INPUT", `invalid ${what}:\n${lines.join("\n")}`, options);
    this.issues = issues;
  }
}

/** Turns anything thrown into text fit for a person: no stack traces. */
export function describeError(error: unknown): string {
  if (error instanceof FailoverError) return error.toUserText();
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
