import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbeErrorKind } from "../types.ts";
import type { ProbeRequest, ProbeResult, Prober } from "./types.ts";

export interface HttpProberOptions {
  /**
   * Certificate authorities trusted instead of Node's bundled roots (tests
   * trust their local CA this way). Certificates are always verified unless
   * a request sets `verifyCertificate: false`.
   * @default Node's bundled root certificates
   */
  ca?: string[];
  /** Redirects to the same scheme, host and port followed before the check fails with `redirect`. @default 3 */
  maxRedirects?: number;
  /** Host name lookup, as for `net.connect`; tests inject one that fails without a query leaving the machine. @default dns.lookup */
  lookup?: LookupFunction;
  /**
   * How long an idle keep-alive socket is kept. Short on purpose: sockets
   * serve redirects within a check but never outlive a round, so every round
   * exercises a fresh connect and never trips on a socket the server closed.
   * @default 2000
   */
  keepAliveMs?: number;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const resetCodes = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);
const tlsCode = /^(ERR_SSL_|ERR_TLS_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_/;

type Phase = "resolving" | "connecting" | "TLS handshake" | "waiting for status" | "reading body";

/**
 * Creates the HTTP(S) prober: GET `url` over node:http/node:https with one
 * overall deadline, classify what happened, never throw.
 *
 * Latency is the time to the status line, or to the match when the body is
 * read. Without `bodyMatch` the response is destroyed as soon as its status
 * arrives; with it, the body is read only until the match or
 * `bodyMatchBytes`. Certificates are verified (name, expiry, chain) unless
 * the request says otherwise: an expired or wrong-name certificate fails
 * every client, so it fails the check with `tls`. A redirect that changes
 * scheme, host or port is not followed (`redirect`): clients of the record
 * never take it; others are followed up to `maxRedirects`.
 */
export function createHttpProber(options: HttpProberOptions = {}): Prober {
  const agentOptions = { keepAlive: true, timeout: options.keepAliveMs ?? 2000, scheduling: "lifo" as const };
  const agents = {
    http: new http.Agent(agentOptions),
    https: new https.Agent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) }),
  };
  const settings = { agents, maxRedirects: options.maxRedirects ?? 3, lookup: options.lookup };
  return async (request) => {
    try {
      return await probeOnce(request, settings);
    } catch (error) {
      // Unreachable by design; the contract is "never throws", so keep it even for our own bugs.
      return { ok: false, latencyMs: 0, errorKind: "other", detail: `prober failed: ${(error as Error).message}` };
    }
  };
}

/** The shared default prober (one pair of agents per Lambda container). */
export const probeHttp: Prober = createHttpProber();

interface Settings {
  agents: { http: http.Agent; https: https.Agent };
  maxRedirects: number;
  lookup: LookupFunction | undefined;
}

