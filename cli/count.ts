import { ValidationError } from "../functions/lib/errors.ts";

const multipliers: Record<string, number> = { "": 1, k: 1e3, m: 1e6, b: 1e9 };

/** The forms {@link parseCount} accepts, for messages. */
export const countForms = "10000000, 10,000,000, 10_000_000, 500k, 10M, 1.5M, 2B";

/**
 * Parses a whole count a person typed: digits (with `,` or `_` between
 * groups) or a number with k, M or B (`10M`, `1.5M`). Throws a
 * ValidationError naming `flag` and listing the accepted forms.
 */
export function parseCount(text: string, flag: string): number {
  const match = /^(\d+(?:[,_]\d{3})*(?:\.\d+)?)\s*([kmb]?)$/i.exec(text.trim());
  const count = match
    ? Number((match[1] ?? "").replace(/[,_]/g, "")) * (multipliers[(match[2] ?? "").toLowerCase()] ?? Number.NaN)
    : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 0)
    throw new ValidationError("arguments", [
      { path: flag, message: `expected a whole count such as ${countForms}, got "${text}"` },
    ]);
  return count;
}
