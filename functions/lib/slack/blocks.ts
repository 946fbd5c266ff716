import type { Weights } from "../types.ts";
import { clip, slackText } from "./text.ts";

/** Block Kit plain text. */
export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
/** Block Kit mrkdwn text. */
export interface Markdown {
  type: "mrkdwn";
  text: string;
}
/** The Block Kit blocks the notifier uses. */
export type SlackBlock =
  | { type: "header"; text: PlainText }
  | { type: "section"; text: Markdown | PlainText; fields?: Markdown[] }
  | { type: "context"; elements: Markdown[] };

/** An incoming-webhook payload: `text` is the notification/fallback text, `blocks` what Slack shows. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits in characters: header 150, section text 3000, field 2000; a context element is kept to 300. */
export const blockLimits = { header: 150, section: 3000, field: 2000, context: 300 } as const;

const voteIcon = { up: ":large_green_circle:", down: ":red_circle:", silent: ":white_circle:" } as const;

/** A titled mrkdwn field, cut to Slack's field limit. */
export const field = (title: string, body: string): Markdown => ({
  type: "mrkdwn",
  text: clip(`*${title}*\n${body}`, blockLimits.field),
});

/** Targets in the order of `to`, then any only in `from`. */
export function targetsOf(from: Weights, to: Weights): string[] {
  return [...new Set([...Object.keys(to), ...Object.keys(from)])];
}

/** One line a target: `` `primary` 90 → 0 ``. */
export function weightLines(from: Weights, to: Weights): string {
  return targetsOf(from, to)
    .map((target) => `\`${slackText(target)}\` ${from[target] ?? 0} → ${to[target] ?? 0}`)
    .join("\n");
}

/** One line a target: its vantages' votes with their icons, or "no votes". */
export function voteLines(votes: Record<string, Record<string, keyof typeof voteIcon>>): string {
  return Object.entries(votes)
    .map(([target, byVantage]) => {
      const cells = Object.entries(byVantage).map(
        ([vantage, vote]) => `${voteIcon[vote]} ${slackText(vantage)} ${vote}`,
      );
      return `*${slackText(target)}*: ${cells.length > 0 ? cells.join(" · ") : "no votes"}`;
    })
    .join("\n");
}
