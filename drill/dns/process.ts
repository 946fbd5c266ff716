import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { FailoverError } from "../../functions/lib/errors.ts";

/** A server process the drill started, stopped by its own pid only. */
export interface DnsProcess {
  pid: number;
  /** Last lines the process wrote (for error messages). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `command` and waits until `ready()` resolves true (polled every 100 ms)
 * or `timeoutMs` passes; a process that exits first, or never gets ready, is
 * a FailoverError `DNS_START_FAILED` naming it and its last output.
 */
export async function startDnsProcess(
  name: string,
  command: string,
  args: readonly string[],
  ready: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<DnsProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-2000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", () => undefined);
  const deadline = performance.now() + timeoutMs;
  while (!(await ready().catch(() => false))) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      throw failed(name, `exited with ${child.exitCode ?? child.signalCode ?? "an error"} before it was ready`, tail);
    if (performance.now() > deadline) {
      await stopChild(child, exited);
      throw failed(name, `was not ready within ${timeoutMs} ms`, tail);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { pid: child.pid as number, output: () => tail, stop: () => stopChild(child, exited) };
}

function failed(name: string, what: string, tail: string): FailoverError {
  const last = tail.trim().split("\n").slice(-3).join(" | ");
  return new FailoverError("DNS_START_FAILED", `${name} ${what}${last ? `: ${last}` : ""}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** A loopback port free for both TCP and UDP just now (DNS listens on both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new FailoverError("DNS_START_FAILED", "no free loopback port for a DNS server after 20 tries");
}
