import { ValidationError } from "./errors.ts";

const unitSeconds: Array<[RegExp, number]> = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3600],
  [/^(d|days?)$/, 86400],
  [/^(w|wks?|weeks?)$/, 604800],
];

/** The forms {@link parseDuration} accepts, for messages. */
export const durationForms = "600 (seconds), 90s, 10m, 1.5h, 2h, 1h30m, 1d (units s, m, h, d, w, or spelled out)";

/**
 * Parses a lease duration: whole seconds (`600`) or numbers with units
 * (`90s`, `10m`, `1.5h`, `1h30m`, `2d`, `2 days`). Throws a ValidationError
 * naming `flag` and listing the accepted forms.
 */
export function parseDuration(text: string, flag = "--ttl"): number {
  const trimmed = text.trim().toLowerCase();
  let seconds = Number.NaN;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else if (/^(\s*\d+(\.\d+)?\s*[a-z]+)+$/.test(trimmed)) {
    seconds = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
      const size = unitSeconds.find(([pattern]) => pattern.test(unit ?? ""))?.[1];
      seconds = size === undefined ? Number.NaN : seconds + Number(amount) * size;
    }
    seconds = Math.round(seconds);
  }
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new ValidationError("arguments", [
      { path: flag, message: `expected a duration such as ${durationForms}, got "${text}"` },
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
