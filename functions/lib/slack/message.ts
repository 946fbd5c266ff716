import type { Attribution } from "../audit-trail.ts";
import type { OverrideLease } from "../lease.ts";
import type { SwitchEvent } from "../state-document.ts";
import type { Weights } from "../types.ts";
import { sameWeights } from "../policy/weights.ts";
import { alarmKind, type AlarmKind, type CloudWatchAlarmMessage } from "./alarm.ts";
import {
  blockLimits as limits,
  field,
  type Markdown,
  type SlackMessage,
  type SlackBlock,
  targetsOf,
  voteLines,
  weightLines,
} from "./blocks.ts";
import { buildEventMessage } from "./event-message.ts";
import { parseFailoverEvent } from "./failover-event.ts";
import { clip, formatEpoch, slackText } from "./text.ts";

/** What the notifier knows besides the alarm, read from Route 53 when the alarm arrives. */
export interface NotifyContext {
  /** Weights in Route 53 now, by target. */
  weights: Weights;
  /** The override lease, if one is recorded (possibly expired), with who took it and why from the audit trail. */
  lease?: OverrideLease & Attribution;
  /** The newest switch from the state record. */
  lastSwitch?: SwitchEvent & { actor?: string };
  /** The configured weights: an alarm's end is "Cleared" only when `weights` equal them. @default unknown: never "Cleared" */
  normal?: Weights;
}

export interface SlackMessageInput {
  /** The parsed alarm, or `undefined` when the SNS message was something else. */
  alarm: CloudWatchAlarmMessage | undefined;
  /** The SNS message as received (shown, shortened, when it is not one of our alarms). */
  rawText: string;
  /** Weights, lease and last switch; absent when they could not be read. */
  context?: NotifyContext;
  /** Why this notifier posts although it is not the first control region's (./announce.ts); shown under the message. @default none */
  note?: string;
}

/** " for primary" when the alarm names one target (per-target suspect alarms of older deployments), else nothing: one alarm per vantage covers every target. */
const forTarget = (target: string) => (target ? ` for ${target}` : "");

/** Per alarm kind: its icon, the headline when it fires, and what "cleared" refers to. */
const phrasing: Record<
  AlarmKind,
  {
    icon: string;
    fired: (region: string, lastSwitch: SwitchEvent | undefined, target: string) => string;
    subject: (region: string, target: string) => string;
  }
> = {
  switchover: {
    icon: ":twisted_rightwards_arrows:",
    fired: (_region, lastSwitch) =>
      lastSwitch?.mode === "manual"
        ? "Override started: traffic moved by hand"
        : lastSwitch
          ? "Traffic switched automatically"
          : "Traffic switched",
    subject: () => "traffic switch",
  },
  "decider-blind": {
    icon: ":see_no_evil:",
    fired: (region) => `Automation blind in ${region}`,
    subject: (region) => `automation blind in ${region}`,
  },
  "vantage-silent": {
    icon: ":mute:",
    fired: (region) => `Probe vantage ${region} silent`,
    subject: (region) => `probe vantage ${region} silent`,
  },
  "vantage-suspect": {
    icon: ":warning:",
    fired: (region, _lastSwitch, target) => `Probe vantage ${region} set aside${forTarget(target)}`,
    subject: (region, target) => `probe vantage ${region} set aside${forTarget(target)}`,
  },
  "all-down": {
    icon: ":rotating_light:",
    fired: () => "All targets down: failing open",
    subject: () => "all targets down",
  },
  "flap-budget": {
    icon: ":no_entry:",
    fired: () => "Flap budget spent: target held drained",
    subject: () => "flap budget spent",
  },
  "override-long": {
    icon: ":hourglass:",
    fired: () => "Override lease still active",
    subject: () => "override lease long-running",
  },
  "slack-refused": {
    icon: ":lock:",
    fired: () => "Slack command refusing requests",
    subject: () => "refused Slack command requests",
  },
  "signal-write-failed": {
    icon: ":floppy_disk:",
    fired: (region) => `Drain signal not written in ${region}`,
    subject: (region) => `drain signal writes in ${region}`,
  },
  "signal-stale-or-disagrees": {
    icon: ":satellite_antenna:",
    fired: () => "Drain signals stale or disagreeing with the decision",
    subject: () => "drain signals unsound",
  },
};

/**
 * Turns one SNS-delivered notification into a Slack message. Pure: the
 * same input gives the same JSON (times come from the alarm and context,
 * never from a clock).
 *
 * Our alarms (named `${config.name}-${key}`) get a Block Kit message saying
 * what happened, from → to weights, the reason, the votes per vantage and
 * the lease; anything else becomes short readable plain text. A `note`
 * (why this region announces it) goes last, and into the text.
 */
