import http from "node:http";
import type net from "node:net";

/**
 * An HTTP proxy on 127.0.0.1 in front of the AWS emulator that records what
 * each AWS request carried: operation, region, and for CloudWatch the
 * datums and metric identities sent (PutMetricData) or the queries asked
 * (GetMetricData). The cost drift test compares these with the cost model;
 * the adapters under test talk to it as their `endpoint`, unchanged.
 *
 * Understands the CloudWatch JSON 1.0 protocol (`X-Amz-Target:
 * GraniteServiceVersion20100801.PutMetricData`) the SDK speaks, and names
 * other services' operations from the URL (Route 53 REST).
 */
export interface RecordedCall {
  operation: string;
  /** Region from the SigV4 credential scope. */
  region: string;
  /** PutMetricData: datums sent. */
  datums: number;
  /** PutMetricData: `name|Dim=value,...` of each datum. */
  metrics: string[];
  /** GetMetricData: MetricDataQueries asked. */
  queries: number;
}

export interface CountingProxy {
  url: string;
  calls: RecordedCall[];
  /** Forgets the calls recorded so far. */
  clear(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const calls: RecordedCall[] = [];
  const target = new URL(upstream);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      calls.push(describe(request, body));
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on("error", () => {
        response.writeHead(502);
        response.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    clear: () => void calls.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface JsonDatum {
  MetricName?: string;
  Dimensions?: Array<{ Name?: string; Value?: string }>;
}

function describe(request: http.IncomingMessage, body: Buffer): RecordedCall {
  const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1] ?? "unknown";
  const amzTarget = String(request.headers["x-amz-target"] ?? "");
  const operation = amzTarget ? (amzTarget.split(".").pop() ?? amzTarget) : restOperation(request);
  const call: RecordedCall = { operation, region, datums: 0, metrics: [], queries: 0 };
  if (!amzTarget || body.length === 0) return call;
  const json = JSON.parse(body.toString("utf8")) as { MetricData?: JsonDatum[]; MetricDataQueries?: unknown[] };
  call.datums = json.MetricData?.length ?? 0;
  call.metrics = (json.MetricData ?? []).map(
    (d) =>
      `${d.MetricName ?? ""}|${(d.Dimensions ?? [])
        .map((dim) => `${dim.Name}=${dim.Value}`)
        .sort()
        .join(",")}`,
  );
  call.queries = json.MetricDataQueries?.length ?? 0;
  return call;
}

// Route 53 is REST: GET /2013-04-01/hostedzone/{id}/rrset is ListResourceRecordSets.
function restOperation(request: http.IncomingMessage): string {
  const path = (request.url ?? "").split("?")[0] ?? "";
  if (/\/hostedzone\/[^/]+\/rrset\/?$/.test(path))
    return request.method === "POST" ? "ChangeResourceRecordSets" : "ListResourceRecordSets";
  if (/\/change\/[^/]+$/.test(path)) return "GetChange";
  if (/\/hostedzone\/?$/.test(path)) return request.method === "POST" ? "CreateHostedZone" : "ListHostedZones";
  return `${request.method} ${path}`;
}
