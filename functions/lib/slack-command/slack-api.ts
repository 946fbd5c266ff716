import { FailoverError } from "../errors.ts";

/** What the command function asks of Slack: two HTTPS calls, no SDK. */
export interface SlackApi {
  /** `views.open`: shows the modal to the user whose `trigger_id` it is (valid for 3 s). */
  openView(triggerId: string, view: Record<string, unknown>, botToken: string): Promise<void>;
  /** Posts a message back to the user through a command's `response_url` (ephemeral unless said otherwise). */
  respond(responseUrl: string, message: { text: string; response_type?: "ephemeral" | "in_channel" }): Promise<void>;
}

export interface SlackApiOptions {
  /** Web API base URL (config `slack.apiUrl`). */
  apiUrl: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per-call timeout; `views.open` must land within the trigger's 3 s. @default 2500 */
  timeoutMs?: number;
}

/**
 * Slack over fetch. Redirects are not followed (neither endpoint redirects;
 * following one would send the token elsewhere); the bot token is never in
 * an error or a log line.
 */
export function slackApi(options: SlackApiOptions): SlackApi {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 2500;
  const post = async (url: string, body: unknown, what: string, token?: string) => {
    let response: Response;
    try {
      response = await send(url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : "network failure";
      throw new FailoverError("SLACK_UNAVAILABLE", `Slack ${what}: ${name}`);
    }
    const text = (await response.text().catch(() => "")).slice(0, 500);
    if (!response.ok) throw new FailoverError("SLACK_REJECTED", `Slack ${what} answered ${response.status}`);
    return text;
  };
  return {
    openView: async (triggerId, view, botToken) => {
      const text = await post(`${options.apiUrl}/views.open`, { trigger_id: triggerId, view }, "views.open", botToken);
      let answer: { ok?: unknown; error?: unknown };
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        throw new FailoverError("SLACK_REJECTED", "Slack views.open answered something that is not JSON");
      }
      if (answer.ok !== true)
        throw new FailoverError(
          "SLACK_REJECTED",
          `Slack views.open refused the modal: ${String(answer.error ?? "no error given")}`,
          {
            hint: 'expired_trigger_id: the modal took longer than Slack\'s 3 s; run the command again. invalid_auth / not_authed: set the bot token parameter (README, "Acting from Slack").',
          },
        );
    },
    respond: async (responseUrl, message) => {
      await post(responseUrl, { response_type: "ephemeral", ...message }, "response_url");
    },
  };
}