export function buildSlackMessage(input: SlackMessageInput): SlackMessage {
  const message = messageFor(input);
  if (input.note === undefined) return message;
  return {
    text: clip(`${message.text}\n${slackText(input.note)}`, limits.section),
    blocks: [
      ...message.blocks,
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: clip(`:information_source: ${slackText(input.note)}`, limits.context) }],
      },
    ],
  };
}

function messageFor(input: SlackMessageInput): SlackMessage {
  if (input.alarm === undefined) {
    const event = parseFailoverEvent(input.rawText);
    return event === undefined ? plainMessage(describeRaw(input.rawText)) : buildEventMessage(event);
  }
  const identified = alarmKind(input.alarm);
  if (identified === undefined) return plainMessage(describeUnknownAlarm(input.alarm));
  return alarmMessage(input.alarm, identified, input.context);
}

/** The header's icon and words for an alarm's state change. */
function headline(
  state: CloudWatchAlarmMessage["NewStateValue"],
  kind: AlarmKind,
  region: string,
  target: string,
  lastSwitch: SwitchEvent | undefined,
  normalAgain: boolean,
): { icon: string; what: string } {
  const phrase = phrasing[kind];
  if (state === "ALARM") return { icon: phrase.icon, what: phrase.fired(region, lastSwitch, target) };
  if (state === "OK" && kind === "vantage-suspect")
    return { icon: ":white_check_mark:", what: `Back: probe vantage ${region} counts again${forTarget(target)}` };
  return {
    icon: state === "OK" && normalAgain ? ":white_check_mark:" : ":grey_question:",
    what: `${state === "OK" ? (normalAgain ? "Cleared" : "Over") : "No data"}: ${phrase.subject(region, target)}`,
  };
}

function alarmMessage(
  alarm: CloudWatchAlarmMessage,
  { kind, region = "", target = "" }: { kind: AlarmKind; region?: string; target?: string },
  context: NotifyContext | undefined,
): SlackMessage {
  const state = alarm.NewStateValue;
  const lastSwitch =
    kind === "switchover" || kind === "all-down" || kind === "flap-budget" ? context?.lastSwitch : undefined;
  // "Cleared" reads as "incident over": only when traffic is back at its normal weights.
  const normalAgain =
    context?.normal !== undefined &&
    sameWeights(context.weights, context.normal, targetsOf(context.weights, context.normal));
  // A vantage that agrees again is back whatever the weights are: it never moved them.
  const back = state === "OK" && kind === "vantage-suspect";
  const { icon, what } = headline(state, kind, region, target, lastSwitch, normalAgain);

  const summary: string[] = [];
  if (state === "ALARM" && kind === "switchover" && lastSwitch)
    summary.push(`*Reason:* ${slackText(lastSwitch.reason)}`);
  if (state === "ALARM" && alarm.AlarmDescription) summary.push(slackText(alarm.AlarmDescription));
  if (back)
    summary.push(
      `Its votes${target ? ` on ${target}` : ""} agree with the other vantages again: the decider counts them again.`,
    );
  else if (state === "OK") summary.push("The alarm condition no longer holds.");
  if (state === "OK" && !normalAgain && !back)
    summary.push(
      context?.normal === undefined
        ? "Traffic may still be off its normal weights (they could not be read)."
        : `Traffic is still off its normal weights: ${offNormal(context.weights, context.normal)}.`,
    );
  if (state === "INSUFFICIENT_DATA") summary.push("CloudWatch has too little data to evaluate this alarm.");

  const fields: Markdown[] = [];
  const moved = kind === "switchover" && lastSwitch !== undefined && state === "ALARM";
  if (moved) fields.push(field("Weights", weightLines(lastSwitch.from, lastSwitch.to)));
  else if (context) fields.push(field("Weights now", weightList(context.weights)));
  if (moved)
    fields.push(
      field(
        "Mode",
        lastSwitch.mode === "manual" ? `manual by ${slackText(lastSwitch.actor ?? "someone")}` : "automatic",
      ),
    );
  if (lastSwitch) fields.push(field(moved ? "Switched at" : "Last switch", formatEpoch(lastSwitch.at)));
  fields.push(field(state === "OK" ? "Ended at" : "Alarm time", formatAlarmTime(alarm.StateChangeTime)));
  if (context?.lease) fields.push(field("Override lease", describeLease(context.lease)));

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(`${icon} ${what}`, limits.header), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: clip(summary.join("\n"), limits.section) }, fields },
  ];
  if (lastSwitch && state === "ALARM" && Object.keys(lastSwitch.votes).length > 0) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `*Votes at the ${moved ? "switch" : "last switch"}*\n${voteLines(lastSwitch.votes)}`,
          limits.section,
        ),
      },
    });
  }
  const where = [
    `\`${slackText(alarm.AlarmName)}\``,
    alarm.OldStateValue ? `${state} (was ${slackText(alarm.OldStateValue)})` : state,
    alarm.Region && slackText(alarm.Region),
  ]
    .filter(Boolean)
    .join(" · ");
  const elements: Markdown[] = [{ type: "mrkdwn", text: clip(where, limits.context) }];
  if (alarm.NewStateReason)
    elements.push({ type: "mrkdwn", text: clip(`CloudWatch: ${slackText(alarm.NewStateReason)}`, limits.context) });
  blocks.push({ type: "context", elements });

  const text = [
    `[${state}] ${slackText(what)}`,
    moved
      ? `: ${slackText(weightChangesInline(lastSwitch.from, lastSwitch.to))}. Reason: ${slackText(lastSwitch.reason)}`
      : "",
    moved && lastSwitch.mode === "manual" ? ` (by ${slackText(lastSwitch.actor ?? "someone")})` : "",
  ].join("");
  return { text: clip(text, limits.section), blocks };
}

