import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small HTTP proxy in front of the emulator that injects the faults an AWS
 * API shows during an outage. Faults are queued and consumed one per matching
 * request; requests with no queued fault pass through untouched.
 */
export type Fault =
  /** Answer 400 `Throttling` in the request's protocol (XML for Route 53, JSON for CloudWatch); nothing is forwarded. */
  | { kind: "throttle" }
  /** Answer this HTTP status (e.g. 503) with an error body; nothing is forwarded. */
  | { kind: "status"; status: number }
  /** Forward the request (it IS applied), hold the answer `delayMs`: a client timeout leaves the outcome unknown. */
  | { kind: "slow"; delayMs: number }
  /** Close the connection without forwarding or answering. */
  | { kind: "drop" }
  /** Forward the request (it IS applied), then close the connection without answering. */
  | { kind: "drop-after-forward" }
  /** Answer HTTP `status` (default 200) with a body that is not valid XML/JSON; nothing is forwarded. */
  | { kind: "garbage"; status?: number };

/** One AWS API call as the proxy sees it: service and region from its SigV4 credential scope. */
export interface AwsCall {
  method: string;
  path: string;
  /** SigV4 service name (`route53`, `monitoring`, `ssm`, `sns`...); undefined for an unsigned request. */
  service: string | undefined;
  /** SigV4 region (Route 53 signs with `us-east-1`); undefined for an unsigned request. */
  region: string | undefined;
  /** Operation of a JSON-protocol call (SSM, CloudWatch's JSON form): the `X-Amz-Target` header after its dot, e.g. `PutParameter`. */
  operation?: string | undefined;
}

/** Decides the fault of a request no queued fault matched: standing faults, e.g. a service down for a while. */
export type FaultRule = (call: AwsCall) => Fault | undefined;

export interface FaultProxy {
  url: string;
  /** Requests seen, faulted or not. */
  requests: number;
  /** Faults served so far. */
  served: number;
  /** Queues faults for the next matching requests (`match` tests "METHOD path"; default every request). */
  inject(faults: Fault[], match?: RegExp): void;
  /** Drops every queued fault. */
  clear(): void;
  /** Sets (or, with undefined, removes) the rule asked about every request no queued fault matches. */
  setRule(rule: FaultRule | undefined): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let queue: Array<{ fault: Fault; match: RegExp | undefined }> = [];
  let rule: FaultRule | undefined;
  const held = new Set<NodeJS.Timeout>();
  const state = { requests: 0, served: 0 };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.requests += 1;
      const line = `${req.method} ${req.url}`;
      const index = queue.findIndex((entry) => entry.match === undefined || entry.match.test(line));
      const fault =
        index >= 0
          ? queue.splice(index, 1)[0]?.fault
          : rule?.({
              method: req.method ?? "GET",
              path: req.url ?? "/",
              ...signedScope(req),
              operation: String(req.headers["x-amz-target"] ?? "").split(".")[1],
            });
      if (fault) state.served += 1;
      serve(fault, { req, res, body: Buffer.concat(chunks), target, held });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get served() {
      return state.served;
    },
    inject(faults, match) {
      queue.push(...faults.map((fault) => ({ fault, match })));
    },
    clear() {
      queue = [];
    },
    setRule(next) {
      rule = next;
    },
    async close() {
      for (const timer of held) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Service and region of a SigV4-signed request (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
export function signedScope(req: Pick<IncomingMessage, "headers">): Pick<AwsCall, "service" | "region"> {
  const scope = /Credential=[^/,]+\/\d{8}\/([^/,]+)\/([^/,]+)\/aws4_request/.exec(
    String(req.headers.authorization ?? ""),
  );
  return { region: scope?.[1], service: scope?.[2] };
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
}

/** One request as the proxy holds it: read in full, with where to forward it and the timers of held answers. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  target: URL;
  held: Set<NodeJS.Timeout>;
}

/** Serves one request: forwarded untouched without a fault, else as the fault says. */
function serve(fault: Fault | undefined, exchange: Exchange) {
  const { req, res, held } = exchange;
  const json = String(req.headers["content-type"] ?? "").includes("json");
  switch (fault?.kind) {
    case undefined:
      return forward(
        exchange,
        (status, headers, answer) => reply(res, status, headers, answer),
        () => res.destroy(),
      );
    case "throttle":
      return json
        ? reply(
            res,
            400,
            { "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": "Throttling;Sender" },
            Buffer.from(JSON.stringify({ __type: "Throttling", message: "Rate exceeded" })),
          )
        : reply(res, 400, { "content-type": "text/xml" }, Buffer.from(errorXml("Throttling", "Rate exceeded")));
    case "status":
      return json
        ? reply(
            res,
            fault.status,
            { "content-type": "application/x-amz-json-1.0" },
            Buffer.from(JSON.stringify({ __type: "ServiceUnavailable", message: "Service unavailable" })),
          )
        : reply(
            res,
            fault.status,
            { "content-type": "text/xml" },
            Buffer.from(errorXml("ServiceUnavailable", "Service unavailable")),
          );
    case "garbage":
      return reply(
        res,
        fault.status ?? 200,
        { "content-type": json ? "application/x-amz-json-1.0" : "text/xml" },
        Buffer.from("<html><body>502 upstream <b>proxy error</html> {not json"),
      );
    case "drop":
      req.socket.destroy();
      return;
    case "drop-after-forward":
      return forward(
        exchange,
        () => req.socket.destroy(),
        () => req.socket.destroy(),
      );
    case "slow":
      return forward(
        exchange,
        (status, headers, answer) => {
          const timer = setTimeout(() => {
            held.delete(timer);
            reply(res, status, headers, answer);
          }, fault.delayMs);
          held.add(timer);
        },
        () => res.destroy(),
      );
  }
}

/** Sends the request on to the emulator and hands its whole answer (hop-by-hop headers removed) to `onAnswer`. */
function forward(
  { req, body, target }: Exchange,
  onAnswer: (status: number, headers: Record<string, string>, body: Buffer) => void,
  onError: () => void,
): void {
  const upstream = httpRequest(
    {
      hostname: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      const parts: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => parts.push(chunk));
      answer.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !["connection", "transfer-encoding", "content-length"].includes(key))
            headers[key] = Array.isArray(value) ? value.join(", ") : value;
        }
        onAnswer(answer.statusCode ?? 502, headers, Buffer.concat(parts));
      });
    },
  );
  upstream.on("error", onError);
  upstream.end(body);
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, "content-length": String(body.length) });
  res.end(body);
}
