import { createServer } from "node:http";
import { LoopbackListener } from "./net.ts";

/** A local HTTP server standing in for one target region. */
export interface RegionServer {
  target: string;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Requests served so far (health checks and API calls). */
  readonly served: number;
  close(): Promise<void>;
}

/**
 * Starts the stand-in for one target region: `GET <healthPath>` answers 200
 * with a small JSON body (containing `healthBody`, so a configured body
 * match passes), and `GET /api/*` answers the clients with which region
 * served them. Anything else is a 404.
 */
export async function startRegionServer(options: {
  /** Target id, e.g. `primary`. */
  target: string;
  /** AWS region the target stands for (shown in answers). */
  region: string;
  /** Path of the health endpoint. @default "/health" */
  healthPath?: string;
  /** Text included in the health body (the config's `probe.bodyMatch`). @default "ok" */
  healthBody?: string;
}): Promise<RegionServer> {
  const healthPath = options.healthPath ?? "/health";
  let served = 0;
  const server = createServer((request, response) => {
    served++;
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    // Drain any request body so kept-alive connections stay usable.
    request.resume();
    if (path === healthPath)
      json(200, { status: options.healthBody ?? "ok", target: options.target, region: options.region });
    else if (path.startsWith("/api/")) json(200, { target: options.target, region: options.region, path });
    else json(404, { error: "not found", path });
  });
  server.keepAliveTimeout = 5_000;
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  return {
    target: options.target,
    url: `http://127.0.0.1:${port}`,
    get served() {
      return served;
    },
    close: () => listener.close(),
  };
}
