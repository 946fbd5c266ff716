import * as z from "zod";
import { ValidationError } from "../errors.ts";
import { parseWith } from "../validate.ts";

/**
 * What Slack sends to the command function, read from a function URL event:
 * a slash command (form fields) or an interaction (form field `payload`, a
 * JSON `view_submission`). Everything is validated at this boundary, after
 * the signature was checked over the raw bytes.
 */

/** The parts of a function URL event this function reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string; sourceIp?: string } };
}

/** The body exactly as Slack sent it (function URLs may base64-encode it), and the headers with lower-case names. */
export function rawRequest(event: FunctionUrlEvent): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  const text = event.body ?? "";
  return { headers, body: Buffer.from(text, event.isBase64Encoded === true ? "base64" : "utf8") };
}

const slackId = (what: string, first: string) =>
  z.string().regex(new RegExp(`^${first}[A-Z0-9]{2,31}$`), { error: `expected a Slack ${what} id` });
const httpsUrl = z.url({ protocol: /^https?$/, error: "expected Slack's response URL" });

const slashCommandSchema = z.looseObject({
  team_id: slackId("team", "T"),
  user_id: slackId("user", "[UW]"),
  user_name: z.string().max(80).default(""),
  channel_id: z.string().regex(/^[A-Z0-9]{2,32}$/, { error: "expected a Slack channel id" }),
  channel_name: z.string().max(80).default(""),
  command: z.string().min(1).max(32),
  text: z.string().max(2000).default(""),
  response_url: httpsUrl,
  trigger_id: z.string().min(1).max(256),
});

/** A `/failover …` invocation. */
export type SlashCommand = z.output<typeof slashCommandSchema>;

const viewSubmissionSchema = z.looseObject({
  type: z.literal("view_submission"),
  team: z.looseObject({ id: slackId("team", "T") }),
  user: z.looseObject({
    id: slackId("user", "[UW]"),
    username: z.string().max(80).optional(),
    name: z.string().max(80).optional(),
  }),
  view: z.looseObject({
    id: z.string().regex(/^V[A-Z0-9]{2,40}$/, { error: "expected a Slack view id" }),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullish() }))),
    }),
  }),
});

/** A submitted confirmation modal. */
export type ViewSubmission = z.output<typeof viewSubmissionSchema>;

/** What a verified request asks. */
export type SlackRequest =
  | { kind: "command"; command: SlashCommand }
  | { kind: "submission"; submission: ViewSubmission };

/** Reads a verified body; throws a ValidationError naming the field for anything else (another interaction type included). */
export function parseSlackRequest(body: Buffer): SlackRequest {
  const form = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
  if (form.payload === undefined)
    return { kind: "command", command: parseWith(slashCommandSchema, form, "Slack slash command") };
  let payload: unknown;
  try {
    payload = JSON.parse(form.payload);
  } catch {
    throw new ValidationError("Slack interaction", [{ path: "payload", message: "expected JSON" }]);
  }
  return { kind: "submission", submission: parseWith(viewSubmissionSchema, payload, "Slack interaction") };
}

/** The team and user of a request, whatever its kind. */
export function requester(request: SlackRequest): { teamId: string; userId: string; userName: string } {
  if (request.kind === "command")
    return { teamId: request.command.team_id, userId: request.command.user_id, userName: request.command.user_name };
  const { team, user } = request.submission;
  return { teamId: team.id, userId: user.id, userName: user.username ?? user.name ?? "" };
}