function probeOnce(request: ProbeRequest, settings: Settings): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let first: URL;
  try {
    first = new URL(request.url);
  } catch {
    return Promise.resolve({ ok: false, latencyMs: 0, errorKind: "other", detail: "invalid URL" });
  }

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let phase: Phase = "resolving";
    // Requests whose response is not complete: destroyed when the check ends.
    const live = new Set<http.ClientRequest>();

    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      for (const req of live) req.destroy();
      resolve(result);
    };
    const fail = (errorKind: ProbeErrorKind, detail: string, status?: number) =>
      finish(
        status === undefined
          ? { ok: false, latencyMs: elapsed(), errorKind, detail }
          : { ok: false, status, latencyMs: elapsed(), errorKind, detail },
      );
    const pass = (status: number) => {
      const latencyMs = elapsed();
      if (request.maxLatencyMs !== undefined && latencyMs > request.maxLatencyMs) {
        finish({
          ok: false,
          status,
          latencyMs,
          errorKind: "latency",
          detail: `answered in ${latencyMs} ms, over the ${request.maxLatencyMs} ms limit`,
        });
      } else finish({ ok: true, status, latencyMs });
    };

    const deadline = setTimeout(
      () => fail("timeout", `no answer within ${request.timeoutMs} ms (${phase})`),
      request.timeoutMs,
    );

    const send = (url: URL, redirectsLeft: number, retryOnStaleSocket: boolean) => {
      const secure = url.protocol === "https:";
      if (!secure && url.protocol !== "http:") return fail("other", `unsupported protocol ${url.protocol}`);
      let req: http.ClientRequest;
      try {
        req = (secure ? https : http).request(url, {
          method: "GET",
          agent: secure ? settings.agents.https : settings.agents.http,
          // The agent pools verifying and non-verifying connections apart (the option is part of its socket key).
          ...(secure ? { rejectUnauthorized: request.verifyCertificate !== false } : {}),
          headers: { "user-agent": "regional-failover-probe", accept: "*/*", ...request.headers },
          ...(settings.lookup ? { lookup: settings.lookup } : {}),
        });
      } catch (error) {
        // Invalid header names/values throw synchronously; never echo header values (they may hold tokens).
        return fail("other", `request not sent: ${(error as NodeJS.ErrnoException).code ?? "invalid request"}`);
      }
      live.add(req);
      phase = isIP(url.hostname.replace(/^\[|\]$/g, "")) ? "connecting" : "resolving";
      req.on("socket", (socket) => {
        if (req.reusedSocket || !socket.connecting) {
          phase = "waiting for status";
          return;
        }
        socket.once("lookup", () => (phase = "connecting"));
        socket.once("connect", () => (phase = secure ? "TLS handshake" : "waiting for status"));
        socket.once("secureConnect", () => (phase = "waiting for status"));
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        live.delete(req);
        if (settled) return;
        // A kept-alive socket the server closed just as we reused it: the documented race; retry once on a fresh one.
        if (retryOnStaleSocket && req.reusedSocket && error.code === "ECONNRESET")
          return send(url, redirectsLeft, false);
        const [kind, detail] = classify(error, phase);
        fail(kind, detail);
      });
      req.on("response", (res) => onResponse(req, res, url, redirectsLeft));
      req.end();
    };

    const onResponse = (req: http.ClientRequest, res: http.IncomingMessage, url: URL, redirectsLeft: number) => {
      const status = res.statusCode ?? 0;
      res.on("error", (error: NodeJS.ErrnoException) => {
        if (!settled) fail(classify(error, phase)[0], `body: ${short(error)}`, status);
      });
      res.once("end", () => live.delete(req));
      if (settled) return void res.destroy();
      const expected = request.expectedStatuses.includes(status);
      if (!expected && redirectStatuses.has(status)) {
        const next = resolveLocation(res.headers.location, url);
        if (next === undefined) return fail("redirect", `${status} redirect without a usable Location`, status);
        if (next.hostname.toLowerCase() !== url.hostname.toLowerCase())
          return fail("redirect", `${status} redirect to another host (${next.host}), not followed`, status);
        if (next.protocol !== url.protocol || next.port !== url.port)
          return fail(
            "redirect",
            `${status} redirect to another ${next.protocol !== url.protocol ? "scheme" : "port"} (${next.origin}), not followed`,
            status,
          );
        if (redirectsLeft <= 0) return fail("redirect", `more than ${settings.maxRedirects} redirects`, status);
        res.resume(); // drain the (small) redirect body so its socket can serve the next request
        return send(next, redirectsLeft - 1, true);
      }
      if (!expected)
        return fail("status", `status ${status}, expected ${request.expectedStatuses.join(" or ")}`, status);
      if (request.bodyMatch === undefined) {
        res.destroy(); // the body is not needed: do not download it
        live.delete(req);
        return pass(status);
      }
      phase = "reading body";
      readUntilMatch(res, Buffer.from(request.bodyMatch, "utf8"), request.bodyMatchBytes, {
        matched: () => pass(status),
        missed: (bytes, complete) =>
          fail(
            "body",
            complete ? `match not in the body (${bytes} bytes)` : `match not in the first ${bytes} bytes`,
            status,
          ),
      });
    };

    send(first, settings.maxRedirects, true);
  });
}

/** Reads `res` until `needle` is found or `cap` bytes are seen, then stops the transfer. */
function readUntilMatch(
  res: http.IncomingMessage,
  needle: Buffer,
  cap: number,
  on: { matched: () => void; missed: (bytes: number, complete: boolean) => void },
): void {
  let received = 0;
  // Carry the last needle.length-1 bytes so a match split across chunks is found.
  let tail = Buffer.alloc(0);
  res.on("data", (chunk: Buffer) => {
    const piece = chunk.subarray(0, cap - received);
    const window = tail.length === 0 ? piece : Buffer.concat([tail, piece]);
    received += piece.length;
    if (window.indexOf(needle) !== -1) {
      res.destroy();
      on.matched();
    } else if (received >= cap) {
      res.destroy();
      on.missed(received, false);
    } else tail = Buffer.from(window.subarray(Math.max(0, window.length - needle.length + 1)));
  });
  res.once("end", () => on.missed(received, true));
}

function resolveLocation(location: string | undefined, base: URL): URL | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** Maps a socket/TLS/DNS error to an error kind and a short detail. */
function classify(error: NodeJS.ErrnoException, phase: Phase): [ProbeErrorKind, string] {
  const code = error.code ?? "";
  const detail = short(error);
  if (code === "ECONNREFUSED") return ["refused", detail];
  if (dnsCodes.has(code)) return ["dns", detail];
  // Anything that breaks the handshake (including a reset mid-handshake) is a TLS problem, as Route 53 reports it.
  if (phase === "TLS handshake" || tlsCode.test(code)) return ["tls", detail];
  if (resetCodes.has(code)) return ["reset", `${detail} (${phase})`];
  if (code === "ETIMEDOUT") return ["timeout", detail];
  return ["other", detail];
}

function short(error: NodeJS.ErrnoException): string {
  const text = error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
