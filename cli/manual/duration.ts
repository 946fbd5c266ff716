import { ValidationError } from "../../functions/lib/errors.ts";

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a lease duration: whole seconds (`600`) or a number with a unit
 * (`90s`, `10m`, `2h`, `1d`). Throws a ValidationError naming `flag`.
 */
export function parseDuration(text: string, flag = "--ttl"): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  const seconds = match ? Number(match[1]) * (unitSeconds[(match[2] || "s").toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new ValidationError("arguments", [
      { path: flag, message: `expected a duration such as 600, 90s, 10m, 2h or 1d, got "${text}"` },
    ]);
  }
  return seconds;
}

/** `2h`, `10m`, `1h 30m`, `45s`: a duration for people. */
export function formatDuration(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? "-" : "";
  let rest = Math.abs(Math.round(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return sign + parts.slice(0, 2).join(" ");
}
