import { printable } from "../printable.ts";

/**
 * Text that goes into a Slack message. Free text (lease reasons, actors,
 * anything an SNS message carries) passes through {@link slackText} before
 * it reaches any field: `&`, `<` and `>` are escaped as Slack asks, so
 * `<!channel>` or `<https://evil|docs>` arrive as the characters typed,
 * never as a mention or a link, and control characters become spaces, so a
 * reason cannot fake extra lines of the message.
 */
export function slackText(text: string, options: { multiline?: boolean } = {}): string {
  return printable(text, options).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Shortens `text` to `max` characters, ending with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Epoch seconds as `2025-08-06 12:00:30 UTC`. */
export function formatEpoch(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Seconds as `7 min 12 s`, `2 h 5 min`, `40 s`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  return `${rest} s`;
}
