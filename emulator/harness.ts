import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FailoverError } from "../functions/lib/errors.ts";
import { emulatorPython, MOTO_VERSION } from "./python.ts";

/**
 * Starts the moto AWS emulator (emulator/moto_launcher.py) on a free
 * loopback port for one test file, the drill or a benchmark, and stops it by
 * its own pid. Works inside and outside vitest.
 *
 * ```ts
 * const emulator = await startEmulator();
 * const switcher = new Route53Switcher(config, { endpoint: emulator.url });
 * await emulator.reset();   // between tests
 * await emulator.stop();    // afterAll
 * ```
 */

export interface EmulatorOptions {
  /** Apply the launcher's AWS-behaviour patches (false = stock moto 5.2.1). @default true, unless env MOTO_PATCHES=off */
  patches?: boolean;
  /** Seconds each Route 53 change stays PENDING before INSYNC. @default 0 */
  changePendingSeconds?: number;
  /** How long to wait for the emulator to answer, in ms. @default 30000 */
  startTimeoutMs?: number;
  /** Python interpreter with moto. @default what {@link emulatorPython} finds or installs (env PYTHON, python3, or the project's `.emulator/venv`) */
  python?: string;
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the `endpoint` option of every adapter. */
  url: string;
  /** Process id of the emulator (the only process `stop()` ends). */
  pid: number;
  /** Environment for SDK clients and child processes: AWS_ENDPOINT_URL, test credentials, AWS_REGION. */
  env: Record<string, string>;
  /** Clears every service and region (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the emulator (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

const launcherPath = fileURLToPath(new URL("./moto_launcher.py", import.meta.url));
const installHint = `Set PYTHON to a Python 3.9+ with moto ${MOTO_VERSION} (pip install 'moto[server]==${MOTO_VERSION}'), or delete .emulator/venv to let the harness reinstall it.`;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const python = options.python ?? (await emulatorPython());
  const patches = options.patches ?? !/^(off|0|false|no)$/i.test(process.env.MOTO_PATCHES ?? "on");
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(python, [launcherPath, "--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"], {
    // stdin stays open as a lifeline: when this process dies, the launcher sees EOF and exits.
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      MOTO_PATCHES: patches ? "on" : "off",
      MOTO_CHANGE_PENDING_SECONDS: String(options.changePendingSeconds ?? 0),
      PYTHONUNBUFFERED: "1",
    },
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  let url: string;
  try {
    url = await waitForUrl(child, startTimeoutMs, () => stderrTail);
    await waitUntilAnswering(url, startTimeoutMs);
  } catch (error) {
    if (child.exitCode === null && child.pid !== undefined) child.kill("SIGKILL");
    throw error;
  }
  // Let a script that forgets stop() still exit; the lifeline pipe then ends the emulator.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as unknown as { unref?: () => void } | null)?.unref?.();

  const pid = child.pid as number;
  return {
    url,
    pid,
    env: { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" },
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!response.ok)
        throw new FailoverError("EMULATOR_RESET_FAILED", `emulator reset answered HTTP ${response.status}`, {
          hint: "Restart the emulator.",
        });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, 5000);
      // The child is unref'd: without a ref'd handle, a slow exit (after the SIGKILL, on a busy machine)
      // left nothing keeping this process alive, and it ended with code 13 in the middle of stop().
      const keepAlive = setInterval(() => undefined, 1000);
      await exited;
      clearTimeout(timer);
      clearInterval(keepAlive);
    },
  };
}

function waitForUrl(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(
      () =>
        fail(
          new FailoverError(
            "EMULATOR_START_TIMEOUT",
            `the moto emulator printed no URL within ${timeoutMs} ms${tail(stderr())}`,
            { hint: installHint },
          ),
        ),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      const message =
        error.code === "ENOENT"
          ? `cannot start the moto emulator: ${child.spawnfile} was not found`
          : `cannot start the moto emulator: ${error.message}`;
      fail(new FailoverError("EMULATOR_MISSING", message, { cause: error, hint: installHint }));
    });
    const onExit = (code: number | null) => {
      const missing = code === 3 || /No module named|ModuleNotFoundError/.test(stderr());
      fail(
        new FailoverError(
          missing ? "EMULATOR_MISSING" : "EMULATOR_EXITED",
          missing
            ? "moto is not installed for this Python"
            : `the moto emulator exited with code ${code} before it was ready${tail(stderr())}`,
          { hint: installHint },
        ),
      );
    };
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const match = /MOTO_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(match[1]);
      }
    });
  });
}

async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      const response = await fetch(`${url}/moto-api/reset`, { method: "POST", signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
  }
  throw new FailoverError(
    "EMULATOR_START_TIMEOUT",
    `the moto emulator at ${url} did not answer within ${timeoutMs} ms`,
    { hint: installHint },
  );
}

function tail(text: string): string {
  const trimmed = text.trim().split("\n").slice(-5).join("\n");
  return trimmed ? `:\n${trimmed}` : "";
}
