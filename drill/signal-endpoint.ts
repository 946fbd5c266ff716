import { createServer, type RequestListener } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createSecureContext } from "node:tls";
import type { SignalAnswer, SignalRequest } from "../functions/signal.ts";
import { LoopbackListener } from "./net.ts";

/** The signal endpoint of one control region, served locally. */
export interface SignalEndpoint {
  region: string;
  /** Base URL, e.g. `http://127.0.0.1:41234`, or `https://localhost:41234` with TLS (what its health checks ask). */
  url: string;
  /** Requests answered so far. */
  readonly served: number;
  close(): Promise<void>;
}

/**
 * Serves a control region's signal function (functions/signal.ts, the real
 * handler) on 127.0.0.1 as its function URL would: the query string becomes
 * `queryStringParameters`, the handler's answer goes back as it is. With
 * `tls`, HTTPS at `localhost` that, like a function URL, completes a TLS
 * handshake only when the client names the host (SNI). While `isDown()`
 * (its control region lost), it answers nothing: each request's connection
 * is closed unanswered, as a checker sees a region that is gone.
 */
export async function startSignalEndpoint(
  region: string,
  handler: (event: SignalRequest) => Promise<SignalAnswer>,
  tls?: { key: string; cert: string },
  isDown: () => boolean = () => false,
): Promise<SignalEndpoint> {
  let served = 0;
  const listener: RequestListener = (request, response) => {
    if (isDown()) {
      request.socket.destroy();
      return;
    }
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
  };
  // No default certificate: a client that sends no server name gets a handshake failure.
  const context = tls ? createSecureContext(tls) : undefined;
  const server = context
    ? createTlsServer({ SNICallback: (_name, done) => done(null, context) }, listener)
    : createServer(listener);
  server.keepAliveTimeout = 5_000;
  const loopback = new LoopbackListener(server);
  const port = await loopback.listen();
  return {
    region,
    url: tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    get served() {
      return served;
    },
    close: () => loopback.close(),
  };
}
