import { formatWeights, sameWeights } from "../policy/weights.ts";
import type { Weights } from "../types.ts";
import type { FailoverEvent, LeaseSummary } from "./failover-event.ts";
import {
  blockLimits as limits,
  field,
  type Markdown,
  type SlackBlock,
  type SlackMessage,
  targetsOf,
  voteLines,
  weightLines,
} from "./blocks.ts";
import { clip, formatDuration, formatEpoch, slackText } from "./text.ts";

/**
 * The Slack message for one failover event. Pure: the same event gives the
 * same JSON. The header names only what happened and to which target (ids
 * from the config); free text (reasons, actors) goes into mrkdwn fields and
 * the notification text, escaped. Every message says who or what decided,
 * why, and the weights from → to; a lease says until when.
 */
export function buildEventMessage(event: FailoverEvent): SlackMessage {
  const { icon, headline } = headlineOf(event);
  const shift = shiftInline(event.from, event.to);
  const who =
    event.by.mode === "manual" ? slackText(event.by.actor) : `the decider in ${slackText(event.by.controlRegion)}`;

  const summary: string[] = [];
  const story = storyOf(event);
  if (story) summary.push(story);
  summary.push(`*Why:* ${slackText(event.reason)}`);
  const tellsPolicy = event.kind === "override-released" || event.kind === "hold-released";
  if (tellsPolicy && event.detail) summary.push(`*Policy now:* ${slackText(event.detail)}`);

  const fields: Markdown[] = [
    field("Weights", weightLines(event.from, event.to)),
    field("Decided by", event.by.mode === "manual" ? `${who} (by hand)` : `automatic policy, ${who}`),
    field("At", formatEpoch(event.at)),
  ];
  if (event.lease && event.kind !== "override-expired" && event.kind !== "override-released")
    fields.push(field("Until", `${formatEpoch(event.lease.expiresAt)} (lease \`${slackText(event.lease.id)}\`)`));
  if (event.replaced) fields.push(field("Replaced", describeLease(event.replaced)));
  if (event.lease && (event.kind === "override-released" || event.kind === "override-expired"))
    fields.push(
      field(event.kind === "override-expired" ? "Expired lease" : "Released lease", describeLease(event.lease)),
    );

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(`${icon} ${headline}`, limits.header), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: clip(summary.join("\n"), limits.section) }, fields },
  ];
  const votes = event.votes ?? {};
  if (Object.keys(votes).length > 0)
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(`*Votes*\n${voteLines(votes)}`, limits.section) },
    });
  const normal = atNormal(event) ? "traffic at its normal weights" : `normal weights ${weightsInline(event.normal)}`;
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: clip(
          `${event.kind} · ${normal}${event.changeId ? ` · change ${slackText(event.changeId)}` : ""}`,
          limits.context,
        ),
      },
    ],
  });

  const until =
    event.lease && (event.kind === "override-taken" || event.kind === "override-replaced")
      ? ` Until ${formatEpoch(event.lease.expiresAt)}.`
      : "";
  const replaced = event.replaced
    ? ` Replaced ${slackText(event.replaced.id)} (${slackText(leaseWhat(event.replaced))} by ${slackText(event.replaced.actor)}: ${slackText(event.replaced.reason)}).`
    : "";
  const text = `${headline}: ${shift || "weights unchanged"}. ${event.by.mode === "manual" ? `By ${who}` : `Decided by ${who}`}: ${slackText(event.reason)}.${until}${replaced}`;
  return { text: clip(text, limits.section), blocks };
}

