import type http from "node:http";
import type { SlackMessage } from "../../functions/lib/slack/blocks.ts";
import { startServer, type LocalServer } from "./local-servers.ts";

/** One post the Slack stand-in received: the webhook path (holding the secret token) and the JSON message. */
export interface SlackPost {
  path: string;
  body: SlackMessage;
}

/** How the Slack stand-in answers one post. */
export interface SlackAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (a hanging endpoint); the connection is closed when the server stops. */
  hang?: boolean;
}

export interface SlackServerOptions {
  /** Called with every post, in the order received. */
  onPost: (post: SlackPost) => void;
  /** The answer to the next post. @default 200 "ok" every time */
  answer?: () => SlackAnswer | undefined;
}

/** A local stand-in for Slack's incoming webhook (tests): hands each post to `onPost`, answers it from `answer`. */
export function startSlackServer(options: SlackServerOptions): Promise<LocalServer> {
  return startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      options.onPost({ path: req.url ?? "", body: JSON.parse(body) as SlackMessage });
      const answer = options.answer?.() ?? { status: 200, body: "ok" };
      if (answer.hang) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
}
