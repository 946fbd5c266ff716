import { systemClock, type Clock } from "../clock.ts";
import type { FailoverConfig } from "../config.ts";
import { handleManualEvent, type InvocationOrigin, type ManualDeps } from "../manual/handle-event.ts";
import { manualContext } from "../manual/context.ts";
import { parseManualEvent } from "../manual/event.ts";
import { renderResult } from "../manual/render.ts";
import { describeError, FailoverError, ValidationError } from "../errors.ts";
import { log as defaultLog, type Logger } from "../log.ts";
import { printable } from "../printable.ts";
import { clip, slackText } from "../slack/text.ts";
import { commandUsage, parseCommandText, type ChangeIntent } from "./command-text.ts";
import { parseSlackJob, type SlackJob } from "./job.ts";
import { CONFIRM_CALLBACK_ID, confirmModal, readSubmission } from "./modal.ts";
import { previewChange } from "./preview.ts";
import {
  parseSlackRequest,
  rawRequest,
  requester,
  type FunctionUrlEvent,
  type SlashCommand,
  type ViewSubmission,
} from "./request.ts";
import type { SlackSecrets } from "./secrets.ts";
import { signatureProblem, type SignatureProblem } from "./signature.ts";
import type { SlackApi } from "./slack-api.ts";

export interface SlackCommandDeps {
  /** The deployment config; its `slack` block must be set. */
  config: FailoverConfig;
  /** What the manual failover function runs on: the command goes through its entry point, so Slack and the CLI are one path. */
  manual: ManualDeps;
  /** The signing secret, bot token and on-call list (./secrets.ts). */
  secrets: () => Promise<SlackSecrets>;
  slack: SlackApi;
  /** Hands work to run after the answer (an asynchronous self-invocation; see ./job.ts). */
  defer: (job: SlackJob) => Promise<void>;
  /** Counts one refused request (the slack-refused alarm's metric); never throws. */
  countRefused: (at: number) => Promise<void>;
  /** @default the system clock */
  clock?: Clock;
  /** @default the process logger */
  log?: Logger;
}

/** A function URL answer. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Why a request was refused: a signature problem, or a genuine request from elsewhere or someone else. */
export type RefusalReason = SignatureProblem | "another-team" | "not-on-call";

const plainText = (statusCode: number, body: string): HttpAnswer => ({
  statusCode,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body,
});
const json = (body: unknown): HttpAnswer => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const ephemeral = (text: string) => json({ response_type: "ephemeral", text: clip(text, 3000) });

/** The deps with their defaults and the config's slack block. */
interface Ctx {
  deps: SlackCommandDeps;
  slackConfig: NonNullable<FailoverConfig["slack"]>;
  clock: Clock;
  log: Logger;
}

/**
 * The `/failover` Slack command: `http` answers Slack's requests (slash
 * command and modal submission), `job` does the work handed over by
 * `defer`. A request is acted on only when its signature is genuine and
 * fresh, it comes from the configured team and its user is on the on-call
 * list; anything else is refused with a plain error, logged and counted,
 * and changes nothing. A change happens only when its modal is submitted.
 */
export function createSlackCommand(deps: SlackCommandDeps) {
  const slackConfig = deps.config.slack;
  if (slackConfig === undefined)
    throw new FailoverError(
      "SLACK_NOT_CONFIGURED",
      "the config has no slack block: the Slack command has nothing to check requests against",
      { hint: 'Add "slack": { "teamId": "T…" } to failover.config.json (README, "Acting from Slack").' },
    );
  const ctx: Ctx = { deps, slackConfig, clock: deps.clock ?? systemClock, log: deps.log ?? defaultLog };
  return {
    http: (event: FunctionUrlEvent) => http(ctx, event),
    job: (raw: unknown, invocation: InvocationOrigin = {}) => job(ctx, raw, invocation),
  };
}

async function refuse(ctx: Ctx, reason: RefusalReason, source: string | undefined): Promise<void> {
  ctx.log.warn("Slack request refused", { reason, sourceIp: source });
  await ctx.deps.countRefused(Math.floor(ctx.clock.now() / 1000));
}

/** Checks a request (secret, signature, team, on-call list) before anything reads it, then answers it. */
async function http(ctx: Ctx, event: FunctionUrlEvent): Promise<HttpAnswer> {
  const { headers, body } = rawRequest(event);
  const source = event.requestContext?.http?.sourceIp;
  let secrets: SlackSecrets;
  try {
    secrets = await ctx.deps.secrets();
  } catch (error) {
    ctx.log.error("Slack command not usable", { error });
    return plainText(503, "The failover command is not set up (see the function's log); nothing was changed.");
  }
  const problem = signatureProblem(secrets.signingSecret, headers, body, Math.floor(ctx.clock.now() / 1000));
  if (problem !== undefined) {
    await refuse(ctx, problem, source);
    return plainText(401, `Request refused (${problem}); nothing was changed.`);
  }
  let request: ReturnType<typeof parseSlackRequest>;
  try {
    request = parseSlackRequest(body);
  } catch (error) {
    ctx.log.warn("Slack request unreadable", { error });
    return plainText(400, `Request not understood; nothing was changed. ${describeError(error)}`);
  }
  const who = requester(request);
  if (who.teamId !== ctx.slackConfig.teamId) {
    await refuse(ctx, "another-team", source);
    return plainText(403, "Request refused (another-team); nothing was changed.");
  }
  if (!secrets.onCall.has(who.userId)) {
    await refuse(ctx, "not-on-call", source);
    const text = `You are not on the on-call list of ${ctx.slackConfig.command}; nothing was changed. Ask on-call to add your Slack user id.`;
    return request.kind === "command" ? ephemeral(text) : json({ response_action: "errors", errors: { reason: text } });
  }
  return request.kind === "command" ? command(ctx, request.command, secrets) : submission(ctx, request.submission);
}