function headlineOf(event: FailoverEvent): { icon: string; headline: string } {
  const target = event.target ?? "a target";
  switch (event.kind) {
    case "drain":
      return event.held
        ? { icon: ":no_entry:", headline: `Failover: ${target} drained and held (flap budget spent)` }
        : { icon: ":rotating_light:", headline: `Failover: ${target} drained` };
    case "ramp":
      return {
        icon: ":arrow_heading_up:",
        headline: event.ramp
          ? `Failback: ${target} ramp step ${event.ramp.step} of ${event.ramp.steps} (${event.ramp.percent}% of its normal weight)`
          : "Failback: ramp step",
      };
    case "restored":
      if (event.target === undefined)
        return atNormal(event)
          ? { icon: ":white_check_mark:", headline: "Failback complete: traffic back at its normal weights" }
          : { icon: ":arrow_heading_up:", headline: "Traffic shifted back toward its normal weights" };
      return atNormal(event)
        ? { icon: ":white_check_mark:", headline: `Failback complete: ${target} back at its normal weight` }
        : {
            icon: ":arrow_heading_up:",
            headline: `${target} back at its normal weight; traffic not yet at its normal weights`,
          };
    case "fail-open":
      return { icon: ":rotating_light:", headline: "All targets down: failing open to the normal weights" };
    case "shift":
      return { icon: ":twisted_rightwards_arrows:", headline: "Traffic shifted" };
    case "override-taken":
      return { icon: ":raising_hand:", headline: `Override taken: ${leaseWhat(event.lease)}` };
    case "override-replaced":
      return { icon: ":raising_hand:", headline: `Override replaced: now ${leaseWhat(event.lease)}` };
    case "override-released":
      return { icon: ":leftwards_arrow_with_hook:", headline: "Override released: the automatic policy decides again" };
    case "override-expired":
      return { icon: ":hourglass:", headline: "Override expired: the automatic policy decides again" };
    case "hold-released":
      return { icon: ":unlock:", headline: `Flap hold released: ${target}` };
    case "practice-started":
      return {
        icon: ":building_construction:",
        headline: `Practice run started: ${target} ${event.practice?.percent === 100 ? "drained" : `shifted ${event.practice?.percent ?? "?"}%`} until ${event.practice ? formatEpoch(event.practice.until) : "its end"}`,
      };
    case "practice-ended":
      return {
        icon: event.practice?.outcome === "SUCCEEDED" ? ":white_check_mark:" : ":warning:",
        headline: `Practice run ${event.practice?.outcome ?? "ended"}: ${target}`,
      };
  }
}

/** One line that tells the moment: the figure on-call wants first. */
function storyOf(event: FailoverEvent): string | undefined {
  const target = event.target === undefined ? "the target" : `\`${slackText(event.target)}\``;
  switch (event.kind) {
    case "drain":
      return event.held
        ? `${target} was drained ${event.held.drains} times within ${formatDuration(event.held.windowSeconds)}: it stays drained until a person releases it (\`failover release-hold ${slackText(event.target ?? "<target>")} --reason …\`).`
        : undefined;
    case "restored": {
      const after = event.outSeconds === undefined ? "" : ` after ${formatDuration(event.outSeconds)} on failover`;
      if (event.target === undefined)
        return atNormal(event) ? `Traffic back at its normal weights ${formatWeights(event.to)}.` : undefined;
      return atNormal(event)
        ? `${target} back at its normal weight ${formatWeights(event.to)}${after}.`
        : `${target} back at its normal weight${after}; other targets are still off theirs (${formatWeights(event.to)}, normal ${formatWeights(event.normal)}).`;
    }
    case "hold-released":
      return `${target} comes back through the normal recovery time and ramp.`;
    case "practice-started":
      return `An exercise, not an incident: it ends at once on a real failover, an override lease, a blocking alarm, or an outcome alarm (FAILED). Run \`${slackText(event.practice?.id ?? "?")}\`, started by ${slackText(event.practice?.by ?? "?")}.`;
    case "practice-ended":
      return `Run \`${slackText(event.practice?.id ?? "?")}\` lasted ${formatDuration(event.practice?.seconds ?? 0)}; ${slackText(event.target ?? "the target")} comes back through the normal ramp (at once after FAILED). Measured times: \`failover practice history\`.`;
    case "override-released":
      return event.releasedHolds && event.releasedHolds.length > 0
        ? `Flap holds released too: ${event.releasedHolds.map((id) => `\`${slackText(id)}\``).join(", ")}.`
        : undefined;
    default:
      return undefined;
  }
}

function leaseWhat(lease: LeaseSummary | undefined): string {
  if (lease === undefined) return "lease";
  if (lease.action === "pin") return `pin ${weightsInline(lease.weights ?? {})}`;
  return `${lease.action} ${lease.target ?? "?"}`;
}

function describeLease(lease: LeaseSummary): string {
  return `\`${slackText(lease.id)}\` ${slackText(leaseWhat(lease))} by ${slackText(lease.actor)}, until ${formatEpoch(lease.expiresAt)}\n_${slackText(lease.reason)}_`;
}

/** `primary 90 → 0, failover 10 → 100`: only the targets that moved. */
function shiftInline(from: Weights, to: Weights): string {
  return targetsOf(from, to)
    .filter((target) => (from[target] ?? 0) !== (to[target] ?? 0))
    .map((target) => `${slackText(target)} ${from[target] ?? 0} → ${to[target] ?? 0}`)
    .join(", ");
}

function weightsInline(weights: Weights): string {
  return Object.entries(weights)
    .map(([target, weight]) => `${target} ${weight}`)
    .join(", ");
}

/** True when the event leaves every target at its normal weight. */
function atNormal(event: FailoverEvent): boolean {
  return sameWeights(event.to, event.normal, targetsOf(event.to, event.normal));
}
