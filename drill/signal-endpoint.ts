import { createServer } from "node:http";
import type { SignalAnswer, SignalRequest } from "../functions/signal.ts";
import { LoopbackListener } from "./net.ts";

/** The signal endpoint of one control region, served locally. */
export interface SignalEndpoint {
  region: string;
  /** Base URL, e.g. `http://127.0.0.1:41234` (what its health checks ask). */
  url: string;
  /** Requests answered so far. */
  readonly served: number;
  close(): Promise<void>;
}

/**
 * Serves a control region's signal function (functions/signal.ts, the real
 * handler) on 127.0.0.1 as its function URL would: the query string becomes
 * `queryStringParameters`, the handler's answer goes back as it is.
 */
export async function startSignalEndpoint(
  region: string,
  handler: (event: SignalRequest) => Promise<SignalAnswer>,
): Promise<SignalEndpoint> {
  let served = 0;
  const server = createServer((request, response) => {
    request.resume();
    const query = new URL(request.url ?? "/", "http://localhost").searchParams;
    handler({ queryStringParameters: Object.fromEntries(query) })
      .then((answer) => {
        served++;
        response.writeHead(answer.statusCode, answer.headers);
        response.end(answer.body);
      })
      .catch(() => {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end("signal handler failed\n");
      });
  });
  server.keepAliveTimeout = 5_000;
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  return {
    region,
    url: `http://127.0.0.1:${port}`,
    get served() {
      return served;
    },
    close: () => listener.close(),
  };
}
