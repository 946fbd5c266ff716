import { slackSignature } from "../functions/lib/slack-command/signature.ts";
import type { HttpAnswer } from "../functions/lib/slack-command/handler.ts";
import type { FunctionUrlEvent } from "../functions/lib/slack-command/request.ts";
import type { SlackJob } from "../functions/lib/slack-command/job.ts";
import type { OpenedView, SlackStandIn } from "./slack-stand-in.ts";

/** Who runs the command, from where. */
export interface SlackPerson {
  teamId: string;
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
}

/**
 * A function URL event carrying `body` signed as Slack signs it at
 * `timestamp` (epoch seconds); base64-encoded like a function URL may
 * deliver it when `base64` is set.
 */
export function signedEvent(
  secret: string,
  body: string,
  timestamp: number,
  options: { base64?: boolean } = {},
): FunctionUrlEvent {
  return {
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": slackSignature(secret, String(timestamp), body),
    },
    body: options.base64 ? Buffer.from(body, "utf8").toString("base64") : body,
    isBase64Encoded: options.base64 === true,
    requestContext: { http: { method: "POST", sourceIp: "127.0.0.1" } },
  };
}

/** The form body of `/failover <text>` as Slack posts it. */
export function commandBody(person: SlackPerson, text: string, responseUrl: string, triggerId: string): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: person.teamId,
    team_domain: "drill",
    channel_id: person.channelId,
    channel_name: person.channelName,
    user_id: person.userId,
    user_name: person.userName,
    command: "/failover",
    text,
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
}

/** The form body of a submitted modal: `values` by block id (reason, ttl, confirm). */
export function submissionBody(person: SlackPerson, opened: OpenedView, values: Record<string, string>): string {
  const state = Object.fromEntries(
    Object.entries(values).map(([blockId, value]) => [blockId, { value: { type: "plain_text_input", value } }]),
  );
  const payload = {
    type: "view_submission",
    team: { id: person.teamId, domain: "drill" },
    user: { id: person.userId, username: person.userName, name: person.userName, team_id: person.teamId },
    view: {
      id: opened.id,
      callback_id: opened.view.callback_id,
      private_metadata: opened.view.private_metadata,
      state: { values: state },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The Slack command's two entry points, as its Lambda handler calls them. */
export interface SlackCommandEntry {
  http: (event: FunctionUrlEvent) => Promise<HttpAnswer>;
  job: (raw: unknown) => Promise<{ ok: boolean }>;
}

/**
 * Work handed over after the answer, run in this process where Lambda would
 * run the asynchronous self-invocation: after the answer was returned.
 */
export function inProcessDefer(run: (job: SlackJob) => Promise<unknown>) {
  const pending = new Set<Promise<unknown>>();
  return {
    defer: async (job: SlackJob): Promise<void> => {
      const started = new Promise((resolve) => setImmediate(resolve)).then(() => run(job));
      pending.add(started);
      void started.finally(() => pending.delete(started)).catch(() => undefined);
    },
    /** Waits for every job handed over so far. */
    settle: async (): Promise<void> => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** What one command through Slack did. */
export interface SlackStep {
  /** The answer to the slash command (within Slack's 3 s). */
  commandAnswer: HttpAnswer;
  /** The modal it opened, if any. */
  view?: OpenedView;
  /** The answer to the modal's submission, if submitted. */
  submitAnswer?: HttpAnswer;
}

/**
 * On-call in Slack: runs `/failover <text>` as a signed request; when a
 * modal opens, fills it (`values`: reason, ttl, and the target's id where
 * asked) and submits it, signed again, then waits for the work handed over.
 */
export async function runSlackCommand(
  entry: SlackCommandEntry,
  settle: () => Promise<void>,
  slack: SlackStandIn,
  signing: { secret: string; nowSeconds: () => number },
  person: SlackPerson,
  text: string,
  values: (view: OpenedView) => Record<string, string> = () => ({}),
): Promise<SlackStep> {
  const opened = slack.views.length;
  const trigger = `trigger-${Date.now()}-${opened}`;
  const body = commandBody(person, text, slack.responseUrl(), trigger);
  const commandAnswer = await entry.http(signedEvent(signing.secret, body, signing.nowSeconds()));
  const view = slack.views.slice(opened).find((candidate) => candidate.triggerId === trigger);
  if (view === undefined) {
    await settle();
    return { commandAnswer };
  }
  const submit = submissionBody(person, view, values(view));
  const submitAnswer = await entry.http(signedEvent(signing.secret, submit, signing.nowSeconds(), { base64: true }));
  await settle();
  return { commandAnswer, view, submitAnswer };
}