/** `primary 0 (normal 90), failover 100 (normal 10)`: the targets off their normal weight. */
function offNormal(weights: Weights, normal: Weights): string {
  return targetsOf(normal, weights)
    .filter((target) => (weights[target] ?? 0) !== (normal[target] ?? 0))
    .map((target) => `${slackText(target)} ${weights[target] ?? 0} (normal ${normal[target] ?? 0})`)
    .join(", ");
}

function weightChangesInline(from: Weights, to: Weights): string {
  return targetsOf(from, to)
    .map((target) => `${target} ${from[target] ?? 0} → ${to[target] ?? 0}`)
    .join(", ");
}

function weightList(weights: Weights): string {
  const lines = Object.entries(weights).map(([target, weight]) => `\`${slackText(target)}\` ${weight}`);
  return lines.length > 0 ? lines.join("\n") : "(none)";
}

function describeLease(lease: OverrideLease & Attribution): string {
  const pinned = Object.entries(lease.weights ?? {}).map(([target, weight]) => `${slackText(target)} ${weight}`);
  const what =
    lease.action === "pin" ? `pin ${pinned.join(", ")}` : `${lease.action} \`${slackText(lease.target ?? "?")}\``;
  return `${what} by ${slackText(lease.actor)}\nexpires ${formatEpoch(lease.expiresAt)}\n_${slackText(lease.reason)}_`;
}

/**
 * Someone else's text, shown as plain text and escaped everywhere. Slack's
 * formatting reference says `&`, `<` and `>` are control characters "in
 * text objects" and must be escaped unless meant for parsing; it does not
 * promise that plain_text leaves `<!channel>` unparsed, so it is escaped
 * there too (Slack shows the entities as the characters typed).
 */
function plainMessage(text: string): SlackMessage {
  // Escaping lengthens the text: cut the raw text until the escaped one fits, so no entity is cut in half.
  let keep: number = limits.section;
  let shown = slackText(clip(text, keep), { multiline: true });
  while (shown.length > limits.section) {
    keep = Math.max(1, Math.min(keep - 1, Math.floor((keep * limits.section) / shown.length)));
    shown = slackText(clip(text, keep), { multiline: true });
  }
  return { text: shown, blocks: [{ type: "section", text: { type: "plain_text", text: shown } }] };
}

function describeUnknownAlarm(alarm: CloudWatchAlarmMessage): string {
  const lines = [
    `${alarm.AlarmName} is ${alarm.NewStateValue}${alarm.OldStateValue ? ` (was ${alarm.OldStateValue})` : ""}`,
  ];
  if (alarm.AlarmDescription) lines.push(clip(alarm.AlarmDescription, 500));
  if (alarm.NewStateReason) lines.push(`Reason: ${clip(alarm.NewStateReason, 500)}`);
  lines.push(`At: ${formatAlarmTime(alarm.StateChangeTime)}`);
  return lines.join("\n");
}

/** Something that is not an alarm: a few readable lines, never a whole JSON blob. */
function describeRaw(rawText: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawText);
  } catch {
    return `Notification (not a CloudWatch alarm):\n${clip(rawText.trim() || "(empty message)", 1500)}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return `Notification (not a CloudWatch alarm):\n${clip(rawText.trim(), 500)}`;
  }
  const entries = Object.entries(parsed);
  const lines = entries.slice(0, 8).map(([key, value]) => `${clip(key, 60)}: ${summarize(value)}`);
  if (entries.length > 8) lines.push(`… and ${entries.length - 8} more fields`);
  return `Notification (not a CloudWatch alarm):\n${lines.join("\n")}`;
}

function summarize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  if (typeof value === "object" && value !== null) return "{…}";
  return clip(String(value), 200);
}

/** CloudWatch writes `2025-08-06T12:00:30.123+0000`; shown like {@link formatEpoch}, or as received when unreadable. */
function formatAlarmTime(text: string): string {
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? clip(text, 60) : formatEpoch(Math.floor(ms / 1000));
}
