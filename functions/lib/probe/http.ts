import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction, type Socket } from "node:net";
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
  let first: URL;
  try {
    first = new URL(request.url);
  } catch {
    return Promise.resolve({ ok: false, latencyMs: 0, errorKind: "other", detail: "invalid URL" });
  }
  return new Promise<ProbeResult>((resolve) => new ProbeCheck(request, settings, started, resolve).send(first));
}

/**
 * One check in flight: its requests (the first and any redirects), the
 * phase it is in (for timeout and reset details), one overall deadline, and
 * a single result however many events race to give one.
 */
class ProbeCheck {
  private settled = false;
  private phase: Phase = "resolving";
  /** Requests whose response is not complete: destroyed when the check ends. */
  private readonly live = new Set<http.ClientRequest>();
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly request: ProbeRequest,
    private readonly settings: Settings,
    private readonly started: number,
    private readonly resolve: (result: ProbeResult) => void,
  ) {
    this.deadline = setTimeout(
      () => this.fail("timeout", `no answer within ${request.timeoutMs} ms (${this.phase})`),
      request.timeoutMs,
    );
  }

  /** GETs `url`; a kept-alive socket that the server closed as it was reused is retried once on a fresh one. */
  send(url: URL, redirectsLeft = this.settings.maxRedirects, retryOnStaleSocket = true) {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") return this.fail("other", `unsupported protocol ${url.protocol}`);
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(url, {
        method: "GET",
        agent: secure ? this.settings.agents.https : this.settings.agents.http,
        // The agent pools verifying and non-verifying connections apart (the option is part of its socket key).
        ...(secure ? { rejectUnauthorized: this.request.verifyCertificate !== false } : {}),
        headers: { "user-agent": "regional-failover-probe", accept: "*/*", ...this.request.headers },
        ...(this.settings.lookup ? { lookup: this.settings.lookup } : {}),
      });
    } catch (error) {
      // Invalid header names/values throw synchronously; never echo header values (they may hold tokens).
      return this.fail("other", `request not sent: ${(error as NodeJS.ErrnoException).code ?? "invalid request"}`);
    }
    this.live.add(req);
    this.phase = isIP(url.hostname.replace(/^\[|\]$/g, "")) ? "connecting" : "resolving";
    req.on("socket", (socket) => this.followPhases(req, socket, secure));
    req.on("error", (error: NodeJS.ErrnoException) => {
      this.live.delete(req);
      if (this.settled) return;
      // A kept-alive socket the server closed just as we reused it: the documented race; retry once on a fresh one.
      if (retryOnStaleSocket && req.reusedSocket && error.code === "ECONNRESET")
        return this.send(url, redirectsLeft, false);
      const [kind, detail] = classify(error, this.phase);
      this.fail(kind, detail);
    });
    req.on("response", (res) => this.onResponse(req, res, url, redirectsLeft));
    req.end();
  }

  private followPhases(req: http.ClientRequest, socket: Socket, secure: boolean): void {
    if (req.reusedSocket || !socket.connecting) {
      this.phase = "waiting for status";
      return;
    }
    socket.once("lookup", () => {
      this.phase = "connecting";
    });
    socket.once("connect", () => {
      this.phase = secure ? "TLS handshake" : "waiting for status";
    });
    socket.once("secureConnect", () => {
      this.phase = "waiting for status";
    });
  }

  private onResponse(req: http.ClientRequest, res: http.IncomingMessage, url: URL, redirectsLeft: number) {
    const status = res.statusCode ?? 0;
    res.on("error", (error: NodeJS.ErrnoException) => {
      if (!this.settled) this.fail(classify(error, this.phase)[0], `body: ${short(error)}`, status);
    });
    res.once("end", () => this.live.delete(req));
    if (this.settled) return void res.destroy();
    const expected = this.request.expectedStatuses.includes(status);
    if (!expected && redirectStatuses.has(status)) {
      const redirect = redirectTarget(status, res.headers.location, url, redirectsLeft, this.settings.maxRedirects);
      if ("problem" in redirect) return this.fail("redirect", redirect.problem, status);
      res.resume(); // drain the (small) redirect body so its socket can serve the next request
      return this.send(redirect.next, redirectsLeft - 1, true);
    }
    if (!expected)
      return this.fail("status", `status ${status}, expected ${this.request.expectedStatuses.join(" or ")}`, status);
    if (this.request.bodyMatch === undefined) {
      res.destroy(); // the body is not needed: do not download it
      this.live.delete(req);
      return this.pass(status);
    }
    this.phase = "reading body";
    readUntilMatch(res, Buffer.from(this.request.bodyMatch, "utf8"), this.request.bodyMatchBytes, {
      matched: () => this.pass(status),
      missed: (bytes, complete) =>
        this.fail(
          "body",
          complete ? `match not in the body (${bytes} bytes)` : `match not in the first ${bytes} bytes`,
          status,
        ),
    });
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  private finish(result: ProbeResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    for (const req of this.live) req.destroy();
    this.resolve(result);
  }

  private fail(errorKind: ProbeErrorKind, detail: string, status?: number): void {
    this.finish(
      status === undefined
        ? { ok: false, latencyMs: this.elapsed(), errorKind, detail }
        : { ok: false, status, latencyMs: this.elapsed(), errorKind, detail },
    );
  }

  private pass(status: number): void {
    const latencyMs = this.elapsed();
    const { maxLatencyMs } = this.request;
    if (maxLatencyMs !== undefined && latencyMs > maxLatencyMs) {
      this.finish({
        ok: false,
        status,
        latencyMs,
        errorKind: "latency",
        detail: `answered in ${latencyMs} ms, over the ${maxLatencyMs} ms limit`,
      });
    } else this.finish({ ok: true, status, latencyMs });
  }
}

/** Where a redirect leads, or why it is not followed: clients of the record never leave its scheme, host and port. */
function redirectTarget(
  status: number,
  location: string | undefined,
  url: URL,
  redirectsLeft: number,
  maxRedirects: number,
): { next: URL } | { problem: string } {
  const next = resolveLocation(location, url);
  if (next === undefined) return { problem: `${status} redirect without a usable Location` };
  if (next.hostname.toLowerCase() !== url.hostname.toLowerCase())
    return { problem: `${status} redirect to another host (${next.host}), not followed` };
  if (next.protocol !== url.protocol || next.port !== url.port)
    return {
      problem: `${status} redirect to another ${next.protocol !== url.protocol ? "scheme" : "port"} (${next.origin}), not followed`,
    };
  if (redirectsLeft <= 0) return { problem: `more than ${maxRedirects} redirects` };
  return { next };
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
