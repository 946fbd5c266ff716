import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript example for users (docs/examples/), typed by its JSDoc
import { closeOnDrain } from "../../docs/examples/close-on-drain.mjs";
import { startServer, type LocalServer } from "../support/local-servers.ts";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** GET through `agent`; resolves with the socket it used and whether the server said to close it. */
function get(url: string, agent: Agent): Promise<{ socket: Socket; close: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (response) => {
      response.resume();
      response.on("end", () =>
        resolve({ socket: req.socket as Socket, close: response.headers.connection === "close" }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("docs/examples/close-on-drain.mjs", () => {
  it("closes kept-alive connections once a signal endpoint says drain, and not before", async () => {
    let answer = "serve primary";
    const signal: LocalServer = await startServer((_request, response) => response.end(`${answer}\n`));
    cleanups.push(() => signal.close());
    const app: Server = createServer((_request, response) => response.end("ok"));
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => app.close(resolve)));
    const changes: boolean[] = [];
    const stop = closeOnDrain(app, {
      target: "primary",
      signalUrls: [signal.url],
      intervalMs: 50,
      onChange: (drained: boolean) => changes.push(drained),
    });
    cleanups.push(stop);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;

    const first = await get(url, agent);
    const second = await get(url, agent);
    expect(second.socket).toBe(first.socket);
    expect(second.close).toBe(false);

    answer = "drain primary";
    const closed = new Promise<void>((resolve) => first.socket.once("close", () => resolve()));
    await closed;
    expect(changes).toEqual([true]);
    const after = await get(url, agent);
    expect(after.socket).not.toBe(first.socket);
    expect(after.close).toBe(true);
  });
});
