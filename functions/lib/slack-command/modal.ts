import * as z from "zod";
import type { FailoverConfig } from "../config.ts";
import type { LeaseView } from "../manual/result.ts";
import { durationForms, formatDuration, parseDuration } from "../duration.ts";
import type { ManualEvent } from "../manual/event.ts";
import { parseManualEvent } from "../manual/event.ts";
import { ValidationError } from "../errors.ts";
import { describeShift } from "../control/zone-change.ts";
import type { ChangeIntent } from "./command-text.ts";
import type { ChangePreview } from "./preview.ts";
import type { ViewSubmission } from "./request.ts";
import { slackText } from "../slack/text.ts";

/** The modal's callback id: only a submitted modal with it acts. */
export const CONFIRM_CALLBACK_ID = "failover-confirm";

/** Block ids of the modal's inputs (Slack shows field errors under them). */
export const ModalField = { reason: "reason", ttl: "ttl", confirm: "confirm" } as const;
const INPUT_ACTION = "value";

/** What the modal carries from the command to its submission (Slack keeps it, and the submission is signed). */
const metadataSchema = z.strictObject({
  v: z.literal(1),
  intent: z.discriminatedUnion("action", [
    z.strictObject({
      kind: z.literal("change"),
      action: z.enum(["promote", "drain", "release-hold"]),
      target: z.string(),
    }),
    z.strictObject({ kind: z.literal("change"), action: z.literal("pin"), weights: z.record(z.string(), z.int()) }),
    z.strictObject({ kind: z.literal("change"), action: z.literal("release") }),
  ]),
  channel: z.strictObject({ id: z.string().max(32), name: z.string().max(80) }),
  responseUrl: z.string().max(500),
  /** The target's id must be typed: the change leaves one target in service. */
  confirmTarget: z.string().max(64).optional(),
});
export type ModalMetadata = z.output<typeof metadataSchema>;

const leaseActions = new Set(["promote", "drain", "pin"]);

/** Block Kit modal asking to confirm `intent`: current and proposed weights, the lease, a reason, a TTL and (when one target would be left) its id typed. */
export function confirmModal(
  config: FailoverConfig,
  intent: ChangeIntent,
  preview: ChangePreview,
  carried: Omit<ModalMetadata, "v" | "intent" | "confirmTarget">,
): Record<string, unknown> {
  const ids = config.targets.map((target) => target.id);
  const lone = Object.entries(preview.proposed).find(([, weight]) => weight > 0)?.[0];
  const confirmTarget = preview.singleTargetLeft ? lone : undefined;
  const metadata: ModalMetadata = { v: 1, intent, ...carried, ...(confirmTarget ? { confirmTarget } : {}) };
  const lines = [
    `*${describeIntent(intent)}*`,
    `Now: ${weightsText(preview.current, ids)}`,
    `After: ${weightsText(preview.proposed, ids)} (${describeShift(preview.current, preview.proposed, ids)})`,
    `Lease now: ${leaseText(preview.lease)}`,
    ...preview.problems.map((problem) => `:warning: ${slackText(problem)}`),
  ];
  const input = (blockId: string, label: string, extra: Record<string, unknown> = {}) => ({
    type: "input",
    block_id: blockId,
    label: plain(label),
    element: { type: "plain_text_input", action_id: INPUT_ACTION, ...extra },
  });
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
    input(ModalField.reason, "Reason (shown to everyone, kept in the audit trail)", { max_length: 500 }),
  ];
  if (leaseActions.has(intent.action))
    blocks.push(
      input(ModalField.ttl, `Lease TTL (e.g. 30m, 2h; at most ${formatDuration(config.lease.maxTtlSeconds)})`, {
        initial_value: formatDuration(config.lease.defaultTtlSeconds).replace(" ", ""),
      }),
    );
  if (confirmTarget !== undefined)
    blocks.push(
      input(ModalField.confirm, `Only ${confirmTarget} would serve traffic: type ${confirmTarget} to confirm`),
    );
  return {
    type: "modal",
    callback_id: CONFIRM_CALLBACK_ID,
    title: plain("Confirm failover"),
    submit: plain(intent.action === "release" ? "Release" : capitalized(intent.action)),
    close: plain("Cancel"),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** A submission read: the manual event to run, or the errors to show under the modal's fields (nothing changed). */
export type SubmissionRead =
  | { ok: true; event: ManualEvent; metadata: ModalMetadata }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads a submitted modal into the manual event it confirms, checked as the
 * manual function checks it (reason, TTL within lease.maxTtlSeconds, the
 * target). A lease's request id is the view's id, so a repeated submission
 * of one modal takes one lease.
 */
export function readSubmission(config: FailoverConfig, submission: ViewSubmission, actor: string): SubmissionRead {
  const values = submission.view.state.values;
  const field = (blockId: string) => values[blockId]?.[INPUT_ACTION]?.value ?? "";
  let metadata: ModalMetadata;
  try {
    metadata = metadataSchema.parse(JSON.parse(submission.view.private_metadata));
  } catch {
    return {
      ok: false,
      errors: { [ModalField.reason]: "this modal is not one /failover opened; nothing was changed" },
    };
  }
  const errors: Record<string, string> = {};
  const { intent } = metadata;
  const event: Record<string, unknown> = { action: intent.action, actor, reason: field(ModalField.reason) };
  if ("target" in intent) event.target = intent.target;
  if ("weights" in intent) event.weights = intent.weights;
  if (leaseActions.has(intent.action)) {
    event.requestId = `slack-${submission.view.id}`;
    try {
      event.ttlSeconds = parseDuration(field(ModalField.ttl), ModalField.ttl);
    } catch {
      errors[ModalField.ttl] = `expected a duration such as ${durationForms}`;
    }
  }
  if (metadata.confirmTarget !== undefined && field(ModalField.confirm).trim() !== metadata.confirmTarget)
    errors[ModalField.confirm] = `type ${metadata.confirmTarget} exactly to confirm that only it serves traffic`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  try {
    return { ok: true, event: parseManualEvent(event, config), metadata };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const issue of error.issues) {
      const blockId = issue.path.startsWith("ttlSeconds") ? ModalField.ttl : ModalField.reason;
      errors[blockId] = errors[blockId] ?? `${issue.path}: ${issue.message}`;
    }
    return { ok: false, errors };
  }
}

function describeIntent(intent: ChangeIntent): string {
  if (intent.action === "pin")
    return `Pin weights ${Object.entries(intent.weights)
      .map(([id, weight]) => `${id}=${weight}`)
      .join(", ")}`;
  if (intent.action === "release") return "Release the override lease (the policy decides again)";
  return `${capitalized(intent.action)} ${intent.target}`;
}

function weightsText(weights: Record<string, number>, ids: readonly string[]): string {
  return ids.map((id) => `${id} ${weights[id] ?? 0}`).join(", ");
}

/** The lease in place, in one line. */
export function leaseText(lease: LeaseView | null): string {
  if (lease === null) return "none";
  const what = lease.action === "pin" ? "pin" : `${lease.action} ${lease.target ?? ""}`;
  const left = lease.active ? `${formatDuration(lease.expiresInSeconds)} left` : "expired";
  return slackText(`${what} by ${lease.actor} ("${lease.reason}"), ${left}`);
}

function plain(text: string) {
  return { type: "plain_text", text: text.slice(0, 150) };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