/** A slash command: help, a read handed over, or the confirmation modal of a change (nothing changes here). */
async function command(ctx: Ctx, slash: SlashCommand, secrets: SlackSecrets): Promise<HttpAnswer> {
  const { deps, slackConfig } = ctx;
  const actor = `slack:${slash.user_id}`;
  const caller = callerOf(slash.team_id, slash.user_id, slash.user_name, slash.channel_id, slash.channel_name);
  try {
    const intent = parseCommandText(slash.text, slackConfig.command);
    if (intent.kind === "help") return ephemeral(commandUsage(slackConfig.command));
    if (intent.kind === "read") {
      await deps.defer({
        slackJob: 1,
        event: { action: intent.action, actor },
        caller,
        responseUrl: slash.response_url,
      });
      return ephemeral(`Reading ${intent.action}…`);
    }
    checkIntent(deps.config, intent, actor);
    // The manual logic's own clock: the preview must see what the change will see.
    const manual = manualContext(deps.manual);
    const preview = await previewChange(manual, intent, Math.floor(manual.clock.now() / 1000));
    const view = confirmModal(deps.config, intent, preview, {
      channel: { id: slash.channel_id, name: slash.channel_name },
      responseUrl: slash.response_url,
    });
    await deps.slack.openView(slash.trigger_id, view, secrets.botToken);
    return { statusCode: 200, headers: {}, body: "" };
  } catch (error) {
    if (!(error instanceof ValidationError)) ctx.log.error("Slack command failed", { error });
    return ephemeral(`${describeError(error)}\nNothing was changed.`);
  }
}

/** The intent's target and weights as the manual function would check them, before a modal is shown. */
function checkIntent(config: FailoverConfig, intent: ChangeIntent, actor: string): void {
  const { kind: _kind, ...fields } = intent;
  parseManualEvent({ ...fields, actor, reason: "-" }, config);
}

/** A submitted modal: its fields' errors shown in the modal, or the change handed over (Slack closes the modal). */
async function submission(ctx: Ctx, view: ViewSubmission): Promise<HttpAnswer> {
  if (view.view.callback_id !== CONFIRM_CALLBACK_ID) return { statusCode: 200, headers: {}, body: "" };
  const read = readSubmission(ctx.deps.config, view, `slack:${view.user.id}`);
  if (!read.ok) return json({ response_action: "errors", errors: read.errors });
  const { metadata, event } = read;
  const userName = view.user.username ?? view.user.name ?? "";
  const caller = callerOf(view.team.id, view.user.id, userName, metadata.channel.id, metadata.channel.name);
  await ctx.deps.defer({ slackJob: 1, event: { ...event }, caller, responseUrl: metadata.responseUrl });
  return { statusCode: 200, headers: {}, body: "" };
}

/** Runs a handed-over read or change through the manual function's entry point and answers through `response_url`. */
async function job(ctx: Ctx, raw: unknown, invocation: InvocationOrigin): Promise<{ ok: boolean }> {
  const work = parseSlackJob(raw);
  const answer = await handleManualEvent(ctx.deps.manual, work.event, { ...invocation, caller: work.caller });
  const action = String(work.event.action);
  const text = answer.ok
    ? renderResult(answer, ctx.deps.config.vantages)
    : `${answer.error.message}${answer.error.hint ? `\n${answer.error.hint}` : ""}`;
  const headline = answer.ok ? `${action} by ${work.caller}` : `${action} failed`;
  try {
    await ctx.deps.slack.respond(work.responseUrl, {
      text: clip(`${slackText(headline)}\n\`\`\`${slackText(text, { multiline: true })}\`\`\``, 3900),
    });
  } catch (error) {
    ctx.log.error("Slack response_url post failed (the result is in this log; a change is also in the alert channel)", {
      error,
    });
  }
  return { ok: answer.ok };
}

/** Who asked, as the audit entry's `caller` keeps it. */
function callerOf(team: string, userId: string, userName: string, channelId: string, channelName: string): string {
  const name = (text: string) => printable(text).slice(0, 80);
  return `Slack user ${name(userName) || "?"} (${userId}) in #${name(channelName) || "?"} (${channelId}), team ${team}`;
}
