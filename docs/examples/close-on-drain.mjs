// Close HTTP keep-alive connections when regional-failover drains this region.
//
// A client with a kept-alive connection does not resolve DNS again until that connection breaks, so after a
// drain it keeps sending to this region for as long as the region answers (a gray failure, a failback).
// This polls the public signal endpoint of each control region (the deploy's `signalEndpoints` output; the
// same `GET /?target=<id>` Route 53's health checkers ask) and, while any says `drain <id>`, closes idle
// connections at once and every busy one after its current response: clients reconnect, resolve again, and
// follow DNS. Plain Node 18.2+ (http.Server#closeIdleConnections), no dependencies.
//
//   import { createServer } from "node:http";
//   import { closeOnDrain } from "./close-on-drain.mjs";
//   const server = createServer(app).listen(8080);
//   closeOnDrain(server, { target: "primary", signalUrls: JSON.parse(process.env.SIGNAL_ENDPOINTS_JSON) });

/**
 * Watches the signal endpoints for `target` every `intervalMs` (default 5000) and closes `server`'s
 * keep-alive connections while one of them drains it. Returns `stop()`. A signal endpoint that does not
 * answer counts as "serve", as Route 53's inverted health checks count it: silence never drains.
 *
 * @param {import("node:http").Server} server
 * @param {{ target: string, signalUrls: string[], intervalMs?: number, onChange?: (drained: boolean) => void }} options
 */
export function closeOnDrain(server, { target, signalUrls, intervalMs = 5000, onChange }) {
  let drained = false;
  const marker = `drain ${target}`;
  const ask = async (url) => {
    try {
      const response = await fetch(`${url.replace(/\/$/, "")}/?target=${encodeURIComponent(target)}`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.ok && (await response.text()).trim() === marker;
    } catch {
      return false;
    }
  };
  const check = async () => {
    const now = (await Promise.all(signalUrls.map(ask))).some(Boolean);
    if (now !== drained) onChange?.(now);
    drained = now;
    if (drained) server.closeIdleConnections();
  };
  // While drained, every response tells its client to close the connection after it.
  const onRequest = (_request, response) => {
    if (drained) response.setHeader("connection", "close");
  };
  server.prependListener("request", onRequest);
  const timer = setInterval(check, intervalMs);
  timer.unref();
  void check();
  return () => {
    clearInterval(timer);
    server.off("request", onRequest);
  };
}
