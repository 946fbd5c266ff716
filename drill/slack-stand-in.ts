import { createServer } from "node:http";
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

/** A local HTTP server standing in for a Slack incoming webhook. */
export interface SlackStandIn {
  /** Webhook URL to give the notifier (a secret in real life; here a dummy path). */
  webhookUrl: string;
  readonly messages: readonly ReceivedSlackMessage[];
  /** Called for each message as it arrives (the timeline prints it). */
  onMessage: ((message: ReceivedSlackMessage) => void) | undefined;
  close(): Promise<void>;
}

/** Starts the Slack stand-in: records every POST to the webhook path and answers `ok` as Slack does. */
export async function startSlackStandIn(
  options: {
    /** Clock for the arrival times. @default Date.now */
    now?: () => number;
  } = {},
): Promise<SlackStandIn> {
  const now = options.now ?? Date.now;
  const webhookPath = "/services/T00000000/B00000000/drill";
  const messages: ReceivedSlackMessage[] = [];
  const standIn: SlackStandIn = { webhookUrl: "", messages, onMessage: undefined, close: async () => undefined };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== webhookPath) {
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("no_service");
        return;
      }
      const raw = Buffer.concat(chunks).toString("utf8");
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
      const message = { at: now(), body, text };
      messages.push(message);
      standIn.onMessage?.(message);
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
    });
  });
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  standIn.webhookUrl = `http://127.0.0.1:${port}${webhookPath}`;
  standIn.close = () => listener.close();
  return standIn;
}
