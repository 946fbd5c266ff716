import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { LoopbackListener } from "./net.ts";

/** One message the Slack stand-in received. */
export interface ReceivedSlackMessage {
  /** When it arrived, from the `now` given to the stand-in (the drill's virtual epoch ms). */
  at: number;
  /** The posted JSON (Block Kit), or the raw text if it was not JSON. */
  body: unknown;
  /** The top-level `text` of the message (Slack's notification fallback), if any. */
  text: string;
}

/** A modal the Slack command opened (`views.open`). */
export interface OpenedView {
  at: number;
  /** The id Slack gave the view (what a submission carries). */
  id: string;
  triggerId: string;
  /** The view as sent (Block Kit modal). */
  view: Record<string, unknown>;
}

/** A local HTTP server standing in for Slack: the incoming webhook, the Web API's `views.open`, and commands' response URLs. */
export interface SlackStandIn {
  /** Webhook URL to give the notifier (a secret in real life; here a dummy path). */
  webhookUrl: string;
  /** Web API base URL (config `slack.apiUrl`). */
  apiUrl: string;
  /** Messages posted to the webhook: the alert channel. */
  readonly messages: readonly ReceivedSlackMessage[];
  /** Modals opened with the right bot token. */
  readonly views: readonly OpenedView[];
  /** Messages posted to a response URL (back to the person who ran a command), with the URL's path. */
  readonly responses: ReadonlyArray<ReceivedSlackMessage & { path: string }>;
  /** A fresh response URL, as Slack sends with each slash command. */
  responseUrl(): string;
  /** Called for each webhook message as it arrives (the timeline prints it). */
  onMessage: ((message: ReceivedSlackMessage) => void) | undefined;
  close(): Promise<void>;
}

const webhookPath = "/services/T00000000/B00000000/drill";

/**
 * Starts the Slack stand-in: records every POST to the webhook path and answers `ok` as Slack does; answers
 * `views.open` as Slack does (a view id, or `invalid_auth` without the bot token), and records posts to response URLs.
 */
export async function startSlackStandIn(
  options: {
    /** Clock for the arrival times. @default Date.now */
    now?: () => number;
    /** The bot token `views.open` accepts. @default "xoxb-drill" */
    botToken?: string;
  } = {},
): Promise<SlackStandIn> {
  const now = options.now ?? Date.now;
  const botToken = options.botToken ?? "xoxb-drill";
  const messages: ReceivedSlackMessage[] = [];
  const views: OpenedView[] = [];
  const responses: Array<ReceivedSlackMessage & { path: string }> = [];
  let responseUrls = 0;
  const standIn: SlackStandIn = {
    webhookUrl: "",
    apiUrl: "",
    messages,
    views,
    responses,
    responseUrl: () => `${standIn.apiUrl.replace(/\/api$/, "")}/commands/T00000000/${++responseUrls}/drill`,
    onMessage: undefined,
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const message = received(now(), Buffer.concat(chunks).toString("utf8"));
      if (request.method === "POST" && request.url === webhookPath) {
        messages.push(message);
        standIn.onMessage?.(message);
        return answer(response, 200, "text/plain", "ok");
      }
      if (request.method === "POST" && request.url === "/api/views.open")
        return openView(request, response, message, botToken, views);
      if (request.method === "POST" && request.url?.startsWith("/commands/")) {
        responses.push({ ...message, path: request.url });
        return answer(response, 200, "text/plain", "ok");
      }
      answer(response, 404, "text/plain", "no_service");
    });
  });
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  standIn.webhookUrl = `http://127.0.0.1:${port}${webhookPath}`;
  standIn.apiUrl = `http://127.0.0.1:${port}/api`;
  standIn.close = () => listener.close();
  return standIn;
}

function received(at: number, raw: string): ReceivedSlackMessage {
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Slack would answer invalid_payload; the drill keeps the text to show what was sent.
  }
  const text =
    typeof body === "object" && body !== null && typeof (body as { text?: unknown }).text === "string"
      ? (body as { text: string }).text
      : String(raw);
  return { at, body, text };
}

/** `views.open` as Slack answers it: 200 with `ok` and the view's id, or `ok: false` and the error. */
function openView(
  request: IncomingMessage,
  response: ServerResponse,
  message: ReceivedSlackMessage,
  botToken: string,
  views: OpenedView[],
): void {
  const body = message.body as { trigger_id?: unknown; view?: unknown };
  const refused =
    request.headers.authorization !== `Bearer ${botToken}`
      ? "invalid_auth"
      : typeof body?.trigger_id !== "string" || typeof body.view !== "object" || body.view === null
        ? "invalid_arguments"
        : undefined;
  if (refused !== undefined) {
    answer(response, 200, "application/json", JSON.stringify({ ok: false, error: refused }));
    return;
  }
  const id = `V${String(views.length + 1).padStart(8, "0")}`;
  views.push({ at: message.at, id, triggerId: String(body.trigger_id), view: body.view as Record<string, unknown> });
  answer(response, 200, "application/json", JSON.stringify({ ok: true, view: { id } }));
}

function answer(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type });
  response.end(body);
}
